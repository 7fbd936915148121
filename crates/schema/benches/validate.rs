//! Parse + validate time for large schemas (divan): the largest real schema
//! (civitai, 302 models), odoo (168 introspected models), the reference
//! schema, and generated schemas of 100 / 1,000 / 5,000 models to show growth.

use std::path::PathBuf;

use refract_schema::SourceFiles;

// The allocator `gen` ships with (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn corpus(rel: &str) -> SourceFiles {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFiles::single(rel, text)
}

/// `n` models in a chain of one-to-many relations, each with an enum field,
/// an index and a compound unique: a schema of realistic shape and size.
pub fn generated(n: usize) -> SourceFiles {
    let mut s = String::from(
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nenum Status {\n  ACTIVE\n  ARCHIVED\n}\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "\nmodel M{i} {{\n  id        String   @id @default(cuid())\n  name      String   @db.VarChar(200)\n  status    Status   @default(ACTIVE)\n  count     Int      @default(0)\n  data      Json?\n  createdAt DateTime @default(now())\n  updatedAt DateTime @updatedAt\n"
        ));
        if i > 0 {
            s.push_str(&format!("  parentId  String\n  parent    M{} @relation(fields: [parentId], references: [id], onDelete: Cascade)\n", i - 1));
        }
        if i + 1 < n {
            s.push_str(&format!("  children  M{}[]\n", i + 1));
        }
        s.push_str("\n  @@unique([name, count])\n  @@index([createdAt(sort: Desc)])\n}\n");
    }
    SourceFiles::single("generated.prisma", s)
}

fn check(files: &SourceFiles) -> refract_schema::Validated {
    let v = refract_schema::validate(files);
    assert!(v.is_valid());
    v
}

#[divan::bench]
fn reference_schema(b: divan::Bencher) {
    let files = SourceFiles::single("schema.prisma", include_str!("../../../schema.prisma"));
    b.bench(|| check(divan::black_box(&files)));
}

#[divan::bench]
fn civitai_302_models(b: divan::Bencher) {
    let files = corpus("schemas/civitai__civitai.prisma");
    b.bench(|| check(divan::black_box(&files)));
}

#[divan::bench]
fn odoo_168_models(b: divan::Bencher) {
    let files = corpus("engine-test-schemas/query-engine-schema-test-schemas/odoo.prisma");
    b.bench(|| check(divan::black_box(&files)));
}

#[divan::bench(args = [100, 1000, 5000])]
fn generated_models(b: divan::Bencher, n: usize) {
    let files = generated(n);
    b.bench(|| check(divan::black_box(&files)));
}

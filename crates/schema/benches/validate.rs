//! Parse + validate time for large schemas (divan): the largest real schema
//! (civitai, 302 models), odoo (168 introspected models), the reference
//! schema, and generated schemas of 100 / 1,000 / 5,000 models to show growth.
//! Also broken input that used to make parsing quadratic (issue 15): 10,000
//! unclosed `model B {` openers, and 600 KB of lines the grammar's catch-all
//! rules take, inside a block and at the top level.

use std::path::PathBuf;

use refract_schema::SourceFiles;

// The allocator `gen` ships with (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// A schema of the team's corpus, which lives outside the repository: `cargo xtask bench`
/// passes its folder in `REFRACT_CORPUS`.
fn corpus(rel: &str) -> SourceFiles {
    let root = std::env::var_os("REFRACT_CORPUS")
        .map(PathBuf::from)
        .expect("REFRACT_CORPUS names the corpus folder (cargo xtask bench sets it)");
    let path = root.join(rel);
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

/// Validation of broken input, which must report errors.
fn check_invalid(files: &SourceFiles) -> refract_schema::Validated {
    let v = refract_schema::validate(files);
    assert!(!v.is_valid());
    v
}

/// 10,000 lines of `model B {`: as many unclosed blocks (each also a second
/// `B`). Quadratic before issue 15: 8.75 s for 4,000 lines.
#[divan::bench]
fn unclosed_openers_10000(b: divan::Bencher) {
    let files = SourceFiles::single("unclosed.prisma", "model B {\n".repeat(10_000));
    b.bench(|| check_invalid(divan::black_box(&files)));
}

/// About 600 KB of catch-all lines: inside one block, lines that start like
/// a block at column 0 without being one (the parallel parser used to cut
/// there, and each piece was quadratic); at the top level, plain words.
#[divan::bench(args = ["in_block", "top_level"])]
fn catch_all_lines_600kb(b: divan::Bencher, place: &str) {
    let text = catch_all_lines(place, 600 * 1024);
    let files = SourceFiles::single("catch_all.prisma", text);
    b.bench(|| check_invalid(divan::black_box(&files)));
}

/// `bytes` of catch-all lines, `in_block` (of a model) or at the top level.
pub fn catch_all_lines(place: &str, bytes: usize) -> String {
    if place == "in_block" {
        let lines = "model B extra {\n  model C {\ntype X = Y\nthis is not a schema line\n";
        format!(
            "model A {{\n  id Int @id\n{}}}\n",
            lines.repeat(bytes / lines.len())
        )
    } else {
        "this is not a schema line\n".repeat(bytes / 26)
    }
}

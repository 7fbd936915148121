//! `#[refract_test::test]` in an application of one's own: a crate outside this workspace
//! with its schema, a migration (`gen migrate diff --from-empty --script`), the client `gen
//! generate` wrote, and ten tests that each write rows and must see only their own, run
//! with `cargo test` and no `DATABASE_URL` (so on the harness's private server). One
//! dev-dependency, `refract-test`, is all the application adds.
//!
//! The application is built in the target folder the own-project test uses (under
//! `CARGO_TARGET_TMPDIR`, kept between runs), with this workspace's `Cargo.lock` copied in.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{assert_exit, both, gen_in, stdout};

const MODELS: &str = r#"
model Note {
  id    Int      @id @default(autoincrement())
  owner String
  body  String
  at    DateTime @default(now())
}
"#;

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("checkout")
}

/// Ten tests; test `i` writes `i` notes under its own name and must find exactly those.
fn tests_rs() -> String {
    let mut text = String::from(
        "//! Ten tests, each on its own database: each writes notes and sees only its own.\n\
         use client::{Models, note};\n\n\
         async fn only_my_notes(db: client::Client, owner: &str, count: usize) {\n    \
             for i in 0..count {\n        \
                 db.note().create(note::Create { owner: owner.into(), body: format!(\"note {i}\") }).await.expect(\"create\");\n    \
             }\n    \
             let all = db.note().find_many().order_by(note::ID.asc()).await.expect(\"find\");\n    \
             assert_eq!(all.len(), count, \"{owner} sees {all:?}\");\n    \
             assert!(all.iter().all(|n| n.owner == owner), \"{owner} sees {all:?}\");\n    \
             // Every database starts its sequences afresh: ids 1..=count.\n    \
             assert_eq!(all.first().map(|n| n.id), Some(1));\n\
         }\n",
    );
    for i in 1..=10 {
        let _ = write!(
            text,
            "\n#[refract_test::test]\nasync fn writer_{i:02}(db: client::Client) {{\n    \
             only_my_notes(db, \"writer_{i:02}\", {i}).await;\n}}\n"
        );
    }
    text
}

#[test]
fn ten_tests_of_an_application_each_see_only_their_own_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path();
    let schema = format!(
        "generator client {{\n  provider    = \"refract\"\n  output      = \"./generated/client\"\n  \
         runtimePath = \"{}\"\n}}\n\ndatasource db {{\n  provider = \"postgresql\"\n}}\n{MODELS}",
        checkout().join("crates/runtime").display()
    );
    std::fs::write(app.join("schema.prisma"), schema).expect("schema");

    // The migration, without a database: Prisma's SQL from nothing to the schema.
    let diff = gen_in(
        app,
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-schema",
            "schema.prisma",
            "--script",
        ],
    );
    assert_exit(&diff, 0);
    let migration = app.join("migrations/20260101000000_init");
    std::fs::create_dir_all(&migration).expect("migrations");
    std::fs::write(migration.join("migration.sql"), stdout(&diff)).expect("migration.sql");
    std::fs::write(
        app.join("migrations/migration_lock.toml"),
        "provider = \"postgresql\"\n",
    )
    .expect("lock");
    assert_exit(&gen_in(app, &["generate"]), 0);

    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"notes-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nclient = {{ path = \"./generated/client\" }}\n\n\
             [dev-dependencies]\nrefract-test = {{ path = \"{}\" }}\n\n[workspace]\n",
            checkout().join("crates/test").display()
        ),
    )
    .expect("manifest");
    std::fs::create_dir_all(app.join("src")).expect("src");
    std::fs::write(app.join("src/lib.rs"), "//! The notes application.\n").expect("lib.rs");
    std::fs::create_dir_all(app.join("tests")).expect("tests");
    std::fs::write(app.join("tests/notes.rs"), tests_rs()).expect("tests");
    std::fs::copy(checkout().join("Cargo.lock"), app.join("Cargo.lock")).expect("lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-project-target");
    let output = Command::new(cargo)
        .args(["test", "--quiet", "--test", "notes", "--", "--nocapture"])
        .current_dir(app)
        .env("CARGO_TARGET_DIR", &target)
        .env("REFRACT_TEST_TIMING", "1")
        .env_remove("DATABASE_URL")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo test");
    assert!(output.status.success(), "{}", both(&output));
    let out = stdout(&output);
    assert!(
        out.contains("test result: ok. 10 passed; 0 failed"),
        "{}",
        both(&output)
    );
    // Every test's database was made and dropped again.
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("refract-test timing: notes::writer_"))
            .count(),
        10,
        "{err}"
    );
}

//! The `gen` binary end to end: exit codes, where it looks for the schema,
//! what it prints. Each test runs in its own temporary folder.

use std::path::Path;

mod support;
use support::{gen_in, stderr, stdout};

const VALID: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id    Int    @id\n  email String @unique\n}\n";

#[test]
fn validate_accepts_the_reference_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let o = gen_in(&root, &["validate"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("is valid"));
}

#[test]
fn validate_reports_every_error_with_location_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.prisma"),
        "model User {\n  id    Int   @id\n  email Strng\n  age   Int   @default(\"x\")\n}\n",
    )
    .unwrap();
    let o = gen_in(dir.path(), &["validate"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("schema.prisma:3:9"), "{err}");
    assert!(err.contains("schema.prisma:4:24"), "{err}");
    assert!(err.contains("did you mean `String`?"), "{err}");
    assert!(err.contains("the schema has 2 errors"), "{err}");
    assert!(!err.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn schema_is_found_in_prisma_folder_and_as_a_folder_of_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("prisma/schema")).unwrap();
    std::fs::write(dir.path().join("prisma/schema/main.prisma"), VALID).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema/post.prisma"),
        "model Post {\n  id Int @id\n  author Usr\n}\n",
    )
    .unwrap();
    let o = gen_in(dir.path(), &["validate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("post.prisma:3:10"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        gen_in(dir.path(), &["validate"]).status.code(),
        Some(2),
        "no schema here"
    );
    assert_eq!(
        gen_in(dir.path(), &["validate", "--schema", "missing.prisma"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        gen_in(dir.path(), &["no-such-command"]).status.code(),
        Some(2)
    );
}

#[test]
fn format_check_and_write() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id Int @id\n  email String @unique\n}\n";
    std::fs::write(dir.path().join("schema.prisma"), messy).unwrap();
    assert_eq!(
        gen_in(dir.path(), &["format", "--check"]).status.code(),
        Some(1)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("schema.prisma")).unwrap(),
        messy,
        "--check writes nothing"
    );
    let o = gen_in(dir.path(), &["format"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("schema.prisma")).unwrap(),
        VALID
    );
    assert_eq!(
        gen_in(dir.path(), &["format", "--check"]).status.code(),
        Some(0)
    );
}

#[test]
fn init_writes_a_valid_schema_and_env_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let o = gen_in(
        dir.path(),
        &["init", "--url", "postgresql://u@localhost/app"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let env = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    assert_eq!(env, "DATABASE_URL=\"postgresql://u@localhost/app\"\n");
    // An init schema has no model yet, and is valid.
    assert_eq!(gen_in(dir.path(), &["validate"]).status.code(), Some(0));
    assert_eq!(
        gen_in(dir.path(), &["init"]).status.code(),
        Some(1),
        "refuses to overwrite"
    );
}

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
    // `.env` holds the password: it is ignored by git from the start.
    let gitignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert_eq!(gitignore, ".env\n");
    // The next steps say how the application depends on the client.
    let printed = support::stdout(&o);
    assert!(
        printed.contains(r#"client = { path = "./generated/client" }"#),
        "{printed}"
    );
    // The schema names the runtime explicitly, so `gen generate` needs no fallback and
    // warns about nothing, and the crate's runtime path points at a real crate.
    let schema = std::fs::read_to_string(dir.path().join("schema.prisma")).unwrap();
    assert!(schema.contains("runtimePath = "), "{schema}");
    let generated = gen_in(dir.path(), &["generate"]);
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        support::both(&generated)
    );
    assert_eq!(stderr(&generated), "", "no warning");
    let manifest = std::fs::read_to_string(dir.path().join("generated/client/Cargo.toml")).unwrap();
    let runtime_path = manifest
        .lines()
        .find_map(|line| line.strip_prefix("refract-runtime = { path = \""))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no runtime path in\n{manifest}"));
    assert!(
        dir.path()
            .join("generated/client")
            .join(runtime_path)
            .join("Cargo.toml")
            .is_file(),
        "{runtime_path}"
    );
}

#[test]
fn init_appends_env_to_an_existing_gitignore_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "/target").unwrap();
    let o = gen_in(dir.path(), &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let gitignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert_eq!(gitignore, "/target\n.env\n");

    let again = tempfile::tempdir().unwrap();
    std::fs::write(again.path().join(".gitignore"), "target/\n.env\n").unwrap();
    assert_eq!(gen_in(again.path(), &["init"]).status.code(), Some(0));
    let gitignore = std::fs::read_to_string(again.path().join(".gitignore")).unwrap();
    assert_eq!(gitignore, "target/\n.env\n", "already ignored: unchanged");
}

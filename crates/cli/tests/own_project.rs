//! refract in a project of one's own, as README's "Use refract in your own project" tells a
//! new user: an empty folder outside this workspace, `gen init`, a schema nobody here wrote,
//! `gen migrate dev`, `gen generate`, an application that depends on the generated crate by
//! path, built with cargo and run against a real database. Also: a `runtimePath` that
//! points at no crate is refused before anything is written.
//!
//! The application is built in its own target folder under cargo's `CARGO_TARGET_TMPDIR`
//! (kept between runs, so only the first run compiles the dependencies), with this
//! workspace's `Cargo.lock` copied in, so it builds with the versions the workspace tests.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{both, gen_in};

const MODELS: &str = r#"
model Shelf {
  id        Int      @id @default(autoincrement())
  label     String   @unique
  books     Book[]
}

model Book {
  id        String   @id @default(uuid())
  title     String
  pages     Int?
  shelf     Shelf    @relation(fields: [shelfId], references: [id])
  shelfId   Int
  addedAt   DateTime @default(now())
}
"#;

const MAIN_RS: &str = r#"//! A new user's first program on a generated refract client.
use client::{book, shelf, Models};

#[tokio::main]
async fn main() -> Result<(), client::Error> {
    let db = client::Client::from_env()?;
    let shelf = db.shelf().create(shelf::Create { label: "fiction".into() }).await?;
    db.book()
        .create(book::Create { title: "Dune".into(), shelf_id: shelf.id })
        .set(book::PAGES.set(412))
        .await?;
    db.book().create(book::Create { title: "Emma".into(), shelf_id: shelf.id }).await?;
    let long = db
        .book()
        .find_many()
        .filter(book::PAGES.gt(100))
        .await?;
    let on_shelf = db
        .shelf()
        .find_unique(shelf::label("fiction"))
        .include(shelf::BOOKS)
        .await?
        .map(|s| s.get(shelf::BOOKS).len());
    println!("long books: {}, on the shelf: {:?}", long.len(), on_shelf);
    Ok(())
}
"#;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn runtime_dir() -> PathBuf {
    canonical(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime"))
}

/// `path` without `..` components (what `gen` writes into the generated manifest is
/// relative, so any form works; a clean one reads better in failures).
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_application_outside_the_workspace_builds_and_queries() {
    let db = refract_testdb::TestDb::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path();
    assert!(
        !app.starts_with(workspace_root().canonicalize().expect("root")),
        "the application must live outside the workspace"
    );

    // gen init, then the user's own models and their database.
    let init = gen_in(app, &["init", "--url", db.url()]);
    support::assert_exit(&init, 0);
    let mut schema = std::fs::read_to_string(app.join("schema.prisma")).expect("schema");
    // The documented setting, as a user who keeps refract elsewhere writes it.
    assert!(schema.contains("runtimePath = "), "{schema}");
    schema = schema
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("runtimePath") {
                format!("  runtimePath = \"{}\"", runtime_dir().display())
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    schema.push_str(MODELS);
    std::fs::write(app.join("schema.prisma"), schema).expect("write schema");

    let migrate = gen_in(app, &["migrate", "dev", "--name", "init"]);
    support::assert_exit(&migrate, 0);
    let generate = gen_in(app, &["generate"]);
    support::assert_exit(&generate, 0);
    assert_eq!(
        support::stderr(&generate),
        "",
        "no warning: {}",
        both(&generate)
    );

    // The application: depends on the generated crate by path, as README says.
    std::fs::write(
        app.join("Cargo.toml"),
        "[package]\nname = \"my-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\nclient = { path = \"./generated/client\" }\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n\n\
         [workspace]\n",
    )
    .expect("write manifest");
    std::fs::create_dir_all(app.join("src")).expect("src");
    std::fs::write(app.join("src/main.rs"), MAIN_RS).expect("write main");
    std::fs::copy(workspace_root().join("Cargo.lock"), app.join("Cargo.lock")).expect("lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-project-target");
    let app_dir = app.to_path_buf();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(cargo)
            .args(["run", "--quiet"])
            .current_dir(app_dir)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("DATABASE_URL")
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo")
    });
    let output = run.await.expect("join");
    assert!(output.status.success(), "{}", both(&output));
    assert_eq!(
        support::stdout(&output).trim(),
        "long books: 1, on the shelf: Some(2)",
        "{}",
        both(&output)
    );
}

#[test]
fn a_runtime_path_without_a_crate_is_refused_before_writing() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("schema.prisma"),
        "generator client {\n  provider    = \"refract\"\n  output      = \"./client\"\n  \
         runtimePath = \"./no-refract-here/crates/runtime\"\n}\n\n\
         datasource db {\n  provider = \"postgresql\"\n}\n\n\
         model A {\n  id Int @id\n}\n",
    )
    .expect("write schema");
    let o = gen_in(dir.path(), &["generate"]);
    support::assert_exit(&o, 1);
    assert!(
        support::stderr(&o).contains("`runtimePath`"),
        "{}",
        both(&o)
    );
    assert!(!dir.path().join("client").exists(), "nothing written");
}

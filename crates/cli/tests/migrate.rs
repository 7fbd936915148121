//! `gen migrate ...` and `gen db ...` end to end against real PostgreSQL (refract-testdb):
//! the seed's flow on a copy of the root schema (init, next, deploy to a fresh database,
//! status), consent for data loss without a terminal, diff exit codes, `.env` and
//! datasource URLs, a missing `?schema=`, connection errors, reset, resolve, push and pull.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use refract_testdb::TestDb;

mod support;
use support::{assert_exit, both, gen_in, stderr, stdout};

/// A temporary project holding a copy of the root schema, its `runtimePath` pointed at
/// this checkout's runtime (the copy lives elsewhere, where the relative path is wrong).
fn project_with_root_schema() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = std::fs::read_to_string(manifest.join("../../schema.prisma")).unwrap();
    let runtime = manifest.join("../runtime").canonicalize().unwrap();
    let schema = root.replace(
        "runtimePath = \"./crates/runtime\"",
        &format!("runtimePath = \"{}\"", runtime.display()),
    );
    assert_ne!(schema, root, "the root schema sets runtimePath");
    std::fs::write(dir.path().join("schema.prisma"), schema).unwrap();
    dir
}

fn project_with(schema: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.prisma"), schema).unwrap();
    dir
}

/// Migration folders, sorted.
fn migration_folders(dir: &Path) -> Vec<PathBuf> {
    let migrations = dir.join("migrations");
    if !migrations.is_dir() {
        return Vec::new();
    }
    refract_testdb::sorted_entries(&migrations)
        .into_iter()
        .filter(|p| p.is_dir())
        .collect()
}

fn script(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("migration.sql")).unwrap()
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("schema.prisma");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in the schema");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

async fn history(db: &TestDb) -> Vec<(String, String, bool)> {
    db.client()
        .await
        .query(
            "SELECT migration_name, checksum, finished_at IS NOT NULL FROM _prisma_migrations ORDER BY started_at, migration_name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

async fn columns(db: &TestDb, table: &str) -> Vec<String> {
    refract_testdb::first_column(
        &db.client().await,
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )
    .await
}

#[tokio::test]
async fn seed_flow_init_next_deploy_status_diff() {
    let dev_db = TestDb::new().await;
    let project = project_with_root_schema();
    let dir = project.path();

    // init: tables, migration files, history row; the refract generator runs afterwards.
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "init", "--url", dev_db.url()],
    );
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains(
            "The following migration(s) have been created and applied from new schema changes:"
        ),
        "{out}"
    );
    assert!(
        out.contains("Your database is now in sync with your schema."),
        "{out}"
    );
    assert!(out.contains("Running generate..."), "{out}");
    assert!(dir.join("generated/client/Cargo.toml").is_file(), "{out}");
    let folders = migration_folders(dir);
    assert_eq!(folders.len(), 1);
    let init = folders[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        init.ends_with("_init") && init.len() == "YYYYMMDDHHMMSS_init".len(),
        "{init}"
    );
    assert!(
        out.contains(&format!("  └─ {init}/\n    └─ migration.sql")),
        "{out}"
    );
    let init_sql = script(&folders[0]);
    assert!(
        init_sql.contains("-- CreateTable\nCREATE TABLE \"Tenant\""),
        "{init_sql}"
    );
    assert!(
        init_sql.contains("-- CreateEnum\nCREATE TYPE \"TenantPlan\""),
        "{init_sql}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("migrations/migration_lock.toml"))
            .unwrap()
            .lines()
            .last(),
        Some("provider = \"postgresql\"")
    );
    let rows = history(&dev_db).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, init);
    assert!(rows[0].2, "finished");
    assert!(
        columns(&dev_db, "Tenant")
            .await
            .contains(&"plan".to_owned())
    );

    // next: only the change.
    edit(
        dir,
        "  name      String?\n",
        "  name      String?\n  nickname  String?\n",
    );
    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "next",
            "--url",
            dev_db.url(),
            "--skip-generate",
        ],
    );
    assert_exit(&o, 0);
    let folders = migration_folders(dir);
    assert_eq!(folders.len(), 2);
    assert!(folders[1].to_string_lossy().ends_with("_next"));
    assert_eq!(
        script(&folders[1]).trim_end(),
        "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN     \"nickname\" TEXT;"
    );
    assert_eq!(
        script(&folders[0]),
        init_sql,
        "earlier migrations untouched"
    );
    assert_eq!(history(&dev_db).await.len(), 2);

    // Nothing left to do: nothing written.
    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "again",
            "--url",
            dev_db.url(),
            "--skip-generate",
        ],
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Already in sync, no schema change or pending migration was found."),
        "{}",
        both(&o)
    );
    assert_eq!(migration_folders(dir).len(), 2);

    let o = gen_in(dir, &["migrate", "status", "--url", dev_db.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("2 migrations found in migrations"),
        "{}",
        both(&o)
    );
    assert!(stdout(&o).contains("Database schema is up to date!"));

    // A fresh database: status says what is pending (exit 1), deploy applies the folder.
    let prod_db = TestDb::new().await;
    let o = gen_in(dir, &["migrate", "status", "--url", prod_db.url()]);
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains("Following migrations have not yet been applied:"),
        "{}",
        both(&o)
    );
    assert!(stdout(&o).contains(&init));

    let o = gen_in(dir, &["migrate", "deploy", "--url", prod_db.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains(&format!("Applying migration `{init}`")),
        "{}",
        both(&o)
    );
    assert!(stdout(&o).contains("All migrations have been successfully applied."));
    assert_eq!(
        history(&prod_db).await,
        history(&dev_db).await,
        "same names and checksums"
    );
    let o = gen_in(dir, &["migrate", "deploy", "--url", prod_db.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("No pending migrations to apply."),
        "{}",
        both(&o)
    );
    let o = gen_in(dir, &["migrate", "status", "--url", prod_db.url()]);
    assert_exit(&o, 0);

    // diff: 0 when equal, 2 when different (with --exit-code), the script on request.
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-url",
            prod_db.url(),
            "--to-schema",
            "schema.prisma",
            "--exit-code",
        ],
    );
    assert_exit(&o, 0);
    assert_eq!(stdout(&o).trim(), "No difference detected.");
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-schema",
            "schema.prisma",
            "--exit-code",
            "--script",
        ],
    );
    assert_exit(&o, 2);
    assert!(
        stdout(&o).contains("CREATE TABLE \"Tenant\""),
        "{}",
        both(&o)
    );
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-schema",
            "schema.prisma",
        ],
    );
    assert_exit(&o, 0);
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-migrations",
            "migrations",
            "--to-schema",
            "schema.prisma",
            "--exit-code",
            "--url",
            dev_db.url(),
        ],
    );
    assert_exit(&o, 0);
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-url",
            prod_db.url(),
            "--to-empty",
            "--exit-code",
        ],
    );
    assert_exit(&o, 2);
    assert!(stdout(&o).contains("[-] Removed tables"), "{}", both(&o));
    // Usage: one --from and one --to.
    let o = gen_in(dir, &["migrate", "diff", "--from-empty"]);
    assert_exit(&o, 2);
    let o = gen_in(
        dir,
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--from-url",
            "postgresql://x/y",
            "--to-empty",
        ],
    );
    assert_exit(&o, 2);
}

const SMALL: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"APP_DATABASE_URL\")\n}\n\nmodel Post {\n  id     Int    @id @default(autoincrement())\n  title  String\n  body   String?\n}\n";

#[tokio::test]
async fn data_loss_needs_consent_without_a_terminal() {
    let db = TestDb::new().await;
    let project = project_with(SMALL);
    let dir = project.path();
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "init", "--url", db.url()],
    );
    assert_exit(&o, 0);
    assert!(
        !stdout(&o).contains("Running generate"),
        "no refract generator: {}",
        both(&o)
    );
    db.client()
        .await
        .batch_execute(
            "INSERT INTO \"Post\" (title, body) VALUES ('a', 'x'), ('b', 'y'), ('c', NULL)",
        )
        .await
        .unwrap();

    edit(dir, "  body   String?\n", "");
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "drop_body", "--url", db.url()],
    );
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains(
            "You are about to drop the column `body` on the `Post` table, which still contains 2 non-null values."
        ),
        "{}",
        both(&o)
    );
    assert!(stderr(&o).contains("--accept-data-loss"), "{}", both(&o));
    assert_eq!(migration_folders(dir).len(), 1, "nothing written");
    assert!(
        columns(&db, "Post").await.contains(&"body".to_owned()),
        "nothing applied"
    );
    assert_eq!(history(&db).await.len(), 1);

    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "drop_body",
            "--url",
            db.url(),
            "--accept-data-loss",
        ],
    );
    assert_exit(&o, 0);
    assert_eq!(columns(&db, "Post").await, vec!["id", "title"]);
    let folders = migration_folders(dir);
    assert_eq!(folders.len(), 2);
    let sql = script(&folders[1]);
    assert!(sql.starts_with("/*\n  Warnings:\n"), "{sql}");
    assert!(
        sql.contains("ALTER TABLE \"Post\" DROP COLUMN \"body\";"),
        "{sql}"
    );
    assert_eq!(history(&db).await.len(), 2);
}

#[tokio::test]
async fn url_from_dotenv_and_datasource_env() {
    let db = TestDb::new().await;
    let project = project_with(SMALL);
    let dir = project.path();
    // The datasource names APP_DATABASE_URL, which is not set anywhere yet.
    let o = gen_in(dir, &["migrate", "deploy"]);
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains("environment variable not found: APP_DATABASE_URL"),
        "{}",
        both(&o)
    );

    std::fs::write(
        dir.join(".env"),
        format!("APP_DATABASE_URL=\"{}\"\n", db.url()),
    )
    .unwrap();
    let o = gen_in(dir, &["migrate", "dev", "--name", "init"]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains(&format!(
            "PostgreSQL database \"{}\", schema \"public\"",
            db.name()
        )),
        "{}",
        both(&o)
    );
    assert_eq!(history(&db).await.len(), 1);

    // `?schema=` picks the namespace.
    db.client()
        .await
        .batch_execute("CREATE SCHEMA tenant_a")
        .await
        .unwrap();
    let o = gen_in(
        dir,
        &[
            "migrate",
            "deploy",
            "--url",
            &format!("{}?schema=tenant_a", db.url()),
        ],
    );
    assert_exit(&o, 0);
    let count: i64 = refract_testdb::one_value(&db.client().await, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_a' AND table_name = 'Post'",
            &[],).await;
    assert_eq!(count, 1);

    // No url in the datasource: DATABASE_URL.
    let db = TestDb::new().await;
    let bare = project_with(
        "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel A {\n  id Int @id\n}\n",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_gen"))
        .current_dir(bare.path())
        .args(["migrate", "status"])
        .env("DATABASE_URL", db.url())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    // Connected (the URL came from DATABASE_URL); nothing is managed yet: exit 1, as Prisma.
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains("The current database is not managed by refract migrate"),
        "{}",
        both(&o)
    );
    let o = gen_in(bare.path(), &["migrate", "status"]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("no database URL"), "{}", both(&o));
}

/// A `?schema=` the database lacks is created, silently, by every command, as Prisma 7.10
/// does (its schema engine runs `CREATE SCHEMA` when it first connects); a user who may not
/// create it gets PostgreSQL's error, as from Prisma, with what to do.
#[tokio::test]
async fn missing_url_schema_is_created_silently() {
    let db = TestDb::new().await;
    let project = project_with(SMALL);
    let dir = project.path();
    let in_schema = |schema: &str| format!("{}?schema={schema}", db.url());

    let o = gen_in(dir, &["migrate", "status", "--url", &in_schema("tenant_s")]);
    // Nothing is managed yet (exit 1, as Prisma), but the schema was created.
    assert_exit(&o, 1);
    assert_eq!(db.tables_in("tenant_s").await, Some(vec![]));

    let o = gen_in(
        dir,
        &[
            "migrate",
            "dev",
            "--name",
            "init",
            "--url",
            &in_schema("tenant_x"),
        ],
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("schema \"tenant_x\" at")
            && stdout(&o).matches("tenant_x").count() == 1
            && !stderr(&o).contains("tenant_x"),
        "{}",
        both(&o)
    );
    assert!(
        !script(&migration_folders(dir)[0]).contains("SCHEMA"),
        "{}",
        both(&o)
    );
    assert_eq!(
        db.tables_in("tenant_x").await,
        Some(vec!["Post".to_owned(), "_prisma_migrations".to_owned()])
    );

    let o = gen_in(dir, &["migrate", "deploy", "--url", &in_schema("tenant_y")]);
    assert_exit(&o, 0);
    assert_eq!(
        db.tables_in("tenant_y").await,
        Some(vec!["Post".to_owned(), "_prisma_migrations".to_owned()])
    );

    let o = gen_in(dir, &["db", "push", "--url", &in_schema("tenant_z")]);
    assert_exit(&o, 0);
    assert!(!stdout(&o).contains("Schemas"), "{}", both(&o));
    assert_eq!(
        db.tables_in("tenant_z").await,
        Some(vec!["Post".to_owned()])
    );

    // A role that may not create schemas in the database.
    let role = format!("{}_nocreate", db.name());
    let client = db.client().await;
    client
        .batch_execute(&format!("CREATE ROLE \"{role}\" LOGIN"))
        .await
        .unwrap();
    let as_role = in_schema("tenant_q").replacen("postgres@", &format!("{role}@"), 1);
    let o = gen_in(dir, &["migrate", "deploy", "--url", &as_role]);
    client
        .batch_execute(&format!("DROP ROLE \"{role}\""))
        .await
        .unwrap();
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains(&format!(
            "The schema `tenant_q` named by the URL does not exist and could not be created: \
             ERROR: permission denied for database {}",
            db.name()
        )) && stderr(&o).contains("grant this user `CREATE` on the database"),
        "{}",
        both(&o)
    );
    assert_eq!(db.tables_in("tenant_q").await, None);
}

#[tokio::test]
async fn connection_problems_have_clear_messages() {
    let db = TestDb::new().await;
    let project = project_with(SMALL);
    let dir = project.path();
    // Nothing listens on port 1.
    let o = gen_in(
        dir,
        &[
            "migrate",
            "status",
            "--url",
            "postgresql://postgres@127.0.0.1:1/app",
        ],
    );
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains("P1001: Can't reach database server"),
        "{}",
        both(&o)
    );
    let o = gen_in(
        dir,
        &["migrate", "deploy", "--url", "mysql://localhost/app"],
    );
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains("must start with `postgresql://`"),
        "{}",
        both(&o)
    );

    // A missing database: status says so, dev creates it.
    let missing_name = format!("{}_created", db.name());
    let missing = db.url().replace(db.name(), &missing_name);
    let o = gen_in(dir, &["migrate", "status", "--url", &missing]);
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains(&format!("P1003: Database `{missing_name}` does not exist")),
        "{}",
        both(&o)
    );
    let o = gen_in(
        dir,
        &["migrate", "dev", "--name", "init", "--url", &missing],
    );
    let created = stdout(&o).contains(&format!("PostgreSQL database {missing_name} created at"));
    db.client()
        .await
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{missing_name}\" WITH (FORCE)"
        ))
        .await
        .unwrap();
    assert_exit(&o, 0);
    assert!(created, "{}", both(&o));

    // A role without rights on the schema.
    let role = format!("{}_reader", db.name());
    let client = db.client().await;
    client
        .batch_execute(&format!(
            "CREATE ROLE \"{role}\" LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC; REVOKE ALL ON SCHEMA public FROM \"{role}\";"
        ))
        .await
        .unwrap();
    let as_reader = db.url().replacen("postgres@", &format!("{role}@"), 1);
    let o = gen_in(dir, &["migrate", "deploy", "--url", &as_reader]);
    client
        .batch_execute(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\";"))
        .await
        .unwrap();
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("permission denied"), "{}", both(&o));
}

#[tokio::test]
async fn reset_needs_force_without_a_terminal_and_resolve() {
    let db = TestDb::new().await;
    let project = project_with(SMALL);
    let dir = project.path();
    assert_exit(
        &gen_in(
            dir,
            &["migrate", "dev", "--name", "init", "--url", db.url()],
        ),
        0,
    );
    db.client()
        .await
        .batch_execute("INSERT INTO \"Post\" (title) VALUES ('kept?')")
        .await
        .unwrap();

    let o = gen_in(dir, &["migrate", "reset", "--url", db.url()]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("--force"), "{}", both(&o));
    let rows: i64 =
        refract_testdb::one_value(&db.client().await, "SELECT count(*) FROM \"Post\"", &[]).await;
    assert_eq!(rows, 1, "nothing reset");

    let o = gen_in(dir, &["migrate", "reset", "--force", "--url", db.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Database reset successful"),
        "{}",
        both(&o)
    );
    let rows: i64 =
        refract_testdb::one_value(&db.client().await, "SELECT count(*) FROM \"Post\"", &[]).await;
    assert_eq!(rows, 0);
    assert_eq!(history(&db).await.len(), 1);

    // resolve: usage, then baselining a database whose tables exist already.
    assert_exit(&gen_in(dir, &["migrate", "resolve", "--url", db.url()]), 2);
    let baseline = TestDb::new().await;
    baseline
        .client()
        .await
        .batch_execute(&script(&migration_folders(dir)[0]))
        .await
        .unwrap();
    let o = gen_in(dir, &["migrate", "deploy", "--url", baseline.url()]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("P3005"), "{}", both(&o));
    let name = migration_folders(dir)[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let o = gen_in(
        dir,
        &[
            "migrate",
            "resolve",
            "--applied",
            &name,
            "--url",
            baseline.url(),
        ],
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains(&format!("Migration {name} marked as applied.")),
        "{}",
        both(&o)
    );
    assert_exit(
        &gen_in(dir, &["migrate", "status", "--url", baseline.url()]),
        0,
    );
    let o = gen_in(
        dir,
        &[
            "migrate",
            "resolve",
            "--rolled-back",
            &name,
            "--url",
            baseline.url(),
        ],
    );
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("P3012"), "{}", both(&o));
}

#[tokio::test]
async fn db_push_and_db_pull() {
    let db = TestDb::new().await;
    let project = project_with_root_schema();
    let dir = project.path();
    let o = gen_in(dir, &["db", "push", "--url", db.url(), "--skip-generate"]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Your database is now in sync with your schema."),
        "{}",
        both(&o)
    );
    let o = gen_in(dir, &["db", "push", "--url", db.url(), "--skip-generate"]);
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("already in sync"), "{}", both(&o));

    // pull --print: a valid schema, the same twice, and no difference to the database.
    let o = gen_in(dir, &["db", "pull", "--print", "--url", db.url()]);
    assert_exit(&o, 0);
    let pulled = stdout(&o);
    assert!(
        pulled.starts_with("generator client {\n  provider    = \"refract\""),
        "{pulled}"
    );
    assert!(pulled.contains("model Tenant {"), "{pulled}");
    let pulled_dir = tempfile::tempdir().unwrap();
    std::fs::write(pulled_dir.path().join("schema.prisma"), &pulled).unwrap();
    assert_exit(&gen_in(pulled_dir.path(), &["validate"]), 0);
    let again = gen_in(dir, &["db", "pull", "--print", "--url", db.url()]);
    assert_eq!(stdout(&again), pulled);
    let o = gen_in(
        pulled_dir.path(),
        &[
            "migrate",
            "diff",
            "--from-url",
            db.url(),
            "--to-schema",
            "schema.prisma",
            "--exit-code",
        ],
    );
    assert_exit(&o, 0);

    // Over a schema with models: re-introspection (as Prisma) writes what --print showed
    // (crates/cli/tests/db_pull.rs has the details); --force writes the raw introspection.
    let o = gen_in(dir, &["db", "pull", "--url", db.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("✔ Introspected 7 models and 5 enums"),
        "{}",
        both(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("schema.prisma")).unwrap(),
        pulled
    );
    let o = gen_in(dir, &["db", "pull", "--force", "--url", db.url()]);
    assert_exit(&o, 0);

    // An empty database: P4001.
    let empty = TestDb::new().await;
    let o = gen_in(dir, &["db", "pull", "--print", "--url", empty.url()]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("P4001"), "{}", both(&o));

    // push: data loss needs consent; --force-reset starts over.
    let small = project_with(SMALL);
    let sdir = small.path();
    assert_exit(&gen_in(sdir, &["db", "push", "--url", empty.url()]), 0);
    empty
        .client()
        .await
        .batch_execute("INSERT INTO \"Post\" (title, body) VALUES ('a', 'x')")
        .await
        .unwrap();
    edit(sdir, "  body   String?\n", "");
    let o = gen_in(sdir, &["db", "push", "--url", empty.url()]);
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains("which still contains 1 non-null values"),
        "{}",
        both(&o)
    );
    assert!(stderr(&o).contains("--accept-data-loss"), "{}", both(&o));
    assert_eq!(columns(&empty, "Post").await, vec!["id", "title", "body"]);
    assert_exit(
        &gen_in(
            sdir,
            &["db", "push", "--accept-data-loss", "--url", empty.url()],
        ),
        0,
    );
    assert_eq!(columns(&empty, "Post").await, vec!["id", "title"]);
    let o = gen_in(sdir, &["db", "push", "--force-reset", "--url", empty.url()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("was successfully reset"),
        "{}",
        both(&o)
    );
    let rows: i64 =
        refract_testdb::one_value(&empty.client().await, "SELECT count(*) FROM \"Post\"", &[])
            .await;
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn folder_schemas_keep_migrations_inside_the_folder() {
    let db = TestDb::new().await;
    let project = tempfile::tempdir().unwrap();
    let folder = project.path().join("prisma/schema");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("main.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("post.prisma"),
        "model Post {\n  id Int @id\n}\n",
    )
    .unwrap();
    let o = gen_in(
        project.path(),
        &["migrate", "dev", "--name", "init", "--url", db.url()],
    );
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Schema loaded from prisma/schema"),
        "{}",
        both(&o)
    );
    assert_eq!(migration_folders(&folder).len(), 1);
    assert!(folder.join("migrations/migration_lock.toml").is_file());
}

#[tokio::test]
async fn direct_and_shadow_database_urls_from_the_datasource() {
    let db = TestDb::new().await;
    let shadow = TestDb::new().await;
    let project = project_with(
        "datasource db {\n  provider          = \"postgresql\"\n  url               = env(\"POOLED_URL\")\n  directUrl         = env(\"DIRECT_URL\")\n  shadowDatabaseUrl = env(\"SHADOW_URL\")\n}\n\nmodel Post {\n  id Int @id\n}\n",
    );
    let dir = project.path();
    // The pooled URL points nowhere: migrations must go through the direct one.
    std::fs::write(
        dir.join(".env"),
        format!(
            "POOLED_URL=postgresql://postgres@127.0.0.1:1/pooled\nDIRECT_URL={}\nSHADOW_URL={}\n",
            db.url(),
            shadow.url()
        ),
    )
    .unwrap();
    let o = gen_in(dir, &["migrate", "dev", "--name", "init"]);
    assert_exit(&o, 0);
    assert_eq!(history(&db).await.len(), 1);
    edit(dir, "  id Int @id\n", "  id Int @id\n  title String?\n");
    let o = gen_in(dir, &["migrate", "dev", "--name", "title"]);
    assert_exit(&o, 0);
    assert_eq!(columns(&db, "Post").await, vec!["id", "title"]);
    // The configured shadow database was used: it holds the replayed first migration.
    assert_eq!(columns(&shadow, "Post").await, vec!["id"]);

    std::fs::write(
        dir.join(".env"),
        format!("POOLED_URL=x\nDIRECT_URL={0}\nSHADOW_URL={0}\n", db.url()),
    )
    .unwrap();
    let o = gen_in(dir, &["migrate", "dev", "--name", "again"]);
    assert_exit(&o, 1);
    assert!(
        stderr(&o).contains("is the same as the main database"),
        "{}",
        both(&o)
    );
}

#[tokio::test]
async fn tls_settings_and_certificate_paths_relative_to_the_schema() {
    let server = refract_testdb::TlsServer::start().expect("a TLS server");
    let project = tempfile::tempdir().unwrap();
    let prisma = project.path().join("prisma");
    std::fs::create_dir_all(prisma.join("certs")).unwrap();
    std::fs::write(prisma.join("schema.prisma"), SMALL).unwrap();
    std::fs::copy(server.ca_certificate(), prisma.join("certs/ca.pem")).unwrap();
    // As in Prisma, `sslcert` in .env is relative to the schema's folder, not the
    // working directory (the project root here).
    std::fs::write(
        prisma.join(".env"),
        format!(
            "APP_DATABASE_URL=\"{}?sslmode=verify-full&sslcert=certs/ca.pem\"\n",
            server.url("localhost")
        ),
    )
    .unwrap();
    let o = gen_in(
        project.path(),
        &[
            "migrate",
            "dev",
            "--name",
            "init",
            "--schema",
            "prisma/schema.prisma",
        ],
    );
    assert_exit(&o, 0);
    assert_eq!(migration_folders(&prisma).len(), 1);

    // A certificate for another host name: P1011, with what to do.
    let o = gen_in(
        project.path(),
        &[
            "migrate",
            "status",
            "--schema",
            "prisma/schema.prisma",
            "--url",
            &format!(
                "{}?sslmode=verify-full&sslcert=prisma/certs/ca.pem",
                server.url("127.0.0.1")
            ),
        ],
    );
    assert_exit(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("P1011: Error opening a TLS connection")
            && err.contains("connect by a name it was issued for"),
        "{}",
        both(&o)
    );
}

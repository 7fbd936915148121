//! The commands end to end against real PostgreSQL: dev (create, in sync, change only,
//! drift, edited, consent), deploy (concurrent, failed, resolve), status, reset, diff, push,
//! and the URL's missing `?schema=`, which every command creates.

use std::path::Path;

use chrono::{TimeZone, Utc};
use refract_migrate::commands::{
    self, Config, DevOptions, DevOutcome, DiffOptions, DiffSource, MigrateError, PushOutcome,
    db_push, deploy, dev, diff_command, reset, resolve_applied, resolve_rolled_back, status,
};
use refract_migrate::history;
use refract_migrate::introspect::Namespaces;
use refract_testdb::TestDb;

fn schema(text: &str) -> refract_schema::ir::Schema {
    let validated = refract_schema::validate_str("schema.prisma", text);
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    validated.schema
}

const HEADER: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

fn v1() -> refract_schema::ir::Schema {
    schema(&format!(
        "{HEADER}\nmodel User {{\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}}\n"
    ))
}

fn v2() -> refract_schema::ir::Schema {
    schema(&format!(
        "{HEADER}\nmodel User {{\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n}}\n"
    ))
}

fn options(name: &str, minute: u32) -> DevOptions {
    let mut o = DevOptions::new(name);
    o.now = Utc.with_ymd_and_hms(2026, 1, 2, 3, minute, 0).unwrap();
    o
}

fn folders(dir: &Path) -> Vec<String> {
    refract_testdb::sorted_entries(dir)
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn dev_creates_applies_and_then_writes_only_changes() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));

    let outcome = dev(&config, &v1(), &options("Init", 0)).await.unwrap();
    let DevOutcome::Created {
        folder,
        script,
        applied,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(folder, "20260102030000_init");
    assert_eq!(applied, vec![folder.clone()]);
    insta::assert_snapshot!("dev_init", script);
    assert_eq!(
        folders(&config.migrations_dir),
        ["20260102030000_init", "migration_lock.toml"]
    );
    let lock = std::fs::read_to_string(config.migrations_dir.join("migration_lock.toml")).unwrap();
    assert!(lock.contains("provider = \"postgresql\""));

    let again = dev(&config, &v1(), &options("again", 1)).await.unwrap();
    assert_eq!(again, DevOutcome::AlreadyInSync { applied: vec![] });

    let next = dev(&config, &v2(), &options("add name", 2)).await.unwrap();
    let DevOutcome::Created { folder, script, .. } = next else {
        panic!("{next:?}")
    };
    assert_eq!(folder, "20260102030200_add_name");
    assert_eq!(
        script,
        "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN     \"name\" TEXT;\n"
    );

    let report = status(&config).await.unwrap();
    assert!(report.is_in_sync(), "{report:?}");
    assert_eq!(report.diagnosis.applied.len(), 2);

    // A fresh database gets the same schema from deploy, and shows no difference to it.
    let fresh = TestDb::new().await;
    let deployed = deploy(&Config::new(fresh.url(), &config.migrations_dir))
        .await
        .unwrap();
    assert_eq!(deployed.applied.len(), 2);
    let out = diff_command(
        &DiffSource::Url(fresh.url().to_owned()),
        &DiffSource::Schema(Box::new(v2())),
        &DiffOptions {
            script: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(out.is_empty, "{}", out.text);
    assert_eq!(out.text, "-- This is an empty migration.");

    // The folder replayed in a shadow database matches the schema too; from empty, the
    // summary lists the table.
    let from_folder = diff_command(
        &DiffSource::Migrations(config.migrations_dir.clone()),
        &DiffSource::Schema(Box::new(v2())),
        &DiffOptions {
            script: true,
            shadow_server_url: Some(db.url().to_owned()),
            use_as_shadow: false,
        },
    )
    .await
    .unwrap();
    assert!(from_folder.is_empty, "{}", from_folder.text);
    let summary = diff_command(
        &DiffSource::Empty,
        &DiffSource::Schema(Box::new(v2())),
        &DiffOptions::default(),
    )
    .await
    .unwrap();
    // As Prisma 7.10 prints it.
    assert_eq!(
        summary.text,
        "\n[+] Added Schemas\n  - public\n\n[+] Added tables\n  - User\n\n[*] Changed the `User` table\n  [+] Added unique index on columns (email)\n"
    );

    // db pull of the migrated database reads back as the same schema.
    let pulled = commands::db_pull_over(
        &Config::new(fresh.url(), "unused"),
        None,
        refract_migrate::pull::DEFAULT_PREAMBLE,
        commands::ExistingModels::Keep,
    )
    .await
    .unwrap()
    .text;
    assert!(pulled.contains("model User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n}"), "{pulled}");
}

#[tokio::test]
async fn dev_detects_drift_and_edits_and_asks_consent() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));
    dev(&config, &v2(), &options("init", 0)).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute("INSERT INTO \"User\" (email, name) VALUES ('a@b.c', 'Ann')")
        .await
        .unwrap();

    // Dropping a column loses data: consent first, nothing written.
    let outcome = dev(&config, &v1(), &options("drop name", 1)).await.unwrap();
    let DevOutcome::NeedsConsent { warnings, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        warnings,
        [
            "You are about to drop the column `name` on the `User` table, which still contains 1 non-null values."
        ]
    );
    assert_eq!(folders(&config.migrations_dir).len(), 2);
    let mut consent = options("drop name", 1);
    consent.accept_data_loss = true;
    let outcome = dev(&config, &v1(), &consent).await.unwrap();
    let DevOutcome::Created { script, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        script.starts_with("/*\n  Warnings:\n\n  - You are about to drop the column `name`"),
        "{script}"
    );

    // Drift: a column added by hand is named in the explanation.
    client
        .batch_execute("ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER")
        .await
        .unwrap();
    let outcome = dev(&config, &v1(), &options("x", 2)).await.unwrap();
    let DevOutcome::Drift { summary, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(summary.starts_with("Drift detected"), "{summary}");
    assert!(
        summary.contains("[*] Changed the `User` table\n  [+] Added column `age`"),
        "{summary}"
    );
    client
        .batch_execute("ALTER TABLE \"User\" DROP COLUMN \"age\"")
        .await
        .unwrap();

    // An applied migration edited afterwards.
    let first = config
        .migrations_dir
        .join("20260102030000_init/migration.sql");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&first, format!("{text}\n-- edited\n")).unwrap();
    let outcome = dev(&config, &v1(), &options("x", 3)).await.unwrap();
    assert_eq!(
        outcome,
        DevOutcome::NeedsReset {
            reasons: vec![
                "The migration `20260102030000_init` was modified after it was applied.".into()
            ]
        }
    );
    // CRLF line endings alone are not an edit.
    std::fs::write(&first, text.replace('\n', "\r\n")).unwrap();
    assert_eq!(
        dev(&config, &v1(), &options("x", 3)).await.unwrap(),
        DevOutcome::AlreadyInSync { applied: vec![] }
    );

    // Reset drops everything and reapplies the folder.
    let report = reset(&config, &Namespaces::default()).await.unwrap();
    assert_eq!(report.applied.len(), 2);
    let count: i64 = refract_testdb::one_value(&client, "SELECT COUNT(*) FROM \"User\"", &[]).await;
    assert_eq!(count, 0);
}

/// `tests/migrations/blog`: six migrations, each failing if applied twice or before the
/// ones it builds on.
#[tokio::test]
async fn concurrent_deploys_apply_each_migration_once() {
    let db = TestDb::new().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/migrations/blog");
    let config = Config::new(db.url(), dir);
    let (a, b) = tokio::join!(deploy(&config), deploy(&config));
    let (a, b) = (a.unwrap(), b.unwrap());
    let total = a.applied.len() + b.applied.len();
    assert_eq!(total, 6, "a = {a:?}, b = {b:?}");
    assert!(
        a.applied.is_empty() || b.applied.is_empty(),
        "both deploys applied migrations"
    );
    let client = db.client().await;
    let records = history::list(&client).await.unwrap();
    assert_eq!(records.len(), 6);
    assert!(records.iter().all(|r| r.is_applied() && r.logs.is_none()));
    assert!(status(&config).await.unwrap().is_in_sync());
    // Sorted here: the database's collation may ignore the underscores.
    let mut tables = db.tables_in("public").await.unwrap_or_default();
    tables.sort();
    assert_eq!(
        tables,
        [
            "Comment",
            "Post",
            "Tag",
            "User",
            "_PostToTag",
            "_prisma_migrations"
        ]
    );
}

#[tokio::test]
async fn failed_deploy_is_blocked_until_resolved() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    let write = |name: &str, sql: &str| {
        std::fs::create_dir_all(migrations.join(name)).unwrap();
        std::fs::write(migrations.join(name).join("migration.sql"), sql).unwrap();
    };
    write(
        "1_init",
        "CREATE TABLE \"a\" (\"id\" INTEGER PRIMARY KEY);\n",
    );
    write(
        "2_broken",
        "ALTER TABLE \"a\" ADD COLUMN \"b\" TEXT;\nALTER TABLE \"nope\" ADD COLUMN \"c\" TEXT;\n",
    );
    let config = Config::new(db.url(), &migrations);

    let err = deploy(&config).await.unwrap_err();
    assert!(matches!(err, MigrateError::Apply(_)), "{err}");
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = deploy(&config).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::FailedMigrations(names) if names == &["2_broken"]),
        "{err}"
    );
    let report = status(&config).await.unwrap();
    assert_eq!(report.diagnosis.failed, ["2_broken"]);

    // Fixed by hand, then rolled back and deployed again.
    write("2_broken", "ALTER TABLE \"a\" ADD COLUMN \"b\" TEXT;\n");
    resolve_rolled_back(&config, "2_broken").await.unwrap();
    assert!(matches!(
        resolve_rolled_back(&config, "2_broken").await,
        Err(MigrateError::NotFailed(_))
    ));
    assert_eq!(deploy(&config).await.unwrap().applied, ["2_broken"]);
    assert!(status(&config).await.unwrap().is_in_sync());

    // Baselining: a migration marked applied is not run.
    write("3_manual", "CREATE TABLE \"never\" (\"id\" INTEGER);\n");
    resolve_applied(&config, "3_manual").await.unwrap();
    assert!(matches!(
        resolve_applied(&config, "3_manual").await,
        Err(MigrateError::AlreadyApplied(_))
    ));
    assert!(matches!(
        resolve_applied(&config, "9_missing").await,
        Err(MigrateError::MigrationNotFound(_))
    ));
    assert!(deploy(&config).await.unwrap().applied.is_empty());
    let client = db.client().await;
    let exists: bool =
        refract_testdb::one_value(&client, "SELECT to_regclass('never') IS NOT NULL", &[]).await;
    assert!(!exists);
}

#[tokio::test]
async fn db_push_syncs_and_asks_consent() {
    let db = TestDb::new().await;
    let config = Config::new(db.url(), "unused");
    assert!(matches!(
        db_push(&config, &v2(), false).await.unwrap(),
        PushOutcome::Pushed { .. }
    ));
    assert_eq!(
        db_push(&config, &v2(), false).await.unwrap(),
        PushOutcome::AlreadyInSync
    );
    let client = db.client().await;
    client
        .batch_execute("INSERT INTO \"User\" (email, name) VALUES ('a@b.c', 'Ann')")
        .await
        .unwrap();
    let outcome = db_push(&config, &v1(), false).await.unwrap();
    assert!(
        matches!(outcome, PushOutcome::NeedsConsent { .. }),
        "{outcome:?}"
    );
    assert!(matches!(
        db_push(&config, &v1(), true).await.unwrap(),
        PushOutcome::Pushed { .. }
    ));
    assert!(!history::table_exists(&client).await.unwrap());
}

#[tokio::test]
async fn missing_database_is_created_and_bad_urls_are_explained() {
    let db = TestDb::new().await;
    let url = commands::with_database(db.url(), &format!("{}_new", db.name())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(url.clone(), dir.path().join("migrations"));
    let outcome = dev(&config, &v1(), &options("init", 0)).await.unwrap();
    assert!(matches!(outcome, DevOutcome::Created { .. }));
    let admin = db.client().await;
    admin
        .batch_execute(&format!("DROP DATABASE \"{}_new\" WITH (FORCE)", db.name()))
        .await
        .unwrap();

    let missing = commands::with_database(db.url(), "refract_no_such_db").unwrap();
    let err = status(&Config::new(missing, "unused")).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::DatabaseMissing(ref name) if name == "refract_no_such_db"),
        "{err}"
    );
    let err = status(&Config::new(
        "postgresql://postgres@127.0.0.1:1/x",
        "unused",
    ))
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("P1001"), "{err}");
}

/// Whether the schema exists in the database, and the tables in it.
async fn schema_tables(db: &TestDb, schema: &str) -> (bool, Vec<String>) {
    let tables = db.tables_in(schema).await;
    (tables.is_some(), tables.unwrap_or_default())
}

fn present(tables: &[&str]) -> (bool, Vec<String>) {
    (true, tables.iter().map(|t| (*t).to_owned()).collect())
}

/// Prisma's schema engine creates the URL's `?schema=` on connecting when it is missing, for
/// every command (checked against Prisma 7.10: `migrate dev`, `deploy`, `status`, `reset`,
/// `db push`, `db pull` all leave it behind); the migration it writes does not create it.
#[tokio::test]
async fn missing_url_schema_is_created_by_every_command() {
    let db = TestDb::new().await;
    let in_schema = |schema: &str| format!("{}?schema={schema}", db.url());
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");

    let config = Config::new(in_schema("tenant_dev"), &migrations);
    let outcome = dev(&config, &v1(), &options("init", 0)).await.unwrap();
    let DevOutcome::Created { script, .. } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(!script.contains("CREATE SCHEMA"), "{script}");
    assert_eq!(
        schema_tables(&db, "tenant_dev").await,
        present(&["User", "_prisma_migrations"])
    );

    let config = Config::new(in_schema("tenant_deploy"), &migrations);
    assert_eq!(deploy(&config).await.unwrap().applied.len(), 1);
    assert_eq!(
        schema_tables(&db, "tenant_deploy").await,
        present(&["User", "_prisma_migrations"])
    );

    // Read-only, yet Prisma creates it too.
    let config = Config::new(in_schema("tenant_status"), &migrations);
    let report = status(&config).await.unwrap();
    assert_eq!(report.diagnosis.pending.len(), 1);
    assert_eq!(schema_tables(&db, "tenant_status").await, present(&[]));

    let config = Config::new(in_schema("tenant_reset"), &migrations);
    let namespaces = Namespaces::Single("tenant_reset".to_owned());
    assert_eq!(reset(&config, &namespaces).await.unwrap().applied.len(), 1);
    assert_eq!(
        schema_tables(&db, "tenant_reset").await,
        present(&["User", "_prisma_migrations"])
    );

    // The schema exists before the diff, so it is not a change db push reports.
    let config = Config::new(in_schema("tenant_push"), "unused");
    let outcome = db_push(&config, &v1(), false).await.unwrap();
    let PushOutcome::Pushed { summary } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(!summary.contains("Schemas"), "{summary}");
    assert_eq!(schema_tables(&db, "tenant_push").await, present(&["User"]));

    // A name that needs quoting.
    let config = Config::new(in_schema("Tenant%20%22Q%22"), &migrations);
    assert_eq!(deploy(&config).await.unwrap().applied.len(), 1);
    assert_eq!(
        schema_tables(&db, "Tenant \"Q\"").await,
        present(&["User", "_prisma_migrations"])
    );
}

async fn has_table(url: &str, schema: &str, table: &str) -> bool {
    let Ok(client) = commands::connect(url).await else {
        return false;
    };
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2)",
            &[&schema, &table],
        )
        .await
        .is_ok_and(|row| row.get(0))
}

/// A missing database is created with the URL's schema in it, and the admin connection
/// that creates it (to `postgres`) does not get that schema.
#[tokio::test]
async fn new_database_gets_the_url_schema_and_the_admin_database_does_not() {
    let db = TestDb::new().await;
    let name = format!("{}_new", db.name());
    let schema = format!("{}_tenant", db.name());
    let url = format!(
        "{}?schema={schema}",
        commands::with_database(db.url(), &name).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(url.clone(), dir.path().join("migrations"));
    let outcome = dev(&config, &v1(), &options("init", 0)).await;
    let in_new = has_table(&url, &schema, "User").await;
    let admin = commands::connect(&commands::with_database(db.url(), "postgres").unwrap())
        .await
        .unwrap();
    let in_admin: bool = refract_testdb::one_value(
        &admin,
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
        &[&schema],
    )
    .await;
    admin
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
    assert!(
        matches!(outcome, Ok(DevOutcome::Created { .. })),
        "{outcome:?}"
    );
    assert!(in_new, "no table in `{schema}` of the new database");
    assert!(
        !in_admin,
        "schema `{schema}` created in the `postgres` database"
    );
}

//! The history tells the truth (issue 15): a migration recorded as applied ran in the one
//! transaction planned from it (or statement by statement), and one that cannot run as
//! planned is refused before anything of it (or of the migrations after it) runs. Against
//! real PostgreSQL: a script's own `ROLLBACK`, a table
//! whose quoted name contains `Concurrently`, `CREATE INDEX CONCURRENTLY` mixed with other
//! statements and alone, `reset` refusing before it drops anything, routine bodies whose
//! semicolons do not end the statement, migration folders whose names are not UTF-8,
//! concurrent creation of a missing database, and the URLs migrate accepts
//! (`pgbouncer=true` or `1` refused, every Prisma parameter the runtime accepts taken), and
//! a shadow replay planned for the target's version.

use std::path::PathBuf;

use refract_migrate::commands::{
    self, Config, DevOptions, MigrateError, deploy, dev, resolve_applied, status,
};
use refract_migrate::history;
use refract_testdb::TestDb;

/// A `migrations/` folder in a fresh temporary directory.
struct Folder {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Folder {
    fn new() -> Folder {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("migrations");
        std::fs::create_dir_all(&path).expect("migrations folder");
        Folder { _dir: dir, path }
    }

    fn write(&self, name: &str, sql: &str) -> &Folder {
        let folder = self.path.join(name);
        std::fs::create_dir_all(&folder).expect("migration folder");
        std::fs::write(folder.join("migration.sql"), sql).expect("migration.sql");
        self
    }
}

/// Whether `table` exists in the test database's `public` schema.
async fn exists(db: &TestDb, relation: &str) -> bool {
    db.client()
        .await
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&relation])
        .await
        .expect("to_regclass")
        .get(0)
}

/// The history rows as (name, applied, failed).
async fn rows(db: &TestDb) -> Vec<(String, bool, bool)> {
    history::list(&db.client().await)
        .await
        .expect("history")
        .into_iter()
        .map(|r| (r.migration_name.clone(), r.is_applied(), r.is_failed()))
        .collect()
}

/// `BEGIN; CREATE T1; COMMIT; BEGIN; CREATE T2; ROLLBACK; CREATE T3;` used to roll back the
/// wrapper transaction (T1 lost), run T3 in autocommit and record the migration applied. It
/// is refused now, before anything runs: neither it nor the migration before it is applied,
/// and nothing is recorded, so fixing the file and deploying again just works.
#[tokio::test]
async fn script_rollback_is_refused_before_anything_runs() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder
        .write("1_ok", "CREATE TABLE \"t0\" (\"id\" INTEGER);\n")
        .write(
            "2_rollback",
            "BEGIN;\nCREATE TABLE \"t1\" (\"id\" INTEGER);\nCOMMIT;\n\
             BEGIN;\nCREATE TABLE \"t2\" (\"id\" INTEGER);\nROLLBACK;\n\
             CREATE TABLE \"t3\" (\"id\" INTEGER);\n",
        );
    let config = Config::new(db.url(), &folder.path);

    let err = deploy(&config).await.unwrap_err();
    let MigrateError::Refused(refusal) = &err else {
        panic!("expected a refusal, got: {err}");
    };
    assert_eq!(refusal.migration, "2_rollback");
    assert_eq!(refusal.line, 6);
    let text = err.to_string();
    assert!(text.contains("`ROLLBACK`"), "{text}");
    assert!(text.contains("nothing of it ran"), "{text}");
    for table in ["t0", "t1", "t2", "t3"] {
        assert!(!exists(&db, table).await, "{table} exists after a refusal");
    }
    assert_eq!(rows(&db).await, []);
    assert_eq!(status(&config).await.unwrap().diagnosis.pending.len(), 2);

    // Fixed as the refusal advises (the rolled-back block removed): both apply.
    folder.write(
        "2_rollback",
        "BEGIN;\nCREATE TABLE \"t1\" (\"id\" INTEGER);\nCOMMIT;\nCREATE TABLE \"t3\" (\"id\" INTEGER);\n",
    );
    assert_eq!(
        deploy(&config).await.unwrap().applied,
        ["1_ok", "2_rollback"]
    );
    for (table, expected) in [("t0", true), ("t1", true), ("t2", false), ("t3", true)] {
        assert_eq!(exists(&db, table).await, expected, "{table}");
    }
}

/// Transaction control the migration's transaction can honour runs as written: the script's
/// `BEGIN ... COMMIT` blocks (as Prisma's enum recreation writes them) and savepoints. A
/// failure after a block undoes the block too and records the migration failed: the history
/// never says applied for something half done.
#[tokio::test]
async fn script_blocks_and_savepoints_run_inside_the_migration_transaction() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write(
        "1_blocks",
        "BEGIN;\nCREATE TABLE \"a\" (\"id\" INTEGER);\nSAVEPOINT before_b;\n\
         CREATE TABLE \"b\" (\"id\" INTEGER);\nROLLBACK TO SAVEPOINT before_b;\nCOMMIT;\n\
         START TRANSACTION;\nCREATE TABLE \"c\" (\"id\" INTEGER);\nEND;\n",
    );
    let config = Config::new(db.url(), &folder.path);
    assert_eq!(deploy(&config).await.unwrap().applied, ["1_blocks"]);
    for (table, expected) in [("a", true), ("b", false), ("c", true)] {
        assert_eq!(exists(&db, table).await, expected, "{table}");
    }

    folder.write(
        "2_fails_after_a_block",
        "BEGIN;\nCREATE TABLE \"d\" (\"id\" INTEGER);\nCOMMIT;\nCREATE TABLE \"e\" (\"x\" NOSUCHTYPE);\n",
    );
    let err = deploy(&config).await.unwrap_err();
    assert!(matches!(err, MigrateError::Apply(_)), "{err}");
    assert!(
        !exists(&db, "d").await,
        "the block before the failure stayed"
    );
    assert_eq!(
        status(&config).await.unwrap().diagnosis.failed,
        ["2_fails_after_a_block"]
    );
}

/// A quoted table name containing `Concurrently` used to turn the migration's transaction
/// off (a substring test on the first words), so a later failure left the table behind
/// while the migration was recorded failed. It keeps its transaction now.
#[tokio::test]
async fn quoted_name_containing_concurrently_keeps_the_transaction() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write(
        "1_docs",
        "-- CreateTable\nCREATE TABLE \"ConcurrentlyEditedDoc\" (\"id\" INTEGER);\n\n\
         -- CreateTable\nCREATE TABLE \"broken\" (\"x\" NOSUCHTYPE);\n",
    );
    let config = Config::new(db.url(), &folder.path);
    let err = deploy(&config).await.unwrap_err();
    assert!(matches!(err, MigrateError::Apply(_)), "{err}");
    assert!(
        !exists(&db, "\"ConcurrentlyEditedDoc\"").await,
        "the statement before the failure was committed"
    );
    assert_eq!(rows(&db).await, [("1_docs".to_owned(), false, true)]);
}

/// `CREATE INDEX CONCURRENTLY` mixed with other statements used to run the whole migration
/// without a transaction, so a failure half applied it. It is refused now, before anything
/// runs, with the advice to give the index a migration of its own.
#[tokio::test]
async fn concurrent_index_mixed_with_other_statements_is_refused() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write(
        "1_mixed",
        "CREATE TABLE \"t\" (\"x\" INTEGER);\nCREATE INDEX CONCURRENTLY \"t_x_idx\" ON \"nope\" (\"x\");\n",
    );
    let config = Config::new(db.url(), &folder.path);
    let err = deploy(&config).await.unwrap_err();
    let MigrateError::Refused(refusal) = &err else {
        panic!("expected a refusal, got: {err}");
    };
    assert_eq!(refusal.line, 2);
    let text = err.to_string();
    assert!(text.contains("CREATE INDEX CONCURRENTLY"), "{text}");
    assert!(text.contains("into a migration of its own"), "{text}");
    assert!(!exists(&db, "t").await, "the table was created");
    assert_eq!(rows(&db).await, []);

    // Split as advised: the table in one migration, the index alone in the next.
    std::fs::remove_dir_all(folder.path.join("1_mixed")).unwrap();
    folder
        .write("1_table", "CREATE TABLE \"t\" (\"x\" INTEGER);\n")
        .write(
            "2_index",
            "-- CreateIndex\nCREATE INDEX CONCURRENTLY \"t_x_idx\" ON \"t\" (\"x\");\n",
        );
    assert_eq!(
        deploy(&config).await.unwrap().applied,
        ["1_table", "2_index"]
    );
    assert!(exists(&db, "t_x_idx").await);
}

/// A migration holding only statements PostgreSQL refuses in a transaction runs them one at
/// a time without one; when one fails, what ran stays and the migration is recorded failed
/// (as Prisma does), so `status` and `deploy` say so instead of "up to date".
#[tokio::test]
async fn concurrent_only_migration_runs_statement_by_statement_with_failure_recorded() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder
        .write(
            "1_table",
            "CREATE TABLE \"t\" (\"x\" INTEGER, \"y\" INTEGER);\n",
        )
        .write(
            "2_indexes",
            "SET lock_timeout = '10s';\n\
             CREATE INDEX CONCURRENTLY \"t_x_idx\" ON \"t\" (\"x\");\n\
             CREATE INDEX CONCURRENTLY \"t_z_idx\" ON \"t\" (\"z\");\n",
        );
    let config = Config::new(db.url(), &folder.path);
    let err = deploy(&config).await.unwrap_err();
    let MigrateError::Apply(apply) = &err else {
        panic!("expected a failed statement, got: {err}");
    };
    assert!(apply.to_string().contains("line 3"), "{apply}");
    assert!(
        exists(&db, "t_x_idx").await,
        "the first index was not built"
    );
    assert_eq!(
        rows(&db).await,
        [
            ("1_table".to_owned(), true, false),
            ("2_indexes".to_owned(), false, true)
        ]
    );
    assert_eq!(
        status(&config).await.unwrap().diagnosis.failed,
        ["2_indexes"]
    );
    assert!(matches!(
        deploy(&config).await,
        Err(MigrateError::FailedMigrations(_))
    ));
}

/// A migration folder whose name is not valid UTF-8 used to be skipped: deploy said "no
/// pending migrations", status "up to date", and its SQL never ran. Every command that reads
/// the folder fails now, naming it.
#[tokio::test]
async fn non_utf8_migration_folder_is_an_error_naming_it() {
    use std::os::unix::ffi::OsStrExt;

    let db = TestDb::new().await;
    let folder = Folder::new();
    let name = std::ffi::OsStr::from_bytes(b"20240101000000_caf\xe9");
    std::fs::create_dir(folder.path.join(name)).unwrap();
    std::fs::write(
        folder.path.join(name).join("migration.sql"),
        "CREATE TABLE \"cafe\" (\"id\" INTEGER);\n",
    )
    .unwrap();
    let config = Config::new(db.url(), &folder.path);
    let check = |what: &str, err: MigrateError| {
        let text = err.to_string();
        assert!(
            matches!(&err, MigrateError::NonUtf8MigrationName(path) if path.file_name() == Some(name)),
            "{what}: {text}"
        );
        assert!(
            text.contains("20240101000000_caf\u{FFFD}"),
            "{what}: {text}"
        );
        assert!(text.contains("Rename it"), "{what}: {text}");
    };
    check("deploy", deploy(&config).await.unwrap_err());
    check("status", status(&config).await.unwrap_err());
    check(
        "resolve",
        resolve_applied(&config, "20240101000000_caf")
            .await
            .unwrap_err(),
    );
    let schema = refract_schema::validate_str(
        "schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    assert!(schema.is_valid(), "{:?}", schema.diagnostics);
    check(
        "dev",
        dev(&config, &schema.schema, &DevOptions::new("next"))
            .await
            .unwrap_err(),
    );
    assert!(!exists(&db, "cafe").await);
}

/// Several `migrate deploy` at once on a database that does not exist yet (replicas starting
/// together) used to fail all but one with a raw duplicate-key error from `CREATE DATABASE`.
/// Losing that race is not an error now: every deploy succeeds, the migration applies once.
#[tokio::test]
async fn concurrent_deploys_create_a_missing_database_once() {
    let db = TestDb::new().await;
    let name = format!("{}_race", db.name());
    let url = format!(
        "{}?schema=race_app",
        commands::with_database(db.url(), &name).unwrap()
    );
    let folder = Folder::new();
    folder.write("1_init", "CREATE TABLE \"t\" (\"id\" INTEGER);\n");
    let config = Config::new(url.clone(), &folder.path);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let config = config.clone();
            tokio::spawn(async move { deploy(&config).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("deploy task"));
    }
    let applied_rows = match commands::connect(&url).await {
        Ok(client) => history::list(&client).await.map(|r| r.len()),
        Err(e) => panic!("the database was not created: {e}"),
    };
    let admin = db.client().await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
    let mut applied = 0;
    for result in results {
        match result {
            Ok(report) => applied += report.applied.len(),
            Err(e) => panic!("a concurrent deploy failed: {e}"),
        }
    }
    assert_eq!(applied, 1);
    assert_eq!(applied_rows.unwrap(), 1);
}

/// A URL with `pgbouncer=true` goes through a transaction-mode pooler, which breaks the
/// advisory lock and multi-statement scripts: refused with the advice to set `directUrl`,
/// before connecting.
#[tokio::test]
async fn pgbouncer_url_is_refused_with_direct_url_advice() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write("1_init", "CREATE TABLE \"t\" (\"id\" INTEGER);\n");
    // `1` is `true` to the runtime (refract-tls's one reading), so here too.
    for value in ["true", "1"] {
        let config = Config::new(format!("{}?pgbouncer={value}", db.url()), &folder.path);
        for (what, result) in [
            ("deploy", deploy(&config).await.map(drop)),
            ("status", status(&config).await.map(drop)),
        ] {
            let err = result.unwrap_err();
            assert!(
                matches!(err, MigrateError::PoolerUrl),
                "{what} {value}: {err}"
            );
            assert!(err.to_string().contains("directUrl"), "{what}: {err}");
        }
    }
    assert!(!exists(&db, "t").await);
    assert!(!history::table_exists(&db.client().await).await.unwrap());

    // A value the runtime refuses is refused here too, before connecting.
    let config = Config::new(format!("{}?pgbouncer=yes", db.url()), &folder.path);
    let err = deploy(&config).await.unwrap_err();
    assert!(matches!(err, MigrateError::UrlParameter(_)), "{err}");

    // `pgbouncer=false` is a direct connection.
    let config = Config::new(format!("{}?pgbouncer=false", db.url()), &folder.path);
    assert_eq!(deploy(&config).await.unwrap().applied, ["1_init"]);
}

/// Every Prisma URL parameter refract-runtime accepts is accepted by migrate too; it used to
/// pass `max_connection_lifetime` and `max_idle_connection_lifetime` on to tokio-postgres,
/// which rejects options it does not know.
#[tokio::test]
async fn every_runtime_url_parameter_is_accepted() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write("1_init", "CREATE TABLE \"t\" (\"id\" INTEGER);\n");
    let url = format!(
        "{}?schema=public&connection_limit=3&pool_timeout=10&connect_timeout=5&socket_timeout=30\
         &pgbouncer=false&statement_cache_size=0&max_connection_lifetime=60&max_idle_connection_lifetime=30",
        db.url()
    );
    let config = Config::new(url, &folder.path);
    assert_eq!(deploy(&config).await.unwrap().applied, ["1_init"]);
    assert!(status(&config).await.unwrap().is_in_sync());
}

/// `migrate reset` plans every migration before dropping anything: a folder holding a
/// migration that would be refused leaves the database and its data as they were.
#[tokio::test]
async fn reset_refuses_before_dropping_anything() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write("1_ok", "CREATE TABLE \"t0\" (\"id\" INTEGER);\n");
    let config = Config::new(db.url(), &folder.path);
    deploy(&config).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute("INSERT INTO \"t0\" VALUES (1)")
        .await
        .unwrap();

    folder.write(
        "2_stray_commit",
        "CREATE TABLE \"t1\" (\"id\" INTEGER);\nCOMMIT;\nCREATE TABLE \"t2\" (\"id\" INTEGER);\n",
    );
    let namespaces = refract_migrate::introspect::Namespaces::default();
    let err = commands::reset(&config, &namespaces).await.unwrap_err();
    assert!(matches!(err, MigrateError::Refused(_)), "{err}");
    assert!(err.to_string().contains("did not begin"), "{err}");
    let rows: i64 = refract_testdb::one_value(&client, "SELECT count(*) FROM \"t0\"", &[]).await;
    assert_eq!(rows, 1, "reset dropped the data before refusing");
}

/// A SQL-standard routine body (`BEGIN ATOMIC ... END`, PostgreSQL 14) holds semicolons
/// that do not end the statement, as psql knows; it used to be cut at the first one.
#[tokio::test]
async fn sql_standard_routine_body_applies_as_one_statement() {
    let db = TestDb::new().await;
    let folder = Folder::new();
    folder.write(
        "1_function",
        "CREATE TABLE \"log\" (\"x\" INTEGER);\nCREATE TABLE \"audit\" (\"x\" INTEGER);\n\n\
         CREATE FUNCTION \"two\"() RETURNS INTEGER LANGUAGE sql\nBEGIN ATOMIC\n  \
         SELECT CASE WHEN true THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\n\n\
         CREATE RULE \"log_twice\" AS ON INSERT TO \"log\" WHERE NEW.\"x\" > 0\n  \
         DO ALSO (INSERT INTO \"audit\" VALUES (-1); INSERT INTO \"audit\" VALUES (-2));\n",
    );
    let config = Config::new(db.url(), &folder.path);
    assert_eq!(deploy(&config).await.unwrap().applied, ["1_function"]);
    let client = db.client().await;
    let two: i32 = refract_testdb::one_value(&client, "SELECT \"two\"()", &[]).await;
    assert_eq!(two, 2);
    client
        .batch_execute("INSERT INTO \"log\" VALUES (1)")
        .await
        .unwrap();
    let logged: i64 =
        refract_testdb::one_value(&client, "SELECT count(*) FROM \"audit\"", &[]).await;
    assert_eq!(logged, 2);
}

/// A shadow replay plans a script for the version of the database it is applied to
/// (`run_script_for`), not for the shadow server's own: planned for PostgreSQL 11, a
/// script mixing `ALTER TYPE ... ADD VALUE` with other statements is refused on a current
/// server too, before anything of it runs, as applying it to an 11 would refuse it.
#[tokio::test]
async fn a_replay_plans_for_the_target_version() {
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let script = "CREATE TYPE \"Mood\" AS ENUM ('sad');\nALTER TYPE \"Mood\" ADD VALUE 'happy';\n";
    let err = refract_migrate::apply::run_script_for(&mut client, "m", script, 110_000)
        .await
        .unwrap_err();
    assert!(
        matches!(err, refract_migrate::apply::ApplyError::Refused(_)),
        "{err}"
    );
    let types: i64 = refract_testdb::one_value(
        &client,
        "SELECT COUNT(*) FROM pg_type WHERE typname = 'Mood'",
        &[],
    )
    .await;
    assert_eq!(types, 0);
    // Planned for the server it runs on (12 or later), the same script runs.
    refract_migrate::apply::run_script(&mut client, "m", script)
        .await
        .unwrap();
}

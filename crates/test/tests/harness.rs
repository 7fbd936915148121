//! The attribute on this workspace's root schema: every test gets its own migrated
//! database (rows of one never show in another), fixtures and a seed run first, and a
//! `TestDatabase` argument names its database.

use refract_runtime::Client;

async fn count(db: &Client, table: &str) -> i64 {
    let rows = db
        .query_raw(&format!("SELECT count(*) FROM \"{table}\""), &[])
        .await
        .expect("count");
    rows[0].get(0)
}

#[refract_test::test(migrations = "../../migrations")]
async fn each_test_starts_empty_and_migrated(db: Client) {
    assert_eq!(count(&db, "Tenant").await, 0);
    db.execute_raw(
        "INSERT INTO \"Tenant\" (id, name, \"updatedAt\") VALUES ('t1', 'Acme', now())",
        &[],
    )
    .await
    .expect("insert");
    assert_eq!(count(&db, "Tenant").await, 1);
    assert_eq!(count(&db, "_prisma_migrations").await, root_migrations());
}

/// How many migrations the root `migrations/` folder holds.
fn root_migrations() -> i64 {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    std::fs::read_dir(root)
        .expect("the root migrations")
        .flatten()
        .filter(|entry| entry.path().join("migration.sql").is_file())
        .count() as i64
}

#[refract_test::test(migrations = "../../migrations", fixtures("tests/fixtures/tenants.sql"), seed = seed)]
async fn fixtures_then_the_seed_run_first(db: refract_test::TestDatabase) -> Result<(), String> {
    assert!(db.name().starts_with("t_fixtures_then_the_seed_run_first_"));
    let tenants = count(db.client(), "Tenant").await;
    if tenants == 3 {
        Ok(())
    } else {
        Err(format!("{tenants} tenants, expected 2 + 1"))
    }
}

async fn seed(db: Client) -> Result<(), refract_runtime::Error> {
    db.execute_raw(
        "INSERT INTO \"Tenant\" (id, name, \"updatedAt\") VALUES ('seeded', 'Seeded', now())",
        &[],
    )
    .await
    .map(|_| ())
}

/// The schema is found from the crate's folder upwards (the workspace root's here).
#[refract_test::test]
async fn the_migrations_are_found_from_the_crate_upwards(db: Client) {
    assert_eq!(count(&db, "User").await, 0);
}

static KEPT: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);

/// A failing test keeps its database (its name is printed for inspection); this drives
/// the harness directly to see the panic from outside.
#[test]
fn a_failing_test_keeps_its_database() {
    let failed = std::panic::catch_unwind(|| {
        refract_test::__private::run(
            refract_test::__private::Options {
                test: "harness::failing_on_purpose",
                manifest_dir: env!("CARGO_MANIFEST_DIR"),
                migrations: Some("../../migrations"),
                fixtures: &[],
                seed: None,
                worker_threads: None,
            },
            |db: refract_test::TestDatabase| async move {
                *KEPT.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((db.name().to_owned(), db.url().to_owned()));
                assert_eq!(1 + 1, 3, "failing on purpose");
            },
        )
    });
    assert!(failed.is_err(), "the test's panic goes on");
    let (name, url) = KEPT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .expect("the body ran");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let db = Client::new(&url).expect("client");
        assert_eq!(
            count(&db, "_prisma_migrations").await,
            root_migrations(),
            "{name} is still there"
        );
        let admin = Client::new(&url.replace(&format!("/{name}"), "/postgres")).expect("admin");
        drop(db);
        admin
            .execute_raw(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"), &[])
            .await
            .expect("drop the kept database");
    });
}

/// The private server trusts every connection, so no other OS user may reach it: it
/// listens on no TCP port, only on a unix socket in its own 0700 folder, and the URLs the
/// harness hands out name that socket. (On a `DATABASE_URL` server there is nothing of the
/// harness's to check.)
#[refract_test::test(migrations = "../../migrations")]
async fn the_private_server_is_reachable_only_through_a_private_socket(
    db: refract_test::TestDatabase,
) {
    if std::env::var("DATABASE_URL").is_ok_and(|url| !url.trim().is_empty()) {
        return;
    }
    assert!(!db.url().contains("127.0.0.1"), "{}", db.url());
    let client = db.client();
    let row = |sql: &'static str| async move {
        let rows = client.query_raw(sql, &[]).await.expect(sql);
        rows[0].get::<_, String>(0)
    };
    assert_eq!(row("SHOW listen_addresses").await, "");
    let socket_dir = row("SHOW unix_socket_directories").await;
    let mode = std::fs::metadata(&socket_dir)
        .expect("socket folder")
        .permissions();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.mode() & 0o777, 0o700, "{socket_dir}");
}

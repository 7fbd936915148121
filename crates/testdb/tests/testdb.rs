//! Database tests of the harness itself: isolation between databases, cleanup on drop,
//! the blocking variant and the admin URL.

use refract_testdb::TestDb;

async fn database_exists(admin: &tokio_postgres::Client, name: &str) -> bool {
    let row = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();
    row.get::<_, i64>(0) == 1
}

async fn admin_client() -> tokio_postgres::Client {
    let url = tokio::task::spawn_blocking(refract_testdb::server_url)
        .await
        .unwrap()
        .unwrap();
    refract_testdb::connect(&url).await
}

#[tokio::test]
async fn databases_are_isolated_and_dropped() {
    let first = TestDb::new().await;
    let second = TestDb::new().await;
    assert_ne!(first.url(), second.url());

    let a = first.client().await;
    let b = second.client().await;
    a.batch_execute("CREATE TABLE item (id INT PRIMARY KEY); INSERT INTO item VALUES (1), (2)")
        .await
        .unwrap();
    let count: i64 = refract_testdb::one_value(&a, "SELECT count(*) FROM item", &[]).await;
    assert_eq!(count, 2);
    let missing = b.query("SELECT * FROM item", &[]).await.unwrap_err();
    assert_eq!(
        missing.code(),
        Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE)
    );

    let admin = admin_client().await;
    let first_name = first.name().to_owned();
    assert!(database_exists(&admin, &first_name).await);
    // Dropped although `a` still holds a connection to it (WITH (FORCE)).
    drop(first);
    assert!(!database_exists(&admin, &first_name).await);
    assert!(a.query("SELECT 1", &[]).await.is_err());
    assert!(database_exists(&admin, second.name()).await);
}

#[test]
fn blocking_variant_works_without_a_runtime() {
    let db = TestDb::new_blocking();
    let name = db.name().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = db.client().await;
        let one: i32 = refract_testdb::one_value(&client, "SELECT 1", &[]).await;
        assert_eq!(one, 1);
    });
    drop(db);
    runtime.block_on(async {
        let admin = admin_client().await;
        assert!(!database_exists(&admin, &name).await);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_databases_in_parallel() {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            tokio::spawn(async move {
                let db = TestDb::new().await;
                let client = db.client().await;
                client
                    .batch_execute(&format!("CREATE TABLE t{i} (id INT)"))
                    .await
                    .unwrap();
                db.name().to_owned()
            })
        })
        .collect();
    let mut names = Vec::new();
    for task in tasks {
        names.push(task.await.unwrap());
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 8);
}

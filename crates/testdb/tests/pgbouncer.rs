//! Database tests of [`PgBouncer`]: it forwards every database of the test server, runs in
//! transaction mode with a server pool smaller than the clients, and is gone once dropped.

use refract_testdb::{PGBOUNCER_SERVER_POOL_SIZE, PgBouncer, TestDb, connect};

/// The first column of the first row of a simple query (the console speaks only the simple
/// protocol).
async fn setting(client: &tokio_postgres::Client, sql: &str, key: &str) -> String {
    let messages = client.simple_query(sql).await.unwrap();
    messages
        .iter()
        .find_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) if row.get(0) == Some(key) => {
                row.get(1).map(str::to_owned)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no `{key}` in {sql}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_in_transaction_mode_and_stops_on_drop() {
    let db = TestDb::new().await;
    let bouncer = PgBouncer::start(db.url()).unwrap();
    let port = bouncer.port();

    let client = connect(&bouncer.url(db.name())).await;
    let rows = client
        .simple_query("SELECT current_database()")
        .await
        .unwrap();
    let name = rows.iter().find_map(|message| match message {
        tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    });
    assert_eq!(name.as_deref(), Some(db.name()));

    let console = connect(&bouncer.url("pgbouncer")).await;
    assert_eq!(
        setting(&console, "SHOW CONFIG", "pool_mode").await,
        "transaction"
    );
    assert_eq!(
        setting(&console, "SHOW CONFIG", "default_pool_size").await,
        PGBOUNCER_SERVER_POOL_SIZE.to_string()
    );

    drop((client, console));
    drop(bouncer);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

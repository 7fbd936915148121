//! The runtime under real operations: a column type changed under running services (every
//! pooled connection recovers from `0A000 cached plan must not change result type`), the
//! per-connection statement cache bound (`statement_cache_size`), a stalled server
//! (`socket_timeout`), and Prisma's interactive-transaction defaults (`timeout`, `maxWait`).

use std::sync::Arc;
use std::time::Duration;

use refract_runtime::{Client, Error, TransactionOptions};
use tokio::sync::Barrier;

use crate::support::{Setup, seed_users, setup_with};
use runtime_tests_client::Models;
use runtime_tests_client::user::{self, ID, NAME};

const POOL: usize = 4;

/// Runs `find_many` on every connection of the pool at once: each of `POOL` transactions
/// holds its own connection until all have run the statement.
async fn on_every_connection(client: &Client) -> Vec<Result<usize, Error>> {
    let barrier = Arc::new(Barrier::new(POOL));
    let tasks: Vec<_> = (0..POOL)
        .map(|_| {
            let client = client.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                client
                    .transaction_with(under_load(), |tx| async move {
                        let found = tx.user().find_many().order_by(ID.asc()).await?;
                        barrier.wait().await;
                        Ok::<_, Error>(found.len())
                    })
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("the task does not panic"));
    }
    results
}

/// Transactions of tests that keep more tasks busy than the pool has connections, on two
/// cores: the defaults' `max_wait` (2 s) is not what they test.
fn under_load() -> TransactionOptions {
    TransactionOptions::default()
        .max_wait(Duration::from_secs(60))
        .timeout(Duration::from_secs(60))
}

async fn pooled(connections: usize) -> Setup {
    setup_with(|config| config.max_connections(connections)).await
}

async fn alter_name_type(s: &Setup, ty: &str) {
    refract_testdb::connect(s.client_url())
        .await
        .batch_execute(&format!(
            r#"ALTER TABLE "User" ALTER COLUMN "name" TYPE {ty}"#
        ))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_column_type_change_does_not_take_the_pool_down() {
    let s = pooled(POOL).await;
    seed_users(&s.client, 3).await;
    // Warm: every connection has prepared and cached the statement.
    for result in on_every_connection(&s.client).await {
        assert_eq!(result.unwrap(), 3);
    }
    assert_eq!(s.client.pool_status().0, POOL);

    alter_name_type(&s, "VARCHAR(200)").await;

    // Outside transactions: every call succeeds, on whichever connection it gets.
    let calls: Vec<_> = (0..3 * POOL)
        .map(|_| {
            let client = s.client.clone();
            tokio::spawn(async move { client.user().find_many().order_by(ID.asc()).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().len(), 3);
    }
    // As the first statement of a transaction, on every connection at once.
    alter_name_type(&s, "TEXT").await;
    for result in on_every_connection(&s.client).await {
        assert_eq!(result.unwrap(), 3);
    }
    // Raw queries are cached the same way and recover the same way.
    let sql = r#"SELECT "name" FROM "User" ORDER BY "id""#;
    s.client.query_raw(sql, &[]).await.unwrap();
    alter_name_type(&s, "VARCHAR(100)").await;
    assert_eq!(s.client.query_raw(sql, &[]).await.unwrap().len(), 3);
    assert_eq!(s.client.pool_status().0, POOL);
}

/// One service request: a read, a raw read, and a transaction that reads then writes.
async fn service_request(client: &Client, i: usize) -> Result<(), Error> {
    client.user().find_many().order_by(ID.asc()).await?;
    client
        .query_raw(r#"SELECT "id", "name" FROM "User" ORDER BY "id""#, &[])
        .await?;
    client
        .transaction_with(under_load(), |tx| async move {
            let users = tx.user().find_many().order_by(ID.asc()).await?;
            let first = users.first().map_or(0, |user| user.id);
            tx.user()
                .update(user::id(first), [NAME.set(format!("request {i}"))])
                .await
        })
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_column_type_change_under_a_running_workload_fails_no_request() {
    let s = pooled(POOL).await;
    seed_users(&s.client, 3).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..2 * POOL)
        .map(|w| {
            let client = s.client.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut done = 0;
                // At least a few requests after the last change, however the tasks are
                // scheduled.
                while !stop.load(std::sync::atomic::Ordering::Acquire) || done < 3 {
                    service_request(&client, w * 1000 + done).await?;
                    done += 1;
                }
                Ok::<_, Error>(done)
            })
        })
        .collect();
    // Let every connection warm up, then change the column's type twice under the load.
    for result in on_every_connection(&s.client).await {
        result.unwrap();
    }
    alter_name_type(&s, "VARCHAR(200)").await;
    for result in on_every_connection(&s.client).await {
        result.unwrap();
    }
    alter_name_type(&s, "TEXT").await;
    stop.store(true, std::sync::atomic::Ordering::Release);
    for worker in workers {
        assert!(worker.await.unwrap().unwrap() >= 3);
    }
}

#[tokio::test]
async fn inside_a_transaction_a_stale_statement_is_a_typed_error_and_the_next_call_succeeds() {
    let s = pooled(1).await;
    seed_users(&s.client, 2).await;
    s.client.user().find_many().await.unwrap();
    alter_name_type(&s, "VARCHAR(200)").await;

    let outcome = s
        .client
        .transaction(|tx| async move {
            // Not the first statement: the transaction cannot be restarted under it.
            tx.execute_raw("SELECT 1", &[]).await?;
            tx.user().find_many().await
        })
        .await;
    let error = outcome.unwrap_err();
    assert!(
        matches!(error, Error::StatementInvalidated { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("retry the transaction"),
        "{error}"
    );

    // The cache was cleared: the same transaction now succeeds, and so does the pool.
    let found = s
        .client
        .transaction(|tx| async move {
            tx.execute_raw("SELECT 1", &[]).await?;
            tx.user().find_many().await
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
}

/// Named statements the server holds for the pool's only connection.
async fn prepared_on_server(client: &Client) -> i64 {
    let rows = client
        .query_raw("SELECT count(*) FROM pg_prepared_statements", &[])
        .await
        .unwrap();
    rows[0].get(0)
}

async fn distinct_statements(client: &Client, n: i32) {
    for i in 0..n {
        client
            .query_raw(&format!("SELECT {i} + $1::int"), &[&i])
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn statement_cache_size_bounds_the_cache_and_zero_turns_it_off() {
    // Unbounded (the default): every statement stays prepared (plus the count itself).
    let s = pooled(1).await;
    distinct_statements(&s.client, 6).await;
    assert_eq!(prepared_on_server(&s.client).await, 7);

    // Bounded: never more than the bound (and the statement running).
    let url = format!(
        "{}?connection_limit=1&statement_cache_size=3",
        s.client_url()
    );
    let bounded = Client::new(&url).unwrap();
    distinct_statements(&bounded, 6).await;
    assert!(prepared_on_server(&bounded).await <= 4);

    // Off: only the statement running is prepared, and closed after.
    let url = format!(
        "{}?connection_limit=1&statement_cache_size=0",
        s.client_url()
    );
    let off = Client::new(&url).unwrap();
    distinct_statements(&off, 6).await;
    assert_eq!(prepared_on_server(&off).await, 1);
    assert_eq!(off.user().count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_socket_timeout_fails_and_its_connection_is_discarded() {
    let s = pooled(2).await;
    let url = format!("{}?connection_limit=2&socket_timeout=1", s.client_url());
    let client = Client::new(&url).unwrap();
    client.connect().await.unwrap();
    assert_eq!(client.pool_status().0, 1);
    let backend: i32 = client
        .query_raw("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()[0]
        .get(0);

    // A stalled server: the statement sleeps far past the timeout.
    let error = client
        .execute_raw("SELECT pg_sleep(60)", &[])
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SocketTimeout(_)), "{error:?}");
    assert_eq!(error.code(), Some("P1008"));
    // Not returned to the pool: the next call opens another connection.
    assert_eq!(client.pool_status().0, 0);
    let next: i32 = client
        .query_raw("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()[0]
        .get(0);
    assert_ne!(next, backend);

    // The same inside a transaction: the call fails, the connection is closed, the server
    // rolls back.
    let outcome = client
        .transaction(|tx| async move {
            tx.user()
                .create(user::Create {
                    email: "gone@x".into(),
                    tenant: "t".into(),
                    handle: "gone".into(),
                })
                .await?;
            tx.execute_raw("SELECT pg_sleep(60)", &[]).await
        })
        .await;
    assert!(
        matches!(outcome, Err(Error::SocketTimeout(_))),
        "{outcome:?}"
    );
    assert_eq!(client.user().count().await.unwrap(), 0);
    // The stalled backends were cancelled, not left sleeping.
    let sleeping = "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'";
    let mut left: i64 = 1;
    for _ in 0..200 {
        left = s.client.query_raw(sleeping, &[]).await.unwrap()[0].get(0);
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(left, 0);
}

#[tokio::test]
async fn interactive_transactions_have_prismas_defaults() {
    let options = TransactionOptions::default();
    assert_eq!(options.timeout, Some(Duration::from_secs(5)));
    assert_eq!(options.max_wait, Some(Duration::from_secs(2)));
    let unbounded = TransactionOptions::default().no_timeout().no_max_wait();
    assert_eq!((unbounded.timeout, unbounded.max_wait), (None, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_past_its_timeout_is_rolled_back_even_mid_statement() {
    let s = pooled(2).await;
    let outcome = s
        .client
        .transaction_with(
            TransactionOptions::default().timeout(Duration::from_millis(300)),
            |tx| async move {
                tx.user()
                    .create(user::Create {
                        email: "gone@x".into(),
                        tenant: "t".into(),
                        handle: "gone".into(),
                    })
                    .await?;
                tx.execute_raw("SELECT pg_sleep(60)", &[]).await
            },
        )
        .await;
    let error = outcome.unwrap_err();
    assert!(matches!(error, Error::TransactionTimeout(_)), "{error:?}");
    assert_eq!(error.code(), Some("P2028"));
    assert_eq!(s.client.user().count().await.unwrap(), 0);
    // The row is free again: the transaction is over, not merely abandoned.
    s.client
        .user()
        .create(user::Create {
            email: "gone@x".into(),
            tenant: "t".into(),
            handle: "gone".into(),
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_wait_bounds_the_wait_for_a_connection() {
    let s = pooled(1).await;
    let (held_tx, held_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let holder = {
        let client = s.client.clone();
        tokio::spawn(async move {
            client
                .transaction(|tx| async move {
                    tx.user().count().await?;
                    let _ = held_tx.send(());
                    let _ = release_rx.await;
                    Ok::<_, Error>(())
                })
                .await
        })
    };
    held_rx.await.unwrap();
    let error = s
        .client
        .transaction_with(
            TransactionOptions::default().max_wait(Duration::from_millis(100)),
            |tx| async move { tx.user().count().await },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::TransactionStartTimeout(_)),
        "{error:?}"
    );
    assert_eq!(error.code(), Some("P2028"));
    release_tx.send(()).unwrap();
    holder.await.unwrap().unwrap();
    // Per call: a longer max_wait gets the connection once it is free.
    let count = s
        .client
        .transaction_with(
            TransactionOptions::default().max_wait(Duration::from_secs(30)),
            |tx| async move { tx.query_raw("SELECT 1", &[]).await },
        )
        .await
        .unwrap();
    assert_eq!(count.len(), 1);
}

/// A transaction restarted under its first statement (stale after a column type change)
/// begins again with its own options, in one request with the rollback.
#[tokio::test]
async fn a_restarted_transaction_keeps_its_options() {
    let s = pooled(1).await;
    seed_users(&s.client, 2).await;
    s.client.user().find_many().await.unwrap();
    alter_name_type(&s, "VARCHAR(200)").await;
    let options = TransactionOptions::default()
        .isolation_level(refract_runtime::IsolationLevel::Serializable)
        .read_only();
    let (users, settings) = s
        .client
        .transaction_with(options, |tx| async move {
            let users = tx.user().find_many().await?;
            let settings: Vec<(String, String)> = tx
                .query_raw_as(
                    "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')",
                    &[],
                )
                .await?;
            Ok::<_, Error>((users, settings))
        })
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(settings, [("serializable".into(), "on".into())]);
}

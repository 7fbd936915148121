//! Transactions (commit, rollback on error and on panic, isolation, timeout, cancellation),
//! the pool under concurrency, and the process-wide client.

use std::time::Duration;

use futures_util::FutureExt;
use refract_runtime::{AsExecutor, Error, IsolationLevel, TransactionOptions};

use crate::support::{setup, setup_with};
use runtime_tests_client::Models;
use runtime_tests_client::user::{self, *};

#[tokio::test]
pub(crate) async fn commit_on_ok() {
    let s = setup().await;
    let (a, b) = s
        .client
        .transaction(|tx| async move {
            let a = tx
                .user()
                .create(user::Create {
                    email: "a@x".into(),
                    tenant: "t".into(),
                    handle: "a".into(),
                })
                .await?;
            let b = tx
                .user()
                .create(user::Create {
                    email: "b@x".into(),
                    tenant: "t".into(),
                    handle: "b".into(),
                })
                .await?;
            // Reads inside see the transaction's writes.
            assert_eq!(tx.user().count().await?, 2);
            Ok::<_, Error>((a, b))
        })
        .await
        .unwrap();
    assert_eq!(s.client.user().count().await.unwrap(), 2);
    assert_eq!(
        s.client.user().find_unique(user::id(a.id)).await.unwrap(),
        Some(a)
    );
    assert_eq!(
        s.client.user().find_unique(user::id(b.id)).await.unwrap(),
        Some(b)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn transactions_run_in_spawned_tasks() {
    // The transaction future is Send: it can run in tokio::spawn (and axum handlers).
    let s = setup().await;
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let client = s.client.clone();
            tokio::spawn(async move {
                client
                    .transaction(move |tx| async move {
                        let created = tx
                            .user()
                            .create(user::Create {
                                email: format!("s{i}@x"),
                                tenant: "t".into(),
                                handle: format!("s{i}"),
                            })
                            .await?;
                        tx.user()
                            .update(user::id(created.id), [VISITS.increment(1i64)])
                            .await
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().visits, 1);
    }
    assert_eq!(s.client.user().count().await.unwrap(), 4);
}

#[tokio::test]
pub(crate) async fn rollback_on_err() {
    let s = setup().await;
    s.client
        .user()
        .create(user::Create {
            email: "keep@x".into(),
            tenant: "t".into(),
            handle: "keep".into(),
        })
        .await
        .unwrap();
    let outcome: Result<(), Error> = s
        .client
        .transaction(|tx| async move {
            tx.user()
                .create(user::Create {
                    email: "gone@x".into(),
                    tenant: "t".into(),
                    handle: "gone".into(),
                })
                .await?;
            tx.user()
                .update(user::email("keep@x"), [SCORE.set(99.0)])
                .await?;
            // Unique violation: the error propagates and everything rolls back.
            tx.user()
                .create(user::Create {
                    email: "keep@x".into(),
                    tenant: "t".into(),
                    handle: "dup".into(),
                })
                .await?;
            Ok(())
        })
        .await;
    assert_eq!(outcome.unwrap_err().code(), Some("P2002"));
    assert_eq!(s.client.user().count().await.unwrap(), 1);
    let kept = s
        .client
        .user()
        .find_unique_or_throw(user::email("keep@x"))
        .await
        .unwrap();
    assert_eq!(kept.score, 0.0);
}

/// An application error type: any `E: From<refract_runtime::Error>` works.
#[derive(Debug)]
enum AppError {
    Db(Error),
    Refused,
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        AppError::Db(error)
    }
}

#[tokio::test]
pub(crate) async fn rollback_on_application_error_and_on_panic() {
    let s = setup().await;
    let refused = s
        .client
        .transaction(|tx| async move {
            tx.user()
                .create(user::Create {
                    email: "x@x".into(),
                    tenant: "t".into(),
                    handle: "x".into(),
                })
                .await?;
            Err::<(), _>(AppError::Refused)
        })
        .await;
    assert!(matches!(refused, Err(AppError::Refused)));
    let db_error = s
        .client
        .transaction(|tx| async move {
            tx.user()
                .create(user::Create {
                    email: "x@x".into(),
                    tenant: "t".into(),
                    handle: "x".into(),
                })
                .await?;
            tx.user()
                .create(user::Create {
                    email: "x@x".into(),
                    tenant: "t".into(),
                    handle: "y".into(),
                })
                .await?;
            Ok::<_, AppError>(())
        })
        .await;
    assert!(matches!(db_error, Err(AppError::Db(e)) if e.code() == Some("P2002")));

    let client = s.client.clone();
    let panicked = std::panic::AssertUnwindSafe(async move {
        client
            .transaction(|tx| async move {
                tx.user()
                    .create(user::Create {
                        email: "p@x".into(),
                        tenant: "t".into(),
                        handle: "p".into(),
                    })
                    .await?;
                if tx.user().count().await? == 1 {
                    panic!("boom inside the transaction");
                }
                Ok::<_, Error>(())
            })
            .await
    })
    .catch_unwind()
    .await;
    assert!(panicked.is_err());
    assert_eq!(s.client.user().count().await.unwrap(), 0);
    // The connection went back to the pool cleanly: no transaction left open on it.
    let open: Vec<(i64,)> = s
        .client
        .query_raw_as(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(open[0].0, 0);
}

#[tokio::test]
pub(crate) async fn isolation_level_read_only_and_timeout() {
    let s = setup().await;
    let options = TransactionOptions::default()
        .isolation_level(IsolationLevel::Serializable)
        .read_only();
    let level = s
        .client
        .transaction_with(options, |tx| async move {
            let rows: Vec<(String,)> = tx.query_raw_as("SHOW transaction_isolation", &[]).await?;
            Ok::<_, Error>(rows[0].0.clone())
        })
        .await
        .unwrap();
    assert_eq!(level, "serializable");
    let read_only = s
        .client
        .transaction_with(TransactionOptions::default().read_only(), |tx| async move {
            tx.user()
                .create(user::Create {
                    email: "ro@x".into(),
                    tenant: "t".into(),
                    handle: "ro".into(),
                })
                .await
                .map(|_| ())
        })
        .await
        .unwrap_err();
    assert!(matches!(read_only, Error::Database { .. }), "{read_only:?}");

    let slow = s
        .client
        .transaction_with(
            TransactionOptions::default().timeout(Duration::from_millis(200)),
            |tx| async move {
                tx.user()
                    .create(user::Create {
                        email: "slow@x".into(),
                        tenant: "t".into(),
                        handle: "slow".into(),
                    })
                    .await?;
                tx.execute_raw("SELECT pg_sleep(5)", &[]).await?;
                Ok::<_, Error>(())
            },
        )
        .await
        .unwrap_err();
    assert_eq!(slow.code(), Some("P2028"));
    assert_eq!(s.client.user().count().await.unwrap(), 0);
}

#[tokio::test]
pub(crate) async fn cancelled_transaction_never_leaks_into_the_pool() {
    let s = setup_with(|config| config.max_connections(1)).await;
    let client = s.client.clone();
    let cancelled = tokio::time::timeout(Duration::from_millis(300), async move {
        client
            .transaction(|tx| async move {
                tx.user()
                    .create(user::Create {
                        email: "half@x".into(),
                        tenant: "t".into(),
                        handle: "half".into(),
                    })
                    .await?;
                tokio::time::sleep(Duration::from_secs(10)).await;
                Ok::<_, Error>(())
            })
            .await
    })
    .await;
    assert!(
        cancelled.is_err(),
        "the timeout should have cancelled the transaction"
    );
    // The only pooled connection was closed (its server session rolled back); the next
    // query gets a fresh one and sees no half-done work.
    assert_eq!(s.client.user().count().await.unwrap(), 0);
    assert_eq!(s.client.user().count().await.unwrap(), 0);
}

#[tokio::test]
pub(crate) async fn transaction_handle_after_commit_and_executor_atomically() {
    let s = setup().await;
    let leaked = s
        .client
        .transaction(|tx| async move { Ok::<_, Error>(tx) })
        .await
        .unwrap();
    let closed = leaked.user().count().await.unwrap_err();
    assert!(matches!(closed, Error::TransactionClosed));

    // `atomically` on a client opens a transaction; on a transaction it joins it.
    let failed = s
        .client
        .executor()
        .atomically(|db| {
            Box::pin(async move {
                db.user()
                    .create(user::Create {
                        email: "one@x".into(),
                        tenant: "t".into(),
                        handle: "one".into(),
                    })
                    .await?;
                db.user()
                    .create(user::Create {
                        email: "one@x".into(),
                        tenant: "t".into(),
                        handle: "two".into(),
                    })
                    .await?;
                Ok(())
            })
        })
        .await;
    assert_eq!(failed.unwrap_err().code(), Some("P2002"));
    assert_eq!(s.client.user().count().await.unwrap(), 0);
}

#[tokio::test]
pub(crate) async fn one_client_shared_by_100_tasks_stays_within_the_pool() {
    const POOL: usize = 4;
    let s = setup_with(|config| config.max_connections(POOL)).await;
    s.client
        .user()
        .create(user::Create {
            email: "seed@x".into(),
            tenant: "t".into(),
            handle: "seed".into(),
        })
        .await
        .unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let client = s.client.clone();
            tokio::spawn(async move {
                let found = client.user().find_unique(user::email("seed@x")).await.unwrap();
                assert!(found.is_some());
                client.user().create(user::Create { email: format!("c{i}@x"), tenant: "t".into(), handle: format!("c{i}") }).await.unwrap();
                let backends: Vec<(i64,)> = client
                    .query_raw_as(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
                        &[],
                    )
                    .await
                    .unwrap();
                let (open, max) = client.pool_status();
                assert!(open <= max && max == POOL, "pool {open}/{max}");
                backends[0].0
            })
        })
        .collect();
    let mut most = 0;
    for task in tasks {
        most = most.max(task.await.unwrap());
    }
    // The pool's connections, plus at most the harness's own short-lived one.
    assert!(most as usize <= POOL + 1, "saw {most} backends");
    assert_eq!(s.client.user().count().await.unwrap(), 101);
}

#[tokio::test]
pub(crate) async fn global_client_is_initialized_once() {
    let s = setup().await;
    assert!(matches!(
        refract_runtime::global::get(),
        Err(Error::GlobalNotInitialized)
    ));
    let global = refract_runtime::global::init(s.client.clone()).unwrap();
    global
        .user()
        .create(user::Create {
            email: "g@x".into(),
            tenant: "t".into(),
            handle: "g".into(),
        })
        .await
        .unwrap();
    let again = refract_runtime::global::init(s.client.clone()).unwrap_err();
    assert!(matches!(again, Error::GlobalAlreadyInitialized));
    let got = refract_runtime::global::get().unwrap();
    assert_eq!(got.user().count().await.unwrap(), 1);
}

#[tokio::test]
pub(crate) async fn pool_and_connection_errors_have_prisma_codes() {
    let s = setup_with(|config| {
        config
            .max_connections(1)
            .pool_timeout(Some(Duration::from_millis(100)))
    })
    .await;
    let client = s.client.clone();
    let (started, release) = (
        tokio::sync::oneshot::channel::<()>(),
        tokio::sync::oneshot::channel::<()>(),
    );
    let (started_tx, started_rx) = started;
    let (release_tx, release_rx) = release;
    let holder = tokio::spawn(async move {
        client
            .transaction(|_tx| async move {
                let _ = started_tx.send(());
                let _ = release_rx.await;
                Ok::<_, Error>(())
            })
            .await
    });
    started_rx.await.unwrap();
    let timed_out = s.client.user().count().await.unwrap_err();
    assert_eq!(timed_out.code(), Some("P2024"), "{timed_out:?}");
    release_tx.send(()).unwrap();
    holder.await.unwrap().unwrap();
    assert_eq!(s.client.user().count().await.unwrap(), 0);

    // Nothing listens on port 1; the database in the URL does not exist.
    let unreachable = refract_runtime::ClientConfig::from_url(
        "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2",
    )
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(
        unreachable.connect().await.unwrap_err().code(),
        Some("P1001")
    );
    let missing_db = refract_testdb::with_database(s.client_url(), "refract_no_such_database");
    let missing = refract_runtime::Client::new(&missing_db)
        .unwrap()
        .connect()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("P1003"), "{missing:?}");
}

//! Interactive transactions: `client.transaction(|tx| async move { ... })` commits when the
//! closure returns `Ok`, rolls back on `Err` or panic (re-raising the panic).
//!
//! The closure receives an owned [`Transaction`] (a cheap clone of a shared handle), so its
//! future is `'static`-friendly and `Send`, and works in spawned tasks and axum handlers.
//! If the transaction's future is dropped before it finishes (cancellation, timeout), the
//! connection is detached from the pool and closed, so the server rolls back: a pooled
//! connection is never handed out in the middle of a transaction.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::client::Client;
use crate::decode::FromRow;
use crate::error::Error;
use crate::executor::{AsExecutor, Executor};
use crate::render::RenderContext;

/// Transaction isolation levels (all four PostgreSQL has).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

/// Options for [`Client::transaction_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct TransactionOptions {
    /// `None`: the server's default (READ COMMITTED unless configured otherwise).
    pub isolation_level: Option<IsolationLevel>,
    /// Roll back and fail with P2028 if the closure runs longer (Prisma's `timeout`).
    pub timeout: Option<Duration>,
    pub read_only: bool,
}

impl TransactionOptions {
    pub fn isolation_level(mut self, level: IsolationLevel) -> Self {
        self.isolation_level = Some(level);
        self
    }
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    fn begin_sql(&self) -> String {
        let mut sql = String::from("BEGIN");
        if let Some(level) = self.isolation_level {
            sql.push_str(match level {
                IsolationLevel::ReadUncommitted => " ISOLATION LEVEL READ UNCOMMITTED",
                IsolationLevel::ReadCommitted => " ISOLATION LEVEL READ COMMITTED",
                IsolationLevel::RepeatableRead => " ISOLATION LEVEL REPEATABLE READ",
                IsolationLevel::Serializable => " ISOLATION LEVEL SERIALIZABLE",
            });
        }
        if self.read_only {
            sql.push_str(" READ ONLY");
        }
        sql
    }
}

const OPEN: u8 = 0;
const FINISHED: u8 = 1;
const BROKEN: u8 = 2;

/// An open transaction: one pooled connection between `BEGIN` and `COMMIT`/`ROLLBACK`.
/// Clones share it. Model accessors work on it exactly as on a [`Client`].
#[derive(Clone)]
pub struct Transaction {
    inner: Arc<Inner>,
}

struct Inner {
    connection: Option<deadpool_postgres::Object>,
    state: AtomicU8,
    client: Client,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.state.load(Ordering::Acquire) != FINISHED {
            if let Some(connection) = self.connection.take() {
                // Never return a connection that may be inside a transaction to the pool.
                drop(deadpool_postgres::Object::take(connection));
            }
        }
    }
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.inner.state.load(Ordering::Acquire) {
            OPEN => "open",
            FINISHED => "finished",
            _ => "broken",
        };
        f.debug_struct("Transaction")
            .field("state", &state)
            .finish()
    }
}

impl Client {
    /// Runs `work` in a transaction: commit on `Ok`, rollback on `Err` or panic.
    ///
    /// ```no_run
    /// # async fn demo(client: refract_runtime::Client) -> Result<(), refract_runtime::Error> {
    /// let moved: u64 = client
    ///     .transaction(|tx| async move {
    ///         tx.execute_raw("UPDATE account SET balance = balance - 10 WHERE id = $1", &[&1i32]).await?;
    ///         tx.execute_raw("UPDATE account SET balance = balance + 10 WHERE id = $1", &[&2i32]).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction<T, E, F, Fut>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        self.transaction_with(TransactionOptions::default(), work)
            .await
    }

    /// [`Client::transaction`] with an isolation level, timeout or read-only mode.
    pub async fn transaction_with<T, E, F, Fut>(
        &self,
        options: TransactionOptions,
        work: F,
    ) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let tx = self.begin(&options).await?;
        let guarded = AssertUnwindSafe(work(tx.clone())).catch_unwind();
        let outcome = match options.timeout {
            None => guarded.await,
            Some(limit) => match tokio::time::timeout(limit, guarded).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    tx.finish("ROLLBACK").await.ok();
                    return Err(Error::TransactionTimeout(limit).into());
                }
            },
        };
        match outcome {
            Ok(Ok(value)) => {
                tx.finish("COMMIT").await?;
                Ok(value)
            }
            Ok(Err(error)) => {
                tx.finish("ROLLBACK").await.ok();
                Err(error)
            }
            Err(panic) => {
                tx.finish("ROLLBACK").await.ok();
                std::panic::resume_unwind(panic)
            }
        }
    }

    async fn begin(&self, options: &TransactionOptions) -> Result<Transaction, Error> {
        let connection = self.connection().await?;
        connection
            .batch_execute(&options.begin_sql())
            .await
            .map_err(|e| Error::from_postgres(e, None))?;
        let inner = Inner {
            connection: Some(connection),
            state: AtomicU8::new(OPEN),
            client: self.clone(),
        };
        Ok(Transaction {
            inner: Arc::new(inner),
        })
    }
}

impl Transaction {
    pub(crate) fn connection(&self) -> Result<&deadpool_postgres::ClientWrapper, Error> {
        if self.inner.state.load(Ordering::Acquire) != OPEN {
            return Err(Error::TransactionClosed);
        }
        self.inner
            .connection
            .as_deref()
            .ok_or(Error::TransactionClosed)
    }

    pub(crate) fn render_context(&self) -> RenderContext<'_> {
        self.inner.client.render_context()
    }

    /// Ends the transaction with `COMMIT` or `ROLLBACK`. On failure the connection is
    /// marked broken, so it is closed rather than reused.
    async fn finish(&self, sql: &str) -> Result<(), Error> {
        let connection = self.connection()?;
        let result = connection.batch_execute(sql).await;
        let state = if result.is_ok() { FINISHED } else { BROKEN };
        self.inner.state.store(state, Ordering::Release);
        result.map_err(|error| Error::from_postgres(error, None))
    }

    /// Raw SQL inside the transaction; see [`Executor::query_raw`].
    pub async fn query_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        self.executor().query_raw(sql, params).await
    }

    /// See [`Executor::query_raw_as`].
    pub async fn query_raw_as<T: FromRow>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<T>, Error> {
        self.executor().query_raw_as(sql, params).await
    }

    /// See [`Executor::execute_raw`].
    pub async fn execute_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        self.executor().execute_raw(sql, params).await
    }
}

impl AsExecutor for Transaction {
    fn executor(&self) -> Executor<'_> {
        Executor::Transaction(self)
    }
}

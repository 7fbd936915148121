//! Interactive transactions: `client.transaction(|tx| async move { ... })` commits when the
//! closure returns `Ok`, rolls back on `Err` or panic (re-raising the panic).
//!
//! The closure receives an owned [`Transaction`] (a cheap clone of a shared handle), so its
//! future is `'static`-friendly and `Send`, and works in spawned tasks and axum handlers.
//! If the transaction's future is dropped before it finishes (cancellation, timeout), the
//! connection is detached from the pool and closed, so the server rolls back: a pooled
//! connection is never handed out in the middle of a transaction.
//!
//! Interactive transactions have Prisma's defaults ([`TransactionOptions`]): the closure
//! may run 5 s (`timeout`; past it the transaction is rolled back and the call fails with
//! P2028) and waits at most 2 s for a connection (`max_wait`, P2028 too).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::client::{Client, Shared};
use crate::decode::FromRow;
use crate::error::Error;
use crate::executor::{AsExecutor, Executor, timed};
use crate::render::RenderContext;
use crate::tenancy::{Held, Tenant, session_setter, set_session_tenant};

/// Transaction isolation levels (all four PostgreSQL has).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

/// Prisma's default `timeout` of an interactive transaction.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Prisma's default `maxWait`: how long a transaction waits for a connection.
pub(crate) const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(2);

/// Options for [`Client::transaction_with`]. The default is Prisma's: `timeout` 5 s,
/// `max_wait` 2 s, the server's isolation level, read-write.
///
/// ```no_run
/// # async fn demo(client: refract_runtime::Client) -> Result<(), refract_runtime::Error> {
/// use std::time::Duration;
/// use refract_runtime::{IsolationLevel, TransactionOptions};
/// let options = TransactionOptions::default()
///     .timeout(Duration::from_secs(30))
///     .max_wait(Duration::from_secs(5))
///     .isolation_level(IsolationLevel::Serializable);
/// client
///     .transaction_with(options, |tx| async move { tx.execute_raw("SELECT 1", &[]).await })
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct TransactionOptions {
    /// `None`: the server's default (READ COMMITTED unless configured otherwise).
    pub isolation_level: Option<IsolationLevel>,
    /// Roll back and fail with P2028 if the closure runs longer (Prisma's `timeout`,
    /// default 5 s; `None`: no limit).
    pub timeout: Option<Duration>,
    /// `BEGIN ... READ ONLY`: writes fail with PostgreSQL's `25006`. Default `false`.
    pub read_only: bool,
    /// Fail with P2028 if no connection is free within this (Prisma's `maxWait`, default
    /// 2 s; `None`: the pool's own `pool_timeout` only).
    pub max_wait: Option<Duration>,
}

impl Default for TransactionOptions {
    fn default() -> Self {
        TransactionOptions {
            isolation_level: None,
            timeout: Some(DEFAULT_TIMEOUT),
            read_only: false,
            max_wait: Some(DEFAULT_MAX_WAIT),
        }
    }
}

impl TransactionOptions {
    /// Runs the transaction at `level` (`BEGIN ISOLATION LEVEL ...`) rather than the
    /// server's default.
    pub fn isolation_level(mut self, level: IsolationLevel) -> Self {
        self.isolation_level = Some(level);
        self
    }
    /// How long the closure may run: past it the transaction is rolled back and the call
    /// fails with P2028 (Prisma's `timeout`, default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// No `timeout`: the closure may run as long as it likes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }
    /// How long to wait for a free connection before failing with P2028 (Prisma's
    /// `maxWait`, default 2 s).
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }
    /// No `max_wait`: wait for a connection as long as the pool does (`pool_timeout`).
    pub fn no_max_wait(mut self) -> Self {
        self.max_wait = None;
        self
    }
    /// A read-only transaction (`BEGIN ... READ ONLY`): writes in it fail with `25006`.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// For the runtime's own transactions (nested writes, chunked inserts): not an
    /// interactive transaction, so no `timeout` and no `max_wait`.
    pub(crate) fn unbounded() -> Self {
        TransactionOptions::default().no_timeout().no_max_wait()
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
/// The connection's state is unknown: close it (cancelling what it may still run).
const BROKEN: u8 = 2;
/// Ended after a cancel request: close it too, since a cancel may land late, on whatever
/// the connection would run next (through a pooler, on another client's statement).
const CANCELLED: u8 = 3;

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
    /// Statements started in this transaction (a stale statement can be retried, with the
    /// transaction restarted, only when it was the first).
    statements: AtomicUsize,
    /// `BEGIN ...`, with the tenant's `set_config` on a tenant-scoped client's transaction
    /// (so a restart sets it again too).
    begin_sql: String,
    /// The tenant of a [`TenantClient`](crate::TenantClient)'s transaction: its statements
    /// are restricted to it.
    tenant: Option<Arc<Tenant>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let state = self.state.load(Ordering::Acquire);
        if state != FINISHED {
            if let Some(connection) = self.connection.take() {
                // Never return a connection that may be inside a transaction to the pool;
                // cancel what it may still be running, so the rollback is prompt.
                if state != CANCELLED {
                    crate::executor::cancel_in_background(&self.client.shared, &connection);
                }
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
            CANCELLED => "cancelled",
            _ => "broken",
        };
        f.debug_struct("Transaction")
            .field("state", &state)
            .finish()
    }
}

impl Client {
    /// Runs `work` in a transaction: commit on `Ok`, rollback on `Err` or panic. Prisma's
    /// defaults apply: `work` may run 5 s and the transaction waits at most 2 s for a
    /// connection (both P2028); [`Client::transaction_with`] takes other
    /// [`TransactionOptions`].
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
        self.run_transaction(options, None, work).await
    }

    /// [`Client::transaction_with`], on a tenant-scoped client's behalf when `tenant` is set.
    pub(crate) async fn run_transaction<T, E, F, Fut>(
        &self,
        options: TransactionOptions,
        tenant: Option<Arc<Tenant>>,
        work: F,
    ) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let tx = self.begin(&options, tenant).await?;
        let guarded = AssertUnwindSafe(work(tx.clone())).catch_unwind();
        let outcome = match options.timeout {
            None => guarded.await,
            Some(limit) => match tokio::time::timeout(limit, guarded).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    tx.abort().await;
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

    async fn begin(
        &self,
        options: &TransactionOptions,
        tenant: Option<Arc<Tenant>>,
    ) -> Result<Transaction, Error> {
        let connection = match options.max_wait {
            None => self.connection().await?,
            Some(limit) => tokio::time::timeout(limit, self.connection())
                .await
                .map_err(|_| Error::TransactionStartTimeout(limit))??,
        };
        // The transaction owns the connection before `BEGIN` is sent: if this call is
        // dropped while `BEGIN` is on its way, the connection is closed, not pooled.
        let tx = Transaction {
            inner: Arc::new(Inner {
                connection: Some(connection),
                state: AtomicU8::new(OPEN),
                client: self.clone(),
                statements: AtomicUsize::new(0),
                begin_sql: match &tenant {
                    Some(tenant) => tenant.begin_sql(&options.begin_sql()),
                    None => options.begin_sql(),
                },
                tenant,
            }),
        };
        let connection = tx.connection()?;
        // An unscoped transaction starts on a session that holds no tenant: a reset, when
        // needed, goes ahead of `BEGIN` as a request of its own (inside the transaction a
        // rollback would undo it). A tenant's transaction sets it locally in `begin_sql`.
        let sessions = &self.shared.session_tenants;
        let reset = tx.inner.tenant.is_none() && !sessions.held(connection).is(None);
        if reset {
            sessions.record(connection, Held::Unknown);
        }
        let begun = timed(self.shared.config.socket_timeout, async {
            let setter = match reset {
                true => session_setter(connection, self.shared.mode).await,
                false => Ok(None),
            };
            let setter = match setter {
                Ok(setter) => setter,
                Err(error) => return Err(Error::from_postgres(error, None)),
            };
            let (reset_done, begun) = futures_util::future::join(
                async {
                    match reset {
                        true => set_session_tenant(connection, setter.as_ref(), None).await,
                        false => Ok(()),
                    }
                },
                connection.batch_execute(&tx.inner.begin_sql),
            )
            .await;
            if reset_done.is_err() {
                // `BEGIN` may have run: the connection's state is not what it should be.
                tx.mark_broken();
            } else if reset {
                sessions.record(connection, Held::Nothing);
            }
            reset_done
                .and(begun)
                .map_err(|e| Error::from_postgres(e, None))
        })
        .await;
        match begun {
            Ok(()) => Ok(tx),
            Err(error @ Error::SocketTimeout(_)) => {
                // Dropping `tx` open cancels what the connection runs and closes it.
                tx.mark_broken();
                Err(error)
            }
            Err(error) => {
                // `BEGIN` was refused: the connection is outside any transaction (unless the
                // reset ahead of it failed: then it stays broken, and is closed).
                let _ = tx.inner.state.compare_exchange(
                    OPEN,
                    FINISHED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                Err(error)
            }
        }
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
        RenderContext {
            tenant: self.inner.tenant.as_ref().map(|tenant| &tenant.id),
            ..self.inner.client.render_context()
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.inner.client
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.inner.client.shared
    }

    /// Counts a statement about to run; true if it is the transaction's first.
    pub(crate) fn count_statement(&self) -> bool {
        self.inner.statements.fetch_add(1, Ordering::AcqRel) == 0
    }

    /// Whether no statement but the first has started.
    pub(crate) fn is_only_statement(&self) -> bool {
        self.inner.statements.load(Ordering::Acquire) == 1
    }

    /// The connection is in an unknown state (a statement timed out): close it rather than
    /// reuse it; the server rolls the transaction back.
    pub(crate) fn mark_broken(&self) {
        self.inner.state.store(BROKEN, Ordering::Release);
    }

    /// Rolls back and begins again with the same options (after the first statement failed
    /// on a stale prepared statement, before anything else ran). One request, so nothing a
    /// clone of this transaction sends meanwhile can run between the two, outside the
    /// transaction; and `BEGIN` runs only if `ROLLBACK` did.
    pub(crate) async fn restart(&self) -> Result<(), Error> {
        let connection = self.connection()?;
        let sql = format!("ROLLBACK; {}", self.inner.begin_sql);
        let restarted = timed(self.shared().config.socket_timeout, async {
            connection
                .batch_execute(&sql)
                .await
                .map_err(|error| Error::from_postgres(error, None))
        })
        .await;
        if restarted.is_err() {
            self.mark_broken();
        }
        restarted
    }

    /// Ends the transaction with `COMMIT` or `ROLLBACK`. On failure the connection is
    /// marked broken, so it is closed rather than reused.
    async fn finish(&self, sql: &str) -> Result<(), Error> {
        let connection = self.connection()?;
        let result = timed(self.shared().config.socket_timeout, async {
            connection
                .batch_execute(sql)
                .await
                .map_err(|error| Error::from_postgres(error, None))
        })
        .await;
        let state = if result.is_ok() { FINISHED } else { BROKEN };
        self.inner.state.store(state, Ordering::Release);
        result
    }

    /// After the `timeout`: the closure's future was dropped, maybe in the middle of a
    /// statement. Cancel that statement, then roll back (so locks are released when the
    /// call returns), waiting at most the socket timeout (5 s without one); then close the
    /// connection, which rolls back too if the server did not answer. Through a
    /// transaction pooler only the last step (see `Shared::can_cancel`).
    ///
    /// The state is `CANCELLED` before the cancel request is sent, so no clone of the
    /// transaction starts a statement the cancel could land on, and the connection is closed
    /// whatever happens next (this call dropped too, the rollback failing).
    async fn abort(&self) {
        if self
            .inner
            .state
            .compare_exchange(OPEN, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let Some(connection) = self.inner.connection.as_deref() else {
            return;
        };
        let shared = self.shared();
        if shared.can_cancel() {
            let token = connection.cancel_token();
            let limit = shared.config.socket_timeout.unwrap_or(DEFAULT_TIMEOUT);
            // Rolled back or not, the connection is closed after: the server rolls back then.
            let _ = tokio::time::timeout(limit, async {
                let _ = token.cancel_query(shared.tls.clone()).await;
                connection.batch_execute("ROLLBACK").await
            })
            .await;
        }
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

//! [`Executor`]: where a query runs, the pool (a [`Client`]) or one open [`Transaction`];
//! on a client with read replicas, also the primary or a replica chosen for one operation
//! (see the `replica` module). Generated model accessors take an `Executor`, so they work
//! the same on all of them; this is also the one place statements are prepared, run, timed
//! (`socket_timeout`) and logged.
//!
//! How a statement reaches the server depends on the URL (`StatementMode`): by default it
//! is prepared once per connection and cached (`statement_cache_size` bounds the cache,
//! `0` turns it off); with `pgbouncer=true` it is sent unnamed, parsed, bound and executed
//! in one round trip, because a transaction-mode pooler hands each transaction to any
//! server connection and a named statement would not be there the next time.
//!
//! Recovery from stale statements: after `ALTER TABLE ... TYPE`, PostgreSQL answers a cached
//! statement whose result type changed with `0A000 cached plan must not change result
//! type`, on every connection that cached it; `26000` means a statement is gone (a pooler
//! or a `DEALLOCATE`). Either way the statement caches are cleared and the statement is
//! retried once where that is safe: outside a transaction, or as a transaction's first
//! statement (the transaction is restarted). Anywhere else the call fails with
//! [`Error::StatementInvalidated`] and the next one prepares afresh.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deadpool_postgres::ClientWrapper;
use futures_util::TryStreamExt;
use postgres_types::{ToSql, Type};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use crate::client::{Client, Shared, StatementMode};
use crate::decode::FromRow;
use crate::error::Error;
use crate::model::ModelMeta;
use crate::render::{RenderContext, Statement};
use crate::tenancy::{
    Held, SET_TENANT_SQL, Tenant, TenantClient, session_setter, set_session_tenant,
};
use crate::transaction::{Transaction, TransactionOptions};

/// A boxed, sendable future: the return type of closures given to [`Executor::atomically`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where queries run. Copy, a few words; generated code stores it in its builders.
#[derive(Clone, Copy, Debug)]
pub enum Executor<'a> {
    /// The client: writes and raw SQL on the primary; read operations on a read replica
    /// when the client has some (they call [`Executor::for_read`]).
    Client(&'a Client),
    Transaction(&'a Transaction),
    /// The client's primary for everything, reads included ([`Client::primary`]).
    Primary(&'a Client),
    /// One of the client's read replicas, chosen for one operation (by
    /// [`Executor::for_read`] or [`Client::replica`]); statements fall back to the other
    /// replicas when it cannot be reached. A read routed by [`Executor::for_read`] then
    /// falls back to the primary, and its multi-statement writes ([`Executor::atomically`])
    /// run on the primary; [`Client::replica`]'s route never reaches the primary.
    Replica(ReplicaRoute<'a>),
    /// A tenant-scoped client ([`Client::for_tenant`]): each statement runs on the primary
    /// with `refract.tenant_id` set to the tenant, and the renderer restricts tenant-owned
    /// models to the tenant (see the `tenancy` module).
    Tenant(&'a TenantClient),
}

/// A read replica chosen for one operation: which one, the client it belongs to, and
/// whether the primary is the last resort.
#[derive(Clone, Copy)]
pub struct ReplicaRoute<'a> {
    client: &'a Client,
    index: usize,
    /// Routed by [`Executor::for_read`] (a read): when no replica answers, the primary
    /// does. `false` for [`Client::replica`]: what the caller sends there may be a write,
    /// which must fail on a replica rather than reach the primary.
    to_primary: bool,
}

impl<'a> ReplicaRoute<'a> {
    /// [`Client::replica`]'s route: the next replica in rotation (the next in turn when
    /// none is), with no fallback to the primary.
    pub(crate) fn explicit(client: &'a Client, replicas: &crate::replica::Replicas) -> Self {
        ReplicaRoute {
            client,
            index: replicas.pick().unwrap_or_else(|| replicas.next_in_turn()),
            to_primary: false,
        }
    }
}

impl std::fmt::Debug for ReplicaRoute<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaRoute")
            .field("replica", &self.index)
            .field("to_primary", &self.to_primary)
            .finish_non_exhaustive()
    }
}

/// Anything queries can run on: [`Client`], [`Transaction`], [`Executor`]. Generated code
/// adds its model accessors (`db.user()`) to every `AsExecutor` through one extension trait.
pub trait AsExecutor {
    fn executor(&self) -> Executor<'_>;
}

impl AsExecutor for Executor<'_> {
    fn executor(&self) -> Executor<'_> {
        *self
    }
}

const LOG_TARGET: &str = "refract::query";

impl<'a> Executor<'a> {
    pub(crate) fn render_context(&self) -> RenderContext<'a> {
        match *self {
            Executor::Client(client) | Executor::Primary(client) => client.render_context(),
            Executor::Replica(route) => route.client.render_context(),
            Executor::Transaction(tx) => tx.render_context(),
            Executor::Tenant(scoped) => scoped.render_context(),
        }
    }

    /// Where a read operation runs: on a client with read replicas, the next replica in
    /// rotation (the primary when none is); anything else (a transaction, a side already
    /// chosen, a client without replicas) stays as it is. The read builders (`find_*`,
    /// `count`, `aggregate`, `group_by`) call it; generated code that adds a read
    /// operation should too.
    #[inline]
    pub fn for_read(self) -> Executor<'a> {
        match self {
            Executor::Client(client) => match &client.replicas {
                None => self,
                Some(replicas) => match replicas.pick() {
                    Some(index) => Executor::Replica(ReplicaRoute {
                        client,
                        index,
                        to_primary: true,
                    }),
                    None => Executor::Primary(client),
                },
            },
            other => other,
        }
    }

    /// Runs a rendered statement, returning its rows.
    pub(crate) async fn fetch(
        &self,
        statement: &Statement<'_>,
        model: Option<&ModelMeta>,
    ) -> Result<Vec<Row>, Error> {
        refused(statement)?;
        let params = rendered_params(statement);
        self.run(
            &statement.sql,
            &params,
            statement.cacheable,
            Want::Rows,
            model,
        )
        .await
        .map(Outcome::rows)
    }

    /// Runs a rendered statement, returning the number of rows it affected.
    pub(crate) async fn execute(
        &self,
        statement: &Statement<'_>,
        model: Option<&ModelMeta>,
    ) -> Result<u64, Error> {
        refused(statement)?;
        let params = rendered_params(statement);
        self.run(
            &statement.sql,
            &params,
            statement.cacheable,
            Want::Count,
            model,
        )
        .await
        .map(Outcome::count)
    }

    /// Runs raw SQL with bound parameters (`$1`, `$2`, ...) and returns the rows.
    pub async fn query_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        self.run_raw(sql, params, Want::Rows)
            .await
            .map(Outcome::rows)
    }

    /// [`Executor::query_raw`], each row decoded as `T` (a generated model, a tuple of
    /// column types, or any [`FromRow`]).
    pub async fn query_raw_as<T: FromRow>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<T>, Error> {
        self.query_raw(sql, params)
            .await?
            .iter()
            .map(T::from_row)
            .collect()
    }

    /// Runs raw SQL with bound parameters and returns the number of rows affected.
    pub async fn execute_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        self.run_raw(sql, params, Want::Count)
            .await
            .map(Outcome::count)
    }

    /// A rendered statement: see [`Executor::dispatch`].
    async fn run(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        cacheable: bool,
        want: Want,
        model: Option<&ModelMeta>,
    ) -> Result<Outcome, Error> {
        self.dispatch(&Request {
            sql,
            params,
            cacheable,
            want,
            model,
            raw: false,
        })
        .await
    }

    /// Raw SQL: see [`Executor::dispatch`].
    async fn run_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        want: Want,
    ) -> Result<Outcome, Error> {
        self.dispatch(&Request {
            sql,
            params,
            cacheable: true,
            want,
            model: None,
            raw: true,
        })
        .await
    }

    /// The one path every statement takes: on the pool or in the transaction, timed by
    /// `socket_timeout`, logged, recovered from stale prepared statements.
    async fn dispatch(&self, request: &Request<'_>) -> Result<Outcome, Error> {
        let started = log_start();
        let outcome = match *self {
            Executor::Client(client) | Executor::Primary(client) => {
                run_pooled(client, request, None).await
            }
            Executor::Replica(route) => match &route.client.replicas {
                Some(replicas) => {
                    crate::replica::run_with_fallback(
                        route.client,
                        replicas,
                        route.index,
                        route.to_primary,
                        |client| run_pooled(client, request, None),
                    )
                    .await
                }
                None => run_pooled(route.client, request, None).await,
            },
            Executor::Transaction(tx) => run_in_transaction(tx, request).await,
            Executor::Tenant(scoped) => {
                run_pooled(scoped.client(), request, Some(scoped.tenant())).await
            }
        };
        log_finish(started, request.sql, request.params.len());
        outcome
    }

    /// Runs `work` atomically: in a new transaction on a client, as part of the current
    /// one on a transaction. For operations of several statements (chunked inserts,
    /// upserts that cannot use `ON CONFLICT`, nested writes).
    pub async fn atomically<T, F>(self, work: F) -> Result<T, Error>
    where
        T: Send,
        F: for<'t> FnOnce(Executor<'t>) -> BoxFuture<'t, Result<T, Error>> + Send,
    {
        match self {
            Executor::Client(client)
            | Executor::Primary(client)
            | Executor::Replica(ReplicaRoute { client, .. }) => {
                // `db.replica()`: the transaction runs on the replica (and a write in it
                // fails there), never on the primary.
                let client = match self {
                    Executor::Replica(ReplicaRoute {
                        client,
                        index,
                        to_primary: false,
                    }) => client
                        .replicas
                        .as_deref()
                        .map_or(client, |replicas| replicas.client(index)),
                    _ => client,
                };
                // The runtime's own multi-statement operations are not interactive
                // transactions: no `timeout`/`maxWait` beyond the pool's.
                client
                    .transaction_with(TransactionOptions::unbounded(), move |tx| async move {
                        work(Executor::Transaction(&tx)).await
                    })
                    .await
            }
            Executor::Transaction(_) => work(self).await,
            // One transaction with the tenant set, its statements restricted to it.
            Executor::Tenant(scoped) => {
                scoped
                    .client()
                    .run_transaction(
                        TransactionOptions::unbounded(),
                        Some(scoped.tenant().clone()),
                        move |tx| async move { work(Executor::Transaction(&tx)).await },
                    )
                    .await
            }
        }
    }
}

/// A statement the renderer refused (a tenant-scoped write naming another tenant).
fn refused(statement: &Statement<'_>) -> Result<(), Error> {
    match &statement.refusal {
        Some(reason) => Err(Error::InvalidQuery(reason.clone())),
        None => Ok(()),
    }
}

/// What a statement should give back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Rows,
    Count,
}

enum Outcome {
    Rows(Vec<Row>),
    Count(u64),
}

impl Outcome {
    fn rows(self) -> Vec<Row> {
        match self {
            Outcome::Rows(rows) => rows,
            Outcome::Count(_) => Vec::new(),
        }
    }

    fn count(self) -> u64 {
        match self {
            Outcome::Count(count) => count,
            Outcome::Rows(rows) => rows.len() as u64,
        }
    }
}

/// One statement to run, whatever it came from (rendered or raw).
struct Request<'r> {
    sql: &'r str,
    params: &'r [&'r (dyn ToSql + Sync)],
    /// Whether its text may enter a per-connection cache (see `Statement::cacheable`).
    cacheable: bool,
    want: Want,
    model: Option<&'r ModelMeta>,
    /// Raw SQL, which may change any setting (`refract.tenant_id` included).
    raw: bool,
}

fn rendered_params<'s>(statement: &'s Statement<'_>) -> Vec<&'s (dyn ToSql + Sync)> {
    statement
        .params
        .iter()
        .map(|param| param as &(dyn ToSql + Sync))
        .collect()
}

/// Why a statement failed in a way that running it again may fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stale {
    /// `0A000 cached plan must not change result type`: a cached statement's table changed.
    Plan,
    /// `26000` (no such prepared statement) or `42P05` (it exists already): the statements
    /// this connection believes the server holds are not there, as behind a transaction
    /// pooler.
    Missing,
}

fn stale(error: &Error) -> Option<Stale> {
    let db = error.postgres()?.as_db_error()?;
    let state = db.code();
    if *state == SqlState::FEATURE_NOT_SUPPORTED && db.message().starts_with("cached plan") {
        Some(Stale::Plan)
    } else if *state == SqlState::INVALID_SQL_STATEMENT_NAME
        || *state == SqlState::DUPLICATE_PSTATEMENT
    {
        Some(Stale::Missing)
    } else {
        None
    }
}

/// The failure a user sees when a stale statement could not be retried.
fn stale_error(error: Error, kind: Stale) -> Error {
    match (error, kind) {
        (Error::Database { source }, Stale::Missing) => Error::PreparedStatementMissing { source },
        (Error::Database { source }, Stale::Plan) => Error::StatementInvalidated { source },
        (error, _) => error,
    }
}

/// Runs `work`, failing with P1008 when it takes longer than `limit`.
pub(crate) async fn timed<T>(
    limit: Option<Duration>,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match limit {
        None => work.await,
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .unwrap_or(Err(Error::SocketTimeout(limit))),
    }
}

/// Closes a pooled connection instead of returning it to the pool, cancelling whatever it
/// was running (a stalled statement would otherwise go on holding its locks).
fn discard(shared: &Shared, connection: deadpool_postgres::Object) {
    cancel_in_background(shared, &connection);
    drop(deadpool_postgres::Object::take(connection));
}

pub(crate) fn cancel_in_background(shared: &Shared, connection: &ClientWrapper) {
    if !shared.can_cancel() {
        return;
    }
    let token = connection.cancel_token();
    let tls = shared.tls.clone();
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            // Best effort: the connection is closed either way.
            let _ = token.cancel_query(tls).await;
        });
    }
}

/// Every pooled connection's statement cache (a changed table invalidates statements on
/// all of them; each would otherwise fail once, some inside transactions).
fn clear_statement_caches(client: &Client) {
    client.pool.manager().statement_caches.clear();
}

/// Whether a sequence of several requests that must not be cut short is under way on a
/// pooled connection outside a user transaction (`describe`'s `BEGIN` ... `COMMIT`).
#[derive(Default)]
struct Sequence(AtomicBool);

impl Sequence {
    fn start(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn end(&self) {
        self.0.store(false, Ordering::Release);
    }

    fn is_open(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// A pooled connection checked out for one call. Dropped while its [`Sequence`] is open (the
/// caller's future was dropped between two of its requests: an outer timeout, a handler
/// dropped by its server), it takes the connection out of the pool, so it is closed and the
/// server rolls back: the pool only checks that a connection is open, and would hand this
/// one to the next caller in the middle of a transaction.
struct Checkout<'s> {
    shared: &'s Shared,
    connection: Option<deadpool_postgres::Object>,
    sequence: Sequence,
}

impl<'s> Checkout<'s> {
    fn new(shared: &'s Shared, connection: deadpool_postgres::Object) -> Self {
        Checkout {
            shared,
            connection: Some(connection),
            sequence: Sequence::default(),
        }
    }

    fn connection(&self) -> &ClientWrapper {
        self.connection
            .as_deref()
            .expect("a checkout holds its connection until it is discarded")
    }

    /// Closes the connection instead of returning it to the pool (see [`discard`]).
    fn discard(&mut self) {
        if let Some(connection) = self.connection.take() {
            discard(self.shared, connection);
        }
    }
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if self.sequence.is_open() {
            self.discard();
        }
    }
}

/// A statement on a pooled connection, for the unscoped client or for `tenant`'s.
async fn run_pooled(
    client: &Client,
    request: &Request<'_>,
    tenant: Option<&Arc<Tenant>>,
) -> Result<Outcome, Error> {
    let shared = &*client.shared;
    let mut checkout = Checkout::new(shared, client.connection().await?);
    let mut retried = false;
    loop {
        let result = timed(
            shared.config.socket_timeout,
            send_pooled(
                shared,
                checkout.connection(),
                request,
                tenant,
                &checkout.sequence,
            ),
        )
        .await;
        let error = match result {
            Ok(outcome) => return Ok(outcome),
            Err(error @ Error::SocketTimeout(_)) => {
                checkout.discard();
                return Err(error);
            }
            Err(error) => error,
        };
        let Some(kind) = stale(&error) else {
            return Err(error);
        };
        if shared.mode == StatementMode::Unnamed {
            // Only tokio-postgres's type lookups name statements in this mode, and it keeps
            // them per connection: a fresh connection learns the types again.
            checkout.discard();
            if retried {
                // The flag is on already: no hint to give.
                return Err(error);
            }
            checkout = Checkout::new(shared, client.connection().await?);
        } else {
            match kind {
                Stale::Plan => clear_statement_caches(client),
                Stale::Missing => checkout.connection().statement_cache.clear(),
            }
            if retried {
                if kind == Stale::Missing {
                    // tokio-postgres keeps named statements of its own (type lookups),
                    // which no cache clearing reaches: the next call gets a new connection.
                    checkout.discard();
                }
                return Err(stale_error(error, kind));
            }
        }
        tracing::debug!(target: LOG_TARGET, %error, "retrying a statement once");
        retried = true;
    }
}

async fn run_in_transaction(tx: &Transaction, request: &Request<'_>) -> Result<Outcome, Error> {
    let shared = tx.shared();
    let connection = tx.connection()?;
    let first = tx.count_statement();
    if request.raw && shared.session_tenants.in_use() {
        // It may set anything, at session level too: what the session holds after the
        // transaction is unknown.
        shared.session_tenants.record(connection, Held::Unknown);
    }
    let mut retried = false;
    loop {
        let result = timed(
            shared.config.socket_timeout,
            send(shared, connection, request, None),
        )
        .await;
        let error = match result {
            Ok(outcome) => return Ok(outcome),
            Err(error @ Error::SocketTimeout(_)) => {
                tx.mark_broken();
                return Err(error);
            }
            Err(error) => error,
        };
        let Some(kind) = stale(&error) else {
            return Err(error);
        };
        if shared.mode == StatementMode::Unnamed {
            tx.mark_broken();
            return Err(error);
        }
        match kind {
            Stale::Plan => clear_statement_caches(tx.client()),
            Stale::Missing => connection.statement_cache.clear(),
        }
        // The error aborted the transaction; if nothing else ran in it, it can start over.
        if retried || !first || !tx.is_only_statement() {
            return Err(stale_error(error, kind));
        }
        tx.restart().await?;
        retried = true;
    }
}

/// A statement on a pooled connection (`sequence` is the checkout's), with the session's
/// `refract.tenant_id` as the caller needs it (see the `tenancy` module). Without
/// `session_tenant=true`, a tenant's statement runs in a transaction of its own that sets
/// it locally ([`send_scoped`]). With it (direct connections only), the session holds the
/// tenant the statement is for (none for the unscoped client): set in the same round trip
/// when the connection is known to hold something else, first and on its own when what it
/// holds is unknown (after raw SQL: the setter itself may be gone, and a failed setter must
/// not leave the statement run behind it).
async fn send_pooled(
    shared: &Shared,
    connection: &ClientWrapper,
    request: &Request<'_>,
    tenant: Option<&Arc<Tenant>>,
    sequence: &Sequence,
) -> Result<Outcome, Error> {
    let sessions = &shared.session_tenants;
    if !sessions.in_use() {
        return match tenant {
            Some(tenant) => send_scoped(shared, connection, request, tenant, sequence).await,
            None => send(shared, connection, request, Some(sequence)).await,
        };
    }
    let wanted = tenant.map(|tenant| &**tenant);
    let held = sessions.held(connection);
    if request.raw {
        // It may change the setting: unknown from before it is sent (a call dropped while
        // the server runs it must not leave a stale record).
        sessions.record(connection, Held::Unknown);
    }
    let db = |error| Error::from_postgres(error, request.model);
    if held.is(wanted) {
        return send(shared, connection, request, Some(sequence)).await;
    }
    let now_held = || tenant.map_or(Held::Nothing, |tenant| Held::Tenant(tenant.clone()));
    let setter = session_setter(connection, shared.mode).await.map_err(db)?;
    if !request.raw {
        // Unknown until the server has answered: a call dropped before that leaves it so.
        sessions.record(connection, Held::Unknown);
    }
    if let Held::Unknown = held {
        set_session_tenant(connection, setter.as_ref(), wanted)
            .await
            .map_err(db)?;
        if !request.raw {
            sessions.record(connection, now_held());
        }
        return send(shared, connection, request, Some(sequence)).await;
    }
    let prepared = prepare(shared, connection, request).await?;
    let (set, ran) = futures_util::future::join(
        set_session_tenant(connection, setter.as_ref(), wanted),
        run_prepared(connection, &prepared, request),
    )
    .await;
    set.map_err(db)?;
    if !request.raw {
        sessions.record(connection, now_held());
    }
    ran.map_err(db)
}

/// Prepares a statement as the client's [`StatementMode`] says (not `Unnamed`): from the
/// connection's cache when it may be cached, else afresh.
async fn prepare(
    shared: &Shared,
    connection: &ClientWrapper,
    request: &Request<'_>,
) -> Result<tokio_postgres::Statement, Error> {
    let db = |error| Error::from_postgres(error, request.model);
    match shared.mode {
        StatementMode::Cached { capacity } if request.cacheable => {
            let prepared = connection.prepare_cached(request.sql).await.map_err(db)?;
            if capacity.is_some_and(|capacity| connection.statement_cache.size() > capacity) {
                // No eviction order to honour: statement shapes are few, so a full cache
                // means an unusual workload and starting over is cheap.
                connection.statement_cache.clear();
            }
            Ok(prepared)
        }
        _ => connection.prepare(request.sql).await.map_err(db),
    }
}

/// A tenant's statement in a transaction of its own that first runs
/// `SELECT set_config('refract.tenant_id', <id>, true)` (`SET LOCAL`: gone with the
/// transaction, so right behind any pooler). Prepared statements: `BEGIN`, the cached
/// setter, the statement and `COMMIT` pipelined in one round trip. `pgbouncer=true`:
/// `BEGIN` and the setting in one simple query, then the statement (which may need its
/// parameter types described inside the transaction), then `COMMIT` (`ROLLBACK` after a
/// failed statement). The connection's [`Sequence`] is open throughout, so a call dropped
/// half way closes the connection instead of pooling it inside the transaction.
async fn send_scoped(
    shared: &Shared,
    connection: &ClientWrapper,
    request: &Request<'_>,
    tenant: &Tenant,
    sequence: &Sequence,
) -> Result<Outcome, Error> {
    let db = |error| Error::from_postgres(error, request.model);
    if shared.mode == StatementMode::Unnamed {
        sequence.start();
        connection
            .batch_execute(&tenant.begin_sql("BEGIN"))
            .await
            .map_err(db)?;
        let ran = send_unnamed(shared, connection, request, None).await;
        let end = if ran.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = connection.batch_execute(end).await.map_err(db);
        let outcome = ran?;
        ended?;
        sequence.end();
        return Ok(outcome);
    }
    let prepared = prepare(shared, connection, request).await?;
    let set = match shared.mode {
        StatementMode::Cached { .. } => connection.prepare_cached(SET_TENANT_SQL).await,
        _ => connection.prepare(SET_TENANT_SQL).await,
    }
    .map_err(db)?;
    sequence.start();
    let tenant_id: &(dyn ToSql + Sync) = &tenant.id;
    let (begun, tenant_set, ran, committed) = futures_util::future::join4(
        connection.batch_execute("BEGIN"),
        connection.execute(&set, &[tenant_id]),
        run_prepared(connection, &prepared, request),
        connection.batch_execute("COMMIT"),
    )
    .await;
    begun.map_err(db)?;
    tenant_set.map_err(db)?;
    let outcome = ran.map_err(db)?;
    committed.map_err(db)?;
    sequence.end();
    Ok(outcome)
}

/// Sends one statement on `connection` as the client's [`StatementMode`] says. `sequence`:
/// the pooled connection's (see [`Checkout`]); `None` inside a transaction.
async fn send(
    shared: &Shared,
    connection: &ClientWrapper,
    request: &Request<'_>,
    sequence: Option<&Sequence>,
) -> Result<Outcome, Error> {
    if shared.mode == StatementMode::Unnamed {
        return send_unnamed(shared, connection, request, sequence).await;
    }
    let prepared = prepare(shared, connection, request).await?;
    run_prepared(connection, &prepared, request)
        .await
        .map_err(|error| Error::from_postgres(error, request.model))
}

async fn run_prepared(
    connection: &ClientWrapper,
    prepared: &tokio_postgres::Statement,
    request: &Request<'_>,
) -> Result<Outcome, tokio_postgres::Error> {
    let params = request.params.iter().copied();
    match request.want {
        Want::Rows => connection
            .query_raw(prepared, params)
            .await?
            .try_collect()
            .await
            .map(Outcome::Rows),
        Want::Count => connection
            .execute_raw(prepared, params)
            .await
            .map(Outcome::Count),
    }
}

/// `pgbouncer=true`: one round trip of Parse (unnamed, with the parameter types), Bind,
/// Describe, Execute, Sync, which a transaction pooler forwards to one server connection.
/// The parameter types come from a process-wide map filled by [`describe`] the first time a
/// statement text is seen (binding needs them: integers are encoded for the column's width,
/// text for enum and uuid columns).
async fn send_unnamed(
    shared: &Shared,
    connection: &ClientWrapper,
    request: &Request<'_>,
    sequence: Option<&Sequence>,
) -> Result<Outcome, Error> {
    let db = |error| Error::from_postgres(error, request.model);
    let (types, fresh) = match shared.described(request.sql) {
        Some(types) => (types, false),
        None => {
            let types = describe(connection, request.sql, sequence)
                .await
                .map_err(db)?;
            // Shapes that vary with the data (multi-row inserts) would only crowd the map.
            if request.cacheable {
                shared.remember(request.sql, types.clone());
            }
            (types, true)
        }
    };
    if types.len() != request.params.len() {
        return Err(Error::InvalidQuery(format!(
            "the statement has {} parameters, {} were given",
            types.len(),
            request.params.len()
        )));
    }
    let result = run_typed(connection, request, &types).await;
    match result {
        Err(error) if !fresh && types_changed(&error) => {
            // The table changed since the types were learnt: learn them again. Inside a
            // transaction the error has aborted it; the next call will succeed.
            shared.forget(request.sql);
            if sequence.is_none() {
                return Err(db(error));
            }
            let types = describe(connection, request.sql, sequence)
                .await
                .map_err(db)?;
            if request.cacheable {
                shared.remember(request.sql, types.clone());
            }
            run_typed(connection, request, &types).await.map_err(db)
        }
        result => result.map_err(db),
    }
}

async fn run_typed(
    connection: &ClientWrapper,
    request: &Request<'_>,
    types: &[Type],
) -> Result<Outcome, tokio_postgres::Error> {
    let typed = request
        .params
        .iter()
        .zip(types)
        .map(|(param, ty)| (*param, ty.clone()));
    let stream = connection.query_typed_raw(request.sql, typed).await?;
    match request.want {
        Want::Rows => stream.try_collect().await.map(Outcome::Rows),
        Want::Count => {
            let mut stream = std::pin::pin!(stream);
            while stream.try_next().await?.is_some() {}
            Ok(Outcome::Count(stream.rows_affected().unwrap_or(0)))
        }
    }
}

/// SQLSTATEs a statement bound with out-of-date parameter types fails with.
fn types_changed(error: &tokio_postgres::Error) -> bool {
    error.code().is_some_and(|state| {
        *state == SqlState::DATATYPE_MISMATCH
            || *state == SqlState::UNDEFINED_FUNCTION
            || *state == SqlState::INVALID_BINARY_REPRESENTATION
            || *state == SqlState::FEATURE_NOT_SUPPORTED
    })
}

/// Learns a statement's parameter types by preparing it inside a transaction (so a pooler
/// keeps the one server connection throughout), then drops every named statement on that
/// server before the transaction ends, tokio-postgres's own type lookups included: nothing
/// named outlives the transaction.
///
/// Outside a transaction (`sequence` is the pooled connection's), the sequence is open from
/// before `BEGIN` until `COMMIT` (or `ROLLBACK`) has been answered: if the call is dropped
/// in between, or a step fails, the connection is closed rather than pooled (see
/// [`Checkout`]).
async fn describe(
    connection: &ClientWrapper,
    sql: &str,
    sequence: Option<&Sequence>,
) -> Result<Arc<[Type]>, tokio_postgres::Error> {
    let in_transaction = sequence.is_none();
    if let Some(sequence) = sequence {
        sequence.start();
        connection.batch_execute("BEGIN").await?;
    }
    // Dropping the statement queues its Close ahead of what follows.
    let prepared = connection
        .prepare(sql)
        .await
        .map(|statement| Arc::<[Type]>::from(statement.params()));
    let end = match (&prepared, in_transaction) {
        (Ok(_), false) => "DEALLOCATE ALL; COMMIT",
        (Ok(_), true) => "DEALLOCATE ALL",
        (Err(_), false) => "ROLLBACK",
        (Err(_), true) => "",
    };
    if !end.is_empty() {
        connection.batch_execute(end).await?;
    }
    if let Some(sequence) = sequence {
        sequence.end();
    }
    prepared
}

/// The data types of the database that tokio-postgres does not know by heart (enums,
/// domains, ranges, extension types like `citext`, and their arrays; not the row types
/// every table has). `format_type` quotes and qualifies each name as SQL needs it.
const CUSTOM_TYPES_SQL: &str = "\
SELECT format_type(t.oid, NULL) FROM pg_catalog.pg_type t \
WHERE t.oid >= 16384 AND t.typtype IN ('b', 'd', 'e', 'r', 'm') \
AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND e.typtype = 'c') \
ORDER BY t.oid";

/// `pgbouncer=true`, once per new connection: has tokio-postgres look up every custom type
/// now, inside one transaction. Its lookups use named statements that it keeps per
/// connection; made later, outside a transaction, they would be parsed on one server
/// connection and executed on another.
pub(crate) async fn learn_custom_types(
    connection: &mut ClientWrapper,
) -> Result<(), tokio_postgres::Error> {
    connection.batch_execute("BEGIN").await?;
    let learnt = async {
        let names: Vec<String> = connection
            .simple_query(CUSTOM_TYPES_SQL)
            .await?
            .iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
                _ => None,
            })
            .collect();
        // PostgreSQL allows 1664 columns in a select list.
        for chunk in names.chunks(1000) {
            let columns: Vec<String> = chunk.iter().map(|name| format!("NULL::{name}")).collect();
            let sql = format!("SELECT {} LIMIT 0", columns.join(", "));
            connection.query_typed(&sql, &[]).await?;
        }
        Ok(())
    }
    .await;
    let end = if learnt.is_ok() {
        "DEALLOCATE ALL; COMMIT"
    } else {
        "ROLLBACK"
    };
    connection.batch_execute(end).await?;
    learnt
}

/// The start time, only when query logging is on: free when it is off.
#[inline]
fn log_start() -> Option<Instant> {
    tracing::enabled!(target: LOG_TARGET, tracing::Level::DEBUG).then(Instant::now)
}

#[inline]
fn log_finish(started: Option<Instant>, sql: &str, params: usize) {
    if let Some(started) = started {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        tracing::debug!(target: LOG_TARGET, sql, params, duration_us = micros, "query");
    }
}

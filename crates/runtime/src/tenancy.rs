//! The tenant-scoped client (issue 17): `db.for_tenant(id)` returns a [`TenantClient`], on
//! which every statement on a tenant-owned model (the schema's `tenantModel`, generated into
//! `ModelMeta::tenant`) is restricted to that tenant, twice over:
//!
//! - **In the SQL the client writes** (`render/tenancy.rs`): every table reference of a
//!   tenant-owned model gets the tenant predicate (reads, counts, aggregates, updates,
//!   deletes, upserts, included relations, relation filters, nested-write lookups, so
//!   `connect` finds only the tenant's rows and fails with P2025 otherwise); a create sets
//!   the tenant column and refuses another tenant there; a single-row create or an update
//!   that names a tenant-owned parent matches nothing unless the parent is the tenant's.
//!   This holds whatever role the client connects as, a superuser included.
//! - **In the database**: every statement runs with `refract.tenant_id` set to the tenant,
//!   which the row-level-security policies `gen migrate dev` writes read. For a role subject
//!   to them (not the tables' owner, no `BYPASSRLS`) raw SQL is isolated too.
//!
//! How the setting is made:
//!
//! - **By default**, each statement runs in a transaction of its own that first runs
//!   `SELECT set_config('refract.tenant_id', <id>, true)` (`SET LOCAL`: it ends with the
//!   transaction and never outlives it on the server connection, so it is right behind any
//!   pooler, PgBouncer 1.21+ without `pgbouncer=true` included). `BEGIN`, the setter, the
//!   statement and `COMMIT` are pipelined: one round trip, four commands for the server.
//! - **With `session_tenant=true`** (direct connections only, refused with
//!   `pgbouncer=true`): the pool lends a connection to one caller at a time, so the setting
//!   is kept at session level on each pooled connection ([`SessionTenants`]) and changed
//!   only when the connection serves another tenant, or the unscoped client (which resets
//!   it first): `set_config(.., false)` is pipelined with the statement, and a connection
//!   that stays with one tenant runs its statements alone, as the unscoped client does.
//!   What a connection holds is trusted only while the runtime alone has changed it: after
//!   raw SQL (which may `SET` or `RESET` anything) or a call dropped half way it is unknown,
//!   and set again, on its own, before the next statement.
//!
//! Transactions ([`TenantClient::transaction`]) and the runtime's own multi-statement
//! operations (nested writes) set the tenant with `SET LOCAL`, in the same request as their
//! `BEGIN`, on any connection; an unscoped transaction starts on a connection whose session
//! holds no tenant.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use deadpool_postgres::{ClientWrapper, StatementCache};

use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::client::{Client, StatementMode};
use crate::decode::FromRow;
use crate::error::Error;
use crate::executor::{AsExecutor, Executor};
use crate::render::RenderContext;
use crate::transaction::{Transaction, TransactionOptions};
use crate::value::Value;

/// The PostgreSQL setting the row-level-security policies read.
pub const TENANT_SETTING: &str = "refract.tenant_id";

/// Sets the tenant for the rest of the transaction, as a prepared statement (bound text).
pub(crate) const SET_TENANT_SQL: &str = "SELECT set_config('refract.tenant_id', $1, true)";

/// Sets the tenant for the rest of the session (a direct connection's; see
/// [`SessionTenants`]), with the id bound as text (`''` resets it: the policies match no
/// tenant then, as when it was never set).
pub(crate) const SET_SESSION_TENANT_SQL: &str = "SELECT set_config('refract.tenant_id', $1, false)";

/// A client whose statements are restricted to one tenant: see [`Client::for_tenant`].
/// Cheap to clone (the pool is shared); generated model accessors work on it as on a
/// [`Client`] (`db.for_tenant(id).agent().find_many()`).
#[derive(Clone)]
pub struct TenantClient {
    client: Client,
    tenant: Arc<Tenant>,
}

/// One tenant: its id (bound in the client's predicates) and the text that sets it.
#[derive(Debug)]
pub(crate) struct Tenant {
    pub(crate) id: Value,
    /// `SELECT set_config('refract.tenant_id', E'...', true)`.
    pub(crate) set_config: String,
}

impl Tenant {
    fn new(id: String) -> Result<Tenant, Error> {
        if id.is_empty() || id.contains('\0') {
            return Err(Error::InvalidQuery(
                "a tenant id must be a non-empty text without NUL characters".into(),
            ));
        }
        // An escape string literal: its meaning does not depend on
        // `standard_conforming_strings`.
        let literal = id.replace('\\', "\\\\").replace('\'', "\\'");
        let set_config = format!("SELECT set_config('{TENANT_SETTING}', E'{literal}', true)");
        Ok(Tenant {
            id: Value::String(id),
            set_config,
        })
    }

    /// `BEGIN ...; SELECT set_config(...)`: one simple query.
    pub(crate) fn begin_sql(&self, begin: &str) -> String {
        format!("{begin}; {}", self.set_config)
    }
}

/// What `refract.tenant_id` holds at session level on a pooled connection.
#[derive(Clone, Debug)]
pub(crate) enum Held {
    /// Nothing: never set, or reset by the runtime.
    Nothing,
    Tenant(Arc<Tenant>),
    /// Raw SQL ran, or a call that set it was dropped half way: set it before trusting it.
    Unknown,
}

impl Held {
    /// Whether the connection holds exactly `wanted` (`None`: no tenant).
    pub(crate) fn is(&self, wanted: Option<&Tenant>) -> bool {
        match (self, wanted) {
            (Held::Nothing, None) => true,
            (Held::Tenant(held), Some(wanted)) => held.id == wanted.id,
            _ => false,
        }
    }
}

/// What each of a pool's direct connections holds in its session's `refract.tenant_id`
/// (see the module doc). A connection is known by its statement cache, which lives exactly
/// as long as it does; the entry keeps a weak reference to it, so its address cannot be
/// reused by a later connection while the entry exists. A connection without an entry holds
/// nothing. Only with `session_tenant=true`; otherwise nothing is recorded and statements
/// look nothing up beyond one flag.
pub(crate) struct SessionTenants {
    /// `session_tenant=true` (never with `pgbouncer=true`): off, nothing is recorded and
    /// every scoped statement runs in a transaction of its own that sets the tenant.
    enabled: bool,
    connections: Mutex<HashMap<usize, (Weak<StatementCache>, Held)>>,
}

impl SessionTenants {
    /// Dead connections' entries are swept when there are more entries than this.
    const SWEEP_ABOVE: usize = 64;

    fn key(connection: &ClientWrapper) -> usize {
        Arc::as_ptr(&connection.statement_cache) as usize
    }

    pub(crate) fn new(enabled: bool) -> Self {
        SessionTenants {
            enabled,
            connections: Mutex::default(),
        }
    }

    pub(crate) fn in_use(&self) -> bool {
        self.enabled
    }

    pub(crate) fn held(&self, connection: &ClientWrapper) -> Held {
        if !self.in_use() {
            return Held::Nothing;
        }
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&Self::key(connection))
            .map_or(Held::Nothing, |(_, held)| held.clone())
    }

    pub(crate) fn record(&self, connection: &ClientWrapper, held: Held) {
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let key = Self::key(connection);
        if let Held::Nothing = held {
            connections.remove(&key);
            return;
        }
        connections.insert(key, (Arc::downgrade(&connection.statement_cache), held));
        if connections.len() > Self::SWEEP_ABOVE {
            connections.retain(|_, (cache, _)| cache.strong_count() > 0);
        }
    }
}

/// The statement that sets the session's tenant, prepared once per connection when the
/// client caches statements (`None`: it is sent unnamed, with its parameter type given).
/// Prepared before anything is pipelined with it, so that it cannot fall behind.
pub(crate) async fn session_setter(
    connection: &ClientWrapper,
    mode: StatementMode,
) -> Result<Option<tokio_postgres::Statement>, tokio_postgres::Error> {
    match mode {
        StatementMode::Cached { .. } => connection
            .prepare_cached(SET_SESSION_TENANT_SQL)
            .await
            .map(Some),
        _ => Ok(None),
    }
}

/// Sets `refract.tenant_id` for the session to `wanted`'s id, or resets it (`None`), with
/// `setter` from [`session_setter`]: one request, to be pipelined ahead of the statement it
/// is for.
pub(crate) async fn set_session_tenant(
    connection: &ClientWrapper,
    setter: Option<&tokio_postgres::Statement>,
    wanted: Option<&Tenant>,
) -> Result<(), tokio_postgres::Error> {
    let id: &(dyn ToSql + Sync) = match wanted {
        Some(tenant) => &tenant.id,
        None => &"",
    };
    match setter {
        Some(setter) => connection.execute(setter, &[id]).await.map(drop),
        None => connection
            .query_typed(SET_SESSION_TENANT_SQL, &[(id, postgres_types::Type::TEXT)])
            .await
            .map(drop),
    }
}

impl std::fmt::Debug for TenantClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantClient")
            .field("tenant", &self.tenant.id)
            .field("client", &self.client)
            .finish()
    }
}

impl Client {
    /// This client restricted to tenant `id` (the tenant model's key, as text): every
    /// statement on a tenant-owned model reads and writes only that tenant's rows (and reads
    /// global rows, those with a NULL tenant), and runs with `refract.tenant_id` set for the
    /// database's row-level security. Fails only on an empty id or one holding NUL.
    ///
    /// The unscoped client stays for admin paths (migrations, cross-tenant jobs, global
    /// rows); in request handlers, take the tenant's client.
    pub fn for_tenant(&self, id: impl Into<String>) -> Result<TenantClient, Error> {
        let tenant = Arc::new(Tenant::new(id.into())?);
        Ok(TenantClient {
            client: self.clone(),
            tenant,
        })
    }
}

impl TenantClient {
    /// The tenant this client is restricted to.
    pub fn tenant_id(&self) -> &str {
        match &self.tenant.id {
            Value::String(id) => id,
            _ => "",
        }
    }

    /// The unscoped client this one was made from.
    pub fn unscoped(&self) -> &Client {
        &self.client
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn tenant(&self) -> &Arc<Tenant> {
        &self.tenant
    }

    pub(crate) fn render_context(&self) -> RenderContext<'_> {
        RenderContext {
            tenant: Some(&self.tenant.id),
            ..self.client.render_context()
        }
    }

    /// A transaction with the tenant set (`SET LOCAL`, in the same request as `BEGIN`);
    /// model accessors on it are restricted to the tenant. See [`Client::transaction`].
    pub async fn transaction<T, E, F, Fut>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        self.transaction_with(TransactionOptions::default(), work)
            .await
    }

    /// [`TenantClient::transaction`] with an isolation level, timeout or read-only mode.
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
        self.client
            .run_transaction(options, Some(self.tenant.clone()), work)
            .await
    }

    /// Raw SQL with the tenant set (row-level security applies to it; the client adds no
    /// predicate to raw SQL); see [`Executor::query_raw`].
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

impl AsExecutor for TenantClient {
    fn executor(&self) -> Executor<'_> {
        Executor::Tenant(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_an_escape_literal_whatever_the_id_holds() {
        let tenant = Tenant::new("a'b\\c".into()).unwrap();
        assert_eq!(
            tenant.set_config,
            "SELECT set_config('refract.tenant_id', E'a\\'b\\\\c', true)"
        );
        assert_eq!(
            tenant.begin_sql("BEGIN"),
            format!("BEGIN; {}", tenant.set_config)
        );
        assert!(Tenant::new(String::new()).is_err());
        assert!(Tenant::new("a\0b".into()).is_err());
    }
}

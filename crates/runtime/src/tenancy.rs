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
//! - **In the database**: every statement runs in a transaction that first runs
//!   `SELECT set_config('refract.tenant_id', <id>, true)` (`SET LOCAL`: it ends with the
//!   transaction, so it is right behind a transaction-mode pooler), which the
//!   row-level-security policies `gen migrate dev` writes read. For a role subject to them
//!   (not the tables' owner, no `BYPASSRLS`) raw SQL is isolated too.
//!
//! A single statement is one round trip: `BEGIN`, `set_config` (a cached prepared
//! statement), the statement and `COMMIT` are pipelined on one connection. Transactions
//! ([`TenantClient::transaction`]) and the runtime's own multi-statement operations (nested
//! writes) set the tenant once, with their `BEGIN`.

use std::future::Future;
use std::sync::Arc;

use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::client::Client;
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
        Ok(TenantClient {
            client: self.clone(),
            tenant: Arc::new(Tenant::new(id.into())?),
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

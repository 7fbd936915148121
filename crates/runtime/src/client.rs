//! [`Client`]: a cheap-to-clone handle on one connection pool, and [`ClientConfig`], how it
//! is configured (from a Prisma-style URL, the environment, or code).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use deadpool_postgres::Hook;
use deadpool_postgres::{HookError, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use postgres_types::{ToSql, Type};
use tokio_postgres::Row;

use crate::decode::FromRow;

use crate::error::Error;
use crate::executor::{AsExecutor, Executor};
use crate::render::RenderContext;
use crate::replica::Replicas;
use crate::tenancy::SessionTenants;

/// Most parameter-type lists a `pgbouncer=true` client remembers (one per statement
/// text); the whole map is dropped when it is full, as shapes are few in practice.
const MAX_DESCRIBED: usize = 2048;

/// How a [`Client`] connects. Build one with [`ClientConfig::from_url`] or
/// [`ClientConfig::from_env`], adjust it with the setters, then [`ClientConfig::build`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    postgres: tokio_postgres::Config,
    /// Most connections the pool opens (Prisma's `connection_limit`).
    pub max_connections: usize,
    /// How long a query waits for a free connection before failing with P2024
    /// (Prisma's `pool_timeout`; `None` waits forever).
    pub pool_timeout: Option<Duration>,
    /// How long opening one connection may take (`connect_timeout`).
    pub connect_timeout: Option<Duration>,
    /// Schema of the tables whose model names none (Prisma's `?schema=`).
    pub schema: Option<String>,
    /// TLS: `sslmode`, `sslaccept`, `sslcert`/`sslrootcert` (see refract-tls; certificate
    /// paths are read relative to the current directory).
    pub tls: refract_tls::TlsParams,
    /// A transaction-mode pooler (PgBouncer) sits in front of the server (Prisma's
    /// `pgbouncer=true`): no statement outlives its transaction. Statements are sent
    /// unnamed, parsed, bound and run in one round trip, and nothing is cached per
    /// connection (see the crate docs, "Transaction-mode poolers").
    pub pgbouncer: bool,
    /// The connections reach PostgreSQL directly, with no transaction-mode pooler between
    /// (refract's `session_tenant=true`): a tenant-scoped client then keeps its tenant in
    /// each pooled connection's session and sets it only when the connection served someone
    /// else, instead of running every statement in a transaction that sets it (see the
    /// crate docs, "Tenancy"). Wrong behind PgBouncer 1.21+ or any transaction pooler, with
    /// or without `pgbouncer=true`: the setting would stay on a server connection another
    /// client gets. Refused together with `pgbouncer`.
    pub session_tenant: bool,
    /// Most prepared statements cached per connection (Prisma's `statement_cache_size`):
    /// `Some(0)` prepares every statement anew and closes it after; `None` (the default)
    /// does not bound the cache. Ignored with `pgbouncer`.
    pub statement_cache_size: Option<usize>,
    /// How long one statement may wait for the server (Prisma's `socket_timeout`): past
    /// it the call fails with P1008 and its connection is closed, never reused.
    pub socket_timeout: Option<Duration>,
    /// Read replicas, one configuration per URL (`DATABASE_REPLICA_URLS`, or
    /// [`ClientConfig::read_replicas`]): reads outside transactions go to them, round robin
    /// (see the crate docs, "Read replicas").
    replicas: Vec<ClientConfig>,
    /// How long a replica that failed to connect or answer stays out of rotation (reads go
    /// to the other replicas, or the primary, meanwhile). Default 5 s.
    pub replica_backoff: Duration,
}

impl ClientConfig {
    /// Reads a `postgresql://` URL, including Prisma's query parameters
    /// (`connection_limit`, `pool_timeout`, `connect_timeout` in seconds; `schema`).
    pub fn from_url(url: &str) -> Result<ClientConfig, Error> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut passed_on = Vec::new();
        let mut config = ClientConfig {
            postgres: tokio_postgres::Config::new(),
            max_connections: default_pool_size(),
            pool_timeout: Some(Duration::from_secs(10)),
            connect_timeout: Some(Duration::from_secs(5)),
            schema: None,
            tls: refract_tls::TlsParams::default(),
            pgbouncer: false,
            session_tenant: false,
            statement_cache_size: None,
            socket_timeout: None,
            replicas: Vec::new(),
            replica_backoff: crate::replica::DEFAULT_BACKOFF,
        };
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let seconds = |value: &str| -> Result<Option<Duration>, Error> {
                let secs: u64 = value
                    .parse()
                    .map_err(|_| Error::Config(format!("`{key}` must be a number of seconds")))?;
                Ok((secs > 0).then(|| Duration::from_secs(secs)))
            };
            match key {
                "connection_limit" => {
                    config.max_connections =
                        value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                            Error::Config("`connection_limit` must be a positive number".into())
                        })?;
                }
                "pool_timeout" => config.pool_timeout = seconds(value)?,
                "connect_timeout" => config.connect_timeout = seconds(value)?,
                "schema" => config.schema = Some(refract_tls::decode_query_value(value)),
                "pgbouncer" => {
                    config.pgbouncer = refract_tls::pgbouncer_flag(value).map_err(Error::Config)?;
                }
                "session_tenant" => {
                    config.session_tenant =
                        refract_tls::url_flag(key, value).map_err(Error::Config)?;
                }
                "statement_cache_size" => {
                    config.statement_cache_size = Some(value.parse().map_err(|_| {
                        Error::Config("`statement_cache_size` must be a number".into())
                    })?);
                }
                "socket_timeout" => config.socket_timeout = seconds(value)?,
                // The rest of Prisma's list is accepted and ignored.
                _ if refract_tls::PRISMA_URL_PARAMS.contains(&key) => {}
                _ if config
                    .tls
                    .take(key, &refract_tls::decode_query_value(value))
                    .map_err(|error| Error::Config(error.to_string()))? => {}
                _ => passed_on.push(pair),
            }
        }
        let postgres_url = if passed_on.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", passed_on.join("&"))
        };
        config.postgres = postgres_url
            .parse()
            .map_err(|error| Error::Config(format!("{error}")))?;
        Ok(config)
    }

    /// Reads `DATABASE_URL` from the environment, after loading `.env` (from the current
    /// directory or a parent) if there is one, and the read replicas' URLs from
    /// `DATABASE_REPLICA_URLS` (comma-separated; unset or empty: no replicas).
    pub fn from_env() -> Result<ClientConfig, Error> {
        let _ = dotenvy::dotenv();
        let url = std::env::var("DATABASE_URL").map_err(|_| {
            Error::Config("DATABASE_URL is not set (in the environment or .env)".into())
        })?;
        let config = ClientConfig::from_url(&url)?;
        match std::env::var("DATABASE_REPLICA_URLS") {
            Ok(list) => config.read_replicas(crate::replica::split_urls(&list)),
            Err(_) => Ok(config),
        }
    }

    /// Adds read replicas, one URL each (as `@prisma/extension-read-replicas`'s `url`
    /// list). Each URL is read as [`ClientConfig::from_url`] reads the primary's, so it
    /// carries its own `connection_limit`, timeouts, TLS and `pgbouncer`; tables are named
    /// as the primary's URL says, so a replica's `schema`, when given, must be the same.
    pub fn read_replicas<I, S>(mut self, urls: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for url in urls {
            let replica = ClientConfig::from_url(url.as_ref())?;
            if replica.schema.is_some() && replica.schema != self.schema {
                return Err(Error::Config(
                    "a read replica's `schema` must be the primary's (tables are named as the primary's URL says)".into(),
                ));
            }
            self.replicas.push(replica);
        }
        Ok(self)
    }

    /// How many read replicas this configuration names.
    pub fn read_replica_count(&self) -> usize {
        self.replicas.len()
    }

    /// How long a failed replica stays out of rotation (default 5 s).
    pub fn replica_backoff(mut self, backoff: Duration) -> Self {
        self.replica_backoff = backoff;
        self
    }

    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    pub fn pool_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Behind a transaction-mode pooler: see [`ClientConfig::pgbouncer`](#structfield.pgbouncer).
    pub fn pgbouncer(mut self, pgbouncer: bool) -> Self {
        self.pgbouncer = pgbouncer;
        self
    }

    /// Direct connections: see [`ClientConfig::session_tenant`](#structfield.session_tenant).
    pub fn session_tenant(mut self, session_tenant: bool) -> Self {
        self.session_tenant = session_tenant;
        self
    }

    /// Bounds the per-connection statement cache (`Some(0)`: no cache).
    pub fn statement_cache_size(mut self, size: Option<usize>) -> Self {
        self.statement_cache_size = size;
        self
    }

    /// Fails a statement that waits longer than `timeout` for the server (P1008).
    pub fn socket_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.socket_timeout = timeout;
        self
    }

    /// How statements are sent, from `pgbouncer` and `statement_cache_size`.
    pub(crate) fn statement_mode(&self) -> StatementMode {
        match (self.pgbouncer, self.statement_cache_size) {
            (true, _) => StatementMode::Unnamed,
            (false, Some(0)) => StatementMode::Uncached,
            (false, capacity) => StatementMode::Cached { capacity },
        }
    }

    /// Creates the client. No connection is opened until the first query (see
    /// [`Client::connect`] to fail fast).
    pub fn build(self) -> Result<Client, Error> {
        if self.session_tenant && self.pgbouncer {
            return Err(Error::Config(
                "`session_tenant=true` keeps a tenant in each connection's session, which a \
                 transaction pooler (`pgbouncer=true`) would hand to other clients: use one \
                 or the other"
                    .into(),
            ));
        }
        let session_tenant = self.session_tenant;
        let replicas = if self.replicas.is_empty() {
            None
        } else {
            let clients = self
                .replicas
                .iter()
                .map(|replica| {
                    let mut replica = replica.clone();
                    replica.schema.clone_from(&self.schema);
                    replica.build()
                })
                .collect::<Result<Vec<_>, Error>>()?;
            Some(Arc::new(Replicas::new(clients, self.replica_backoff)))
        };
        let mut postgres = self.postgres.clone();
        if let Some(timeout) = self.connect_timeout {
            postgres.connect_timeout(timeout);
        }
        postgres.ssl_mode(self.tls.postgres_ssl_mode());
        let tls = self
            .tls
            .connector()
            .map_err(|error| Error::Config(error.to_string()))?;
        let manager = Manager::from_config(
            postgres,
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let mut builder = Pool::builder(manager)
            .max_size(self.max_connections)
            .wait_timeout(self.pool_timeout)
            .create_timeout(self.connect_timeout)
            .runtime(Runtime::Tokio1);
        if self.pgbouncer {
            builder = builder.post_create(Hook::async_fn(|connection, _| {
                Box::pin(async move {
                    crate::executor::learn_custom_types(connection)
                        .await
                        .map_err(HookError::Backend)
                })
            }));
        }
        let pool = builder
            .build()
            .map_err(|error| Error::Config(error.to_string()))?;
        Ok(Client {
            pool,
            replicas,
            shared: Arc::new(Shared {
                mode: self.statement_mode(),
                config: self,
                tls,
                described: Mutex::new(HashMap::new()),
                session_tenants: SessionTenants::new(session_tenant),
            }),
        })
    }
}

/// Prisma's default: twice the CPUs, plus one.
fn default_pool_size() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get()) * 2 + 1
}

/// A handle on a connection pool. Clones share the pool: clone it freely (into tasks,
/// into axum `State`), it never opens more than `max_connections` connections.
#[derive(Clone)]
pub struct Client {
    pub(crate) pool: Pool,
    pub(crate) shared: Arc<Shared>,
    /// Read replicas' pools, when configured (never on a replica's own client).
    pub(crate) replicas: Option<Arc<Replicas>>,
}

pub(crate) struct Shared {
    pub(crate) config: ClientConfig,
    pub(crate) mode: StatementMode,
    /// For cancel requests, which open a connection of their own.
    pub(crate) tls: refract_tls::MakeRustlsConnect,
    /// `pgbouncer=true`: each statement text's parameter types, learnt once per process
    /// (statements are unnamed, so the server cannot keep them for us).
    pub(crate) described: Mutex<HashMap<String, Arc<[Type]>>>,
    /// Direct connections: the tenant each pooled connection's session holds.
    pub(crate) session_tenants: SessionTenants,
}

impl Shared {
    /// Whether to send cancel requests. Not through a transaction pooler: PgBouncer 1.18
    /// forwards one to whichever server connection the client holds when it arrives, and
    /// under load we saw it drop client connections after them; closing the connection is
    /// enough there (the pooler closes a server connection its client left mid-transaction).
    pub(crate) fn can_cancel(&self) -> bool {
        self.mode != StatementMode::Unnamed
    }

    pub(crate) fn described(&self, sql: &str) -> Option<Arc<[Type]>> {
        self.described
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(sql)
            .cloned()
    }

    pub(crate) fn remember(&self, sql: &str, types: Arc<[Type]>) {
        let mut described = self
            .described
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if described.len() >= MAX_DESCRIBED {
            described.clear();
        }
        described.insert(sql.to_owned(), types);
    }

    pub(crate) fn forget(&self, sql: &str) {
        self.described
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(sql);
    }
}

/// How statements reach the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatementMode {
    /// Named, prepared once per connection and cached (at most `capacity` per connection).
    Cached { capacity: Option<usize> },
    /// Named, prepared for one execution and closed after (`statement_cache_size=0`).
    Uncached,
    /// Unnamed: parse, bind and execute in one round trip (`pgbouncer=true`).
    Unnamed,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        f.debug_struct("Client")
            .field("max_connections", &status.max_size)
            .field("open_connections", &status.size)
            .field(
                "read_replicas",
                &self.replicas.as_ref().map_or(0, |replicas| replicas.len()),
            )
            .finish()
    }
}

impl Client {
    /// A client for `url` with default settings (see [`ClientConfig::from_url`]).
    pub fn new(url: &str) -> Result<Client, Error> {
        ClientConfig::from_url(url)?.build()
    }

    /// A client for `DATABASE_URL` (environment or `.env`).
    pub fn from_env() -> Result<Client, Error> {
        ClientConfig::from_env()?.build()
    }

    /// Opens (or reuses) one connection and checks it answers: fail at startup rather
    /// than on the first query (Prisma's `$connect`).
    pub async fn connect(&self) -> Result<(), Error> {
        let connection = self.connection().await?;
        connection
            .simple_query("")
            .await
            .map_err(|e| Error::from_postgres(e, None))?;
        Ok(())
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.shared.config
    }

    /// Connections currently open and the pool's limit.
    pub fn pool_status(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.max_size)
    }

    /// This client on its primary for one call chain, reads included (Prisma's
    /// `$primary()`): `db.primary().user().find_many().await` reads what was just written.
    /// Without read replicas every call goes to the primary anyway.
    pub fn primary(&self) -> Executor<'_> {
        Executor::Primary(self)
    }

    /// This client on one of its read replicas (round robin) for one call chain, raw
    /// queries included (Prisma's `$replica()`): `db.replica().query_raw(..)` is how a raw
    /// read reaches a replica. Statements go to the next replica in rotation when the chosen
    /// one cannot be reached, but never to the primary: with every replica out of rotation
    /// the call fails with the replica's error, and a write sent this way (multi-statement
    /// ones included) fails on the replica (PostgreSQL's `25006`, read-only transaction).
    /// Without replicas configured, this is the client itself (the primary).
    pub fn replica(&self) -> Executor<'_> {
        match &self.replicas {
            None => Executor::Client(self),
            Some(replicas) => {
                Executor::Replica(crate::executor::ReplicaRoute::explicit(self, replicas))
            }
        }
    }

    /// Read replicas in rotation (able to serve reads now) and configured.
    pub fn replica_status(&self) -> (usize, usize) {
        self.replicas
            .as_ref()
            .map_or((0, 0), |replicas| (replicas.in_rotation(), replicas.len()))
    }

    pub(crate) async fn connection(&self) -> Result<deadpool_postgres::Object, Error> {
        let wait = self.shared.config.pool_timeout;
        match self.pool.get().await {
            Ok(connection) => Ok(connection),
            // `pgbouncer=true`: a new connection's type lookup (see `learn_custom_types`)
            // met a connection the pooler closed under it; a second new one is tried.
            Err(deadpool_postgres::PoolError::PostCreateHook(_)) => self
                .pool
                .get()
                .await
                .map_err(|error| Error::from_pool(error, wait)),
            Err(error) => Err(Error::from_pool(error, wait)),
        }
    }

    pub(crate) fn render_context(&self) -> RenderContext<'_> {
        RenderContext {
            default_schema: self.shared.config.schema.as_deref(),
            tenant: None,
        }
    }
}

impl Client {
    /// Raw SQL on a pooled connection; see [`Executor::query_raw`].
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

impl AsExecutor for Client {
    fn executor(&self) -> Executor<'_> {
        Executor::Client(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tenant_is_read_from_the_url_and_refused_behind_a_pooler() {
        let url = "postgresql://h/db?session_tenant=true";
        assert!(ClientConfig::from_url(url).unwrap().session_tenant);
        assert!(
            !ClientConfig::from_url("postgresql://h/db")
                .unwrap()
                .session_tenant
        );
        assert!(ClientConfig::from_url("postgresql://h/db?session_tenant=yes").is_err());
        let both = ClientConfig::from_url("postgresql://h/db?session_tenant=1&pgbouncer=true");
        let refused = both.unwrap().build().expect_err("refused");
        assert!(refused.to_string().contains("session_tenant"), "{refused}");
    }

    #[test]
    fn reads_prisma_url_parameters() {
        let config = ClientConfig::from_url(
            "postgresql://u:p@localhost:5433/db?schema=my%20app&connection_limit=3&pool_timeout=0&connect_timeout=7&pgbouncer=true&application_name=x",
        )
        .unwrap();
        assert_eq!(config.schema.as_deref(), Some("my app"));
        assert_eq!(config.max_connections, 3);
        assert_eq!(config.pool_timeout, None);
        assert_eq!(config.connect_timeout, Some(Duration::from_secs(7)));
        assert_eq!(config.postgres.get_application_name(), Some("x"));
        assert_eq!(config.postgres.get_dbname(), Some("db"));
    }

    #[test]
    fn reads_pooler_and_timeout_parameters() {
        let config = ClientConfig::from_url(
            "postgresql://h/db?pgbouncer=true&statement_cache_size=50&socket_timeout=3",
        )
        .unwrap();
        assert!(config.pgbouncer);
        assert_eq!(config.statement_cache_size, Some(50));
        assert_eq!(config.socket_timeout, Some(Duration::from_secs(3)));
        assert_eq!(config.statement_mode(), StatementMode::Unnamed);

        let config = ClientConfig::from_url("postgresql://h/db?statement_cache_size=0").unwrap();
        assert_eq!(config.statement_mode(), StatementMode::Uncached);
        let config = ClientConfig::from_url("postgresql://h/db?pgbouncer=false").unwrap();
        assert_eq!(config.socket_timeout, None);
        assert_eq!(
            config.statement_mode(),
            StatementMode::Cached { capacity: None }
        );
    }

    #[test]
    fn rejects_bad_urls_with_p1013() {
        for url in [
            "postgresql://h/db?connection_limit=zero",
            "postgresql://h/db?nonsense=1",
            "postgresql://h/db?pgbouncer=yes",
            "postgresql://h/db?statement_cache_size=-1",
            "postgresql://h/db?socket_timeout=soon",
            "not a url",
        ] {
            let error = ClientConfig::from_url(url).unwrap_err();
            assert_eq!(error.code(), Some("P1013"), "for {url}");
        }
    }
}

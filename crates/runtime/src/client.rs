//! [`Client`]: a cheap-to-clone handle on one connection pool, and [`ClientConfig`], how it
//! is configured (from a Prisma-style URL, the environment, or code).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::decode::FromRow;

use crate::error::Error;
use crate::executor::{AsExecutor, Executor};
use crate::render::RenderContext;

/// Query parameters of a Prisma connection string that tokio-postgres does not know.
/// Those refract uses are read; the others are accepted and ignored, as a URL that works
/// with Prisma must work here.
const PRISMA_URL_PARAMS: &[&str] = &[
    "schema",
    "connection_limit",
    "pool_timeout",
    "connect_timeout",
    "socket_timeout",
    "pgbouncer",
    "statement_cache_size",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
];

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
                _ if PRISMA_URL_PARAMS.contains(&key) => {}
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
    /// directory or a parent) if there is one.
    pub fn from_env() -> Result<ClientConfig, Error> {
        let _ = dotenvy::dotenv();
        let url = std::env::var("DATABASE_URL").map_err(|_| {
            Error::Config("DATABASE_URL is not set (in the environment or .env)".into())
        })?;
        ClientConfig::from_url(&url)
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

    /// Creates the client. No connection is opened until the first query (see
    /// [`Client::connect`] to fail fast).
    pub fn build(self) -> Result<Client, Error> {
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
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(self.max_connections)
            .wait_timeout(self.pool_timeout)
            .create_timeout(self.connect_timeout)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|error| Error::Config(error.to_string()))?;
        Ok(Client {
            pool,
            shared: Arc::new(Shared { config: self }),
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
}

pub(crate) struct Shared {
    pub(crate) config: ClientConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        f.debug_struct("Client")
            .field("max_connections", &status.max_size)
            .field("open_connections", &status.size)
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

    pub(crate) async fn connection(&self) -> Result<deadpool_postgres::Object, Error> {
        self.pool
            .get()
            .await
            .map_err(|error| Error::from_pool(error, self.shared.config.pool_timeout))
    }

    pub(crate) fn render_context(&self) -> RenderContext<'_> {
        RenderContext {
            default_schema: self.shared.config.schema.as_deref(),
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
    fn rejects_bad_urls_with_p1013() {
        for url in [
            "postgresql://h/db?connection_limit=zero",
            "postgresql://h/db?nonsense=1",
            "not a url",
        ] {
            let error = ClientConfig::from_url(url).unwrap_err();
            assert_eq!(error.code(), Some("P1013"), "for {url}");
        }
    }
}

//! Connecting to PostgreSQL from a Prisma-style URL (TLS as its `sslmode`/`sslaccept`/
//! `sslcert` say, through refract-tls), with clear errors, and creating what the URL names
//! but the server lacks, as Prisma does: a missing development database
//! ([`connect_or_create`]), and on every connection the URL's `?schema=` (Prisma's schema
//! engine checks `pg_namespace` and runs `CREATE SCHEMA` when it first connects, for every
//! command, `migrate status` included, and says nothing about it). Creating either is safe
//! when several commands race to do it: the loser finds it created and goes on.
//!
//! Every Prisma URL parameter the runtime accepts is accepted here too (tokio-postgres
//! rejects options it does not know). A URL with `pgbouncer=true` (or `1`) is refused: the commands
//! need a session (the advisory lock, multi-statement scripts), which a transaction-mode
//! pooler does not keep; Prisma's answer is the datasource's `directUrl`.

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::MigrateError;
use crate::sql::Ident;

/// Prisma URL parameters tokio-postgres does not know, read out of the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionParams {
    /// `?schema=`, default `public`.
    pub schema: String,
    /// `sslmode`, `sslaccept`, `sslcert`, ...
    pub tls: refract_tls::TlsParams,
}

/// Splits Prisma-only and TLS query parameters off a URL: (URL for tokio-postgres,
/// parameters). Fails on a TLS parameter that cannot be honoured, on a `pgbouncer` value
/// that is not a flag, and on `pgbouncer=true` (or `1`, as the runtime reads it).
pub fn split_prisma_params(url: &str) -> Result<(String, ConnectionParams), MigrateError> {
    let mut params = ConnectionParams {
        schema: "public".to_owned(),
        tls: refract_tls::TlsParams::default(),
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), params));
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "schema" => params.schema = refract_tls::decode_query_value(value),
            // Read as the runtime reads it (refract-tls's one reading).
            "pgbouncer" => {
                if refract_tls::pgbouncer_flag(value).map_err(MigrateError::UrlParameter)? {
                    return Err(MigrateError::PoolerUrl);
                }
            }
            // tokio-postgres's own, in seconds as Prisma's.
            "connect_timeout" => kept.push(pair),
            // The rest of Prisma's parameters (refract-tls's one list, which the runtime
            // reads) mean nothing to migrate's single connections: accepted and dropped.
            _ if refract_tls::PRISMA_URL_PARAMS.contains(&key) => {}
            _ if params
                .tls
                .take(key, &refract_tls::decode_query_value(value))? => {}
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, params))
}

/// The URL's `?schema=`, default `public` (the namespace of models that name none).
pub fn url_schema(url: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    query
        .rsplit('&')
        .find_map(|pair| pair.strip_prefix("schema="))
        .map_or_else(|| "public".to_owned(), refract_tls::decode_query_value)
}

/// The database named in a `postgresql://host/db?...` URL.
pub fn database_name(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    let name = path.split('?').next().unwrap_or("");
    (!name.is_empty()).then(|| refract_tls::percent_decode(name))
}

/// The same URL naming another database.
pub fn with_database(url: &str, database: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = match rest.split_once('/') {
        Some((a, p)) => (a, p),
        None => match rest.split_once('?') {
            Some((a, q)) => return Some(format!("{scheme}://{a}/{database}?{q}")),
            None => (rest, ""),
        },
    };
    let query = path.split_once('?').map(|(_, q)| q);
    Some(match query {
        Some(q) => format!("{scheme}://{authority}/{database}?{q}"),
        None => format!("{scheme}://{authority}/{database}"),
    })
}

/// Connects, spawning the connection task, sets the search path to the URL's schema and
/// creates that schema when it does not exist (as Prisma's schema engine does).
pub async fn connect(url: &str) -> Result<Client, MigrateError> {
    let (client, params) = open(url).await?;
    ensure_schema(&client, &params.schema).await?;
    Ok(client)
}

/// `CREATE SCHEMA IF NOT EXISTS` for a schema that is missing. Checked first, so that a user
/// without `CREATE` on the database can still work in a schema that exists (PostgreSQL
/// checks that privilege before `IF NOT EXISTS`).
async fn ensure_schema(client: &Client, schema: &str) -> Result<(), MigrateError> {
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
            &[&schema],
        )
        .await?
        .get(0);
    if !exists {
        match client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", Ident(schema)))
            .await
        {
            // `IF NOT EXISTS` does not cover a schema another session is creating right now.
            Err(source) if !created_concurrently(&source) => {
                return Err(MigrateError::CreateSchema {
                    schema: schema.to_owned(),
                    source,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Connects and sets the search path, creating nothing: the admin connection used to
/// create a database, which must not get the URL's schema.
async fn open(url: &str) -> Result<(Client, ConnectionParams), MigrateError> {
    let (plain, params) = split_prisma_params(url)?;
    let mut config: tokio_postgres::Config = plain
        .parse()
        .map_err(|_| MigrateError::InvalidUrl(refract_tls::redact_password(url)))?;
    config.ssl_mode(params.tls.postgres_ssl_mode());
    let (client, connection) = config
        .connect(params.tls.connector()?)
        .await
        .map_err(|e| classify(url, e))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
        .batch_execute(&format!("SET search_path TO {}", Ident(&params.schema)))
        .await?;
    Ok((client, params))
}

/// Connects, creating the database first if it does not exist (and then the URL's schema
/// in it, as [`connect`] always does).
pub async fn connect_or_create(url: &str) -> Result<Client, MigrateError> {
    match connect(url).await {
        Err(MigrateError::DatabaseMissing(name)) => {
            let admin_url = with_database(url, "postgres")
                .ok_or_else(|| MigrateError::InvalidUrl(url.to_owned()))?;
            let (admin, _) = open(&admin_url).await?;
            match admin
                .batch_execute(&format!("CREATE DATABASE {}", Ident(&name)))
                .await
            {
                // Another command created it meanwhile (`migrate deploy` on several
                // replicas at once): it exists, which is all this wanted.
                Err(error) if !created_concurrently(&error) => return Err(error.into()),
                _ => {}
            }
            connect(url).await
        }
        other => other,
    }
}

/// Whether a failed `CREATE DATABASE` / `CREATE SCHEMA` lost a race to another session
/// creating the same: `duplicate_database` / `duplicate_schema`, or a unique violation on
/// the catalog when both inserted at once.
fn created_concurrently(error: &tokio_postgres::Error) -> bool {
    error.code().is_some_and(|code| {
        *code == SqlState::DUPLICATE_DATABASE
            || *code == SqlState::DUPLICATE_SCHEMA
            || *code == SqlState::UNIQUE_VIOLATION
    })
}

fn classify(url: &str, error: tokio_postgres::Error) -> MigrateError {
    let target = refract_tls::redact_password(url);
    match error.as_db_error().map(|e| e.code().clone()) {
        Some(code) if code == SqlState::INVALID_CATALOG_NAME => {
            MigrateError::DatabaseMissing(database_name(url).unwrap_or_default())
        }
        Some(code)
            if code == SqlState::INVALID_PASSWORD
                || code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            MigrateError::Authentication(error.to_string())
        }
        Some(code) if code == SqlState::INSUFFICIENT_PRIVILEGE => {
            MigrateError::AccessDenied(error.to_string())
        }
        _ if refract_tls::is_tls_failure(&error) => MigrateError::Tls {
            target,
            detail: refract_tls::describe_tls_failure(&error),
        },
        _ if error.as_db_error().is_none() && error.to_string().contains("invalid") => {
            MigrateError::InvalidUrl(target)
        }
        _ => MigrateError::Unreachable {
            target,
            detail: refract_tls::with_causes(&error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisma_parameters_are_split_off() {
        let (url, params) = split_prisma_params(
            "postgresql://u:p@h:5432/db?schema=app&connection_limit=5&sslmode=require&application_name=x",
        )
        .expect("valid");
        assert_eq!(url, "postgresql://u:p@h:5432/db?application_name=x");
        assert_eq!(params.schema, "app");
        assert_eq!(params.tls.mode, refract_tls::SslMode::Require);
        assert_eq!(url_schema("postgresql://h/db"), "public");
        assert_eq!(
            url_schema("postgresql://h/db?sslmode=x&schema=my%20app"),
            "my app"
        );
        assert!(matches!(
            split_prisma_params("postgresql://h/db?sslmode=bogus"),
            Err(MigrateError::TlsSettings(_))
        ));
    }

    /// Every parameter refract-runtime accepts (refract-tls's `PRISMA_URL_PARAMS`, the
    /// one list) is accepted here and kept from tokio-postgres, except `connect_timeout`, which tokio-postgres reads itself.
    #[test]
    fn runtime_parameters_are_accepted() {
        let url = "postgresql://h/db?schema=s&connection_limit=5&pool_timeout=10&connect_timeout=5\
                   &socket_timeout=3&pgbouncer=false&statement_cache_size=0\
                   &max_connection_lifetime=60&max_idle_connection_lifetime=30";
        let (plain, params) = split_prisma_params(url).expect("accepted");
        assert_eq!(plain, "postgresql://h/db?connect_timeout=5");
        assert_eq!(params.schema, "s");
        assert!(plain.parse::<tokio_postgres::Config>().is_ok());
    }

    #[test]
    fn pgbouncer_urls_are_refused() {
        for url in [
            "postgresql://h/db?pgbouncer=true",
            "postgresql://h/db?schema=x&pgbouncer=TRUE&connection_limit=1",
            "postgresql://h/db?pgbouncer=1",
        ] {
            assert!(
                matches!(split_prisma_params(url), Err(MigrateError::PoolerUrl)),
                "{url}"
            );
        }
        // Every value the runtime reads as `true` is refused; the rest it reads as `false`
        // are accepted; anything else is an error here as it is there.
        for value in ["true", "TRUE", "1"] {
            assert_eq!(refract_tls::pgbouncer_flag(value), Ok(true), "{value}");
        }
        for value in ["false", "0"] {
            assert_eq!(refract_tls::pgbouncer_flag(value), Ok(false), "{value}");
            let url = format!("postgresql://h/db?pgbouncer={value}");
            assert!(split_prisma_params(&url).is_ok(), "{url}");
        }
        assert!(matches!(
            split_prisma_params("postgresql://h/db?pgbouncer=yes"),
            Err(MigrateError::UrlParameter(_))
        ));
        assert!(
            MigrateError::PoolerUrl
                .to_string()
                .contains("Set `directUrl` in the datasource")
        );
    }

    #[test]
    fn database_names() {
        assert_eq!(
            database_name("postgresql://u@h:1/my_db?schema=x").as_deref(),
            Some("my_db")
        );
        assert_eq!(
            with_database("postgresql://u@h:1/my_db?schema=x", "postgres").as_deref(),
            Some("postgresql://u@h:1/postgres?schema=x")
        );
    }
}

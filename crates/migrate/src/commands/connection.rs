//! Connecting to PostgreSQL from a Prisma-style URL, with clear errors, and creating a
//! missing development database as Prisma does.

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

use super::MigrateError;
use crate::sql::Ident;

/// Prisma URL parameters tokio-postgres does not know, read out of the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionParams {
    /// `?schema=`, default `public`.
    pub schema: String,
}

/// Splits Prisma-only query parameters off a URL: (URL for tokio-postgres, parameters).
pub fn split_prisma_params(url: &str) -> (String, ConnectionParams) {
    let mut params = ConnectionParams {
        schema: "public".to_owned(),
    };
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), params);
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "schema" => params.schema = percent_decode(value),
            "connection_limit"
            | "pool_timeout"
            | "pgbouncer"
            | "socket_timeout"
            | "statement_cache_size"
            | "sslaccept"
            | "sslidentity"
            | "sslpassword"
            | "sslcert" => {}
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, params)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The database named in a `postgresql://host/db?...` URL.
pub fn database_name(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    let name = path.split('?').next().unwrap_or("");
    (!name.is_empty()).then(|| percent_decode(name))
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

/// Connects, spawning the connection task, and sets the search path to the URL's schema.
pub async fn connect(url: &str) -> Result<Client, MigrateError> {
    let (plain, params) = split_prisma_params(url);
    let (client, connection) = tokio_postgres::connect(&plain, NoTls)
        .await
        .map_err(|e| classify(url, e))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
        .batch_execute(&format!("SET search_path TO {}", Ident(&params.schema)))
        .await?;
    Ok(client)
}

/// Connects, creating the database first if it does not exist.
pub async fn connect_or_create(url: &str) -> Result<Client, MigrateError> {
    match connect(url).await {
        Err(MigrateError::DatabaseMissing(name)) => {
            let admin_url = with_database(url, "postgres")
                .ok_or_else(|| MigrateError::InvalidUrl(url.to_owned()))?;
            let admin = connect(&admin_url).await?;
            admin
                .batch_execute(&format!("CREATE DATABASE {}", Ident(&name)))
                .await?;
            connect(url).await
        }
        other => other,
    }
}

fn classify(url: &str, error: tokio_postgres::Error) -> MigrateError {
    let target = redact(url);
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
        _ if error.as_db_error().is_none() && error.to_string().contains("invalid") => {
            MigrateError::InvalidUrl(target)
        }
        _ => MigrateError::Unreachable {
            target,
            detail: error.to_string(),
        },
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    let user = userinfo.split(':').next().unwrap_or("");
    format!("{scheme}://{user}@{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisma_parameters_are_split_off() {
        let (url, params) = split_prisma_params(
            "postgresql://u:p@h:5432/db?schema=app&connection_limit=5&sslmode=disable",
        );
        assert_eq!(url, "postgresql://u:p@h:5432/db?sslmode=disable");
        assert_eq!(params.schema, "app");
        assert_eq!(split_prisma_params("postgresql://h/db").1.schema, "public");
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
        assert_eq!(redact("postgresql://u:secret@h/db"), "postgresql://u@h/db");
    }
}

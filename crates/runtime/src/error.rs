//! Typed errors with Prisma's codes, and the mapping from PostgreSQL errors to them.
//!
//! Every database error keeps the underlying `tokio_postgres::Error` as its `source()`.
//! Constraint errors name the offending fields: parsed from the error's detail line
//! (`Key (a, b)=(...) already exists.`), mapped from column names to the model's field
//! names when the failing operation knows its model.

use std::time::Duration;

use tokio_postgres::error::SqlState;

use crate::model::ModelMeta;

/// Everything that can go wrong in the runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A unique constraint failed (Prisma P2002).
    #[error("unique constraint failed on the fields: ({})", quoted_list(fields))]
    UniqueViolation {
        /// The constraint (index) name, as PostgreSQL reports it.
        constraint: Option<String>,
        /// The model fields (column names where no model is known) of the constraint.
        fields: Vec<String>,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A foreign key constraint failed (Prisma P2003).
    #[error("foreign key constraint failed on the field: `{}`", field.as_deref().or(constraint.as_deref()).unwrap_or("(unknown)"))]
    ForeignKeyViolation {
        constraint: Option<String>,
        /// The referencing field (column where no model is known).
        field: Option<String>,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A NOT NULL constraint failed (Prisma P2011).
    #[error("null constraint violation on the field: `{}`", field.as_deref().unwrap_or("(unknown)"))]
    NullConstraintViolation {
        field: Option<String>,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A nested write would leave a record without its required related record, e.g.
    /// connecting a second record to a one-to-one relation whose key is required
    /// (Prisma P2014).
    #[error(
        "the change you are trying to make would violate the required relation `{relation}` between the `{model_a}` and `{model_b}` models"
    )]
    RequiredRelationViolation {
        relation: &'static str,
        model_a: &'static str,
        model_b: &'static str,
    },
    /// A record an operation required was not found (Prisma P2025).
    #[error("no `{model}` record was found for the {operation}")]
    RecordNotFound {
        model: &'static str,
        operation: &'static str,
    },
    /// A nested write named a related record that is not connected to the parent
    /// (Prisma P2017).
    #[error(
        "the records for relation `{relation}` between the `{model_a}` and `{model_b}` models are not connected"
    )]
    RecordsNotConnected {
        relation: &'static str,
        model_a: &'static str,
        model_b: &'static str,
    },
    /// A to-many nested `connect` named a record that does not exist (Prisma P2018): the
    /// relation's records hold the key, so connecting updates them, and fewer were found
    /// than named.
    #[error(
        "the required connected records were not found: expected {expected} `{model}` records to be connected through `{relation}`, found {found}"
    )]
    ConnectedRecordsNotFound {
        relation: &'static str,
        model: &'static str,
        expected: usize,
        found: usize,
    },
    /// A serialization failure or deadlock; the transaction can be retried (Prisma P2034).
    #[error("transaction failed due to a write conflict or a deadlock, please retry")]
    TransactionConflict {
        #[source]
        source: tokio_postgres::Error,
    },
    /// Any other error the database reported (code from its SQLSTATE where Prisma has one).
    #[error("database error: {}", db_message(source))]
    Database {
        #[source]
        source: tokio_postgres::Error,
    },
    /// The database server cannot be reached (Prisma P1001).
    #[error(
        "can't reach the database server: {}",
        refract_tls::with_causes(source)
    )]
    Unreachable {
        #[source]
        source: tokio_postgres::Error,
    },
    /// The TLS handshake failed: the server has TLS off while `sslmode=require`, or its
    /// certificate failed the check the URL asked for (Prisma P1011).
    #[error(
        "error opening a TLS connection: {}",
        refract_tls::describe_tls_failure(source)
    )]
    Tls {
        #[source]
        source: tokio_postgres::Error,
    },
    /// The connection failed or was closed (Prisma P1017).
    #[error("database connection error: {}", refract_tls::with_causes(source))]
    Connection {
        #[source]
        source: tokio_postgres::Error,
    },
    /// No connection became free within the pool timeout (Prisma P2024).
    #[error("timed out fetching a new connection from the pool (timeout: {timeout:?})")]
    PoolTimeout { timeout: Option<Duration> },
    /// The pool is closed or misconfigured.
    #[error("connection pool error: {0}")]
    Pool(String),
    /// The connection string or configuration is invalid (Prisma P1013).
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// A column's value could not be decoded into the Rust type asked for.
    #[error("cannot decode column `{column}`: {source}")]
    Decode {
        column: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A query description the runtime cannot render (a bug in the caller).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// The transaction was already committed or rolled back.
    #[error("the transaction is already closed")]
    TransactionClosed,
    /// The transaction ran longer than its timeout and was rolled back (Prisma P2028).
    #[error("the transaction timed out after {0:?} and was rolled back")]
    TransactionTimeout(Duration),
    /// No connection for the transaction became free within its `max_wait` (Prisma P2028,
    /// "unable to start a transaction in the given time").
    #[error("unable to start a transaction in the given time (max_wait: {0:?})")]
    TransactionStartTimeout(Duration),
    /// A statement waited longer than `socket_timeout` for the server (Prisma P1008). Its
    /// connection was closed, not returned to the pool.
    #[error("operation timed out after {0:?} (socket_timeout)")]
    SocketTimeout(Duration),
    /// A table changed under a cached prepared statement (`ALTER TABLE ... TYPE`: PostgreSQL's
    /// `0A000 cached plan must not change result type`) inside a transaction, where the
    /// statement could not be retried. The statement caches were cleared: retrying the
    /// transaction succeeds.
    #[error(
        "a table changed under a prepared statement of this transaction ({}); the statement cache was cleared, retry the transaction",
        db_message(source)
    )]
    StatementInvalidated {
        #[source]
        source: tokio_postgres::Error,
    },
    /// The server does not have a prepared statement this connection made (`26000`), or has
    /// one of the same name (`42P05`): what a transaction-mode pooler such as PgBouncer
    /// does to named statements.
    #[error(
        "{}; hint: if a transaction-mode pooler (PgBouncer, Supavisor, RDS Proxy) sits between refract and PostgreSQL, add `pgbouncer=true` to the connection URL",
        db_message(source)
    )]
    PreparedStatementMissing {
        #[source]
        source: tokio_postgres::Error,
    },
    /// `global::get` before `global::init`.
    #[error("the global client is not initialized: call refract_runtime::global::init first")]
    GlobalNotInitialized,
    /// `global::init` called twice.
    #[error("the global client is already initialized")]
    GlobalAlreadyInitialized,
}

impl Error {
    /// Prisma's error code for this error, where Prisma has one.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Error::UniqueViolation { .. } => Some("P2002"),
            Error::ForeignKeyViolation { .. } => Some("P2003"),
            Error::NullConstraintViolation { .. } => Some("P2011"),
            Error::RecordNotFound { .. } => Some("P2025"),
            Error::RequiredRelationViolation { .. } => Some("P2014"),
            Error::RecordsNotConnected { .. } => Some("P2017"),
            Error::ConnectedRecordsNotFound { .. } => Some("P2018"),
            Error::TransactionConflict { .. } => Some("P2034"),
            Error::PoolTimeout { .. } => Some("P2024"),
            Error::Config(_) => Some("P1013"),
            Error::TransactionTimeout(_) | Error::TransactionStartTimeout(_) => Some("P2028"),
            Error::SocketTimeout(_) => Some("P1008"),
            Error::Connection { .. } => Some("P1017"),
            Error::Unreachable { .. } => Some("P1001"),
            Error::Tls { .. } => Some("P1011"),
            Error::Database { source } => match source.code() {
                Some(state) if *state == SqlState::STRING_DATA_RIGHT_TRUNCATION => Some("P2000"),
                Some(state) if *state == SqlState::UNDEFINED_TABLE => Some("P2021"),
                Some(state) if *state == SqlState::UNDEFINED_COLUMN => Some("P2022"),
                Some(state) if *state == SqlState::CHECK_VIOLATION => Some("P2004"),
                Some(state) if *state == SqlState::INVALID_CATALOG_NAME => Some("P1003"),
                Some(state)
                    if *state == SqlState::INVALID_PASSWORD
                        || *state == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
                {
                    Some("P1000")
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The underlying PostgreSQL error, if this error came from the database.
    pub fn postgres(&self) -> Option<&tokio_postgres::Error> {
        match self {
            Error::UniqueViolation { source, .. }
            | Error::ForeignKeyViolation { source, .. }
            | Error::NullConstraintViolation { source, .. }
            | Error::TransactionConflict { source }
            | Error::Database { source }
            | Error::Connection { source }
            | Error::Unreachable { source }
            | Error::Tls { source }
            | Error::StatementInvalidated { source }
            | Error::PreparedStatementMissing { source } => Some(source),
            _ => None,
        }
    }

    /// Classifies a `tokio_postgres` error; `model`, when known, maps column names to
    /// field names.
    pub(crate) fn from_postgres(source: tokio_postgres::Error, model: Option<&ModelMeta>) -> Error {
        let Some(db) = source.as_db_error() else {
            return if source.is_closed() || source.code().is_none() && is_io(&source) {
                Error::Connection { source }
            } else {
                Error::Database { source }
            };
        };
        let field_name = |column: &str| match model {
            Some(model) => model.field_of(column).unwrap_or(column).to_owned(),
            None => column.to_owned(),
        };
        let state = db.code();
        if *state == SqlState::UNIQUE_VIOLATION {
            let constraint = db.constraint().map(str::to_owned);
            let columns = db.detail().and_then(key_columns).unwrap_or_default();
            let fields = if columns.is_empty() {
                constraint.iter().cloned().collect()
            } else {
                columns.iter().map(|column| field_name(column)).collect()
            };
            Error::UniqueViolation {
                constraint,
                fields,
                source,
            }
        } else if *state == SqlState::FOREIGN_KEY_VIOLATION {
            let constraint = db.constraint().map(str::to_owned);
            let field = db
                .detail()
                .and_then(key_columns)
                .filter(|columns| !columns.is_empty())
                .map(|columns| {
                    columns
                        .iter()
                        .map(|c| field_name(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
            Error::ForeignKeyViolation {
                constraint,
                field,
                source,
            }
        } else if *state == SqlState::NOT_NULL_VIOLATION {
            let field = db.column().map(field_name);
            Error::NullConstraintViolation { field, source }
        } else if *state == SqlState::T_R_SERIALIZATION_FAILURE
            || *state == SqlState::T_R_DEADLOCK_DETECTED
        {
            Error::TransactionConflict { source }
        } else if *state == SqlState::ADMIN_SHUTDOWN || *state == SqlState::CONNECTION_FAILURE {
            Error::Connection { source }
        } else {
            Error::Database { source }
        }
    }

    pub(crate) fn from_pool(
        error: deadpool_postgres::PoolError,
        wait_timeout: Option<Duration>,
    ) -> Error {
        use deadpool_postgres::PoolError;
        match error {
            PoolError::Timeout(deadpool_postgres::TimeoutType::Wait) => Error::PoolTimeout {
                timeout: wait_timeout,
            },
            PoolError::Timeout(kind) => {
                Error::Pool(format!("timed out ({kind:?}) creating a connection"))
            }
            // tokio-postgres's text for every TLS failure, the cause after it.
            PoolError::Backend(source)
                if source
                    .to_string()
                    .starts_with("error performing TLS handshake") =>
            {
                Error::Tls { source }
            }
            PoolError::Backend(source) if source.as_db_error().is_none() => {
                Error::Unreachable { source }
            }
            PoolError::Backend(source) => Error::from_postgres(source, None),
            PoolError::PostCreateHook(deadpool_postgres::HookError::Backend(source)) => {
                Error::from_postgres(source, None)
            }
            other => Error::Pool(other.to_string()),
        }
    }
}

fn is_io(error: &tokio_postgres::Error) -> bool {
    std::error::Error::source(error).is_some_and(|inner| inner.is::<std::io::Error>())
}

fn quoted_list(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(",")
}

fn db_message(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

/// The column list of a PostgreSQL key detail: `Key (a, "b c")=(1, 2) already exists.` →
/// `["a", "b c"]`. Expression keys (`lower(email)`) come back as written.
pub(crate) fn key_columns(detail: &str) -> Option<Vec<String>> {
    let rest = detail.strip_prefix("Key (")?;
    let mut columns = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_quotes = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => in_quotes = !in_quotes,
            _ if in_quotes => current.push(c),
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' if depth == 0 => {
                columns.push(current.trim().to_owned());
                return Some(columns);
            }
            ')' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth == 0 => columns.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::key_columns;

    #[test]
    fn parses_key_details() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("Key (email)=(a@b.c) already exists.", Some(&["email"])),
            (
                "Key (\"tenantId\", slug)=(t, s) already exists.",
                Some(&["tenantId", "slug"]),
            ),
            (
                "Key (\"we\"\"ird, col\")=(x) already exists.",
                Some(&["we\"ird, col"]),
            ),
            (
                "Key (lower(email::text))=(x) already exists.",
                Some(&["lower(email::text)"]),
            ),
            (
                "Key (author_id)=(7) is not present in table \"User\".",
                Some(&["author_id"]),
            ),
            ("Failing row contains (1, null).", None),
        ];
        for (detail, expected) in cases {
            let expected =
                expected.map(|cols| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>());
            assert_eq!(key_columns(detail), expected, "for {detail}");
        }
    }
}

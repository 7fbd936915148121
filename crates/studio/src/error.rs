//! Errors: [`ApiError`], what one API request answers when it fails (an HTTP status, Prisma's
//! code where there is one, a message naming fields by their Prisma names), and [`Error`],
//! what starting the studio can fail with.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use refract_runtime::Error as DbError;
use refract_schema::ir::Model;
use serde_json::json;

use crate::catalog::Catalog;

/// Starting the studio failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot draw a random access token: {0}")]
    Token(String),
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// A failed API request, as the page shows it next to the action that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Prisma's error code (`P2002`...), where one fits.
    pub code: Option<&'static str>,
    pub message: String,
    /// The Prisma names of the fields the error is about, so the page can mark them.
    pub fields: Vec<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: Option<&'static str>, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A request the page should not have sent (unknown filter operator, malformed body).
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, None, message)
    }

    /// A value that does not fit its field (Prisma P2006).
    pub fn invalid_value(field: &str, message: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Some("P2006"),
            format!("invalid value for `{field}`: {message}"),
        )
        .with_fields([field.to_owned()])
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, None, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, None, message)
    }

    pub fn with_fields(mut self, fields: impl IntoIterator<Item = String>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// A database error, with column names turned into `model`'s field names.
    pub fn from_db(error: DbError, catalog: &Catalog, model: &Model) -> Self {
        let field = |column: &str| catalog.field_of_column(model, column).to_owned();
        let code = error.code();
        match &error {
            DbError::UniqueViolation { fields, .. } => {
                let fields: Vec<String> = fields.iter().map(|c| field(c)).collect();
                ApiError::new(
                    StatusCode::CONFLICT,
                    code,
                    format!(
                        "Unique constraint failed on the {}: ({})",
                        if fields.len() == 1 { "field" } else { "fields" },
                        backticked(&fields)
                    ),
                )
                .with_fields(fields)
            }
            DbError::ForeignKeyViolation {
                field: columns,
                constraint,
                ..
            } => {
                let fields: Vec<String> = columns
                    .as_deref()
                    .map(|c| c.split(", ").map(field).collect())
                    .unwrap_or_default();
                let detail = error
                    .postgres()
                    .and_then(|e| e.as_db_error())
                    .and_then(|e| e.detail())
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                let subject = if fields.is_empty() {
                    format!(
                        "constraint: `{}`",
                        constraint.as_deref().unwrap_or("(unknown)")
                    )
                } else {
                    format!("field: {}", backticked(&fields))
                };
                ApiError::new(
                    StatusCode::CONFLICT,
                    code,
                    format!("Foreign key constraint violated on the {subject}{detail}"),
                )
                .with_fields(fields)
            }
            DbError::NullConstraintViolation { field: column, .. } => {
                let fields: Vec<String> = column.iter().map(|c| field(c)).collect();
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    code,
                    format!(
                        "Null constraint violation on the fields: ({})",
                        backticked(&fields)
                    ),
                )
                .with_fields(fields)
            }
            DbError::Unreachable { .. }
            | DbError::Tls { .. }
            | DbError::Connection { .. }
            | DbError::PoolTimeout { .. }
            | DbError::Pool(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, error.to_string())
            }
            DbError::Database { source } => {
                let message = match source.as_db_error() {
                    Some(db) => match db.detail() {
                        Some(detail) => format!("{} ({detail})", db.message()),
                        None => db.message().to_owned(),
                    },
                    None => source.to_string(),
                };
                let fields = source
                    .as_db_error()
                    .and_then(|db| db.column())
                    .map(|c| vec![field(c)])
                    .unwrap_or_default();
                ApiError::new(StatusCode::BAD_REQUEST, code, with_hint(code, message))
                    .with_fields(fields)
            }
            _ => ApiError::new(StatusCode::BAD_REQUEST, code, error.to_string()),
        }
    }

    /// A database error outside any one model (row counts).
    pub fn from_db_plain(error: DbError) -> Self {
        let status = match error {
            DbError::Unreachable { .. }
            | DbError::Tls { .. }
            | DbError::Connection { .. }
            | DbError::PoolTimeout { .. }
            | DbError::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let code = error.code();
        ApiError::new(status, code, with_hint(code, error.to_string()))
    }
}

/// What to do about errors that mean the database does not match the schema.
fn with_hint(code: Option<&str>, message: String) -> String {
    match code {
        Some("P2021" | "P2022") => format!(
            "{message} (the database does not match the schema: apply the migrations first, \
             e.g. `gen migrate dev`)"
        ),
        _ => message,
    }
}

/// `` `a`, `b` ``: field names as Prisma's messages list them.
fn backticked(fields: &[String]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    format!("`{}`", fields.join("`, `"))
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "fields": self.fields,
            }
        });
        (self.status, Json(body)).into_response()
    }
}

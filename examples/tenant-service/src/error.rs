//! The service's one error type, [`ApiError`], rendered as a JSON body with the right
//! status, and the extractors that turn malformed input into it ([`JsonBody`],
//! [`QueryParams`]) instead of axum's plain-text rejections.
//!
//! Body shape: `{"error": {"code": "not_found", "message": "...", "field": "email"}}`;
//! `field` names the offending input or column where there is one.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An error a handler answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// A stable, machine-readable code (`not_found`, `invalid_input`, `unique_violation`...).
    pub code: &'static str,
    /// A sentence for people, naming the input or record concerned.
    pub message: String,
    /// The input field or model field concerned, when there is one.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 404: `what` (`agent`, `conversation`...) with this id does not exist *for this
    /// tenant*; another tenant's row gets the same answer as a missing one.
    pub fn not_found(what: &str, id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} `{id}` in this tenant"),
        )
    }

    /// 422: the request is well-formed JSON but `field` is not acceptable.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_owned()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
        }
    }

    /// 409: the request conflicts with the state of a record.
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// Client errors a handler does not translate itself: constraint failures become 409
/// (naming the field), everything else 500/503 with the detail in the log only.
///
/// A unique violation answers the same whoever holds the value: `Tenant.name` and
/// `User.email` are unique across tenants, so the holder may be another tenant, and the
/// answer names only the field the request sent, never the record that has the value (nor
/// that it exists, or in which tenant).
impl From<client::Error> for ApiError {
    fn from(error: client::Error) -> Self {
        match &error {
            client::Error::UniqueViolation { fields, .. } => {
                let named = fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                ApiError {
                    field: Some(fields.join(",")),
                    ..ApiError::new(
                        StatusCode::CONFLICT,
                        "unique_violation",
                        format!("this {named} cannot be used: choose another"),
                    )
                }
            }
            client::Error::ForeignKeyViolation { field, .. } => ApiError {
                field: field.clone(),
                ..ApiError::conflict(format!(
                    "the record referenced by `{}` no longer exists",
                    field.as_deref().unwrap_or("a relation")
                ))
            },
            client::Error::RecordNotFound { model, .. } => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no such {} in this tenant", model.to_lowercase()),
            ),
            // SQLSTATE class 22, data exception: a value the column cannot hold (a NUL
            // character in text, `\u0000` in JSON, ...). The input's fault, not ours.
            client::Error::Database { source } if is_data_exception(source) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                format!(
                    "a value was rejected by the database: {}",
                    source
                        .as_db_error()
                        .map_or_else(|| source.to_string(), |db| db.message().to_owned())
                ),
            ),
            client::Error::PoolTimeout { .. }
            | client::Error::Unreachable { .. }
            | client::Error::Tls { .. }
            | client::Error::Connection { .. } => {
                tracing::error!(%error, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is unavailable, try again",
                )
            }
            _ => {
                tracing::error!(%error, code = ?error.code(), "database error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error",
                )
            }
        }
    }
}

fn is_data_exception(error: &client::runtime::tokio_postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|state| state.code().starts_with("22"))
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Detail {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s: a body that is not JSON, or not the
/// shape the handler expects, is 422 with serde's message (which names the field); a
/// missing `Content-Type: application/json` is 415; a body over
/// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES) is 413.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a JSON body with `Content-Type: application/json`",
            )),
            // axum's body limit, met while buffering: the body is not malformed, it is long.
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "the request body is over the limit of {} bytes",
                        crate::MAX_BODY_BYTES
                    ),
                ))
            }
            Err(rejection) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("malformed request body: {}", rejection.body_text()),
            )),
        }
    }
}

/// `axum::extract::Query` whose rejection is a 422 [`ApiError`].
#[derive(Debug, Clone)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| QueryParams(value))
            .map_err(|rejection: QueryRejection| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    format!("malformed query string: {}", rejection.body_text()),
                )
            })
    }
}

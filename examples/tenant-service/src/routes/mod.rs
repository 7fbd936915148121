//! The handlers, one module per area, and the input checks they share.
//!
//! - [`setup`]: `POST /tenants`, `/users`, `/agents`, `/documents` (what a conversation
//!   and a search need to exist).
//! - [`conversations`]: `POST /conversations`, `GET /conversations/{id}`, `POST /messages`.
//! - [`kb`]: `GET /kb/search`, full-text search over the tenant's documents.

pub mod conversations;
pub mod kb;
pub mod setup;

use axum::http::StatusCode;
use client::runtime::PgEnum;
use serde_json::Value as Json;

use crate::error::ApiError;

/// The fallback: a JSON 404 for every path the router does not know.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// `value` as one of `variants`, matched case-insensitively (`"user"` and `"USER"` are
/// both `MessageRole::User`); otherwise 422 listing the accepted values.
pub(crate) fn parse_enum<E: PgEnum>(
    field: &str,
    value: &str,
    variants: &[E],
) -> Result<E, ApiError> {
    variants
        .iter()
        .copied()
        .find(|variant| variant.to_db().eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| {
            let accepted = variants
                .iter()
                .map(|variant| variant.to_db())
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::invalid(
                field,
                format!("`{field}` must be one of {accepted}, got `{value}`"),
            )
        })
}

/// `value`, trimmed, or 422 if that leaves nothing.
pub(crate) fn required_text(field: &str, value: &str) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// `value` if it is a JSON object, else 422.
pub(crate) fn json_object(field: &str, value: Json) -> Result<Json, ApiError> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::invalid(
            field,
            format!("`{field}` must be a JSON object"),
        ))
    }
}

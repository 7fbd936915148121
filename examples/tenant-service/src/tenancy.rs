//! The tenant a request acts for: the `X-Tenant-Id` header, checked against the
//! `Tenant` table once per request. Handlers take a [`CurrentTenant`] argument and run
//! every query on its [`TenantClient`] (`tenant.db`, the client's `for_tenant`): the client
//! restricts each statement to the tenant and sets `refract.tenant_id` for the database's
//! row-level security, so no handler writes a tenant filter, and none reads the header.
//!
//! In a real deployment the id would come from a verified token rather than a bare
//! header; what matters here is that it is resolved in one place.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use client::runtime::TenantClient;
use client::{Models, tenant};

use crate::AppState;
use crate::error::ApiError;

/// The header naming the tenant.
pub const TENANT_HEADER: &str = "x-tenant-id";

/// An existing tenant's id, taken from the request, and the client scoped to it.
#[derive(Debug, Clone)]
pub struct CurrentTenant {
    pub id: String,
    /// The application's client restricted to this tenant: the only one handlers use.
    pub db: TenantClient,
}

impl FromRequestParts<AppState> for CurrentTenant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = parts
            .headers
            .get(TENANT_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "missing_tenant",
                    "the `X-Tenant-Id` header is required",
                )
            })?;
        let exists = state
            .db
            .tenant()
            .count()
            .filter(tenant::ID.equals(id))
            .await?
            > 0;
        if !exists {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_tenant",
                format!("no tenant `{id}`"),
            ));
        }
        Ok(CurrentTenant {
            id: id.to_owned(),
            db: state.db.for_tenant(id)?,
        })
    }
}

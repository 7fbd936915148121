//! tenant-service: the reference application of refract, a multi-tenant AI-agent
//! service (axum) on the client `gen generate` wrote from the root `schema.prisma`.
//!
//! Owns the HTTP surface: routing ([`router`]), the tenant a request acts for
//! ([`tenancy`]), input checks and JSON errors ([`error`]), the handlers ([`routes`]),
//! and the process-wide client for code outside handlers ([`singleton`]). Its only SQL
//! is two raw queries with bound parameters (the full-text search of `GET /kb/search`
//! and the usage report); everything else goes through the generated client.
//!
//! The key invariant is tenant isolation, and it is the client's: every handler runs its
//! queries on the request's tenant-scoped client (`db.for_tenant(id)`, in [`tenancy`]),
//! which restricts every statement to the tenant (and sets `refract.tenant_id` for the
//! database's row-level-security policies), so no handler writes a tenant filter, a row of
//! another tenant is indistinguishable from a missing one, and the answer is 404. The
//! unscoped client serves only what is not a tenant's: creating tenants and the
//! cross-tenant usage report ([`singleton`]).
//!
//! Writes that touch several rows (a conversation and its checks, a message and its
//! conversation) run in one transaction: a request that fails leaves nothing behind.
//!
//! The client reaches handlers by injection ([`AppState`] through axum's `State`);
//! [`singleton`] shows the other style of the seed notes, a process-wide accessor.

pub mod demo;
pub mod error;
pub mod routes;
pub mod singleton;
pub mod tenancy;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;

/// What every handler receives: the client (its clones share one connection pool).
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: client::Client,
}

/// The largest request body the service reads (axum's default, stated here because the
/// 413 error names it); a longer one is refused with 413 before it is read to the end.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The service's routes over `db`. `main` serves it; tests serve it on a random port.
pub fn router(db: client::Client) -> Router {
    Router::new()
        .route("/tenants", post(routes::setup::create_tenant))
        .route("/users", post(routes::setup::create_user))
        .route("/agents", post(routes::setup::create_agent))
        .route("/documents", post(routes::setup::create_document))
        .route(
            "/conversations",
            post(routes::conversations::create_conversation),
        )
        .route(
            "/conversations/{id}",
            get(routes::conversations::get_conversation),
        )
        .route("/messages", post(routes::conversations::append_message))
        .route("/kb/search", get(routes::kb::search))
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState { db })
}

/// The root README.md, so that its Rust samples (the getting-started client code) are
/// compiled by `cargo test` as doctests of this crate, with its dependencies (`client`,
/// `tokio`, `serde_json`). Output shown in the README belongs in `text` blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

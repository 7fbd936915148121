//! refract-studio: a browser UI to view and edit the rows of a schema's models.
//!
//! Owns the HTTP server (axum), its access rules ([`guard`]), the page (plain HTML, CSS and
//! JavaScript embedded with `include_str!`, see [`assets`]) and the JSON API the page calls.
//! It reads only the IR ([`refract_schema::ir`]) to know models, fields, types and relations,
//! and writes no SQL: at startup it describes each model to the runtime as generated code
//! would ([`meta`]: a `ModelMeta` per model, leaked once), and every read and write is a
//! call of the runtime's [`refract_runtime::dynamic`] entry point, rendered by the
//! runtime's renderer and run by its executor, with the runtime's client-side defaults
//! ([`refract_runtime::defaults`]). It knows nothing of flags, `.env` or opening a browser:
//! the CLI resolves those and calls [`Studio::bind`] then [`Studio::serve`].
//!
//! The key design decision: the studio works on *dynamic* models. Instead of generated
//! structs, each field has a [`catalog::Shape`] that says how its values travel (as text,
//! numbers, hex, RFC 3339, JSON) and how they are read and bound, so one code path serves
//! every schema.
//!
//! # API (all behind the token, Host and Origin checks)
//! | request | answer |
//! |---|---|
//! | `GET /?token=T` | the page |
//! | `GET /api/schema` | models, fields, relations, enums ([`catalog::Catalog::describe`]) |
//! | `GET /api/counts` | `{counts: {Model: n}, errors: {Model: message}}` |
//! | `POST /api/models/{Model}/rows` | [`query::PageRequest`] → `{rows, total}` |
//! | `POST /api/models/{Model}/create` | [`query::CreateRequest`] → `{row}` |
//! | `POST /api/models/{Model}/update` | [`query::UpdateRequest`] → `{row}` |
//! | `POST /api/models/{Model}/delete` | [`query::DeleteRequest`] → `{deleted}` |
//! | `POST /api/models/{Model}/link` | [`query::LinkRequest`] → `{linked, changed}`: a many-to-many link made or removed |
//!
//! A row is an object of field name → value; a row holding values of their field's type the
//! studio cannot decode (`timestamp 'infinity'`...) gives them as PostgreSQL prints them and
//! names those fields in `$unreadable`, which the page shows read-only ([`values::Cell`]).
//!
//! Errors answer `{error: {code, message, fields}}` with Prisma's code where one fits
//! (`P2002` unique, `P2003` foreign key, `P2011` null, `P2012` missing value, `P2025` not
//! found); a failed write writes nothing (each write is one statement).

pub mod api;
pub mod assets;
pub mod catalog;
pub mod error;
pub mod guard;
pub mod meta;
pub mod query;
pub mod values;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use refract_runtime::Client;
use refract_schema::ir;
use tokio::net::TcpListener;

pub use error::{ApiError, Error};
pub use guard::{Access, TOKEN_HEADER, new_token};

/// How to run one studio.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The access token; `None` draws a random one.
    pub token: Option<String>,
    /// Host names (without port) the server also answers to, besides its address and, on
    /// loopback, `localhost`.
    pub extra_hosts: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 5555)),
            token: None,
            extra_hosts: Vec::new(),
        }
    }
}

/// The API and page for `schema` over `client`, behind `access`.
pub fn router(schema: ir::Schema, client: Client, access: Access) -> Router {
    let catalog = catalog::Catalog::new(schema);
    let description = catalog.describe().to_string();
    let access = Arc::new(access);
    let state = Arc::new(api::AppState {
        catalog,
        client,
        access: access.clone(),
        description,
    });
    Router::new()
        .route("/", get(api::index))
        .route("/assets/studio.js", get(api::script))
        .route("/assets/studio.css", get(api::style))
        .route("/favicon.svg", get(api::favicon))
        .route("/api/schema", get(api::schema))
        .route("/api/counts", get(api::counts))
        .route("/api/models/{model}/rows", post(api::page))
        .route("/api/models/{model}/create", post(api::create))
        .route("/api/models/{model}/update", post(api::update))
        .route("/api/models/{model}/delete", post(api::delete))
        .route("/api/models/{model}/link", post(api::link))
        .fallback(api::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(access, guard::guard))
}

/// A studio listening, not yet serving.
pub struct Studio {
    listener: TcpListener,
    router: Router,
    url: String,
    local_addr: SocketAddr,
}

impl Studio {
    /// Listens on `options.addr` and prepares the router.
    pub async fn bind(
        schema: ir::Schema,
        client: Client,
        options: Options,
    ) -> Result<Studio, Error> {
        let token = match options.token {
            Some(token) => token,
            None => new_token()?,
        };
        let listener = TcpListener::bind(options.addr)
            .await
            .map_err(|source| Error::Bind {
                addr: options.addr,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: options.addr,
            source,
        })?;
        let url_host = if local_addr.ip().is_unspecified() || local_addr.ip().is_loopback() {
            "127.0.0.1".to_owned()
        } else {
            match local_addr.ip() {
                std::net::IpAddr::V4(v4) => v4.to_string(),
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            }
        };
        let url = format!("http://{url_host}:{}/?token={token}", local_addr.port());
        let access = Access::new(token, local_addr, &options.extra_hosts);
        Ok(Studio {
            listener,
            router: router(schema, client, access),
            url,
            local_addr,
        })
    }

    /// The URL to open, token included.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::Serve)
    }
}

/// Validates a schema written indented inside a test (Prisma wants blocks at line starts).
#[cfg(test)]
pub(crate) fn test_schema(text: &str) -> refract_schema::Validated {
    let text: String = text.lines().map(|l| format!("{}\n", l.trim())).collect();
    refract_schema::validate_str("schema.prisma", &text)
}

//! refract-runtime (docs below are filled in after the API compiles).

mod actions;
mod client;
mod decode;
mod error;
mod executor;
pub mod global;
pub mod ids;
mod model;
mod query;
mod render;
mod transaction;
mod value;

pub use actions::*;
pub use client::{Client, ClientConfig};
pub use decode::{Decode, FromRow, PgEnum, decode};
pub use error::Error;
pub use executor::{AsExecutor, BoxFuture, Executor};
pub use model::{Column, Model, ModelMeta, Table};
pub use query::*;
pub use render::quote_ident;
pub use transaction::{IsolationLevel, Transaction, TransactionOptions};
pub use value::{IntoValue, Value};

pub use tokio_postgres::Row;

/// Crates whose types appear in generated code, re-exported so that a generated crate
/// needs no other dependency for them.
pub use {chrono, postgres_types, rust_decimal, serde_json, tokio_postgres};

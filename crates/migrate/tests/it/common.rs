//! Shared helpers: corpus paths, introspecting.

use std::path::PathBuf;

use refract_migrate::SqlSchema;
use refract_migrate::introspect::{Namespaces, introspect};
use tokio_postgres::Client;

/// `../shared/corpus`, seen from the workspace root.
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

pub async fn introspect_public(client: &Client) -> SqlSchema {
    introspect(client, &Namespaces::default()).await.unwrap()
}

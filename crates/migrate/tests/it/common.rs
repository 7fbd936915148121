//! Shared helpers: corpus paths, introspecting.

use std::path::PathBuf;

use refract_migrate::SqlSchema;
use refract_migrate::introspect::{Namespaces, introspect};
use tokio_postgres::Client;

/// `../shared/corpus`, seen from the workspace root.
/// Tests need it: a missing corpus fails loudly rather than testing nothing.
pub fn corpus() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(path.is_dir(), "the corpus is missing at {}", path.display());
    path
}

pub async fn introspect_public(client: &Client) -> SqlSchema {
    introspect(client, &Namespaces::default()).await.unwrap()
}

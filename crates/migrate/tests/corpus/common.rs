//! Shared helpers: the corpus' path, introspecting.

use refract_migrate::SqlSchema;
use refract_migrate::introspect::{Namespaces, introspect};
use tokio_postgres::Client;

/// The corpus `REFRACT_CORPUS` names (refract-testdb reads it for every corpus test).
pub use refract_testdb::corpus;

pub async fn introspect_public(client: &Client) -> SqlSchema {
    introspect(client, &Namespaces::default()).await.unwrap()
}

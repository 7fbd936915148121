//! Shared helpers: introspecting.

use refract_migrate::SqlSchema;
use refract_migrate::introspect::{Namespaces, introspect};
use tokio_postgres::Client;

pub async fn introspect_public(client: &Client) -> SqlSchema {
    introspect(client, &Namespaces::default()).await.unwrap()
}

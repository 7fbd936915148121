//! Shared helpers: the corpus' path, introspecting.

use std::path::PathBuf;

use refract_migrate::SqlSchema;
use refract_migrate::introspect::{Namespaces, introspect};
use tokio_postgres::Client;

/// The corpus `REFRACT_CORPUS` names (`cargo xtask conformance` sets it). Tests need it:
/// a missing corpus fails loudly rather than testing nothing.
pub fn corpus() -> PathBuf {
    let Some(path) = std::env::var_os("REFRACT_CORPUS").map(PathBuf::from) else {
        panic!(
            "REFRACT_CORPUS is not set: it names the corpus these tests read (run them with `cargo xtask conformance tests`)"
        );
    };
    assert!(
        path.is_dir(),
        "the corpus is missing at {} (REFRACT_CORPUS; a relative path is read from crates/migrate)",
        path.display()
    );
    path
}

pub async fn introspect_public(client: &Client) -> SqlSchema {
    introspect(client, &Namespaces::default()).await.unwrap()
}

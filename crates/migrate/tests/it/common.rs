//! Shared helpers: corpus paths, applying a migrations folder, introspecting.

use std::path::PathBuf;

use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::migrations_dir::list_migrations;
use refract_migrate::{SqlSchema, apply, history};
use tokio_postgres::Client;

/// `../shared/corpus`, seen from the workspace root.
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Applies every migration of `dir` in order with refract's apply, recording history.
/// Returns how many were applied.
pub async fn apply_folder(client: &mut Client, dir: &std::path::Path) -> usize {
    history::ensure_table(&*client).await.unwrap();
    let migrations = list_migrations(dir).unwrap();
    assert!(!migrations.is_empty(), "no migrations in {}", dir.display());
    for migration in &migrations {
        let script = migration.read_script().unwrap();
        if let Err(e) = apply::apply_migration(client, &migration.name, &script).await {
            panic!("{}: {e}", dir.display());
        }
    }
    migrations.len()
}

pub async fn introspect_public(client: &Client) -> SqlSchema {
    introspect(client, &Namespaces::default()).await.unwrap()
}

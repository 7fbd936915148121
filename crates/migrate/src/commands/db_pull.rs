//! `db pull` over an existing schema: introspect, then re-introspect as Prisma does (keep
//! the existing schema's names, client-side defaults, `@updatedAt`, `@ignore`, comments), or
//! render the raw introspection when asked to ignore the existing models (`--force`).

use super::connection::connect;
use super::{Config, MigrateError, namespaces_for};
use crate::introspect::introspect;
use crate::pull::{Existing, Pulled, reintrospect};

/// What `db pull` does with the models and enums already in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingModels {
    /// Re-introspection: keep what the database cannot know (Prisma's default).
    Keep,
    /// Raw introspection: names as the database has them (Prisma's `--force`).
    Ignore,
}

/// `db pull`: the database's schema as `schema.prisma` text after `preamble` (the generator
/// and datasource blocks to keep), re-introspected over `existing` (which also decides which
/// namespaces are read) unless `models` says to ignore its models.
pub async fn db_pull_over(
    config: &Config,
    existing: Option<Existing<'_>>,
    preamble: &str,
    models: ExistingModels,
) -> Result<Pulled, MigrateError> {
    let client = connect(&config.url).await?;
    let namespaces = namespaces_for(existing.map(|e| e.schema), &config.url);
    let live = introspect(&client, &namespaces).await?;
    let previous = existing.filter(|_| models == ExistingModels::Keep);
    Ok(reintrospect(&live, preamble, previous))
}

//! The shadow database: a scratch database the migrations folder is replayed into, so its
//! effect can be introspected (Prisma's only way to know what opaque SQL migrations do).
//!
//! Without a shadow URL, a `prisma_migrate_shadow_db_<uuid>` database is created on the
//! development server and always dropped afterwards (`WITH (FORCE)`); with one, its
//! namespaces are emptied first.

use tokio_postgres::Client;

use super::connection::{connect, connect_or_create, with_database};
use super::{Config, MigrateError};
use crate::apply::{run_script, run_script_for};
use crate::introspect::{Namespaces, introspect};
use crate::migrations_dir::MigrationDirectory;
use crate::sql::Ident;
use crate::sql_schema::SqlSchema;

pub(crate) struct Shadow {
    pub client: Client,
    /// (admin connection, database to drop) for a temporary shadow database.
    temporary: Option<(Client, String)>,
}

impl Shadow {
    pub async fn create(config: &Config, namespaces: &Namespaces) -> Result<Shadow, MigrateError> {
        let names = match namespaces {
            Namespaces::Single(ns) => vec![ns.clone()],
            Namespaces::Multi(list) => list.clone(),
        };
        if let Some(url) = &config.shadow_database_url {
            let client = connect_or_create(url).await?;
            for ns in &names {
                client
                    .batch_execute(&format!(
                        "DROP SCHEMA IF EXISTS {ns} CASCADE; CREATE SCHEMA {ns};",
                        ns = Ident(ns)
                    ))
                    .await?;
            }
            return Ok(Shadow {
                client,
                temporary: None,
            });
        }
        let admin = connect(&config.url).await?;
        let uuid: String = admin
            .query_one("SELECT gen_random_uuid()::text", &[])
            .await?
            .get(0);
        let name = format!("prisma_migrate_shadow_db_{uuid}");
        admin
            .batch_execute(&format!("CREATE DATABASE {}", Ident(&name)))
            .await
            .map_err(|e| MigrateError::ShadowDatabase(e.to_string()))?;
        let url = with_database(&config.url, &name)
            .ok_or_else(|| MigrateError::InvalidUrl(config.url.clone()))?;
        let client = match connect(&url).await {
            Ok(client) => client,
            Err(e) => {
                let _ = admin
                    .batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        Ident(&name)
                    ))
                    .await;
                return Err(e);
            }
        };
        let shadow = Shadow {
            client,
            temporary: Some((admin, name)),
        };
        for ns in &names {
            if let Err(e) = shadow
                .client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", Ident(ns)))
                .await
            {
                shadow.cleanup().await;
                return Err(e.into());
            }
        }
        Ok(shadow)
    }

    /// Drops a temporary shadow database. Errors are ignored: the work is done.
    pub async fn cleanup(self) {
        let Shadow { client, temporary } = self;
        drop(client);
        if let Some((admin, name)) = temporary {
            let _ = admin
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    Ident(&name)
                ))
                .await;
        }
    }
}

/// Replays `migrations` into a fresh shadow database and introspects the result. Each
/// script is planned for `target_version` (the `server_version_num` of the database they
/// are applied to) when there is one, so that the replay and the real apply accept and
/// refuse the same scripts whatever server the shadow is; otherwise for the shadow's own.
pub(crate) async fn schema_of_migrations(
    config: &Config,
    migrations: &[(MigrationDirectory, String)],
    namespaces: &Namespaces,
    target_version: Option<u32>,
) -> Result<SqlSchema, MigrateError> {
    let mut shadow = Shadow::create(config, namespaces).await?;
    let result = replay(&mut shadow.client, migrations, namespaces, target_version).await;
    shadow.cleanup().await;
    result
}

async fn replay(
    client: &mut Client,
    migrations: &[(MigrationDirectory, String)],
    namespaces: &Namespaces,
    target_version: Option<u32>,
) -> Result<SqlSchema, MigrateError> {
    for (migration, script) in migrations {
        let run = match target_version {
            Some(version) => run_script_for(client, &migration.name, script, version).await,
            None => run_script(client, &migration.name, script).await,
        };
        run.map_err(|error| MigrateError::ShadowApply {
            migration: migration.name.clone(),
            error: Box::new(error),
        })?;
    }
    Ok(introspect(client, namespaces).await?)
}

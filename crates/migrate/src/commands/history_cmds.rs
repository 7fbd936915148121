//! `migrate deploy`, `migrate status`, `migrate reset`, `migrate resolve`: the commands that
//! work on the history alone, without a shadow database or a schema.

use tokio_postgres::Client;

use super::connection::{connect, connect_or_create};
use super::diagnose::{HistoryDiagnosis, diagnose_history};
use super::{Config, MigrateError};
use crate::apply::{apply_migration, plan, server_version_num};
use crate::checksum::render_checksum;
use crate::history;
use crate::introspect::Namespaces;
use crate::migrations_dir::{MigrationDirectory, NonUtf8Name, list_migrations};
use crate::sql::Ident;

/// What `deploy` applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployReport {
    pub applied: Vec<String>,
}

/// What `status` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub migrations_found: usize,
    pub history_table_exists: bool,
    pub diagnosis: HistoryDiagnosis,
}

impl StatusReport {
    pub fn is_in_sync(&self) -> bool {
        self.diagnosis.is_in_sync()
    }
}

/// The migrations folder with each script read.
pub(crate) fn read_folder(
    config: &Config,
) -> Result<Vec<(MigrationDirectory, String)>, MigrateError> {
    let migrations = list_migrations(&config.migrations_dir).map_err(|error| {
        match NonUtf8Name::in_error(&error) {
            Some(folder) => MigrateError::NonUtf8MigrationName(folder.to_owned()),
            None => MigrateError::Io {
                path: config.migrations_dir.clone(),
                source: error,
            },
        }
    })?;
    migrations
        .into_iter()
        .map(|m| {
            let script = m.read_script().map_err(MigrateError::io(m.script_path()))?;
            Ok((m, script))
        })
        .collect()
}

/// Plans every migration `apply` selects before any runs, so a script that cannot run as
/// written stops the command before anything is applied.
pub(crate) async fn check_scripts(
    client: &Client,
    folder: &[(MigrationDirectory, String)],
    apply: impl Fn(&MigrationDirectory) -> bool,
) -> Result<(), MigrateError> {
    let version = server_version_num(client).await?;
    for (migration, script) in folder.iter().filter(|(m, _)| apply(m)) {
        plan(&migration.name, script, version)?;
    }
    Ok(())
}

/// Runs `body` under the advisory lock (when enabled), releasing it whatever happens.
pub(crate) async fn locked<T>(
    config: &Config,
    client: &mut Client,
    body: impl AsyncFnOnce(&mut Client) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    if config.advisory_lock {
        history::acquire_lock(client).await?;
    }
    let result = body(client).await;
    if config.advisory_lock {
        let _ = history::release_lock(client).await;
    }
    result
}

/// Applies pending migrations, never resetting and never using a shadow database. Refuses
/// when a failed migration is recorded (P3009) or an applied one was edited.
pub async fn deploy(config: &Config) -> Result<DeployReport, MigrateError> {
    let mut client = connect_or_create(&config.url).await?;
    let folder = read_folder(config)?;
    locked(config, &mut client, async |client| {
        if !history::table_exists(&*client).await?
            && !folder.is_empty()
            && database_has_tables(client).await?
        {
            return Err(MigrateError::NotEmpty);
        }
        history::ensure_table(&*client).await?;
        let records = history::list(&*client).await?;
        let diagnosis = diagnose_history(&folder, &records);
        if !diagnosis.failed.is_empty() {
            return Err(MigrateError::FailedMigrations(diagnosis.failed));
        }
        if !diagnosis.edited.is_empty() {
            return Err(MigrateError::EditedMigrations(diagnosis.edited));
        }
        check_scripts(client, &folder, |m| diagnosis.pending.contains(&m.name)).await?;
        let mut report = DeployReport::default();
        for (migration, script) in &folder {
            if diagnosis.pending.contains(&migration.name) {
                apply_migration(client, &migration.name, script).await?;
                report.applied.push(migration.name.clone());
            }
        }
        Ok(report)
    })
    .await
}

/// Tables in the current schema other than the history table.
async fn database_has_tables(client: &Client) -> Result<bool, MigrateError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> '_prisma_migrations')",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

/// Compares the folder with the history table. Read-only, except that connecting creates
/// the URL's schema when it is missing, as Prisma's `migrate status` does.
pub async fn status(config: &Config) -> Result<StatusReport, MigrateError> {
    let client = connect(&config.url).await?;
    let folder = read_folder(config)?;
    let history_table_exists = history::table_exists(&client).await?;
    let records = history::list(&client).await?;
    Ok(StatusReport {
        migrations_found: folder.len(),
        history_table_exists,
        diagnosis: diagnose_history(&folder, &records),
    })
}

/// Drops and recreates the namespaces, drops the history, then applies every migration.
pub async fn reset(config: &Config, namespaces: &Namespaces) -> Result<DeployReport, MigrateError> {
    let mut client = connect_or_create(&config.url).await?;
    let folder = read_folder(config)?;
    let names = match namespaces {
        Namespaces::Single(ns) => vec![ns.clone()],
        Namespaces::Multi(list) => list.clone(),
    };
    locked(config, &mut client, async |client| {
        check_scripts(client, &folder, |_| true).await?;
        for ns in &names {
            client
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {ns} CASCADE; CREATE SCHEMA {ns};",
                    ns = Ident(ns)
                ))
                .await?;
        }
        let _ = client
            .batch_execute("DROP TABLE IF EXISTS _prisma_migrations")
            .await;
        history::ensure_table(&*client).await?;
        let mut report = DeployReport::default();
        for (migration, script) in &folder {
            apply_migration(client, &migration.name, script).await?;
            report.applied.push(migration.name.clone());
        }
        Ok(report)
    })
    .await
}

/// `resolve --applied NAME`: records a migration as applied without running it (baselining,
/// or after fixing a failed one by hand). Failed rows of the same name are marked rolled back.
pub async fn resolve_applied(config: &Config, name: &str) -> Result<(), MigrateError> {
    let mut client = connect(&config.url).await?;
    let folder = read_folder(config)?;
    let Some((_, script)) = folder.iter().find(|(m, _)| m.name == name) else {
        return Err(MigrateError::MigrationNotFound(name.to_owned()));
    };
    locked(config, &mut client, async |client| {
        history::ensure_table(&*client).await?;
        let records = history::list(&*client).await?;
        if records
            .iter()
            .any(|r| r.migration_name == name && r.is_applied())
        {
            return Err(MigrateError::AlreadyApplied(name.to_owned()));
        }
        for record in records
            .iter()
            .filter(|r| r.migration_name == name && r.is_failed())
        {
            history::mark_rolled_back(&*client, &record.id).await?;
        }
        history::mark_applied(&*client, name, &render_checksum(script)).await?;
        Ok(())
    })
    .await
}

/// `resolve --rolled-back NAME`: marks a failed migration rolled back, so that deploy runs it
/// again.
pub async fn resolve_rolled_back(config: &Config, name: &str) -> Result<(), MigrateError> {
    let mut client = connect(&config.url).await?;
    locked(config, &mut client, async |client| {
        let records = history::list(&*client).await?;
        let failed: Vec<_> = records
            .iter()
            .filter(|r| r.migration_name == name && r.is_failed())
            .collect();
        if failed.is_empty() {
            return Err(MigrateError::NotFailed(name.to_owned()));
        }
        for record in failed {
            history::mark_rolled_back(&*client, &record.id).await?;
        }
        Ok(())
    })
    .await
}

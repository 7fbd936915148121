//! `migrate dev`: Prisma's development loop, under the advisory lock.
//!
//! 1. Check `migration_lock.toml` names `postgresql`.
//! 2. Diagnose the history: failed, edited, applied-but-missing migrations; drift between the
//!    applied migrations (replayed in a shadow database) and the development database. Any of
//!    these means the database must be reset: the outcome says why, nothing is changed.
//! 3. Apply pending migrations.
//! 4. Diff the whole folder (replayed in a shadow database) against the schema. Nothing to
//!    do: say so, write nothing.
//! 5. Check the steps against the development database's data: unexecutable steps fail
//!    (unless only creating), data-losing ones need consent.
//! 6. Write `<timestamp>_<name>/migration.sql` and `migration_lock.toml`, apply and record it.

use chrono::{DateTime, Utc};
use refract_schema::ir;

use super::connection::connect_or_create;
use super::diagnose::diagnose_history;
use super::history_cmds::{check_scripts, locked, read_folder};
use super::shadow::schema_of_migrations;
use super::{Config, MigrateError, namespaces_for, url_schema};
use crate::apply::apply_migration;
use crate::check;
use crate::history;
use crate::introspect::introspect;
use crate::migrations_dir::{
    MAX_NAME_LEN, create_migration, migration_folder_name, read_lock_provider, slugify,
    write_lock_file,
};
use crate::render::render_script;
use crate::step::Pair;
use crate::summary::summarize;
use crate::{diff, lower_in};

#[derive(Debug, Clone)]
pub struct DevOptions {
    /// The migration name as the user typed it; slugified as Prisma does.
    pub name: String,
    /// Write the migration without applying it.
    pub create_only: bool,
    /// Consent to the data-loss warnings.
    pub accept_data_loss: bool,
    /// The time the migration folder is named after.
    pub now: DateTime<Utc>,
}

impl DevOptions {
    pub fn new(name: impl Into<String>) -> Self {
        DevOptions {
            name: name.into(),
            create_only: false,
            accept_data_loss: false,
            now: Utc::now(),
        }
    }
}

/// What `migrate dev` did, or what it needs from the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevOutcome {
    /// The database must be reset first (`migrate reset`); nothing was changed.
    NeedsReset { reasons: Vec<String> },
    /// The new migration loses data; nothing was written. `applied` lists pending migrations
    /// applied before the check.
    NeedsConsent {
        warnings: Vec<String>,
        applied: Vec<String>,
    },
    /// The schema and the migrations agree; nothing written.
    AlreadyInSync { applied: Vec<String> },
    /// A migration was written (and applied unless `create_only`).
    Created {
        folder: String,
        script: String,
        warnings: Vec<String>,
        applied: Vec<String>,
    },
}

pub async fn dev(
    config: &Config,
    schema: &ir::Schema,
    options: &DevOptions,
) -> Result<DevOutcome, MigrateError> {
    let name = slugify(&options.name);
    if name.len() > MAX_NAME_LEN {
        return Err(MigrateError::NameTooLong);
    }
    if let Some(provider) = read_lock_provider(&config.migrations_dir)
        .map_err(MigrateError::io(&config.migrations_dir))?
    {
        if provider != "postgresql" {
            return Err(MigrateError::ProviderMismatch(provider));
        }
    }
    let mut client = connect_or_create(&config.url).await?;
    locked(config, &mut client, async |client| {
        let namespaces = namespaces_for(Some(schema), &config.url);
        let default_namespace = url_schema(&config.url);
        let folder = read_folder(config)?;
        let records = history::list(&*client).await?;
        let diagnosis = diagnose_history(&folder, &records);
        check_scripts(client, &folder, |m| diagnosis.pending.contains(&m.name)).await?;

        let mut reasons = diagnosis.reset_reasons();
        if reasons.is_empty() {
            // Drift: what the applied migrations produce versus what the database is.
            let applied: Vec<_> = folder
                .iter()
                .filter(|(m, _)| diagnosis.applied.contains(&m.name))
                .cloned()
                .collect();
            let expected = schema_of_migrations(config, &applied, &namespaces).await?;
            let actual = introspect(&*client, &namespaces).await?;
            let drift = diff(&expected, &actual);
            if !drift.is_empty() {
                reasons.push(format!(
                    "Drift detected: Your database schema is not in sync with your migration history.\n\n\
                     The following is a summary of the differences between the expected database schema given your migrations files, and the actual schema of the database.\n\n\
                     It should be understood as the set of changes to get from the expected schema to the actual schema.\n{}",
                    summarize(&drift, Pair::new(&expected, &actual))
                ));
            }
        }
        if !reasons.is_empty() {
            return Ok(DevOutcome::NeedsReset { reasons });
        }

        history::ensure_table(&*client).await?;
        let mut applied = Vec::new();
        for (migration, script) in &folder {
            if diagnosis.pending.contains(&migration.name) {
                apply_migration(client, &migration.name, script).await?;
                applied.push(migration.name.clone());
            }
        }

        let from = schema_of_migrations(config, &folder, &namespaces).await?;
        let target = lower_in(schema, &default_namespace);
        let steps = diff(&from, &target);
        if steps.is_empty() && !options.create_only {
            return Ok(DevOutcome::AlreadyInSync { applied });
        }

        // Warnings count the development database's data (which has no drift, so its tables
        // are the ones the steps name).
        let pair = Pair::new(&from, &target);
        let plan = check::plan(&steps, pair);
        let counts = check::count(&*client, &plan).await?;
        let diagnostics = check::evaluate(&plan, &counts);
        if !diagnostics.unexecutable.is_empty() && !options.create_only {
            return Err(MigrateError::Unexecutable(
                diagnostics.unexecutable.iter().map(|m| m.message.clone()).collect(),
            ));
        }
        let warnings: Vec<String> = diagnostics.warnings.iter().map(|m| m.message.clone()).collect();
        if !warnings.is_empty() && !options.accept_data_loss && !options.create_only {
            return Ok(DevOutcome::NeedsConsent { warnings, applied });
        }

        let script = render_script(&steps, pair, &diagnostics);
        let newest = folder.last().map(|(migration, _)| migration.name.as_str());
        let folder_name = migration_folder_name(options.now, &name, newest);
        let migration = create_migration(&config.migrations_dir, &folder_name, &script)
            .map_err(MigrateError::io(config.migrations_dir.join(&folder_name)))?;
        write_lock_file(&config.migrations_dir).map_err(MigrateError::io(&config.migrations_dir))?;
        if !options.create_only {
            apply_migration(client, &migration.name, &script).await?;
            applied.push(migration.name.clone());
        }
        Ok(DevOutcome::Created {
            folder: folder_name,
            script,
            warnings,
            applied,
        })
    })
    .await
}

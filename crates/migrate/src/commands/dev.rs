//! `migrate dev`: Prisma's development loop, under the advisory lock.
//!
//! 1. Check `migration_lock.toml` names `postgresql`.
//! 2. Diagnose the history: failed, edited, applied-but-missing migrations; drift between the
//!    applied migrations (replayed in a shadow database, each script planned for the
//!    development database's version) and the development database. A failed migration
//!    comes back as [`DevOutcome::FailedMigrations`] (saying whether nothing of it ran, so
//!    `resolve --rolled-back` keeps every row: only when its row says refract ran it in one
//!    transaction that rolled back, [`crate::apply::ROLLED_BACK_LOGS`], and its checksum is
//!    the file's); drift alone as [`DevOutcome::Drift`], unless `absorb_drift` asks to write
//!    it down as a migration `<timestamp>_absorbed_drift` (exactly the SQL from the history
//!    to the live database, with the data-loss warnings of the pure check as comments),
//!    recorded as applied since it already is; anything else as [`DevOutcome::NeedsReset`].
//!    No row of the development database is touched by absorbing, but `migrate deploy` runs
//!    the script on every other database: drift that drops, changes a type or removes an
//!    enum value is absorbed only with `accept_data_loss` or `accept_absorbed_data_loss`.
//!    Nothing is changed before the user chose.
//! 3. Apply pending migrations.
//! 4. Diff the whole folder (replayed in a shadow database) against the schema, with the
//!    confirmed renames (`renames`, `--rename`). When asked to (`ask_renames`, a terminal),
//!    dropped-and-added pairs of the same shape come back as [`DevOutcome::RenameQuestions`]
//!    first. Nothing to do: say so, write nothing.
//! 5. Check the steps against the development database's data: unexecutable steps fail
//!    (unless only creating), data-losing ones need consent.
//! 6. Write `<timestamp>_<name>/migration.sql` (with `safe`, up to two more folders: see
//!    [`crate::render::render_safe_scripts`]) and `migration_lock.toml`, apply and record them.

use chrono::{DateTime, Utc};
use refract_schema::ir;

use super::connection::connect_or_create;
use super::diagnose::diagnose_history;
use super::history_cmds::{check_scripts, locked, read_folder};
use super::renames::resolve_renames;
use super::shadow::schema_of_migrations;
use super::{Config, MigrateError, namespaces_for, url_schema};
use crate::apply::{ROLLED_BACK_LOGS, apply_migration, server_version_num};
use crate::check;
use crate::checksum::render_checksum;
use crate::diff::{Rename, diff_with_renames, rename_candidates};
use crate::history;
use crate::introspect::introspect;
use crate::migrations_dir::{
    MAX_NAME_LEN, create_migration, migration_folder_name, read_lock_provider, slugify,
    write_lock_file,
};
use crate::render::{render_safe_scripts, render_script};
use crate::step::Pair;
use crate::summary::summarize;
use crate::{diff, lower_in};

/// The name of the folder that absorbs drift (after its timestamp).
pub const ABSORBED_DRIFT_NAME: &str = "absorbed_drift";

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
    /// Confirmed renames as `--rename` writes them (`User.fullName=displayName`,
    /// `OldModel=NewModel`, `Role.ADMIN=ADMINISTRATOR`, `OldEnum=NewEnum`).
    pub renames: Vec<String>,
    /// Renames confirmed on a terminal (the candidates [`DevOutcome::RenameQuestions`] gave).
    pub confirmed_renames: Vec<Rename>,
    /// Candidates the user said were not renames.
    pub declined_renames: Vec<Rename>,
    /// Return [`DevOutcome::RenameQuestions`] for candidates neither confirmed nor declined
    /// (a terminal can ask); otherwise they stay drops and adds.
    pub ask_renames: bool,
    /// Write the drift between the history and the database down as a migration, recorded
    /// as applied, then go on.
    pub absorb_drift: bool,
    /// Consent to the data-loss warnings of the absorbed drift alone (what `migrate deploy`
    /// will run on every other database), as a terminal asks it; `accept_data_loss`
    /// consents to them too.
    pub accept_absorbed_data_loss: bool,
    /// Lock-safe scripts (`CREATE INDEX CONCURRENTLY`, `NOT VALID` then `VALIDATE`).
    pub safe: bool,
}

impl DevOptions {
    pub fn new(name: impl Into<String>) -> Self {
        DevOptions {
            name: name.into(),
            create_only: false,
            accept_data_loss: false,
            now: Utc::now(),
            renames: Vec::new(),
            confirmed_renames: Vec::new(),
            declined_renames: Vec::new(),
            ask_renames: false,
            absorb_drift: false,
            accept_absorbed_data_loss: false,
            safe: false,
        }
    }
}

/// What `migrate dev` did, or what it needs from the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevOutcome {
    /// The database must be reset first (`migrate reset`); nothing was changed.
    NeedsReset { reasons: Vec<String> },
    /// Migrations failed and were not rolled back; nothing was changed.
    FailedMigrations { failed: Vec<FailedMigration> },
    /// The database differs from what the applied migrations produce; nothing was changed.
    /// `summary` explains the drift, `script` is what absorbing it would write. Also the
    /// answer to `absorb_drift` when `warnings` is not empty and neither consent was given.
    Drift {
        summary: String,
        script: String,
        /// The data-loss warnings of the script (drops, type changes, enum value removals),
        /// worded for a database whose rows are unknown: `migrate deploy` runs the script on
        /// every other database. Absorbing needs consent when there are any.
        warnings: Vec<String>,
        /// Pending migrations, which must be applied before drift can be absorbed.
        pending: Vec<String>,
    },
    /// Dropped-and-added pairs that may be renames; nothing was written. Ask, then run again
    /// with the answers in `renames` / `declined_renames`.
    RenameQuestions {
        candidates: Vec<Rename>,
        applied: Vec<String>,
    },
    /// The new migration loses data; nothing was written. `applied` lists pending migrations
    /// applied before the check; `rename_candidates` the drops and adds that may be renames.
    NeedsConsent {
        warnings: Vec<String>,
        applied: Vec<String>,
        rename_candidates: Vec<Rename>,
    },
    /// The schema and the migrations agree; nothing written.
    AlreadyInSync { applied: Vec<String> },
    /// A migration was written (and applied unless `create_only`).
    Created {
        folder: String,
        script: String,
        warnings: Vec<String>,
        applied: Vec<String>,
        /// With `safe`: the later folders and their scripts, in applying order.
        more: Vec<(String, String)>,
        /// The `<timestamp>_absorbed_drift` folder written (and recorded) first, if any.
        absorbed: Option<String>,
        /// Its script and data-loss warnings (empty without one).
        absorbed_script: String,
        absorbed_warnings: Vec<String>,
    },
}

/// A migration recorded as failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMigration {
    pub name: String,
    /// Its history row says refract ran it in one transaction, which rolled back
    /// ([`ROLLED_BACK_LOGS`]), and the file is unchanged since (same checksum), so nothing
    /// of it was applied: `migrate resolve --rolled-back` and a fix keep every row. False
    /// for a row Prisma wrote (statements one at a time), a statement-by-statement run and
    /// an edited file: it may have failed part way.
    pub nothing_applied: bool,
}

pub async fn dev(
    config: &Config,
    schema: &ir::Schema,
    options: &DevOptions,
) -> Result<DevOutcome, MigrateError> {
    crate::tenancy::plan(schema)?;
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
        let mut folder = read_folder(config)?;
        let records = history::list(&*client).await?;
        let diagnosis = diagnose_history(&folder, &records);
        check_scripts(client, &folder, |m| diagnosis.pending.contains(&m.name)).await?;

        let reasons = diagnosis.reset_reasons();
        let only_failures = !diagnosis.failed.is_empty()
            && diagnosis.edited.is_empty()
            && diagnosis.missing_from_folder.is_empty();
        if only_failures {
            let failed = diagnosis
                .failed
                .iter()
                .map(|name| FailedMigration {
                    name: name.clone(),
                    nothing_applied: rolled_back_whole(&records, &folder, name),
                })
                .collect();
            return Ok(DevOutcome::FailedMigrations { failed });
        }
        if !reasons.is_empty() {
            return Ok(DevOutcome::NeedsReset { reasons });
        }

        // Drift: what the applied migrations produce versus what the database is.
        let applied_folder: Vec<_> = folder
            .iter()
            .filter(|(m, _)| diagnosis.applied.contains(&m.name))
            .cloned()
            .collect();
        let version = server_version_num(client).await?;
        let expected =
            schema_of_migrations(config, &applied_folder, &namespaces, Some(version)).await?;
        let actual = introspect(&*client, &namespaces).await?;
        let drift = diff(&expected, &actual);
        let mut absorbed = None;
        if !drift.is_empty() {
            let pair = Pair::new(&expected, &actual);
            // The script runs wherever `migrate deploy` runs, on rows unknown here: the pure
            // check's warnings ("if the table is not empty"), as comments in the script.
            let diagnostics = check::evaluate(&check::plan(&drift, pair), &check::Counts::default());
            let script = render_script(&drift, pair, &diagnostics);
            let warnings: Vec<String> = diagnostics
                .warnings
                .iter()
                .chain(&diagnostics.unexecutable)
                .map(|m| m.message.clone())
                .collect();
            let consented = warnings.is_empty()
                || options.accept_data_loss
                || options.accept_absorbed_data_loss;
            if !options.absorb_drift || !diagnosis.pending.is_empty() || !consented {
                return Ok(DevOutcome::Drift {
                    summary: format!(
                        "Drift detected: Your database schema is not in sync with your migration history.\n\n\
                         The following is a summary of the differences between the expected database schema given your migrations files, and the actual schema of the database.\n\n\
                         It should be understood as the set of changes to get from the expected schema to the actual schema.\n{}",
                        summarize(&drift, pair)
                    ),
                    script,
                    warnings,
                    pending: diagnosis.pending.clone(),
                });
            }
            // The database already is what the script makes: record it, do not run it.
            let newest = folder.last().map(|(migration, _)| migration.name.as_str());
            let folder_name = migration_folder_name(options.now, ABSORBED_DRIFT_NAME, newest);
            let migration = create_migration(&config.migrations_dir, &folder_name, &script)
                .map_err(MigrateError::io(config.migrations_dir.join(&folder_name)))?;
            write_lock_file(&config.migrations_dir)
                .map_err(MigrateError::io(&config.migrations_dir))?;
            history::ensure_table(&*client).await?;
            history::mark_applied(&*client, &migration.name, &render_checksum(&script)).await?;
            folder.push((migration, script.clone()));
            absorbed = Some((folder_name, script, warnings));
        }

        history::ensure_table(&*client).await?;
        let mut applied = Vec::new();
        for (migration, script) in &folder {
            if diagnosis.pending.contains(&migration.name) {
                apply_migration(client, &migration.name, script).await?;
                applied.push(migration.name.clone());
            }
        }

        let from = schema_of_migrations(config, &folder, &namespaces, Some(version)).await?;
        let target = lower_in(schema, &default_namespace);
        let mut renames = resolve_renames(&options.renames, &from, &target, schema)?;
        for rename in &options.confirmed_renames {
            if !renames.contains(rename) {
                renames.items.push(rename.clone());
            }
        }
        let renamed = diff_with_renames(&from, &target, &renames);
        let steps = renamed.steps;
        let candidates: Vec<Rename> = rename_candidates(&renamed.renamed_previous, &target)
            .into_iter()
            .filter(|c| !options.declined_renames.contains(c))
            .collect();
        if options.ask_renames && !candidates.is_empty() {
            return Ok(DevOutcome::RenameQuestions {
                candidates,
                applied,
            });
        }
        if steps.is_empty() && !options.create_only {
            if let Some((folder, script, warnings)) = absorbed {
                return Ok(DevOutcome::Created {
                    folder: folder.clone(),
                    script: script.clone(),
                    warnings: Vec::new(),
                    applied,
                    more: Vec::new(),
                    absorbed: Some(folder),
                    absorbed_script: script,
                    absorbed_warnings: warnings,
                });
            }
            return Ok(DevOutcome::AlreadyInSync { applied });
        }

        // Warnings count the development database's data (which has no drift, so its tables
        // are the ones the steps name; before the renames run, they have the history's names).
        let checked = Pair::new(&from, &target);
        let rendered = Pair::new(&renamed.renamed_previous, &target);
        let plan = check::plan(&steps, checked);
        let counts = check::count(&*client, &plan).await?;
        let diagnostics = check::evaluate(&plan, &counts);
        if !diagnostics.unexecutable.is_empty() && !options.create_only {
            let messages = diagnostics.unexecutable.iter().map(|m| m.message.clone()).collect();
            if !candidates.is_empty() {
                return Err(MigrateError::UnexecutableUnlessRenamed {
                    messages,
                    renames: candidates.iter().map(Rename::flag).collect(),
                });
            }
            return Err(MigrateError::Unexecutable(messages));
        }
        let warnings: Vec<String> = diagnostics.warnings.iter().map(|m| m.message.clone()).collect();
        if !warnings.is_empty() && !options.accept_data_loss && !options.create_only {
            return Ok(DevOutcome::NeedsConsent {
                warnings,
                applied,
                rename_candidates: candidates,
            });
        }
        if name.is_empty() {
            return Err(MigrateError::NameRequired);
        }

        let scripts: Vec<(Option<&str>, String)> = if options.safe {
            render_safe_scripts(&steps, rendered, &diagnostics)
                .into_iter()
                .map(|s| (s.suffix, s.script))
                .collect()
        } else {
            vec![(None, render_script(&steps, rendered, &diagnostics))]
        };
        let mut newest = folder.last().map(|(migration, _)| migration.name.clone());
        let mut written = Vec::new();
        for (suffix, script) in scripts {
            let folder_name = match suffix {
                None => migration_folder_name(options.now, &name, newest.as_deref()),
                Some(suffix) => migration_folder_name(options.now, &format!("{name}_{suffix}"), newest.as_deref()),
            };
            let migration = create_migration(&config.migrations_dir, &folder_name, &script)
                .map_err(MigrateError::io(config.migrations_dir.join(&folder_name)))?;
            newest = Some(folder_name.clone());
            written.push((migration, script));
        }
        write_lock_file(&config.migrations_dir).map_err(MigrateError::io(&config.migrations_dir))?;
        if !options.create_only {
            for (migration, script) in &written {
                apply_migration(client, &migration.name, script).await?;
                applied.push(migration.name.clone());
            }
        }
        let mut written = written.into_iter().map(|(m, script)| (m.name, script));
        let Some((folder, script)) = written.next() else {
            return Ok(DevOutcome::AlreadyInSync { applied });
        };
        let (absorbed, absorbed_script, absorbed_warnings) = match absorbed {
            Some((folder, script, warnings)) => (Some(folder), script, warnings),
            None => (None, String::new(), Vec::new()),
        };
        Ok(DevOutcome::Created {
            folder,
            script,
            warnings,
            applied,
            more: written.collect(),
            absorbed,
            absorbed_script,
            absorbed_warnings,
        })
    })
    .await
}

/// Whether nothing of the failed migration `name` was applied: its latest failed row says
/// refract ran it in one transaction that rolled back, and the file in the folder is the
/// one that ran (same checksum). Anything else may have failed part way.
fn rolled_back_whole(
    records: &[history::MigrationRecord],
    folder: &[(crate::migrations_dir::MigrationDirectory, String)],
    name: &str,
) -> bool {
    let Some(record) = records
        .iter()
        .rev()
        .find(|r| r.migration_name == name && r.is_failed())
    else {
        return false;
    };
    let ran_whole = record
        .logs
        .as_deref()
        .is_some_and(|logs| logs.starts_with(ROLLED_BACK_LOGS));
    ran_whole
        && folder
            .iter()
            .any(|(m, script)| m.name == name && render_checksum(script) == record.checksum)
}

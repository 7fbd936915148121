//! `gen migrate lint [--all] [FILE]`, `gen migrate deploy --lint` and the lint `migrate dev`
//! prints: refract-migrate's lint (`refract_migrate::lint`) over the migrations folder, with
//! the current schema lowered as the client's view and, when a database is asked, its
//! server version.
//!
//! What is linted: the pending migrations (those the database's `_prisma_migrations` has
//! not applied; all of them when the database does not exist yet) by default, together, so
//! a table a pending migration creates is new for the pending ones after it; every migration
//! of the folder with `--all`, each on its own; or one FILE. `--all` and FILE need no
//! database. Findings print as `path:line: rule: message` with a `fix:` line; exit 1 when
//! there is any.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use refract_migrate::commands::{self as migrate, MigrateError};
use refract_migrate::lint::{
    ALLOW_MARKER, Context, FolderEntry, MigrationFindings, Scope, lint_folder,
};
use refract_migrate::migrations_dir::{MIGRATION_SCRIPT, list_migrations};

use super::DatabaseArgs;
use super::console::{block_on, failed};
use super::target::{Target, display_path, load_schema, migrations_dir};
use crate::config::{CliError, Config};

/// `gen migrate lint`
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Lint every migration of the folder, each on its own, instead of the pending ones
    /// (no database needed).
    #[arg(long, conflicts_with = "file")]
    pub all: bool,
    /// Lint this script only (no database needed).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The target server's major PostgreSQL version, for the rules that depend on it, when
    /// no database is asked (`--all`, FILE). Pending migrations read it from the database.
    /// 9 to 99 (`server_version_num` is the major times 10000).
    #[arg(long, value_name = "MAJOR", value_parser = clap::value_parser!(u32).range(9..=99))]
    pub pg_version: Option<u32>,
}

pub fn run(database: &DatabaseArgs, args: &LintArgs) -> Result<ExitCode, CliError> {
    let version = args.pg_version.map(|major| major * 10000);
    let (results, base) = if let Some(file) = &args.file {
        let script = std::fs::read_to_string(file)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
        let schema = schema_if_any(database.schema.clone())?;
        let lowered = schema.as_ref().map(refract_migrate::lower);
        let context = Context {
            schema: lowered.as_ref(),
            server_version_num: version,
        };
        let name = file.display().to_string();
        let entry = FolderEntry {
            name: &name,
            script: &script,
            lint: true,
        };
        let results = lint_folder(&[entry], context, Scope::EachAlone);
        (results, None)
    } else if args.all {
        let loaded = load_schema(database.schema.clone())?;
        println!(
            "Schema loaded from {}",
            display_path(&loaded.config.schema_path)
        );
        let dir = migrations_dir(&loaded.config);
        let lowered = refract_migrate::lower(&loaded.schema);
        let context = Context {
            schema: Some(&lowered),
            server_version_num: version,
        };
        let folder = read_folder(&dir)?;
        println!(
            "Linting all {} in {}\n",
            count(folder.len()),
            display_path(&dir)
        );
        let results = lint_selected(&folder, |_| true, context, Scope::EachAlone);
        (results, Some(dir))
    } else {
        let target = Target::resolve(database.schema.clone(), database.url.as_deref())?;
        target.print_header();
        let dir = target.migrate.migrations_dir.clone();
        let (results, pending) = lint_pending(&target)?;
        if pending == 0 {
            println!("No pending migration to lint in {}.", display_path(&dir));
            return Ok(ExitCode::SUCCESS);
        }
        (results, Some(dir))
    };
    let found = print_findings(base.as_deref(), &results);
    if found == 0 {
        println!(
            "No lint findings in {}.",
            count(results.len()).replace("migrations", "migrations checked")
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("\n{}. {}", summary(found, &results), allow_hint());
    Ok(ExitCode::from(1))
}

/// `gen migrate deploy --lint`: refuses, before anything is applied, when a pending
/// migration has findings.
pub fn refuse_hazards(target: &Target) -> Result<(), CliError> {
    let (results, _) = lint_pending(target)?;
    let found = print_findings(Some(&target.migrate.migrations_dir), &results);
    if found == 0 {
        return Ok(());
    }
    println!();
    Err(CliError::Failed(format!(
        "{}; nothing was applied. Change each statement as its `fix:` says (in a new migration \
         when this one already ran elsewhere), or, where the hazard is acceptable (a small table, \
         a maintenance window), put `-- {ALLOW_MARKER} <rule>` on the line above the statement \
         before the migration is applied anywhere (the comment changes its checksum); \
         `gen migrate deploy` without `--lint` applies it as it is",
        summary(found, &results)
    )))
}

/// After `migrate dev` wrote `folder`: its findings, if any (never an error: the migration
/// is the user's to edit). Called once per migration written (`--safe` writes several).
pub fn print_for_created(target: &Target, folder: &str) {
    let dir = &target.migrate.migrations_dir;
    let Ok(migrations) = read_folder(dir) else {
        return;
    };
    let lowered = refract_migrate::lower(&target.schema.schema);
    let context = Context {
        schema: Some(&lowered),
        server_version_num: None,
    };
    let results = lint_selected(
        &migrations,
        |name| name == folder,
        context,
        Scope::EachAlone,
    );
    if results.iter().all(|r| r.findings.is_empty()) {
        return;
    }
    println!("\nLint (`gen migrate lint`) of `{folder}`:\n");
    let found = print_findings(Some(dir), &results);
    println!(
        "\n{}: change it before it reaches a database that serves traffic. {}",
        summary(found, &results),
        allow_hint()
    );
}

/// The pending migrations' findings (linted together, the applied ones learned), and how
/// many migrations are pending.
fn lint_pending(target: &Target) -> Result<(Vec<MigrationFindings>, usize), CliError> {
    let dir = &target.migrate.migrations_dir;
    let folder = read_folder(dir)?;
    let (pending, version): (Vec<String>, Option<u32>) =
        match block_on(pending_and_version(&target.migrate))? {
            Ok(found) => found,
            // No database yet: every migration is pending.
            Err(MigrateError::DatabaseMissing(_)) => {
                (folder.iter().map(|(name, _)| name.clone()).collect(), None)
            }
            Err(e) => return Err(failed(e)),
        };
    let lowered = refract_migrate::lower(&target.schema.schema);
    let context = Context {
        schema: Some(&lowered),
        server_version_num: version,
    };
    let results = lint_selected(
        &folder,
        |name| pending.iter().any(|p| p == name),
        context,
        Scope::Pending,
    );
    Ok((results, pending.len()))
}

async fn pending_and_version(
    config: &migrate::Config,
) -> Result<(Vec<String>, Option<u32>), MigrateError> {
    let report = migrate::status(config).await?;
    let client = migrate::connect(&config.url).await?;
    let version = refract_migrate::apply::server_version_num(&client).await?;
    Ok((report.diagnosis.pending, Some(version)))
}

fn lint_selected(
    folder: &[(String, String)],
    selected: impl Fn(&str) -> bool,
    context: Context<'_>,
    scope: Scope,
) -> Vec<MigrationFindings> {
    let entries: Vec<FolderEntry<'_>> = folder
        .iter()
        .map(|(name, script)| FolderEntry {
            name,
            script,
            lint: selected(name),
        })
        .collect();
    lint_folder(&entries, context, scope)
}

/// Every migration's name and script, in the folder's order.
fn read_folder(dir: &Path) -> Result<Vec<(String, String)>, CliError> {
    let migrations = list_migrations(dir)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", dir.display())))?;
    migrations
        .into_iter()
        .map(|m| {
            let script = m.read_script().map_err(|e| {
                CliError::Failed(format!("cannot read {}: {e}", m.script_path().display()))
            })?;
            Ok((m.name, script))
        })
        .collect()
}

/// The schema for a FILE: `--schema`'s, else the default one when there is one.
fn schema_if_any(path: Option<PathBuf>) -> Result<Option<refract_schema::ir::Schema>, CliError> {
    let explicit = path.is_some();
    let config = match Config::resolve(path) {
        Ok(config) => config,
        Err(_) if !explicit => {
            println!(
                "No schema found: every dropped table or column counts as still read by the client.\n"
            );
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let (_, validated) = crate::commands::schema::load_valid(&config, "fix the schema first")?;
    Ok(Some(validated.schema))
}

/// Prints each finding as `path:line: rule: message` and its fix; returns how many.
fn print_findings(dir: Option<&Path>, results: &[MigrationFindings]) -> usize {
    let mut found = 0;
    for result in results {
        let path = match dir {
            Some(dir) => display_path(&dir.join(&result.migration).join(MIGRATION_SCRIPT)),
            None => result.migration.clone(),
        };
        for finding in &result.findings {
            found += 1;
            println!(
                "{path}:{}: {}: {}\n  fix: {}",
                finding.line, finding.rule, finding.message, finding.fix
            );
        }
    }
    found
}

fn summary(found: usize, results: &[MigrationFindings]) -> String {
    let with = results.iter().filter(|r| !r.findings.is_empty()).count();
    format!(
        "{found} lint finding{} in {}",
        if found == 1 { "" } else { "s" },
        count(with)
    )
}

fn allow_hint() -> String {
    format!("Silence one with `-- {ALLOW_MARKER} <rule>` on the line above its statement.")
}

fn count(n: usize) -> String {
    format!("{n} migration{}", if n == 1 { "" } else { "s" })
}

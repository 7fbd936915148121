//! `gen migrate dev | deploy | status | reset | resolve | diff`: resolve where to work
//! ([`target`]), call refract-migrate's command, print its outcome as Prisma does, and ask
//! the questions the library hands back (reset? accept data loss?) when stdin is a
//! terminal. Without a terminal a question becomes exit code 1 and a message naming the
//! flag that answers it.
//!
//! Exit codes: 0 done (or in sync), 1 failed or refused, 2 usage. `migrate status` exits 1
//! when the history is not in sync; `migrate diff --exit-code` exits 2 when there is a
//! difference.

pub mod console;
mod diff;
pub mod lint;
pub mod target;

use std::path::PathBuf;
use std::process::ExitCode;

use refract_migrate::commands::{self as migrate, DevOptions, DevOutcome, MigrateError};
use refract_schema::ir::ConfigValue;

use crate::config::CliError;
use console::{block_on, bullet_list, confirm, failed, is_interactive, migration_tree};
use target::{LoadedSchema, Target, display_path, url_parts};

/// `--schema` and `--url`, accepted before or after the subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Schema file or folder of .prisma files [default: ./schema.prisma, then ./prisma/schema.prisma, then ./prisma/schema/]
    #[arg(long, global = true, value_name = "PATH")]
    pub schema: Option<PathBuf>,
    /// Database URL, instead of the datasource's `url` (or `directUrl`) and DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
}

/// `gen migrate ...`
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum MigrateCommand {
    /// Create a migration from the schema changes, apply it and pending ones (development).
    Dev {
        /// Name of the migration (slugified); asked for when omitted in a terminal.
        #[arg(long, short = 'n')]
        name: Option<String>,
        /// Write the migration without applying it, to edit it first.
        #[arg(long)]
        create_only: bool,
        /// Apply even when the migration loses data (dropped tables or columns, risky casts).
        #[arg(long)]
        accept_data_loss: bool,
        /// Do not run `gen generate` afterwards.
        #[arg(long)]
        skip_generate: bool,
        /// Replay the history in a private PostgreSQL started for this command from the
        /// machine's binaries (as `gen dev` does), for users without `CREATE DATABASE`.
        #[arg(long)]
        local_shadow: bool,
    },
    /// Apply pending migrations (production, CI): no shadow database, never resets.
    Deploy {
        /// Refuse, before applying anything, when a pending migration has lint findings.
        #[arg(long)]
        lint: bool,
    },
    /// Compare the migrations folder with the database's history; exit 1 unless in sync.
    Status,
    /// Drop the database's schema, then apply every migration. All data is lost.
    Reset {
        /// Do not ask for confirmation.
        #[arg(long, short = 'f')]
        force: bool,
        /// Do not run `gen generate` afterwards.
        #[arg(long)]
        skip_generate: bool,
    },
    /// Record a migration as applied or rolled back without running it.
    Resolve(ResolveArgs),
    /// Compare two schema sources (empty, schema, database, migrations folder).
    Diff(Box<diff::DiffArgs>),
    /// Check migrations for PostgreSQL lock and compatibility hazards (pending ones by default).
    Lint(lint::LintArgs),
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct ResolveArgs {
    /// Record the migration as applied (baselining, or after fixing it by hand).
    #[arg(long, value_name = "NAME")]
    applied: Option<String>,
    /// Mark a failed migration as rolled back, so that deploy runs it again.
    #[arg(long, value_name = "NAME")]
    rolled_back: Option<String>,
}

pub fn run(args: MigrateArgs) -> Result<ExitCode, CliError> {
    let MigrateArgs { command, database } = args;
    if let MigrateCommand::Diff(diff_args) = command {
        return diff::run(&database, &diff_args);
    }
    if let MigrateCommand::Lint(lint_args) = command {
        return lint::run(&database, &lint_args);
    }
    let mut target = Target::resolve(database.schema, database.url.as_deref())?;
    target.print_header();
    // Kept until the command ends, when dropping it stops and deletes the server.
    let _shadow = match &command {
        MigrateCommand::Dev {
            local_shadow: true, ..
        } => {
            let server = super::dev::ShadowServer::start()?;
            target.migrate.shadow_database_url = Some(server.url());
            Some(server)
        }
        _ => None,
    };
    match command {
        MigrateCommand::Dev {
            name,
            create_only,
            accept_data_loss,
            skip_generate,
            local_shadow: _,
        } => dev(&target, name, create_only, accept_data_loss, skip_generate),
        MigrateCommand::Deploy { lint } => {
            if lint {
                lint::refuse_hazards(&target)?;
            }
            deploy(&target)
        }
        MigrateCommand::Status => status(&target),
        MigrateCommand::Reset {
            force,
            skip_generate,
        } => reset(&target, force, skip_generate),
        MigrateCommand::Resolve(resolve_args) => resolve(&target, &resolve_args),
        MigrateCommand::Diff(_) | MigrateCommand::Lint(_) => Ok(ExitCode::from(2)),
    }
}

fn dev(
    target: &Target,
    name: Option<String>,
    create_only: bool,
    accept_data_loss: bool,
    skip_generate: bool,
) -> Result<ExitCode, CliError> {
    let name = match name {
        Some(name) => name,
        // Prisma asks in a terminal and uses an empty name elsewhere.
        None if is_interactive() => console::ask("Enter a name for the new migration:")?,
        None => String::new(),
    };
    let created = create_database_if_missing(&target.migrate.url)?;
    let mut options = DevOptions::new(name);
    options.create_only = create_only;
    options.accept_data_loss = accept_data_loss;
    let mut outcome = block_on(migrate::dev(
        &target.migrate,
        &target.schema.schema,
        &options,
    ))?
    .map_err(failed)?;
    if let Some(message) = created {
        println!("{message}\n");
    }

    let mut warnings_shown = false;
    if let DevOutcome::NeedsConsent { warnings, applied } = &outcome {
        print_applied(target, applied);
        println!("⚠️  Warnings for the current datasource:\n");
        print!("{}", bullet_list(warnings));
        println!();
        if !is_interactive() {
            return Err(CliError::Failed(
                "the migration would lose data (see the warnings above); nothing was written or applied. \
                 Run `gen migrate dev --accept-data-loss` to create and apply it anyway, \
                 or `--create-only` to write it without applying"
                    .into(),
            ));
        }
        if !confirm("Are you sure you want to create and apply this migration?")? {
            println!("Migration cancelled.");
            return Ok(ExitCode::from(1));
        }
        options.accept_data_loss = true;
        warnings_shown = true;
        outcome = block_on(migrate::dev(
            &target.migrate,
            &target.schema.schema,
            &options,
        ))?
        .map_err(failed)?;
    }

    let dir = &target.migrate.migrations_dir;
    match outcome {
        DevOutcome::NeedsReset { reasons } => {
            for reason in &reasons {
                println!("{reason}\n");
            }
            let parts = url_parts(&target.migrate.url);
            println!(
                "We need to reset the \"{}\" schema at \"{}:{}\"\n",
                parts.schema, parts.host, parts.port
            );
            Err(CliError::Failed(
                "the database must be reset before new migrations can be created: \
                 `gen migrate reset` drops it and applies every migration (all data will be lost)"
                    .into(),
            ))
        }
        DevOutcome::NeedsConsent { .. } => Err(CliError::Failed(
            "the migration still needs consent to lose data".into(),
        )),
        DevOutcome::AlreadyInSync { applied } => {
            print_applied(target, &applied);
            println!("Already in sync, no schema change or pending migration was found.");
            if !applied.is_empty() && !skip_generate {
                run_generate(&target.schema)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DevOutcome::Created {
            folder,
            warnings,
            applied,
            ..
        } => {
            let pending: Vec<String> = applied.iter().filter(|n| **n != folder).cloned().collect();
            print_applied(target, &pending);
            if !warnings.is_empty() && !warnings_shown {
                println!("⚠️  Warnings for the current datasource:\n");
                print!("{}", bullet_list(&warnings));
                println!();
            }
            if create_only {
                println!(
                    "The following migration was created without being applied:\n\n{}\n\
                     You can now edit it and apply it by running `gen migrate dev`.",
                    migration_tree(dir, std::slice::from_ref(&folder))
                );
                lint::print_for_created(target, &folder);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "The following migration(s) have been created and applied from new schema changes:\n\n{}",
                migration_tree(dir, std::slice::from_ref(&folder))
            );
            println!("Your database is now in sync with your schema.");
            lint::print_for_created(target, &folder);
            if !skip_generate {
                run_generate(&target.schema)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_applied(target: &Target, applied: &[String]) {
    if applied.is_empty() {
        return;
    }
    for name in applied {
        println!("Applying migration `{name}`");
    }
    println!(
        "\nThe following migration(s) have been applied:\n\n{}",
        migration_tree(&target.migrate.migrations_dir, applied)
    );
}

fn deploy(target: &Target) -> Result<ExitCode, CliError> {
    let dir = &target.migrate.migrations_dir;
    let found = count_migrations(dir)?;
    if found == 0 {
        println!("No migration found in {}\n", display_path(dir));
    } else {
        println!(
            "{found} migration{} found in {}\n",
            if found == 1 { "" } else { "s" },
            display_path(dir)
        );
    }
    let created = create_database_if_missing(&target.migrate.url)?;
    let report = block_on(migrate::deploy(&target.migrate))?.map_err(failed)?;
    if let Some(message) = created {
        println!("{message}\n");
    }
    if report.applied.is_empty() {
        println!("No pending migrations to apply.");
    } else {
        print_applied(target, &report.applied);
        println!("All migrations have been successfully applied.");
    }
    Ok(ExitCode::SUCCESS)
}

fn count_migrations(dir: &std::path::Path) -> Result<usize, CliError> {
    refract_migrate::migrations_dir::list_migrations(dir)
        .map(|list| list.len())
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", dir.display())))
}

fn status(target: &Target) -> Result<ExitCode, CliError> {
    let dir = &target.migrate.migrations_dir;
    let report = block_on(migrate::status(&target.migrate))?.map_err(failed)?;
    let found = report.migrations_found;
    if found == 0 {
        println!("No migration found in {}\n", display_path(dir));
    } else {
        println!(
            "{found} migration{} found in {}\n",
            if found == 1 { "" } else { "s" },
            display_path(dir)
        );
    }
    let diagnosis = &report.diagnosis;
    if report.is_in_sync() {
        if !report.history_table_exists && found == 0 {
            // As Prisma: nothing to compare is not "up to date" (exit 1, so CI notices).
            eprintln!(
                "The current database is not managed by refract migrate (no migrations, no `_prisma_migrations` table).\n\n\
                 Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline"
            );
            return Ok(ExitCode::from(1));
        }
        println!("Database schema is up to date!");
        return Ok(ExitCode::SUCCESS);
    }
    if !diagnosis.missing_from_folder.is_empty() {
        println!(
            "The following migration(s) are applied to the database but missing from the local migrations directory:\n{}\n",
            diagnosis.missing_from_folder.join("\n")
        );
    }
    if !diagnosis.edited.is_empty() {
        println!(
            "The following migration(s) were modified after they were applied:\n{}\n",
            diagnosis.edited.join("\n")
        );
    }
    if !diagnosis.failed.is_empty() {
        println!(
            "Following migration(s) have failed:\n{}\n\n\
             During development, if the failed migration(s) have not been deployed to a production database, \
             fix them and run `gen migrate dev`.\n\n\
             The failed migration(s) can be marked as rolled back or applied:\n\n\
             - If you rolled back the migration(s) manually:\n  gen migrate resolve --rolled-back \"{}\"\n\n\
             - If you fixed the database manually (hotfix):\n  gen migrate resolve --applied \"{}\"\n",
            diagnosis.failed.join("\n"),
            diagnosis.failed[0],
            diagnosis.failed[0]
        );
    }
    if !diagnosis.pending.is_empty() {
        println!(
            "Following migration{} have not yet been applied:\n{}\n\n\
             To apply migrations in development run `gen migrate dev`.\n\
             To apply migrations in production run `gen migrate deploy`.",
            if diagnosis.pending.len() == 1 {
                ""
            } else {
                "s"
            },
            diagnosis.pending.join("\n")
        );
    }
    Ok(ExitCode::from(1))
}

fn reset(target: &Target, force: bool, skip_generate: bool) -> Result<ExitCode, CliError> {
    if !force {
        if !is_interactive() {
            return Err(CliError::Failed(
                "`gen migrate reset` drops all data and needs confirmation; \
                 in a non-interactive environment pass `--force`: `gen migrate reset --force`"
                    .into(),
            ));
        }
        if !confirm("Are you sure you want to reset your database? All data will be lost.")? {
            println!("Reset cancelled.");
            return Ok(ExitCode::from(1));
        }
    }
    let namespaces = migrate::namespaces_for(Some(&target.schema.schema), &target.migrate.url);
    let report = block_on(migrate::reset(&target.migrate, &namespaces))?.map_err(failed)?;
    println!("Database reset successful\n");
    if !report.applied.is_empty() {
        print_applied(target, &report.applied);
    }
    if !skip_generate {
        run_generate(&target.schema)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn resolve(target: &Target, args: &ResolveArgs) -> Result<ExitCode, CliError> {
    match (&args.applied, &args.rolled_back) {
        (Some(name), _) => {
            block_on(migrate::resolve_applied(&target.migrate, name))?.map_err(failed)?;
            println!("Migration {name} marked as applied.");
        }
        (None, Some(name)) => {
            block_on(migrate::resolve_rolled_back(&target.migrate, name))?.map_err(failed)?;
            println!("Migration {name} marked as rolled back.");
        }
        (None, None) => {
            return Err(CliError::Usage(
                "pass --applied NAME or --rolled-back NAME".into(),
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks the server is reachable before a command that creates a missing database, so
/// that the creation can be reported as Prisma does (`PostgreSQL database app created at
/// localhost:5432`). Every other connection problem fails here with the library's message.
pub fn create_database_if_missing(url: &str) -> Result<Option<String>, CliError> {
    match block_on(migrate::connect(url))? {
        Ok(_client) => Ok(None),
        Err(MigrateError::DatabaseMissing(name)) => {
            let parts = url_parts(url);
            Ok(Some(format!(
                "PostgreSQL database {name} created at {}:{}",
                parts.host, parts.port
            )))
        }
        Err(e) => Err(failed(e)),
    }
}

/// Runs `gen generate` when the schema has a refract generator block.
pub fn run_generate(schema: &LoadedSchema) -> Result<(), CliError> {
    let has_refract_generator = schema.schema.generators.iter().any(|g| match &g.provider {
        ConfigValue::Literal(p) => p == "refract",
        ConfigValue::Env(var) => std::env::var(var).is_ok_and(|p| p == "refract"),
    });
    if !has_refract_generator {
        return Ok(());
    }
    println!("\nRunning generate...");
    let code = crate::commands::generate::generate(&schema.config)?;
    if code == ExitCode::SUCCESS {
        Ok(())
    } else {
        Err(CliError::Failed(
            "the database is migrated, but `gen generate` failed (see above)".into(),
        ))
    }
}

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
        /// A rename, not a drop and an add (keeps the rows): `Model.oldField=newField`,
        /// `OldModel=NewModel`, `Enum.OLD=NEW`, `OldEnum=NewEnum`. Repeatable. Asked on a terminal.
        #[arg(long, value_name = "OLD=NEW")]
        rename: Vec<String>,
        /// When the database drifted from the history (changed by hand), write the difference
        /// as a migration `<timestamp>_absorbed_drift`, record it as applied, and go on. No
        /// row of this database is touched, but `migrate deploy` runs it on every other
        /// database: drift that drops, changes a type or removes an enum value also needs
        /// --accept-data-loss (or a yes on a terminal).
        #[arg(long)]
        absorb_drift: bool,
        /// Lock-safe SQL: CREATE INDEX CONCURRENTLY on existing tables (a migration of its
        /// own), foreign keys and NOT NULL added NOT VALID and validated in a later migration.
        #[arg(long)]
        safe: bool,
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
            rename,
            absorb_drift,
            safe,
        } => dev(
            &target,
            DevFlags {
                name,
                create_only,
                accept_data_loss,
                skip_generate,
                rename,
                absorb_drift,
                safe,
            },
        ),
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

/// `gen migrate dev`'s flags.
struct DevFlags {
    name: Option<String>,
    create_only: bool,
    accept_data_loss: bool,
    skip_generate: bool,
    rename: Vec<String>,
    absorb_drift: bool,
    safe: bool,
}

fn dev(target: &Target, flags: DevFlags) -> Result<ExitCode, CliError> {
    let interactive = is_interactive();
    let name = match flags.name {
        Some(name) => name,
        // Asked on a terminal; elsewhere the library refuses to write a folder with no name.
        None if interactive => console::ask("Enter a name for the new migration:")?,
        None => String::new(),
    };
    let created = create_database_if_missing(&target.migrate.url)?;
    let mut options = DevOptions::new(name);
    options.create_only = flags.create_only;
    options.accept_data_loss = flags.accept_data_loss;
    options.renames = flags.rename;
    options.ask_renames = interactive;
    options.absorb_drift = flags.absorb_drift;
    options.safe = flags.safe;
    let run = |options: &DevOptions| -> Result<DevOutcome, CliError> {
        block_on(migrate::dev(
            &target.migrate,
            &target.schema.schema,
            options,
        ))?
        .map_err(failed)
    };
    let mut outcome = run(&options)?;
    if let Some(message) = created {
        println!("{message}\n");
    }

    let mut warnings_shown = false;
    let mut drift_shown = false;
    let mut printed_applied: Vec<String> = Vec::new();
    loop {
        match &outcome {
            DevOutcome::RenameQuestions {
                candidates,
                applied,
            } => {
                print_applied(target, applied);
                printed_applied.extend(applied.iter().cloned());
                let mut taken: Vec<String> = Vec::new();
                for candidate in candidates {
                    let (from, to) = candidate.keys();
                    if taken.contains(&from) || taken.contains(&to) {
                        continue;
                    }
                    if confirm(&format!("Did you rename {candidate}?"))? {
                        taken.push(from);
                        taken.push(to);
                        options.confirmed_renames.push(candidate.clone());
                    } else {
                        options.declined_renames.push(candidate.clone());
                    }
                }
                outcome = run(&options)?;
            }
            DevOutcome::Drift {
                summary,
                script,
                warnings,
                pending,
            } => {
                println!("{summary}\n");
                if !pending.is_empty() {
                    return Err(CliError::Failed(format!(
                        "the database drifted from the migration history, and migrations are pending ({}); nothing was changed. \
                         Apply them first with `gen migrate deploy`, then run `gen migrate dev --absorb-drift` to write the drift \
                         down as a migration (no row of this database is touched; `gen migrate deploy` will run it on every other database). \
                         Last resort: `gen migrate reset` (all data will be lost)",
                        pending.join(", ")
                    )));
                }
                // The script is always shown: `gen migrate deploy` will run it elsewhere.
                drift_shown = true;
                println!(
                    "Absorbing it writes this migration, recorded as applied here (nothing of it runs on this database; \
                     `gen migrate deploy` will run it on every other database):\n\n{script}"
                );
                if !warnings.is_empty() {
                    println!(
                        "⚠️  Where `gen migrate deploy` runs it, this migration loses data:\n"
                    );
                    print!("{}", bullet_list(warnings));
                    println!();
                }
                let consent = if warnings.is_empty() {
                    ""
                } else {
                    " --accept-data-loss"
                };
                if !interactive {
                    let asked = if options.absorb_drift {
                        format!(
                            "The drift loses data where the migration is deployed (see the warnings above): \
                             run `gen migrate dev --absorb-drift{consent}` to absorb it anyway"
                        )
                    } else {
                        format!(
                            "Run `gen migrate dev --absorb-drift{consent}` to write the drift down as a migration \
                             `<timestamp>_absorbed_drift` and record it as applied (it already is): no row of this database is touched; \
                             `gen migrate deploy` will run it on every other database"
                        )
                    };
                    return Err(CliError::Failed(format!(
                        "the database drifted from the migration history (see above); nothing was changed. {asked}. \
                         Or undo the change by hand and run again. Last resort: `gen migrate reset` (all data will be lost)"
                    )));
                }
                let question = if warnings.is_empty() {
                    "Absorb the drift into a new migration and go on? No row of this database is touched; `gen migrate deploy` will run it on every other database."
                } else {
                    "Absorb the drift into a new migration and go on? No row of this database is touched, but `gen migrate deploy` will run it, losing the data above, on every other database."
                };
                if !confirm(question)? {
                    println!(
                        "Nothing was changed. Undo the change by hand, or run `gen migrate dev --absorb-drift`; \
                         last resort: `gen migrate reset` (all data will be lost)."
                    );
                    return Ok(ExitCode::from(1));
                }
                options.absorb_drift = true;
                options.accept_absorbed_data_loss = true;
                outcome = run(&options)?;
            }
            DevOutcome::NeedsConsent {
                warnings,
                applied,
                rename_candidates,
            } if !warnings_shown => {
                print_applied(target, applied);
                printed_applied.extend(applied.iter().cloned());
                println!("⚠️  Warnings for the current datasource:\n");
                print!("{}", bullet_list(warnings));
                println!();
                if !interactive {
                    let renames = if rename_candidates.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "If a dropped and an added thing are one renamed, say so and keep the rows: {}. ",
                            rename_candidates
                                .iter()
                                .map(|c| format!("`--rename {}`", c.flag()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    return Err(CliError::Failed(format!(
                        "the migration would lose data (see the warnings above); nothing was written or applied. \
                         {renames}Run `gen migrate dev --create-only` to write it without applying and edit it \
                         (copy the data first), or `gen migrate dev --accept-data-loss` to create and apply it anyway"
                    )));
                }
                if !confirm("Are you sure you want to create and apply this migration?")? {
                    println!("Migration cancelled.");
                    return Ok(ExitCode::from(1));
                }
                options.accept_data_loss = true;
                warnings_shown = true;
                outcome = run(&options)?;
            }
            _ => break,
        }
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
                "the migration history and the database disagree; nothing was changed. \
                 Revert the edits of an applied migration (or restore a missing folder) and run again; \
                 last resort: `gen migrate reset` drops the database and applies every migration (all data will be lost)"
                    .into(),
            ))
        }
        DevOutcome::FailedMigrations { failed } => {
            let mut message = String::new();
            for migration in &failed {
                let name = &migration.name;
                if migration.nothing_applied {
                    message.push_str(&format!(
                        "The migration `{name}` failed. It ran in one transaction, so nothing of it was applied.\n\
                         Fix it (edit migrations/{name}/migration.sql, or delete the folder and change the schema), then\n  \
                         gen migrate resolve --rolled-back \"{name}\"\n\
                         and run `gen migrate dev` again: every row is kept.\n\n"
                    ));
                } else {
                    message.push_str(&format!(
                        "The migration `{name}` failed part way (it ran one statement at a time; its record says what ran).\n\
                         Undo what it applied, or finish it by hand, then\n  \
                         gen migrate resolve --rolled-back \"{name}\"   (undone: it runs again)\n  \
                         gen migrate resolve --applied \"{name}\"       (finished by hand)\n\
                         and run `gen migrate dev` again.\n\n"
                    ));
                }
            }
            print!("{message}");
            Err(CliError::Failed(
                "failed migrations must be resolved before new ones are created (see above); nothing was changed. \
                 Last resort: `gen migrate reset` (all data will be lost)"
                    .into(),
            ))
        }
        DevOutcome::NeedsConsent { .. }
        | DevOutcome::Drift { .. }
        | DevOutcome::RenameQuestions { .. } => Err(CliError::Failed(
            "the migration still needs an answer (see above); nothing was written".into(),
        )),
        DevOutcome::AlreadyInSync { applied } => {
            let applied: Vec<String> = applied
                .into_iter()
                .filter(|n| !printed_applied.contains(n))
                .collect();
            print_applied(target, &applied);
            println!("Already in sync, no schema change or pending migration was found.");
            if !applied.is_empty() && !flags.skip_generate {
                run_generate(&target.schema)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DevOutcome::Created {
            folder,
            warnings,
            applied,
            more,
            absorbed,
            absorbed_script,
            absorbed_warnings,
            ..
        } => {
            let mut written: Vec<String> = Vec::new();
            if let Some(absorbed) = &absorbed {
                if *absorbed != folder {
                    written.push(absorbed.clone());
                }
            }
            written.push(folder.clone());
            written.extend(more.iter().map(|(name, _)| name.clone()));
            let pending: Vec<String> = applied
                .iter()
                .filter(|n| !written.contains(n) && !printed_applied.contains(n))
                .cloned()
                .collect();
            print_applied(target, &pending);
            if let Some(absorbed) = &absorbed {
                println!(
                    "The drift was written down as a migration and recorded as applied (no row of this database was touched; \
                     `gen migrate deploy` will run it on every other database):\n\n{}",
                    migration_tree(dir, std::slice::from_ref(absorbed))
                );
                // Shown unless the drift was shown above already.
                if !drift_shown {
                    println!("{absorbed_script}");
                }
                if !absorbed_warnings.is_empty() && !drift_shown {
                    println!(
                        "⚠️  Where `gen migrate deploy` runs it, this migration loses data:\n"
                    );
                    print!("{}", bullet_list(&absorbed_warnings));
                    println!();
                }
                if *absorbed == folder {
                    println!("Your database is now in sync with your schema.");
                    return Ok(ExitCode::SUCCESS);
                }
                written.retain(|n| n != absorbed);
            }
            if !warnings.is_empty() && !warnings_shown {
                println!("⚠️  Warnings for the current datasource:\n");
                print!("{}", bullet_list(&warnings));
                println!();
            }
            if flags.create_only {
                println!(
                    "The following migration was created without being applied:\n\n{}\n\
                     You can now edit it and apply it by running `gen migrate dev`.",
                    migration_tree(dir, &written)
                );
                for folder in &written {
                    lint::print_for_created(target, folder);
                }
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "The following migration(s) have been created and applied from new schema changes:\n\n{}",
                migration_tree(dir, &written)
            );
            // The lint of what was just written (the lint module's hook).
            for folder in &written {
                lint::print_for_created(target, folder);
            }
            println!("Your database is now in sync with your schema.");
            if !flags.skip_generate {
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

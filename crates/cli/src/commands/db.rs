//! `gen db push | pull`: make the database match the schema without migrations, or write
//! the database's structure as a schema. Resolution, questions and printing are shared with
//! [`super::migrate`].
//!
//! `db pull` re-introspects as Prisma does: over a schema that already has models it keeps
//! what the database cannot know (names given with `@@map`/`@map`, relation field names,
//! `@updatedAt`, `@default(cuid())`, `@ignore`, `///` comments, the order of models and
//! fields; see `refract_migrate::pull`) and lists what it kept as Prisma's warnings.
//! A schema folder is written back file by file (new models and enums go to
//! `introspected.prisma`), as Prisma does. `--force` ignores the existing models (the raw
//! introspection, names as the database has them); `--print` only prints (a folder's files
//! each under a `// path` line), the warnings going to stderr as `//` comments. What to
//! refuse, write where and print is decided by `refract_migrate::pull::plan`; this command
//! runs the plan (reads the database, writes all files or none, prints).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use refract_migrate::commands::{self as migrate, PushOutcome};
use refract_migrate::pull::plan::{PullPlan, PullRequest};

use super::migrate::DatabaseArgs;
use super::migrate::console::{block_on, bullet_list, confirm, failed, is_interactive};
use super::migrate::target::{Target, display_path, url_parts};
use super::migrate::{create_database_if_missing, run_generate};
use crate::config::CliError;

/// `gen db ...`
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Make the database match the schema directly, without migration files (prototyping).
    Push {
        /// Apply even when the change loses data.
        #[arg(long)]
        accept_data_loss: bool,
        /// Drop the database's schema first (all data is lost), then push.
        #[arg(long)]
        force_reset: bool,
        /// Do not run `gen generate` afterwards.
        #[arg(long)]
        skip_generate: bool,
    },
    /// Write the database's tables, enums and relations as a schema.
    Pull {
        /// Print the schema instead of writing it.
        #[arg(long)]
        print: bool,
        /// Ignore the models and enums already in the schema: write the raw introspection
        /// instead of re-introspecting (which keeps their names, `@updatedAt`, `cuid()`...).
        #[arg(long)]
        force: bool,
    },
    /// Run the seed command of the `refract` generator block (`seed = "..."`) with
    /// DATABASE_URL set; arguments after `--` are passed on.
    Seed {
        #[arg(last = true, value_name = "ARGS")]
        args: Vec<String>,
    },
}

pub fn run(args: DbArgs) -> Result<ExitCode, CliError> {
    if let DbCommand::Seed { args: extra } = &args.command {
        return super::seed::run(args.database.schema, args.database.url.as_deref(), extra);
    }
    let target = Target::resolve(args.database.schema, args.database.url.as_deref())?;
    match args.command {
        DbCommand::Push {
            accept_data_loss,
            force_reset,
            skip_generate,
        } => {
            target.print_header();
            push(&target, accept_data_loss, force_reset, skip_generate)
        }
        DbCommand::Pull { print, force } => {
            if !print {
                target.print_header();
            }
            pull(&target, print, force)
        }
        DbCommand::Seed { .. } => Ok(ExitCode::from(2)),
    }
}

fn push(
    target: &Target,
    accept_data_loss: bool,
    force_reset: bool,
    skip_generate: bool,
) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let created = create_database_if_missing(&target.migrate.url)?;
    if let Some(message) = created {
        println!("{message}\n");
    }
    let parts = url_parts(&target.migrate.url);
    if force_reset {
        let namespaces = migrate::namespaces_for(Some(&target.schema.schema), &target.migrate.url);
        // A reset that replays no migrations: the schema is pushed instead.
        let empty = EmptyDir::create()?;
        let mut config = target.migrate.clone();
        config.migrations_dir = empty.path.clone();
        block_on(migrate::reset(&config, &namespaces))?.map_err(failed)?;
        println!(
            "The \"{}\" schema of the PostgreSQL database \"{}\" at \"{}:{}\" was successfully reset.\n",
            parts.schema, parts.database, parts.host, parts.port
        );
    }
    let mut outcome = block_on(migrate::db_push(
        &target.migrate,
        &target.schema.schema,
        accept_data_loss,
    ))?
    .map_err(failed)?;
    if let PushOutcome::NeedsConsent { warnings } = &outcome {
        println!("⚠️  There might be data loss when applying the changes:\n");
        print!("{}", bullet_list(warnings));
        println!();
        if !is_interactive() {
            return Err(CliError::Failed(
                "the change would lose data (see the warnings above); nothing was applied. \
                 Run `gen db push --accept-data-loss` to apply it anyway"
                    .into(),
            ));
        }
        if !confirm("Do you want to ignore the warning(s)?")? {
            println!("Push cancelled.");
            return Ok(ExitCode::from(1));
        }
        outcome = block_on(migrate::db_push(
            &target.migrate,
            &target.schema.schema,
            true,
        ))?
        .map_err(failed)?;
    }
    match outcome {
        PushOutcome::AlreadyInSync => {
            println!("The database is already in sync with the schema.");
        }
        PushOutcome::Pushed { summary } => {
            println!("{summary}\n");
            println!(
                "🚀  Your database is now in sync with your schema. Done in {}ms",
                started.elapsed().as_millis()
            );
        }
        PushOutcome::NeedsConsent { .. } => {
            return Err(CliError::Failed(
                "the change still needs consent to lose data".into(),
            ));
        }
    }
    if !skip_generate {
        run_generate(&target.schema)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A fresh empty folder under the temp dir, removed on drop.
struct EmptyDir {
    path: PathBuf,
}

impl EmptyDir {
    fn create() -> Result<EmptyDir, CliError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "refract-no-migrations-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", path.display())))?;
        Ok(EmptyDir { path })
    }
}

impl Drop for EmptyDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// Runs the plan `refract_migrate::pull::plan` makes: refusals, destination files,
/// validation of the result and the texts to print are decided there.
fn pull(target: &Target, print: bool, force: bool) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let request = PullRequest {
        schema: &target.schema.schema,
        facts: &target.schema.source_facts,
        schema_path: target.schema_path(),
        schema_is_folder: target.schema_path().is_dir(),
        print,
        force,
    };
    if let Some(refusal) = request.refusal() {
        return Err(CliError::Failed(refusal));
    }
    let pulled = block_on(migrate::db_pull_over(
        &target.migrate,
        Some(request.existing()),
        &request.preamble(),
        request.models_kept(),
    ))?
    .map_err(failed)?;
    match request.plan(pulled, &display_path) {
        PullPlan::Invalid { stderr, stdout } => {
            eprint!("{stderr}");
            if let Some(stdout) = stdout {
                print!("{stdout}");
            }
            Ok(ExitCode::from(1))
        }
        PullPlan::Empty => Err(CliError::Failed(format!(
            "P4001: the introspected database was empty: {} has no tables or enums",
            super::migrate::target::describe_database(&target.migrate.url)
        ))),
        PullPlan::Print { stdout, stderr } => {
            print!("{stdout}");
            if let Some(stderr) = stderr {
                eprint!("{stderr}");
            }
            Ok(ExitCode::SUCCESS)
        }
        PullPlan::Refused(reason) => Err(CliError::Failed(reason)),
        PullPlan::Write {
            files,
            destination,
            models,
            enums,
            warnings,
        } => {
            write_all(&files)?;
            print!(
                "{}",
                PullPlan::written_message(
                    models,
                    enums,
                    &display_path(&destination),
                    started.elapsed().as_millis(),
                    warnings.as_deref(),
                )
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes every file or none: each text goes to a temporary file beside its destination
/// first, and only when all are written are they renamed into place.
fn write_all(outputs: &[(PathBuf, String)]) -> Result<(), CliError> {
    let temporary = |path: &Path| {
        let name = path
            .file_name()
            .map_or_else(|| "schema".into(), |n| n.to_string_lossy());
        path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
    };
    let cleanup = |upto: usize| {
        for (path, _) in &outputs[..upto] {
            let _ = std::fs::remove_file(temporary(path));
        }
    };
    for (i, (path, text)) in outputs.iter().enumerate() {
        if let Err(e) = std::fs::write(temporary(path), text) {
            cleanup(i + 1);
            return Err(CliError::Failed(format!(
                "cannot write {}: {e}; nothing was changed",
                path.display()
            )));
        }
    }
    for (path, _) in outputs {
        std::fs::rename(temporary(path), path)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

//! `gen db push | pull`: make the database match the schema without migrations, or write
//! the database's structure as a schema. Resolution, questions and printing are shared with
//! [`super::migrate`].
//!
//! `db pull` renders the raw introspection (names as the database has them) after the
//! existing generator and datasource blocks. refract does not merge it with the models
//! already in the schema (Prisma's re-introspection keeps their names, `@default(cuid())`
//! and `@updatedAt`), so overwriting a schema that has models needs `--force`; `--print`
//! only prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use refract_migrate::commands::{self as migrate, PushOutcome};
use refract_schema::ast::Top;
use refract_schema::{Diagnostics, SourceFiles};

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
        /// Overwrite the models already in the schema.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(args: DbArgs) -> Result<ExitCode, CliError> {
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

fn pull(target: &Target, print: bool, force: bool) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let files = &target.schema.files;
    let blocks = config_blocks(files);
    let preamble = if blocks.datasource_file.is_some() {
        blocks.text.clone()
    } else {
        refract_migrate::pull::DEFAULT_PREAMBLE.to_owned()
    };
    let text = block_on(migrate::db_pull(
        &target.migrate,
        Some(&target.schema.schema),
        &preamble,
    ))?
    .map_err(failed)?;
    let pulled = refract_schema::validate_str("pulled.prisma", &text);
    let models = pulled.schema.models.len();
    let enums = pulled.schema.enums.len();
    if models == 0 && enums == 0 {
        return Err(CliError::Failed(format!(
            "P4001: the introspected database was empty: {} has no tables or enums",
            super::migrate::target::describe_database(&target.migrate.url)
        )));
    }
    if print {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }

    let has_models =
        !target.schema.schema.models.is_empty() || !target.schema.schema.enums.is_empty();
    if has_models && !force {
        return Err(CliError::Failed(format!(
            "{} already has models or enums; `gen db pull` writes the database's raw structure and would replace them \
             (refract does not merge re-introspected names, `@default(cuid())` or `@updatedAt` into existing models yet). \
             Use `gen db pull --print` to see the result, or `--force` to overwrite",
            display_path(target.schema_path())
        )));
    }
    let destination = match blocks.datasource_file {
        Some(file) => PathBuf::from(&files.files[file].name),
        None => target.schema_path().to_path_buf(),
    };
    if target.schema_path().is_dir() {
        // Other files' models would clash with the pulled ones.
        let elsewhere: Vec<&str> = blocks
            .files_with_models
            .iter()
            .filter(|f| Path::new(&files.files[**f].name) != destination)
            .map(|f| files.files[*f].name.as_str())
            .collect();
        if !elsewhere.is_empty() {
            return Err(CliError::Failed(format!(
                "`gen db pull` writes one file ({}), but models are also defined in {}; \
                 move them out of the schema folder or use `gen db pull --print`",
                destination.display(),
                elsewhere.join(", ")
            )));
        }
    }
    std::fs::write(&destination, &text)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", destination.display())))?;
    println!(
        "✔ Introspected {models} model{} and {enums} enum{} and wrote them into {} in {}ms",
        if models == 1 { "" } else { "s" },
        if enums == 1 { "" } else { "s" },
        display_path(&destination),
        started.elapsed().as_millis()
    );
    println!("\nRun `gen generate` to generate the client.");
    Ok(ExitCode::SUCCESS)
}

/// The generator and datasource blocks of a schema, as written.
struct ConfigBlocks {
    text: String,
    /// Index (in `files.files`) of the file holding the datasource block.
    datasource_file: Option<usize>,
    files_with_models: Vec<usize>,
}

fn config_blocks(files: &SourceFiles) -> ConfigBlocks {
    let ast = refract_schema::parse::parse_files(files, &mut Diagnostics::new());
    let mut generators = Vec::new();
    let mut datasources = Vec::new();
    let mut datasource_file = None;
    let mut files_with_models = Vec::new();
    for top in &ast.tops {
        match top {
            Top::Generator(block) => generators.push(files.slice(block.span).to_owned()),
            Top::Datasource(block) => {
                datasource_file.get_or_insert(block.span.file.0 as usize);
                datasources.push(files.slice(block.span).to_owned());
            }
            Top::Model(model) => files_with_models.push(model.span.file.0 as usize),
            Top::Enum(enm) => files_with_models.push(enm.span.file.0 as usize),
            _ => {}
        }
    }
    files_with_models.dedup();
    let text = generators
        .into_iter()
        .chain(datasources)
        .map(|block| format!("{}\n", block.trim_end()))
        .collect::<Vec<_>>()
        .join("\n");
    ConfigBlocks {
        text,
        datasource_file,
        files_with_models,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_blocks_keep_generators_and_the_datasource_as_written() {
        let files = SourceFiles::single(
            "schema.prisma",
            "// top\ngenerator client {\n  provider = \"refract\"\n  output   = \"./out\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DB\")\n}\n\nmodel A {\n  id Int @id\n}\n",
        );
        let blocks = config_blocks(&files);
        assert_eq!(
            blocks.text,
            "generator client {\n  provider = \"refract\"\n  output   = \"./out\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DB\")\n}\n"
        );
        assert_eq!(blocks.datasource_file, Some(0));
        assert_eq!(blocks.files_with_models, vec![0]);
    }
}

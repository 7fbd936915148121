//! `gen migrate diff --from-... --to-... [--script] [--exit-code]`: turn each side's flag
//! into a [`DiffSource`], find a server for the shadow database when a side is a
//! migrations folder, print the library's summary or script.
//!
//! Exit codes as Prisma's: 0 (no difference, or any difference without `--exit-code`),
//! 2 (a difference with `--exit-code`), 1 (error).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use refract_migrate::commands::{DiffOptions, DiffSource, diff_command};

use super::DatabaseArgs;
use super::console::{block_on, failed};
use super::target::{LoadedSchema, database_url, in_schema_dir, load_schema};
use crate::config::CliError;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    from: FromArgs,
    #[command(flatten)]
    to: ToArgs,
    /// Print SQL instead of a summary.
    #[arg(long)]
    script: bool,
    /// Exit 2 when there is a difference, 0 when there is none.
    #[arg(long)]
    exit_code: bool,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Database to replay migrations folders in (it is emptied); default: a temporary
    /// database on the datasource's server.
    #[arg(long, value_name = "URL")]
    shadow_database_url: Option<String>,
}

#[derive(Debug, clap::Args)]
#[group(id = "from", required = true, multiple = false)]
struct FromArgs {
    /// From nothing.
    #[arg(long)]
    from_empty: bool,
    /// From a schema file or folder.
    #[arg(long, value_name = "PATH")]
    from_schema: Option<PathBuf>,
    /// From a live database.
    #[arg(long, value_name = "URL")]
    from_url: Option<String>,
    /// From the schema's datasource (or --url, or DATABASE_URL).
    #[arg(long)]
    from_config_datasource: bool,
    /// From a migrations folder (replayed in a shadow database).
    #[arg(long, value_name = "DIR")]
    from_migrations: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[group(id = "to", required = true, multiple = false)]
struct ToArgs {
    /// To nothing.
    #[arg(long)]
    to_empty: bool,
    /// To a schema file or folder.
    #[arg(long, value_name = "PATH")]
    to_schema: Option<PathBuf>,
    /// To a live database.
    #[arg(long, value_name = "URL")]
    to_url: Option<String>,
    /// To the schema's datasource (or --url, or DATABASE_URL).
    #[arg(long)]
    to_config_datasource: bool,
    /// To a migrations folder (replayed in a shadow database).
    #[arg(long, value_name = "DIR")]
    to_migrations: Option<PathBuf>,
}

/// One side, as flags give it.
enum Side<'a> {
    Empty,
    Schema(&'a Path),
    Url(&'a str),
    ConfigDatasource,
    Migrations(&'a Path),
}

impl FromArgs {
    fn side(&self) -> Side<'_> {
        side(
            self.from_empty,
            self.from_schema.as_deref(),
            self.from_url.as_deref(),
            self.from_config_datasource,
            self.from_migrations.as_deref(),
        )
    }
}

impl ToArgs {
    fn side(&self) -> Side<'_> {
        side(
            self.to_empty,
            self.to_schema.as_deref(),
            self.to_url.as_deref(),
            self.to_config_datasource,
            self.to_migrations.as_deref(),
        )
    }
}

fn side<'a>(
    empty: bool,
    schema: Option<&'a Path>,
    url: Option<&'a str>,
    config_datasource: bool,
    migrations: Option<&'a Path>,
) -> Side<'a> {
    if let Some(path) = schema {
        Side::Schema(path)
    } else if let Some(url) = url {
        Side::Url(url)
    } else if config_datasource {
        Side::ConfigDatasource
    } else if let Some(dir) = migrations {
        Side::Migrations(dir)
    } else {
        debug_assert!(empty, "clap requires one --from/--to flag");
        Side::Empty
    }
}

pub fn run(database: &DatabaseArgs, args: &DiffArgs) -> Result<ExitCode, CliError> {
    let (from, to) = (args.from.side(), args.to.side());
    // The project's schema gives the datasource (URL, shadow database) when one is needed.
    let needs_datasource = [&from, &to]
        .iter()
        .any(|s| matches!(s, Side::ConfigDatasource | Side::Migrations(_)));
    let project = if needs_datasource {
        project_schema(database)?
    } else {
        None
    };
    let datasource = project.as_ref().and_then(|p| p.datasource());
    let schema_dir = project.as_ref().map(|p| p.config.schema_dir.as_path());
    let datasource_url = || database_url(database.url.as_deref(), datasource, schema_dir);

    let mut options = DiffOptions {
        script: args.script,
        ..DiffOptions::default()
    };
    if [&from, &to]
        .iter()
        .any(|s| matches!(s, Side::Migrations(_)))
    {
        let configured_shadow = datasource
            .and_then(|d| d.shadow_database_url.as_ref())
            .and_then(|v| match v {
                refract_schema::ir::ConfigValue::Literal(url) => Some(url.clone()),
                refract_schema::ir::ConfigValue::Env(var) => std::env::var(var).ok(),
            })
            .map(|url| in_schema_dir(url, schema_dir));
        match args.shadow_database_url.clone().or(configured_shadow) {
            Some(shadow) => {
                options.shadow_server_url = Some(shadow);
                options.use_as_shadow = true;
            }
            None => {
                options.shadow_server_url = Some(datasource_url().map_err(|_| {
                    CliError::Failed(
                        "replaying a migrations folder needs a database server for the shadow database: \
                         pass --shadow-database-url or --url, or set DATABASE_URL"
                            .into(),
                    )
                })?);
            }
        }
    }

    let from = source(from, &datasource_url)?;
    let to = source(to, &datasource_url)?;
    let output = block_on(diff_command(&from, &to, &options))?.map_err(failed)?;
    let mut text = output.text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match &args.output {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?,
        None => print!("{text}"),
    }
    Ok(if args.exit_code && !output.is_empty {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The schema named by `--schema` (or found in the default places), if any; loading it
/// also loads its `.env`.
fn project_schema(database: &DatabaseArgs) -> Result<Option<LoadedSchema>, CliError> {
    let found = database.schema.is_some()
        || ["schema.prisma", "prisma/schema.prisma", "prisma/schema"]
            .iter()
            .any(|p| Path::new(p).exists());
    if found {
        load_schema(database.schema.clone()).map(Some)
    } else {
        let _ = dotenvy::dotenv();
        Ok(None)
    }
}

fn source(
    side: Side<'_>,
    datasource_url: &dyn Fn() -> Result<String, CliError>,
) -> Result<DiffSource, CliError> {
    Ok(match side {
        Side::Empty => DiffSource::Empty,
        Side::Schema(path) => {
            DiffSource::Schema(Box::new(load_schema(Some(path.to_path_buf()))?.schema))
        }
        Side::Url(url) => DiffSource::Url(url.to_owned()),
        Side::ConfigDatasource => DiffSource::Url(datasource_url()?),
        Side::Migrations(dir) => {
            if !dir.is_dir() {
                return Err(CliError::Usage(format!(
                    "migrations folder not found: {}",
                    dir.display()
                )));
            }
            DiffSource::Migrations(dir.to_path_buf())
        }
    })
}

//! The resolved configuration of one run: which schema files, which `.env`.
//!
//! Resolved once from the flags and the working directory; nothing below
//! the CLI reads flags or the environment.

use std::fmt;
use std::path::{Path, PathBuf};

/// A failure before or outside schema validation (exit code 2 or 1).
#[derive(Debug)]
pub enum CliError {
    /// Bad usage: no schema found, unreadable file (exit 2).
    Usage(String),
    /// A command ran and failed (exit 1).
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failed(_) => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Failed(m) => f.write_str(m),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The schema file or folder.
    pub schema_path: PathBuf,
    /// The folder that relative paths in the schema (generator `output`, `migrations/`) are relative to.
    pub schema_dir: PathBuf,
}

impl Config {
    pub fn resolve(schema: Option<PathBuf>) -> Result<Config, CliError> {
        let schema_path = match schema {
            Some(p) => {
                if !p.exists() {
                    return Err(CliError::Usage(format!("schema not found: {}", p.display())));
                }
                p
            }
            None => default_schema_path().ok_or_else(|| {
                CliError::Usage(
                    "no schema found: looked for ./schema.prisma, ./prisma/schema.prisma and ./prisma/schema/ \
                     (pass --schema PATH, or run `gen init`)"
                        .into(),
                )
            })?,
        };
        let schema_dir = if schema_path.is_dir() {
            schema_path.clone()
        } else {
            schema_path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."))
        };
        let schema_dir = if schema_dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            schema_dir
        };
        load_dotenv(&schema_dir);
        Ok(Config {
            schema_path,
            schema_dir,
        })
    }
}

fn default_schema_path() -> Option<PathBuf> {
    refract_migrate::migrations_dir::find_schema(Path::new(""))
}

/// Loads `.env` beside the schema, then in the working directory. Variables
/// already set in the environment win, as with Prisma.
fn load_dotenv(schema_dir: &Path) {
    let _ = dotenvy::from_path(schema_dir.join(".env"));
    let _ = dotenvy::dotenv();
}

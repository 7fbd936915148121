//! Where a `migrate` or `db` command works, resolved once: the schema (loaded and
//! validated), the database URL, the shadow database, the migrations folder and the
//! advisory lock. The only place these commands read the environment.
//!
//! URL: `--url`, else the datasource's `directUrl` (Prisma runs migrations over the direct
//! connection when one is set), else its `url`, else `DATABASE_URL`; `env("X")` values are
//! read from the environment (after `.env` beside the schema and in the working folder).
//! The shadow database is the datasource's `shadowDatabaseUrl`, or a temporary database on
//! the same server. The migrations folder is `migrations/` beside the schema file, or inside
//! a schema folder (Prisma's layout); a schema folder without one whose parent holds a
//! `migrations/` with a `migration_lock.toml` uses that (the layout of Prisma's
//! `prismaSchemaFolder` preview).

use std::path::{Path, PathBuf};

use refract_schema::ir;
use refract_schema::ir::{ConfigValue, Datasource};

use crate::config::{CliError, Config};

/// Prisma's switch for poolers that break session-level advisory locks.
const DISABLE_ADVISORY_LOCK: &str = "PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK";

/// A schema read from disk and validated (warnings already printed).
pub struct LoadedSchema {
    pub config: Config,
    pub schema: ir::Schema,
    /// What the source says and the IR does not keep (for `db pull`).
    pub source_facts: refract_schema::SourceFacts,
}

impl LoadedSchema {
    pub fn datasource(&self) -> Option<&Datasource> {
        self.schema.datasource.as_ref()
    }
}

/// Everything a database command needs.
pub struct Target {
    pub schema: LoadedSchema,
    pub migrate: refract_migrate::commands::Config,
}

impl Target {
    /// Loads the schema and resolves the database from it, `--url` and the environment.
    pub fn resolve(schema: Option<PathBuf>, url: Option<&str>) -> Result<Target, CliError> {
        let schema = load_schema(schema)?;
        let schema_dir = Some(schema.config.schema_dir.as_path());
        let database_url = database_url(url, schema.datasource(), schema_dir)?;
        let shadow_database_url = match schema
            .datasource()
            .and_then(|d| d.shadow_database_url.as_ref())
        {
            Some(value) => Some(in_schema_dir(
                check_url(config_value(value, "shadowDatabaseUrl")?)?,
                schema_dir,
            )),
            None => None,
        };
        if shadow_database_url.as_deref() == Some(database_url.as_str()) {
            return Err(CliError::Failed(
                "the shadow database you configured (`shadowDatabaseUrl`) is the same as the main database; \
                 point it at another database, it is erased on every `migrate dev`"
                    .into(),
            ));
        }
        let mut migrate =
            refract_migrate::commands::Config::new(database_url, migrations_dir(&schema.config));
        migrate.shadow_database_url = shadow_database_url;
        migrate.advisory_lock = advisory_lock_enabled();
        Ok(Target { schema, migrate })
    }

    /// The schema file or folder, for messages.
    pub fn schema_path(&self) -> &Path {
        &self.schema.config.schema_path
    }

    /// Prisma's two header lines: which schema, which database.
    pub fn print_header(&self) {
        println!(
            "Schema loaded from {}",
            display_path(&self.schema.config.schema_path)
        );
        let name = self
            .schema
            .datasource()
            .map(|d| d.name.as_str())
            .unwrap_or("db");
        println!(
            "Datasource \"{name}\": {}",
            describe_database(&self.migrate.url)
        );
        println!();
    }
}

/// Resolves `--schema` (loading `.env`), reads and validates the schema. Warnings are
/// printed; errors are printed and fail the command.
pub fn load_schema(path: Option<PathBuf>) -> Result<LoadedSchema, CliError> {
    let config = Config::resolve(path)?;
    let (_, validated) = crate::commands::schema::load_valid(&config, "fix the schema first")?;
    Ok(LoadedSchema {
        config,
        schema: validated.schema,
        source_facts: validated.source_facts,
    })
}

/// The database URL: `--url`, the datasource's `directUrl` or `url`, else `DATABASE_URL`.
/// Certificate paths (`sslcert`, ...) in a URL from the schema or `.env` are made relative
/// to `schema_dir`, where Prisma resolves them; those in `--url` stay relative to the
/// working directory.
pub fn database_url(
    flag: Option<&str>,
    datasource: Option<&Datasource>,
    schema_dir: Option<&Path>,
) -> Result<String, CliError> {
    if let Some(url) = flag {
        return check_url(url.to_owned());
    }
    let configured = datasource.and_then(|ds| {
        ds.direct_url
            .as_ref()
            .map(|direct| (direct, "directUrl"))
            .or(ds.url.as_ref().map(|url| (url, "url")))
    });
    let url = match configured {
        Some((value, property)) => check_url(config_value(value, property)?)?,
        None => match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => check_url(url)?,
            _ => {
                return Err(CliError::Failed(
                    "no database URL: pass --url, set `url` in the datasource block, or set DATABASE_URL \
                     (in the environment or in .env beside the schema)"
                        .into(),
                ));
            }
        },
    };
    Ok(in_schema_dir(url, schema_dir))
}

/// `url` with its relative certificate paths made relative to `schema_dir`, if known.
pub fn in_schema_dir(url: String, schema_dir: Option<&Path>) -> String {
    match schema_dir {
        Some(dir) => refract_tls::certificate_paths_relative_to(&url, dir),
        None => url,
    }
}

/// A datasource setting: the literal, or the environment variable it names.
fn config_value(value: &ConfigValue, property: &str) -> Result<String, CliError> {
    match value {
        ConfigValue::Literal(text) => Ok(text.clone()),
        ConfigValue::Env(name) => match std::env::var(name) {
            Ok(text) if !text.is_empty() => Ok(text),
            _ => Err(CliError::Failed(format!(
                "environment variable not found: {name} (the datasource's `{property}` reads it; \
                 set it in the environment or in .env beside the schema, or pass --url)"
            ))),
        },
    }
}

fn check_url(url: String) -> Result<String, CliError> {
    let trimmed = url.trim();
    if trimmed.starts_with("postgresql://") || trimmed.starts_with("postgres://") {
        Ok(trimmed.to_owned())
    } else {
        Err(CliError::Failed(format!(
            "the database URL must start with `postgresql://` or `postgres://` (got `{}`)",
            refract_tls::redact_password(trimmed)
        )))
    }
}

fn advisory_lock_enabled() -> bool {
    std::env::var_os(DISABLE_ADVISORY_LOCK).is_none_or(|v| v.is_empty())
}

/// `migrations/` beside the schema file or inside the schema folder.
pub fn migrations_dir(config: &Config) -> PathBuf {
    refract_migrate::migrations_dir::for_schema(&config.schema_path)
}

/// The parts of a `postgresql://` URL messages show (never the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    pub host: String,
    pub port: String,
    pub database: String,
    pub schema: String,
}

pub fn url_parts(url: &str) -> UrlParts {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority_path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = authority_path
        .split_once('/')
        .map_or(authority_path, |(a, _)| a);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        // [::1]:5432
        match bracketed.split_once(']') {
            Some((h, rest)) => (h, rest.strip_prefix(':').unwrap_or("")),
            None => (bracketed, ""),
        }
    } else {
        host_port.split_once(':').unwrap_or((host_port, ""))
    };
    let mut schema = "public".to_owned();
    let mut query_host = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("schema", v)) if !v.is_empty() => schema = v.to_owned(),
            Some(("host", v)) if !v.is_empty() => query_host = Some(v.to_owned()),
            _ => {}
        }
    }
    let host = match (host.is_empty(), query_host) {
        (true, Some(h)) => h,
        (true, None) => "localhost".to_owned(),
        (false, _) => host.to_owned(),
    };
    UrlParts {
        host,
        port: if port.is_empty() { "5432" } else { port }.to_owned(),
        database: refract_migrate::commands::database_name(url).unwrap_or_default(),
        schema,
    }
}

/// `PostgreSQL database "app", schema "public" at "localhost:5432"`.
pub fn describe_database(url: &str) -> String {
    let parts = url_parts(url);
    format!(
        "PostgreSQL database \"{}\", schema \"{}\" at \"{}:{}\"",
        parts.database, parts.schema, parts.host, parts.port
    )
}

/// `path` relative to the working folder when it is below it.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    let shown = match relative {
        Some(p) if p.as_os_str().is_empty() => return ".".to_owned(),
        Some(p) => p,
        None => path.to_path_buf(),
    };
    match shown.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.display().to_string(),
        _ => shown.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts_for_messages() {
        let parts =
            url_parts("postgresql://u:secret@db.example:6543/app?schema=tenant&sslmode=require");
        assert_eq!(
            parts,
            UrlParts {
                host: "db.example".into(),
                port: "6543".into(),
                database: "app".into(),
                schema: "tenant".into(),
            }
        );
        assert_eq!(
            describe_database("postgres://localhost/x"),
            "PostgreSQL database \"x\", schema \"public\" at \"localhost:5432\""
        );
    }

    #[test]
    fn urls_must_be_postgresql() {
        assert!(check_url("mysql://h/db".into()).is_err());
        assert!(check_url("postgres://h/db".into()).is_ok());
        assert_eq!(
            database_url(Some("postgresql://h/a"), None, None)
                .ok()
                .as_deref(),
            Some("postgresql://h/a")
        );
    }

    #[test]
    fn literal_datasource_urls_and_direct_urls() {
        let schema = refract_schema::validate_str(
            "s.prisma",
            "datasource db {\n  provider  = \"postgresql\"\n  url       = \"postgresql://pooler/app\"\n  directUrl = \"postgresql://direct/app\"\n}\n",
        );
        let ds = schema.schema.datasource.as_ref();
        assert_eq!(
            database_url(None, ds, None).ok().as_deref(),
            Some("postgresql://direct/app")
        );
        assert_eq!(
            database_url(Some("postgresql://flag/app"), ds, None)
                .ok()
                .as_deref(),
            Some("postgresql://flag/app")
        );
        // Certificate paths from the schema are the schema folder's; from --url, the
        // working directory's.
        let schema = refract_schema::validate_str(
            "s.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url      = \"postgresql://h/app?sslcert=ca.pem\"\n}\n",
        );
        let ds = schema.schema.datasource.as_ref();
        let dir = Some(Path::new("/srv/prisma"));
        assert_eq!(
            database_url(None, ds, dir).ok().as_deref(),
            Some("postgresql://h/app?sslcert=/srv/prisma/ca.pem")
        );
        assert_eq!(
            database_url(Some("postgresql://h/app?sslcert=ca.pem"), ds, dir)
                .ok()
                .as_deref(),
            Some("postgresql://h/app?sslcert=ca.pem")
        );
    }
}

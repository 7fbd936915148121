//! The migrate commands as library functions: `migrate dev | deploy | status | reset |
//! resolve | diff`, `db push | pull`. The CLI resolves a [`Config`] (URL, shadow URL, migrations
//! folder) once and calls these; nothing here reads flags, the environment or a terminal.
//! Questions to the user (reset? accept data loss?) come back as outcomes, not prompts.

mod connection;
mod db_pull;
mod dev;
mod diagnose;
mod diff_cmd;
mod history_cmds;
mod push;
mod renames;
mod shadow;

use std::path::PathBuf;

pub use connection::{
    ConnectionParams, connect, database_name, split_prisma_params, url_schema, with_database,
};
pub use db_pull::{ExistingModels, db_pull_over};
pub use dev::{ABSORBED_DRIFT_NAME, DevOptions, DevOutcome, FailedMigration, dev};
pub use diagnose::{HistoryDiagnosis, diagnose_history};
pub use diff_cmd::{DiffOptions, DiffOutput, DiffSource, diff_command};
pub use history_cmds::{
    DeployReport, StatusReport, deploy, reset, resolve_applied, resolve_rolled_back, status,
};
pub use push::{PushOutcome, db_push};
pub use renames::resolve_renames;

use crate::apply::{ApplyError, Refusal};
use crate::history::HistoryError;
use crate::introspect::Namespaces;

/// Where the database and the migrations are.
#[derive(Debug, Clone)]
pub struct Config {
    /// `postgresql://...` of the development or target database. Prisma-only parameters
    /// (`schema=`, `connection_limit=`, ...) are understood and stripped before connecting.
    pub url: String,
    /// A database to use as shadow instead of a temporary one on the same server.
    pub shadow_database_url: Option<String>,
    /// The `migrations/` folder.
    pub migrations_dir: PathBuf,
    /// Take `pg_advisory_lock(72707369)` around commands that change the database; turn off
    /// behind transaction-mode poolers.
    pub advisory_lock: bool,
}

impl Config {
    pub fn new(url: impl Into<String>, migrations_dir: impl Into<PathBuf>) -> Self {
        Config {
            url: url.into(),
            shadow_database_url: None,
            migrations_dir: migrations_dir.into(),
            advisory_lock: true,
        }
    }
}

/// Everything a command can fail with. Messages follow Prisma's, with its error codes.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("P1001: Can't reach database server at `{target}`: {detail}")]
    Unreachable { target: String, detail: String },
    #[error("P1003: Database `{0}` does not exist on the database server")]
    DatabaseMissing(String),
    #[error("P1000: Authentication failed against the database server: {0}")]
    Authentication(String),
    #[error("P1010: User was denied access on the database: {0}")]
    AccessDenied(String),
    #[error("invalid database URL `{0}`")]
    InvalidUrl(String),
    /// A Prisma URL parameter with a value it cannot take (`pgbouncer=yes`).
    #[error("P1013: The provided database string is invalid. {0}")]
    UrlParameter(String),
    #[error("P1013: The provided database string is invalid. {0}")]
    TlsSettings(#[from] refract_tls::TlsError),
    #[error("P1011: Error opening a TLS connection to `{target}`: {detail}")]
    Tls { target: String, detail: String },
    #[error("{0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The URL's `?schema=` does not exist and `CREATE SCHEMA` failed (usually: no `CREATE`
    /// privilege on the database). The cause is PostgreSQL's own text, as Prisma prints it.
    #[error("The schema `{schema}` named by the URL does not exist and could not be created")]
    CreateSchema {
        schema: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// The URL says it goes through a transaction-mode pooler (`pgbouncer=true`).
    #[error(
        "The database URL has `pgbouncer=true`: migrate and db commands need a session of their own (an advisory lock held across statements, multi-statement scripts), which a transaction-mode pooler does not keep. Set `directUrl` in the datasource to a direct connection to the database (migrate uses it when set; queries keep using `url` through the pooler), or pass a direct URL with --url."
    )]
    PoolerUrl,
    /// A migration folder's name is not UTF-8, so it cannot be a migration name.
    #[error(
        "The migration folder `{}` has a name that is not valid UTF-8, so it cannot be recorded in `_prisma_migrations`. Rename it to a UTF-8 name (keeping its timestamp prefix, so it still sorts in place); nothing was applied.",
        .0.display()
    )]
    NonUtf8MigrationName(PathBuf),
    #[error("{0}")]
    History(#[from] HistoryError),
    /// A migration cannot run as written; nothing was run or recorded.
    #[error("{0}")]
    Refused(Refusal),
    /// The `refract` generator's `tenantModel` names no model.
    #[error("{0}")]
    Tenancy(#[from] crate::tenancy::TenancyError),
    #[error(
        "P3018: A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n{0}"
    )]
    Apply(Box<ApplyError>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("P3009: migrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n{}", .0.iter().map(|n| format!("The `{n}` migration failed")).collect::<Vec<_>>().join("\n"))]
    FailedMigrations(Vec<String>),
    #[error("The following migrations were modified after they were applied:\n{}\nRevert the changes, or mark them resolved, before deploying.", .0.iter().map(|n| format!("- {n}")).collect::<Vec<_>>().join("\n"))]
    EditedMigrations(Vec<String>),
    #[error(
        "P3005: The database schema is not empty. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline"
    )]
    NotEmpty,
    #[error("P3008: The migration `{0}` is already recorded as applied in the database.")]
    AlreadyApplied(String),
    #[error(
        "P3017: The migration `{0}` could not be found. Please make sure that the migration exists, and that you included the whole name of the directory."
    )]
    MigrationNotFound(String),
    #[error("P3012: Migration `{0}` cannot be rolled back because it is not in a failed state.")]
    NotFailed(String),
    #[error(
        "P3019: The datasource provider `postgresql` specified in your schema does not match the one specified in the migration_lock.toml, `{0}`. Please remove your current migration directory and start a new migration history with prisma migrate dev. Read more: https://pris.ly/d/migrate-provider-switch"
    )]
    ProviderMismatch(String),
    #[error(
        "P3014: Prisma Migrate could not create the shadow database. Please make sure the database user has permission to create databases. Read more about the shadow database (and workarounds) at https://pris.ly/d/migrate-shadow\n\nOriginal error: {0}"
    )]
    ShadowDatabase(String),
    #[error(
        "P3006: Migration `{migration}` failed to apply cleanly to the shadow database.\n{error}"
    )]
    ShadowApply {
        migration: String,
        error: Box<ApplyError>,
    },
    #[error(
        "P3010: The name of the migration is too long. It must not be longer than 200 characters (bytes)."
    )]
    NameTooLong,
    #[error("The migration contains steps that cannot be executed:\n{}", .0.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n"))]
    Unexecutable(Vec<String>),
    /// Unexecutable steps that come from drops and adds which may be renames (a renamed
    /// required field on a table with rows is the usual case): the renames would run.
    #[error("The migration contains steps that cannot be executed:\n{}\n\nIf a dropped and an added thing are one thing renamed, say so, and the rows are kept: {}", .messages.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n"), .renames.iter().map(|r| format!("`--rename {r}`")).collect::<Vec<_>>().join(", "))]
    UnexecutableUnlessRenamed {
        messages: Vec<String>,
        /// The `--rename` arguments that would confirm the candidates.
        renames: Vec<String>,
    },
    /// A `--rename` that names nothing the history and the schema have.
    #[error("{0}")]
    InvalidRename(String),
    /// `migrate dev` would write a migration, and no name was given.
    #[error(
        "A new migration needs a name, and none was given (no `--name`, and no terminal to ask on); nothing was written or applied."
    )]
    NameRequired,
}

impl From<ApplyError> for MigrateError {
    fn from(error: ApplyError) -> Self {
        match error {
            ApplyError::Refused(refusal) => MigrateError::Refused(refusal),
            error => MigrateError::Apply(Box::new(error)),
        }
    }
}

impl From<Refusal> for MigrateError {
    fn from(refusal: Refusal) -> Self {
        MigrateError::Refused(refusal)
    }
}

impl MigrateError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> MigrateError {
        let path = path.into();
        move |source| MigrateError::Io { path, source }
    }
}

/// The namespaces a schema spans: its `schemas = [...]`, or the URL's `?schema=` (default
/// `public`).
pub fn namespaces_for(schema: Option<&refract_schema::ir::Schema>, url: &str) -> Namespaces {
    if let Some(ds) = schema.and_then(|s| s.datasource.as_ref()) {
        if !ds.schemas.is_empty() {
            return Namespaces::Multi(ds.schemas.clone());
        }
    }
    Namespaces::Single(url_schema(url))
}

//! `migrate diff`: the difference between two sources (empty, a schema, a live database, a
//! migrations folder replayed in a shadow database), as a script or as a summary.

use std::path::PathBuf;

use refract_schema::ir;

use super::connection::connect;
use super::history_cmds::read_folder;
use super::shadow::schema_of_migrations;
use super::{Config, MigrateError, namespaces_for};
use crate::check::Diagnostics;
use crate::introspect::{Namespaces, introspect};
use crate::render::render_script;
use crate::sql_schema::SqlSchema;
use crate::step::Pair;
use crate::summary::summarize;
use crate::{diff, lower};

/// One side of a diff.
#[derive(Debug, Clone)]
pub enum DiffSource {
    Empty,
    Schema(Box<ir::Schema>),
    Url(String),
    /// A migrations folder, replayed in a shadow database on `shadow_server_url`'s server
    /// (see [`DiffOptions`]).
    Migrations(PathBuf),
}

#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Output SQL instead of a summary.
    pub script: bool,
    /// A database URL on whose server a temporary shadow database may be created (needed for
    /// `Migrations` sources), or which is used as the shadow database when
    /// `use_as_shadow` is set.
    pub shadow_server_url: Option<String>,
    pub use_as_shadow: bool,
}

/// The result: whether there is any difference, and the text to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOutput {
    pub is_empty: bool,
    pub text: String,
}

/// Diffs `from` against `to`. A script carries no warnings header, as Prisma's.
pub async fn diff_command(
    from: &DiffSource,
    to: &DiffSource,
    options: &DiffOptions,
) -> Result<DiffOutput, MigrateError> {
    let schema_of = |s: &DiffSource| match s {
        DiffSource::Schema(schema) => Some(schema.as_ref().clone()),
        _ => None,
    };
    let reference_schema = schema_of(to).or_else(|| schema_of(from));
    let from_schema = resolve(from, reference_schema.as_ref(), options).await?;
    let to_schema = resolve(to, reference_schema.as_ref(), options).await?;
    let steps = diff(&from_schema, &to_schema);
    let pair = Pair::new(&from_schema, &to_schema);
    let text = if options.script {
        render_script(&steps, pair, &Diagnostics::default())
    } else {
        summarize(&steps, pair)
    };
    Ok(DiffOutput {
        is_empty: steps.is_empty(),
        text,
    })
}

async fn resolve(
    source: &DiffSource,
    reference: Option<&ir::Schema>,
    options: &DiffOptions,
) -> Result<SqlSchema, MigrateError> {
    match source {
        DiffSource::Empty => Ok(SqlSchema::default()),
        DiffSource::Schema(schema) => {
            crate::tenancy::plan(schema)?;
            Ok(lower(schema))
        }
        DiffSource::Url(url) => {
            let client = connect(url).await?;
            Ok(introspect(&client, &namespaces_for(reference, url)).await?)
        }
        DiffSource::Migrations(dir) => {
            let server = options.shadow_server_url.clone().ok_or_else(|| {
                MigrateError::ShadowDatabase("a database URL is needed to replay migrations".into())
            })?;
            let mut config = Config::new(server.clone(), dir.clone());
            if options.use_as_shadow {
                config.shadow_database_url = Some(server.clone());
            }
            let folder = read_folder(&config)?;
            let namespaces = match reference {
                Some(_) => namespaces_for(reference, &server),
                None => Namespaces::Single(super::url_schema(&server)),
            };
            schema_of_migrations(&config, &folder, &namespaces, None).await
        }
    }
}

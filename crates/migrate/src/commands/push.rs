//! `db push`: make the database match the schema directly, without migration files or
//! history. Data-losing changes need consent; unexecutable ones fail.

use refract_schema::ir;

use super::connection::connect_or_create;
use super::{Config, MigrateError, namespaces_for};
use crate::apply::run_script;
use crate::check::{self, Diagnostics};
use crate::introspect::introspect;
use crate::render::render_script;
use crate::step::Pair;
use crate::summary::summarize;
use crate::{diff, lower_in};

/// What `db push` did or needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    AlreadyInSync,
    /// Applied; the summary of what changed.
    Pushed {
        summary: String,
    },
    /// Nothing done: these warnings need `accept_data_loss`.
    NeedsConsent {
        warnings: Vec<String>,
    },
}

pub async fn db_push(
    config: &Config,
    schema: &ir::Schema,
    accept_data_loss: bool,
) -> Result<PushOutcome, MigrateError> {
    crate::tenancy::plan(schema)?;
    let mut client = connect_or_create(&config.url).await?;
    let namespaces = namespaces_for(Some(schema), &config.url);
    let default_namespace = super::url_schema(&config.url);
    let target = lower_in(schema, &default_namespace);
    let live = introspect(&client, &namespaces).await?;
    let steps = diff(&live, &target);
    if steps.is_empty() {
        return Ok(PushOutcome::AlreadyInSync);
    }
    let pair = Pair::new(&live, &target);
    let plan = check::plan(&steps, pair);
    let counts = check::count(&client, &plan).await?;
    let diagnostics = check::evaluate(&plan, &counts);
    if !diagnostics.unexecutable.is_empty() {
        return Err(MigrateError::Unexecutable(
            diagnostics
                .unexecutable
                .into_iter()
                .map(|m| m.message)
                .collect(),
        ));
    }
    if !diagnostics.warnings.is_empty() && !accept_data_loss {
        return Ok(PushOutcome::NeedsConsent {
            warnings: diagnostics
                .warnings
                .into_iter()
                .map(|m| m.message)
                .collect(),
        });
    }
    let script = render_script(&steps, pair, &Diagnostics::default());
    run_script(&mut client, "db push", &script).await?;
    Ok(PushOutcome::Pushed {
        summary: summarize(&steps, pair),
    })
}

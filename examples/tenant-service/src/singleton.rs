//! The process-wide client, for code that runs outside a request: the startup check and
//! the usage report job. The Rust shape of the seed notes' `utils/prisma.js`
//! (`globalThis.prisma || new PrismaClient()`): one client per process, reachable from
//! anywhere, never a second pool.
//!
//! Handlers do not use it: they get the client injected through axum's `State`, which
//! keeps them testable against any database. `main` installs the same client (clones
//! share one pool) in both places.

use std::time::Duration;

use client::runtime::global;
use client::{Client, Models};
use serde::Serialize;

/// Installs `db` as the process-wide client; fails if one is already installed.
pub fn install(db: Client) -> Result<&'static Client, client::Error> {
    global::init(db)
}

/// The process-wide client; fails if [`install`] has not run.
pub fn db() -> Result<&'static Client, client::Error> {
    global::get()
}

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database cannot be reached, or no client is installed.
    #[error("{0}")]
    Database(#[from] client::Error),
    /// The database has no tables yet.
    #[error("the database has no `Tenant` table: apply the migrations (`cargo db-deploy`)")]
    NotMigrated,
}

/// Fails early, with a message that says what to do, when the database is unreachable
/// or not migrated. Returns the number of tenants.
pub async fn startup_check() -> Result<i64, StartupError> {
    let db = db()?;
    db.connect().await?;
    match db.tenant().count().await {
        Ok(tenants) => Ok(tenants),
        // P2021: the table does not exist.
        Err(error) if error.code() == Some("P2021") => Err(StartupError::NotMigrated),
        Err(error) => Err(error.into()),
    }
}

/// One tenant's activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantUsage {
    pub tenant_id: String,
    pub name: String,
    pub conversations: i64,
    pub messages: i64,
}

const USAGE_SQL: &str = r#"
SELECT t."id", t."name",
       (SELECT count(*) FROM "Conversation" AS c WHERE c."tenantId" = t."id"),
       (SELECT count(*) FROM "Message" AS m
          JOIN "Conversation" AS c ON c."id" = m."convoId"
         WHERE c."tenantId" = t."id")
FROM "Tenant" AS t
ORDER BY t."name"
"#;

/// Conversations and messages per tenant, by tenant name (a job, not an endpoint: it
/// reads across tenants).
pub async fn usage_report() -> Result<Vec<TenantUsage>, client::Error> {
    let rows: Vec<(String, String, i64, i64)> = db()?.query_raw_as(USAGE_SQL, &[]).await?;
    Ok(rows
        .into_iter()
        .map(|(tenant_id, name, conversations, messages)| TenantUsage {
            tenant_id,
            name,
            conversations,
            messages,
        })
        .collect())
}

/// The background job `main` spawns: logs [`usage_report`] every `period`.
pub async fn log_usage_every(period: Duration) {
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        match usage_report().await {
            Ok(report) => {
                for usage in report {
                    tracing::info!(
                        tenant = %usage.name,
                        conversations = usage.conversations,
                        messages = usage.messages,
                        "usage"
                    );
                }
            }
            Err(error) => tracing::warn!(%error, "usage report failed"),
        }
    }
}

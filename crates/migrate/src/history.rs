//! The `_prisma_migrations` history table and the migration advisory lock, with Prisma's
//! exact DDL and semantics, so a history written by either tool is read by the other.
//!
//! Rows are append-only: a started migration is inserted before it runs (so a failure stays
//! recorded), finished by setting `finished_at`, marked failed by writing `logs`, and rolled
//! back by setting `rolled_back_at` (such rows are then ignored).

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, GenericClient};

/// Prisma's advisory lock key.
pub const ADVISORY_LOCK_ID: i64 = 72707369;
/// How long to wait for the advisory lock.
pub const ADVISORY_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

const CREATE_TABLE: &str = "CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);";

/// One row of `_prisma_migrations`.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationRecord {
    pub id: String,
    pub checksum: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub migration_name: String,
    pub logs: Option<String>,
    pub rolled_back_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub applied_steps_count: i32,
}

impl MigrationRecord {
    /// Applied: finished and not rolled back.
    pub fn is_applied(&self) -> bool {
        self.finished_at.is_some() && self.rolled_back_at.is_none()
    }
    /// Failed: neither finished nor rolled back.
    pub fn is_failed(&self) -> bool {
        self.finished_at.is_none() && self.rolled_back_at.is_none()
    }
}

/// Errors of the history layer.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock({ADVISORY_LOCK_ID})). Timeout: {}ms. See https://pris.ly/d/migrate-advisory-locking for details.", ADVISORY_LOCK_TIMEOUT.as_millis())]
    LockTimeout,
    #[error("{0}")]
    Postgres(#[from] tokio_postgres::Error),
}

/// Whether the history table exists (in the search path).
pub async fn table_exists(client: &impl GenericClient) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one("SELECT to_regclass('_prisma_migrations') IS NOT NULL", &[])
        .await?;
    Ok(row.get(0))
}

/// Creates the history table unless it exists.
pub async fn ensure_table(client: &impl GenericClient) -> Result<(), tokio_postgres::Error> {
    if !table_exists(client).await? {
        client.batch_execute(CREATE_TABLE).await?;
    }
    Ok(())
}

/// All rows, oldest first. No table means no rows.
pub async fn list(
    client: &impl GenericClient,
) -> Result<Vec<MigrationRecord>, tokio_postgres::Error> {
    if !table_exists(client).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count \
             FROM _prisma_migrations ORDER BY started_at ASC",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| MigrationRecord {
            id: r.get(0),
            checksum: r.get(1),
            finished_at: r.get(2),
            migration_name: r.get(3),
            logs: r.get(4),
            rolled_back_at: r.get(5),
            started_at: r.get(6),
            applied_steps_count: r.get(7),
        })
        .collect())
}

/// Inserts the row of a migration about to run; returns its id.
pub async fn record_started(
    client: &impl GenericClient,
    name: &str,
    checksum: &str,
) -> Result<String, tokio_postgres::Error> {
    let row = client
        .query_one(
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) \
             VALUES (gen_random_uuid()::text, $1, $2, clock_timestamp()) RETURNING id",
            &[&checksum, &name],
        )
        .await?;
    Ok(row.get(0))
}

/// Marks a migration finished (and its single step applied).
pub async fn record_finished(
    client: &impl GenericClient,
    id: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE _prisma_migrations SET finished_at = clock_timestamp(), \
             applied_steps_count = applied_steps_count + 1 WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(())
}

/// Records the failure logs of a migration.
pub async fn record_failed(
    client: &impl GenericClient,
    id: &str,
    logs: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE _prisma_migrations SET logs = $2 WHERE id = $1",
            &[&id, &logs],
        )
        .await?;
    Ok(())
}

/// `resolve --applied`: a fresh row, finished when it started.
pub async fn mark_applied(
    client: &impl GenericClient,
    name: &str,
    checksum: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            // One clock reading for both: two `clock_timestamp()` calls can differ.
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) \
             SELECT gen_random_uuid()::text, $1, $2, now.at, now.at, 0 FROM (SELECT clock_timestamp() AS at) AS now",
            &[&checksum, &name],
        )
        .await?;
    Ok(())
}

/// Marks rows rolled back (`resolve --rolled-back`, or before `resolve --applied`).
pub async fn mark_rolled_back(
    client: &impl GenericClient,
    id: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE _prisma_migrations SET rolled_back_at = clock_timestamp() WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(())
}

/// Takes Prisma's session-level advisory lock, waiting at most [`ADVISORY_LOCK_TIMEOUT`].
pub async fn acquire_lock(client: &Client) -> Result<(), HistoryError> {
    acquire_lock_within(client, ADVISORY_LOCK_TIMEOUT).await
}

/// As [`acquire_lock`] with another timeout. Polls `pg_try_advisory_lock` on the same key, so
/// a timed-out attempt leaves no pending lock request behind on the server.
pub async fn acquire_lock_within(client: &Client, timeout: Duration) -> Result<(), HistoryError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let row = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&ADVISORY_LOCK_ID])
            .await?;
        if row.get::<_, bool>(0) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(HistoryError::LockTimeout);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Releases the advisory lock.
pub async fn release_lock(client: &Client) -> Result<(), tokio_postgres::Error> {
    client
        .query_one("SELECT pg_advisory_unlock($1)", &[&ADVISORY_LOCK_ID])
        .await?;
    Ok(())
}

//! Applying one migration script to a database and recording it in `_prisma_migrations`.
//!
//! The script is split into statements ([`crate::split`]) and run inside one transaction, so a
//! failing statement leaves the database as it was; the history row, inserted before the
//! transaction, then records the failure and its logs, and the error names the statement and
//! its line. Top-level `BEGIN`/`COMMIT` in a script (Prisma's enum recreation writes them) are
//! skipped, the whole script being one transaction already. A script containing statements
//! PostgreSQL refuses inside a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...) runs
//! statement by statement without one, as psql would.

use tokio_postgres::Client;

use crate::checksum::render_checksum;
use crate::history;
use crate::split::{ScriptStatement, split_statements};

/// A migration could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(
        "Migration `{migration}` failed to apply.\n\nStatement at line {line}:\n{statement}\n\nDatabase error code: {code}\n\nDatabase error:\n{message}"
    )]
    Statement {
        migration: String,
        line: usize,
        statement: String,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Postgres(#[from] tokio_postgres::Error),
}

/// Runs `script` without recording it (shadow databases, `db push`), in one transaction
/// unless it holds statements that refuse one.
pub async fn run_script(client: &mut Client, name: &str, script: &str) -> Result<(), ApplyError> {
    let statements = statements_of(script);
    let result = if statements.iter().any(|s| needs_no_transaction(s.code())) {
        run_without_transaction(client, &statements).await
    } else {
        run_in_transaction(client, &statements, None).await
    };
    result.map_err(|failure| failure.into_error(name))
}

/// Runs `script` as migration `name` and records it. The history table must exist.
pub async fn apply_migration(
    client: &mut Client,
    name: &str,
    script: &str,
) -> Result<(), ApplyError> {
    let id = history::record_started(&*client, name, &render_checksum(script)).await?;
    let statements = statements_of(script);
    let without_transaction = statements.iter().any(|s| needs_no_transaction(s.code()));
    let result = if without_transaction {
        run_without_transaction(client, &statements).await
    } else {
        run_in_transaction(client, &statements, Some(&id)).await
    };
    match result {
        Ok(()) => {
            if without_transaction {
                history::record_finished(&*client, &id).await?;
            }
            Ok(())
        }
        Err(failure) => {
            let err = failure.into_error(name);
            history::record_failed(&*client, &id, &err.to_string()).await?;
            Err(err)
        }
    }
}

fn statements_of(script: &str) -> Vec<ScriptStatement> {
    split_statements(script)
        .into_iter()
        .filter(|s| !is_transaction_control(s.code()))
        .collect()
}

struct StatementFailure {
    statement: ScriptStatement,
    error: tokio_postgres::Error,
}

impl StatementFailure {
    fn into_error(self, migration: &str) -> ApplyError {
        let (code, message) = describe(&self.error);
        ApplyError::Statement {
            migration: migration.to_owned(),
            line: self.statement.line,
            statement: self.statement.code().to_owned(),
            code,
            message,
        }
    }
}

impl From<tokio_postgres::Error> for StatementFailure {
    fn from(error: tokio_postgres::Error) -> Self {
        StatementFailure {
            statement: ScriptStatement {
                text: "COMMIT".into(),
                line: 0,
            },
            error,
        }
    }
}

async fn run_in_transaction(
    client: &mut Client,
    statements: &[ScriptStatement],
    history_id: Option<&str>,
) -> Result<(), StatementFailure> {
    let tx = client.transaction().await?;
    for statement in statements {
        if let Err(error) = tx.batch_execute(&statement.text).await {
            let _ = tx.rollback().await;
            return Err(StatementFailure {
                statement: statement.clone(),
                error,
            });
        }
    }
    if let Some(id) = history_id {
        history::record_finished(&tx, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn run_without_transaction(
    client: &Client,
    statements: &[ScriptStatement],
) -> Result<(), StatementFailure> {
    for statement in statements {
        client
            .batch_execute(&statement.text)
            .await
            .map_err(|error| StatementFailure {
                statement: statement.clone(),
                error,
            })?;
    }
    Ok(())
}

fn first_words(code: &str, n: usize) -> String {
    code.split_whitespace()
        .take(n)
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_transaction_control(code: &str) -> bool {
    matches!(
        first_words(code, 2).as_str(),
        "BEGIN"
            | "COMMIT"
            | "END"
            | "START TRANSACTION"
            | "BEGIN TRANSACTION"
            | "COMMIT TRANSACTION"
            | "BEGIN WORK"
            | "COMMIT WORK"
    )
}

fn needs_no_transaction(code: &str) -> bool {
    let upper = first_words(code, 6);
    upper.contains("CONCURRENTLY")
        || upper.starts_with("VACUUM")
        || upper.starts_with("CREATE DATABASE")
        || upper.starts_with("DROP DATABASE")
        || upper.starts_with("ALTER SYSTEM")
}

fn describe(error: &tokio_postgres::Error) -> (String, String) {
    match error.as_db_error() {
        Some(db) => {
            let mut message = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                message.push_str("\nDETAIL: ");
                message.push_str(detail);
            }
            if let Some(hint) = db.hint() {
                message.push_str("\nHINT: ");
                message.push_str(hint);
            }
            (db.code().code().to_owned(), message)
        }
        None => (String::from("none"), error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert!(is_transaction_control("BEGIN"));
        assert!(is_transaction_control("commit"));
        assert!(!is_transaction_control("BEGINNING"));
        assert!(needs_no_transaction(
            "CREATE INDEX CONCURRENTLY \"a\" ON \"b\"(\"c\")"
        ));
        assert!(needs_no_transaction("DROP INDEX CONCURRENTLY \"a\""));
        assert!(!needs_no_transaction("CREATE INDEX \"a\" ON \"b\"(\"c\")"));
    }
}

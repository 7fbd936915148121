//! Applying one migration script to a database and recording it in `_prisma_migrations`,
//! so that the history always tells the truth: a migration recorded as applied ran in the
//! one transaction planned from it (or statement by statement), or, for `_absorbed_drift`,
//! was already true of the database; one that could not run as planned is refused before
//! anything runs. A failure inside the one transaction is recorded with
//! [`ROLLED_BACK_LOGS`] first in its `logs`, the only row that says nothing of it was
//! applied (a row Prisma wrote, or one of a statement-by-statement run, lacks it).
//!
//! Each script is planned first ([`plan`]) from its statements' heads ([`crate::split`]):
//!
//! - Normally it runs inside one transaction, so a failing statement leaves the database as
//!   it was; the history row, inserted before the transaction, then records the failure and
//!   its logs, and the error names the statement and its line.
//! - The script's own `BEGIN ... COMMIT` blocks (Prisma's enum recreation writes them) are
//!   kept as groups inside that transaction: on success the database ends as the script
//!   alone would leave it, and on failure nothing is applied, where running the script alone
//!   would have left the blocks before the failure committed. `SAVEPOINT`, `RELEASE` and
//!   `ROLLBACK TO SAVEPOINT` run as written (outside a block too: the whole script is one
//!   transaction). Prisma sends the statements to PostgreSQL as written (one multi-statement
//!   query; one statement at a time since prisma-engines#5767), so there a script's own
//!   transaction control takes effect: `BEGIN; T1; COMMIT; BEGIN; T2; ROLLBACK; T3;` keeps T1
//!   and T3 and is recorded applied, and a failure after a `COMMIT` leaves what was
//!   committed. Here transaction control the one transaction cannot honour is refused:
//!   `ROLLBACK`/`ABORT`, a `COMMIT`/`END` without its `BEGIN`, a nested or unclosed `BEGIN`,
//!   `BEGIN` with transaction modes, `AND CHAIN`, two-phase commit, and a savepoint named
//!   across a `COMMIT` or never set.
//! - Statements PostgreSQL refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`,
//!   `VACUUM`, `CREATE DATABASE`, `ALTER TYPE ... ADD VALUE` before PostgreSQL 12, ...) must
//!   be alone in their migration (with at most `SET`/`RESET`): such a migration runs one
//!   statement at a time without a transaction, and a failure records it as failed with
//!   what had run, as Prisma does. Mixed with other statements they are refused, since a
//!   failure would leave the others half applied.
//!
//! Refusals come before the history row is written, so fixing the file and running again
//! just works; `deploy`, `reset` and `dev` plan every migration they will apply before
//! applying the first. Shadow replays ([`run_script`]) plan the same way, so a replay never
//! differs from what applying did.

use tokio_postgres::Client;

use crate::checksum::render_checksum;
use crate::history;
use crate::split::{ScriptStatement, StatementKind, classify, split_statements};

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
    /// The script cannot run as written; nothing ran and nothing was recorded.
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}")]
    Postgres(#[from] tokio_postgres::Error),
}

/// Why a script cannot run as written, found before anything ran.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Migration `{migration}` was not applied, nothing of it ran: {reason}")]
pub struct Refusal {
    pub migration: String,
    /// The line of the statement the reason is about.
    pub line: usize,
    /// What is wrong, then how to go on (the non-destructive way first).
    pub reason: String,
}

/// How a script runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// These statements, in one transaction (the script's own `BEGIN`/`COMMIT` removed).
    InTransaction(Vec<ScriptStatement>),
    /// These statements, one at a time without a transaction.
    WithoutTransaction(Vec<ScriptStatement>),
}

/// Decides how `script` (migration `migration`) runs on a server of version
/// `server_version_num`, or why it cannot run as written.
pub fn plan(migration: &str, script: &str, server_version_num: u32) -> Result<Plan, Refusal> {
    let statements = split_statements(script);
    let kinds: Vec<StatementKind> = statements
        .iter()
        .map(|s| classify(s.code(), server_version_num))
        .collect();
    let refuse = |statement: &ScriptStatement, reason: String| Refusal {
        migration: migration.to_owned(),
        line: statement.line,
        reason,
    };
    let hostile = statements.iter().zip(&kinds).find_map(|(s, k)| match k {
        StatementKind::NoTransaction(what) => Some((s, *what)),
        _ => None,
    });
    if let Some((statement, what)) = hostile {
        let other = statements
            .iter()
            .zip(&kinds)
            .find(|(_, k)| !matches!(k, StatementKind::NoTransaction(_) | StatementKind::Setting));
        return match other {
            None => Ok(Plan::WithoutTransaction(statements)),
            Some((other, _)) => Err(refuse(
                statement,
                format!(
                    "line {} holds `{what}`, which PostgreSQL cannot run inside a transaction, and line {} another statement (`{}`). \
                     Run without a transaction, a failure would leave the other statements half applied. \
                     Move the `{what}` statement into a migration of its own (a new folder named to sort right after this one); \
                     a migration holding only such statements runs without a transaction, one statement at a time.",
                    statement.line,
                    other.line,
                    head_words(other.code()),
                ),
            )),
        };
    }

    // Transaction control: the script's blocks must nest in the migration's transaction.
    let mut open_block: Option<&ScriptStatement> = None;
    let mut savepoints: Vec<String> = Vec::new();
    let mut kept = Vec::new();
    for (statement, kind) in statements.iter().zip(&kinds) {
        match kind {
            StatementKind::Begin => {
                if let Some(outer) = open_block {
                    return Err(refuse(
                        statement,
                        format!(
                            "line {} opens a transaction inside the one opened at line {}; PostgreSQL has no nested transactions \
                             (it ignores the inner `BEGIN` with a warning). Remove the inner `BEGIN`, or use `SAVEPOINT` for a \
                             part you may want to undo.",
                            statement.line, outer.line
                        ),
                    ));
                }
                open_block = Some(statement);
                savepoints.clear();
            }
            StatementKind::Commit => {
                if open_block.take().is_none() {
                    return Err(refuse(
                        statement,
                        format!(
                            "line {} (`{}`) commits a transaction the script did not begin: it would commit the statements \
                             before it on their own, which the one transaction a migration runs in cannot do. Remove it (the \
                             whole migration is committed at its end, or undone if a statement fails), or, if the statements \
                             after it must be committed separately, move them into a migration of their own.",
                            statement.line,
                            head_words(statement.code())
                        ),
                    ));
                }
                savepoints.clear();
            }
            StatementKind::Savepoint(name) => {
                savepoints.push(name.clone());
                kept.push(statement.clone());
            }
            StatementKind::Release(name) | StatementKind::RollbackTo(name) => {
                if !savepoints.contains(name) {
                    return Err(refuse(
                        statement,
                        format!(
                            "line {} (`{}`) names savepoint `{name}`, which is not set in the same transaction block before it \
                             (a `COMMIT` ends the savepoints set before it). Set it with `SAVEPOINT {name}` in the same \
                             `BEGIN ... COMMIT` block, or remove the statement.",
                            statement.line,
                            head_words(statement.code())
                        ),
                    ));
                }
                if matches!(kind, StatementKind::Release(_)) {
                    // Releasing a savepoint also ends those set after it.
                    if let Some(at) = savepoints.iter().rposition(|s| s == name) {
                        savepoints.truncate(at);
                    }
                }
                kept.push(statement.clone());
            }
            StatementKind::UnsupportedControl(what) => {
                let advice = if matches!(*what, "ROLLBACK" | "ABORT") {
                    "Remove the block it ends together with the statements it would undo; to undo part of a block \
                     on purpose, use `SAVEPOINT name` and `ROLLBACK TO SAVEPOINT name` inside it."
                } else if *what == "BEGIN with transaction modes" {
                    "Its transaction modes cannot be honoured there: write a plain `BEGIN;` (or set the modes with \
                     `SET TRANSACTION` as the script's first statement)."
                } else {
                    "Remove it; the migration runs in one transaction, committed when the script ends."
                };
                return Err(refuse(
                    statement,
                    format!(
                        "line {} (`{}`) is transaction control the one transaction a migration runs in cannot honour: \
                         the history would record the migration as applied while the database holds something else. {advice}",
                        statement.line,
                        head_words(statement.code())
                    ),
                ));
            }
            StatementKind::NoTransaction(_) | StatementKind::Setting | StatementKind::Other => {
                kept.push(statement.clone());
            }
        }
    }
    if let Some(begin) = open_block {
        return Err(refuse(
            begin,
            format!(
                "line {} opens a transaction that no `COMMIT` closes: PostgreSQL would roll its statements back when \
                 the session ends, while the history recorded the migration as applied. Add `COMMIT;` where the block \
                 ends (or remove the `BEGIN`).",
                begin.line
            ),
        ));
    }
    Ok(Plan::InTransaction(kept))
}

/// The first words of a statement, for messages.
fn head_words(code: &str) -> String {
    let words: Vec<&str> = code.split_whitespace().take(4).collect();
    let mut head = words.join(" ");
    if code.split_whitespace().nth(4).is_some() {
        head.push_str(" ...");
    }
    head
}

/// The server's `server_version_num` (`150004` for 15.4). A server that answers something
/// else is taken for a current one.
pub async fn server_version_num(client: &Client) -> Result<u32, tokio_postgres::Error> {
    let row = client.query_one("SHOW server_version_num", &[]).await?;
    let text: String = row.get(0);
    Ok(text.trim().parse().unwrap_or(u32::MAX))
}

/// The first line of the `logs` of a migration that failed inside the one transaction
/// [`apply_migration`] ran it in: the transaction rolled back, so nothing of the migration
/// was applied.
pub const ROLLED_BACK_LOGS: &str =
    "refract: ran in one transaction, which rolled back: nothing of this migration was applied.";

/// Runs `script` without recording it (shadow databases, `db push`), as [`plan`] says for
/// this server's version.
pub async fn run_script(client: &mut Client, name: &str, script: &str) -> Result<(), ApplyError> {
    let version = server_version_num(client).await?;
    run_script_for(client, name, script, version).await
}

/// Runs `script` without recording it, planned for a server of `server_version_num`: a
/// shadow replay plans with the version of the database the migrations are applied to, so
/// that it accepts and refuses exactly what applying there does (a shadow server of
/// another major version then runs the same plan, and PostgreSQL's own refusals are its).
pub async fn run_script_for(
    client: &mut Client,
    name: &str,
    script: &str,
    server_version_num: u32,
) -> Result<(), ApplyError> {
    let version = server_version_num;
    let result = match plan(name, script, version).map_err(ApplyError::Refused)? {
        Plan::WithoutTransaction(statements) => run_without_transaction(client, &statements).await,
        Plan::InTransaction(statements) => run_in_transaction(client, &statements, None).await,
    };
    result.map_err(|failure| failure.into_error(name))
}

/// Runs `script` as migration `name` and records it. The history table must exist. A script
/// that cannot run as written is refused before anything runs or is recorded.
pub async fn apply_migration(
    client: &mut Client,
    name: &str,
    script: &str,
) -> Result<(), ApplyError> {
    let version = server_version_num(client).await?;
    let plan = plan(name, script, version).map_err(ApplyError::Refused)?;
    let id = history::record_started(&*client, name, &render_checksum(script)).await?;
    let result = match &plan {
        Plan::WithoutTransaction(statements) => run_without_transaction(client, statements).await,
        Plan::InTransaction(statements) => run_in_transaction(client, statements, Some(&id)).await,
    };
    match result {
        Ok(()) => {
            if matches!(plan, Plan::WithoutTransaction(_)) {
                history::record_finished(&*client, &id).await?;
            }
            Ok(())
        }
        Err(failure) => {
            let err = failure.into_error(name);
            let logs = match plan {
                Plan::InTransaction(_) => format!("{ROLLED_BACK_LOGS}\n{err}"),
                Plan::WithoutTransaction(_) => err.to_string(),
            };
            history::record_failed(&*client, &id, &logs).await?;
            Err(err)
        }
    }
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

    const CURRENT: u32 = 170000;

    /// (script, the line refused, or the number of statements kept and whether in a
    /// transaction).
    #[test]
    fn plans() {
        enum Expect {
            InTransaction(usize),
            Without(usize),
            Refused(usize, &'static str),
        }
        use Expect::*;
        let cases: &[(&str, Expect)] = &[
            (
                "CREATE TABLE a (x INT);\nCREATE TABLE b (x INT);",
                InTransaction(2),
            ),
            (
                "BEGIN;\nCREATE TABLE a (x INT);\nCOMMIT;\nCREATE TABLE b (x INT);",
                InTransaction(2),
            ),
            ("START TRANSACTION;\nSELECT 1;\nEND;", InTransaction(1)),
            (
                "BEGIN;\nSAVEPOINT s;\nSELECT 1;\nROLLBACK TO SAVEPOINT s;\nRELEASE s;\nCOMMIT;",
                InTransaction(4),
            ),
            ("SAVEPOINT s;\nSELECT 1;\nROLLBACK TO s;", InTransaction(3)),
            (
                "CREATE TABLE \"ConcurrentlyEditedDoc\" (x INT);\nCREATE INDEX ON \"ConcurrentlyEditedDoc\" (x);",
                InTransaction(2),
            ),
            (
                "-- COMMIT;\n/* ROLLBACK; */ SELECT 'ROLLBACK;';",
                InTransaction(1),
            ),
            ("CREATE INDEX CONCURRENTLY i ON t (x);", Without(1)),
            (
                "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (x);\nDROP INDEX CONCURRENTLY j;",
                Without(3),
            ),
            (
                "CREATE TABLE t (x INT);\nCREATE INDEX CONCURRENTLY i ON t (x);",
                Refused(2, "line 1 another statement"),
            ),
            (
                "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);\nCOMMIT;",
                Refused(2, "`BEGIN`"),
            ),
            (
                "COMMIT;\nCREATE INDEX CONCURRENTLY i ON t (x);\nBEGIN;",
                Refused(2, "`COMMIT`"),
            ),
            (
                "BEGIN; CREATE TABLE t1 (x INT); COMMIT;\nBEGIN; CREATE TABLE t2 (x INT); ROLLBACK;\nCREATE TABLE t3 (x INT);",
                Refused(2, "`ROLLBACK`"),
            ),
            ("ABORT;", Refused(1, "`ABORT`")),
            (
                "CREATE TABLE a (x INT);\nCOMMIT;\nCREATE TABLE b (x INT);",
                Refused(2, "did not begin"),
            ),
            (
                "BEGIN;\nBEGIN;\nCOMMIT;\nCOMMIT;",
                Refused(2, "opened at line 1"),
            ),
            (
                "BEGIN;\nCREATE TABLE a (x INT);",
                Refused(1, "no `COMMIT` closes"),
            ),
            (
                "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;",
                Refused(1, "transaction modes"),
            ),
            (
                "BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nCOMMIT;",
                Refused(3, "AND CHAIN"),
            ),
            (
                "PREPARE TRANSACTION 'x';",
                Refused(1, "PREPARE TRANSACTION"),
            ),
            (
                "BEGIN;\nSAVEPOINT s;\nCOMMIT;\nBEGIN;\nROLLBACK TO SAVEPOINT s;\nCOMMIT;",
                Refused(5, "savepoint `s`"),
            ),
            (
                "RELEASE SAVEPOINT nowhere;",
                Refused(1, "savepoint `nowhere`"),
            ),
        ];
        for (script, expect) in cases {
            let got = plan("m", script, CURRENT);
            match (expect, &got) {
                (InTransaction(n), Ok(Plan::InTransaction(kept))) => {
                    assert_eq!(kept.len(), *n, "{script}")
                }
                (Without(n), Ok(Plan::WithoutTransaction(kept))) => {
                    assert_eq!(kept.len(), *n, "{script}")
                }
                (Refused(line, text), Err(refusal)) => {
                    assert_eq!(refusal.line, *line, "{script}: {refusal}");
                    assert!(refusal.reason.contains(text), "{script}: {refusal}");
                }
                _ => panic!("{script}: {got:?}"),
            }
        }
    }

    #[test]
    fn add_value_needs_its_own_migration_only_before_postgresql_12() {
        let script = "ALTER TYPE \"Role\" ADD VALUE 'ADMIN';\nCREATE TABLE t (x INT);";
        assert!(matches!(
            plan("m", script, 120000),
            Ok(Plan::InTransaction(_))
        ));
        assert!(plan("m", script, 110012).is_err());
    }
}

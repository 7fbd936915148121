//! Talking to the user: yes/no questions (only when stdin is a terminal), the migration
//! trees Prisma prints, warning lists, and running async library calls from the CLI.

use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use crate::config::CliError;

use super::target::display_path;

/// Whether questions can be asked: stdin is a terminal.
pub fn is_interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks `question [y/N]` on stdout and reads one line; anything but y/yes is no.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    print!("{question} [y/N] ");
    std::io::stdout()
        .flush()
        .map_err(|e| CliError::Failed(format!("cannot write to the terminal: {e}")))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Failed(format!("cannot read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Asks for a line of text.
pub fn ask(question: &str) -> Result<String, CliError> {
    print!("{question} ");
    std::io::stdout()
        .flush()
        .map_err(|e| CliError::Failed(format!("cannot write to the terminal: {e}")))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Failed(format!("cannot read the answer: {e}")))?;
    Ok(answer.trim().to_owned())
}

/// Prisma's tree of migration folders:
///
/// ```text
/// migrations/
///   └─ 20240101000000_init/
///     └─ migration.sql
/// ```
pub fn migration_tree(dir: &Path, names: &[String]) -> String {
    let mut out = format!("{}/\n", display_path(dir).trim_end_matches('/'));
    for name in names {
        out.push_str(&format!("  └─ {name}/\n    └─ migration.sql\n"));
    }
    out
}

/// A bulleted list of warnings, indented as Prisma prints them.
pub fn bullet_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("  • {}\n", item.replace('\n', "\n    ")))
        .collect()
}

/// Runs one async library call on a single-threaded runtime.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// A library error as a failed command. The causes are appended: a PostgreSQL error's own
/// text (`ERROR: permission denied for schema public`) sits below tokio-postgres's bare
/// "db error".
pub fn failed(error: refract_migrate::commands::MigrateError) -> CliError {
    let mut message = error_chain(&error);
    if let Some(hint) = hint(&error) {
        message.push_str("\n\n");
        message.push_str(hint);
    }
    if let refract_migrate::commands::MigrateError::FailedMigrations(names) = &error {
        for name in names {
            message.push_str(&format!(
                "\n\nFor `{name}`: if it ran in one transaction, nothing of it was applied: fix \
                 migrations/{name}/migration.sql, then `gen migrate resolve --rolled-back \"{name}\"` and run \
                 again (every row is kept). If it was applied by hand instead: \
                 `gen migrate resolve --applied \"{name}\"`."
            ));
        }
    }
    if let refract_migrate::commands::MigrateError::Apply(apply) = &error {
        if let refract_migrate::apply::ApplyError::Statement { migration, .. } = &**apply {
            message.push_str(&format!(
                "\n\nIf the migration ran in one transaction (it does unless it is made only of statements \
                 like CREATE INDEX CONCURRENTLY), nothing of it was applied. Fix \
                 migrations/{migration}/migration.sql (or delete the folder and change the schema), then \
                 `gen migrate resolve --rolled-back \"{migration}\"` and run the command again: every row is kept. \
                 Last resort: `gen migrate reset` (all data will be lost)."
            ));
        }
    }
    CliError::Failed(message)
}

/// What to check, for the errors a database URL most often causes.
fn hint(error: &refract_migrate::commands::MigrateError) -> Option<&'static str> {
    use refract_migrate::commands::MigrateError;
    use tokio_postgres::error::{DbError, SqlState};
    if let MigrateError::Unreachable { .. } = error {
        return Some(
            "Please make sure your database server is running and accepts connections at that address.",
        );
    }
    if let MigrateError::ShadowDatabase(_) = error {
        return Some(
            "Run `gen migrate dev --local-shadow` to replay the history in a private PostgreSQL \
             started for the command from this machine's binaries, or set `shadowDatabaseUrl` in \
             the datasource (`gen dev` prints one).",
        );
    }
    if let MigrateError::Unexecutable(_) | MigrateError::UnexecutableUnlessRenamed { .. } = error {
        return Some(
            "Nothing was written or applied. Ways forward, none of which loses a row:\n\
             - `gen migrate dev --create-only` writes the migration without applying it: edit it to fill \
             the rows first (`UPDATE \"Table\" SET \"column\" = <value> WHERE \"column\" IS NULL;` before \
             the `SET NOT NULL`, or `ADD COLUMN ... DEFAULT <value>` for a new required column), then run \
             `gen migrate dev` to apply it;\n\
             - give the field a `@default(...)` in the schema, or keep it optional;\n\
             - if a dropped field and an added one are one renamed, `--rename Model.old=new`.\n\
             Last resort: `gen migrate reset` (all data will be lost).",
        );
    }
    if let MigrateError::NameRequired = error {
        return Some("Pass one: `gen migrate dev --name <name>`.");
    }
    if let MigrateError::InvalidRename(_) = error {
        return Some(
            "`--rename` takes OLD=NEW: `Model.oldField=newField`, `OldModel=NewModel`, \
             `Enum.OLD_VALUE=NEW_VALUE`, `OldEnum=NewEnum` (the old name as the migration history has it).",
        );
    }
    if let MigrateError::CreateSchema { .. } = error {
        return Some(
            "Create the schema as a user who may, or grant this user `CREATE` on the database.",
        );
    }
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = source {
        if let Some(db) = cause.downcast_ref::<DbError>() {
            if *db.code() == SqlState::INVALID_SCHEMA_NAME {
                return Some(
                    "This user may not use the schema named by the URL (`?schema=`, default \
                     `public`): it needs `USAGE` on it.",
                );
            }
            if *db.code() == SqlState::INSUFFICIENT_PRIVILEGE {
                return Some(
                    "The database user lacks a privilege the command needs (see above); \
                     migrations need to create and alter tables in the schema.",
                );
            }
        }
        source = cause.source();
    }
    None
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut messages = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        messages.push(cause.to_string());
        source = cause.source();
    }
    let mut kept: Vec<&str> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let repeated_later = messages[i + 1..]
            .iter()
            .any(|m| m.contains(message.as_str()));
        let said_already = kept.iter().any(|k| k.contains(message.as_str()));
        if !message.is_empty() && message != "db error" && !repeated_later && !said_already {
            kept.push(message);
        }
    }
    if kept.is_empty() {
        messages.join(": ")
    } else {
        kept.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_and_bullets() {
        assert_eq!(
            migration_tree(
                Path::new("/nowhere/migrations"),
                &["1_a".into(), "2_b".into()]
            ),
            "/nowhere/migrations/\n  └─ 1_a/\n    └─ migration.sql\n  └─ 2_b/\n    └─ migration.sql\n"
        );
        assert_eq!(bullet_list(&["x\ny".into()]), "  • x\n    y\n");
    }
}

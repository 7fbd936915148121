//! The rules, one function each, read as a checklist: [`STATEMENT_RULES`] look at a whole
//! statement, [`ACTION_RULES`] at one action of an `ALTER TABLE`. A rule returns the hazard
//! it sees, with a message (what happens on a live database) and a fix (what to write
//! instead); the [`Linter`](super::Linter) adds the line and the allow comments.

use super::statement::{Action, Statement};
use super::{Cx, Hazard, Rule};
use crate::split::ADD_VALUE_IN_TRANSACTION;

type StatementRule = fn(&Cx<'_, '_>, &Statement) -> Option<Hazard>;
type ActionRule = fn(&Cx<'_, '_>, &str, &Action) -> Option<Hazard>;

const STATEMENT_RULES: [StatementRule; 2] = [
    require_concurrent_index_creation,
    adding_enum_value_in_transaction,
];

const ACTION_RULES: [ActionRule; 10] = [
    adding_required_field,
    adding_foreign_key_constraint,
    constraint_missing_not_valid,
    validating_in_the_same_migration,
    adding_not_nullable_field,
    changing_column_type,
    ban_drop_column,
    renaming_column,
    renaming_table,
    adding_foreign_key_column,
];

/// Every hazard of one statement, in rule order.
pub(super) fn check(cx: &Cx<'_, '_>, statement: &Statement) -> Vec<Hazard> {
    let mut hazards: Vec<Hazard> = STATEMENT_RULES
        .iter()
        .filter_map(|rule| rule(cx, statement))
        .collect();
    match statement {
        Statement::AlterTable { table, actions } if !cx.is_new(table) => {
            for action in actions {
                hazards.extend(
                    ACTION_RULES
                        .iter()
                        .filter_map(|rule| rule(cx, table, action)),
                );
            }
        }
        Statement::DropTable { tables } => {
            hazards.extend(tables.iter().filter_map(|table| ban_drop_table(cx, table)));
        }
        _ => {}
    }
    hazards
}

fn hazard(rule: Rule, message: String, fix: &str) -> Option<Hazard> {
    Some(Hazard {
        rule,
        message,
        fix: fix.to_owned(),
    })
}

/// `ADD COLUMN ... NOT NULL` without a default on a table with rows fails outright.
fn adding_required_field(_: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::AddColumn {
        column,
        not_null: true,
        fills_rows: false,
        ..
    } = action
    else {
        return None;
    };
    hazard(
        Rule::AddingRequiredField,
        format!(
            "adding the required column `{table}`.`{column}` without a default fails on a table that has rows"
        ),
        "give the column a default (`@default(...)` in the schema), or add it nullable, backfill it in batches, then make it required in a later migration",
    )
}

/// `CREATE INDEX` without `CONCURRENTLY` blocks writes to the table while it builds.
fn require_concurrent_index_creation(cx: &Cx<'_, '_>, statement: &Statement) -> Option<Hazard> {
    let Statement::CreateIndex {
        table,
        concurrently: false,
    } = statement
    else {
        return None;
    };
    if cx.is_new(table) {
        return None;
    }
    hazard(
        Rule::RequireConcurrentIndexCreation,
        format!(
            "creating an index on `{table}` blocks its writes (SHARE lock) until the index is built"
        ),
        "use `CREATE INDEX CONCURRENTLY` in a migration of its own (refract runs a migration made only of such statements outside a transaction)",
    )
}

/// `ADD FOREIGN KEY` without `NOT VALID` scans the table under a lock on both tables.
fn adding_foreign_key_constraint(_: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::AddForeignKey {
        not_valid: false, ..
    } = action
    else {
        return None;
    };
    hazard(
        Rule::AddingForeignKeyConstraint,
        format!(
            "adding a foreign key to `{table}` scans it while blocking writes to it and to the referenced table (SHARE ROW EXCLUSIVE)"
        ),
        "add the constraint with `NOT VALID`, then `ALTER TABLE ... VALIDATE CONSTRAINT ...` in a later migration (validation does not block writes)",
    )
}

/// `ADD COLUMN ... REFERENCES`: the same lock as a foreign key, taken with the column.
fn adding_foreign_key_column(_: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::AddColumn {
        column,
        references: true,
        ..
    } = action
    else {
        return None;
    };
    hazard(
        Rule::AddingForeignKeyConstraint,
        format!(
            "adding `{table}`.`{column}` with `REFERENCES` locks the referenced table against writes (SHARE ROW EXCLUSIVE) and checks every row"
        ),
        "add the column without `REFERENCES`, then the foreign key with `NOT VALID` and `VALIDATE CONSTRAINT` in a later migration",
    )
}

/// `ADD CHECK` without `NOT VALID` scans the table while blocking reads and writes.
fn constraint_missing_not_valid(_: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::AddCheck {
        not_valid: false, ..
    } = action
    else {
        return None;
    };
    hazard(
        Rule::ConstraintMissingNotValid,
        format!(
            "adding a check constraint to `{table}` scans every row under an ACCESS EXCLUSIVE lock (blocks reads and writes)"
        ),
        "add the constraint with `NOT VALID`, then `ALTER TABLE ... VALIDATE CONSTRAINT ...` in a later migration (validation does not block writes)",
    )
}

/// `VALIDATE CONSTRAINT` of a constraint added `NOT VALID` in the same migration: the
/// migration's transaction still holds the lock adding it took while every row is checked.
fn validating_in_the_same_migration(
    cx: &Cx<'_, '_>,
    table: &str,
    action: &Action,
) -> Option<Hazard> {
    let Action::ValidateConstraint { name } = action else {
        return None;
    };
    if !cx.state.not_valid_here.contains(name) {
        return None;
    }
    hazard(
        Rule::ConstraintMissingNotValid,
        format!(
            "validating `{name}` in the migration that adds it `NOT VALID` checks every row of `{table}` while the migration's transaction still holds the lock adding it took"
        ),
        "move `VALIDATE CONSTRAINT` to a later migration: only there does validation run without blocking writes",
    )
}

/// `SET NOT NULL` scans the table under ACCESS EXCLUSIVE unless a validated
/// `CHECK (col IS NOT NULL)` already proves it (PostgreSQL 12+).
fn adding_not_nullable_field(cx: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::SetNotNull { column } = action else {
        return None;
    };
    if cx
        .state
        .proven_not_null
        .contains(&(table.to_owned(), column.clone()))
    {
        return None;
    }
    hazard(
        Rule::AddingNotNullableField,
        format!(
            "making `{table}`.`{column}` required scans every row under an ACCESS EXCLUSIVE lock (blocks reads and writes)"
        ),
        "first add `CHECK (\"column\" IS NOT NULL) NOT VALID` in one migration and `VALIDATE CONSTRAINT` it in a later one (no blocking scan); then `SET NOT NULL` uses the check instead of scanning (PostgreSQL 12+), and the check can be dropped",
    )
}

/// `ALTER COLUMN ... TYPE` rewrites the table under ACCESS EXCLUSIVE, unless the change is
/// binary-compatible with the column's known type (widening a `varchar`, `varchar` to
/// `text`, raising a `numeric`'s precision).
fn changing_column_type(cx: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::SetType { column, tpe, using } = action else {
        return None;
    };
    let old = cx
        .state
        .column_types
        .get(&(table.to_owned(), column.clone()));
    if !using && old.is_some_and(|old| !rewrites(old, tpe)) {
        return None;
    }
    let from = old.map_or(String::new(), |old| format!(" from `{old}`"));
    let using = if *using { " with `USING`" } else { "" };
    hazard(
        Rule::ChangingColumnType,
        format!(
            "changing `{table}`.`{column}`{from} to `{tpe}`{using} rewrites the table under an ACCESS EXCLUSIVE lock (blocks reads and writes), and running code may not read the new type"
        ),
        "add a column of the new type, write both from the code, backfill it in batches, switch reads, then drop the old column in a later migration",
    )
}

/// `DROP COLUMN` of a column the current schema's client still reads.
fn ban_drop_column(cx: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::DropColumn { column } = action else {
        return None;
    };
    if !cx.client_reads_column(table, column) {
        return None;
    }
    hazard(
        Rule::BanDropColumn,
        format!("dropping `{table}`.`{column}`, which the current schema's client still reads"),
        "remove the field from the schema and deploy the code that no longer reads it first; drop the column in a later migration",
    )
}

/// `DROP TABLE` of a table the current schema's client still reads.
fn ban_drop_table(cx: &Cx<'_, '_>, table: &str) -> Option<Hazard> {
    if cx.is_new(table) || !cx.client_reads_table(table) {
        return None;
    }
    hazard(
        Rule::BanDropTable,
        format!("dropping `{table}`, which the current schema's client still reads"),
        "remove the model from the schema and deploy the code that no longer reads it first; drop the table in a later migration",
    )
}

/// `RENAME COLUMN`: code already running reads the old name until it is replaced.
fn renaming_column(_: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::RenameColumn { from, to } = action else {
        return None;
    };
    hazard(
        Rule::RenamingColumn,
        format!(
            "renaming `{table}`.`{from}` to `{to}` breaks the code already running, which reads `{from}`"
        ),
        "keep the database name with `@map(\"old_name\")` on the renamed field, or add the new column, write both, backfill, switch reads, then drop the old one",
    )
}

/// `RENAME TO`: code already running reads the old table name.
fn renaming_table(_: &Cx<'_, '_>, table: &str, action: &Action) -> Option<Hazard> {
    let Action::RenameTable { to } = action else {
        return None;
    };
    hazard(
        Rule::RenamingTable,
        format!(
            "renaming `{table}` to `{to}` breaks the code already running, which reads `{table}`"
        ),
        "keep the database name with `@@map(\"old_name\")` on the renamed model, or rename in two deployments behind a view named like the old table",
    )
}

/// `ALTER TYPE ... ADD VALUE` inside a transaction fails before PostgreSQL 12.
fn adding_enum_value_in_transaction(cx: &Cx<'_, '_>, statement: &Statement) -> Option<Hazard> {
    let Statement::AlterTypeAddValue { name } = statement else {
        return None;
    };
    let version = cx.context.server_version_num?;
    if version >= ADD_VALUE_IN_TRANSACTION || !cx.in_transaction {
        return None;
    }
    hazard(
        Rule::AddingEnumValueInTransaction,
        format!(
            "adding a value to the enum `{name}` inside a transaction fails on PostgreSQL {} (before 12), and this migration runs in one",
            version / 10000
        ),
        "move the `ALTER TYPE ... ADD VALUE` statements to a migration of their own (refract then runs them outside a transaction), or upgrade to PostgreSQL 12+",
    )
}

/// Whether changing a column from `old` to `new` rewrites the table (as far as the types'
/// text tells; anything not known to be binary-compatible does).
fn rewrites(old: &str, new: &str) -> bool {
    let (mut old, mut new) = (old, new);
    while let (Some(o), Some(n)) = (old.strip_suffix("[]"), new.strip_suffix("[]")) {
        (old, new) = (o, n);
    }
    if old == new {
        return false;
    }
    match (type_parts(old), type_parts(new)) {
        ((Some(Family::Varchar), old_len), (Some(Family::Varchar), new_len)) => {
            match (old_len.first(), new_len.first()) {
                (_, None) => false,
                (Some(o), Some(n)) => n < o,
                (None, Some(_)) => true,
            }
        }
        ((Some(Family::Varchar), _), (Some(Family::Text), _)) => false,
        ((Some(Family::Text), _), (Some(Family::Varchar), len)) => !len.is_empty(),
        ((Some(Family::Numeric), o), (Some(Family::Numeric), n)) => {
            match (o.as_slice(), n.as_slice()) {
                (_, []) => false,
                ([op, os], [np, ns]) => !(np >= op && ns == os),
                ([op], [np]) => np < op,
                _ => true,
            }
        }
        _ => true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Varchar,
    Text,
    Numeric,
}

/// A type's family and its numeric modifiers (`varchar(191)` is `(Varchar, [191])`).
fn type_parts(tpe: &str) -> (Option<Family>, Vec<u32>) {
    let (base, modifiers) = match tpe.split_once('(') {
        Some((base, rest)) => (base.trim(), rest.trim_end_matches(')')),
        None => (tpe.trim(), ""),
    };
    let family = match base {
        "varchar" | "character varying" => Some(Family::Varchar),
        "text" => Some(Family::Text),
        "numeric" | "decimal" => Some(Family::Numeric),
        _ => None,
    };
    let modifiers = modifiers
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .collect();
    (family, modifiers)
}

#[cfg(test)]
mod tests {
    use super::rewrites;

    #[test]
    fn binary_compatible_type_changes() {
        let cases = [
            ("varchar(10)", "varchar(20)", false),
            ("varchar(20)", "varchar(10)", true),
            ("varchar(10)", "varchar", false),
            ("varchar(10)", "text", false),
            ("varchar(10)[]", "text[]", false),
            ("text", "varchar", false),
            ("text", "varchar(10)", true),
            ("numeric(10,2)", "numeric(12,2)", false),
            ("decimal(65,30)", "numeric", false),
            ("numeric(10,2)", "numeric(10,3)", true),
            ("integer", "bigint", true),
            ("timestamp(3)", "timestamptz(3)", true),
            ("text", "text", false),
        ];
        for (old, new, expected) in cases {
            assert_eq!(rewrites(old, new), expected, "{old} -> {new}");
        }
    }
}

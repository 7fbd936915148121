//! Lock-safe scripts (`gen migrate dev --safe`): the same steps, split so that no statement
//! holds a lock that blocks writers for longer than a catalog change.
//!
//! - An index on a table that already exists is built with `CREATE INDEX CONCURRENTLY`.
//!   PostgreSQL refuses that inside a transaction, and a migration mixing it with other
//!   statements is refused by [`crate::apply`], so these go in a migration of their own,
//!   which applies one statement at a time.
//! - A foreign key on an existing table is added `NOT VALID` (a brief lock, no scan) and
//!   validated in a later migration: `VALIDATE CONSTRAINT` scans under a lock that lets
//!   writes through. It must be a later *transaction*, or the first lock would be held
//!   through the scan.
//! - `SET NOT NULL` on an existing column goes through a `CHECK (col IS NOT NULL) NOT VALID`
//!   constraint, validated in the later migration; `SET NOT NULL` then uses the valid check
//!   instead of scanning (PostgreSQL 12+), and the check is dropped.
//!
//! So one schema change gives up to three scripts, applied in this order: the main one (in a
//! transaction), the concurrent indexes (outside one), the validations (in a transaction).
//! A unique index that a new foreign key of the same migration needs stays in the main
//! script, since the key cannot be added before it exists. Pure, like the rest of `render`.

use std::collections::HashSet;

use crate::check::Diagnostics;
use crate::sql::{AlterTableClause, QualifiedName, Statement};
use crate::sql_schema::{Arity, SqlSchema, TableId};
use crate::step::{Pair, Step, TableChange};

use super::{render_script, render_step, table_name};

/// One script of a lock-safe migration and the suffix of its folder's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeScript {
    /// `None` for the main script, else `concurrent_indexes` or `validate`.
    pub suffix: Option<&'static str>,
    pub script: String,
}

/// The lock-safe scripts for `steps`. The main script is always first (it may be the empty
/// migration when every step moved to a later one).
pub fn render_safe_scripts(
    steps: &[Step],
    schemas: Pair<&SqlSchema>,
    diagnostics: &Diagnostics,
) -> Vec<SafeScript> {
    let created_tables: HashSet<TableId> = steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table } => Some(*table),
            _ => None,
        })
        .collect();
    let needed_by_new_keys: Vec<(TableId, Vec<String>)> = steps
        .iter()
        .filter_map(|s| match s {
            Step::AddForeignKey { foreign_key } => {
                let fk = schemas.next.foreign_key(*foreign_key);
                Some((fk.referenced_table, fk.referenced_columns.clone()))
            }
            _ => None,
        })
        .collect();

    let mut main_steps = Vec::new();
    let mut main_extra: Vec<(&'static str, Statement)> = Vec::new();
    let mut concurrent = Vec::new();
    let mut validate: Vec<(&'static str, Statement)> = Vec::new();

    for step in steps {
        match step {
            Step::CreateIndex {
                table: (Some(_), next_table),
                index,
            } => {
                let idx = schemas.next.index_at(*index);
                let needed = idx.is_unique()
                    && needed_by_new_keys.iter().any(|(t, cols)| {
                        t == next_table && idx.column_names().eq(cols.iter().map(String::as_str))
                    });
                if needed {
                    main_steps.push(step.clone());
                } else {
                    concurrent.extend(
                        render_step(step, schemas)
                            .into_iter()
                            .map(|s| Statement::Concurrently(Box::new(s))),
                    );
                }
            }
            Step::AddForeignKey { foreign_key }
                if !created_tables.contains(&schemas.next.foreign_key(*foreign_key).table) =>
            {
                let fk = schemas.next.foreign_key(*foreign_key);
                for statement in render_step(step, schemas) {
                    main_extra.push(("AddForeignKey", Statement::NotValid(Box::new(statement))));
                }
                validate.push((
                    "ValidateForeignKey",
                    Statement::ValidateConstraint {
                        table: table_name(schemas.next.table(fk.table)),
                        name: fk.name.clone(),
                    },
                ));
            }
            Step::AlterTable(alter) => {
                let mut alter = alter.clone();
                let table = table_name(schemas.next.table(alter.tables.next));
                let mut kept = Vec::new();
                for change in alter.changes {
                    let TableChange::AlterColumn {
                        columns,
                        mut changes,
                        type_change,
                    } = change
                    else {
                        kept.push(change);
                        continue;
                    };
                    let previous = schemas.previous.column(columns.previous);
                    let next = schemas.next.column(columns.next);
                    let made_required = changes.arity
                        && previous.arity == Arity::Nullable
                        && next.arity == Arity::Required;
                    if made_required {
                        changes.arity = false;
                        not_null_through_check(
                            &table,
                            &schemas.next.table(alter.tables.next).name,
                            &next.name,
                            &mut main_extra,
                            &mut validate,
                        );
                    }
                    if changes.any() {
                        kept.push(TableChange::AlterColumn {
                            columns,
                            changes,
                            type_change,
                        });
                    }
                }
                alter.changes = kept;
                if !alter.changes.is_empty() {
                    main_steps.push(Step::AlterTable(alter));
                }
            }
            _ => main_steps.push(step.clone()),
        }
    }

    let mut main = if main_steps.is_empty() {
        String::new()
    } else {
        render_script(&main_steps, schemas, diagnostics)
    };
    append_sections(&mut main, &main_extra);
    if main.is_empty() {
        main = render_script(&[], schemas, diagnostics);
    }
    let mut scripts = vec![SafeScript {
        suffix: None,
        script: main,
    }];
    if !concurrent.is_empty() {
        let mut script = String::new();
        let sections: Vec<_> = concurrent.into_iter().map(|s| ("CreateIndex", s)).collect();
        append_sections(&mut script, &sections);
        scripts.push(SafeScript {
            suffix: Some("concurrent_indexes"),
            script,
        });
    }
    if !validate.is_empty() {
        let mut script = String::new();
        append_sections(&mut script, &validate);
        scripts.push(SafeScript {
            suffix: Some("validate"),
            script,
        });
    }
    scripts
}

/// `ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID` now; later `VALIDATE`, `SET NOT
/// NULL` (which the valid check spares a scan) and dropping the check.
fn not_null_through_check(
    table: &QualifiedName,
    table_name: &str,
    column: &str,
    main: &mut Vec<(&'static str, Statement)>,
    validate: &mut Vec<(&'static str, Statement)>,
) {
    let base = format!("{table_name}_{column}");
    let mut cut = base.len().min(63 - "_not_null".len());
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    let name = format!("{}_not_null", &base[..cut]);
    main.push((
        "AddNotNullCheck",
        Statement::AddNotNullCheck {
            table: table.clone(),
            name: name.clone(),
            column: column.to_owned(),
        },
    ));
    validate.push((
        "ValidateNotNullCheck",
        Statement::ValidateConstraint {
            table: table.clone(),
            name: name.clone(),
        },
    ));
    validate.push((
        "SetNotNull",
        Statement::AlterTable {
            name: table.clone(),
            clauses: vec![AlterTableClause::SetNotNull {
                column: column.to_owned(),
            }],
        },
    ));
    validate.push((
        "DropNotNullCheck",
        Statement::AlterTable {
            name: table.clone(),
            clauses: vec![AlterTableClause::DropConstraint(name)],
        },
    ));
}

/// Appends `-- Label` and statements, a blank line between sections, as `render_script`
/// lays out steps.
fn append_sections(script: &mut String, sections: &[(&'static str, Statement)]) {
    let mut previous_label = None;
    for (label, statement) in sections {
        if previous_label != Some(*label) {
            if !script.is_empty() {
                script.push('\n');
            }
            script.push_str("-- ");
            script.push_str(label);
            script.push('\n');
            previous_label = Some(*label);
        }
        script.push_str(&statement.to_string());
        script.push_str(";\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(models: &str) -> SqlSchema {
        let text = format!("datasource db {{\n  provider = \"postgresql\"\n}}\n\n{models}");
        let validated = refract_schema::validate_str("schema.prisma", &text);
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        crate::lower(&validated.schema)
    }

    fn scripts(before: &str, after: &str) -> Vec<SafeScript> {
        let (previous, next) = (lowered(before), lowered(after));
        let steps = crate::diff(&previous, &next);
        render_safe_scripts(&steps, Pair::new(&previous, &next), &Diagnostics::default())
    }

    #[test]
    fn a_unique_index_a_new_key_needs_stays_in_the_transaction() {
        let found = scripts(
            "model A {\n  id   Int @id\n  code Int\n}\n\nmodel B {\n  id    Int @id\n  aCode Int\n}\n",
            "model A {\n  id   Int @id\n  code Int @unique\n  bs   B[]\n}\n\nmodel B {\n  id    Int @id\n  aCode Int\n  a     A   @relation(fields: [aCode], references: [code])\n}\n",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0]
                .script
                .contains("CREATE UNIQUE INDEX \"A_code_key\" ON \"A\"(\"code\");"),
            "{}",
            found[0].script
        );
        assert!(
            found[0].script.contains("NOT VALID;"),
            "{}",
            found[0].script
        );
        assert_eq!(found[1].suffix, Some("validate"));
    }

    #[test]
    fn new_tables_get_plain_statements() {
        let found = scripts(
            "model A {\n  id Int @id\n}\n",
            "model A {\n  id Int @id\n  bs B[]\n}\n\nmodel B {\n  id  Int @id\n  aId Int\n  a   A   @relation(fields: [aId], references: [id])\n\n  @@index([aId])\n}\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let script = &found[0].script;
        assert!(script.contains("CREATE INDEX \"B_aId_idx\""), "{script}");
        assert!(!script.contains("NOT VALID"), "{script}");
        assert!(!script.contains("CONCURRENTLY"), "{script}");
    }
}

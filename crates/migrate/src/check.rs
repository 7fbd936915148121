//! Destructive-change checks: which steps lose data or cannot run, with Prisma's messages.
//!
//! [`plan`] is pure: it lists the checks the steps need. [`evaluate`] turns them into messages
//! given row and value counts, which [`count`] reads from a live database (`SELECT COUNT(*)`),
//! or which are absent for a pure check (then the "if the table is not empty" wordings apply).
//! A check whose table or column turns out to be empty gives no message.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use tokio_postgres::Client;

use crate::render::display_type;
use crate::sql::QualifiedName;
use crate::sql_schema::{Arity, SqlSchema};
use crate::step::{Pair, Step, TableChange, TypeChange};

/// One warning or unexecutable-step message, with the index of the step that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub message: String,
    pub step_index: usize,
}

/// Messages from checking a migration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub warnings: Vec<Message>,
    pub unexecutable: Vec<Message>,
}

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty() && self.unexecutable.is_empty()
    }
}

/// A table to count rows in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableRef {
    pub namespace: Option<String>,
    pub table: String,
}

/// A column to count non-null values in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnRef {
    pub namespace: Option<String>,
    pub table: String,
    pub column: String,
}

impl ColumnRef {
    fn table_ref(&self) -> TableRef {
        TableRef {
            namespace: self.namespace.clone(),
            table: self.table.clone(),
        }
    }
}

/// A check a step needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    // Warnings.
    NonEmptyTableDrop(TableRef),
    NonEmptyColumnDrop(ColumnRef),
    DropAndRecreateColumn(ColumnRef),
    RiskyCast {
        column: ColumnRef,
        previous_type: String,
        next_type: String,
    },
    NotCastable {
        column: ColumnRef,
        previous_type: String,
        next_type: String,
    },
    PrimaryKeyChange(TableRef),
    UniqueConstraintAddition {
        table: String,
        columns: Vec<String>,
    },
    EnumValueRemoval {
        enm: String,
        values: Vec<String>,
    },
    // Unexecutable.
    AddedRequiredFieldToTable(ColumnRef),
    AddedRequiredFieldToTableWithPrismaLevelDefault(ColumnRef),
    MadeOptionalFieldRequired(ColumnRef),
    MadeScalarFieldIntoArrayField(ColumnRef),
    DropAndRecreateRequiredColumn(ColumnRef),
}

impl Check {
    fn is_unexecutable(&self) -> bool {
        matches!(
            self,
            Check::AddedRequiredFieldToTable(_)
                | Check::AddedRequiredFieldToTableWithPrismaLevelDefault(_)
                | Check::MadeOptionalFieldRequired(_)
                | Check::MadeScalarFieldIntoArrayField(_)
                | Check::DropAndRecreateRequiredColumn(_)
        )
    }

    fn needed_table(&self) -> Option<TableRef> {
        match self {
            Check::NonEmptyTableDrop(t) | Check::PrimaryKeyChange(t) => Some(t.clone()),
            Check::DropAndRecreateColumn(c)
            | Check::AddedRequiredFieldToTable(c)
            | Check::AddedRequiredFieldToTableWithPrismaLevelDefault(c)
            | Check::MadeOptionalFieldRequired(c)
            | Check::MadeScalarFieldIntoArrayField(c)
            | Check::DropAndRecreateRequiredColumn(c)
            | Check::NonEmptyColumnDrop(c)
            | Check::RiskyCast { column: c, .. }
            | Check::NotCastable { column: c, .. } => Some(c.table_ref()),
            _ => None,
        }
    }

    fn needed_column(&self) -> Option<ColumnRef> {
        match self {
            Check::NonEmptyColumnDrop(c)
            | Check::RiskyCast { column: c, .. }
            | Check::NotCastable { column: c, .. }
            | Check::DropAndRecreateColumn(c)
            | Check::MadeOptionalFieldRequired(c)
            | Check::MadeScalarFieldIntoArrayField(c) => Some(c.clone()),
            _ => None,
        }
    }
}

/// The checks of a migration, each with the index of its step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckPlan {
    pub checks: Vec<(Check, usize)>,
}

/// Row counts per table and non-null value counts per column, read from a database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub rows: BTreeMap<TableRef, i64>,
    pub values: BTreeMap<ColumnRef, i64>,
}

fn column_ref(schema: &SqlSchema, id: crate::sql_schema::ColumnId) -> ColumnRef {
    let table = schema.table(id.table);
    ColumnRef {
        namespace: table.namespace.clone(),
        table: table.name.clone(),
        column: schema.column(id).name.clone(),
    }
}

/// The checks `steps` need. Pure.
pub fn plan(steps: &[Step], schemas: Pair<&SqlSchema>) -> CheckPlan {
    let mut plan = CheckPlan::default();
    for (step_index, step) in steps.iter().enumerate() {
        let mut push = |check| plan.checks.push((check, step_index));
        match step {
            Step::DropTable { table } => {
                let t = schemas.previous.table(*table);
                push(Check::NonEmptyTableDrop(TableRef {
                    namespace: t.namespace.clone(),
                    table: t.name.clone(),
                }));
            }
            Step::AlterEnum(alter) if !alter.dropped_values.is_empty() => {
                push(Check::EnumValueRemoval {
                    enm: schemas.next.enm(alter.enums.next).name.clone(),
                    values: alter.dropped_values.clone(),
                });
            }
            Step::CreateIndex {
                table: (Some(_), _),
                index,
            } => {
                let idx = schemas.next.index_at(*index);
                if idx.is_unique() {
                    push(Check::UniqueConstraintAddition {
                        table: schemas.next.table(idx.table).name.clone(),
                        columns: idx.columns.iter().map(|c| c.name.clone()).collect(),
                    });
                }
            }
            Step::AlterTable(alter) => {
                for change in &alter.changes {
                    plan_table_change(change, alter.tables, schemas, &mut push);
                }
            }
            _ => {}
        }
    }
    plan
}

fn plan_table_change(
    change: &TableChange,
    tables: Pair<crate::sql_schema::TableId>,
    schemas: Pair<&SqlSchema>,
    push: &mut impl FnMut(Check),
) {
    match change {
        TableChange::DropPrimaryKey => {
            let t = schemas.previous.table(tables.previous);
            push(Check::PrimaryKeyChange(TableRef {
                namespace: t.namespace.clone(),
                table: t.name.clone(),
            }));
        }
        TableChange::DropColumn { column } => {
            push(Check::NonEmptyColumnDrop(column_ref(
                schemas.previous,
                *column,
            )));
        }
        TableChange::AddColumn { column } => {
            let col = schemas.next.column(*column);
            if col.arity == Arity::Required && col.default.is_none() && !col.auto_increment {
                let target = column_ref(schemas.next, *column);
                if col.prisma_level_default {
                    push(Check::AddedRequiredFieldToTableWithPrismaLevelDefault(
                        target,
                    ));
                } else {
                    push(Check::AddedRequiredFieldToTable(target));
                }
            }
        }
        TableChange::AlterColumn {
            columns,
            changes,
            type_change,
        } => {
            let prev = schemas.previous.column(columns.previous);
            let next = schemas.next.column(columns.next);
            let target = column_ref(schemas.previous, columns.previous);
            if changes.arity && prev.arity.is_nullable() && next.arity.is_required() {
                push(Check::MadeOptionalFieldRequired(target.clone()));
            }
            if changes.arity && !prev.arity.is_list() && next.arity.is_list() {
                push(Check::MadeScalarFieldIntoArrayField(target.clone()));
            }
            let (previous_type, next_type) = (display_type(prev), display_type(next));
            match type_change {
                Some(TypeChange::RiskyCast) => push(Check::RiskyCast {
                    column: target,
                    previous_type,
                    next_type,
                }),
                Some(TypeChange::NotCastable) => push(Check::NotCastable {
                    column: target,
                    previous_type,
                    next_type,
                }),
                _ => {}
            }
        }
        TableChange::DropAndRecreateColumn { columns, changes } => {
            let prev = schemas.previous.column(columns.previous);
            let next = schemas.next.column(columns.next);
            let target = column_ref(schemas.previous, columns.previous);
            if changes.arity
                && prev.arity.is_nullable()
                && next.arity.is_required()
                && next.default.is_none()
            {
                push(Check::AddedRequiredFieldToTable(target));
            } else if next.arity.is_required() && next.default.is_none() {
                push(Check::DropAndRecreateRequiredColumn(target));
            } else {
                push(Check::DropAndRecreateColumn(target));
            }
        }
        TableChange::RenamePrimaryKey | TableChange::AddPrimaryKey => {}
    }
}

/// Reads the row and value counts `plan` needs from a database. Tables or columns that do not
/// exist there (yet) are left out, which yields the count-less wordings.
pub async fn count(client: &Client, plan: &CheckPlan) -> Result<Counts, tokio_postgres::Error> {
    // One snapshot for every count: rows and non-null values read while other sessions write
    // must agree (counted apart, more rows than values would read as NULLs that are not there).
    client
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let counted = count_in_snapshot(client, plan).await;
    client.batch_execute("COMMIT").await?;
    counted
}

async fn count_in_snapshot(
    client: &Client,
    plan: &CheckPlan,
) -> Result<Counts, tokio_postgres::Error> {
    let mut counts = Counts::default();
    for (check, _) in &plan.checks {
        if let Some(table) = check.needed_table() {
            if let Entry::Vacant(entry) = counts.rows.entry(table) {
                let table = entry.key();
                let name = QualifiedName::new(table.namespace.as_deref(), &table.table);
                if let Some(n) = count_one(client, &format!("SELECT COUNT(*) FROM {name}")).await? {
                    entry.insert(n);
                }
            }
        }
        if let Some(column) = check.needed_column() {
            if let Entry::Vacant(entry) = counts.values.entry(column) {
                let column = entry.key();
                let name = QualifiedName::new(column.namespace.as_deref(), &column.table);
                let sql = format!(
                    "SELECT COUNT(*) FROM {name} WHERE {} IS NOT NULL",
                    crate::sql::Ident(&column.column)
                );
                if let Some(n) = count_one(client, &sql).await? {
                    entry.insert(n);
                }
            }
        }
    }
    Ok(counts)
}

/// One count inside the snapshot; `None` when the query fails (a table or column the
/// database lacks), which leaves the transaction usable.
async fn count_one(client: &Client, sql: &str) -> Result<Option<i64>, tokio_postgres::Error> {
    client.batch_execute("SAVEPOINT refract_count").await?;
    match client.query_one(sql, &[]).await {
        Ok(row) => {
            client
                .batch_execute("RELEASE SAVEPOINT refract_count")
                .await?;
            Ok(Some(row.get::<_, i64>(0)))
        }
        Err(_) => {
            client
                .batch_execute("ROLLBACK TO SAVEPOINT refract_count")
                .await?;
            Ok(None)
        }
    }
}

/// The messages of `plan` given `counts` (empty counts for a check without a database).
pub fn evaluate(plan: &CheckPlan, counts: &Counts) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    for (check, step_index) in &plan.checks {
        if let Some(message) = evaluate_one(check, counts) {
            let message = Message {
                message,
                step_index: *step_index,
            };
            if check.is_unexecutable() {
                diagnostics.unexecutable.push(message);
            } else {
                diagnostics.warnings.push(message);
            }
        }
    }
    diagnostics
}

fn evaluate_one(check: &Check, counts: &Counts) -> Option<String> {
    let rows = |t: &TableRef| counts.rows.get(t).copied();
    let values = |c: &ColumnRef| {
        (
            counts.rows.get(&c.table_ref()).copied(),
            counts.values.get(c).copied(),
        )
    };
    Some(match check {
        Check::DropAndRecreateColumn(c) => match values(c) {
            (Some(0), _) | (_, Some(0)) => return None,
            (_, None) => format!(
                "The `{}` column on the `{}` table would be dropped and recreated. This will lead to data loss if there is data in the column.",
                c.column, c.table
            ),
            (_, Some(_)) => format!(
                "The `{}` column on the `{}` table would be dropped and recreated. This will lead to data loss.",
                c.column, c.table
            ),
        },
        Check::NonEmptyTableDrop(t) => match rows(t) {
            Some(0) => return None,
            Some(n) => format!(
                "You are about to drop the `{}` table, which is not empty ({n} rows).",
                t.table
            ),
            None => format!(
                "You are about to drop the `{}` table. If the table is not empty, all the data it contains will be lost.",
                t.table
            ),
        },
        Check::NonEmptyColumnDrop(c) => match values(c) {
            (Some(0), _) | (_, Some(0)) => return None,
            (_, Some(n)) => format!(
                "You are about to drop the column `{}` on the `{}` table, which still contains {n} non-null values.",
                c.column, c.table
            ),
            _ => format!(
                "You are about to drop the column `{}` on the `{}` table. All the data in the column will be lost.",
                c.column, c.table
            ),
        },
        Check::RiskyCast {
            column: c,
            previous_type,
            next_type,
        } => match values(c) {
            (Some(0), _) | (_, Some(0)) => return None,
            (_, Some(n)) => format!(
                "You are about to alter the column `{}` on the `{}` table, which contains {n} non-null values. The data in that column will be cast from `{previous_type}` to `{next_type}`.",
                c.column, c.table
            ),
            _ => format!(
                "You are about to alter the column `{}` on the `{}` table. The data in that column could be lost. The data in that column will be cast from `{previous_type}` to `{next_type}`.",
                c.column, c.table
            ),
        },
        Check::NotCastable {
            column: c,
            previous_type,
            next_type,
        } => match values(c) {
            (Some(0), _) | (_, Some(0)) => return None,
            (_, Some(n)) => format!(
                "You are about to alter the column `{}` on the `{}` table, which contains {n} non-null values. The data in that column will be cast from `{previous_type}` to `{next_type}`. This cast may fail. Please make sure the data in the column can be cast.",
                c.column, c.table
            ),
            _ => format!(
                "You are about to alter the column `{}` on the `{}` table. The data in that column will be cast from `{previous_type}` to `{next_type}`. This cast may fail. Please make sure the data in the column can be cast.",
                c.column, c.table
            ),
        },
        Check::PrimaryKeyChange(t) => match rows(t) {
            Some(0) => return None,
            _ => format!(
                "The primary key for the `{}` table will be changed. If it partially fails, the table could be left without primary key constraint.",
                t.table
            ),
        },
        Check::UniqueConstraintAddition { table, columns } => format!(
            "A unique constraint covering the columns `[{}]` on the table `{table}` will be added. If there are existing duplicate values, this will fail.",
            columns.join(",")
        ),
        Check::EnumValueRemoval { enm, values } => format!(
            "The values [{}] on the enum `{enm}` will be removed. If these variants are still used in the database, this will fail.",
            values.join(",")
        ),
        Check::AddedRequiredFieldToTable(c) => {
            let details = match rows(&c.table_ref()) {
                Some(0) => return None,
                Some(n) => format!(
                    "There are {n} rows in this table, it is not possible to execute this step."
                ),
                None => "This is not possible if the table is not empty.".to_owned(),
            };
            format!(
                "Added the required column `{}` to the `{}` table without a default value. {details}",
                c.column, c.table
            )
        }
        Check::AddedRequiredFieldToTableWithPrismaLevelDefault(c) => {
            let details = match rows(&c.table_ref()) {
                Some(0) => return None,
                Some(n) => format!(
                    "There are {n} rows in this table, it is not possible to execute this step."
                ),
                None => "This is not possible if the table is not empty.".to_owned(),
            };
            format!(
                "The required column `{}` was added to the `{}` table with a prisma-level default value. {details} Please add this column as optional, then populate it before making it required.",
                c.column, c.table
            )
        }
        Check::MadeOptionalFieldRequired(c) => match values(c) {
            (Some(0), _) => return None,
            (Some(rows), Some(values)) => {
                let nulls = rows - values;
                if nulls == 0 {
                    return None;
                }
                format!(
                    "Made the column `{}` on table `{}` required, but there are {nulls} existing NULL values.",
                    c.column, c.table
                )
            }
            _ => format!(
                "Made the column `{}` on table `{}` required. This step will fail if there are existing NULL values in that column.",
                c.column, c.table
            ),
        },
        Check::MadeScalarFieldIntoArrayField(c) => {
            let details = match values(c) {
                (Some(0), _) | (_, Some(0)) => return None,
                (_, Some(n)) => format!(
                    "There are {n} existing non-null values in that column, this step cannot be executed."
                ),
                _ => "If there are non-null values in that column, this step will fail.".to_owned(),
            };
            format!(
                "Changed the column `{}` on the `{}` table from a scalar field to a list field. {details}",
                c.column, c.table
            )
        }
        Check::DropAndRecreateRequiredColumn(c) => match rows(&c.table_ref()) {
            Some(0) => return None,
            None => format!(
                "Changed the type of `{}` on the `{}` table. No cast exists, the column would be dropped and recreated, which cannot be done if there is data, since the column is required.",
                c.column, c.table
            ),
            Some(_) => format!(
                "Changed the type of `{}` on the `{}` table. No cast exists, the column would be dropped and recreated, which cannot be done since the column is required and there is data in the table.",
                c.column, c.table
            ),
        },
    })
}

//! Human-readable summaries of a diff, as Prisma's drift report writes them:
//!
//! ```text
//! [+] Added tables
//!   - Post
//!
//! [*] Changed the `User` table
//!   [+] Added column `age`
//!   [*] Altered column `name` (changed from Nullable to Required)
//! ```
//!
//! Used to explain drift (which tables, columns and constraints differ) and by `migrate diff`
//! without `--script`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::sql_schema::{Arity, SqlSchema};
use crate::step::{Pair, Step, TableChange};

/// Sections in Prisma's order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    AddedSchemas,
    AddedExtensions,
    AddedEnums,
    AddedTables,
    RemovedEnums,
    RemovedTables,
    ChangedEnum(String),
    ChangedTable(String),
}

/// A readable summary of `steps`; `No difference detected.` when there are none.
pub fn summarize(steps: &[Step], schemas: Pair<&SqlSchema>) -> String {
    if steps.is_empty() {
        return "No difference detected.".to_owned();
    }
    let (prev, next) = (schemas.previous, schemas.next);
    let mut sections: BTreeMap<Section, Vec<String>> = BTreeMap::new();
    let mut add = |section: Section, line: String| sections.entry(section).or_default().push(line);
    for step in steps {
        match step {
            Step::CreateSchema { namespace } => {
                add(Section::AddedSchemas, format!("  - {namespace}"))
            }
            Step::CreateExtension { extension } => add(
                Section::AddedExtensions,
                format!("  - {}", next.extensions[extension.0 as usize].name),
            ),
            Step::RenameTable { from, to, .. } => add(
                Section::ChangedTable(to.clone()),
                format!("  [*] Renamed the table `{from}` to `{to}`"),
            ),
            Step::RenameColumn { table, from, to } => add(
                Section::ChangedTable(prev.table(*table).name.clone()),
                format!("  [*] Renamed column `{from}` to `{to}`"),
            ),
            Step::RenameEnum { from, to, .. } => add(
                Section::ChangedEnum(to.clone()),
                format!("  [*] Renamed the enum `{from}` to `{to}`"),
            ),
            Step::RenameEnumValue { enm, from, to } => add(
                Section::ChangedEnum(prev.enm(*enm).name.clone()),
                format!("  [*] Renamed variant `{from}` to `{to}`"),
            ),
            Step::CreateEnum { enm } => {
                add(Section::AddedEnums, format!("  - {}", next.enm(*enm).name))
            }
            Step::DropEnum { enm } => add(
                Section::RemovedEnums,
                format!("  - {}", prev.enm(*enm).name),
            ),
            Step::CreateTable { table } => add(
                Section::AddedTables,
                format!("  - {}", next.table(*table).name),
            ),
            Step::DropTable { table } => add(
                Section::RemovedTables,
                format!("  - {}", prev.table(*table).name),
            ),
            Step::AlterEnum(alter) => {
                let name = prev.enm(alter.enums.previous).name.clone();
                for v in &alter.created_values {
                    add(
                        Section::ChangedEnum(name.clone()),
                        format!("  [+] Added variant `{v}`"),
                    );
                }
                for v in &alter.dropped_values {
                    add(
                        Section::ChangedEnum(name.clone()),
                        format!("  [-] Removed variant `{v}`"),
                    );
                }
            }
            Step::DropForeignKey { foreign_key } => {
                let fk = prev.foreign_key(*foreign_key);
                add(
                    Section::ChangedTable(prev.table(fk.table).name.clone()),
                    format!(
                        "  [-] Removed foreign key on columns ({})",
                        fk.columns.join(", ")
                    ),
                );
            }
            Step::AddForeignKey { foreign_key } => {
                let fk = next.foreign_key(*foreign_key);
                add(
                    Section::ChangedTable(next.table(fk.table).name.clone()),
                    format!(
                        "  [+] Added foreign key on columns ({})",
                        fk.columns.join(", ")
                    ),
                );
            }
            Step::RenameForeignKey { foreign_key } => {
                let (p, n) = (
                    prev.foreign_key(foreign_key.previous),
                    next.foreign_key(foreign_key.next),
                );
                add(
                    Section::ChangedTable(next.table(n.table).name.clone()),
                    format!(
                        "  [*] Renamed the foreign key \"{}\" to \"{}\"",
                        p.name, n.name
                    ),
                );
            }
            Step::DropIndex { index } => {
                let idx = prev.index_at(*index);
                add(
                    Section::ChangedTable(prev.table(idx.table).name.clone()),
                    format!(
                        "  [-] Removed {}index on columns ({})",
                        if idx.is_unique() { "unique " } else { "" },
                        idx.column_names().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            Step::CreateIndex { index, .. } => {
                let idx = next.index_at(*index);
                add(
                    Section::ChangedTable(next.table(idx.table).name.clone()),
                    format!(
                        "  [+] Added {}index on columns ({})",
                        if idx.is_unique() { "unique " } else { "" },
                        idx.column_names().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            Step::DropPolicy { policy } => {
                let p = prev.policy(*policy);
                add(
                    Section::ChangedTable(prev.table(p.table).name.clone()),
                    format!("  [-] Removed row-level security policy `{}`", p.name),
                );
            }
            Step::CreatePolicy { policy } => {
                let p = next.policy(*policy);
                add(
                    Section::ChangedTable(next.table(p.table).name.clone()),
                    format!("  [+] Added row-level security policy `{}`", p.name),
                );
            }
            Step::DisableRowLevelSecurity { table } => add(
                Section::ChangedTable(prev.table(*table).name.clone()),
                "  [-] Disabled row-level security".to_owned(),
            ),
            Step::EnableRowLevelSecurity { table } => add(
                Section::ChangedTable(next.table(*table).name.clone()),
                "  [+] Enabled row-level security".to_owned(),
            ),
            Step::ForceRowLevelSecurity { table } => add(
                Section::ChangedTable(next.table(*table).name.clone()),
                "  [+] Forced row-level security on the table owner".to_owned(),
            ),
            Step::RenameIndex { index } => {
                let (p, n) = (prev.index_at(index.previous), next.index_at(index.next));
                add(
                    Section::ChangedTable(prev.table(p.table).name.clone()),
                    format!("  [*] Renamed index `{}` to `{}`", p.name, n.name),
                );
            }
            Step::AlterTable(alter) => {
                let table = prev.table(alter.tables.previous);
                let section = Section::ChangedTable(table.name.clone());
                for change in &alter.changes {
                    let line = match change {
                        TableChange::AddColumn { column } => {
                            format!("  [+] Added column `{}`", next.column(*column).name)
                        }
                        TableChange::DropColumn { column } => {
                            format!("  [-] Removed column `{}`", prev.column(*column).name)
                        }
                        TableChange::AlterColumn {
                            columns, changes, ..
                        } => format!(
                            "  [*] Altered column `{}` ({})",
                            next.column(columns.next).name,
                            describe_changes(*columns, *changes, schemas)
                        ),
                        TableChange::DropAndRecreateColumn { columns, changes } => format!(
                            "  [*] Column `{}` would be dropped and recreated ({})",
                            next.column(columns.next).name,
                            describe_changes(*columns, *changes, schemas)
                        ),
                        TableChange::DropPrimaryKey => format!(
                            "  [-] Dropped the primary key on columns ({})",
                            table
                                .primary_key
                                .as_ref()
                                .map(|p| p.columns.join(", "))
                                .unwrap_or_default()
                        ),
                        TableChange::RenamePrimaryKey => format!(
                            "  [*] Renamed the primary key on columns ({})",
                            table
                                .primary_key
                                .as_ref()
                                .map(|p| p.columns.join(", "))
                                .unwrap_or_default()
                        ),
                        TableChange::AddPrimaryKey => format!(
                            "  [+] Added primary key on columns ({})",
                            next.table(alter.tables.next)
                                .primary_key
                                .as_ref()
                                .map(|p| p.columns.join(", "))
                                .unwrap_or_default()
                        ),
                    };
                    add(section.clone(), line);
                }
            }
        }
    }
    let mut out = String::new();
    for (section, lines) in sections {
        let title = match &section {
            Section::AddedSchemas => "[+] Added Schemas".to_owned(),
            Section::AddedExtensions => "[+] Added extensions".to_owned(),
            Section::AddedEnums => "[+] Added enums".to_owned(),
            Section::AddedTables => "[+] Added tables".to_owned(),
            Section::RemovedEnums => "[-] Removed enums".to_owned(),
            Section::RemovedTables => "[-] Removed tables".to_owned(),
            Section::ChangedEnum(name) => format!("[*] Changed the `{name}` enum"),
            Section::ChangedTable(name) => format!("[*] Changed the `{name}` table"),
        };
        let _ = write!(out, "\n{title}\n");
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn arity_name(arity: Arity) -> &'static str {
    match arity {
        Arity::Required => "Required",
        Arity::Nullable => "Nullable",
        Arity::List => "List",
    }
}

fn describe_changes(
    columns: Pair<crate::sql_schema::ColumnId>,
    changes: crate::step::ColumnChanges,
    schemas: Pair<&SqlSchema>,
) -> String {
    let (p, n) = (
        schemas.previous.column(columns.previous),
        schemas.next.column(columns.next),
    );
    let mut parts = Vec::new();
    if changes.arity {
        parts.push(format!(
            "changed from {} to {}",
            arity_name(p.arity),
            arity_name(n.arity)
        ));
    }
    if changes.default {
        parts.push(format!(
            "default changed from `{:?}` to `{:?}`",
            p.default, n.default
        ));
    }
    if changes.tpe {
        parts.push("type changed".to_owned());
    }
    if changes.auto_increment {
        parts.push(if p.auto_increment {
            "column is no longer autoincrementing".to_owned()
        } else {
            "column became autoincrementing".to_owned()
        });
    }
    parts.join(", ")
}

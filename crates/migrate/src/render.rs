//! `render`: steps → PostgreSQL statements → a migration script laid out as Prisma writes it.
//!
//! Pure. [`render_step`] gives the typed [`Statement`]s of one step; [`render_script`] adds the
//! `-- Label` lines, the `/* Warnings: */` header and the blank lines between steps, and gives
//! `-- This is an empty migration.` for no steps.

mod safe;

pub use safe::{SafeScript, render_safe_scripts};

use crate::check::Diagnostics;
use crate::diff::sequence_is_unused_elsewhere;
use crate::sql::{
    AlterTableClause, ColumnDef, IndexColumnDef, QualifiedName, RowLevelSecurityAction, Statement,
    StringLit,
};
use crate::sql_schema::{
    Arity, Column, ColumnDefault, ColumnType, DefaultValue, NativeType, SqlSchema, Table,
};
use crate::step::{AlterEnum, AlterTable, Pair, Step, TableChange, TypeChange};

/// The script for `steps`, with `diagnostics` as the warnings header.
pub fn render_script(
    steps: &[Step],
    schemas: Pair<&SqlSchema>,
    diagnostics: &Diagnostics,
) -> String {
    if steps.is_empty() {
        return "-- This is an empty migration.".to_owned();
    }
    let mut script = String::new();
    if !diagnostics.warnings.is_empty() || !diagnostics.unexecutable.is_empty() {
        script.push_str("/*\n  Warnings:\n\n");
        for message in diagnostics.warnings.iter().chain(&diagnostics.unexecutable) {
            script.push_str("  - ");
            script.push_str(&message.message);
            script.push('\n');
        }
        script.push_str("\n*/\n");
    }
    let mut first = true;
    for step in steps {
        let statements = render_step_text(step, schemas);
        if statements.is_empty() {
            continue;
        }
        if !first {
            script.push('\n');
        }
        first = false;
        script.push_str("-- ");
        script.push_str(step.description());
        script.push('\n');
        for statement in statements {
            script.push_str(&statement);
            script.push_str(";\n");
        }
    }
    script
}

/// The statements of one step as text. Usually the `Display` of [`render_step`]; adding
/// several enum values carries Prisma's explanatory comment before the first one.
pub fn render_step_text(step: &Step, schemas: Pair<&SqlSchema>) -> Vec<String> {
    let mut texts: Vec<String> = render_step(step, schemas)
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Step::AlterEnum(alter) = step {
        if alter.dropped_values.is_empty() && texts.len() > 1 {
            texts[0] = format!("{MULTIPLE_ENUM_VALUES_NOTE}\n\n{}", texts[0]);
        }
    }
    texts
}

const MULTIPLE_ENUM_VALUES_NOTE: &str = "-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.
";

/// The statements of one step.
pub fn render_step(step: &Step, schemas: Pair<&SqlSchema>) -> Vec<Statement> {
    let (previous, next) = (schemas.previous, schemas.next);
    match step {
        Step::CreateSchema { namespace } => vec![Statement::CreateSchema {
            name: namespace.clone(),
        }],
        Step::CreateExtension { extension } => {
            let ext = &next.extensions[extension.0 as usize];
            vec![Statement::CreateExtension {
                name: ext.name.clone(),
                schema: ext.schema.clone(),
                version: ext.version.clone(),
            }]
        }
        Step::RenameTable {
            namespace,
            from,
            to,
        } => vec![Statement::RenameTable {
            from: QualifiedName::new(namespace.as_deref(), from),
            to: to.clone(),
        }],
        Step::RenameColumn { table, from, to } => vec![Statement::RenameColumn {
            table: table_name(previous.table(*table)),
            from: from.clone(),
            to: to.clone(),
        }],
        Step::RenameEnum {
            namespace,
            from,
            to,
        } => vec![Statement::RenameType {
            from: QualifiedName::new(namespace.as_deref(), from),
            to: to.clone(),
        }],
        Step::RenameEnumValue { enm, from, to } => {
            let e = previous.enm(*enm);
            vec![Statement::RenameEnumValue {
                name: QualifiedName::new(e.namespace.as_deref(), &e.name),
                from: from.clone(),
                to: to.clone(),
            }]
        }
        Step::CreateEnum { enm } => {
            let e = next.enm(*enm);
            vec![Statement::CreateEnum {
                name: QualifiedName::new(e.namespace.as_deref(), &e.name),
                values: e.values.clone(),
            }]
        }
        Step::AlterEnum(alter) => render_alter_enum(alter, schemas),
        Step::DropForeignKey { foreign_key } => {
            let fk = previous.foreign_key(*foreign_key);
            vec![Statement::AlterTable {
                name: table_name(previous.table(fk.table)),
                clauses: vec![AlterTableClause::DropConstraint(fk.name.clone())],
            }]
        }
        Step::DropIndex { index } => {
            let idx = previous.index_at(*index);
            let table = previous.table(idx.table);
            if idx.is_constraint {
                vec![Statement::AlterTable {
                    name: table_name(table),
                    clauses: vec![AlterTableClause::DropConstraint(idx.name.clone())],
                }]
            } else {
                vec![Statement::DropIndex {
                    name: QualifiedName::new(table.namespace.as_deref(), &idx.name),
                }]
            }
        }
        Step::AlterTable(alter) => render_alter_table(alter, schemas),
        Step::DropTable { table } => vec![Statement::DropTable {
            name: table_name(previous.table(*table)),
        }],
        Step::DropEnum { enm } => {
            let e = previous.enm(*enm);
            vec![Statement::DropType {
                name: QualifiedName::new(e.namespace.as_deref(), &e.name),
            }]
        }
        Step::CreateTable { table } => {
            let t = next.table(*table);
            vec![Statement::CreateTable {
                name: table_name(t),
                columns: t.columns.iter().map(column_def).collect(),
                primary_key: t
                    .primary_key
                    .as_ref()
                    .map(|pk| (pk.name.clone(), pk.columns.clone())),
            }]
        }
        Step::CreateIndex { index, .. } => {
            let idx = next.index_at(*index);
            vec![Statement::CreateIndex {
                name: idx.name.clone(),
                unique: idx.is_unique(),
                table: table_name(next.table(idx.table)),
                algorithm: idx.algorithm,
                columns: idx
                    .columns
                    .iter()
                    .map(|c| IndexColumnDef {
                        name: c.name.clone(),
                        sort: c.sort.filter(|s| *s == crate::sql_schema::SortOrder::Desc),
                        opclass: c.opclass.as_ref().map(|o| o.name.clone()),
                    })
                    .collect(),
            }]
        }
        Step::RenameForeignKey { foreign_key } => {
            let prev = previous.foreign_key(foreign_key.previous);
            let nxt = next.foreign_key(foreign_key.next);
            vec![Statement::RenameConstraint {
                table: table_name(previous.table(prev.table)),
                from: prev.name.clone(),
                to: nxt.name.clone(),
            }]
        }
        Step::AddForeignKey { foreign_key } => {
            let fk = next.foreign_key(*foreign_key);
            vec![Statement::AddForeignKey {
                table: table_name(next.table(fk.table)),
                name: fk.name.clone(),
                columns: fk.columns.clone(),
                referenced_table: table_name(next.table(fk.referenced_table)),
                referenced_columns: fk.referenced_columns.clone(),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
            }]
        }
        Step::DropPolicy { policy } => {
            let p = previous.policy(*policy);
            vec![Statement::DropPolicy {
                name: p.name.clone(),
                table: table_name(previous.table(p.table)),
            }]
        }
        Step::DisableRowLevelSecurity { table } => {
            let t = previous.table(*table);
            let mut statements = Vec::new();
            if t.row_level_security.forced {
                statements.push(Statement::RowLevelSecurity {
                    table: table_name(t),
                    action: RowLevelSecurityAction::NoForce,
                });
            }
            if t.row_level_security.enabled {
                statements.push(Statement::RowLevelSecurity {
                    table: table_name(t),
                    action: RowLevelSecurityAction::Disable,
                });
            }
            statements
        }
        Step::EnableRowLevelSecurity { table } => vec![Statement::RowLevelSecurity {
            table: table_name(next.table(*table)),
            action: RowLevelSecurityAction::Enable,
        }],
        Step::ForceRowLevelSecurity { table } => vec![Statement::RowLevelSecurity {
            table: table_name(next.table(*table)),
            action: RowLevelSecurityAction::Force,
        }],
        Step::CreatePolicy { policy } => {
            let p = next.policy(*policy);
            vec![Statement::CreatePolicy {
                name: p.name.clone(),
                table: table_name(next.table(p.table)),
                command: p.command,
                permissive: p.permissive,
                roles: p.roles.clone(),
                using: p.using.clone(),
                with_check: p.with_check.clone(),
            }]
        }
        Step::RenameIndex { index } => {
            let prev = previous.index_at(index.previous);
            let table = previous.table(prev.table);
            vec![Statement::RenameIndex {
                from: QualifiedName::new(table.namespace.as_deref(), &prev.name),
                to: next.index_at(index.next).name.clone(),
            }]
        }
    }
}

pub(crate) fn table_name(table: &Table) -> QualifiedName {
    QualifiedName::new(table.namespace.as_deref(), &table.name)
}

/// A column as `CREATE TABLE` / `ADD COLUMN` write it.
pub(crate) fn column_def(column: &Column) -> ColumnDef {
    let tpe = render_column_type(column);
    let default = column
        .default
        .as_ref()
        .map(|d| render_default(d, &tpe))
        .filter(|d| !d.is_empty());
    ColumnDef {
        name: column.name.clone(),
        tpe,
        not_null: column.arity == Arity::Required,
        default,
    }
}

/// The SQL type of a column: `TEXT`, `"Role"[]`, `SERIAL` for an autoincrementing INTEGER.
pub fn render_column_type(column: &Column) -> String {
    let base = match &column.tpe {
        ColumnType::Enum { namespace, name } => {
            QualifiedName::new(namespace.as_deref(), name).to_string()
        }
        ColumnType::Unsupported(t) => t.clone(),
        ColumnType::Native(native) => render_native_type(*native, column.auto_increment),
    };
    if column.arity.is_list() {
        format!("{base}[]")
    } else {
        base
    }
}

pub fn render_native_type(native: NativeType, auto_increment: bool) -> String {
    let opt = |name: &str, arg: Option<u32>| match arg {
        Some(n) => format!("{name}({n})"),
        None => name.to_owned(),
    };
    match native {
        NativeType::Citext => "CITEXT".into(),
        NativeType::Oid => "OID".into(),
        NativeType::Inet => "INET".into(),
        NativeType::Money => "MONEY".into(),
        NativeType::SmallInt if auto_increment => "SMALLSERIAL".into(),
        NativeType::SmallInt => "SMALLINT".into(),
        NativeType::Integer if auto_increment => "SERIAL".into(),
        NativeType::Integer => "INTEGER".into(),
        NativeType::BigInt if auto_increment => "BIGSERIAL".into(),
        NativeType::BigInt => "BIGINT".into(),
        NativeType::Decimal(Some((p, s))) => format!("DECIMAL({p},{s})"),
        NativeType::Decimal(None) => "DECIMAL".into(),
        NativeType::Real => "REAL".into(),
        NativeType::DoublePrecision => "DOUBLE PRECISION".into(),
        NativeType::VarChar(n) => opt("VARCHAR", n),
        NativeType::Char(n) => opt("CHAR", n),
        NativeType::Text => "TEXT".into(),
        NativeType::ByteA => "BYTEA".into(),
        NativeType::Date => "DATE".into(),
        NativeType::Timestamp(n) => opt("TIMESTAMP", n),
        NativeType::Timestamptz(n) => opt("TIMESTAMPTZ", n),
        NativeType::Time(n) => opt("TIME", n),
        NativeType::Timetz(n) => opt("TIMETZ", n),
        NativeType::Boolean => "BOOLEAN".into(),
        NativeType::Bit(n) => opt("BIT", n),
        NativeType::VarBit(n) => opt("VARBIT", n),
        NativeType::Uuid => "UUID".into(),
        NativeType::Xml => "XML".into(),
        NativeType::Json => "JSON".into(),
        NativeType::JsonB => "JSONB".into(),
    }
}

/// A default as SQL; empty for defaults that are not written as `DEFAULT` (sequences,
/// `dbgenerated()` without expression).
pub fn render_default(default: &ColumnDefault, column_type: &str) -> String {
    match default {
        ColumnDefault::DbGenerated(Some(expr)) => expr.clone(),
        ColumnDefault::DbGenerated(None) | ColumnDefault::Sequence(_) => String::new(),
        ColumnDefault::Now => "CURRENT_TIMESTAMP".into(),
        ColumnDefault::Value(value) => render_value(value, column_type),
    }
}

fn render_value(value: &DefaultValue, column_type: &str) -> String {
    match value {
        DefaultValue::String(s)
        | DefaultValue::Enum(s)
        | DefaultValue::Json(s)
        | DefaultValue::DateTime(s) => StringLit(s).to_string(),
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Float(f) => f.clone(),
        DefaultValue::Boolean(b) => b.to_string(),
        DefaultValue::Bytes(bytes) => {
            let mut out = String::from("'\\x");
            out.push_str(&hex::encode(bytes));
            out.push('\'');
            out
        }
        DefaultValue::List(values) => {
            let items: Vec<String> = values
                .iter()
                .map(|v| render_value(v, column_type))
                .collect();
            format!("ARRAY[{}]::{column_type}", items.join(", "))
        }
    }
}

fn render_alter_table(alter: &AlterTable, schemas: Pair<&SqlSchema>) -> Vec<Statement> {
    let prev_table = schemas.previous.table(alter.tables.previous);
    let next_table = schemas.next.table(alter.tables.next);
    let name = table_name(prev_table);
    let mut before = Vec::new();
    let mut clauses = Vec::new();
    let mut after = Vec::new();

    for change in &alter.changes {
        match change {
            TableChange::DropPrimaryKey => {
                if let Some(pk) = &prev_table.primary_key {
                    clauses.push(AlterTableClause::DropConstraint(pk.name.clone()));
                }
            }
            TableChange::RenamePrimaryKey => {
                if let (Some(p), Some(n)) = (&prev_table.primary_key, &next_table.primary_key) {
                    after.push(Statement::RenameConstraint {
                        table: name.clone(),
                        from: p.name.clone(),
                        to: n.name.clone(),
                    });
                }
            }
            TableChange::AddPrimaryKey => {
                if let Some(pk) = &next_table.primary_key {
                    clauses.push(AlterTableClause::AddPrimaryKey {
                        name: pk.name.clone(),
                        columns: pk.columns.clone(),
                    });
                }
            }
            TableChange::AddColumn { column } => {
                clauses.push(AlterTableClause::AddColumn(column_def(
                    schemas.next.column(*column),
                )));
            }
            TableChange::DropColumn { column } => {
                clauses.push(AlterTableClause::DropColumn(
                    schemas.previous.column(*column).name.clone(),
                ));
            }
            TableChange::AlterColumn {
                columns, changes, ..
            } => {
                let cols = Pair::new(
                    schemas.previous.column(columns.previous),
                    schemas.next.column(columns.next),
                );
                render_alter_column(
                    cols,
                    *changes,
                    schemas.next,
                    next_table,
                    &name,
                    (&mut before, &mut clauses, &mut after),
                );
            }
            TableChange::DropAndRecreateColumn { columns, .. } => {
                clauses.push(AlterTableClause::DropColumn(
                    schemas.previous.column(columns.previous).name.clone(),
                ));
                clauses.push(AlterTableClause::AddColumn(column_def(
                    schemas.next.column(columns.next),
                )));
            }
        }
    }
    if clauses.is_empty() {
        return before.into_iter().chain(after).collect();
    }
    before.push(Statement::AlterTable { name, clauses });
    before.extend(after);
    before
}

fn render_alter_column(
    columns: Pair<&Column>,
    changes: crate::step::ColumnChanges,
    next_schema: &SqlSchema,
    next_table: &Table,
    table: &QualifiedName,
    (before, clauses, after): (
        &mut Vec<Statement>,
        &mut Vec<AlterTableClause>,
        &mut Vec<Statement>,
    ),
) {
    let column = columns.previous.name.clone();
    let mut set_type = false;
    let drop_default = |clauses: &mut Vec<AlterTableClause>, after: &mut Vec<Statement>| {
        clauses.push(AlterTableClause::DropDefault {
            column: column.clone(),
        });
        if let Some(ColumnDefault::Sequence(sequence)) = &columns.previous.default {
            if sequence_is_unused_elsewhere(next_schema, sequence, columns.next) {
                after.push(Statement::DropSequence {
                    name: sequence.clone(),
                });
            }
        }
    };

    if changes.default {
        match &columns.next.default {
            Some(default) => {
                let tpe = render_column_type(columns.next);
                clauses.push(AlterTableClause::SetDefault {
                    column: column.clone(),
                    default: render_default(default, &tpe),
                });
            }
            None => drop_default(clauses, after),
        }
    }
    if changes.arity {
        match (columns.previous.arity, columns.next.arity) {
            (Arity::Required, Arity::Nullable) => clauses.push(AlterTableClause::DropNotNull {
                column: column.clone(),
            }),
            (Arity::Nullable, Arity::Required) => clauses.push(AlterTableClause::SetNotNull {
                column: column.clone(),
            }),
            (Arity::List, Arity::Nullable) => {
                set_type = true;
                clauses.push(AlterTableClause::DropNotNull {
                    column: column.clone(),
                });
            }
            (Arity::List, Arity::Required) => {
                set_type = true;
                clauses.push(AlterTableClause::SetNotNull {
                    column: column.clone(),
                });
            }
            (_, Arity::List) => set_type = true,
            _ => {}
        }
    }
    if changes.tpe {
        set_type = true;
    }
    if changes.auto_increment {
        if columns.previous.auto_increment {
            drop_default(clauses, after);
        } else {
            // Imitates the sequence a SERIAL column gets.
            let sequence = format!(
                "{}{}_{}_seq",
                next_table
                    .namespace
                    .as_deref()
                    .map(|ns| format!("{}.", crate::sql::Ident(ns)))
                    .unwrap_or_default(),
                next_table.name,
                columns.next.name
            )
            .to_lowercase();
            before.push(Statement::CreateSequence {
                name: sequence.clone(),
            });
            clauses.push(AlterTableClause::SetDefault {
                column: column.clone(),
                default: format!("nextval({})", StringLit(&sequence)),
            });
            after.push(Statement::SequenceOwnedBy {
                name: sequence,
                table: table.clone(),
                column: column.clone(),
            });
        }
    }
    if set_type {
        clauses.push(AlterTableClause::SetDataType {
            column,
            tpe: render_column_type(columns.next),
        });
    }
}

fn render_alter_enum(alter: &AlterEnum, schemas: Pair<&SqlSchema>) -> Vec<Statement> {
    let prev = schemas.previous.enm(alter.enums.previous);
    let next = schemas.next.enm(alter.enums.next);
    let prev_name = QualifiedName::new(prev.namespace.as_deref(), &prev.name);
    if alter.dropped_values.is_empty() {
        return alter
            .created_values
            .iter()
            .map(|value| Statement::AddEnumValue {
                name: prev_name.clone(),
                value: value.clone(),
            })
            .collect();
    }

    // Values cannot be removed from a PostgreSQL enum: recreate the type.
    let tmp_name = QualifiedName::new(next.namespace.as_deref(), &format!("{}_new", next.name));
    let tmp_old = format!("{}_old", prev.name);
    let mut stmts = vec![
        Statement::Begin,
        Statement::CreateEnum {
            name: tmp_name.clone(),
            values: next.values.clone(),
        },
    ];
    for (column, _) in &alter.previous_usages_as_default {
        let table = schemas.previous.table(column.table);
        stmts.push(Statement::AlterTable {
            name: table_name(table),
            clauses: vec![AlterTableClause::DropDefault {
                column: schemas.previous.column(*column).name.clone(),
            }],
        });
    }
    for table in &schemas.next.tables {
        for column in &table.columns {
            if column.enum_name() != Some((next.namespace.as_deref(), next.name.as_str())) {
                continue;
            }
            let array = if column.arity.is_list() { "[]" } else { "" };
            stmts.push(Statement::AlterColumnTypeUsingText {
                table: table_name(table),
                column: column.name.clone(),
                tpe: format!("{tmp_name}{array}"),
            });
        }
    }
    stmts.push(Statement::RenameType {
        from: prev_name,
        to: tmp_old.clone(),
    });
    stmts.push(Statement::RenameType {
        from: tmp_name,
        to: next.name.clone(),
    });
    stmts.push(Statement::DropType {
        name: QualifiedName::new(prev.namespace.as_deref(), &tmp_old),
    });
    for (_, next_column) in &alter.previous_usages_as_default {
        let Some(next_column) = next_column else {
            continue;
        };
        let column = schemas.next.column(*next_column);
        let Some(default) = &column.default else {
            continue;
        };
        let table = schemas.next.table(next_column.table);
        stmts.push(Statement::AlterTable {
            name: table_name(table),
            clauses: vec![AlterTableClause::SetDefault {
                column: column.name.clone(),
                default: render_default(default, &render_column_type(column)),
            }],
        });
    }
    stmts.push(Statement::Commit);
    stmts
}

/// The type as Prisma's warnings name it (`Integer`, `VarChar(255)`, the enum's name).
pub fn display_type(column: &Column) -> String {
    let base = match &column.tpe {
        ColumnType::Native(n) => n.to_string(),
        ColumnType::Enum { name, .. } => name.clone(),
        ColumnType::Unsupported(t) => t.clone(),
    };
    if column.arity.is_list() {
        format!("{base}[]")
    } else {
        base
    }
}

/// Whether any change in `steps` is a risky or impossible cast (used by reports).
pub fn has_risky_casts(steps: &[Step]) -> bool {
    steps.iter().any(|s| match s {
        Step::AlterTable(a) => a.changes.iter().any(|c| {
            matches!(
                c,
                TableChange::AlterColumn {
                    type_change: Some(TypeChange::RiskyCast | TypeChange::NotCastable),
                    ..
                } | TableChange::DropAndRecreateColumn { .. }
            )
        }),
        _ => false,
    })
}

//! PostgreSQL statements as typed values rendered by `Display`, and the one quoting helper.
//!
//! The renderer builds these; nothing else in the crate writes SQL text for migrations.
//! Layout (4-space column indentation, `ADD COLUMN` followed by the indented column, comma
//! placement) follows what Prisma writes, so rendered scripts compare equal to Prisma's.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::sql_schema::{ForeignKeyAction, IndexAlgorithm, PolicyCommand, SortOrder};

pub(crate) const INDENT: &str = "    ";

/// A double-quoted identifier (`"User"`), with embedded quotes doubled.
#[derive(Debug, Clone, Copy)]
pub struct Ident<'a>(pub &'a str);

impl Display for Ident<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            if c == '"' {
                f.write_str("\"\"")?;
            } else {
                f.write_char(c)?;
            }
        }
        f.write_char('"')
    }
}

/// A schema-qualified name: `"public"."User"`, or `"User"` without a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifiedName {
    pub namespace: Option<String>,
    pub name: String,
}

impl QualifiedName {
    pub fn new(namespace: Option<&str>, name: &str) -> Self {
        QualifiedName {
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
        }
    }
}

impl Display for QualifiedName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(ns) = &self.namespace {
            write!(f, "{}.", Ident(ns))?;
        }
        Ident(&self.name).fmt(f)
    }
}

/// A single-quoted string literal with `'` doubled.
#[derive(Debug, Clone, Copy)]
pub struct StringLit<'a>(pub &'a str);

impl Display for StringLit<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        for c in self.0.chars() {
            if c == '\'' {
                f.write_str("''")?;
            } else {
                f.write_char(c)?;
            }
        }
        f.write_char('\'')
    }
}

/// A column definition as it appears in `CREATE TABLE` and `ADD COLUMN` (indented).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    /// Rendered type, e.g. `TEXT`, `TIMESTAMP(3)`, `"Role"[]`, `SERIAL`.
    pub tpe: String,
    pub not_null: bool,
    /// Rendered default expression.
    pub default: Option<String>,
}

impl Display for ColumnDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{INDENT}{} {}", Ident(&self.name), self.tpe)?;
        if self.not_null {
            f.write_str(" NOT NULL")?;
        }
        if let Some(default) = &self.default {
            write!(f, " DEFAULT {default}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexColumnDef {
    pub name: String,
    pub sort: Option<SortOrder>,
    pub opclass: Option<String>,
}

/// One clause of a multi-clause `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterTableClause {
    AddColumn(ColumnDef),
    DropColumn(String),
    DropConstraint(String),
    AddPrimaryKey { name: String, columns: Vec<String> },
    SetDefault { column: String, default: String },
    DropDefault { column: String },
    SetNotNull { column: String },
    DropNotNull { column: String },
    SetDataType { column: String, tpe: String },
}

impl Display for AlterTableClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AlterTableClause::AddColumn(col) => write!(f, "ADD COLUMN {col}"),
            AlterTableClause::DropColumn(c) => write!(f, "DROP COLUMN {}", Ident(c)),
            AlterTableClause::DropConstraint(c) => write!(f, "DROP CONSTRAINT {}", Ident(c)),
            AlterTableClause::AddPrimaryKey { name, columns } => {
                write!(f, "ADD CONSTRAINT {} PRIMARY KEY (", Ident(name))?;
                join(f, columns.iter().map(|c| Ident(c)), ", ")?;
                f.write_char(')')
            }
            AlterTableClause::SetDefault { column, default } => {
                write!(f, "ALTER COLUMN {} SET DEFAULT {default}", Ident(column))
            }
            AlterTableClause::DropDefault { column } => {
                write!(f, "ALTER COLUMN {} DROP DEFAULT", Ident(column))
            }
            AlterTableClause::SetNotNull { column } => {
                write!(f, "ALTER COLUMN {} SET NOT NULL", Ident(column))
            }
            AlterTableClause::DropNotNull { column } => {
                write!(f, "ALTER COLUMN {} DROP NOT NULL", Ident(column))
            }
            AlterTableClause::SetDataType { column, tpe } => {
                write!(f, "ALTER COLUMN {} SET DATA TYPE {tpe}", Ident(column))
            }
        }
    }
}

/// A PostgreSQL DDL statement, rendered without its trailing `;`.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Begin,
    Commit,
    CreateSchema {
        name: String,
    },
    CreateExtension {
        name: String,
        schema: String,
        version: String,
    },
    CreateEnum {
        name: QualifiedName,
        values: Vec<String>,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
    },
    RenameType {
        from: QualifiedName,
        to: String,
    },
    DropType {
        name: QualifiedName,
    },
    CreateTable {
        name: QualifiedName,
        columns: Vec<ColumnDef>,
        primary_key: Option<(String, Vec<String>)>,
    },
    DropTable {
        name: QualifiedName,
    },
    AlterTable {
        name: QualifiedName,
        clauses: Vec<AlterTableClause>,
    },
    /// `ALTER TABLE t ALTER COLUMN c TYPE x USING (c::text::x)` (enum recreation).
    AlterColumnTypeUsingText {
        table: QualifiedName,
        column: String,
        tpe: String,
    },
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    CreateIndex {
        name: String,
        unique: bool,
        table: QualifiedName,
        algorithm: IndexAlgorithm,
        columns: Vec<IndexColumnDef>,
    },
    DropIndex {
        name: QualifiedName,
    },
    RenameIndex {
        from: QualifiedName,
        to: String,
    },
    AddForeignKey {
        table: QualifiedName,
        name: String,
        columns: Vec<String>,
        referenced_table: QualifiedName,
        referenced_columns: Vec<String>,
        on_delete: ForeignKeyAction,
        on_update: ForeignKeyAction,
    },
    CreateSequence {
        name: String,
    },
    DropSequence {
        name: String,
    },
    SequenceOwnedBy {
        name: String,
        table: QualifiedName,
        column: String,
    },
    /// `ALTER TABLE t RENAME TO u` (a confirmed rename keeps the rows).
    RenameTable {
        from: QualifiedName,
        to: String,
    },
    /// `ALTER TABLE t RENAME COLUMN a TO b`.
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// `ALTER TYPE e RENAME VALUE 'a' TO 'b'`.
    RenameEnumValue {
        name: QualifiedName,
        from: String,
        to: String,
    },
    /// The statement (a `CREATE INDEX`) with `CONCURRENTLY`: it must run outside a transaction.
    Concurrently(Box<Statement>),
    /// The statement (an `ADD CONSTRAINT`) with `NOT VALID`: existing rows are checked later.
    NotValid(Box<Statement>),
    /// `ALTER TABLE t ADD CONSTRAINT c CHECK ("col" IS NOT NULL) NOT VALID`: the lock-safe
    /// way to `SET NOT NULL` (validated without blocking writes, then used by `SET NOT NULL`).
    AddNotNullCheck {
        table: QualifiedName,
        name: String,
        column: String,
    },
    /// `ALTER TABLE t VALIDATE CONSTRAINT c`.
    ValidateConstraint {
        table: QualifiedName,
        name: String,
    },
    /// `ALTER TABLE t {ENABLE | DISABLE | FORCE | NO FORCE} ROW LEVEL SECURITY`.
    RowLevelSecurity {
        table: QualifiedName,
        action: RowLevelSecurityAction,
    },
    /// `CREATE POLICY p ON t [AS RESTRICTIVE] FOR cmd [TO roles] [USING (e)] [WITH CHECK (e)]`;
    /// the expressions are SQL text built with [`Ident`] and [`StringLit`].
    CreatePolicy {
        name: String,
        table: QualifiedName,
        command: PolicyCommand,
        permissive: bool,
        /// Empty or `["public"]`: every role.
        roles: Vec<String>,
        using: Option<String>,
        with_check: Option<String>,
    },
    /// `DROP POLICY p ON t`.
    DropPolicy {
        name: String,
        table: QualifiedName,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLevelSecurityAction {
    Enable,
    Disable,
    Force,
    NoForce,
}

impl RowLevelSecurityAction {
    fn sql(self) -> &'static str {
        match self {
            RowLevelSecurityAction::Enable => "ENABLE",
            RowLevelSecurityAction::Disable => "DISABLE",
            RowLevelSecurityAction::Force => "FORCE",
            RowLevelSecurityAction::NoForce => "NO FORCE",
        }
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Begin => f.write_str("BEGIN"),
            Statement::Commit => f.write_str("COMMIT"),
            Statement::CreateSchema { name } => {
                write!(f, "CREATE SCHEMA IF NOT EXISTS {}", Ident(name))
            }
            Statement::CreateExtension {
                name,
                schema,
                version,
            } => {
                write!(f, "CREATE EXTENSION IF NOT EXISTS {}", Ident(name))?;
                if !schema.is_empty() || !version.is_empty() {
                    f.write_str(" WITH")?;
                }
                if !schema.is_empty() {
                    write!(f, " SCHEMA {}", Ident(schema))?;
                }
                if !version.is_empty() {
                    write!(f, " VERSION {}", Ident(version))?;
                }
                Ok(())
            }
            Statement::CreateEnum { name, values } => {
                write!(f, "CREATE TYPE {name} AS ENUM (")?;
                join(f, values.iter().map(|v| StringLit(v)), ", ")?;
                f.write_char(')')
            }
            Statement::AddEnumValue { name, value } => {
                write!(f, "ALTER TYPE {name} ADD VALUE {}", StringLit(value))
            }
            Statement::RenameType { from, to } => {
                write!(f, "ALTER TYPE {from} RENAME TO {}", Ident(to))
            }
            Statement::DropType { name } => write!(f, "DROP TYPE {name}"),
            Statement::CreateTable {
                name,
                columns,
                primary_key,
            } => {
                writeln!(f, "CREATE TABLE {name} (")?;
                join(f, columns.iter(), ",\n")?;
                if let Some((pk_name, pk_columns)) = primary_key {
                    write!(
                        f,
                        ",\n\n{INDENT}CONSTRAINT {} PRIMARY KEY (",
                        Ident(pk_name)
                    )?;
                    join(f, pk_columns.iter().map(|c| Ident(c)), ",")?;
                    f.write_char(')')?;
                }
                f.write_str("\n)")
            }
            Statement::DropTable { name } => write!(f, "DROP TABLE {name}"),
            Statement::AlterTable { name, clauses } => {
                write!(f, "ALTER TABLE {name} ")?;
                join(f, clauses.iter(), ",\n")
            }
            Statement::AlterColumnTypeUsingText { table, column, tpe } => write!(
                f,
                "ALTER TABLE {table} ALTER COLUMN {col} TYPE {tpe} USING ({col}::text::{tpe})",
                col = Ident(column)
            ),
            Statement::RenameConstraint { table, from, to } => write!(
                f,
                "ALTER TABLE {table} RENAME CONSTRAINT {} TO {}",
                Ident(from),
                Ident(to)
            ),
            Statement::CreateIndex { .. } => write_create_index(f, self, false),
            Statement::DropIndex { name } => write!(f, "DROP INDEX {name}"),
            Statement::RenameIndex { from, to } => {
                write!(f, "ALTER INDEX {from} RENAME TO {}", Ident(to))
            }
            Statement::AddForeignKey {
                table,
                name,
                columns,
                referenced_table,
                referenced_columns,
                on_delete,
                on_update,
            } => {
                write!(
                    f,
                    "ALTER TABLE {table} ADD CONSTRAINT {} FOREIGN KEY (",
                    Ident(name)
                )?;
                join(f, columns.iter().map(|c| Ident(c)), ", ")?;
                write!(f, ") REFERENCES {referenced_table}(")?;
                join(f, referenced_columns.iter().map(|c| Ident(c)), ", ")?;
                write!(
                    f,
                    ") ON DELETE {} ON UPDATE {}",
                    on_delete.sql(),
                    on_update.sql()
                )
            }
            Statement::CreateSequence { name } => write!(f, "CREATE SEQUENCE {name}"),
            Statement::DropSequence { name } => write!(f, "DROP SEQUENCE {}", Ident(name)),
            Statement::SequenceOwnedBy {
                name,
                table,
                column,
            } => write!(
                f,
                "ALTER SEQUENCE {name} OWNED BY {table}.{}",
                Ident(column)
            ),
            Statement::RenameTable { from, to } => {
                write!(f, "ALTER TABLE {from} RENAME TO {}", Ident(to))
            }
            Statement::RenameColumn { table, from, to } => write!(
                f,
                "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                Ident(from),
                Ident(to)
            ),
            Statement::RenameEnumValue { name, from, to } => write!(
                f,
                "ALTER TYPE {name} RENAME VALUE {} TO {}",
                StringLit(from),
                StringLit(to)
            ),
            Statement::Concurrently(inner) => match &**inner {
                Statement::CreateIndex { .. } => write_create_index(f, inner, true),
                other => other.fmt(f),
            },
            Statement::NotValid(inner) => write!(f, "{inner} NOT VALID"),
            Statement::AddNotNullCheck {
                table,
                name,
                column,
            } => write!(
                f,
                "ALTER TABLE {table} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                Ident(name),
                Ident(column)
            ),
            Statement::RowLevelSecurity { table, action } => {
                write!(f, "ALTER TABLE {table} {} ROW LEVEL SECURITY", action.sql())
            }
            Statement::CreatePolicy {
                name,
                table,
                command,
                permissive,
                roles,
                using,
                with_check,
            } => {
                write!(f, "CREATE POLICY {} ON {table}", Ident(name))?;
                if !permissive {
                    f.write_str(" AS RESTRICTIVE")?;
                }
                write!(f, " FOR {}", command.sql())?;
                if !roles.is_empty() && roles.iter().any(|r| r != "public") {
                    f.write_str(" TO ")?;
                    join(
                        f,
                        roles.iter().map(|r| match r.as_str() {
                            "public" => "PUBLIC".to_owned(),
                            r => Ident(r).to_string(),
                        }),
                        ", ",
                    )?;
                }
                if let Some(using) = using {
                    write!(f, "\n{INDENT}USING ({using})")?;
                }
                if let Some(check) = with_check {
                    write!(f, "\n{INDENT}WITH CHECK ({check})")?;
                }
                Ok(())
            }
            Statement::DropPolicy { name, table } => {
                write!(f, "DROP POLICY {} ON {table}", Ident(name))
            }
            Statement::ValidateConstraint { table, name } => {
                write!(f, "ALTER TABLE {table} VALIDATE CONSTRAINT {}", Ident(name))
            }
        }
    }
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ...`; `statement` is a [`Statement::CreateIndex`].
fn write_create_index(
    f: &mut Formatter<'_>,
    statement: &Statement,
    concurrently: bool,
) -> fmt::Result {
    let Statement::CreateIndex {
        name,
        unique,
        table,
        algorithm,
        columns,
    } = statement
    else {
        return statement.fmt(f);
    };
    write!(
        f,
        "CREATE {}INDEX {}{} ON {table}",
        if *unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        Ident(name)
    )?;
    if *algorithm != IndexAlgorithm::BTree {
        write!(f, " USING {} ", algorithm.name().to_ascii_uppercase())?;
    }
    f.write_char('(')?;
    let mut first = true;
    for column in columns {
        if !first {
            f.write_str(", ")?;
        }
        first = false;
        Ident(&column.name).fmt(f)?;
        if let Some(opclass) = &column.opclass {
            write!(f, " {opclass}")?;
        }
        match column.sort {
            Some(SortOrder::Desc) => f.write_str(" DESC")?,
            Some(SortOrder::Asc) => f.write_str(" ASC")?,
            None => {}
        }
    }
    f.write_char(')')
}

fn join<I, T>(f: &mut Formatter<'_>, items: I, separator: &str) -> fmt::Result
where
    I: IntoIterator<Item = T>,
    T: Display,
{
    let mut first = true;
    for item in items {
        if !first {
            f.write_str(separator)?;
        }
        first = false;
        item.fmt(f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_escaped() {
        assert_eq!(Ident("a\"b").to_string(), "\"a\"\"b\"");
        assert_eq!(StringLit("it's").to_string(), "'it''s'");
        assert_eq!(
            QualifiedName::new(Some("s"), "T").to_string(),
            "\"s\".\"T\""
        );
    }

    #[test]
    fn gin_index_with_opclass() {
        let stmt = Statement::CreateIndex {
            name: "R_email_idx".into(),
            unique: false,
            table: QualifiedName::new(None, "R"),
            algorithm: IndexAlgorithm::Gin,
            columns: vec![IndexColumnDef {
                name: "email".into(),
                sort: None,
                opclass: Some("gin_trgm_ops".into()),
            }],
        };
        assert_eq!(
            stmt.to_string(),
            "CREATE INDEX \"R_email_idx\" ON \"R\" USING GIN (\"email\" gin_trgm_ops)"
        );
    }
}

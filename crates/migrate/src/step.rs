//! Migration steps: what `diff` produces and `render` turns into SQL.
//!
//! The order of the [`Step`] variants is the execution order (steps are sorted by variant, then
//! by their ids), exactly as Prisma's `SqlMigrationStep`: schemas and extensions first, enums,
//! then foreign keys and indexes are dropped before tables change, tables are dropped before
//! enums are and before new tables are created, indexes are created after the tables they need
//! and foreign keys last, after the unique indexes they may depend on. Confirmed renames
//! (tables, columns, enums, enum values) come right after schemas and extensions, so every
//! later step can name things by their new names.

use crate::sql_schema::{ColumnId, EnumId, ExtensionId, ForeignKeyId, IndexId, PolicyId, TableId};

/// A pair of things from the previous and the next schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair<T> {
    pub previous: T,
    pub next: T,
}

impl<T> Pair<T> {
    pub fn new(previous: T, next: T) -> Self {
        Pair { previous, next }
    }
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Pair<U> {
        Pair {
            previous: f(self.previous),
            next: f(self.next),
        }
    }
    pub fn as_ref(&self) -> Pair<&T> {
        Pair {
            previous: &self.previous,
            next: &self.next,
        }
    }
}

/// One migration step. Ids in `Create*`/`Add*` steps point into the next schema, ids in
/// `Drop*` steps into the previous one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    CreateSchema {
        namespace: String,
    },
    CreateExtension {
        extension: ExtensionId,
    },
    /// A confirmed rename (see [`crate::diff::Renames`]): `ALTER TABLE ... RENAME TO`. Renames
    /// run before every other change, which then name things by their new names.
    RenameTable {
        namespace: Option<String>,
        from: String,
        to: String,
    },
    /// `ALTER TABLE ... RENAME COLUMN`; `table` is the table in the renamed previous schema.
    RenameColumn {
        table: TableId,
        from: String,
        to: String,
    },
    /// `ALTER TYPE ... RENAME TO`.
    RenameEnum {
        namespace: Option<String>,
        from: String,
        to: String,
    },
    /// `ALTER TYPE ... RENAME VALUE`; `enm` is the enum in the renamed previous schema.
    RenameEnumValue {
        enm: EnumId,
        from: String,
        to: String,
    },
    CreateEnum {
        enm: EnumId,
    },
    AlterEnum(AlterEnum),
    /// A refract policy that changed or went away: dropped before the tables and columns its
    /// expressions depend on change.
    DropPolicy {
        policy: PolicyId,
    },
    /// `NO FORCE` and `DISABLE ROW LEVEL SECURITY` on a table (of the previous schema) that
    /// had refract's policies and has none now.
    DisableRowLevelSecurity {
        table: TableId,
    },
    DropForeignKey {
        foreign_key: ForeignKeyId,
    },
    DropIndex {
        index: IndexId,
    },
    AlterTable(AlterTable),
    DropTable {
        table: TableId,
    },
    DropEnum {
        enm: EnumId,
    },
    CreateTable {
        table: TableId,
    },
    /// `table.0` is the table in the previous schema, `None` for a table created here.
    CreateIndex {
        table: (Option<TableId>, TableId),
        index: IndexId,
    },
    RenameForeignKey {
        foreign_key: Pair<ForeignKeyId>,
    },
    AddForeignKey {
        foreign_key: ForeignKeyId,
    },
    RenameIndex {
        index: Pair<IndexId>,
    },
    /// Row-level security and policies come last, once every table and column they name
    /// exists.
    EnableRowLevelSecurity {
        table: TableId,
    },
    ForceRowLevelSecurity {
        table: TableId,
    },
    CreatePolicy {
        policy: PolicyId,
    },
}

impl Step {
    /// The `-- Label` Prisma writes above the step's statements.
    pub fn description(&self) -> &'static str {
        match self {
            Step::CreateSchema { .. } => "CreateSchema",
            Step::CreateExtension { .. } => "CreateExtension",
            Step::RenameTable { .. } => "RenameTable",
            Step::RenameColumn { .. } => "RenameColumn",
            Step::RenameEnum { .. } => "RenameEnum",
            Step::RenameEnumValue { .. } => "RenameEnumValue",
            Step::CreateEnum { .. } => "CreateEnum",
            Step::AlterEnum(_) => "AlterEnum",
            Step::DropForeignKey { .. } => "DropForeignKey",
            Step::DropIndex { .. } => "DropIndex",
            Step::AlterTable(_) => "AlterTable",
            Step::DropTable { .. } => "DropTable",
            Step::DropEnum { .. } => "DropEnum",
            Step::CreateTable { .. } => "CreateTable",
            Step::CreateIndex { .. } => "CreateIndex",
            Step::RenameForeignKey { .. } => "RenameForeignKey",
            Step::AddForeignKey { .. } => "AddForeignKey",
            Step::RenameIndex { .. } => "RenameIndex",
            Step::DropPolicy { .. } => "DropPolicy",
            Step::DisableRowLevelSecurity { .. } => "DisableRowLevelSecurity",
            Step::EnableRowLevelSecurity { .. } => "EnableRowLevelSecurity",
            Step::ForceRowLevelSecurity { .. } => "ForceRowLevelSecurity",
            Step::CreatePolicy { .. } => "CreatePolicy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlterEnum {
    pub enums: Pair<EnumId>,
    pub created_values: Vec<String>,
    pub dropped_values: Vec<String>,
    /// Columns of the previous schema using the enum with a default, and the same column in
    /// the next schema when it still has an enum default that must be reinstalled.
    pub previous_usages_as_default: Vec<(ColumnId, Option<ColumnId>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlterTable {
    pub tables: Pair<TableId>,
    pub changes: Vec<TableChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TableChange {
    DropPrimaryKey,
    RenamePrimaryKey,
    DropColumn {
        column: ColumnId,
    },
    AddColumn {
        column: ColumnId,
    },
    AlterColumn {
        columns: Pair<ColumnId>,
        changes: ColumnChanges,
        type_change: Option<TypeChange>,
    },
    /// No cast exists: the column is dropped and added again.
    DropAndRecreateColumn {
        columns: Pair<ColumnId>,
        changes: ColumnChanges,
    },
    AddPrimaryKey,
}

/// What differs between two versions of a column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnChanges {
    pub arity: bool,
    pub default: bool,
    pub tpe: bool,
    pub auto_increment: bool,
}

impl ColumnChanges {
    pub fn any(&self) -> bool {
        self.arity || self.default || self.tpe || self.auto_increment
    }
}

/// How risky changing a column's type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeChange {
    SafeCast,
    RiskyCast,
    NotCastable,
}

//! `SqlSchema`: the SQL-level model that migrate diffs, renders and introspects into.
//!
//! Plain data with typed ids (`TableId`, `EnumId`, ...), as prisma-engines' describer does:
//! tables own their columns and primary key; indexes and foreign keys live in flat arenas and
//! point at their table by id. Columns inside indexes and foreign keys are referred to by name,
//! which keeps lowering and introspection simple and makes diffing by name direct.
//!
//! A table's or enum's `namespace` is `None` when the schema is not multi-schema (names are
//! then rendered unqualified, as Prisma does), `Some(schema)` otherwise.

use std::fmt;

refract_schema::arena_ids! {
    /// Index of a table in [`SqlSchema::tables`].
    TableId: SqlSchema.tables[Table], fn table;
    /// Index of an enum in [`SqlSchema::enums`].
    EnumId: SqlSchema.enums[Enum], fn enm;
    /// Index of an index in [`SqlSchema::indexes`].
    IndexId: SqlSchema.indexes[Index], fn index_at;
    /// Index of a foreign key in [`SqlSchema::foreign_keys`].
    ForeignKeyId: SqlSchema.foreign_keys[ForeignKey], fn foreign_key;
    /// Index of an extension in [`SqlSchema::extensions`].
    ExtensionId: SqlSchema.extensions[Extension];
    /// Index of a policy in [`SqlSchema::policies`].
    PolicyId: SqlSchema.policies[Policy], fn policy;
}

/// A table column addressed by its table and its position in [`Table::columns`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ColumnId {
    pub table: TableId,
    pub index: u32,
}

/// The whole SQL-level schema of one database (or of the namespaces looked at).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlSchema {
    /// Schemas (PostgreSQL namespaces) this schema spans (that exist, when introspected).
    /// Without multi-schema, the one default schema; tables then carry no namespace.
    pub namespaces: Vec<String>,
    pub tables: Vec<Table>,
    pub enums: Vec<Enum>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    pub sequences: Vec<Sequence>,
    /// Views are recorded by name only; like Prisma, diffing ignores them.
    pub views: Vec<View>,
    pub extensions: Vec<Extension>,
    /// Row-level-security policies (tenancy), in a flat arena like indexes.
    pub policies: Vec<Policy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub namespace: Option<String>,
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// `ENABLE` / `FORCE ROW LEVEL SECURITY` (`pg_class.relrowsecurity`/`relforcerowsecurity`).
    pub row_level_security: RowLevelSecurity,
}

/// A table's row-level-security switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowLevelSecurity {
    pub enabled: bool,
    pub forced: bool,
}

/// Which commands a policy applies to (`pg_policy.polcmd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// A permissive row-level-security policy for every role (`TO public`). Expressions are SQL
/// text: lowered ones as refract renders them, introspected ones as `pg_get_expr` prints them;
/// `diff` compares them through [`crate::diff::normalize_policy_expression`].
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub table: TableId,
    pub name: String,
    pub command: PolicyCommand,
    /// `AS PERMISSIVE` (true) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// Role names; `["public"]` for every role.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrimaryKey {
    /// Constraint name, e.g. `User_pkey`.
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub tpe: ColumnType,
    pub arity: Arity,
    pub default: Option<ColumnDefault>,
    /// `SERIAL`-style: the default is `nextval` of a sequence.
    pub auto_increment: bool,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`, recorded but not diffed.
    pub identity: Option<Identity>,
    /// The schema gives a default the client fills in (`uuid()`, `cuid()`): no SQL default,
    /// but adding the column as required is not possible on a non-empty table.
    pub prisma_level_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Always,
    ByDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arity {
    Required,
    Nullable,
    List,
}

impl Arity {
    pub fn is_list(self) -> bool {
        self == Arity::List
    }
    pub fn is_required(self) -> bool {
        self == Arity::Required
    }
    pub fn is_nullable(self) -> bool {
        self == Arity::Nullable
    }
}

/// A column's type, without its arity (a list column of `TEXT` is `Native(Text)` + `Arity::List`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Native(NativeType),
    Enum {
        namespace: Option<String>,
        name: String,
    },
    /// Anything else, kept as PostgreSQL writes it (`tsvector`, `vector(1536)`, `geometry`).
    Unsupported(String),
}

/// PostgreSQL types Prisma knows natively (`@db.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NativeType {
    SmallInt,
    Integer,
    BigInt,
    Decimal(Option<(u32, u32)>),
    Money,
    Real,
    DoublePrecision,
    VarChar(Option<u32>),
    Char(Option<u32>),
    Text,
    ByteA,
    Date,
    Timestamp(Option<u32>),
    Timestamptz(Option<u32>),
    Time(Option<u32>),
    Timetz(Option<u32>),
    Boolean,
    Bit(Option<u32>),
    VarBit(Option<u32>),
    Uuid,
    Xml,
    Json,
    JsonB,
    Inet,
    Citext,
    Oid,
}

impl fmt::Display for NativeType {
    /// Prisma's `@db.` spelling, used in warnings (`cast from `Integer` to `BigInt``).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |f: &mut fmt::Formatter<'_>, name: &str, arg: &Option<u32>| match arg {
            Some(n) => write!(f, "{name}({n})"),
            None => f.write_str(name),
        };
        match self {
            NativeType::SmallInt => f.write_str("SmallInt"),
            NativeType::Integer => f.write_str("Integer"),
            NativeType::BigInt => f.write_str("BigInt"),
            NativeType::Decimal(Some((p, s))) => write!(f, "Decimal({p},{s})"),
            NativeType::Decimal(None) => f.write_str("Decimal"),
            NativeType::Money => f.write_str("Money"),
            NativeType::Real => f.write_str("Real"),
            NativeType::DoublePrecision => f.write_str("DoublePrecision"),
            NativeType::VarChar(n) => opt(f, "VarChar", n),
            NativeType::Char(n) => opt(f, "Char", n),
            NativeType::Text => f.write_str("Text"),
            NativeType::ByteA => f.write_str("ByteA"),
            NativeType::Date => f.write_str("Date"),
            NativeType::Timestamp(n) => opt(f, "Timestamp", n),
            NativeType::Timestamptz(n) => opt(f, "Timestamptz", n),
            NativeType::Time(n) => opt(f, "Time", n),
            NativeType::Timetz(n) => opt(f, "Timetz", n),
            NativeType::Boolean => f.write_str("Boolean"),
            NativeType::Bit(n) => opt(f, "Bit", n),
            NativeType::VarBit(n) => opt(f, "VarBit", n),
            NativeType::Uuid => f.write_str("Uuid"),
            NativeType::Xml => f.write_str("Xml"),
            NativeType::Json => f.write_str("Json"),
            NativeType::JsonB => f.write_str("JsonB"),
            NativeType::Inet => f.write_str("Inet"),
            NativeType::Citext => f.write_str("Citext"),
            NativeType::Oid => f.write_str("Oid"),
        }
    }
}

/// A column default, in the categories Prisma's differ compares.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnDefault {
    /// A constant.
    Value(DefaultValue),
    /// `CURRENT_TIMESTAMP` / `now()`.
    Now,
    /// `nextval('seq')`: autoincrement. Rendered through `SERIAL`, never as a DEFAULT.
    Sequence(String),
    /// `dbgenerated("expr")`; `None` = `dbgenerated()` (a default the schema does not manage).
    DbGenerated(Option<String>),
}

/// A constant default value.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    String(String),
    Int(i64),
    /// Kept as written, so `1.50` and `1.5` are told apart only where PostgreSQL does.
    Float(String),
    Boolean(bool),
    Enum(String),
    Json(String),
    Bytes(Vec<u8>),
    DateTime(String),
    List(Vec<DefaultValue>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub namespace: Option<String>,
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Normal,
    Unique,
}

/// An index's access method: the IR's (`USING` takes its name in upper case).
pub use refract_schema::ir::IndexAlgorithm;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub table: TableId,
    pub name: String,
    pub kind: IndexKind,
    pub algorithm: IndexAlgorithm,
    pub columns: Vec<IndexColumn>,
    /// `INCLUDE (...)` columns (introspected only; the schema language has none).
    pub included_columns: Vec<String>,
    /// Has a `WHERE` predicate (introspected only). Like Prisma without its partial-index
    /// preview, the predicate is ignored when comparing, and a partial index the schema does
    /// not mention is left alone rather than dropped.
    pub is_partial: bool,
    /// Backed by a `UNIQUE` constraint (dropped with `DROP CONSTRAINT`), not a bare index.
    pub is_constraint: bool,
}

impl Index {
    pub fn is_unique(&self) -> bool {
        self.kind == IndexKind::Unique
    }
    pub fn column_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexColumn {
    pub name: String,
    /// `None` = the default (ascending).
    pub sort: Option<SortOrder>,
    pub opclass: Option<OpClass>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpClass {
    pub name: String,
    /// Whether it is the default operator class for the column type and index method.
    pub is_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForeignKeyAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ForeignKeyAction {
    pub fn sql(self) -> &'static str {
        match self {
            ForeignKeyAction::NoAction => "NO ACTION",
            ForeignKeyAction::Restrict => "RESTRICT",
            ForeignKeyAction::Cascade => "CASCADE",
            ForeignKeyAction::SetNull => "SET NULL",
            ForeignKeyAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    pub table: TableId,
    pub name: String,
    pub columns: Vec<String>,
    pub referenced_table: TableId,
    pub referenced_columns: Vec<String>,
    pub on_delete: ForeignKeyAction,
    pub on_update: ForeignKeyAction,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    pub name: String,
    /// The schema it is installed in; empty when unspecified.
    pub schema: String,
    /// Empty when unspecified.
    pub version: String,
    pub relocatable: bool,
}

impl SqlSchema {
    /// Policies of a table, in id order.
    pub fn table_policies(&self, table: TableId) -> impl Iterator<Item = (PolicyId, &Policy)> + '_ {
        self.policies
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.table == table)
            .map(|(i, p)| (PolicyId(i as u32), p))
    }
    pub fn column(&self, id: ColumnId) -> &Column {
        &self.tables[id.table.0 as usize].columns[id.index as usize]
    }

    pub fn table_ids(&self) -> impl Iterator<Item = TableId> + '_ {
        (0..self.tables.len() as u32).map(TableId)
    }
    pub fn enum_ids(&self) -> impl Iterator<Item = EnumId> + '_ {
        (0..self.enums.len() as u32).map(EnumId)
    }

    pub fn find_table(&self, namespace: Option<&str>, name: &str) -> Option<TableId> {
        self.tables
            .iter()
            .position(|t| t.name == name && t.namespace.as_deref() == namespace)
            .map(|i| TableId(i as u32))
    }

    pub fn find_enum(&self, namespace: Option<&str>, name: &str) -> Option<EnumId> {
        self.enums
            .iter()
            .position(|e| e.name == name && e.namespace.as_deref() == namespace)
            .map(|i| EnumId(i as u32))
    }

    /// Indexes of a table (not its primary key), in id order.
    pub fn table_indexes(&self, table: TableId) -> impl Iterator<Item = (IndexId, &Index)> + '_ {
        self.indexes
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.table == table)
            .map(|(i, idx)| (IndexId(i as u32), idx))
    }

    /// Foreign keys defined on a table, in id order.
    pub fn table_foreign_keys(
        &self,
        table: TableId,
    ) -> impl Iterator<Item = (ForeignKeyId, &ForeignKey)> + '_ {
        self.foreign_keys
            .iter()
            .enumerate()
            .filter(move |(_, fk)| fk.table == table)
            .map(|(i, fk)| (ForeignKeyId(i as u32), fk))
    }

    /// Adds a table and returns its id.
    pub fn push_table(&mut self, table: Table) -> TableId {
        self.tables.push(table);
        TableId(self.tables.len() as u32 - 1)
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

impl Column {
    pub fn enum_name(&self) -> Option<(Option<&str>, &str)> {
        match &self.tpe {
            ColumnType::Enum { namespace, name } => Some((namespace.as_deref(), name.as_str())),
            _ => None,
        }
    }
}

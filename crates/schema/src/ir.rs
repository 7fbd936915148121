//! The IR: the resolved, validated schema that codegen, migrate and studio read.
//!
//! Plain data in `Vec` arenas addressed by typed ids ([`ModelId`], [`FieldId`],
//! [`EnumId`], [`RelationId`]). Everything a consumer needs is resolved here:
//! database names with `@map`/`@@map` applied, constraint names with Prisma's
//! defaults filled in, both sides of every relation paired, referential actions
//! with Prisma's defaults. The IR knows no SQL and no Rust tokens.
//!
//! Spans are kept only where a later stage reports on user text (none today),
//! so the IR compares equal across formatting changes.

use std::collections::BTreeMap;

/// An enum whose variants schemas write by name: `from_name` reads one,
/// `name` writes it, `ALL` lists them in declaration order.
macro_rules! named_variants {
    ($(#[$meta:meta])* pub enum $ty:ident { $($variant:ident,)* }) => {
        $(#[$meta])*
        pub enum $ty {
            $($variant,)*
        }

        impl $ty {
            pub const ALL: &[$ty] = &[$($ty::$variant),*];

            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $(stringify!($variant) => Some($ty::$variant),)*
                    _ => None,
                }
            }

            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

/// Typed ids into `Vec` arenas: each id is a `u32` index, and its owner
/// gets an accessor returning the item at an id (when one is named).
/// Migrate's `SqlSchema` declares its ids with it too.
#[macro_export]
macro_rules! arena_ids {
    ($($(#[$meta:meta])* $id:ident: $owner:ident.$arena:ident[$item:ty] $(, fn $getter:ident)?;)*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $id(pub u32);

            $(impl $owner {
                pub fn $getter(&self, id: $id) -> &$item {
                    &self.$arena[id.0 as usize]
                }
            })?
        )*
    };
}

arena_ids! {
    /// Index of a model (or view) in [`Schema::models`].
    ModelId: Schema.models[Model], fn model;
    /// Index of a scalar field in [`Model::fields`].
    FieldId: Model.fields[ScalarField], fn field;
    /// Index of an enum in [`Schema::enums`].
    EnumId: Schema.enums[Enum], fn enum_;
    /// Index of a relation in [`Schema::relations`].
    RelationId: Schema.relations[Relation], fn relation;
}

/// A whole schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub datasource: Option<Datasource>,
    pub generators: Vec<Generator>,
    /// Models and views, in declaration order.
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    pub relations: Vec<Relation>,
}

/// A string setting that may come from the environment: `"..."` or `env("X")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    Literal(String),
    Env(String),
}

/// The `datasource` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Datasource {
    pub name: String,
    /// Normalised: `"postgres"` is stored as `"postgresql"`.
    pub provider: String,
    pub url: Option<ConfigValue>,
    pub direct_url: Option<ConfigValue>,
    pub shadow_database_url: Option<ConfigValue>,
    pub relation_mode: RelationMode,
    /// `schemas = [...]` (multi-schema); empty means the default schema only.
    pub schemas: Vec<String>,
    pub extensions: Vec<Extension>,
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RelationMode {
    /// Foreign keys exist in the database (the default).
    #[default]
    ForeignKeys,
    /// Relations are emulated by the client; no foreign keys.
    Prisma,
}

/// `extensions = [name(schema: "...", version: "...", map: "...")]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    pub db_name: String,
    pub schema: Option<String>,
    pub version: Option<String>,
}

/// A `generator` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    pub name: String,
    pub provider: ConfigValue,
    pub output: Option<ConfigValue>,
    pub preview_features: Vec<String>,
    /// Every other property, by name.
    pub config: BTreeMap<String, ConfigExpr>,
    pub documentation: Option<String>,
}

/// A generator property value, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigExpr {
    String(String),
    Number(String),
    Constant(String),
    Env(String),
    Array(Vec<ConfigExpr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Table,
    View,
}

/// A model or view.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    /// Table name (`@@map` applied).
    pub db_name: String,
    /// `@@schema("...")`, if any.
    pub schema: Option<String>,
    pub kind: ModelKind,
    /// Scalar fields (including enum and `Unsupported` fields), in declaration order.
    pub fields: Vec<ScalarField>,
    /// Relation fields, in declaration order.
    pub relation_fields: Vec<RelationField>,
    /// Declaration order of all fields, scalar and relation, interleaved.
    pub field_order: Vec<FieldRef>,
    pub primary_key: Option<PrimaryKey>,
    /// `@unique`, `@@unique`, `@@index`, `@@fulltext`, in declaration order.
    pub indexes: Vec<Index>,
    /// `@@ignore`: the client skips this model; migrate still manages it.
    pub is_ignored: bool,
    pub documentation: Option<String>,
}

/// A field of a model, scalar or relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldRef {
    Scalar(FieldId),
    Relation(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Required,
    Optional,
    List,
}

named_variants! {
    /// Prisma's built-in scalar types.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ScalarType {
        String,
        Boolean,
        Int,
        BigInt,
        Float,
        Decimal,
        DateTime,
        Json,
        Bytes,
    }
}

/// The type of a scalar field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Scalar(ScalarType),
    Enum(EnumId),
    /// `Unsupported("...")`: the database type as written.
    Unsupported(String),
}

/// `@db.Name(args)`: a database-specific type, as written (name without `db.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeType {
    pub name: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScalarField {
    pub name: String,
    /// Column name (`@map` applied).
    pub db_name: String,
    pub field_type: FieldType,
    pub arity: Arity,
    pub native_type: Option<NativeType>,
    pub default: Option<DefaultValue>,
    /// `@updatedAt`: set by the client on every create and update.
    pub is_updated_at: bool,
    /// `@ignore`: the client skips this field.
    pub is_ignored: bool,
    pub documentation: Option<String>,
}

/// `@default(...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultValue {
    pub kind: DefaultKind,
    /// `@default(..., map: "...")`: the default constraint's name (not used by PostgreSQL).
    pub db_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultKind {
    /// A literal stored as the column default.
    Value(Literal),
    /// `autoincrement()`: a sequence (SERIAL/BIGSERIAL).
    Autoincrement,
    /// `sequence(...)` (CockroachDB).
    Sequence,
    /// `now()`: `CURRENT_TIMESTAMP` in the database.
    Now,
    /// `dbgenerated("expr")`; `None` when written without an expression.
    DbGenerated(Option<String>),
    /// Filled by the client: `uuid()` (version 4 or 7).
    Uuid(u8),
    /// Filled by the client: `cuid()` (version 1 or 2).
    Cuid(u8),
    /// Filled by the client: `nanoid()` with an optional length.
    Nanoid(Option<u8>),
    /// Filled by the client: `ulid()`.
    Ulid,
    /// `auto()` (MongoDB).
    Auto,
}

impl DefaultKind {
    /// Whether the client (not the database) produces the value.
    pub fn is_client_side(&self) -> bool {
        matches!(
            self,
            DefaultKind::Uuid(_)
                | DefaultKind::Cuid(_)
                | DefaultKind::Nanoid(_)
                | DefaultKind::Ulid
        )
    }
}

/// A literal value of a default.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    /// Integers and floats as written (exact; no float rounding in the IR).
    Number(String),
    Boolean(bool),
    /// An enum value by its Prisma name.
    EnumValue(String),
    List(Vec<Literal>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

/// A field inside an id, unique or index, with its per-field options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexField {
    pub field: FieldId,
    pub sort: Option<SortOrder>,
    pub length: Option<u32>,
    /// Operator class (`ops:`), as written: e.g. `JsonbPathOps` or a raw("...") class.
    pub operator_class: Option<OperatorClass>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorClass {
    Named(String),
    Raw(String),
}

/// `@id` or `@@id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    pub fields: Vec<IndexField>,
    /// The client-side name of a compound id (`name:`); defaults to the fields joined by `_`.
    pub name: Option<String>,
    /// The constraint name: `map:` or Prisma's default `{table}_pkey`.
    pub db_name: String,
    /// `map:` was given explicitly.
    pub has_explicit_db_name: bool,
    pub clustered: Option<bool>,
    /// Declared on a field (`@id`) rather than the block (`@@id`).
    pub is_field_level: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Unique,
    Normal,
    Fulltext,
}

named_variants! {
    /// Index access method (`type:`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum IndexAlgorithm {
        BTree,
        Hash,
        Gist,
        Gin,
        SpGist,
        Brin,
    }
}

/// `@unique`, `@@unique`, `@@index` or `@@fulltext`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub kind: IndexKind,
    pub fields: Vec<IndexField>,
    /// The client-side name of a compound unique (`name:`).
    pub name: Option<String>,
    /// The index/constraint name: `map:` or Prisma's default (`{table}_{cols}_key` / `_idx`).
    pub db_name: String,
    pub has_explicit_db_name: bool,
    pub algorithm: Option<IndexAlgorithm>,
    pub clustered: Option<bool>,
    /// Declared on a field (`@unique`) rather than the block.
    pub is_field_level: bool,
}

named_variants! {
    /// `onDelete` / `onUpdate` actions.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ReferentialAction {
        Cascade,
        Restrict,
        NoAction,
        SetNull,
        SetDefault,
    }
}

/// A relation field: one side of a [`Relation`].
#[derive(Debug, Clone, PartialEq)]
pub struct RelationField {
    pub name: String,
    pub related_model: ModelId,
    pub arity: Arity,
    pub relation: RelationId,
    /// `fields:` of `@relation` (the local foreign-key fields); empty on the other side.
    pub fields: Vec<FieldId>,
    /// `references:` (fields of the related model); empty on the other side.
    pub references: Vec<FieldId>,
    /// `onDelete` / `onUpdate` as written (use [`Relation`] for the effective actions).
    pub on_delete: Option<ReferentialAction>,
    pub on_update: Option<ReferentialAction>,
    /// `@ignore`.
    pub is_ignored: bool,
    pub documentation: Option<String>,
}

/// A reference to a relation field: its model and index in `relation_fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationFieldRef {
    pub model: ModelId,
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    OneToOne,
    OneToMany,
    /// Implicit many-to-many, through Prisma's `_Name` join table.
    ManyToMany,
}

/// A relation, with both sides paired.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// `@relation("Name")` or Prisma's default: the two model names sorted, joined with `To`.
    pub name: String,
    pub kind: RelationKind,
    /// The side that holds the foreign key (`fields`/`references`). For
    /// many-to-many: the side whose model name sorts first (join column `A`).
    pub referencing: RelationFieldRef,
    /// The other side; `None` for a one-sided relation (only allowed with `@ignore`d fields).
    pub referenced: Option<RelationFieldRef>,
    /// Effective actions with Prisma's defaults applied (required FK → Restrict,
    /// optional FK → SetNull; onUpdate → Cascade).
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    /// Foreign key constraint name (`map:` or `{table}_{cols}_fkey`); for
    /// many-to-many, the join table name (`_Name`, or `map:`).
    pub db_name: String,
    pub has_explicit_db_name: bool,
}

/// An enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    /// Type name in the database (`@@map` applied).
    pub db_name: String,
    pub schema: Option<String>,
    pub values: Vec<EnumValue>,
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub name: String,
    /// Value in the database (`@map` applied).
    pub db_name: String,
    pub documentation: Option<String>,
}

impl Schema {
    pub fn relation_field(&self, r: RelationFieldRef) -> &RelationField {
        &self.model(r.model).relation_fields[r.index]
    }

    pub fn find_enum(&self, name: &str) -> Option<(EnumId, &Enum)> {
        self.enums
            .iter()
            .enumerate()
            .find(|(_, e)| e.name == name)
            .map(|(i, e)| (EnumId(i as u32), e))
    }

    pub fn model_ids(&self) -> impl Iterator<Item = ModelId> + '_ {
        (0..self.models.len() as u32).map(ModelId)
    }

    /// The provider, if a datasource is declared.
    pub fn provider(&self) -> Option<&str> {
        self.datasource.as_ref().map(|d| d.provider.as_str())
    }

    /// Preview features of all generators, deduplicated.
    pub fn preview_features(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .generators
            .iter()
            .flat_map(|g| g.preview_features.iter().map(String::as_str))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

impl Model {
    pub fn find_field(&self, name: &str) -> Option<(FieldId, &ScalarField)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .map(|(i, f)| (FieldId(i as u32), f))
    }

    pub fn find_relation_field(&self, name: &str) -> Option<(usize, &RelationField)> {
        self.relation_fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
    }

    pub fn is_view(&self) -> bool {
        self.kind == ModelKind::View
    }

    /// Unique criteria usable for `find_unique`: the id, then every unique index.
    pub fn unique_criteria(&self) -> impl Iterator<Item = &[IndexField]> {
        self.primary_key
            .iter()
            .map(|pk| pk.fields.as_slice())
            .chain(
                self.indexes
                    .iter()
                    .filter(|i| i.kind == IndexKind::Unique)
                    .map(|i| i.fields.as_slice()),
            )
    }
}

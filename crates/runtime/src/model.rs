//! Model metadata that generated code emits as `static`s: the table, its scalar columns in
//! struct-field order, the primary key, its tenant scope. Plain data; the renderer reads it,
//! nothing else.

use crate::decode::FromRow;

/// A table, optionally in a named schema (`"schema"."table"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: Option<&'static str>,
    pub name: &'static str,
}

impl Table {
    /// A table in the connection's search path (no `@@schema`).
    pub const fn named(name: &'static str) -> Self {
        Table { schema: None, name }
    }

    /// A table of the named schema (`@@schema`).
    pub const fn in_schema(schema: &'static str, name: &'static str) -> Self {
        Table {
            schema: Some(schema),
            name,
        }
    }
}

/// One scalar column of a model.
#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    /// Database name (`@map` applied).
    pub name: &'static str,
    /// Prisma field name, used in error messages.
    pub field: &'static str,
    /// Whether the column allows NULL (an optional field).
    pub nullable: bool,
}

impl Column {
    /// A column (what generated code declares, one line per field).
    pub const fn new(name: &'static str, field: &'static str, nullable: bool) -> Self {
        Column {
            name,
            field,
            nullable,
        }
    }

    /// A `NOT NULL` column named as its field (what generated code declares; `.mapped(..)`
    /// when `@map` gives it another name).
    pub const fn not_null(field: &'static str) -> Self {
        Column::new(field, field, false)
    }

    /// A nullable column (an optional field) named as its field.
    pub const fn nullable(field: &'static str) -> Self {
        Column::new(field, field, true)
    }

    /// The same column under database name `name` (`@map("name")`).
    pub const fn mapped(self, name: &'static str) -> Self {
        Column { name, ..self }
    }
}

/// Everything the runtime needs to know about a model.
#[derive(Debug)]
pub struct ModelMeta {
    /// Prisma model name, used in error messages.
    pub name: &'static str,
    pub table: Table,
    /// Every scalar column, in the order of the generated struct's fields: a full-row
    /// `SELECT`/`RETURNING` lists them in this order and `FromRow` decodes by this index.
    pub columns: &'static [&'static Column],
    /// The primary key (or the unique criteria Prisma uses as the model's identifier).
    pub primary_key: &'static [&'static Column],
    /// `@updatedAt` columns: the runtime sets them to the current time on every create and
    /// update that does not set them itself.
    pub updated_at: &'static [&'static Column],
    /// How the model's rows belong to a tenant (`tenantModel` in the `refract` generator),
    /// `None` when they do not: a tenant-scoped client restricts every statement on the
    /// model to its tenant through this (see the `tenancy` module).
    pub tenant: Option<&'static TenantScope>,
}

/// How a tenant-owned model reaches its tenant: generated from the same plan as the
/// row-level-security policies `gen migrate dev` writes (refract-schema's `tenancy::plan`).
#[derive(Debug)]
pub struct TenantScope {
    pub key: TenantKey,
    /// Foreign keys to other tenant-owned models (besides the key's parent): a scoped
    /// client lets a row point only at its own tenant's records there (or at global ones).
    pub parents: &'static [TenantParent],
}

/// Where a tenant-owned model's tenant is found.
#[derive(Debug)]
pub enum TenantKey {
    /// Its own tenant column (database name); `nullable`: rows with NULL are global,
    /// readable by every tenant, written only by the unscoped client.
    Column {
        column: &'static str,
        nullable: bool,
    },
    /// Through a required foreign key to a tenant-owned parent (`Message` through its
    /// conversation).
    Parent(TenantParent),
}

/// A foreign key from a tenant-owned model to a tenant-owned parent.
#[derive(Debug)]
pub struct TenantParent {
    pub parent: &'static ModelMeta,
    /// Local columns (database names), paired with `references`, the parent's.
    pub columns: &'static [&'static str],
    pub references: &'static [&'static str],
}

impl ModelMeta {
    /// The field name of database column `column`, if it belongs to this model.
    pub fn field_of(&self, column: &str) -> Option<&'static str> {
        self.columns
            .iter()
            .find(|c| c.name == column)
            .map(|c| c.field)
    }
}

/// A generated model struct: decodable from a full row, described by [`ModelMeta`].
pub trait Model: FromRow + Send + Sync + 'static {
    const META: &'static ModelMeta;
    /// The columns the client fills when a create leaves them out (ids, `now()`, `[]`),
    /// read by [`defaults::fill`](crate::defaults::fill).
    const DEFAULTS: &'static [crate::defaults::ColumnDefault] = &[];
}

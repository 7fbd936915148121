//! Model metadata that generated code emits as `static`s: the table, its scalar columns in
//! struct-field order, the primary key. Plain data; the renderer reads it, nothing else.

use crate::decode::FromRow;

/// A table, optionally in a named schema (`"schema"."table"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: Option<&'static str>,
    pub name: &'static str,
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
}

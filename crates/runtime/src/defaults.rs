//! Client-side defaults: the values the client, not the database, gives a column that a
//! create does not set, as Prisma's query engine does. In one place, for every write of
//! the runtime and for refract-studio.
//!
//! Generated code declares each model's defaults once, as data
//! ([`Model::DEFAULTS`](crate::Model::DEFAULTS): `@default(cuid())`, `cuid(2)`, `uuid()`,
//! `uuid(7)`, `nanoid(n)`, `ulid()`, `now()`, and `[]` for a list without a default); the
//! model's `@updatedAt` columns are in its [`ModelMeta`]. Every create path (top-level and
//! nested `create`, `create_many`, `upsert`, `connect_or_create`) fills them with
//! [`fill`] right before its insert, once per row and only for the columns the data did
//! not set, so an explicit value always wins and no id is drawn for nothing. Every update
//! path (`update`, `update_many`, `upsert`, nested updates) stamps `@updatedAt` with
//! [`stamp_updated`].
//!
//! Time: one instant per statement ([`statement_time`]), so a new record's `@updatedAt`
//! equals its `@default(now())` (Prisma stamps both with one instant), and every row of a
//! `create_many` has the same one.

use chrono::{DateTime, Utc};

use crate::model::{Column, ModelMeta};
use crate::query::AssignOp;
use crate::value::Value;

/// What the client computes for a column a create leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientDefault {
    /// `uuid()` / `uuid(4)`: [`ids::uuid_v4`](crate::ids::uuid_v4).
    UuidV4,
    /// `uuid(7)`: [`ids::uuid_v7`](crate::ids::uuid_v7).
    UuidV7,
    /// `cuid()`: [`ids::cuid`](crate::ids::cuid).
    Cuid,
    /// `cuid(2)`: [`ids::cuid2`](crate::ids::cuid2).
    Cuid2,
    /// `nanoid()` (21 characters) or `nanoid(n)`: [`ids::nanoid`](crate::ids::nanoid).
    Nanoid(u8),
    /// `ulid()`: [`ids::ulid`](crate::ids::ulid).
    Ulid,
    /// `now()`: the statement's instant.
    Now,
    /// `@updatedAt`: the statement's instant on create (and on every update).
    UpdatedAt,
    /// A scalar list without a default: `[]` (Prisma reads a list as empty, never NULL).
    EmptyList,
}

impl ClientDefault {
    /// A fresh value: a new id from the operating system's CSPRNG, or `now` for times.
    pub fn value(self, now: DateTime<Utc>) -> Value {
        match self {
            ClientDefault::UuidV4 => Value::String(crate::ids::uuid_v4()),
            ClientDefault::UuidV7 => Value::String(crate::ids::uuid_v7()),
            ClientDefault::Cuid => Value::String(crate::ids::cuid()),
            ClientDefault::Cuid2 => Value::String(crate::ids::cuid2()),
            ClientDefault::Nanoid(size) => Value::String(crate::ids::nanoid(usize::from(size))),
            ClientDefault::Ulid => Value::String(crate::ids::ulid()),
            ClientDefault::Now | ClientDefault::UpdatedAt => Value::DateTime(now),
            ClientDefault::EmptyList => Value::Array(Vec::new()),
        }
    }

    /// This default on `column`: one line of generated code per column.
    pub const fn on(self, column: &'static Column) -> ColumnDefault {
        ColumnDefault {
            column,
            default: self,
        }
    }
}

/// A column and its client-side default, as generated code declares it.
#[derive(Debug)]
pub struct ColumnDefault {
    pub column: &'static Column,
    pub default: ClientDefault,
}

/// The instant one statement stamps its `now()` and `@updatedAt` columns with.
pub fn statement_time() -> DateTime<Utc> {
    Utc::now()
}

/// Fills one row of a create of `model`: each column of `defaults` and each `@updatedAt`
/// column that `row` does not set gets its client default (`now` for times). Columns the
/// row sets are left as they are: an explicit value always wins.
pub fn fill(
    row: &mut Vec<(&'static Column, Value)>,
    model: &ModelMeta,
    defaults: &[ColumnDefault],
    now: DateTime<Utc>,
) {
    let is_set = |row: &[(&'static Column, Value)], column: &Column| {
        row.iter().any(|(c, _)| c.name == column.name)
    };
    for default in defaults {
        if !is_set(row, default.column) {
            row.push((default.column, default.default.value(now)));
        }
    }
    for column in model.updated_at {
        if !is_set(row, column) {
            row.push((column, Value::DateTime(now)));
        }
    }
}

/// Stamps `model`'s `@updatedAt` columns with `now` in a non-empty update that does not
/// set them itself (an update with nothing to set changes nothing, so stamps nothing).
pub(crate) fn stamp_updated(
    assigns: &mut Vec<(&'static Column, AssignOp, Value)>,
    model: &ModelMeta,
    now: DateTime<Utc>,
) {
    if assigns.is_empty() {
        return;
    }
    for column in model.updated_at {
        if !assigns.iter().any(|(c, _, _)| c.name == column.name) {
            assigns.push((column, AssignOp::Set, Value::DateTime(now)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Table;

    static ID: Column = Column::not_null("id");
    static CREATED: Column = Column::not_null("createdAt");
    static UPDATED: Column = Column::not_null("updatedAt");
    static META: ModelMeta = ModelMeta {
        name: "Thing",
        table: Table::named("Thing"),
        columns: &[&ID, &CREATED, &UPDATED],
        primary_key: &[&ID],
        updated_at: &[&UPDATED],
        tenant: None,
    };
    static DEFAULTS: [ColumnDefault; 2] = [
        ColumnDefault {
            column: &ID,
            default: ClientDefault::Cuid,
        },
        ColumnDefault {
            column: &CREATED,
            default: ClientDefault::Now,
        },
    ];

    #[test]
    fn fill_keeps_explicit_values_and_stamps_one_instant() {
        let now = statement_time();
        let mut row = vec![(&ID, Value::String("mine".into()))];
        fill(&mut row, &META, &DEFAULTS, now);
        assert_eq!(row.len(), 3);
        assert_eq!(row[0].1, Value::String("mine".into()));
        let times: Vec<&Value> = row[1..].iter().map(|(_, v)| v).collect();
        assert_eq!(times, [&Value::DateTime(now), &Value::DateTime(now)]);

        let mut generated = Vec::new();
        fill(&mut generated, &META, &DEFAULTS, now);
        assert!(matches!(&generated[0].1, Value::String(id) if id.starts_with('c')));
    }

    #[test]
    fn an_empty_update_is_not_stamped() {
        let mut assigns = Vec::new();
        stamp_updated(&mut assigns, &META, statement_time());
        assert!(assigns.is_empty());
    }
}

//! Renames: a table, a column, an enum or an enum value that the user says was renamed, not
//! dropped and added. Pure data and pure functions; only the CLI asks the question.
//!
//! [`rename_candidates`] lists what *could* be a rename (a dropped and an added thing of the
//! same shape); [`apply_renames`] turns confirmed [`Renames`] into rename steps and the
//! previous schema as it is once they ran. The diff of that renamed schema against the next
//! one then yields the rest, including the renames of the primary keys, indexes and foreign
//! keys whose Prisma names follow the table and column names (`{table}_pkey`,
//! `{table}_{columns}_key`/`_idx`/`_fkey`), since indexes and foreign keys are matched by
//! what they do and renamed when only their name differs. So no drift is left, for refract
//! or for Prisma.

use std::fmt;

use crate::sql_schema::{
    Column, ColumnDefault, ColumnType, DefaultValue, EnumId, SqlSchema, TableId,
};
use crate::step::Step;

/// One rename. Tables and enums are named as in the previous schema (`from`) and the next
/// one (`to`); a column's `table` and an enum value's `enm` are the names the table or enum
/// has once the table and enum renames ran (the next schema's names).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rename {
    Table {
        namespace: Option<String>,
        from: String,
        to: String,
    },
    Column {
        namespace: Option<String>,
        table: String,
        from: String,
        to: String,
    },
    Enum {
        namespace: Option<String>,
        from: String,
        to: String,
    },
    EnumValue {
        namespace: Option<String>,
        enm: String,
        from: String,
        to: String,
    },
}

impl Rename {
    /// What the rename takes away and what it makes, as comparable keys: two renames that
    /// share one cannot both be confirmed.
    pub fn keys(&self) -> (String, String) {
        let ns = |n: &Option<String>| n.clone().unwrap_or_default();
        match self {
            Rename::Table {
                namespace,
                from,
                to,
            } => (
                format!("table {}.{from}", ns(namespace)),
                format!("table {}.{to}", ns(namespace)),
            ),
            Rename::Column {
                namespace,
                table,
                from,
                to,
            } => (
                format!("column {}.{table}.{from}", ns(namespace)),
                format!("column {}.{table}.{to}", ns(namespace)),
            ),
            Rename::Enum {
                namespace,
                from,
                to,
            } => (
                format!("enum {}.{from}", ns(namespace)),
                format!("enum {}.{to}", ns(namespace)),
            ),
            Rename::EnumValue {
                namespace,
                enm,
                from,
                to,
            } => (
                format!("value {}.{enm}.{from}", ns(namespace)),
                format!("value {}.{enm}.{to}", ns(namespace)),
            ),
        }
    }

    /// The `--rename` argument that confirms this rename (database names, which are the
    /// model, field and enum names unless `@map`/`@@map` say otherwise).
    pub fn flag(&self) -> String {
        match self {
            Rename::Table { from, to, .. } | Rename::Enum { from, to, .. } => {
                format!("{from}={to}")
            }
            Rename::Column {
                table, from, to, ..
            } => format!("{table}.{from}={to}"),
            Rename::EnumValue { enm, from, to, .. } => format!("{enm}.{from}={to}"),
        }
    }
}

impl fmt::Display for Rename {
    /// As the question names it: `` `User.fullName` to `User.displayName` ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rename::Table { from, to, .. } => write!(f, "the model `{from}` to `{to}`"),
            Rename::Enum { from, to, .. } => write!(f, "the enum `{from}` to `{to}`"),
            Rename::Column {
                table, from, to, ..
            } => write!(f, "`{table}.{from}` to `{table}.{to}`"),
            Rename::EnumValue { enm, from, to, .. } => {
                write!(f, "the value `{enm}.{from}` to `{enm}.{to}`")
            }
        }
    }
}

/// Confirmed renames, the diff's input beside the two schemas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    pub items: Vec<Rename>,
}

impl Renames {
    /// No rename confirmed: the diff sees only drops and adds.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Whether `rename` is confirmed already (the same from and to).
    pub fn contains(&self, rename: &Rename) -> bool {
        self.items.contains(rename)
    }
}

/// Dropped-and-added pairs of the same shape between `previous` (with the confirmed renames
/// already applied) and `next`: tables with the same columns, columns of the same type in one
/// table, enums with as many values, values of one enum. Tables first, then columns, enums
/// and values, each in schema order.
pub fn rename_candidates(previous: &SqlSchema, next: &SqlSchema) -> Vec<Rename> {
    let mut out = Vec::new();
    let dropped_tables: Vec<_> = previous
        .tables
        .iter()
        .filter(|t| next.find_table(t.namespace.as_deref(), &t.name).is_none())
        .collect();
    let created_tables: Vec<_> = next
        .tables
        .iter()
        .filter(|t| {
            previous
                .find_table(t.namespace.as_deref(), &t.name)
                .is_none()
        })
        .collect();
    for old in &dropped_tables {
        for new in &created_tables {
            let same_columns = old.columns.len() == new.columns.len()
                && old
                    .columns
                    .iter()
                    .zip(&new.columns)
                    .all(|(a, b)| a.name == b.name && same_shape(a, b));
            if old.namespace == new.namespace && same_columns {
                out.push(Rename::Table {
                    namespace: old.namespace.clone(),
                    from: old.name.clone(),
                    to: new.name.clone(),
                });
            }
        }
    }
    for old in &previous.tables {
        let Some(new_id) = next.find_table(old.namespace.as_deref(), &old.name) else {
            continue;
        };
        let new = next.table(new_id);
        for dropped in old.columns.iter().filter(|c| new.column(&c.name).is_none()) {
            for added in new.columns.iter().filter(|c| old.column(&c.name).is_none()) {
                if same_shape(dropped, added) {
                    out.push(Rename::Column {
                        namespace: old.namespace.clone(),
                        table: old.name.clone(),
                        from: dropped.name.clone(),
                        to: added.name.clone(),
                    });
                }
            }
        }
    }
    for old in &previous.enums {
        if next
            .find_enum(old.namespace.as_deref(), &old.name)
            .is_some()
        {
            continue;
        }
        for new in &next.enums {
            if new.namespace == old.namespace
                && new.values.len() == old.values.len()
                && previous
                    .find_enum(new.namespace.as_deref(), &new.name)
                    .is_none()
            {
                out.push(Rename::Enum {
                    namespace: old.namespace.clone(),
                    from: old.name.clone(),
                    to: new.name.clone(),
                });
            }
        }
    }
    for old in &previous.enums {
        let Some(new_id) = next.find_enum(old.namespace.as_deref(), &old.name) else {
            continue;
        };
        let new = next.enm(new_id);
        for dropped in old.values.iter().filter(|v| !new.values.contains(v)) {
            for added in new.values.iter().filter(|v| !old.values.contains(v)) {
                out.push(Rename::EnumValue {
                    namespace: old.namespace.clone(),
                    enm: old.name.clone(),
                    from: dropped.clone(),
                    to: added.clone(),
                });
            }
        }
    }
    out
}

/// Columns of one type (any enum matching any enum, since the enum may be renamed too) and
/// list-ness.
fn same_shape(a: &Column, b: &Column) -> bool {
    let types_match = match (&a.tpe, &b.tpe) {
        (ColumnType::Enum { .. }, ColumnType::Enum { .. }) => true,
        (x, y) => x == y,
    };
    types_match && a.arity.is_list() == b.arity.is_list()
}

/// Why a rename cannot be applied to the previous schema.
pub fn rename_error(previous: &SqlSchema, next: &SqlSchema, renames: &Renames) -> Option<String> {
    let (renamed, _) = apply_renames(previous, renames);
    for rename in &renames.items {
        let problem = match rename {
            Rename::Table {
                namespace,
                from,
                to,
            } => {
                let ns = namespace.as_deref();
                if previous.find_table(ns, from).is_none() {
                    Some(format!(
                        "there is no table `{from}` in the migration history"
                    ))
                } else if next.find_table(ns, to).is_none() {
                    Some(format!("the schema has no model whose table is `{to}`"))
                } else if previous.find_table(ns, to).is_some() {
                    Some(format!("the table `{to}` exists already"))
                } else {
                    None
                }
            }
            Rename::Column {
                namespace,
                table,
                from,
                to,
            } => {
                let ns = namespace.as_deref();
                let old = renamed.find_table(ns, table).map(|id| renamed.table(id));
                let new = next.find_table(ns, table).map(|id| next.table(id));
                match (old, new) {
                    (None, _) => Some(format!(
                        "there is no table `{table}` in the migration history"
                    )),
                    (_, None) => Some(format!("the schema has no model whose table is `{table}`")),
                    (Some(old), Some(new)) => {
                        if new.column(to).is_none() {
                            Some(format!(
                                "the model of `{table}` has no field whose column is `{to}`"
                            ))
                        } else if old.column(from).is_some() {
                            Some(format!("`{table}` has a column `{to}` already"))
                        } else if old.column(to).is_none() {
                            Some(format!(
                                "there is no column `{table}.{from}` in the migration history"
                            ))
                        } else {
                            None
                        }
                    }
                }
            }
            Rename::Enum {
                namespace,
                from,
                to,
            } => {
                let ns = namespace.as_deref();
                if previous.find_enum(ns, from).is_none() {
                    Some(format!(
                        "there is no enum `{from}` in the migration history"
                    ))
                } else if next.find_enum(ns, to).is_none() {
                    Some(format!("the schema has no enum `{to}`"))
                } else {
                    None
                }
            }
            Rename::EnumValue {
                namespace,
                enm,
                from,
                to,
            } => {
                let ns = namespace.as_deref();
                let new = next.find_enum(ns, enm).map(|id| next.enm(id));
                if new.is_none_or(|e| !e.values.contains(to)) {
                    Some(format!("the schema's enum `{enm}` has no value `{to}`"))
                } else if renamed
                    .find_enum(ns, enm)
                    .is_none_or(|id| !renamed.enm(id).values.contains(to))
                {
                    Some(format!(
                        "there is no value `{enm}.{from}` in the migration history"
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            return Some(format!("--rename {}: {problem}", rename.flag()));
        }
    }
    None
}

/// The rename steps for `renames` and `previous` as it is once they ran. A rename that does
/// not fit `previous` (see [`rename_error`]) is left out.
pub fn apply_renames(previous: &SqlSchema, renames: &Renames) -> (SqlSchema, Vec<Step>) {
    let mut schema = previous.clone();
    let mut steps = Vec::new();
    let order = |r: &Rename| match r {
        Rename::Table { .. } => 0,
        Rename::Enum { .. } => 1,
        Rename::Column { .. } => 2,
        Rename::EnumValue { .. } => 3,
    };
    let mut items: Vec<&Rename> = renames.items.iter().collect();
    items.sort_by_key(|r| order(r));
    for rename in items {
        match rename {
            Rename::Table {
                namespace,
                from,
                to,
            } => {
                let ns = namespace.as_deref();
                let Some(id) = schema.find_table(ns, from) else {
                    continue;
                };
                if schema.find_table(ns, to).is_some() {
                    continue;
                }
                schema.tables[id.0 as usize].name = to.clone();
                steps.push(Step::RenameTable {
                    namespace: namespace.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            Rename::Enum {
                namespace,
                from,
                to,
            } => {
                let ns = namespace.as_deref();
                let Some(id) = schema.find_enum(ns, from) else {
                    continue;
                };
                if schema.find_enum(ns, to).is_some() {
                    continue;
                }
                schema.enums[id.0 as usize].name = to.clone();
                for column in schema.tables.iter_mut().flat_map(|t| &mut t.columns) {
                    if let ColumnType::Enum { namespace: n, name } = &mut column.tpe {
                        if n.as_deref() == ns && name == from {
                            *name = to.clone();
                        }
                    }
                }
                steps.push(Step::RenameEnum {
                    namespace: namespace.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            Rename::Column {
                namespace,
                table,
                from,
                to,
            } => {
                let Some(id) = schema.find_table(namespace.as_deref(), table) else {
                    continue;
                };
                if rename_column(&mut schema, id, from, to) {
                    steps.push(Step::RenameColumn {
                        table: id,
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
            }
            Rename::EnumValue {
                namespace,
                enm,
                from,
                to,
            } => {
                let Some(id) = schema.find_enum(namespace.as_deref(), enm) else {
                    continue;
                };
                if rename_enum_value(&mut schema, id, from, to) {
                    steps.push(Step::RenameEnumValue {
                        enm: id,
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
            }
        }
    }
    (schema, steps)
}

/// Renames a column and every reference to it (primary key, indexes, foreign keys both ways).
fn rename_column(schema: &mut SqlSchema, table: TableId, from: &str, to: &str) -> bool {
    let t = &mut schema.tables[table.0 as usize];
    if t.column(to).is_some() {
        return false;
    }
    let Some(position) = t.column_position(from) else {
        return false;
    };
    t.columns[position].name = to.to_owned();
    let swap = |name: &mut String| {
        if name == from {
            *name = to.to_owned();
        }
    };
    if let Some(pk) = &mut t.primary_key {
        pk.columns.iter_mut().for_each(swap);
    }
    for index in schema.indexes.iter_mut().filter(|i| i.table == table) {
        index.columns.iter_mut().for_each(|c| swap(&mut c.name));
        index.included_columns.iter_mut().for_each(swap);
    }
    for fk in &mut schema.foreign_keys {
        if fk.table == table {
            fk.columns.iter_mut().for_each(swap);
        }
        if fk.referenced_table == table {
            fk.referenced_columns.iter_mut().for_each(swap);
        }
    }
    true
}

/// Renames an enum value, and the column defaults that name it.
fn rename_enum_value(schema: &mut SqlSchema, enm: EnumId, from: &str, to: &str) -> bool {
    let e = &mut schema.enums[enm.0 as usize];
    if e.values.iter().any(|v| v == to) {
        return false;
    }
    let Some(value) = e.values.iter_mut().find(|v| *v == from) else {
        return false;
    };
    *value = to.to_owned();
    let (namespace, name) = (e.namespace.clone(), e.name.clone());
    for column in schema.tables.iter_mut().flat_map(|t| &mut t.columns) {
        if column.enum_name() != Some((namespace.as_deref(), name.as_str())) {
            continue;
        }
        if let Some(ColumnDefault::Value(default)) = &mut column.default {
            rename_in_default(default, from, to);
        }
    }
    true
}

fn rename_in_default(value: &mut DefaultValue, from: &str, to: &str) {
    match value {
        DefaultValue::Enum(v) | DefaultValue::String(v) if v == from => *v = to.to_owned(),
        DefaultValue::List(values) => values
            .iter_mut()
            .for_each(|v| rename_in_default(v, from, to)),
        _ => {}
    }
}

//! The name of every model, field, enum and enum value of a pulled schema: the existing
//! schema's where it has one, the sanitised database name otherwise; models and enums share
//! one namespace, so a new one whose name is taken is named after its database schema.

use std::collections::BTreeMap;

use crate::sql_schema::{EnumId, SqlSchema, TableId};

use super::datamodel::Value;
use super::previous::Previous;

/// An enum's namespace (in a multi-schema database) and database name.
pub(super) type EnumKey = (Option<String>, String);

/// The name of every model, field, enum and enum value: the existing schema's where it has
/// one, the sanitised database name otherwise.
pub(super) struct Names {
    pub(super) models: BTreeMap<TableId, String>,
    /// Sanitised table names: what new relation fields are named after, as in Prisma.
    pub(super) raw_models: BTreeMap<TableId, String>,
    /// Per table: column → field.
    fields: BTreeMap<TableId, BTreeMap<String, String>>,
    /// (namespace, enum database name) → enum name: two schemas may each have an enum of
    /// the same database name.
    enums: BTreeMap<EnumKey, String>,
    /// (enum, value in the database) → value name.
    values: BTreeMap<(EnumKey, String), String>,
    /// New enums and models renamed `<namespace>_<name>` because their name was taken, as
    /// Prisma's warning lists them: enums first, then models, each in database order.
    pub(super) renamed: Vec<String>,
}

impl Names {
    pub(super) fn new(schema: &SqlSchema, previous: &Previous<'_>) -> Names {
        let mut names = Names {
            models: BTreeMap::new(),
            raw_models: BTreeMap::new(),
            fields: BTreeMap::new(),
            enums: BTreeMap::new(),
            values: BTreeMap::new(),
            renamed: Vec::new(),
        };
        // Models and enums share one namespace of names. As in Prisma, a new model or enum
        // (not in the existing schema) whose name is taken by another one is renamed after
        // its database schema: `public_User` with `@@map("User")` next to a kept `User`
        // mapped to `users`. Kept names are never changed.
        let table_name = |id: TableId| {
            previous
                .model(id)
                .map_or_else(|| sanitize(&schema.table(id).name), |m| m.name.clone())
        };
        let enum_name = |id: EnumId| {
            previous
                .enm(id)
                .map_or_else(|| sanitize(&schema.enm(id).name), |e| e.name.clone())
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for id in schema.table_ids() {
            *counts.entry(table_name(id)).or_default() += 1;
        }
        for id in schema.enum_ids() {
            *counts.entry(enum_name(id)).or_default() += 1;
        }
        let default_namespace = schema.namespaces.first().map_or("public", String::as_str);
        let mut renamed_models = Vec::new();
        let mut dedup = |name: String, kept: bool, namespace: Option<&str>, kind: &str| {
            if kept || counts.get(&name).is_none_or(|&n| n <= 1) {
                return name;
            }
            let name = format!("{}_{name}", namespace.unwrap_or(default_namespace));
            let item = format!("Type: \"{kind}\", name: \"{name}\"");
            if kind == "enum" {
                names.renamed.push(item);
            } else {
                renamed_models.push(item);
            }
            name
        };
        for id in schema.enum_ids() {
            let enm = schema.enm(id);
            let kept = previous.enm(id);
            let key = (enm.namespace.clone(), enm.name.clone());
            let name = dedup(
                enum_name(id),
                kept.is_some(),
                enm.namespace.as_deref(),
                "enum",
            );
            names.enums.insert(key.clone(), name);
            for value in &enm.values {
                let name = kept
                    .and_then(|e| e.values.iter().find(|v| &v.db_name == value))
                    .map_or_else(|| sanitize_enum_value(value), |v| v.name.clone());
                names.values.insert((key.clone(), value.clone()), name);
            }
        }
        for id in schema.table_ids() {
            let table = schema.table(id);
            let raw = sanitize(&table.name);
            let name = dedup(
                table_name(id),
                previous.model(id).is_some(),
                table.namespace.as_deref(),
                "model",
            );
            names.models.insert(id, name);
            names.raw_models.insert(id, raw);
            let fields = names.fields.entry(id).or_default();
            for column in &table.columns {
                let name = previous
                    .field(id, &column.name)
                    .map_or_else(|| sanitize(&column.name), |f| f.name.clone());
                fields.insert(column.name.clone(), name);
            }
        }
        names.renamed.append(&mut renamed_models);
        names
    }

    pub(super) fn model(&self, table: TableId) -> &str {
        &self.models[&table]
    }

    pub(super) fn field(&self, table: TableId, column: &str) -> String {
        self.fields
            .get(&table)
            .and_then(|f| f.get(column))
            .cloned()
            .unwrap_or_else(|| sanitize(column))
    }

    /// `[a, b]` for `fields: [...]`, `@@id([...])` and the like.
    pub(super) fn field_list(&self, table: TableId, columns: &[String]) -> Value {
        Value::List(
            columns
                .iter()
                .map(|c| Value::Constant(self.field(table, c)))
                .collect(),
        )
    }

    /// The key of the enum a column names: its namespace and name, or, where the column
    /// gives no namespace the enum has, the one enum of that name.
    fn enum_key(&self, namespace: Option<&str>, db_name: &str) -> Option<&EnumKey> {
        let exact = (namespace.map(str::to_owned), db_name.to_owned());
        if let Some((key, _)) = self.enums.get_key_value(&exact) {
            return Some(key);
        }
        let mut same_name = self.enums.keys().filter(|(_, name)| name == db_name);
        match (same_name.next(), same_name.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    pub(super) fn enm(&self, namespace: Option<&str>, db_name: &str) -> String {
        self.enum_key(namespace, db_name)
            .and_then(|key| self.enums.get(key))
            .cloned()
            .unwrap_or_else(|| sanitize(db_name))
    }

    pub(super) fn value(&self, enum_: Option<(Option<&str>, &str)>, value: &str) -> String {
        enum_
            .and_then(|(namespace, name)| self.enum_key(namespace, name))
            .and_then(|key| self.values.get(&(key.clone(), value.to_owned())))
            .cloned()
            .unwrap_or_else(|| sanitize_enum_value(value))
    }
}

/// A valid identifier for a database name: characters other than ASCII letters, digits and
/// `_` become `_`, and, as Prisma, a name starts with a letter, so leading digits and
/// underscores are dropped (`_foo` → `foo @@map("_foo")`, `1abc` → `abc`).
pub(super) fn sanitize(name: &str) -> String {
    identifier(name, |c| !c.is_ascii_alphabetic())
}

/// Enum values may start with a digit (they are identifiers), not with `_`.
fn sanitize_enum_value(name: &str) -> String {
    identifier(name, |c| c == '_')
}

/// `name` with its invalid characters replaced and the leading ones `dropped` removed;
/// `n` before the replaced name when nothing is left.
fn identifier(name: &str, dropped: impl Fn(char) -> bool) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match replaced.trim_start_matches(dropped) {
        "" => format!("n{replaced}"),
        kept => kept.to_owned(),
    }
}

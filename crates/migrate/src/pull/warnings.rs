//! Prisma's re-introspection warnings: what `db pull` took from the existing schema, and
//! what it renamed, in the order Prisma prints them.

use std::fmt::Write as _;

use crate::sql_schema::{SqlSchema, TableId};

use super::build::kept_compound_id_name;
use super::names::Names;
use super::previous::Previous;

/// Prisma's re-introspection warnings, in the order it prints them.
#[derive(Default)]
pub(super) struct Warnings {
    fields: Vec<String>,
    compound_ids: Vec<String>,
    models: Vec<String>,
    values: Vec<String>,
    enums: Vec<String>,
    copied_relations: Vec<String>,
    renamed: Vec<String>,
}

impl Warnings {
    pub(super) fn render(&self) -> Option<String> {
        let sections = [
            (
                "These fields were enriched with `@map` information taken from the previous Prisma schema:",
                &self.fields,
            ),
            (
                "These models were enriched with custom compound id names taken from the previous Prisma schema:",
                &self.compound_ids,
            ),
            (
                "These models were enriched with `@@map` information taken from the previous Prisma schema:",
                &self.models,
            ),
            (
                "These enum values were enriched with `@map` information taken from the previous Prisma schema:",
                &self.values,
            ),
            (
                "These enums were enriched with `@@map` information taken from the previous Prisma schema:",
                &self.enums,
            ),
            (
                "Relations were copied from the previous data model due to not using foreign keys in the database. If any of the relation columns changed in the database, the relations might not be correct anymore:",
                &self.copied_relations,
            ),
            (
                "These items were renamed due to their names being duplicates in the Prisma schema:",
                &self.renamed,
            ),
        ];
        let mut out = String::from("*** WARNING ***\n");
        let mut any = false;
        for (message, items) in sections {
            if items.is_empty() {
                continue;
            }
            any = true;
            let _ = writeln!(out, "\n{message}");
            for item in items {
                let _ = writeln!(out, "  - {item}");
            }
        }
        any.then_some(out)
    }
}

/// What was taken from the existing schema where the raw introspection names differ, in
/// database order.
pub(super) fn warnings(
    schema: &SqlSchema,
    names: &Names,
    previous: &Previous<'_>,
    join_tables: &[TableId],
) -> Warnings {
    let mut w = Warnings::default();
    for id in schema.table_ids().filter(|id| !join_tables.contains(id)) {
        let table = schema.table(id);
        let Some(model) = previous.model(id) else {
            continue;
        };
        for column in &table.columns {
            if let Some(field) = previous.field(id, &column.name) {
                if previous.maps(&model.name, Some(&field.name), &field.name, &column.name) {
                    w.fields.push(format!(
                        "Model: \"{}\", field: \"{}\"",
                        model.name, field.name
                    ));
                }
            }
        }
        if let Some(pk) = &table.primary_key {
            if pk.columns.len() > 1 && kept_compound_id_name(Some(model), &pk.columns).is_some() {
                w.compound_ids.push(format!("\"{}\"", model.name));
            }
        }
        if previous.maps(&model.name, None, &model.name, &table.name) {
            w.models.push(format!("\"{}\"", model.name));
        }
    }
    for id in schema.enum_ids() {
        let e = schema.enm(id);
        let Some(kept) = previous.enm(id) else {
            continue;
        };
        let kept_values = e
            .values
            .iter()
            .filter_map(|v| kept.values.iter().find(|k| &k.db_name == v));
        for value in kept_values {
            if previous.maps(&kept.name, Some(&value.name), &value.name, &value.db_name) {
                w.values.push(format!(
                    "Enum: \"{}\", value: \"{}\"",
                    kept.name, value.name
                ));
            }
        }
        if previous.maps(&kept.name, None, &kept.name, &e.name) {
            w.enums.push(format!("\"{}\"", kept.name));
        }
    }
    // By model, in the order the models are written, then by field.
    let mut copied = previous.copied_relations(schema);
    copied.sort_by_key(|c| {
        (
            previous.model_position(c.table).unwrap_or(u32::MAX),
            c.table,
            c.position,
        )
    });
    for c in copied {
        w.copied_relations
            .push(format!("\"{}\"", names.model(c.table)));
    }
    w.renamed.clone_from(&names.renamed);
    w
}

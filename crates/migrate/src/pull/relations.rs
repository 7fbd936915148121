//! The relation fields of a pulled schema: one per side of each foreign key (named as
//! Prisma names them, or as the existing schema names them where the same foreign key is
//! still there), the relations copied as written under `relationMode = "prisma"`, and the
//! list fields of implicit many-to-many join tables.

use std::collections::BTreeMap;

use refract_schema::ir;

use crate::sql_schema::{Arity, ForeignKey, ForeignKeyAction, SqlSchema, TableId};

use super::datamodel::{self as dm, Argument, Attribute, Value};
use super::names::{Names, sanitize};
use super::previous::Previous;

/// Whether a table is an implicit many-to-many join table as Prisma makes them: `_Name`,
/// columns `A` and `B`, each a foreign key, and `A` pointing at the model whose name sorts
/// first (with re-introspected names, as Prisma checks it). Otherwise the client would
/// read `A` and `B` the other way round; Prisma then writes the table as a model.
pub(super) fn is_implicit_join_table(schema: &SqlSchema, id: TableId, names: &Names) -> bool {
    let table = schema.table(id);
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let end = |column: &str| {
        schema
            .table_foreign_keys(id)
            .find(|(_, fk)| fk.columns.len() == 1 && fk.columns[0] == column)
            .map(|(_, fk)| fk.referenced_table)
    };
    table.name.starts_with('_')
        && columns == ["A", "B"]
        && schema.table_foreign_keys(id).count() == 2
        && match (end("A"), end("B")) {
            (Some(a), Some(b)) => names.model(a) <= names.model(b),
            _ => false,
        }
}

/// The relation fields of every model, as Prisma lists them: foreign keys in
/// (table, constraint name) order, each adding its field to the referencing model and the
/// back-relation to the referenced one, then the many-to-many fields.
pub(super) fn relation_fields(
    schema: &SqlSchema,
    names: &Names,
    previous: &Previous<'_>,
    join_tables: &[TableId],
) -> BTreeMap<TableId, Vec<dm::Field>> {
    let mut fields: BTreeMap<TableId, Vec<dm::Field>> = BTreeMap::new();
    let join_ends = |join: TableId| -> (Option<TableId>, Option<TableId>) {
        let end = |column: &str| {
            schema
                .table_foreign_keys(join)
                .find(|(_, fk)| fk.columns.len() == 1 && fk.columns[0] == column)
                .map(|(_, fk)| fk.referenced_table)
        };
        (end("A"), end("B"))
    };
    // Relations (inline and many-to-many) between two models; more than one means each
    // needs a name.
    let pair_count = |a: TableId, b: TableId| {
        let inline = schema
            .foreign_keys
            .iter()
            .filter(|fk| !join_tables.contains(&fk.table))
            .filter(|fk| {
                (fk.table, fk.referenced_table) == (a, b)
                    || (fk.table, fk.referenced_table) == (b, a)
            })
            .count();
        let many = join_tables
            .iter()
            .filter(|&&j| {
                let ends = join_ends(j);
                ends == (Some(a), Some(b)) || ends == (Some(b), Some(a))
            })
            .count();
        inline + many
    };
    // With `relationMode = "prisma"`, foreign keys give no relations (as in Prisma).
    let emulated = previous.emulates_relations();
    for fk in schema
        .foreign_keys
        .iter()
        .filter(|fk| !emulated && !join_tables.contains(&fk.table))
    {
        // New relations are named after the tables, as raw introspection names them.
        let referencing = &names.raw_models[&fk.table];
        let referenced = &names.raw_models[&fk.referenced_table];
        let table = schema.table(fk.table);
        let self_relation = fk.table == fk.referenced_table;
        let ambiguous = pair_count(fk.table, fk.referenced_table) > 1;
        let generated_name = if ambiguous {
            Some(format!(
                "{}_{}To{}",
                referencing,
                fk.columns
                    .iter()
                    .map(|c| sanitize(c))
                    .collect::<Vec<_>>()
                    .join("_"),
                referenced
            ))
        } else if self_relation {
            Some(format!("{referencing}To{referenced}"))
        } else {
            None
        };
        let (mut forward_name, mut back_name) = match &generated_name {
            Some(name) if ambiguous && self_relation => (
                format!("{referenced}_{name}"),
                format!("other_{referencing}_{name}"),
            ),
            Some(name) if ambiguous => (
                format!("{referenced}_{name}"),
                format!("{referencing}_{name}"),
            ),
            _ if self_relation => (referenced.clone(), format!("other_{referencing}")),
            _ => (referenced.clone(), referencing.clone()),
        };
        let mut relation_name = generated_name;
        if let Some(kept) = previous.inline_relation(fk) {
            forward_name = kept.referencing.to_owned();
            if let Some(back) = kept.referenced {
                back_name = back.to_owned();
            }
            // As Prisma: an unnamed relation stays unnamed, even when a new foreign key
            // between the same models makes it ambiguous (the new one is named); a
            // self-relation is always named, by default `{Model}To{Model}`.
            relation_name = kept
                .name
                .or(self_relation.then_some(kept.effective_name))
                .map(str::to_owned);
        }
        let optional = fk.columns.iter().any(|c| {
            table
                .column(c)
                .is_some_and(|col| col.arity != Arity::Required)
        });
        let one_to_one = schema.table_indexes(fk.table).any(|(_, i)| {
            i.is_unique() && i.column_names().eq(fk.columns.iter().map(String::as_str))
        }) || table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns == fk.columns);

        let mut args = Vec::new();
        if let Some(name) = &relation_name {
            args.push(Argument::unnamed(Value::string(name)));
        }
        args.push(Argument::named(
            "fields",
            names.field_list(fk.table, &fk.columns),
        ));
        args.push(Argument::named(
            "references",
            names.field_list(fk.referenced_table, &fk.referenced_columns),
        ));
        let (default_delete, default_update) = if optional {
            (ForeignKeyAction::SetNull, ForeignKeyAction::Cascade)
        } else {
            (ForeignKeyAction::Restrict, ForeignKeyAction::Cascade)
        };
        if fk.on_delete != default_delete {
            args.push(Argument::named(
                "onDelete",
                Value::constant(action_name(fk.on_delete)),
            ));
        }
        if fk.on_update != default_update {
            args.push(Argument::named(
                "onUpdate",
                Value::constant(action_name(fk.on_update)),
            ));
        }
        let cols: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
        if fk.name != super::default_name(&table.name, &cols, "_fkey") {
            args.push(Argument::named("map", Value::string(&fk.name)));
        }
        fields.entry(fk.table).or_default().push(relation_field(
            forward_name,
            names.model(fk.referenced_table),
            if optional {
                dm::Arity::Optional
            } else {
                dm::Arity::Required
            },
            args,
        ));
        let back_args = relation_name
            .map(|n| vec![Argument::unnamed(Value::String(n))])
            .unwrap_or_default();
        fields
            .entry(fk.referenced_table)
            .or_default()
            .push(relation_field(
                back_name,
                names.model(fk.table),
                if one_to_one {
                    dm::Arity::Optional
                } else {
                    dm::Arity::List
                },
                back_args,
            ));
    }
    // Relations without foreign keys (`relationMode = "prisma"`), copied as written, after
    // the others, in the existing schema's order.
    let mut copied = previous.copied_relations(schema);
    copied.sort_by_key(|c| (c.table, c.position));
    for c in copied {
        let arity = match c.field.arity {
            ir::Arity::Required => dm::Arity::Required,
            ir::Arity::Optional => dm::Arity::Optional,
            ir::Arity::List => dm::Arity::List,
        };
        let mut args = Vec::new();
        if let Some(name) = c.name {
            args.push(Argument::unnamed(Value::string(name)));
        }
        if let Some((columns, to, references)) = &c.columns {
            args.push(Argument::named(
                "fields",
                names.field_list(c.table, columns),
            ));
            args.push(Argument::named(
                "references",
                names.field_list(*to, references),
            ));
        }
        for (key, action) in [
            ("onDelete", c.field.on_delete),
            ("onUpdate", c.field.on_update),
        ] {
            if let Some(action) = action {
                args.push(Argument::named(
                    key,
                    Value::constant(referential_action_name(action)),
                ));
            }
        }
        if let Some(map) = c.map {
            args.push(Argument::named("map", Value::string(map)));
        }
        fields.entry(c.table).or_default().push(relation_field(
            c.field.name.clone(),
            &c.related.name,
            arity,
            args,
        ));
    }
    for &join in join_tables {
        let relation = schema.table(join).name.trim_start_matches('_').to_owned();
        let target = |column: &str| -> Option<TableId> {
            schema
                .table_foreign_keys(join)
                .find(|(_, fk)| fk.columns[0] == column)
                .map(|(_, fk): (_, &ForeignKey)| fk.referenced_table)
        };
        let (Some(a), Some(b)) = (target("A"), target("B")) else {
            continue;
        };
        let (a_name, b_name) = (&names.raw_models[&a], &names.raw_models[&b]);
        let ambiguous = a == b || pair_count(a, b) > 1;
        let relation_args = || vec![Argument::unnamed(Value::string(&relation))];
        let (on_a, on_b) = if ambiguous {
            let suffix = if a == b {
                String::new()
            } else {
                format!("_{relation}")
            };
            // Prisma counts the inline self-relations too.
            if a == b && pair_count(a, b) > 1 {
                (
                    format!("{b_name}_{relation}_A"),
                    format!("{a_name}_{relation}_B"),
                )
            } else if a == b {
                (format!("{b_name}_A"), format!("{a_name}_B"))
            } else {
                (format!("{b_name}{suffix}"), format!("{a_name}{suffix}"))
            }
        } else {
            (b_name.clone(), a_name.clone())
        };
        let (on_a, on_b) = match previous.many_to_many(&schema.table(join).name) {
            Some(kept) => (
                kept.referencing.to_owned(),
                kept.referenced.map_or(on_b, str::to_owned),
            ),
            None => (on_a, on_b),
        };
        fields.entry(a).or_default().push(relation_field(
            on_a,
            names.model(b),
            dm::Arity::List,
            relation_args(),
        ));
        fields.entry(b).or_default().push(relation_field(
            on_b,
            names.model(a),
            dm::Arity::List,
            relation_args(),
        ));
    }
    fields
}

/// A relation field, with `@relation(arguments)` when there are any.
fn relation_field(
    name: String,
    model: &str,
    arity: dm::Arity,
    arguments: Vec<Argument>,
) -> dm::Field {
    dm::Field {
        documentation: None,
        name,
        type_name: dm::FieldType::Named(model.to_owned()),
        arity,
        attributes: if arguments.is_empty() {
            Vec::new()
        } else {
            vec![Attribute::with("relation", arguments)]
        },
    }
}

fn referential_action_name(action: ir::ReferentialAction) -> &'static str {
    match action {
        ir::ReferentialAction::NoAction => "NoAction",
        ir::ReferentialAction::Restrict => "Restrict",
        ir::ReferentialAction::Cascade => "Cascade",
        ir::ReferentialAction::SetNull => "SetNull",
        ir::ReferentialAction::SetDefault => "SetDefault",
    }
}

fn action_name(action: ForeignKeyAction) -> &'static str {
    match action {
        ForeignKeyAction::NoAction => "NoAction",
        ForeignKeyAction::Restrict => "Restrict",
        ForeignKeyAction::Cascade => "Cascade",
        ForeignKeyAction::SetNull => "SetNull",
        ForeignKeyAction::SetDefault => "SetDefault",
    }
}

//! `--rename` arguments → [`Renames`]: `Model.field=newField`, `OldModel=NewModel`,
//! `Enum.VALUE=NEW_VALUE`, `OldEnum=NewEnum`, resolved against the history's schema (what the
//! database has) and the new schema (its IR, so `@map`/`@@map` names are followed).
//!
//! The left side names what the history has: a table (the model's name unless it had
//! `@@map`) or an enum, and a column or value. The right side names what the schema has: a
//! model, field, enum or value, turned into its database name through the IR (a database
//! name is accepted too). For a field of a renamed model, the table may be named either way.

use refract_schema::ir;

use crate::diff::{Rename, Renames};
use crate::sql_schema::SqlSchema;

use super::MigrateError;

/// Resolves `flags`; the first that names nothing the two schemas have is an error.
pub fn resolve_renames(
    flags: &[String],
    previous: &SqlSchema,
    next: &SqlSchema,
    schema: &ir::Schema,
) -> Result<Renames, MigrateError> {
    let mut renames = Renames::default();
    let invalid =
        |flag: &str, why: &str| MigrateError::InvalidRename(format!("--rename {flag}: {why}"));
    let parsed: Vec<(&str, &str, &str)> = flags
        .iter()
        .map(|flag| {
            let (left, right) = flag.split_once('=').ok_or_else(|| {
                invalid(
                    flag,
                    "expected OLD=NEW (`User.fullName=displayName`, `OldModel=NewModel`)",
                )
            })?;
            let (left, right) = (left.trim(), right.trim());
            if left.is_empty() || right.is_empty() || right.contains('.') {
                return Err(invalid(
                    flag,
                    "expected OLD=NEW, with the new name alone (`User.fullName=displayName`)",
                ));
            }
            Ok((flag.as_str(), left, right))
        })
        .collect::<Result<_, _>>()?;

    // Tables and enums first: fields may name a table by its new name.
    for &(flag, left, right) in parsed.iter().filter(|(_, l, _)| !l.contains('.')) {
        if let Some(id) = previous.tables.iter().position(|t| t.name == left) {
            let namespace = previous.tables[id].namespace.clone();
            let to = model_table(schema, right).unwrap_or_else(|| right.to_owned());
            renames.items.push(Rename::Table {
                namespace,
                from: left.to_owned(),
                to,
            });
        } else if let Some(e) = previous.enums.iter().find(|e| e.name == left) {
            let to = schema
                .enums
                .iter()
                .find(|x| x.name == right)
                .map(|x| x.db_name.clone())
                .unwrap_or_else(|| right.to_owned());
            renames.items.push(Rename::Enum {
                namespace: e.namespace.clone(),
                from: left.to_owned(),
                to,
            });
        } else {
            return Err(invalid(
                flag,
                &format!("the migration history has no table or enum `{left}`"),
            ));
        }
    }
    for &(flag, left, right) in parsed.iter().filter(|(_, l, _)| l.contains('.')) {
        let Some((owner, from)) = left.split_once('.') else {
            continue;
        };
        // The table's name after the table renames: named by model, new or old table name.
        let renamed_to = renames.items.iter().find_map(|r| match r {
            Rename::Table { from, to, .. } if from == owner => Some(to.clone()),
            _ => None,
        });
        let table = renamed_to
            .or_else(|| model_table(schema, owner))
            .unwrap_or_else(|| owner.to_owned());
        if let Some(next_table) = next.tables.iter().find(|t| t.name == table) {
            let to = schema
                .models
                .iter()
                .find(|m| m.db_name == table)
                .and_then(|m| m.fields.iter().find(|f| f.name == right))
                .map(|f| f.db_name.clone())
                .unwrap_or_else(|| right.to_owned());
            renames.items.push(Rename::Column {
                namespace: next_table.namespace.clone(),
                table,
                from: from.to_owned(),
                to,
            });
            continue;
        }
        let enum_name = renames
            .items
            .iter()
            .find_map(|r| match r {
                Rename::Enum { from, to, .. } if from == owner => Some(to.clone()),
                _ => None,
            })
            .or_else(|| {
                schema
                    .enums
                    .iter()
                    .find(|e| e.name == owner)
                    .map(|e| e.db_name.clone())
            })
            .unwrap_or_else(|| owner.to_owned());
        if let Some(e) = next.enums.iter().find(|e| e.name == enum_name) {
            let to = schema
                .enums
                .iter()
                .find(|x| x.db_name == enum_name)
                .and_then(|x| x.values.iter().find(|v| v.name == right))
                .map(|v| v.db_name.clone())
                .unwrap_or_else(|| right.to_owned());
            renames.items.push(Rename::EnumValue {
                namespace: e.namespace.clone(),
                enm: enum_name,
                from: from.to_owned(),
                to,
            });
            continue;
        }
        return Err(invalid(
            flag,
            &format!("the schema has no model or enum `{owner}`"),
        ));
    }
    if let Some(problem) = crate::diff::rename_error(previous, next, &renames) {
        return Err(MigrateError::InvalidRename(problem));
    }
    Ok(renames)
}

fn model_table(schema: &ir::Schema, model: &str) -> Option<String> {
    schema
        .models
        .iter()
        .find(|m| m.name == model)
        .map(|m| m.db_name.clone())
}

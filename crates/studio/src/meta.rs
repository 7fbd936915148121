//! The runtime's description of the shown models, built from the IR once when the studio
//! starts: for each model a [`ModelMeta`] (its table, one [`Column`] per shown field, the
//! row key as its primary key, its `@updatedAt` columns), its client-side defaults, the
//! columns a row is read with, and a [`RelationMeta`] per relation field in each direction.
//!
//! The runtime's metadata is `'static` because generated code declares it as statics; here
//! it is leaked instead, once per [`crate::router`] call (a studio process builds one
//! router), so a studio's reads and writes go through the runtime's renderer and executor
//! exactly as a generated client's do ([`refract_runtime::dynamic`]).

use std::collections::HashMap;

use refract_runtime::defaults::{ClientDefault, ColumnDefault};
use refract_runtime::dynamic::{self, Read, ReadAs};
use refract_runtime::{Column, JOIN_A, JOIN_B, Link, ModelMeta, RelationMeta, Table};
use refract_schema::ir::{
    self, Arity, DefaultKind, FieldId, Model, ModelId, RelationFieldRef, RelationKind, ScalarField,
};

use crate::values::{has_text_fallback, read_as};

/// One shown model as the runtime sees it.
#[derive(Debug)]
pub struct Described {
    pub meta: &'static ModelMeta,
    /// The column of each scalar field, by field index; `None` for fields not shown.
    pub columns: Vec<Option<&'static Column>>,
    /// Client-side defaults (ids, `now()`, `[]` for lists), as a generated client has them.
    pub defaults: Vec<ColumnDefault>,
    /// What a row is read with: each shown field in order, then the text of the fields that
    /// [`has_text_fallback`] (see `api::row_json`).
    pub reads: Vec<Read>,
}

/// A relation field, seen from its own model (`forward`) and from the related one
/// (`backward`: "the rows of the related model linked to this one").
#[derive(Debug, Clone, Copy)]
pub struct Relations {
    pub forward: &'static RelationMeta,
    pub backward: &'static RelationMeta,
}

/// Every shown model and relation field, described for the runtime.
#[derive(Debug, Default)]
pub struct Metas {
    models: HashMap<ModelId, Described>,
    relations: HashMap<RelationFieldRef, Relations>,
}

fn leak<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

fn leak_str(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

impl Metas {
    /// Describes `shown` models of `schema` (and the relations between them).
    pub fn build(
        schema: &ir::Schema,
        shown: &[(ModelId, &Model)],
        row_key: impl Fn(&Model) -> Option<Vec<FieldId>>,
    ) -> Metas {
        let mut metas = Metas::default();
        for &(id, model) in shown {
            metas.models.insert(id, describe(model, &row_key));
        }
        for &(id, model) in shown {
            for (index, field) in model.relation_fields.iter().enumerate() {
                if field.is_ignored {
                    continue;
                }
                if let Some(relations) = metas.build_relation(schema, id, index) {
                    metas
                        .relations
                        .insert(RelationFieldRef { model: id, index }, relations);
                }
            }
        }
        metas
    }

    /// A shown model's description.
    pub fn model(&self, id: ModelId) -> Option<&Described> {
        self.models.get(&id)
    }

    /// A shown relation field between two shown models, if the runtime can follow it.
    pub fn relation(&self, field: RelationFieldRef) -> Option<Relations> {
        self.relations.get(&field).copied()
    }

    fn build_relation(&self, schema: &ir::Schema, id: ModelId, index: usize) -> Option<Relations> {
        let model = schema.model(id);
        let field = &model.relation_fields[index];
        let own = self.models.get(&id)?;
        let other = self.models.get(&field.related_model)?;
        let relation = schema.relation(field.relation);
        let columns =
            |described: &Described, fields: &[FieldId]| -> Option<&'static [&'static Column]> {
                fields
                    .iter()
                    .map(|f| described.columns.get(f.0 as usize).copied().flatten())
                    .collect::<Option<Vec<_>>>()
                    .map(leak)
            };
        let single_key = |described: &Described| match described.meta.primary_key {
            [only] => Some(*only),
            _ => None,
        };
        let (link, to_many_back) = match relation.kind {
            RelationKind::ManyToMany => {
                let (this, other_column) =
                    if relation.referencing == (RelationFieldRef { model: id, index }) {
                        (&JOIN_A, &JOIN_B)
                    } else {
                        (&JOIN_B, &JOIN_A)
                    };
                let link = Link::JoinTable {
                    table: Table {
                        schema: model.schema.as_deref().map(leak_str),
                        name: leak_str(&relation.db_name),
                    },
                    this,
                    other: other_column,
                    key: single_key(own)?,
                    related_key: single_key(other)?,
                };
                (link, true)
            }
            _ if !field.fields.is_empty() => (
                Link::Owned {
                    fields: columns(own, &field.fields)?,
                    references: columns(other, &field.references)?,
                },
                relation.kind == RelationKind::OneToMany,
            ),
            _ => {
                let holder = schema.relation_field(relation.referencing);
                (
                    Link::Inverse {
                        fields: columns(other, &holder.fields)?,
                        references: columns(own, &holder.references)?,
                    },
                    false,
                )
            }
        };
        let forward: &'static RelationMeta = Box::leak(Box::new(RelationMeta {
            name: leak_str(&field.name),
            relation: leak_str(&relation.name),
            model: own.meta,
            related: other.meta,
            to_many: field.arity == Arity::List,
            optional: field.arity == Arity::Optional,
            link,
        }));
        let backward: &'static RelationMeta =
            Box::leak(Box::new(dynamic::seen_from_related(forward, to_many_back)));
        Some(Relations { forward, backward })
    }
}

fn describe(model: &Model, row_key: &impl Fn(&Model) -> Option<Vec<FieldId>>) -> Described {
    let columns: Vec<Option<&'static Column>> = model
        .fields
        .iter()
        .map(|field| {
            (!field.is_ignored).then(|| {
                &*Box::leak(Box::new(Column {
                    name: leak_str(&field.db_name),
                    field: leak_str(&field.name),
                    nullable: field.arity == Arity::Optional,
                }))
            })
        })
        .collect();
    let shown: Vec<(&ScalarField, &'static Column)> = model
        .fields
        .iter()
        .zip(&columns)
        .filter_map(|(field, column)| column.map(|column| (field, column)))
        .collect();
    let key = row_key(model)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| columns[f.0 as usize])
        .collect();
    let meta: &'static ModelMeta = Box::leak(Box::new(ModelMeta {
        name: leak_str(&model.name),
        table: Table {
            schema: model.schema.as_deref().map(leak_str),
            name: leak_str(&model.db_name),
        },
        columns: leak(shown.iter().map(|(_, c)| *c).collect()),
        primary_key: leak(key),
        updated_at: leak(
            shown
                .iter()
                .filter(|(f, _)| f.is_updated_at)
                .map(|(_, c)| *c)
                .collect(),
        ),
        // Studio is an admin tool: it reads and writes every tenant's rows.
        tenant: None,
    }));
    let defaults = shown
        .iter()
        .filter_map(|(field, column)| {
            client_default(field).map(|default| ColumnDefault { column, default })
        })
        .collect();
    let values = shown.iter().map(|(field, column)| Read {
        column,
        mode: read_as(field),
    });
    let fallbacks = shown
        .iter()
        .filter(|(field, _)| has_text_fallback(field))
        .map(|(_, column)| Read {
            column,
            mode: ReadAs::Text,
        });
    Described {
        meta,
        columns,
        defaults,
        reads: values.chain(fallbacks).collect(),
    }
}

/// What the client fills in for a field a create leaves out, as Prisma's client does:
/// generated ids, `now()`, and `[]` for a list without a default. `@updatedAt` is stamped
/// from the model's `updated_at` columns.
fn client_default(field: &ScalarField) -> Option<ClientDefault> {
    let Some(default) = &field.default else {
        return (field.arity == Arity::List).then_some(ClientDefault::EmptyList);
    };
    Some(match default.kind {
        DefaultKind::Uuid(7) => ClientDefault::UuidV7,
        DefaultKind::Uuid(_) => ClientDefault::UuidV4,
        DefaultKind::Cuid(2) => ClientDefault::Cuid2,
        DefaultKind::Cuid(_) => ClientDefault::Cuid,
        DefaultKind::Nanoid(size) => ClientDefault::Nanoid(size.unwrap_or(21)),
        DefaultKind::Ulid => ClientDefault::Ulid,
        DefaultKind::Now => ClientDefault::Now,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_defaults_follow_each_format() {
        let validated = crate::test_schema(
            r#"
            datasource db {
            provider = "postgresql"
            }
            model Ids {
              a String   @id @default(cuid(2))
              b String   @default(cuid())
              c String   @default(uuid(7))
              d String   @default(nanoid(8))
              e String   @default(ulid())
              f DateTime @default(now())
              g String[]
              h String   @default("x")
            }
            "#,
        );
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        let defaults: Vec<Option<ClientDefault>> = validated.schema.models[0]
            .fields
            .iter()
            .map(client_default)
            .collect();
        assert_eq!(
            defaults,
            [
                Some(ClientDefault::Cuid2),
                Some(ClientDefault::Cuid),
                Some(ClientDefault::UuidV7),
                Some(ClientDefault::Nanoid(8)),
                Some(ClientDefault::Ulid),
                Some(ClientDefault::Now),
                Some(ClientDefault::EmptyList),
                None,
            ]
        );
    }
}

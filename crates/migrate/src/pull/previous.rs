//! The existing schema as re-introspection reads it: which of its models, fields, enums and
//! relations stands for each table, column, enum and foreign key of the database. Matching
//! is by database name (`@@map`/`@map` applied), as Prisma matches; what cannot be matched is
//! new and gets the raw introspection's names. What the IR does not keep (a written
//! `@map` repeating the name, a written relation name, each block's file) comes from the
//! front end's [`SourceFacts`].

use std::collections::{BTreeMap, BTreeSet};

use refract_schema::SourceFacts;
use refract_schema::ir::{self, ModelKind, RelationKind};

use crate::sql_schema::{EnumId, ForeignKey, SqlSchema, TableId};

/// The existing schema, matched against an introspected one. Empty for a raw pull.
pub(super) struct Previous<'a> {
    schema: Option<&'a ir::Schema>,
    models: BTreeMap<TableId, ir::ModelId>,
    enums: BTreeMap<EnumId, ir::EnumId>,
    /// (model or enum, field or value) written with `@map`/`@@map` (`None`: the block's),
    /// which Prisma keeps even when it repeats the name. The IR cannot tell; the source can.
    written_maps: BTreeSet<(String, Option<String>)>,
    /// (model, relation field) whose `@relation` is written with a name.
    named_relations: BTreeSet<(String, String)>,
    /// What the source says, when known (else a relation name equal to the default counts
    /// as unwritten).
    facts: Option<&'a SourceFacts>,
}

/// A relation of the existing schema that the same foreign key (or join table) still holds.
pub(super) struct PreviousRelation<'a> {
    /// `@relation("...")` when written with a name other than Prisma's default.
    pub name: Option<&'a str>,
    /// The relation's name, written or Prisma's default.
    pub effective_name: &'a str,
    /// The field on the side holding the foreign key (for many-to-many: on model `A`).
    pub referencing: &'a str,
    /// The field on the other side.
    pub referenced: Option<&'a str>,
}

impl<'a> Previous<'a> {
    pub(super) fn new(
        schema: Option<&'a ir::Schema>,
        facts: Option<&'a SourceFacts>,
        sql: &SqlSchema,
    ) -> Self {
        let facts = facts.filter(|_| schema.is_some());
        let (written_maps, named_relations) = match (schema, facts) {
            (Some(schema), Some(facts)) => written(schema, facts),
            _ => Default::default(),
        };
        let mut models = BTreeMap::new();
        let mut enums = BTreeMap::new();
        if let Some(ir) = schema {
            // Tables by database name, looked up once per table (not a scan of every model).
            let mut tables_named: BTreeMap<&str, Vec<ir::ModelId>> = BTreeMap::new();
            for m in ir.model_ids() {
                let model = ir.model(m);
                if model.kind == ModelKind::Table {
                    tables_named
                        .entry(model.db_name.as_str())
                        .or_default()
                        .push(m);
                }
            }
            for id in sql.table_ids() {
                let table = sql.table(id);
                let found = tables_named.get(table.name.as_str()).and_then(|ids| {
                    ids.iter().copied().find(|&m| {
                        same_namespace(ir.model(m).schema.as_deref(), table.namespace.as_deref())
                    })
                });
                if let Some(model) = found {
                    models.insert(id, model);
                }
            }
            for id in sql.enum_ids() {
                let enm = sql.enm(id);
                let found = ir.enums.iter().position(|e| {
                    e.db_name == enm.name
                        && same_namespace(e.schema.as_deref(), enm.namespace.as_deref())
                });
                if let Some(position) = found {
                    enums.insert(id, ir::EnumId(position as u32));
                }
            }
        }
        Previous {
            schema,
            models,
            enums,
            written_maps,
            named_relations,
            facts,
        }
    }

    /// The file the existing model standing for `table` is written in.
    pub(super) fn model_file(&self, table: TableId) -> Option<usize> {
        let block = self.facts?.model(*self.models.get(&table)?)?;
        Some(block.file.0 as usize)
    }

    /// The file the existing enum standing for `id` is written in.
    pub(super) fn enum_file(&self, id: EnumId) -> Option<usize> {
        let block = self.facts?.enm(*self.enums.get(&id)?)?;
        Some(block.file.0 as usize)
    }

    /// Whether the existing schema maps `member` of `owner` (or `owner` itself when
    /// `member` is `None`) to another name, or writes a `@map` repeating it.
    pub(super) fn maps(
        &self,
        owner: &str,
        member: Option<&str>,
        name: &str,
        db_name: &str,
    ) -> bool {
        name != db_name
            || self
                .written_maps
                .contains(&(owner.to_owned(), member.map(str::to_owned)))
    }

    pub(super) fn model(&self, table: TableId) -> Option<&'a ir::Model> {
        let schema = self.schema?;
        self.models.get(&table).map(|&id| schema.model(id))
    }

    /// Where the model stands in the existing schema.
    pub(super) fn model_position(&self, table: TableId) -> Option<u32> {
        self.models.get(&table).map(|id| id.0)
    }

    pub(super) fn enm(&self, id: EnumId) -> Option<&'a ir::Enum> {
        let schema = self.schema?;
        self.enums.get(&id).map(|&e| schema.enum_(e))
    }

    pub(super) fn enum_position(&self, id: EnumId) -> Option<u32> {
        self.enums.get(&id).map(|e| e.0)
    }

    /// The scalar field standing for `column`.
    pub(super) fn field(&self, table: TableId, column: &str) -> Option<&'a ir::ScalarField> {
        self.model(table)?
            .fields
            .iter()
            .find(|f| f.db_name == column)
    }

    /// The relation whose `fields`/`references` are the foreign key's columns between the
    /// same two models.
    pub(super) fn inline_relation(&self, fk: &ForeignKey) -> Option<PreviousRelation<'a>> {
        let schema = self.schema?;
        let referencing_model = *self.models.get(&fk.table)?;
        let referenced_model = *self.models.get(&fk.referenced_table)?;
        // The referencing model's own relation fields, not every relation of the schema.
        let model = schema.model(referencing_model);
        model
            .relation_fields
            .iter()
            .enumerate()
            .find_map(|(index, field)| {
                let relation = schema.relation(field.relation);
                let this = ir::RelationFieldRef {
                    model: referencing_model,
                    index,
                };
                if relation.kind == RelationKind::ManyToMany || relation.referencing != this {
                    return None;
                }
                let columns: Vec<&str> = field
                    .fields
                    .iter()
                    .map(|&f| model.field(f).db_name.as_str())
                    .collect();
                let same = field.related_model == referenced_model
                    && columns
                        .iter()
                        .copied()
                        .eq(fk.columns.iter().map(String::as_str));
                same.then(|| PreviousRelation {
                    name: self.written_name(schema, relation),
                    effective_name: relation.name.as_str(),
                    referencing: field.name.as_str(),
                    referenced: relation
                        .referenced
                        .map(|r| schema.relation_field(r).name.as_str()),
                })
            })
    }

    /// The implicit many-to-many relation kept in the join table `table_name`.
    pub(super) fn many_to_many(&self, table_name: &str) -> Option<PreviousRelation<'a>> {
        let schema = self.schema?;
        let relation = schema
            .relations
            .iter()
            .find(|r| r.kind == RelationKind::ManyToMany && r.db_name == table_name)?;
        Some(PreviousRelation {
            name: self.written_name(schema, relation),
            effective_name: relation.name.as_str(),
            referencing: schema.relation_field(relation.referencing).name.as_str(),
            referenced: relation
                .referenced
                .map(|r| schema.relation_field(r).name.as_str()),
        })
    }
}

/// A relation field of the existing schema to copy as written, because the database holds
/// no foreign key for it (`relationMode = "prisma"`).
pub(super) struct CopiedField<'a> {
    /// The table of the model holding the field.
    pub table: TableId,
    /// Position among the model's relation fields in the existing schema.
    pub position: usize,
    pub field: &'a ir::RelationField,
    /// The model the field points to.
    pub related: &'a ir::Model,
    /// The relation's name when not the default one.
    pub name: Option<&'a str>,
    /// The `fields`/`references` columns, for the side that holds them.
    pub columns: Option<(Vec<String>, TableId, Vec<String>)>,
    /// `map:` of the relation, when written.
    pub map: Option<&'a str>,
}

impl<'a> Previous<'a> {
    /// `relationMode = "prisma"`: the client emulates relations, and Prisma reads none from
    /// the database's foreign keys.
    pub(super) fn emulates_relations(&self) -> bool {
        self.schema
            .and_then(|s| s.datasource.as_ref())
            .is_some_and(|d| d.relation_mode == ir::RelationMode::Prisma)
    }

    /// With `relationMode = "prisma"` the existing schema's relations are copied, as Prisma
    /// does, where both models and all the columns of `fields` and `references` still exist
    /// (Prisma copies a relation whose column is gone too, writing a schema that fails its
    /// own validation).
    pub(super) fn copied_relations(&self, sql: &SqlSchema) -> Vec<CopiedField<'a>> {
        let Some(schema) = self.schema.filter(|_| self.emulates_relations()) else {
            return Vec::new();
        };
        let tables: BTreeMap<ir::ModelId, TableId> =
            self.models.iter().map(|(&t, &m)| (m, t)).collect();
        let table_of = |model: ir::ModelId| tables.get(&model).copied();
        let mut copied = Vec::new();
        for relation in &schema.relations {
            if relation.kind == RelationKind::ManyToMany {
                continue;
            }
            let forward = schema.relation_field(relation.referencing);
            let (Some(from), Some(to)) = (
                table_of(relation.referencing.model),
                table_of(forward.related_model),
            ) else {
                continue;
            };
            let from_model = schema.model(relation.referencing.model);
            let to_model = schema.model(forward.related_model);
            let columns: Vec<String> = forward
                .fields
                .iter()
                .map(|&f| from_model.field(f).db_name.clone())
                .collect();
            let references: Vec<String> = forward
                .references
                .iter()
                .map(|&f| to_model.field(f).db_name.clone())
                .collect();
            let exists = |table: TableId, columns: &[String]| {
                columns.iter().all(|c| sql.table(table).column(c).is_some())
            };
            if columns.is_empty() || !exists(from, &columns) || !exists(to, &references) {
                continue;
            }
            let name = self.written_name(schema, relation);
            let map = relation
                .has_explicit_db_name
                .then_some(relation.db_name.as_str());
            copied.push(CopiedField {
                table: from,
                position: relation.referencing.index,
                field: forward,
                related: to_model,
                name,
                columns: Some((columns, to, references)),
                map,
            });
            if let Some(back) = relation.referenced {
                copied.push(CopiedField {
                    table: to,
                    position: back.index,
                    field: schema.relation_field(back),
                    related: from_model,
                    name,
                    columns: None,
                    map: None,
                });
            }
        }
        copied
    }
}

/// Every `@map`/`@@map` written, as (model or enum, field or value), and every relation
/// field whose `@relation` is written with a name, as (model, field).
type Written = (
    BTreeSet<(String, Option<String>)>,
    BTreeSet<(String, String)>,
);

fn written(schema: &ir::Schema, facts: &SourceFacts) -> Written {
    let mut maps = BTreeSet::new();
    let mut named_relations = BTreeSet::new();
    let models = schema
        .model_ids()
        .filter_map(|id| Some((schema.model(id).name.as_str(), facts.model(id)?)));
    let enums = (0..schema.enums.len()).filter_map(|i| {
        let id = ir::EnumId(i as u32);
        Some((schema.enum_(id).name.as_str(), facts.enm(id)?))
    });
    for (owner, block) in models.chain(enums) {
        if block.writes_map {
            maps.insert((owner.to_owned(), None));
        }
        for member in &block.mapped_members {
            maps.insert((owner.to_owned(), Some(member.clone())));
        }
        for field in &block.named_relation_fields {
            named_relations.insert((owner.to_owned(), field.clone()));
        }
    }
    (maps, named_relations)
}

impl<'a> Previous<'a> {
    /// The relation's name when the existing schema writes it (`@relation("Name")` on
    /// either side), even if it is the default one; without the source, when it is not the
    /// default one.
    fn written_name(&self, schema: &'a ir::Schema, relation: &'a ir::Relation) -> Option<&'a str> {
        if self.facts.is_none() {
            return explicit_name(schema, relation);
        }
        let written = |side: ir::RelationFieldRef| {
            let model = schema.model(side.model).name.clone();
            let field = schema.relation_field(side).name.clone();
            self.named_relations.contains(&(model, field))
        };
        let named = written(relation.referencing) || relation.referenced.is_some_and(written);
        named.then_some(relation.name.as_str())
    }
}

/// Without `@@schema`, a model lives in the datasource's only schema.
fn same_namespace(model: Option<&str>, table: Option<&str>) -> bool {
    match (model, table) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The relation's name unless it is the default one (the two model names sorted, joined
/// with `To`), which a schema leaves unwritten.
fn explicit_name<'a>(schema: &'a ir::Schema, relation: &'a ir::Relation) -> Option<&'a str> {
    let field = schema.relation_field(relation.referencing);
    let mut models = [
        schema.model(relation.referencing.model).name.as_str(),
        schema.model(field.related_model).name.as_str(),
    ];
    models.sort_unstable();
    let default = format!("{}To{}", models[0], models[1]);
    (relation.name != default).then_some(relation.name.as_str())
}

//! Relation completion, as `prisma format` does it before laying out.
//!
//! For every 1:1 and 1:n relation with a side missing, text is inserted into
//! the source:
//! - the back-relation field (`posts Post[]`, `profile Profile?`) at the end of
//!   the referenced model;
//! - the forward relation field with its `@relation(fields, references)` when
//!   only the list side exists;
//! - the foreign-key scalar fields (named `<model><Field>`, typed and with the
//!   native type of the referenced field) when the forward side has no
//!   `fields` argument;
//! - `@relation(...)` or its missing `fields` / `references` arguments.
//!
//! Like Prisma, this only runs when the schema resolves: names, types and
//! attributes must all be known. This module checks that itself with a small
//! resolution of its own (names and types here, attributes in
//! [`super::blocking_errors`]: the subset of Prisma's "parser database"
//! errors that decide whether completion runs), so the formatter does not
//! depend on the resolver; it pairs relation fields exactly as Prisma does,
//! including its tie-breaks. New field names use Prisma's inflector
//! (`cruet`), so plurals match (`Person` → `people`).

use std::collections::HashMap;

use cruet::Inflector;

use super::blocking_errors::{DefaultTarget, Place, attributes_resolve, default_fits};
use crate::ast::{self, Arity, Attribute, Expression, ModelKind, Top, TypeName};
use crate::diagnostics::Diagnostics;
use crate::parse::parse_str;
use crate::source::FileId;

/// Text to insert at a byte offset of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Insertion {
    pub(super) offset: usize,
    pub(super) text: String,
}

/// The insertions completion makes, per file (in input order), sorted by
/// offset; all empty when the schema does not resolve.
pub(super) fn missing_bits(texts: &[&str]) -> Vec<Vec<Insertion>> {
    let mut bits = vec![Vec::new(); texts.len()];
    let mut asts = Vec::with_capacity(texts.len());
    for (index, text) in texts.iter().enumerate() {
        let mut diagnostics = Diagnostics::new();
        asts.push(parse_str(text, FileId(index as u32), &mut diagnostics));
        if diagnostics.has_errors() {
            return bits;
        }
    }
    if let Some(schema) = Schema::resolve(texts, &asts) {
        schema.complete(&mut bits);
    }
    for file_bits in &mut bits {
        file_bits.sort_by_key(|bit| bit.offset);
    }
    bits
}

/// `text` with the insertions (sorted by offset) spliced in.
pub(super) fn apply(text: &str, bits: &[Insertion]) -> String {
    let mut out =
        String::with_capacity(text.len() + bits.iter().map(|b| b.text.len()).sum::<usize>());
    let mut copied = 0;
    for bit in bits {
        let offset = bit.offset.clamp(copied, text.len());
        if !text.is_char_boundary(offset) {
            continue;
        }
        out.push_str(&text[copied..offset]);
        out.push_str(&bit.text);
        copied = offset;
    }
    out.push_str(&text[copied..]);
    out
}

const SCALAR_TYPES: [&str; 9] = [
    "String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes",
];

const REFERENTIAL_ACTIONS: [&str; 5] = ["Cascade", "Restrict", "NoAction", "SetNull", "SetDefault"];
const RELATION_ARGUMENTS: [&str; 6] = [
    "name",
    "fields",
    "references",
    "map",
    "onDelete",
    "onUpdate",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeKind {
    Model(usize),
    Enum(usize),
    CompositeType,
}

/// What a model field's type resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind<'a> {
    /// A built-in scalar (`Int`), by name.
    Builtin(&'a str),
    /// An enum, by index.
    Enum(usize),
    CompositeType,
    Unsupported,
    /// A relation to the model with this index.
    Relation(usize),
}

struct ModelInfo<'a> {
    ast: &'a ast::Model,
    file: usize,
    ignored: bool,
    kinds: Vec<FieldKind<'a>>,
    /// Field indices of the primary key.
    primary_key: Option<Vec<usize>>,
    /// Field indices of each unique index: `@unique` fields in field order,
    /// then `@@unique` in source order (Prisma's order).
    uniques: Vec<Vec<usize>>,
}

impl ModelInfo<'_> {
    fn name(&self) -> &str {
        &self.ast.name.name
    }

    fn is_scalar(&self, field: usize) -> bool {
        !matches!(self.kinds.get(field), Some(FieldKind::Relation(_)) | None)
    }

    fn scalar_named(&self, name: &str) -> Option<usize> {
        self.ast
            .fields
            .iter()
            .enumerate()
            .position(|(i, f)| f.name.name == name && self.is_scalar(i))
    }

    /// Primary key first, then unique indexes.
    fn unique_criteria(&self) -> impl Iterator<Item = &Vec<usize>> {
        self.primary_key.iter().chain(self.uniques.iter())
    }

    /// No optional and no `Unsupported` field.
    fn is_strict(&self, criteria: &[usize]) -> bool {
        criteria.iter().all(|&f| {
            let field = &self.ast.fields[f];
            let optional = field
                .field_type
                .as_ref()
                .is_some_and(|t| t.arity == Arity::Optional);
            !optional && self.kinds[f] != FieldKind::Unsupported
        })
    }

    fn arity(&self, field: usize) -> Arity {
        self.ast.fields[field]
            .field_type
            .as_ref()
            .map(|t| t.arity)
            .unwrap_or(Arity::Required)
    }
}

/// One relation field, with what its `@relation` says.
struct RelationField<'a> {
    model: usize,
    field: usize,
    target: usize,
    name: Option<&'a str>,
    fields: Option<Vec<usize>>,
    references: Option<Vec<usize>>,
    attribute: Option<&'a Attribute>,
    arity: Arity,
}

/// A 1:1 or 1:n relation; `model_a` holds the foreign key (the forward
/// side), `model_b` is referenced (the back side). Indices are into
/// `Schema::relation_fields`.
struct InlineRelation {
    one_to_one: bool,
    model_a: usize,
    model_b: usize,
    forward: Option<usize>,
    back: Option<usize>,
}

struct Schema<'a> {
    texts: &'a [&'a str],
    models: Vec<ModelInfo<'a>>,
    relation_fields: Vec<RelationField<'a>>,
}

impl<'a> Schema<'a> {
    /// `None` when the schema has an error that stops Prisma's completion.
    fn resolve(texts: &'a [&'a str], asts: &'a [ast::SchemaAst]) -> Option<Schema<'a>> {
        let mut names: HashMap<&str, TypeKind> = HashMap::new();
        let mut model_asts = Vec::new();
        let mut composite_asts = Vec::new();
        let mut enums = Vec::new();
        for (file, schema_ast) in asts.iter().enumerate() {
            for top in &schema_ast.tops {
                let (name, kind) = match top {
                    Top::Model(model) if model.kind == ModelKind::CompositeType => {
                        composite_asts.push(model);
                        (&model.name.name, TypeKind::CompositeType)
                    }
                    Top::Model(model) => {
                        model_asts.push((file, model));
                        (&model.name.name, TypeKind::Model(model_asts.len() - 1))
                    }
                    Top::Enum(enum_decl) => {
                        enums.push(enum_decl);
                        (&enum_decl.name.name, TypeKind::Enum(enums.len() - 1))
                    }
                    Top::Datasource(config) | Top::Generator(config) => {
                        if !config.invalid_lines.is_empty() {
                            return None;
                        }
                        continue;
                    }
                    Top::TypeAlias(_) | Top::InvalidBlock { .. } | Top::Invalid { .. } => {
                        return None;
                    }
                };
                if names.insert(name.as_str(), kind).is_some() {
                    return None;
                }
            }
        }

        for enum_decl in &enums {
            let mut values = HashMap::new();
            for value in &enum_decl.values {
                if values.insert(value.name.name.as_str(), ()).is_some()
                    || !attributes_resolve(&value.attributes, Place::EnumValue)
                {
                    return None;
                }
            }
            if !enum_decl.invalid_lines.is_empty()
                || !attributes_resolve(&enum_decl.attributes, Place::Enum)
            {
                return None;
            }
        }

        for composite in &composite_asts {
            let kinds = field_kinds(composite, &names)?;
            if kinds.iter().any(|k| matches!(k, FieldKind::Relation(_)))
                || !composite.attributes.is_empty()
            {
                return None;
            }
            for field in &composite.fields {
                if !attributes_resolve(&field.attributes, Place::CompositeField) {
                    return None;
                }
            }
        }

        let enum_values: Vec<Vec<&str>> = enums
            .iter()
            .map(|e| e.values.iter().map(|v| v.name.name.as_str()).collect())
            .collect();
        let mut models = Vec::with_capacity(model_asts.len());
        for (file, model) in &model_asts {
            models.push(model_info(*file, model, &names, &enum_values)?);
        }

        let mut relation_fields = Vec::new();
        for (model_index, model) in models.iter().enumerate() {
            for (field_index, kind) in model.kinds.iter().enumerate() {
                if let FieldKind::Relation(target) = *kind {
                    relation_fields.push(relation_field(
                        &models,
                        model_index,
                        field_index,
                        target,
                    )?);
                }
            }
        }

        Some(Schema {
            texts,
            models,
            relation_fields,
        })
    }

    /// Pairs relation fields into relations, in Prisma's order and with its
    /// tie-breaks; many-to-many relations are left out.
    fn inline_relations(&self) -> Vec<InlineRelation> {
        let mut relations = Vec::new();
        for (index, rf) in self.relation_fields.iter().enumerate() {
            let is_self_relation = rf.model == rf.target;
            let opposite = self.relation_fields.iter().position(|other| {
                other.model == rf.target
                    && other.target == rf.model
                    && !(is_self_relation && other.field == rf.field)
                    && other.name == rf.name
            });
            let relation = match (rf.arity, opposite) {
                (Arity::List, Some(o)) if self.relation_fields[o].arity == Arity::List => None,
                (Arity::Required, Some(o)) if self.relation_fields[o].arity == Arity::Optional => {
                    Some(self.both(true, index, o))
                }
                (Arity::Required, Some(o)) if self.relation_fields[o].arity == Arity::Required => {
                    (self.key_of(index) <= self.key_of(o)).then(|| self.both(true, index, o))
                }
                (Arity::Optional, Some(o)) if self.relation_fields[o].arity == Arity::Required => {
                    None
                }
                (Arity::Optional, Some(o)) if self.relation_fields[o].arity == Arity::Optional => {
                    if rf.fields.is_some() {
                        Some(self.both(true, index, o))
                    } else if self.relation_fields[o].fields.is_none() {
                        (self.key_of(index) <= self.key_of(o)).then(|| self.both(true, index, o))
                    } else {
                        None
                    }
                }
                (Arity::List, Some(_)) => None,
                (Arity::List, None) => Some(InlineRelation {
                    one_to_one: false,
                    model_a: rf.target,
                    model_b: rf.model,
                    forward: None,
                    back: Some(index),
                }),
                (_, Some(o)) => Some(self.both(false, index, o)),
                (_, None) => {
                    let one_to_one = rf
                        .fields
                        .as_ref()
                        .is_some_and(|fields| self.models[rf.model].uniques.contains(fields));
                    Some(InlineRelation {
                        one_to_one,
                        model_a: rf.model,
                        model_b: rf.target,
                        forward: Some(index),
                        back: None,
                    })
                }
            };
            relations.extend(relation);
        }
        relations
    }

    fn both(&self, one_to_one: bool, forward: usize, back: usize) -> InlineRelation {
        let rf = &self.relation_fields[forward];
        InlineRelation {
            one_to_one,
            model_a: rf.model,
            model_b: rf.target,
            forward: Some(forward),
            back: Some(back),
        }
    }

    fn key_of(&self, rf: usize) -> [&str; 2] {
        let rf = &self.relation_fields[rf];
        [
            self.models[rf.model].name(),
            self.models[rf.model].ast.fields[rf.field]
                .name
                .name
                .as_str(),
        ]
    }

    /// Prisma's three passes: missing fields, missing `@relation`, missing
    /// `@relation` arguments.
    fn complete(&self, bits: &mut [Vec<Insertion>]) {
        let relations = self.inline_relations();
        for relation in &relations {
            self.missing_relation_fields(relation, bits);
            self.missing_scalar_fields(relation, bits);
        }
        for relation in &relations {
            self.missing_relation_attribute(relation, bits);
        }
        for relation in &relations {
            self.missing_relation_arguments(relation, bits);
        }
    }

    fn missing_relation_fields(&self, relation: &InlineRelation, bits: &mut [Vec<Insertion>]) {
        let referencing = &self.models[relation.model_a];
        let referenced = &self.models[relation.model_b];
        if relation.back.is_none() {
            let (field_name, arity) = if relation.one_to_one {
                (referencing.name().to_camel_case(), "?")
            } else {
                (referencing.name().to_camel_case().to_plural(), "[]")
            };
            let ignore = if referencing.ignored { "@ignore" } else { "" };
            let line = format!("{field_name} {}{arity} {ignore}\n", referencing.name());
            self.push_line(relation.model_b, line, bits);
        }
        if relation.forward.is_none() {
            let arity = arity_text(self.forward_arity(relation));
            let field_name = referenced.name().to_camel_case();
            let field_name = if arity == "[]" {
                field_name.to_plural()
            } else {
                field_name
            };
            let line = format!(
                "{field_name} {}{arity} @relation({}, {})\n",
                referenced.name(),
                self.fields_argument(relation),
                self.references_argument(relation),
            );
            self.push_line(relation.model_a, line, bits);
        }
    }

    fn missing_scalar_fields(&self, relation: &InlineRelation, bits: &mut [Vec<Insertion>]) {
        if self.referencing_fields(relation).is_some() {
            return;
        }
        let referencing = &self.models[relation.model_a];
        let referenced = &self.models[relation.model_b];
        for inferred in self.inferred_scalar_fields(relation) {
            if referencing.scalar_named(&inferred.name).is_some() {
                continue;
            }
            // Prisma stops at the first key field that is not a built-in scalar.
            let FieldKind::Builtin(type_name) = inferred.kind else {
                return;
            };
            let native_type =
                native_type_text(referenced, inferred.blueprint, self.texts[referenced.file]);
            let line = format!(
                "{} {type_name}{} {native_type}\n",
                inferred.name,
                arity_text(inferred.arity)
            );
            self.push_line(relation.model_a, line, bits);
        }
    }

    fn missing_relation_attribute(&self, relation: &InlineRelation, bits: &mut [Vec<Insertion>]) {
        let Some(forward) = relation.forward.map(|f| &self.relation_fields[f]) else {
            return;
        };
        if forward.attribute.is_some() {
            return;
        }
        let model = &self.models[forward.model];
        let Some(field_type) = &model.ast.fields[forward.field].field_type else {
            return;
        };
        let text = self.texts[model.file];
        let mut offset = field_type.span.end as usize;
        while matches!(text.as_bytes().get(offset), Some(b'[' | b']' | b'?' | b'!')) {
            offset += 1;
        }
        let insertion = format!(
            " @relation({}, {})",
            self.fields_argument(relation),
            self.references_argument(relation)
        );
        bits[model.file].push(Insertion {
            offset,
            text: insertion,
        });
    }

    fn missing_relation_arguments(&self, relation: &InlineRelation, bits: &mut [Vec<Insertion>]) {
        let Some(forward) = relation.forward.map(|f| &self.relation_fields[f]) else {
            return;
        };
        let Some(attribute) = forward.attribute else {
            return;
        };
        let mut extra = Vec::new();
        if forward.fields.is_none() {
            extra.push(self.fields_argument(relation));
        }
        if forward.references.is_none() {
            extra.push(self.references_argument(relation));
        }
        if extra.is_empty() {
            return;
        }
        let extra = extra.join(", ");
        let file = self.models[forward.model].file;
        let end = attribute.span.end as usize;
        let insertion = match &attribute.arguments.span {
            None => Insertion {
                offset: end,
                text: format!("({extra})"),
            },
            // `@relation()`: Prisma appends a second list (`@relation()(...)`),
            // which no longer parses; refract fills the empty one.
            Some(_) if attribute.arguments.items.is_empty() => Insertion {
                offset: end - 1,
                text: extra,
            },
            Some(_) if attribute.arguments.trailing_comma.is_some() => Insertion {
                offset: end - 1,
                text: format!(" {extra}"),
            },
            Some(_) => Insertion {
                offset: end - 1,
                text: format!(", {extra}"),
            },
        };
        bits[file].push(insertion);
    }

    /// Inserts a new line just before the closing brace of a model.
    fn push_line(&self, model: usize, line: String, bits: &mut [Vec<Insertion>]) {
        let info = &self.models[model];
        let text = self.texts[info.file];
        let offset = (info.ast.span.end as usize).saturating_sub(1);
        // With `}` after other text on its line the new field needs its own
        // line (Prisma's grammar rejects such a block, ours reads it).
        let before = text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let text = if before[line_start..].trim().is_empty() {
            line
        } else {
            format!("\n{line}")
        };
        bits[info.file].push(Insertion { offset, text });
    }

    /// The forward field's `fields`, when it has them.
    fn referencing_fields(&self, relation: &InlineRelation) -> Option<&Vec<usize>> {
        relation
            .forward
            .and_then(|f| self.relation_fields[f].fields.as_ref())
    }

    /// The foreign-key fields Prisma would name for this relation, from the
    /// referenced model's first unique criteria.
    fn inferred_scalar_fields(&self, relation: &InlineRelation) -> Vec<InferredField<'a>> {
        let referencing = &self.models[relation.model_a];
        let referenced = &self.models[relation.model_b];
        let Some(criteria) = referenced.unique_criteria().next() else {
            return Vec::new();
        };
        criteria
            .iter()
            .map(|&blueprint| {
                let name = format!(
                    "{}{}",
                    first_char_lowercase(referenced.name()),
                    first_char_uppercase(&referenced.ast.fields[blueprint].name.name)
                );
                match referencing.scalar_named(&name) {
                    Some(existing) => InferredField {
                        arity: referencing.arity(existing),
                        kind: referencing.kinds[existing],
                        name,
                        blueprint,
                    },
                    None => InferredField {
                        arity: relation
                            .forward
                            .map(|f| self.relation_fields[f].arity)
                            .unwrap_or(Arity::Optional),
                        kind: referenced.kinds[blueprint],
                        name,
                        blueprint,
                    },
                }
            })
            .collect()
    }

    /// The forward field's arity, or the one it would get.
    fn forward_arity(&self, relation: &InlineRelation) -> Arity {
        match relation.forward {
            Some(f) => self.relation_fields[f].arity,
            None if self
                .inferred_scalar_fields(relation)
                .iter()
                .any(|f| f.arity == Arity::Optional) =>
            {
                Arity::Optional
            }
            None => Arity::Required,
        }
    }

    fn fields_argument(&self, relation: &InlineRelation) -> String {
        let names: Vec<String> = self
            .inferred_scalar_fields(relation)
            .into_iter()
            .map(|f| f.name)
            .collect();
        format!("fields: [{}]", names.join(", "))
    }

    /// The forward field's `references`, else the referenced model's first
    /// unique criteria without optional fields.
    fn references_argument(&self, relation: &InlineRelation) -> String {
        let referenced = &self.models[relation.model_b];
        let fields = match relation
            .forward
            .and_then(|f| self.relation_fields[f].references.as_ref())
        {
            Some(references) => references.clone(),
            None => referenced
                .unique_criteria()
                .find(|c| referenced.is_strict(c))
                .cloned()
                .unwrap_or_default(),
        };
        let names: Vec<&str> = fields
            .iter()
            .map(|&f| referenced.ast.fields[f].name.name.as_str())
            .collect();
        format!("references: [{}]", names.join(", "))
    }
}

struct InferredField<'a> {
    name: String,
    arity: Arity,
    kind: FieldKind<'a>,
    /// The referenced field it copies its native type from.
    blueprint: usize,
}

fn arity_text(arity: Arity) -> &'static str {
    match arity {
        Arity::Required => "",
        Arity::Optional => "?",
        Arity::List => "[]",
    }
}

fn first_char_lowercase(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn first_char_uppercase(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// The native type attribute of a field as written (`@db.VarChar(255)`), or "".
fn native_type_text<'t>(model: &ModelInfo<'_>, field: usize, text: &'t str) -> &'t str {
    model.ast.fields[field]
        .attributes
        .iter()
        .find(|a| a.name.name.contains('.'))
        .and_then(|a| text.get(a.span.range()))
        .unwrap_or("")
}

/// Resolves the types of a model's (or composite type's) fields; `None` on an
/// unknown type, a duplicate field or a malformed field line.
fn field_kinds<'a>(
    model: &'a ast::Model,
    names: &HashMap<&str, TypeKind>,
) -> Option<Vec<FieldKind<'a>>> {
    let mut seen = HashMap::new();
    let mut kinds = Vec::with_capacity(model.fields.len());
    if !model.invalid_lines.is_empty() {
        return None;
    }
    for field in &model.fields {
        if seen.insert(field.name.name.as_str(), ()).is_some() || field.legacy_colon.is_some() {
            return None;
        }
        let field_type = field.field_type.as_ref()?;
        if field_type.invalid_arity.is_some() {
            return None;
        }
        let kind = match &field_type.name {
            TypeName::Unsupported(..) => FieldKind::Unsupported,
            TypeName::Named(ident) => match SCALAR_TYPES.iter().find(|s| **s == ident.name) {
                Some(scalar) => FieldKind::Builtin(scalar),
                None => match names.get(ident.name.as_str())? {
                    TypeKind::Model(index) => FieldKind::Relation(*index),
                    TypeKind::Enum(index) => FieldKind::Enum(*index),
                    TypeKind::CompositeType => FieldKind::CompositeType,
                },
            },
        };
        kinds.push(kind);
    }
    Some(kinds)
}

fn model_arity(field: &ast::Field) -> Arity {
    field
        .field_type
        .as_ref()
        .map_or(Arity::Required, |t| t.arity)
}

fn model_info<'a>(
    file: usize,
    model: &'a ast::Model,
    names: &HashMap<&str, TypeKind>,
    enum_values: &[Vec<&str>],
) -> Option<ModelInfo<'a>> {
    let kinds = field_kinds(model, names)?;
    let mut primary_key = None;
    let mut uniques = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        let place = match kinds[index] {
            FieldKind::Relation(_) => Place::RelationField,
            _ => Place::ScalarField,
        };
        if !attributes_resolve(&field.attributes, place) {
            return None;
        }
        let arity = model_arity(field);
        for attribute in &field.attributes {
            match attribute.name.name.as_str() {
                "id" => {
                    if primary_key.is_some() {
                        return None;
                    }
                    primary_key = Some(vec![index]);
                }
                "unique" => uniques.push(vec![index]),
                "updatedAt"
                    if kinds[index] != FieldKind::Builtin("DateTime") || arity == Arity::List =>
                {
                    return None;
                }
                "default" => {
                    let target = match kinds[index] {
                        FieldKind::Builtin(scalar) => DefaultTarget::Builtin(scalar),
                        FieldKind::Enum(e) => DefaultTarget::Enum(enum_values.get(e)?),
                        FieldKind::CompositeType => DefaultTarget::CompositeType,
                        FieldKind::Unsupported | FieldKind::Relation(_) => {
                            DefaultTarget::Unsupported
                        }
                    };
                    let value = attribute
                        .arguments
                        .items
                        .iter()
                        .find(|a| a.name.as_ref().is_none_or(|n| n.name == "value"))
                        .map(|a| &a.value)?;
                    if !default_fits(value, target, arity) {
                        return None;
                    }
                }
                _ => {}
            }
        }
    }
    if !attributes_resolve(&model.attributes, Place::Model) {
        return None;
    }
    let scalar_index =
        |name: &str| {
            model.fields.iter().enumerate().position(|(i, f)| {
                f.name.name == name && !matches!(kinds[i], FieldKind::Relation(_))
            })
        };
    let mut ignored = false;
    for attribute in &model.attributes {
        match attribute.name.name.as_str() {
            "id" => {
                if primary_key.is_some() {
                    return None;
                }
                primary_key = Some(index_fields(attribute, &scalar_index)?);
            }
            "unique" => uniques.push(index_fields(attribute, &scalar_index)?),
            "index" | "fulltext" | "shardKey" => {
                index_fields(attribute, &scalar_index)?;
            }
            "ignore" => ignored = true,
            _ => {}
        }
    }
    Some(ModelInfo {
        ast: model,
        file,
        ignored,
        kinds,
        primary_key,
        uniques,
    })
}

/// The fields of `@@id` / `@@unique` / `@@index` (first positional argument or
/// `fields:`), each a name or `name(sort: ..)`.
fn index_fields(
    attribute: &Attribute,
    scalar_index: &dyn Fn(&str) -> Option<usize>,
) -> Option<Vec<usize>> {
    let list = attribute
        .arguments
        .items
        .iter()
        .find(|a| a.name.as_ref().is_none_or(|n| n.name == "fields"))
        .map(|a| &a.value)?;
    let Expression::Array(elements, _) = list else {
        return None;
    };
    elements
        .iter()
        .map(|element| match element {
            Expression::Constant(name, _) | Expression::Function(name, _, _) => scalar_index(name),
            _ => None,
        })
        .collect()
}

/// Reads a relation field's `@relation`; `None` when its arguments do not
/// resolve (unknown argument, unknown field in `fields` / `references`).
fn relation_field<'a>(
    models: &[ModelInfo<'a>],
    model: usize,
    field: usize,
    target: usize,
) -> Option<RelationField<'a>> {
    let info = &models[model];
    let ast_field = &info.ast.fields[field];
    let attribute = ast_field
        .attributes
        .iter()
        .find(|a| a.name.name == "relation");
    let mut relation = RelationField {
        model,
        field,
        target,
        name: None,
        fields: None,
        references: None,
        attribute,
        arity: info.arity(field),
    };
    let Some(attribute) = attribute else {
        return Some(relation);
    };
    for (position, argument) in attribute.arguments.items.iter().enumerate() {
        let argument_name = argument.name.as_ref().map(|n| n.name.as_str());
        match argument_name {
            None if position == 0 => relation.name = Some(argument.value.as_string()?),
            None => return None,
            Some(name) if !RELATION_ARGUMENTS.contains(&name) => return None,
            Some("name") => relation.name = Some(argument.value.as_string()?),
            Some("fields") => relation.fields = Some(field_list(&argument.value, &models[model])?),
            Some("references") => {
                relation.references = Some(field_list(&argument.value, &models[target])?)
            }
            Some("map") => {
                argument.value.as_string()?;
            }
            Some(_) => {
                // onDelete / onUpdate
                let action = argument.value.as_constant()?;
                if !REFERENTIAL_ACTIONS.contains(&action) {
                    return None;
                }
            }
        }
    }
    // A repeated argument is an error too.
    let mut names: Vec<&str> = attribute
        .arguments
        .items
        .iter()
        .map(|a| a.name.as_ref().map_or("name", |n| n.name.as_str()))
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    if names.len() != count {
        return None;
    }
    Some(relation)
}

/// `[a, b]` (or a single `a`) resolved to scalar fields of `model`.
fn field_list(value: &Expression, model: &ModelInfo<'_>) -> Option<Vec<usize>> {
    let single;
    let elements = match value {
        Expression::Array(elements, _) => elements.as_slice(),
        other => {
            single = [other.clone()];
            &single[..]
        }
    };
    elements
        .iter()
        .map(|element| {
            element
                .as_constant()
                .and_then(|name| model.scalar_named(name))
        })
        .collect()
}

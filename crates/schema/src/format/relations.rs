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
//! Like Prisma, this only runs when the schema's names, types and attributes
//! resolve: it reads the resolver's result ([`resolve::resolve_with_sources`]:
//! the IR, the AST each model came from, what each `@relation` says) and
//! runs only when the resolver's first stage reported no error. Which side of
//! a paired relation gets the foreign key follows Prisma's tie-breaks. New
//! field names use Prisma's inflector (`cruet`), so plurals match (`Person`
//! → `people`).

use cruet::Inflector;

use crate::ast;
use crate::diagnostics::Diagnostics;
use crate::ir::{self, Arity, FieldId, FieldType, ModelId, RelationFieldRef};
use crate::parse::parse_files;
use crate::resolve::{self, ModelSpans, WrittenRelation, first_char_to};
use crate::source::SourceFiles;

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
    let mut files = SourceFiles::default();
    for text in texts {
        files.add("", *text);
    }
    let mut diagnostics = Diagnostics::new();
    let ast = parse_files(&files, &mut diagnostics);
    if diagnostics.has_errors() {
        return bits;
    }
    let resolution = resolve::resolve_with_sources(&ast, &mut diagnostics, true);
    if resolution.reading_failed {
        return bits;
    }
    let completion = Completion::new(texts, &resolution.schema, &resolution.sources);
    completion.complete(&mut bits);
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

/// One relation field, with what its `@relation` says.
struct RelationField<'a> {
    model: usize,
    target: usize,
    /// The other side, as the resolver paired it.
    opposite: Option<RelationFieldRef>,
    at: RelationFieldRef,
    written: &'a WrittenRelation,
    ast: &'a ast::Field,
    attribute: Option<&'a ast::Attribute>,
    arity: Arity,
}

/// A 1:1 or 1:n relation; `model_a` holds the foreign key (the forward
/// side), `model_b` is referenced (the back side). Indices are into
/// `Completion::relation_fields`.
struct InlineRelation {
    one_to_one: bool,
    model_a: usize,
    model_b: usize,
    forward: Option<usize>,
    back: Option<usize>,
}

struct Completion<'a> {
    texts: &'a [&'a str],
    schema: &'a ir::Schema,
    sources: &'a [ModelSpans<'a>],
    relation_fields: Vec<RelationField<'a>>,
}

impl<'a> Completion<'a> {
    fn new(texts: &'a [&'a str], schema: &'a ir::Schema, sources: &'a [ModelSpans<'a>]) -> Self {
        let mut relation_fields = Vec::new();
        for (model, (ir_model, source)) in schema.models.iter().zip(sources).enumerate() {
            for (index, field) in ir_model.relation_fields.iter().enumerate() {
                let at = RelationFieldRef {
                    model: ModelId(model as u32),
                    index,
                };
                let opposite = match schema.relations.get(field.relation.0 as usize) {
                    Some(r) if r.referencing == at => r.referenced,
                    Some(r) => Some(r.referencing),
                    // Unpaired (ambiguous, or a view in a many-to-many
                    // relation): the first candidate, as Prisma pairs them.
                    None => first_candidate(schema, sources, at),
                };
                relation_fields.push(RelationField {
                    model,
                    target: field.related_model.0 as usize,
                    opposite,
                    at,
                    written: &source.relation_args[index],
                    ast: source.relation_fields[index],
                    attribute: source.relation_attrs[index],
                    arity: field.arity,
                });
            }
        }
        Completion {
            texts,
            schema,
            sources,
            relation_fields,
        }
    }

    fn model(&self, model: usize) -> &'a ir::Model {
        &self.schema.models[model]
    }

    /// Field ids of the primary key, then of each unique index: `@unique`
    /// fields in field order, then `@@unique` in source order (Prisma's order).
    fn unique_criteria(&self, model: usize) -> impl Iterator<Item = Vec<FieldId>> + 'a {
        self.model(model)
            .unique_criteria()
            .map(|c| c.iter().map(|f| f.field).collect())
    }

    /// A unique index (not the primary key) covers exactly `fields`, in order.
    fn has_unique_index(&self, model: usize, fields: &[FieldId]) -> bool {
        self.model(model)
            .indexes
            .iter()
            .filter(|index| index.kind == ir::IndexKind::Unique)
            .any(|index| {
                index
                    .fields
                    .iter()
                    .map(|f| f.field)
                    .eq(fields.iter().copied())
            })
    }

    /// No optional and no `Unsupported` field.
    fn is_strict(&self, model: usize, criteria: &[FieldId]) -> bool {
        criteria.iter().all(|&f| {
            let field = self.model(model).field(f);
            field.arity != Arity::Optional && !matches!(field.field_type, FieldType::Unsupported(_))
        })
    }

    /// Pairs relation fields into relations, in Prisma's order and with its
    /// tie-breaks; many-to-many relations are left out.
    fn inline_relations(&self) -> Vec<InlineRelation> {
        let mut relations = Vec::new();
        for (index, rf) in self.relation_fields.iter().enumerate() {
            let opposite = rf
                .opposite
                .and_then(|o| self.relation_fields.iter().position(|other| other.at == o));
            let arity_of = |o: usize| self.relation_fields[o].arity;
            let relation = match (rf.arity, opposite) {
                (Arity::List, Some(o)) if arity_of(o) == Arity::List => None,
                (Arity::Required, Some(o)) if arity_of(o) == Arity::Optional => {
                    Some(self.both(true, index, o))
                }
                (Arity::Required, Some(o)) if arity_of(o) == Arity::Required => {
                    (self.key_of(index) <= self.key_of(o)).then(|| self.both(true, index, o))
                }
                (Arity::Optional, Some(o)) if arity_of(o) == Arity::Required => None,
                (Arity::Optional, Some(o)) if arity_of(o) == Arity::Optional => {
                    if rf.written.fields.is_some() {
                        Some(self.both(true, index, o))
                    } else if self.relation_fields[o].written.fields.is_none() {
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
                        .written
                        .fields
                        .as_ref()
                        .is_some_and(|fields| self.has_unique_index(rf.model, fields));
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
            self.model(rf.model).name.as_str(),
            rf.ast.name.name.as_str(),
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
        let referencing = self.model(relation.model_a);
        let referenced = self.model(relation.model_b);
        if relation.back.is_none() {
            let (field_name, arity) = if relation.one_to_one {
                (referencing.name.to_camel_case(), "?")
            } else {
                (referencing.name.to_camel_case().to_plural(), "[]")
            };
            let ignore = if referencing.is_ignored {
                "@ignore"
            } else {
                ""
            };
            let line = format!("{field_name} {}{arity} {ignore}\n", referencing.name);
            self.push_line(relation.model_b, line, bits);
        }
        if relation.forward.is_none() {
            let arity = arity_text(self.forward_arity(relation));
            let field_name = referenced.name.to_camel_case();
            let field_name = if arity == "[]" {
                field_name.to_plural()
            } else {
                field_name
            };
            let line = format!(
                "{field_name} {}{arity} @relation({}, {})\n",
                referenced.name,
                self.fields_argument(relation),
                self.references_argument(relation),
            );
            self.push_line(relation.model_a, line, bits);
        }
    }

    fn missing_scalar_fields(&self, relation: &InlineRelation, bits: &mut [Vec<Insertion>]) {
        // The forward field names its `fields`: nothing to add.
        if relation
            .forward
            .is_some_and(|f| self.relation_fields[f].written.fields.is_some())
        {
            return;
        }
        for inferred in self.inferred_scalar_fields(relation) {
            if self
                .model(relation.model_a)
                .find_field(&inferred.name)
                .is_some()
            {
                continue;
            }
            // Prisma stops at the first key field that is not a built-in scalar.
            let FieldType::Scalar(scalar) = inferred.field_type else {
                return;
            };
            let native_type = self.native_type_text(relation.model_b, inferred.blueprint);
            let line = format!(
                "{} {}{} {native_type}\n",
                inferred.name,
                scalar.name(),
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
        let Some(field_type) = &forward.ast.field_type else {
            return;
        };
        let file = field_type.span.file.0 as usize;
        let text = self.texts[file];
        let mut offset = field_type.span.end as usize;
        while matches!(text.as_bytes().get(offset), Some(b'[' | b']' | b'?' | b'!')) {
            offset += 1;
        }
        let insertion = format!(
            " @relation({}, {})",
            self.fields_argument(relation),
            self.references_argument(relation)
        );
        bits[file].push(Insertion {
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
        if forward.written.fields.is_none() {
            extra.push(self.fields_argument(relation));
        }
        if forward.written.references.is_none() {
            extra.push(self.references_argument(relation));
        }
        if extra.is_empty() {
            return;
        }
        let extra = extra.join(", ");
        let file = attribute.span.file.0 as usize;
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
        let Some(ast) = self.sources[model].ast else {
            return;
        };
        let file = ast.span.file.0 as usize;
        let text = self.texts[file];
        let offset = (ast.span.end as usize).saturating_sub(1);
        // With `}` after other text on its line the new field needs its own
        // line (Prisma's grammar rejects such a block, ours reads it).
        let before = text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let text = if before[line_start..].trim().is_empty() {
            line
        } else {
            format!("\n{line}")
        };
        bits[file].push(Insertion { offset, text });
    }

    /// The foreign-key fields Prisma would name for this relation, from the
    /// referenced model's first unique criteria.
    fn inferred_scalar_fields(&self, relation: &InlineRelation) -> Vec<InferredField<'a>> {
        let referencing = self.model(relation.model_a);
        let referenced = self.model(relation.model_b);
        let Some(criteria) = self.unique_criteria(relation.model_b).next() else {
            return Vec::new();
        };
        criteria
            .iter()
            .map(|&blueprint| {
                let name = format!(
                    "{}{}",
                    first_char_to(&referenced.name, char::to_lowercase),
                    first_char_to(&referenced.field(blueprint).name, char::to_uppercase)
                );
                match referencing.find_field(&name) {
                    Some((_, existing)) => InferredField {
                        arity: existing.arity,
                        field_type: &existing.field_type,
                        name,
                        blueprint,
                    },
                    None => InferredField {
                        arity: relation
                            .forward
                            .map(|f| self.relation_fields[f].arity)
                            .unwrap_or(Arity::Optional),
                        field_type: &referenced.field(blueprint).field_type,
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
        let model = relation.model_b;
        let fields = match relation
            .forward
            .and_then(|f| self.relation_fields[f].written.references.as_ref())
        {
            Some(references) => references.clone(),
            None => self
                .unique_criteria(model)
                .find(|c| self.is_strict(model, c))
                .unwrap_or_default(),
        };
        let names: Vec<&str> = fields
            .iter()
            .map(|&f| self.model(model).field(f).name.as_str())
            .collect();
        format!("references: [{}]", names.join(", "))
    }

    /// The native type attribute of a field as written (`@db.VarChar(255)`), or "".
    fn native_type_text(&self, model: usize, field: FieldId) -> &'a str {
        let Some(ast) = self.sources[model].fields.get(field.0 as usize) else {
            return "";
        };
        ast.attributes
            .iter()
            .find(|a| a.name.name.contains('.'))
            .and_then(|a| self.texts[a.span.file.0 as usize].get(a.span.range()))
            .unwrap_or("")
    }
}

struct InferredField<'a> {
    name: String,
    arity: Arity,
    field_type: &'a FieldType,
    /// The referenced field it copies its native type from.
    blueprint: FieldId,
}

/// The first relation field of the target model that points back at `at`'s
/// model under the same relation name (not `at` itself).
fn first_candidate(
    schema: &ir::Schema,
    sources: &[ModelSpans<'_>],
    at: RelationFieldRef,
) -> Option<RelationFieldRef> {
    let field = schema.relation_field(at);
    let name = &sources[at.model.0 as usize].relation_args[at.index].name;
    let target = field.related_model;
    let index = schema
        .model(target)
        .relation_fields
        .iter()
        .enumerate()
        .position(|(index, other)| {
            other.related_model == at.model
                && !(target == at.model && index == at.index)
                && &sources[target.0 as usize].relation_args[index].name == name
        })?;
    Some(RelationFieldRef {
        model: target,
        index,
    })
}

fn arity_text(arity: Arity) -> &'static str {
    match arity {
        Arity::Required => "",
        Arity::Optional => "?",
        Arity::List => "[]",
    }
}

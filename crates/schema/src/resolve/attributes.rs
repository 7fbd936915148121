//! Field types and attributes of models and enums → IR fields, ids, indexes.
//!
//! One function per attribute (`id`, `unique`, `default`, `map`, ...); each
//! reads its arguments through [`ArgReader`] so unknown arguments are reported.

use rustc_hash::{FxBuildHasher, FxHashSet};

use super::args::{
    ArgReader, as_array, as_bool, as_constant, as_string, as_u32, short, type_error,
};
use super::{Ctx, closest, index_rules, native_types};
use crate::ast::{self, Expression};
use crate::diagnostics::{Diagnostic, codes};
use crate::ir::{self, Arity, FieldId, FieldType, ModelId, ScalarType};
use crate::source::Span;

const FIELD_ATTRIBUTES: &[&str] = &[
    "id",
    "unique",
    "default",
    "updatedAt",
    "map",
    "relation",
    "ignore",
    "shardKey",
];
const BLOCK_ATTRIBUTES: &[&str] = &[
    "id", "unique", "index", "fulltext", "map", "schema", "ignore", "shardKey",
];

/// Pass 3: an enum and its values (block attributes come with the models').
pub(super) fn resolve_enum<'a>(e: &'a ast::Enum, cx: &mut Ctx<'a>) {
    let id = ir::EnumId(cx.schema.enums.len() as u32);
    let mut out = ir::Enum {
        name: e.name.name.as_str().to_owned(),
        db_name: e.name.name.as_str().to_owned(),
        schema: None,
        values: Vec::new(),
        documentation: e.documentation.clone(),
    };
    if e.values.is_empty() {
        cx.error(
            codes::DUPLICATE_ENUM_VALUE,
            e.name.span,
            format!("enum `{}` has no values", e.name.name),
        );
    }
    out.values.reserve_exact(e.values.len());
    let mut names = RepeatedNames::new(e.values.len());
    for (i, v) in e.values.iter().enumerate() {
        if names.repeats(&e.values, i, |v| &v.name.name) {
            // Reported with the enum's attributes, in source order.
            continue;
        }
        let mut value = ir::EnumValue {
            name: v.name.name.as_str().to_owned(),
            db_name: v.name.name.as_str().to_owned(),
            documentation: v.documentation.clone(),
        };
        for a in &v.attributes {
            match a.name.name.as_str() {
                "map" => {
                    let mut r = ArgReader::new(a, "@", Some("name"), &mut cx.diags);
                    match r.take("name") {
                        Some(e) => {
                            if let Some(s) = as_string(e, &mut cx.diags) {
                                value.db_name = s;
                            }
                        }
                        None => cx.error(
                            codes::ATTRIBUTE_ARGUMENT,
                            a.span,
                            "`@map` needs the database name as its argument",
                        ),
                    }
                    r.finish(&mut cx.diags);
                }
                other => unknown_attribute(cx, a, "@", other, &["map"]),
            }
        }
        out.values.push(value);
    }
    cx.schema.enums.push(out);
    cx.enum_spans.push(e.name.span);
    cx.enum_names.insert(&e.name.name, id);
}

/// Block attributes of an enum (`@@map`, `@@schema`), run in source order with the models'.
pub(super) fn resolve_enum_attributes(id: ir::EnumId, e: &ast::Enum, cx: &mut Ctx<'_>) {
    let mut names = RepeatedNames::new(e.values.len());
    for (k, v) in e.values.iter().enumerate() {
        if names.repeats(&e.values, k, |v| &v.name.name) {
            cx.error(
                codes::DUPLICATE_ENUM_VALUE,
                v.name.span,
                format!(
                    "value `{}` is already defined on enum `{}`",
                    v.name.name, e.name.name
                ),
            );
        }
    }
    let repeated = repeated_attributes(&e.attributes, &["map", "schema"], cx);
    for (i, a) in e.attributes.iter().enumerate() {
        if repeated.contains(&i) {
            continue;
        }
        match a.name.name.as_str() {
            "map" => {
                if let Some(name) = map_argument(a, "@@", cx) {
                    cx.schema.enums[id.0 as usize].db_name = name;
                }
            }
            "schema" => {
                let s = schema_argument(a, cx);
                cx.schema.enums[id.0 as usize].schema = s;
            }
            other => unknown_attribute(cx, a, "@@", other, &["map", "schema"]),
        }
    }
}

/// Attributes that may appear once but appear more often: every occurrence
/// after the first is skipped, and all of them are reported.
fn repeated_attributes(attrs: &[ast::Attribute], once: &[&str], cx: &mut Ctx<'_>) -> Vec<usize> {
    let mut skip = Vec::new();
    for name in once {
        let hits: Vec<usize> = attrs
            .iter()
            .enumerate()
            .filter(|(_, a)| a.name.name == *name)
            .map(|(i, _)| i)
            .collect();
        if hits.len() < 2 {
            continue;
        }
        for &i in &hits {
            cx.error(
                codes::DUPLICATE_ATTRIBUTE,
                attrs[i].span,
                format!("attribute `@@{name}` can only be defined once"),
            );
        }
        skip.extend(&hits[1..]);
    }
    skip
}

fn map_argument(a: &ast::Attribute, prefix: &'static str, cx: &mut Ctx<'_>) -> Option<String> {
    let mut r = ArgReader::new(a, prefix, Some("name"), &mut cx.diags);
    let out = match r.take("name") {
        Some(e) => as_string(e, &mut cx.diags),
        None => {
            cx.error(
                codes::ATTRIBUTE_ARGUMENT,
                a.span,
                format!("`{prefix}map` needs the database name as its argument"),
            );
            None
        }
    };
    r.finish(&mut cx.diags);
    if out.as_deref() == Some("") {
        cx.error(
            codes::ATTRIBUTE_ARGUMENT,
            a.span,
            "the database name in `@map` must not be empty",
        );
        return None;
    }
    out
}

fn schema_argument(a: &ast::Attribute, cx: &mut Ctx<'_>) -> Option<String> {
    let mut r = ArgReader::new(a, "@@", Some("map"), &mut cx.diags);
    let name = match r.take("map") {
        Some(e) => as_string(e, &mut cx.diags),
        None => {
            cx.error(
                codes::ATTRIBUTE_ARGUMENT,
                a.span,
                "`@@schema` needs the schema's name as its argument",
            );
            None
        }
    };
    r.finish(&mut cx.diags);
    let name = name?;
    if !cx.declared_schemas().contains(&name) {
        let d = Diagnostic::error(
            codes::SCHEMA_ATTRIBUTE,
            a.span,
            format!("schema `{name}` is not listed in the datasource's `schemas`"),
        )
        .with_help(format!(
            "add it: `schemas = [\"{name}\"]` in the datasource block"
        ));
        cx.push(d);
    }
    Some(name)
}

fn unknown_attribute(
    cx: &mut Ctx<'_>,
    a: &ast::Attribute,
    prefix: &str,
    name: &str,
    known: &[&str],
) {
    let mut d = Diagnostic::error(
        codes::UNKNOWN_ATTRIBUTE,
        a.name.span,
        format!("unknown attribute `{prefix}{name}`"),
    );
    if let Some(s) = closest(name, known.iter().copied()) {
        d = d.with_help(format!("did you mean `{prefix}{s}`?"));
    } else if prefix == "@" && BLOCK_ATTRIBUTES.contains(&name) && !known.contains(&name) {
        d = d.with_help(format!(
            "`@@{name}` is a block attribute; write it on its own line in the model"
        ));
    } else if prefix == "@@" && FIELD_ATTRIBUTES.contains(&name) {
        d = d.with_help(format!(
            "`@{name}` is a field attribute; write it after a field's type"
        ));
    }
    cx.push(d);
}

fn view_or_model(cx: &Ctx<'_>, id: ModelId) -> &'static str {
    if cx.schema.model(id).is_view() {
        "view"
    } else {
        "model"
    }
}

/// Finds the entries of a list whose name repeats an earlier one. Lists of
/// fields or enum values are usually short, where scanning the earlier names
/// beats hashing; long ones use a set.
struct RepeatedNames<'n> {
    set: Option<FxHashSet<&'n str>>,
}

impl<'n> RepeatedNames<'n> {
    /// Up to this many entries, the earlier names are scanned.
    const SCAN_LIMIT: usize = 32;

    fn new(len: usize) -> Self {
        RepeatedNames {
            set: (len > Self::SCAN_LIMIT)
                .then(|| FxHashSet::with_capacity_and_hasher(len, FxBuildHasher)),
        }
    }

    /// Whether `items[i]` has the name of an earlier item; asked for every
    /// `i` in order.
    fn repeats<T>(&mut self, items: &'n [T], i: usize, name: impl Fn(&'n T) -> &'n str) -> bool {
        let own = name(&items[i]);
        match &mut self.set {
            Some(set) => !set.insert(own),
            None => items[..i].iter().any(|earlier| name(earlier) == own),
        }
    }
}

/// The `@id` attributes of one model's fields. Only a second one is an
/// error, so the common single `@id` needs no list.
#[derive(Default)]
struct IdFields {
    first: Option<Span>,
    more: Vec<Span>,
}

impl IdFields {
    fn push(&mut self, span: Span) {
        if self.first.is_none() {
            self.first = Some(span);
        } else {
            self.more.push(span);
        }
    }
}

/// Pass 4a: field types and field attributes.
pub(super) fn resolve_model_fields<'a>(id: ModelId, m: &'a ast::Model, cx: &mut Ctx<'a>) {
    let kind = view_or_model(cx, id);
    let mut names = RepeatedNames::new(m.fields.len());
    let mut pk_fields = IdFields::default();
    for (i, f) in m.fields.iter().enumerate() {
        if names.repeats(&m.fields, i, |f| &f.name.name) {
            cx.error(
                codes::DUPLICATE_FIELD,
                f.name.span,
                format!(
                    "field `{}` is already defined on {kind} `{}`",
                    f.name.name, m.name.name
                ),
            );
            continue;
        }
        if let Some(colon) = f.legacy_colon {
            cx.push(
                Diagnostic::error(codes::SYNTAX, colon, "field declarations do not use a `:`")
                    .with_help("write `name Type`"),
            );
        }
        let Some(ty) = &f.field_type else {
            cx.push(
                Diagnostic::error(
                    codes::INVALID_FIELD,
                    f.span,
                    format!("field `{}` has no type", f.name.name),
                )
                .with_help("a field is written `name Type`, e.g. `email String`"),
            );
            continue;
        };
        if f.name.name.starts_with(|c: char| c.is_ascii_digit()) {
            cx.error(
                codes::INVALID_NAME,
                f.name.span,
                "the name of a field must not start with a number",
            );
        }
        if f.name.name.contains('-') {
            cx.error(
                codes::INVALID_NAME,
                f.name.span,
                "the name of a field must not contain `-`",
            );
        }
        match ty.invalid_arity {
            Some(ast::InvalidArity::OptionalList) => {
                cx.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_ARITY,
                        ty.span,
                        "optional lists are not supported",
                    )
                    .with_help("use either `Type[]` or `Type?`"),
                );
                continue;
            }
            Some(ast::InvalidArity::LegacyRequired) => {
                cx.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_ARITY,
                        ty.span,
                        "fields are required by default; `!` is not needed",
                    )
                    .with_help("remove the `!`"),
                );
                continue;
            }
            Some(ast::InvalidArity::LegacyList) => {
                cx.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_ARITY,
                        ty.span,
                        "lists are written `Type[]`, not `[Type]`",
                    )
                    .with_help("move the brackets after the type"),
                );
                continue;
            }
            None => {}
        }
        let arity = match ty.arity {
            ast::Arity::Required => Arity::Required,
            ast::Arity::Optional => Arity::Optional,
            ast::Arity::List => Arity::List,
        };
        let field_type = match &ty.name {
            ast::TypeName::Unsupported(s, _) => FieldType::Unsupported(s.clone()),
            ast::TypeName::Named(n) => {
                if let Some(s) = ScalarType::from_name(&n.name) {
                    FieldType::Scalar(s)
                } else if let Some(e) = cx.enum_names.get(n.name.as_str()) {
                    FieldType::Enum(*e)
                } else if let Some(target) = cx.model_names.get(n.name.as_str()).copied() {
                    relation_field(id, f, target, arity, cx);
                    continue;
                } else if cx.composite_types.contains_key(n.name.as_str()) {
                    // Reported on the type's declaration; skip the field.
                    continue;
                } else {
                    // Declaration order, so that among equally close names
                    // the hint is always the same one.
                    let candidates: Vec<&str> = [
                        "String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime",
                        "Json", "Bytes",
                    ]
                    .into_iter()
                    .chain(cx.model_names_in_order())
                    .chain(cx.schema.enums.iter().map(|e| e.name.as_str()))
                    .collect();
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_TYPE,
                        n.span,
                        format!(
                            "type `{}` is neither a built-in type nor a model or enum of this schema",
                            n.name
                        ),
                    );
                    if let Some(s) = closest(&n.name, candidates) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    cx.push(d);
                    continue;
                }
            }
        };
        let fid = FieldId(cx.schema.models[id.0 as usize].fields.len() as u32);
        let mut field = ir::ScalarField {
            name: f.name.name.as_str().to_owned(),
            db_name: f.name.name.as_str().to_owned(),
            field_type,
            arity,
            native_type: None,
            default: None,
            is_updated_at: false,
            is_ignored: false,
            documentation: f.documentation.clone(),
        };
        if field.arity == Arity::List
            && matches!(field.field_type, FieldType::Scalar(ScalarType::Json))
            && cx.has_datasource
        {
            // PostgreSQL supports JSONB[]; Prisma accepts it.
        }
        scalar_field_attributes(id, fid, f, &mut field, &mut pk_fields, cx);
        let model = &mut cx.schema.models[id.0 as usize];
        model.field_order.push(ir::FieldRef::Scalar(fid));
        model.fields.push(field);
        cx.spans[id.0 as usize].fields.push(f);
    }
    if !pk_fields.more.is_empty() {
        for span in pk_fields.first.iter().chain(&pk_fields.more) {
            cx.push(
                Diagnostic::error(
                    codes::MULTIPLE_IDS,
                    *span,
                    "at most one field can be marked `@id`",
                )
                .with_help("for a compound primary key, write `@@id([a, b])` on the model"),
            );
        }
    }
}

fn relation_field<'a>(
    id: ModelId,
    f: &'a ast::Field,
    target: ModelId,
    arity: Arity,
    cx: &mut Ctx<'a>,
) {
    let mut rel_attr = None;
    let mut is_ignored = false;
    for a in &f.attributes {
        match a.name.name.as_str() {
            "relation" => {
                if rel_attr.is_some() {
                    cx.error(
                        codes::DUPLICATE_ATTRIBUTE,
                        a.span,
                        "attribute `@relation` can only be defined once",
                    );
                } else {
                    rel_attr = Some(a);
                }
            }
            "ignore" => is_ignored = true,
            "map" => cx.push(
                Diagnostic::error(
                    codes::ATTRIBUTE_MISPLACED,
                    a.span,
                    "`@map` cannot be used on relation fields",
                )
                .with_help(
                    "map the scalar foreign-key fields instead, or name the constraint with `@relation(map: \"...\")`",
                ),
            ),
            n @ ("id" | "unique" | "default" | "updatedAt") => cx.push(
                Diagnostic::error(
                    codes::ATTRIBUTE_MISPLACED,
                    a.span,
                    format!("`@{n}` cannot be used on relation fields"),
                )
                .with_help("put it on the scalar foreign-key field"),
            ),
            n if cx.is_native_type_attribute(n) => cx.push(Diagnostic::error(
                codes::ATTRIBUTE_MISPLACED,
                a.span,
                "native types cannot be used on relation fields",
            )),
            other => unknown_attribute(cx, a, "@", other, FIELD_ATTRIBUTES),
        }
    }
    let model = &mut cx.schema.models[id.0 as usize];
    let index = model.relation_fields.len();
    model.relation_fields.push(ir::RelationField {
        name: f.name.name.as_str().to_owned(),
        related_model: target,
        arity,
        relation: ir::RelationId(u32::MAX),
        fields: Vec::new(),
        references: Vec::new(),
        on_delete: None,
        on_update: None,
        is_ignored,
        documentation: f.documentation.clone(),
    });
    model.field_order.push(ir::FieldRef::Relation(index));
    let spans = &mut cx.spans[id.0 as usize];
    spans.relation_fields.push(f);
    spans.relation_attrs.push(rel_attr);
}

fn scalar_field_attributes(
    id: ModelId,
    fid: FieldId,
    f: &ast::Field,
    field: &mut ir::ScalarField,
    pk_fields: &mut IdFields,
    cx: &mut Ctx<'_>,
) {
    for (i, a) in f.attributes.iter().enumerate() {
        let name = a.name.name.as_str();
        let key = duplicate_key(cx, name);
        // Fields carry a few attributes: rescanning the earlier ones is
        // cheaper than a set of seen names per field.
        if f.attributes[..i]
            .iter()
            .any(|b| duplicate_key(cx, &b.name.name) == key)
        {
            let shown = if key == "db" {
                "@db.*".to_string()
            } else {
                format!("@{name}")
            };
            cx.error(
                codes::DUPLICATE_ATTRIBUTE,
                a.span,
                format!("attribute `{shown}` can only be defined once"),
            );
            continue;
        }
        match name {
            "id" => {
                pk_fields.push(a.span);
                field_level_id(id, fid, f, field, a, cx);
            }
            "unique" => field_level_unique(id, fid, field, a, cx),
            "default" => field.default = default_value(field, a, cx),
            "updatedAt" => {
                if !a.arguments.items.is_empty() {
                    cx.error(
                        codes::ATTRIBUTE_ARGUMENT,
                        a.span,
                        "`@updatedAt` takes no arguments",
                    );
                }
                if field.field_type != FieldType::Scalar(ScalarType::DateTime) {
                    cx.push(
                        Diagnostic::error(
                            codes::INVALID_UPDATED_AT,
                            a.span,
                            "`@updatedAt` can only be used on `DateTime` fields",
                        )
                        .with_help(format!(
                            "change the type of `{}` to `DateTime`, or remove `@updatedAt`",
                            field.name
                        )),
                    );
                } else if field.arity == Arity::List {
                    cx.error(
                        codes::INVALID_UPDATED_AT,
                        a.span,
                        "`@updatedAt` cannot be used on list fields",
                    );
                } else {
                    field.is_updated_at = true;
                }
            }
            "map" => {
                if let Some(n) = map_argument(a, "@", cx) {
                    field.db_name = n;
                }
            }
            "ignore" => field.is_ignored = true,
            "relation" => cx.push(
                Diagnostic::error(
                    codes::ATTRIBUTE_MISPLACED,
                    a.span,
                    "`@relation` can only be used on relation fields",
                )
                .with_help(format!(
                    "`{}` is a scalar field; put `@relation` on the field whose type is a model",
                    field.name
                )),
            ),
            "shardKey" => {}
            n if cx.is_native_type_attribute(n) => field.native_type = native_type(field, a, cx),
            other => unknown_attribute(cx, a, "@", other, FIELD_ATTRIBUTES),
        }
    }
}

/// The name a repeated field attribute is detected by: native types all
/// count as one attribute, `@db.*`.
fn duplicate_key<'n>(cx: &Ctx<'_>, name: &'n str) -> &'n str {
    if cx.is_native_type_attribute(name) {
        "db"
    } else {
        name
    }
}

fn sort_order(e: &Expression, cx: &mut Ctx<'_>) -> Option<ir::SortOrder> {
    match as_constant(e, &mut cx.diags)? {
        "Asc" => Some(ir::SortOrder::Asc),
        "Desc" => Some(ir::SortOrder::Desc),
        other => {
            cx.push(
                Diagnostic::error(
                    codes::ATTRIBUTE_ARGUMENT,
                    e.span(),
                    format!("unknown sort order `{other}`"),
                )
                .with_help("use `Asc` or `Desc`"),
            );
            None
        }
    }
}

fn clustered(r: &mut ArgReader<'_>, cx: &mut Ctx<'_>) -> Option<bool> {
    let e = r.take("clustered")?;
    let v = as_bool(e, &mut cx.diags);
    cx.push(Diagnostic::error(
        codes::ATTRIBUTE_ARGUMENT,
        e.span(),
        "clustering is not supported on PostgreSQL",
    ));
    v
}

fn field_level_id(
    id: ModelId,
    fid: FieldId,
    f: &ast::Field,
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) {
    let mut r = ArgReader::new(a, "@", None, &mut cx.diags);
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let sort = r.take("sort").and_then(|e| sort_order(e, cx));
    let length = r.take("length").and_then(|e| as_u32(e, &mut cx.diags));
    let clustered = clustered(&mut r, cx);
    r.finish(&mut cx.diags);
    if field.arity != Arity::Required {
        cx.push(
            Diagnostic::error(
                codes::INVALID_ID,
                f.span,
                "fields marked `@id` must be required",
            )
            .with_help(format!(
                "remove `{}` from the type",
                if field.arity == Arity::List {
                    "[]"
                } else {
                    "?"
                }
            )),
        );
    }
    let model = &mut cx.schema.models[id.0 as usize];
    if model.primary_key.is_none() {
        model.primary_key = Some(ir::PrimaryKey {
            fields: vec![ir::IndexField {
                field: fid,
                sort,
                length,
                operator_class: None,
            }],
            name: None,
            has_explicit_db_name: db_name.is_some(),
            db_name: db_name.unwrap_or_default(),
            clustered,
            is_field_level: true,
        });
        cx.spans[id.0 as usize].primary_key = Some(a.span);
    }
}

fn field_level_unique(
    id: ModelId,
    fid: FieldId,
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) {
    let mut r = ArgReader::new(a, "@", None, &mut cx.diags);
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let sort = r.take("sort").and_then(|e| sort_order(e, cx));
    let length = r.take("length").and_then(|e| as_u32(e, &mut cx.diags));
    let clustered = clustered(&mut r, cx);
    r.finish(&mut cx.diags);
    if matches!(field.field_type, FieldType::Unsupported(_)) {
        cx.error(
            codes::INVALID_INDEX,
            a.span,
            "`Unsupported` fields cannot be `@unique`",
        );
    }
    if cx.schema.model(id).is_view() && db_name.is_some() {
        cx.push(
            Diagnostic::error(
                codes::VIEW,
                a.span,
                "`@unique` on a view names no database index, so it cannot have `map:`",
            )
            .with_help("remove `map:`"),
        );
    }
    let model = &mut cx.schema.models[id.0 as usize];
    model.indexes.push(ir::Index {
        kind: ir::IndexKind::Unique,
        fields: vec![ir::IndexField {
            field: fid,
            sort,
            length,
            operator_class: None,
        }],
        name: None,
        has_explicit_db_name: db_name.is_some(),
        db_name: db_name.unwrap_or_default(),
        algorithm: None,
        clustered,
        is_field_level: true,
    });
    cx.spans[id.0 as usize].indexes.push(a.span);
}

fn native_type(
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) -> Option<ir::NativeType> {
    let name = a
        .name
        .name
        .split_once('.')
        .map_or(a.name.name.as_str(), |(_, n)| n);
    let Some(spec) = native_types::find(name) else {
        let mut d = Diagnostic::error(
            codes::INVALID_NATIVE_TYPE,
            a.name.span,
            format!("native type `{name}` is not supported on PostgreSQL"),
        );
        if let Some(s) = closest(
            name,
            native_types::POSTGRES_NATIVE_TYPES.iter().map(|t| t.name),
        ) {
            d = d.with_help(format!("did you mean `@db.{s}`?"));
        }
        cx.push(d);
        return None;
    };
    let FieldType::Scalar(scalar) = field.field_type else {
        cx.error(
            codes::INVALID_NATIVE_TYPE,
            a.span,
            format!(
                "native types can only be used on scalar fields; `{}` is not one",
                field.name
            ),
        );
        return None;
    };
    if spec.scalar != scalar {
        cx.push(
            Diagnostic::error(
                codes::INVALID_NATIVE_TYPE,
                a.span,
                format!(
                    "native type `@db.{name}` does not fit `{}` fields; it is for `{}`",
                    scalar.name(),
                    spec.scalar.name()
                ),
            )
            .with_help(format!(
                "native types for `{}`: {}",
                scalar.name(),
                native_types::names_for(scalar)
                    .iter()
                    .map(|n| format!("`@db.{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        return None;
    }
    let mut args = Vec::with_capacity(a.arguments.items.len());
    for arg in &a.arguments.items {
        match &arg.value {
            Expression::Numeric(n, span) => {
                if n.starts_with('-') || n.contains('.') {
                    cx.error(
                        codes::INVALID_NATIVE_TYPE,
                        *span,
                        format!("expected a nonnegative integer, found `{n}`"),
                    );
                    return None;
                }
                args.push(n.as_str().to_owned());
            }
            other => {
                cx.push(type_error("a number", other));
                return None;
            }
        }
    }
    if !spec.arities.contains(&args.len()) {
        let expected = spec
            .arities
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        cx.error(
            codes::INVALID_NATIVE_TYPE,
            a.span,
            format!(
                "native type `@db.{name}` takes {expected} arguments, found {}",
                args.len()
            ),
        );
        return None;
    }
    if native_types::has_time_precision(name) {
        if let Some(p) = args.first().and_then(|p| p.parse::<u32>().ok()) {
            if p > 6 {
                cx.error(
                    codes::INVALID_NATIVE_TYPE,
                    a.span,
                    format!("the precision of `@db.{name}` must be between 0 and 6, found {p}"),
                );
            }
        }
    }
    if name == "Decimal" && args.len() == 2 {
        let (p, s) = (
            args[0].parse::<u32>().unwrap_or(0),
            args[1].parse::<u32>().unwrap_or(0),
        );
        if s > p {
            cx.error(
                codes::INVALID_NATIVE_TYPE,
                a.span,
                format!("the scale ({s}) of `@db.Decimal` must not exceed its precision ({p})"),
            );
        }
        if p > 1000 {
            cx.error(
                codes::INVALID_NATIVE_TYPE,
                a.span,
                "the precision of `@db.Decimal` must be at most 1000",
            );
        }
    }
    if matches!(name, "VarChar" | "Char" | "Bit" | "VarBit")
        && args.first().is_some_and(|n| n == "0")
    {
        cx.error(
            codes::INVALID_NATIVE_TYPE,
            a.span,
            format!("the length of `@db.{name}` must be at least 1"),
        );
    }
    Some(ir::NativeType {
        name: name.to_string(),
        args,
    })
}

/// `@default(...)`: checks the value against the field's type.
fn default_value(
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) -> Option<ir::DefaultValue> {
    let mut r = ArgReader::new(a, "@", Some("value"), &mut cx.diags);
    let value = r.take("value");
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    r.finish(&mut cx.diags);
    let Some(value) = value else {
        cx.push(
            Diagnostic::error(codes::INVALID_DEFAULT, a.span, "`@default` needs a value")
                .with_help("e.g. `@default(0)`, `@default(\"text\")`, `@default(now())`"),
        );
        return None;
    };
    let kind = default_kind(field, value, cx)?;
    Some(ir::DefaultValue { kind, db_name })
}

fn default_kind(
    field: &ir::ScalarField,
    value: &Expression,
    cx: &mut Ctx<'_>,
) -> Option<ir::DefaultKind> {
    use ir::DefaultKind as K;
    if let Expression::Function(name, args, span) = value {
        let span = *span;
        let bad_args = |cx: &mut Ctx<'_>, msg: &str| {
            cx.error(codes::INVALID_DEFAULT, span, format!("`{name}()` {msg}"));
        };
        let scalar = match &field.field_type {
            FieldType::Scalar(s) => Some(*s),
            _ => None,
        };
        let int_arg = |args: &ast::Arguments| -> Option<Result<u32, ()>> {
            match args.items.first().map(|x| &x.value) {
                None => None,
                Some(Expression::Numeric(n, _)) if args.items.len() == 1 => {
                    Some(n.parse::<u32>().map_err(|_| ()))
                }
                Some(_) => Some(Err(())),
            }
        };
        let needs = |cx: &mut Ctx<'_>, want: &[ScalarType]| -> bool {
            if scalar.is_some_and(|s| want.contains(&s)) && field.arity != Arity::List {
                return true;
            }
            let names: Vec<&str> = want.iter().map(|s| s.name()).collect();
            cx.push(
                Diagnostic::error(
                    codes::INVALID_DEFAULT,
                    span,
                    format!(
                        "`{name}()` cannot be the default of a `{}{}` field",
                        type_name(field, cx),
                        if field.arity == Arity::List { "[]" } else { "" }
                    ),
                )
                .with_help(format!(
                    "`{name}()` works on {} fields",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )),
            );
            false
        };
        return match name.as_str() {
            "autoincrement" => {
                if !args.items.is_empty() {
                    bad_args(cx, "takes no arguments");
                }
                needs(cx, &[ScalarType::Int, ScalarType::BigInt]).then_some(K::Autoincrement)
            }
            "sequence" => {
                cx.push(
                    Diagnostic::error(
                        codes::INVALID_DEFAULT,
                        span,
                        "`sequence()` is only available on CockroachDB",
                    )
                    .with_help("on PostgreSQL use `autoincrement()`"),
                );
                None
            }
            "now" => {
                if !args.items.is_empty() {
                    bad_args(cx, "takes no arguments");
                }
                needs(cx, &[ScalarType::DateTime]).then_some(K::Now)
            }
            "uuid" => {
                let v = match int_arg(args) {
                    None => 4,
                    Some(Ok(v @ (4 | 7))) => v as u8,
                    _ => {
                        bad_args(cx, "takes no argument, or the version 4 or 7");
                        return None;
                    }
                };
                needs(cx, &[ScalarType::String]).then_some(K::Uuid(v))
            }
            "cuid" => {
                let v = match int_arg(args) {
                    None => 1,
                    Some(Ok(v @ (1 | 2))) => v as u8,
                    _ => {
                        bad_args(cx, "takes no argument, or the version 1 or 2");
                        return None;
                    }
                };
                needs(cx, &[ScalarType::String]).then_some(K::Cuid(v))
            }
            "nanoid" => {
                let v = match int_arg(args) {
                    None => None,
                    Some(Ok(v @ 2..=255)) => Some(v as u8),
                    _ => {
                        bad_args(cx, "takes no argument, or a length between 2 and 255");
                        return None;
                    }
                };
                needs(cx, &[ScalarType::String]).then_some(K::Nanoid(v))
            }
            "ulid" => {
                if !args.items.is_empty() {
                    bad_args(cx, "takes no arguments");
                }
                needs(cx, &[ScalarType::String]).then_some(K::Ulid)
            }
            "dbgenerated" => match args.items.first().map(|x| &x.value) {
                None => Some(K::DbGenerated(None)),
                Some(Expression::String(s, sp)) if args.items.len() == 1 => {
                    if s.trim().is_empty() {
                        cx.error(
                            codes::INVALID_DEFAULT,
                            *sp,
                            "`dbgenerated()` needs a non-empty SQL expression, or no argument",
                        );
                        return None;
                    }
                    Some(K::DbGenerated(Some(s.clone())))
                }
                _ => {
                    bad_args(cx, "takes one string argument: the SQL expression");
                    None
                }
            },
            "auto" => {
                cx.error(
                    codes::INVALID_DEFAULT,
                    span,
                    "`auto()` is only available on MongoDB",
                );
                None
            }
            other => {
                let known = [
                    "autoincrement",
                    "now",
                    "uuid",
                    "cuid",
                    "nanoid",
                    "ulid",
                    "dbgenerated",
                ];
                let mut d = Diagnostic::error(
                    codes::INVALID_DEFAULT,
                    span,
                    format!("unknown function `{other}()` in `@default`"),
                );
                if let Some(s) = closest(other, known) {
                    d = d.with_help(format!("did you mean `{s}()`?"));
                }
                cx.push(d);
                None
            }
        };
    }
    if matches!(field.field_type, FieldType::Unsupported(_)) {
        cx.push(Diagnostic::error(
            codes::INVALID_DEFAULT,
            value.span(),
            "only `dbgenerated(\"...\")` defaults are allowed on `Unsupported` fields",
        ));
        return None;
    }
    if field.arity == Arity::List {
        let Expression::Array(items, _) = value else {
            cx.push(
                Diagnostic::error(
                    codes::INVALID_DEFAULT,
                    value.span(),
                    format!("the default of list field `{}` must be a list", field.name),
                )
                .with_help("e.g. `@default([])`"),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            out.push(literal(field, item, cx)?);
        }
        return Some(K::Value(ir::Literal::List(out)));
    }
    literal(field, value, cx).map(K::Value)
}

/// How a field's type is written, for messages (only built when one is).
fn type_name(field: &ir::ScalarField, cx: &Ctx<'_>) -> String {
    match &field.field_type {
        FieldType::Scalar(s) => s.name().to_string(),
        FieldType::Enum(e) => cx.schema.enum_(*e).name.clone(),
        FieldType::Unsupported(_) => "Unsupported".to_string(),
    }
}

fn literal(field: &ir::ScalarField, value: &Expression, cx: &mut Ctx<'_>) -> Option<ir::Literal> {
    let mismatch = |cx: &mut Ctx<'_>| {
        let d = Diagnostic::error(
            codes::INVALID_DEFAULT,
            value.span(),
            format!(
                "the default value `{}` does not fit the type `{}` of field `{}`",
                short(value),
                type_name(field, cx),
                field.name
            ),
        );
        cx.push(d);
    };
    match (&field.field_type, value) {
        (FieldType::Enum(e), Expression::Constant(c, span)) => {
            let en = cx.schema.enum_(*e);
            if en.values.iter().any(|v| v.name == *c) {
                Some(ir::Literal::EnumValue(c.as_str().to_owned()))
            } else {
                let hint =
                    closest(c, en.values.iter().map(|v| v.name.as_str())).map(str::to_string);
                let values = en
                    .values
                    .iter()
                    .map(|v| format!("`{}`", v.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut d = Diagnostic::error(
                    codes::INVALID_DEFAULT,
                    *span,
                    format!("`{c}` is not a value of the enum `{}`", en.name),
                );
                d = match hint {
                    Some(h) => d.with_help(format!("did you mean `{h}`?")),
                    None => d.with_help(format!("its values are {values}")),
                };
                cx.push(d);
                None
            }
        }
        (FieldType::Scalar(s), v) => match (s, v) {
            (ScalarType::String, Expression::String(x, _)) => Some(ir::Literal::String(x.clone())),
            (ScalarType::Int | ScalarType::BigInt, Expression::Numeric(n, span)) => {
                if n.contains('.') || n.parse::<i64>().is_err() {
                    cx.error(
                        codes::INVALID_DEFAULT,
                        *span,
                        format!("`{n}` is not an integer"),
                    );
                    return None;
                }
                if *s == ScalarType::Int && n.parse::<i32>().is_err() {
                    cx.error(
                        codes::INVALID_DEFAULT,
                        *span,
                        format!("`{n}` does not fit a 32-bit `Int`"),
                    );
                    return None;
                }
                Some(ir::Literal::Number(n.as_str().to_owned()))
            }
            (ScalarType::Float | ScalarType::Decimal, Expression::Numeric(n, _)) => {
                Some(ir::Literal::Number(n.as_str().to_owned()))
            }
            (ScalarType::Boolean, Expression::Constant(c, _)) if c == "true" || c == "false" => {
                Some(ir::Literal::Boolean(c == "true"))
            }
            (ScalarType::DateTime, Expression::String(x, span)) => {
                if !looks_like_datetime(x) {
                    cx.push(
                        Diagnostic::error(
                            codes::INVALID_DEFAULT,
                            *span,
                            format!("`{x}` is not an RFC 3339 date-time"),
                        )
                        .with_help("e.g. `\"2024-01-01T00:00:00Z\"`, or `now()`"),
                    );
                    return None;
                }
                Some(ir::Literal::String(x.clone()))
            }
            (ScalarType::Json, Expression::String(x, span)) => {
                if !is_json(x) {
                    cx.error(
                        codes::INVALID_DEFAULT,
                        *span,
                        "the default of a `Json` field must be valid JSON text",
                    );
                    return None;
                }
                Some(ir::Literal::String(x.clone()))
            }
            (ScalarType::Bytes, Expression::String(x, _)) => Some(ir::Literal::String(x.clone())),
            (ScalarType::Decimal, Expression::String(x, _)) if x.parse::<f64>().is_ok() => {
                Some(ir::Literal::Number(x.clone()))
            }
            _ => {
                mismatch(cx);
                None
            }
        },
        _ => {
            mismatch(cx);
            None
        }
    }
}

fn looks_like_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// A small JSON syntax check (no allocation of a value tree).
fn is_json(s: &str) -> bool {
    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }
    fn value(b: &[u8], i: usize, depth: u32) -> Option<usize> {
        if depth > 256 {
            return None;
        }
        let i = ws(b, i);
        match *b.get(i)? {
            b'{' => {
                let mut i = ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    return Some(i + 1);
                }
                loop {
                    i = string(b, ws(b, i))?;
                    i = ws(b, i);
                    if b.get(i) != Some(&b':') {
                        return None;
                    }
                    i = ws(b, value(b, i + 1, depth + 1)?);
                    match b.get(i)? {
                        b',' => i += 1,
                        b'}' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let mut i = ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    return Some(i + 1);
                }
                loop {
                    i = ws(b, value(b, i, depth + 1)?);
                    match b.get(i)? {
                        b',' => i += 1,
                        b']' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'"' => string(b, i),
            b't' => b[i..].starts_with(b"true").then_some(i + 4),
            b'f' => b[i..].starts_with(b"false").then_some(i + 5),
            b'n' => b[i..].starts_with(b"null").then_some(i + 4),
            _ => {
                let start = i;
                let mut j = i;
                while j < b.len() && matches!(b[j], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    j += 1;
                }
                std::str::from_utf8(&b[start..j])
                    .ok()?
                    .parse::<f64>()
                    .ok()?;
                Some(j)
            }
        }
    }
    fn string(b: &[u8], i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let mut j = i + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                _ => j += 1,
            }
        }
        None
    }
    let b = s.as_bytes();
    value(b, 0, 0).is_some_and(|end| ws(b, end) == b.len())
}

/// Pass 4b: block attributes (`@@id`, `@@unique`, `@@index`, `@@map`, ...).
pub(super) fn resolve_block_attributes<'a>(id: ModelId, m: &'a ast::Model, cx: &mut Ctx<'a>) {
    let is_view = cx.schema.model(id).is_view();
    // Most block attributes are indexes: room for them all at once.
    cx.schema.models[id.0 as usize]
        .indexes
        .reserve(m.attributes.len());
    cx.spans[id.0 as usize].indexes.reserve(m.attributes.len());
    let repeated = repeated_attributes(&m.attributes, &["id", "map", "schema", "ignore"], cx);
    for (i, a) in m.attributes.iter().enumerate() {
        let name = a.name.name.as_str();
        if repeated.contains(&i) {
            continue;
        }
        match name {
            "id" => block_id(id, a, cx),
            "unique" => block_index(id, a, ir::IndexKind::Unique, cx),
            "index" => {
                if is_view {
                    cx.push(Diagnostic::error(
                        codes::VIEW,
                        a.span,
                        "views cannot have indexes",
                    ));
                    continue;
                }
                block_index(id, a, ir::IndexKind::Normal, cx)
            }
            "fulltext" => {
                cx.push(
                    Diagnostic::error(
                        codes::INVALID_INDEX,
                        a.span,
                        "`@@fulltext` indexes are not supported on PostgreSQL",
                    )
                    .with_help("use `@@index([...], type: Gin)` on a tsvector column, or full-text search in raw SQL"),
                );
            }
            "map" => {
                if let Some(n) = map_argument(a, "@@", cx) {
                    cx.schema.models[id.0 as usize].db_name = n;
                    cx.spans[id.0 as usize].map_span = Some(a.span);
                }
            }
            "schema" => {
                let s = schema_argument(a, cx);
                cx.schema.models[id.0 as usize].schema = s;
            }
            "ignore" => {
                if !a.arguments.items.is_empty() {
                    cx.error(
                        codes::ATTRIBUTE_ARGUMENT,
                        a.span,
                        "`@@ignore` takes no arguments",
                    );
                }
                cx.schema.models[id.0 as usize].is_ignored = true;
            }
            "shardKey" => {}
            other => unknown_attribute(cx, a, "@@", other, BLOCK_ATTRIBUTES),
        }
    }
}

/// The field list of `@@id`, `@@unique`, `@@index`: `[a, b(sort: Desc), c(ops: X)]`.
fn index_fields(
    id: ModelId,
    a: &ast::Attribute,
    value: &Expression,
    cx: &mut Ctx<'_>,
) -> Option<Vec<ir::IndexField>> {
    let items = as_array(value);
    let mut out = Vec::with_capacity(items.len());
    let mut unknown = Vec::new();
    let mut relation_refs = Vec::new();
    let mut ok = true;
    for item in items {
        let (name, args) = match item {
            Expression::Constant(n, _) => (n.as_str(), None),
            Expression::Function(n, args, _) => (n.as_str(), Some(args)),
            Expression::String(s, span) => {
                cx.push(
                    Diagnostic::error(
                        codes::ATTRIBUTE_ARGUMENT,
                        *span,
                        format!("expected a field name, found the string `\"{s}\"`"),
                    )
                    .with_help(format!("write field names without quotes: `{s}`")),
                );
                ok = false;
                continue;
            }
            other => {
                cx.push(type_error("a field name", other));
                ok = false;
                continue;
            }
        };
        let model = cx.schema.model(id);
        let Some((fid, _)) = model.find_field(name) else {
            if model.find_relation_field(name).is_some() {
                relation_refs.push(name.to_string());
            } else {
                unknown.push(name.to_string());
            }
            continue;
        };
        let mut field = ir::IndexField {
            field: fid,
            sort: None,
            length: None,
            operator_class: None,
        };
        if let Some(args) = args {
            for arg in &args.items {
                let Some(n) = &arg.name else {
                    cx.error(
                        codes::ATTRIBUTE_ARGUMENT,
                        arg.span,
                        "field arguments must be named: `sort:`, `length:` or `ops:`",
                    );
                    ok = false;
                    continue;
                };
                match n.name.as_str() {
                    "sort" => field.sort = sort_order(&arg.value, cx),
                    "length" => field.length = as_u32(&arg.value, &mut cx.diags),
                    "ops" => {
                        field.operator_class = match &arg.value {
                            Expression::Constant(c, _) => {
                                Some(ir::OperatorClass::Named(c.to_string()))
                            }
                            Expression::Function(f, fa, _) if f == "raw" => {
                                match fa.items.first().and_then(|x| x.value.as_string()) {
                                    Some(s) => Some(ir::OperatorClass::Raw(s.to_string())),
                                    None => {
                                        cx.error(
                                            codes::ATTRIBUTE_ARGUMENT,
                                            arg.span,
                                            "`raw()` takes one string argument",
                                        );
                                        None
                                    }
                                }
                            }
                            other => {
                                cx.push(type_error("an operator class", other));
                                None
                            }
                        }
                    }
                    other => {
                        // Prisma ignores unknown per-field arguments; say so instead of failing.
                        let mut d = Diagnostic::warning(
                            codes::IGNORED_ARGUMENT,
                            n.span,
                            format!("unknown field argument `{other}` is ignored"),
                        );
                        if let Some(s) = closest(other, ["sort", "length", "ops"]) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        } else if other == "order" {
                            d = d.with_help("did you mean `sort`?");
                        }
                        cx.push(d);
                    }
                }
            }
        }
        if out.iter().any(|f: &ir::IndexField| f.field == fid) {
            cx.error(
                codes::INVALID_INDEX,
                item.span(),
                format!("field `{name}` is listed twice"),
            );
            ok = false;
        }
        out.push(field);
    }
    if !unknown.is_empty() {
        let candidates: Vec<String> = cx
            .schema
            .model(id)
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect();
        let mut d = Diagnostic::error(
            codes::INVALID_INDEX,
            a.span,
            format!(
                "`@@{}` on model `{}` refers to unknown fields: {}",
                a.name.name,
                cx.schema.model(id).name,
                unknown
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        if let [one] = unknown.as_slice() {
            if let Some(s) = closest(one, candidates.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        cx.push(d);
        ok = false;
    }
    if !relation_refs.is_empty() {
        let hint = relation_refs
            .iter()
            .flat_map(|r| relation_scalar_fields(cx, id, r))
            .collect::<Vec<_>>();
        let mut d = Diagnostic::error(
            codes::INVALID_INDEX,
            a.span,
            format!(
                "`@@{}` must list scalar fields, but {} relation field{}",
                a.name.name,
                relation_refs
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if relation_refs.len() == 1 {
                    " is a"
                } else {
                    "s are"
                }
            ),
        );
        if !hint.is_empty() {
            d = d.with_help(format!(
                "did you mean `@@{}([{}])`?",
                a.name.name,
                hint.join(", ")
            ));
        }
        cx.push(d);
        ok = false;
    }
    if out.is_empty() && ok {
        cx.error(
            codes::INVALID_INDEX,
            a.span,
            format!("`@@{}` needs at least one field", a.name.name),
        );
        return None;
    }
    ok.then_some(out)
}

/// The `fields:` of a relation field's `@relation`, read from the AST (for hints).
fn relation_scalar_fields(cx: &Ctx<'_>, id: ModelId, relation_field: &str) -> Vec<String> {
    let model = cx.schema.model(id);
    let Some((i, _)) = model.find_relation_field(relation_field) else {
        return Vec::new();
    };
    let Some(Some(attr)) = cx.spans[id.0 as usize].relation_attrs.get(i) else {
        return Vec::new();
    };
    attr.arguments
        .items
        .iter()
        .find(|a| a.name.as_ref().is_some_and(|n| n.name == "fields"))
        .map(|a| {
            as_array(&a.value)
                .iter()
                .filter_map(|e| e.as_constant().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn block_id(id: ModelId, a: &ast::Attribute, cx: &mut Ctx<'_>) {
    let mut r = ArgReader::new(a, "@@", Some("fields"), &mut cx.diags);
    let fields_expr = r.take("fields");
    let name = r.take("name").and_then(|e| as_string(e, &mut cx.diags));
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let clustered = clustered(&mut r, cx);
    r.finish(&mut cx.diags);
    let Some(fields_expr) = fields_expr else {
        cx.error(
            codes::ATTRIBUTE_ARGUMENT,
            a.span,
            "`@@id` needs the list of fields: `@@id([a, b])`",
        );
        return;
    };
    let Some(fields) = index_fields(id, a, fields_expr, cx) else {
        return;
    };
    let model = cx.schema.model(id);
    if model.primary_key.is_some() {
        cx.push(
            Diagnostic::error(
                codes::MULTIPLE_IDS,
                a.span,
                format!("model `{}` has both `@id` and `@@id`", model.name),
            )
            .with_help("keep one primary key"),
        );
        return;
    }
    let optional: Vec<&str> = fields
        .iter()
        .map(|f| model.field(f.field))
        .filter(|f| f.arity != Arity::Required)
        .map(|f| f.name.as_str())
        .collect();
    if !optional.is_empty() {
        let list = optional
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        cx.push(
            Diagnostic::error(
                codes::INVALID_ID,
                a.span,
                format!("the fields of a primary key must be required; {list} are not"),
            )
            .with_help("make them required or choose other fields"),
        );
        return;
    }
    if let Some(n) = &name {
        if model.fields.iter().any(|f| f.name == *n)
            || model.relation_fields.iter().any(|f| f.name == *n)
        {
            cx.error(
                codes::INVALID_ID,
                a.span,
                format!("the name `{n}` of the compound id clashes with a field of the same name"),
            );
        }
    }
    cx.schema.models[id.0 as usize].primary_key = Some(ir::PrimaryKey {
        fields,
        name,
        has_explicit_db_name: db_name.is_some(),
        db_name: db_name.unwrap_or_default(),
        clustered,
        is_field_level: false,
    });
    cx.spans[id.0 as usize].primary_key = Some(a.span);
}

fn block_index(id: ModelId, a: &ast::Attribute, kind: ir::IndexKind, cx: &mut Ctx<'_>) {
    let display = if kind == ir::IndexKind::Unique {
        "@@unique"
    } else {
        "@@index"
    };
    let mut r = ArgReader::new(a, "@@", Some("fields"), &mut cx.diags);
    let fields_expr = r.take("fields");
    let name = r.take("name").and_then(|e| as_string(e, &mut cx.diags));
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let algorithm = r.take("type").and_then(|e| {
        let c = as_constant(e, &mut cx.diags)?;
        let alg = ir::IndexAlgorithm::from_name(c);
        if alg.is_none() {
            cx.push(
                Diagnostic::error(
                    codes::ATTRIBUTE_ARGUMENT,
                    e.span(),
                    format!("unknown index type `{c}`"),
                )
                .with_help(
                    "PostgreSQL index types: `BTree`, `Hash`, `Gist`, `Gin`, `SpGist`, `Brin`",
                ),
            );
        }
        alg
    });
    let clustered = clustered(&mut r, cx);
    if let Some(w) = r.take("where") {
        if !cx.has_preview("partialIndexes") {
            cx.push(Diagnostic::error(
                codes::PREVIEW_FEATURE_REQUIRED,
                w.span(),
                "partial indexes (`where:`) need the `partialIndexes` preview feature",
            ));
        }
    }
    r.finish(&mut cx.diags);
    if kind == ir::IndexKind::Unique && algorithm.is_some() {
        cx.error(
            codes::ATTRIBUTE_ARGUMENT,
            a.span,
            "`@@unique` does not take an index `type`",
        );
    }
    if name.is_some() && kind == ir::IndexKind::Normal {
        // `name:` on @@index is the legacy spelling of `map:`.
    }
    let Some(fields_expr) = fields_expr else {
        cx.error(
            codes::ATTRIBUTE_ARGUMENT,
            a.span,
            format!("`{display}` needs the list of fields: `{display}([a, b])`"),
        );
        return;
    };
    let Some(fields) = index_fields(id, a, fields_expr, cx) else {
        return;
    };
    let model = cx.schema.model(id);
    if model.is_view() && kind == ir::IndexKind::Unique {
        if db_name.is_some() {
            cx.error(
                codes::VIEW,
                a.span,
                "`@@unique` on a view names no database index, so it cannot have `map:`",
            );
        }
        if fields
            .iter()
            .any(|f| f.sort.is_some() || f.length.is_some() || f.operator_class.is_some())
        {
            cx.error(
                codes::VIEW,
                a.span,
                "fields in `@@unique` on a view cannot have arguments",
            );
        }
    }
    if let Some(alg) = algorithm {
        check_index_algorithm(id, a, alg, &fields, cx);
    } else {
        for f in &fields {
            if let Some(ir::OperatorClass::Named(op)) = &f.operator_class {
                if index_rules::find(op).is_some_and(|o| o.algorithm != ir::IndexAlgorithm::BTree) {
                    let o = index_rules::find(op)
                        .map(|o| index_rules::algorithm_name(o.algorithm))
                        .unwrap_or("");
                    cx.push(
                        Diagnostic::error(
                            codes::INDEX_OPERATOR_CLASS,
                            a.span,
                            format!(
                                "operator class `{op}` is not supported with the `BTree` index type"
                            ),
                        )
                        .with_help(format!("add `type: {o}`")),
                    );
                }
            }
        }
    }
    let (index_name, db_name) = if kind == ir::IndexKind::Normal {
        // On @@index, `name:` was the old way to set the database name.
        (None, db_name.or(name))
    } else {
        (name, db_name)
    };
    cx.schema.models[id.0 as usize].indexes.push(ir::Index {
        kind,
        fields,
        name: index_name,
        has_explicit_db_name: db_name.is_some(),
        db_name: db_name.unwrap_or_default(),
        algorithm,
        clustered,
        is_field_level: false,
    });
    cx.spans[id.0 as usize].indexes.push(a.span);
}

/// Index method and operator class rules (PostgreSQL).
fn check_index_algorithm(
    id: ModelId,
    a: &ast::Attribute,
    alg: ir::IndexAlgorithm,
    fields: &[ir::IndexField],
    cx: &mut Ctx<'_>,
) {
    let alg_name = index_rules::algorithm_name(alg);
    if alg == ir::IndexAlgorithm::SpGist && fields.len() > 1 {
        cx.diags.error(
            codes::INDEX_OPERATOR_CLASS,
            a.span,
            "`SpGist` indexes support only one column",
        );
        return;
    }
    // Diagnostics go straight to `cx.diags` so the model can stay borrowed.
    let model = cx.schema.model(id);
    for f in fields {
        let field = model.field(f.field);
        let native = field.native_type.as_ref().map(|n| n.name.as_str());
        match &f.operator_class {
            None => {
                if !index_rules::default_ops_support(alg, &field.field_type, field.arity, native) {
                    cx.diags.push(
                        Diagnostic::error(
                            codes::INDEX_OPERATOR_CLASS,
                            a.span,
                            format!(
                                "the `{alg_name}` index type does not support the type of field `{}`",
                                field.name
                            ),
                        )
                        .with_help("choose an operator class with `ops:` or another index type"),
                    );
                }
            }
            Some(ir::OperatorClass::Raw(_)) => {}
            Some(ir::OperatorClass::Named(op)) => {
                let Some(spec) = index_rules::find(op) else {
                    cx.diags.error(
                        codes::INDEX_OPERATOR_CLASS,
                        a.span,
                        format!("unknown operator class `{op}`"),
                    );
                    continue;
                };
                if spec.algorithm != alg {
                    cx.diags.push(
                        Diagnostic::error(
                            codes::INDEX_OPERATOR_CLASS,
                            a.span,
                            format!("operator class `{op}` is not supported with the `{alg_name}` index type"),
                        )
                        .with_help(format!(
                            "`{op}` belongs to `{}` indexes",
                            index_rules::algorithm_name(spec.algorithm)
                        )),
                    );
                    continue;
                }
                use index_rules::Needs;
                let problem = match spec.needs {
                    Needs::List => (field.arity != Arity::List).then(|| {
                        format!("`{op}` needs a list field; `{}` is not a list", field.name)
                    }),
                    Needs::Jsonb => {
                        if field.field_type != FieldType::Scalar(ScalarType::Json) {
                            Some(format!(
                                "`{op}` needs a `Json` field; `{}` is not one",
                                field.name
                            ))
                        } else if native == Some("Json") {
                            Some(format!(
                                "`{op}` does not support native type `Json` of field `{}`",
                                field.name
                            ))
                        } else {
                            None
                        }
                    }
                    Needs::Text => {
                        if field.field_type != FieldType::Scalar(ScalarType::String)
                            || field.arity == Arity::List
                        {
                            Some(format!(
                                "`{op}` needs a `String` field; `{}` is not one",
                                field.name
                            ))
                        } else if native.is_some_and(|n| !matches!(n, "Text" | "VarChar" | "Char"))
                        {
                            Some(format!(
                                "`{op}` does not support native type `{}` of field `{}`",
                                native.unwrap_or(""),
                                field.name
                            ))
                        } else {
                            None
                        }
                    }
                    Needs::Native(allowed) => native_problem(op, field, native, allowed, None),
                    Needs::NativeOrDefault(scalar, allowed) => {
                        native_problem(op, field, native, allowed, Some(scalar))
                    }
                };
                if let Some(msg) = problem {
                    cx.diags.error(codes::INDEX_OPERATOR_CLASS, a.span, msg);
                }
            }
        }
    }
}

/// What is wrong, if anything, with an operator class that needs one of
/// `allowed` native types (or, with `default_of`, no native type on a field of
/// that scalar type, whose default column type fits).
fn native_problem(
    op: &str,
    field: &ir::ScalarField,
    native: Option<&str>,
    allowed: &[&str],
    default_of: Option<ScalarType>,
) -> Option<String> {
    match native {
        None if default_of.is_some_and(|s| field.field_type == FieldType::Scalar(s)) => None,
        None => Some(format!(
            "`{op}` needs field `{}` to declare a native type ({})",
            field.name,
            allowed
                .iter()
                .map(|n| format!("`@db.{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(n) if !allowed.contains(&n) => Some(format!(
            "`{op}` does not support native type `{n}` of field `{}`",
            field.name
        )),
        _ => None,
    }
}

/// Pass 5b (after relations): per-model checks that need the whole model.
pub(super) fn check_models(cx: &mut Ctx<'_>) {
    let mut out = Vec::new();
    for (i, spans) in cx.spans.iter().enumerate() {
        let Some(ast_model) = spans.ast else { continue };
        let model = cx.schema.model(ModelId(i as u32));
        let kind = if model.is_view() { "view" } else { "model" };
        // Multi-schema: every model needs @@schema once schemas are declared.
        if !cx.declared_schemas().is_empty() && model.schema.is_none() {
            out.push(
                Diagnostic::error(
                    codes::SCHEMA_ATTRIBUTE,
                    ast_model.name.span,
                    format!("{kind} `{}` has no `@@schema` attribute", model.name),
                )
                .with_help(
                    "the datasource lists `schemas`, so every model, view and enum must say which one it lives in",
                ),
            );
        }
        if model.is_view() {
            if let Some(pk_span) = spans.primary_key {
                out.push(
                    Diagnostic::warning(
                        codes::VIEW_ID,
                        pk_span,
                        format!("view `{}` declares a primary key, which views do not have in the database", model.name),
                    )
                    .with_help(
                        "refract uses it only to identify rows in the client; current Prisma rejects it, `@unique` is accepted by both",
                    ),
                );
            }
            continue;
        }
        if model.is_ignored {
            continue;
        }
        let has_criteria = model.primary_key.is_some()
            || model
                .indexes
                .iter()
                .filter(|ix| ix.kind == ir::IndexKind::Unique)
                .any(|ix| {
                    ix.fields
                        .iter()
                        .all(|f| model.field(f.field).arity == Arity::Required)
                });
        if !has_criteria {
            out.push(
                Diagnostic::error(
                    codes::MISSING_ID,
                    ast_model.name.span,
                    format!("model `{}` has no unique criterion", model.name),
                )
                .with_help(
                    "mark a field `@id` or `@unique`, or add `@@id([...])` or `@@unique([...])` over required fields",
                ),
            );
        }
    }
    if !cx.declared_schemas().is_empty() {
        for (e, span) in cx.schema.enums.iter().zip(&cx.enum_spans) {
            if e.schema.is_none() {
                out.push(
                    Diagnostic::error(
                        codes::SCHEMA_ATTRIBUTE,
                        *span,
                        format!("enum `{}` has no `@@schema` attribute", e.name),
                    )
                    .with_help(
                        "the datasource lists `schemas`, so every model, view and enum must say which one it lives in",
                    ),
                );
            }
        }
    }
    for d in out {
        cx.push(d);
    }
}

//! A model's fields (pass 4): names, types and arities, relation fields,
//! and the field attributes `@id`, `@unique`, `@updatedAt`, `@map`,
//! `@ignore`, `@relation` (whose arguments the relations pass reads).

use super::*;

/// Pass 4a: field types and field attributes.
pub(in crate::resolve) fn resolve_model_fields<'a>(
    id: ModelId,
    m: &'a ast::Model,
    cx: &mut Ctx<'a>,
) {
    let kind = if cx.schema.model(id).is_view() {
        "view"
    } else {
        "model"
    };
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
            cx.error_with_help(
                codes::SYNTAX,
                colon,
                "field declarations do not use a `:`",
                "write `name Type`",
            );
        }
        let Some(ty) = &f.field_type else {
            cx.error_with_help(
                codes::INVALID_FIELD,
                f.span,
                format!("field `{}` has no type", f.name.name),
                "a field is written `name Type`, e.g. `email String`",
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
        if let Some(invalid) = ty.invalid_arity {
            let (message, help) = match invalid {
                ast::InvalidArity::OptionalList => (
                    "optional lists are not supported",
                    "use either `Type[]` or `Type?`",
                ),
                ast::InvalidArity::LegacyRequired => (
                    "fields are required by default; `!` is not needed",
                    "remove the `!`",
                ),
                ast::InvalidArity::LegacyList => (
                    "lists are written `Type[]`, not `[Type]`",
                    "move the brackets after the type",
                ),
            };
            cx.error_with_help(codes::UNSUPPORTED_ARITY, ty.span, message, help);
            continue;
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
                    let candidates: Vec<&str> = ScalarType::ALL
                        .iter()
                        .map(|s| s.name())
                        .chain(cx.schema.models.iter().map(|m| m.name.as_str()))
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
        scalar_field_attributes(id, fid, f, &mut field, &mut pk_fields, cx);
        let model = &mut cx.schema.models[id.0 as usize];
        model.field_order.push(ir::FieldRef::Scalar(fid));
        model.fields.push(field);
        cx.spans[id.0 as usize].fields.push(f);
    }
    if !pk_fields.more.is_empty() {
        for span in pk_fields.first.iter().chain(&pk_fields.more) {
            cx.error_with_help(
                codes::MULTIPLE_IDS,
                *span,
                "at most one field can be marked `@id`",
                "for a compound primary key, write `@@id([a, b])` on the model",
            );
        }
    }
}

pub(super) fn relation_field<'a>(
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
            "map" => cx.error_with_help(
                codes::ATTRIBUTE_MISPLACED,
                a.span,
                "`@map` cannot be used on relation fields",
                "map the scalar foreign-key fields instead, or name the constraint with `@relation(map: \"...\")`",
            ),
            n @ ("id" | "unique" | "default" | "updatedAt") => cx.error_with_help(
                codes::ATTRIBUTE_MISPLACED,
                a.span,
                format!("`@{n}` cannot be used on relation fields"),
                "put it on the scalar foreign-key field",
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

pub(super) fn scalar_field_attributes(
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
                    cx.error_with_help(
                        codes::INVALID_UPDATED_AT,
                        a.span,
                        "`@updatedAt` can only be used on `DateTime` fields",
                        format!(
                            "change the type of `{}` to `DateTime`, or remove `@updatedAt`",
                            field.name
                        ),
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
            "relation" => cx.error_with_help(
                codes::ATTRIBUTE_MISPLACED,
                a.span,
                "`@relation` can only be used on relation fields",
                format!(
                    "`{}` is a scalar field; put `@relation` on the field whose type is a model",
                    field.name
                ),
            ),
            "shardKey" => {}
            n if cx.is_native_type_attribute(n) => field.native_type = native_type(field, a, cx),
            other => {
                // A native type of another datasource's prefix: Prisma
                // reports it only when validating, after completion.
                if other.contains('.') {
                    cx.later_stage_errors += 1;
                }
                unknown_attribute(cx, a, "@", other, FIELD_ATTRIBUTES)
            }
        }
    }
}

/// The name a repeated field attribute is detected by: native types all
/// count as one attribute, `@db.*`.
pub(super) fn duplicate_key<'n>(cx: &Ctx<'_>, name: &'n str) -> &'n str {
    if cx.is_native_type_attribute(name) {
        "db"
    } else {
        name
    }
}

pub(super) fn sort_order(e: &Expression, cx: &mut Ctx<'_>) -> Option<ir::SortOrder> {
    match as_constant(e, &mut cx.diags)? {
        "Asc" => Some(ir::SortOrder::Asc),
        "Desc" => Some(ir::SortOrder::Desc),
        other => {
            cx.error_with_help(
                codes::ATTRIBUTE_ARGUMENT,
                e.span(),
                format!("unknown sort order `{other}`"),
                "use `Asc` or `Desc`",
            );
            None
        }
    }
}

pub(super) fn clustered(r: &mut ArgReader<'_>, cx: &mut Ctx<'_>) -> Option<bool> {
    let e = r.take("clustered")?;
    let v = as_bool(e, &mut cx.diags);
    cx.push(Diagnostic::error(
        codes::ATTRIBUTE_ARGUMENT,
        e.span(),
        "clustering is not supported on PostgreSQL",
    ));
    v
}

/// What `@id` and `@unique` both take: `map:`, `sort:`, `length:` and
/// `clustered:`; the field comes back as the one field of its index.
fn field_level_arguments(
    fid: FieldId,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) -> (Option<String>, Vec<ir::IndexField>, Option<bool>) {
    let mut r = ArgReader::new(a, "@", None, &mut cx.diags);
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let field = ir::IndexField {
        field: fid,
        sort: r.take("sort").and_then(|e| sort_order(e, cx)),
        length: r.take("length").and_then(|e| as_u32(e, &mut cx.diags)),
        operator_class: None,
    };
    let clustered = clustered(&mut r, cx);
    r.finish(&mut cx.diags);
    (db_name, vec![field], clustered)
}

pub(super) fn field_level_id(
    id: ModelId,
    fid: FieldId,
    f: &ast::Field,
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) {
    let (db_name, fields, clustered) = field_level_arguments(fid, a, cx);
    if field.arity != Arity::Required {
        let written = if field.arity == Arity::List {
            "[]"
        } else {
            "?"
        };
        cx.error_with_help(
            codes::INVALID_ID,
            f.span,
            "fields marked `@id` must be required",
            format!("remove `{written}` from the type"),
        );
    }
    let model = &mut cx.schema.models[id.0 as usize];
    if model.primary_key.is_none() {
        model.primary_key = Some(ir::PrimaryKey {
            fields,
            name: None,
            has_explicit_db_name: db_name.is_some(),
            db_name: db_name.unwrap_or_default(),
            clustered,
            is_field_level: true,
        });
        cx.spans[id.0 as usize].primary_key = Some(a.span);
    }
}

pub(super) fn field_level_unique(
    id: ModelId,
    fid: FieldId,
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) {
    let (db_name, fields, clustered) = field_level_arguments(fid, a, cx);
    if matches!(field.field_type, FieldType::Unsupported(_)) {
        cx.error(
            codes::INVALID_INDEX,
            a.span,
            "`Unsupported` fields cannot be `@unique`",
        );
    }
    if cx.schema.model(id).is_view() && db_name.is_some() {
        cx.error_with_help(
            codes::VIEW,
            a.span,
            "`@unique` on a view names no database index, so it cannot have `map:`",
            "remove `map:`",
        );
    }
    cx.schema.models[id.0 as usize].indexes.push(ir::Index {
        kind: ir::IndexKind::Unique,
        fields,
        name: None,
        has_explicit_db_name: db_name.is_some(),
        db_name: db_name.unwrap_or_default(),
        algorithm: None,
        clustered,
        is_field_level: true,
    });
    cx.spans[id.0 as usize].indexes.push(a.span);
}

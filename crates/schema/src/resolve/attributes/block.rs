//! A model's block attributes, in source order: `@@id`, `@@unique`,
//! `@@index`, `@@fulltext`, `@@map`, `@@schema`, `@@ignore`, and the fields
//! an id or index lists.

use super::*;

/// Pass 4b: block attributes (`@@id`, `@@unique`, `@@index`, `@@map`, ...).
pub(in crate::resolve) fn resolve_block_attributes<'a>(
    id: ModelId,
    m: &'a ast::Model,
    cx: &mut Ctx<'a>,
) {
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
                cx.error_with_help(
                    codes::INVALID_INDEX,
                    a.span,
                    "`@@fulltext` indexes are not supported on PostgreSQL",
                    "use `@@index([...], type: Gin)` on a tsvector column, or full-text search in raw SQL",
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

/// The field list of `@@id`, `@@unique`, `@@index`: `[a, b(sort: Desc), c(ops: X)]`
/// (`None` when not given, reported).
pub(super) fn index_fields(
    id: ModelId,
    a: &ast::Attribute,
    value: Option<&Expression>,
    cx: &mut Ctx<'_>,
) -> Option<Vec<ir::IndexField>> {
    let Some(value) = value else {
        let display = format!("@@{}", a.name.name);
        cx.error(
            codes::ATTRIBUTE_ARGUMENT,
            a.span,
            format!("`{display}` needs the list of fields: `{display}([a, b])`"),
        );
        return None;
    };
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
                cx.error_with_help(
                    codes::ATTRIBUTE_ARGUMENT,
                    *span,
                    format!("expected a field name, found the string `\"{s}\"`"),
                    format!("write field names without quotes: `{s}`"),
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
                quoted(&unknown, ", ")
            ),
        );
        if let [one] = unknown.as_slice()
            && let Some(s) = closest(one, candidates.iter().map(String::as_str))
        {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        cx.push(d);
        cx.reading_failed = true;
        ok = false;
    }
    if !relation_refs.is_empty() {
        cx.reading_failed = true;
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
                quoted(&relation_refs, ", "),
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
pub(super) fn relation_scalar_fields(
    cx: &Ctx<'_>,
    id: ModelId,
    relation_field: &str,
) -> Vec<String> {
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

pub(super) fn block_id(id: ModelId, a: &ast::Attribute, cx: &mut Ctx<'_>) {
    let mut r = ArgReader::new(a, "@@", Some("fields"), &mut cx.diags);
    let fields_expr = r.take("fields");
    let name = r.take("name").and_then(|e| as_string(e, &mut cx.diags));
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let clustered = clustered(&mut r, cx);
    r.finish(&mut cx.diags);
    let Some(fields) = index_fields(id, a, fields_expr, cx) else {
        return;
    };
    let model = cx.schema.model(id);
    if model.primary_key.is_some() {
        cx.error_with_help(
            codes::MULTIPLE_IDS,
            a.span,
            format!("model `{}` has both `@id` and `@@id`", model.name),
            "keep one primary key",
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
        let list = quoted(&optional, ", ");
        cx.error_with_help(
            codes::INVALID_ID,
            a.span,
            format!("the fields of a primary key must be required; {list} are not"),
            "make them required or choose other fields",
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

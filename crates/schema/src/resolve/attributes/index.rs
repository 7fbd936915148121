//! `@@index`, `@@unique` and `@@fulltext`: their arguments, and the index
//! type (`BTree`, `Gin`, ...) against each field's operator class (facts in
//! `../index_rules.rs`).

use super::*;

pub(super) fn block_index(id: ModelId, a: &ast::Attribute, kind: ir::IndexKind, cx: &mut Ctx<'_>) {
    let mut r = ArgReader::new(a, "@@", Some("fields"), &mut cx.diags);
    let fields_expr = r.take("fields");
    let name = r.take("name").and_then(|e| as_string(e, &mut cx.diags));
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    let algorithm = r.take("type").and_then(|e| {
        let c = as_constant(e, &mut cx.diags)?;
        let alg = ir::IndexAlgorithm::from_name(c);
        if alg.is_none() {
            cx.error_with_help(
                codes::ATTRIBUTE_ARGUMENT,
                e.span(),
                format!("unknown index type `{c}`"),
                "PostgreSQL index types: `BTree`, `Hash`, `Gist`, `Gin`, `SpGist`, `Brin`",
            );
        }
        alg
    });
    let clustered = clustered(&mut r, cx);
    if let Some(w) = r.take("where")
        && !cx.has_preview("partialIndexes")
    {
        cx.error(
            codes::PREVIEW_FEATURE_REQUIRED,
            w.span(),
            "partial indexes (`where:`) need the `partialIndexes` preview feature",
        );
    }
    r.finish(&mut cx.diags);
    if kind == ir::IndexKind::Unique && algorithm.is_some() {
        cx.error(
            codes::ATTRIBUTE_ARGUMENT,
            a.span,
            "`@@unique` does not take an index `type`",
        );
    }
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
                // Prisma rejects an unknown operator class with or without `type:`.
                match index_rules::find(op).map(|o| o.algorithm) {
                    None => cx.error(
                        codes::INDEX_OPERATOR_CLASS,
                        a.span,
                        format!("unknown operator class `{op}`"),
                    ),
                    Some(ir::IndexAlgorithm::BTree) => {}
                    Some(other) => cx.error_with_help(
                        codes::INDEX_OPERATOR_CLASS,
                        a.span,
                        format!(
                            "operator class `{op}` is not supported with the `BTree` index type"
                        ),
                        format!("add `type: {}`", other.name()),
                    ),
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
pub(super) fn check_index_algorithm(
    id: ModelId,
    a: &ast::Attribute,
    alg: ir::IndexAlgorithm,
    fields: &[ir::IndexField],
    cx: &mut Ctx<'_>,
) {
    let alg_name = alg.name();
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
                    cx.diags.error_with_help(
                        codes::INDEX_OPERATOR_CLASS,
                        a.span,
                        format!(
                            "the `{alg_name}` index type does not support the type of field `{}`",
                            field.name
                        ),
                        "choose an operator class with `ops:` or another index type",
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
                    cx.diags.error_with_help(
                        codes::INDEX_OPERATOR_CLASS,
                        a.span,
                        format!("operator class `{op}` is not supported with the `{alg_name}` index type"),
                        format!("`{op}` belongs to `{}` indexes", spec.algorithm.name()),
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

//! Checks over whole models once relations are known (after pass 5): an id or
//! unique criterion for every model, `@@schema` on every block when the
//! datasource lists `schemas`, and views' primary keys.

use super::*;

/// Pass 5b (after relations): per-model checks that need the whole model.
pub(in crate::resolve) fn check_models(cx: &mut Ctx<'_>) {
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

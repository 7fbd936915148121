//! Checks over whole models once relations are known (after pass 5): an id or
//! unique criterion for every model, `@@schema` on every block when the
//! datasource lists `schemas`, and views' primary keys.

use super::*;

const NEEDS_SCHEMA: &str =
    "the datasource lists `schemas`, so every model, view and enum must say which one it lives in";

/// Pass 5b (after relations): per-model checks that need the whole model.
pub(in crate::resolve) fn check_models(cx: &mut Ctx<'_>) {
    let multi_schema = !cx.declared_schemas().is_empty();
    // Disjoint borrows: the models are read while diagnostics are pushed.
    let diags = &mut cx.diags;
    for (model, spans) in cx.schema.models.iter().zip(&cx.spans) {
        let Some(ast_model) = spans.ast else { continue };
        let kind = if model.is_view() { "view" } else { "model" };
        // Multi-schema: every model needs @@schema once schemas are declared.
        if multi_schema && model.schema.is_none() {
            diags.error_with_help(
                codes::SCHEMA_ATTRIBUTE,
                ast_model.name.span,
                format!("{kind} `{}` has no `@@schema` attribute", model.name),
                NEEDS_SCHEMA,
            );
        }
        if model.is_view() {
            if let Some(pk_span) = spans.primary_key {
                diags.push(
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
            diags.error_with_help(
                codes::MISSING_ID,
                ast_model.name.span,
                format!("model `{}` has no unique criterion", model.name),
                "mark a field `@id` or `@unique`, or add `@@id([...])` or `@@unique([...])` over required fields",
            );
        }
    }
    if multi_schema {
        for (e, span) in cx.schema.enums.iter().zip(&cx.enum_spans) {
            if e.schema.is_none() {
                diags.error_with_help(
                    codes::SCHEMA_ATTRIBUTE,
                    *span,
                    format!("enum `{}` has no `@@schema` attribute", e.name),
                    NEEDS_SCHEMA,
                );
            }
        }
    }
}

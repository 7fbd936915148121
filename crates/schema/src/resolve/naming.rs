//! Database names: Prisma's default constraint names and collision checks.
//!
//! Defaults are built from database names (after `@map`/`@@map`) and cut to
//! PostgreSQL's 63-byte identifier limit before the suffix, as Prisma does:
//! `{table}_pkey`, `{table}_{columns}_key`, `{table}_{columns}_idx`,
//! `{table}_{columns}_fkey`.

use std::collections::HashMap;

use super::Ctx;
use crate::diagnostics::{Diagnostic, codes};
use crate::ir::{self, IndexKind};
use crate::source::Span;

/// PostgreSQL's identifier length limit in bytes.
const MAX_IDENTIFIER: usize = 63;

fn truncated(mut base: String, suffix: &str) -> String {
    let limit = MAX_IDENTIFIER - suffix.len();
    if base.len() > limit {
        let mut cut = limit;
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        base.truncate(cut);
    }
    base.push_str(suffix);
    base
}

fn with_columns(table: &str, columns: &[&str], suffix: &str) -> String {
    let mut base = String::with_capacity(table.len() + 16);
    base.push_str(table);
    base.push('_');
    base.push_str(&columns.join("_"));
    truncated(base, suffix)
}

pub fn primary_key_name(table: &str) -> String {
    truncated(table.to_string(), "_pkey")
}

pub fn unique_name(table: &str, columns: &[&str]) -> String {
    with_columns(table, columns, "_key")
}

pub fn index_name(table: &str, columns: &[&str]) -> String {
    with_columns(table, columns, "_idx")
}

pub fn foreign_key_name(table: &str, columns: &[&str]) -> String {
    with_columns(table, columns, "_fkey")
}

/// Two models or views with one table name in one schema.
pub(super) fn duplicate_table_names(cx: &mut Ctx<'_>) {
    let mut reports = Vec::new();
    {
        let mut seen: HashMap<(Option<&str>, &str), usize> = HashMap::new();
        for (i, m) in cx.schema.models.iter().enumerate() {
            let key = (m.schema.as_deref(), m.db_name.as_str());
            if let Some(&first) = seen.get(&key) {
                let span = cx.spans[i]
                    .map_span
                    .or(cx.spans[i].ast.map(|a| a.name.span))
                    .unwrap_or_default();
                let first_name = &cx.schema.models[first].name;
                reports.push(
                    Diagnostic::error(
                        codes::DUPLICATE_DB_NAME,
                        span,
                        format!(
                            "the table name `{}` is already used by `{first_name}`",
                            m.db_name
                        ),
                    )
                    .with_help("give one of them another name with `@@map(\"...\")`"),
                );
            } else {
                seen.insert(key, i);
            }
        }
    }
    for d in reports {
        cx.push(d);
    }
    // Enums: one type name per schema.
    let mut seen_enums: HashMap<(Option<String>, String), usize> = HashMap::new();
    for i in 0..cx.schema.enums.len() {
        let e = &cx.schema.enums[i];
        let key = (e.schema.clone(), e.db_name.clone());
        if seen_enums.contains_key(&key) {
            let msg = format!(
                "an enum with the database name `{}` is already defined",
                e.db_name
            );
            // Enums keep no span table; report on the first model-free location we know: none.
            cx.push(Diagnostic::error(
                codes::DUPLICATE_DB_NAME,
                enum_span(cx, i),
                msg,
            ));
        } else {
            seen_enums.insert(key, i);
        }
    }
    // Column names within a table.
    for i in 0..cx.schema.models.len() {
        let m = &cx.schema.models[i];
        let mut cols: HashMap<&str, usize> = HashMap::new();
        let mut dups = Vec::new();
        for (j, f) in m.fields.iter().enumerate() {
            if let Some(&first) = cols.get(f.db_name.as_str()) {
                dups.push((j, first));
            } else {
                cols.insert(&f.db_name, j);
            }
        }
        for (j, first) in dups {
            let m = &cx.schema.models[i];
            let msg = format!(
                "fields `{}` and `{}` of model `{}` map to the same column `{}`",
                m.fields[first].name, m.fields[j].name, m.name, m.fields[j].db_name
            );
            let span = cx.spans[i]
                .fields
                .get(j)
                .map(|f| f.span)
                .unwrap_or_default();
            cx.push(Diagnostic::error(codes::DUPLICATE_DB_NAME, span, msg));
        }
    }
}

fn enum_span(cx: &Ctx<'_>, _index: usize) -> Span {
    cx.enum_spans.get(_index).copied().unwrap_or_default()
}

/// Fills default constraint names and reports collisions. PostgreSQL keeps
/// primary keys, unique constraints and indexes in one namespace per schema;
/// foreign keys are per table.
pub(super) fn check_constraint_names(cx: &mut Ctx<'_>) {
    let schema = &mut cx.schema;
    for m in &mut schema.models {
        let table = m.db_name.clone();
        let col = |m: &ir::Model, f: &ir::IndexField| m.field(f.field).db_name.clone();
        if let Some(pk) = &mut m.primary_key {
            if pk.db_name.is_empty() {
                pk.db_name = primary_key_name(&table);
            }
        }
        let names: Vec<Vec<String>> = m
            .indexes
            .iter()
            .map(|ix| ix.fields.iter().map(|f| col(m, f)).collect())
            .collect();
        for (ix, cols) in m.indexes.iter_mut().zip(names) {
            if ix.db_name.is_empty() {
                let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
                ix.db_name = match ix.kind {
                    IndexKind::Unique => unique_name(&table, &cols),
                    IndexKind::Normal | IndexKind::Fulltext => index_name(&table, &cols),
                };
            }
        }
    }
    let mut global: HashMap<(Option<String>, String), (usize, Span)> = HashMap::new();
    let mut reports: Vec<(Span, String)> = Vec::new();
    for (i, m) in cx.schema.models.iter().enumerate() {
        if m.is_view() {
            continue;
        }
        let spans = &cx.spans[i];
        let mut names: Vec<(String, Span)> = Vec::new();
        if let Some(pk) = &m.primary_key {
            names.push((pk.db_name.clone(), spans.primary_key.unwrap_or_default()));
        }
        for (k, ix) in m.indexes.iter().enumerate() {
            names.push((
                ix.db_name.clone(),
                spans.indexes.get(k).copied().unwrap_or_default(),
            ));
        }
        for (name, span) in names {
            let key = (m.schema.clone(), name.clone());
            if let Some((first, first_span)) = global.get(&key) {
                if *first_span != span {
                    reports.push((*first_span, name.clone()));
                }
                let _ = first;
                reports.push((span, name));
            } else {
                global.insert(key, (i, span));
            }
        }
    }
    reports.dedup();
    let mut done: Vec<(Span, String)> = Vec::new();
    for (span, name) in reports {
        if done.contains(&(span, name.clone())) {
            continue;
        }
        done.push((span, name.clone()));
        cx.push(
            Diagnostic::error(
                codes::DUPLICATE_DB_NAME,
                span,
                format!("the constraint name `{name}` is used twice; primary keys, unique constraints and indexes share one namespace per schema"),
            )
            .with_help("give one of them another name with `map: \"...\"`"),
        );
    }
}

//! Database names: Prisma's default constraint names and collision checks.
//!
//! Defaults are built from database names (after `@map`/`@@map`) and cut to
//! PostgreSQL's 63-byte identifier limit before the suffix, as Prisma does:
//! `{table}_pkey`, `{table}_{columns}_key`, `{table}_{columns}_idx`,
//! `{table}_{columns}_fkey`.

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

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

/// `{table}_{c1}_{c2}...{suffix}`, written straight into one string (no
/// joined temporary): the resolver names every index and foreign key.
pub(super) fn with_column_names<'c>(
    table: &str,
    columns: impl Iterator<Item = &'c str> + Clone,
    suffix: &str,
) -> String {
    // Sized for the whole name, suffix included, so it is allocated once.
    let columns_len: usize = columns.clone().map(|c| c.len() + 1).sum();
    let mut base = String::with_capacity(table.len() + columns_len + suffix.len());
    base.push_str(table);
    base.push('_');
    for (i, column) in columns.enumerate() {
        if i > 0 {
            base.push('_');
        }
        base.push_str(column);
    }
    truncated(base, suffix)
}

fn primary_key_name(table: &str) -> String {
    let mut base = String::with_capacity(table.len() + "_pkey".len());
    base.push_str(table);
    truncated(base, "_pkey")
}

/// Two models or views with one table name in one schema.
pub(super) fn duplicate_table_names(cx: &mut Ctx<'_>) {
    // Disjoint borrows: the name tables borrow the IR while diagnostics are pushed.
    let Ctx {
        diags,
        schema,
        spans,
        enum_spans,
        ..
    } = cx;
    let mut seen: FxHashMap<(Option<&str>, &str), usize> =
        FxHashMap::with_capacity_and_hasher(schema.models.len(), FxBuildHasher);
    for (i, m) in schema.models.iter().enumerate() {
        let key = (m.schema.as_deref(), m.db_name.as_str());
        if let Some(&first) = seen.get(&key) {
            let span = spans[i]
                .map_span
                .or(spans[i].ast.map(|a| a.name.span))
                .unwrap_or_default();
            let first_name = &schema.models[first].name;
            diags.error_with_help(
                codes::DUPLICATE_DB_NAME,
                span,
                format!(
                    "the table name `{}` is already used by `{first_name}`",
                    m.db_name
                ),
                "give one of them another name with `@@map(\"...\")`",
            );
        } else {
            seen.insert(key, i);
        }
    }
    // Enums: one type name per schema.
    let mut seen_enums: FxHashSet<(Option<&str>, &str)> =
        FxHashSet::with_capacity_and_hasher(schema.enums.len(), FxBuildHasher);
    for (i, e) in schema.enums.iter().enumerate() {
        if !seen_enums.insert((e.schema.as_deref(), e.db_name.as_str())) {
            let msg = format!(
                "an enum with the database name `{}` is already defined",
                e.db_name
            );
            diags.push(Diagnostic::error(
                codes::DUPLICATE_DB_NAME,
                enum_spans.get(i).copied().unwrap_or_default(),
                msg,
            ));
        }
    }
    // Column names within a table. One table of names, emptied per model.
    let mut cols: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, m) in schema.models.iter().enumerate() {
        cols.clear();
        cols.reserve(m.fields.len());
        for (j, f) in m.fields.iter().enumerate() {
            let first = *cols.entry(f.db_name.as_str()).or_insert(j);
            if first == j {
                continue;
            }
            let msg = format!(
                "fields `{}` and `{}` of model `{}` map to the same column `{}`",
                m.fields[first].name, f.name, m.name, f.db_name
            );
            let span = spans[i].fields.get(j).map(|f| f.span).unwrap_or_default();
            diags.push(Diagnostic::error(codes::DUPLICATE_DB_NAME, span, msg));
        }
    }
}

/// Fills default constraint names and reports collisions. PostgreSQL keeps
/// primary keys, unique constraints and indexes in one namespace per schema;
/// foreign keys are per table.
pub(super) fn check_constraint_names(cx: &mut Ctx<'_>) {
    let mut constraint_count = 0;
    for m in &mut cx.schema.models {
        // Disjoint borrows: names are built from the table and columns in place.
        let ir::Model {
            db_name: table,
            fields,
            primary_key,
            indexes,
            ..
        } = m;
        if let Some(pk) = primary_key
            && pk.db_name.is_empty()
        {
            pk.db_name = primary_key_name(table);
        }
        for ix in indexes.iter_mut() {
            if ix.db_name.is_empty() {
                let cols = ix
                    .fields
                    .iter()
                    .map(|f| fields[f.field.0 as usize].db_name.as_str());
                ix.db_name = match ix.kind {
                    IndexKind::Unique => with_column_names(table, cols, "_key"),
                    IndexKind::Normal | IndexKind::Fulltext => {
                        with_column_names(table, cols, "_idx")
                    }
                };
            }
        }
        constraint_count += usize::from(primary_key.is_some()) + indexes.len();
    }
    let Ctx {
        diags,
        schema,
        spans,
        ..
    } = cx;
    let mut global: FxHashMap<(Option<&str>, &str), Span> =
        FxHashMap::with_capacity_and_hasher(constraint_count, FxBuildHasher);
    let mut reports: Vec<(Span, &str)> = Vec::new();
    for (i, m) in schema.models.iter().enumerate() {
        if m.is_view() {
            continue;
        }
        let spans = &spans[i];
        let pk = m
            .primary_key
            .iter()
            .map(|pk| (pk.db_name.as_str(), spans.primary_key.unwrap_or_default()));
        let indexes = m.indexes.iter().enumerate().map(|(k, ix)| {
            (
                ix.db_name.as_str(),
                spans.indexes.get(k).copied().unwrap_or_default(),
            )
        });
        for (name, span) in pk.chain(indexes) {
            let key = (m.schema.as_deref(), name);
            if let Some(first_span) = global.get(&key) {
                if *first_span != span {
                    reports.push((*first_span, name));
                }
                reports.push((span, name));
            } else {
                global.insert(key, span);
            }
        }
    }
    reports.dedup();
    let mut done: Vec<(Span, &str)> = Vec::new();
    for (span, name) in reports {
        if done.contains(&(span, name)) {
            continue;
        }
        done.push((span, name));
        diags.error_with_help(
            codes::DUPLICATE_DB_NAME,
            span,
            format!("the constraint name `{name}` is used twice; primary keys, unique constraints and indexes share one namespace per schema"),
            "give one of them another name with `map: \"...\"`",
        );
    }
}

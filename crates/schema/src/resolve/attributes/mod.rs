//! Field types and attributes of models and enums → IR fields, ids, indexes.
//!
//! One function per attribute (`id`, `unique`, `default`, `map`, ...); each
//! reads its arguments through [`ArgReader`] so unknown arguments are reported.
//! Split by concern: `enums`, `fields` (types and field attributes),
//! `default`, `native_type`, `block` (block attributes and the fields they
//! list), `index` (index arguments and types), `model_checks`; this file
//! holds what they share (attribute tables, `@map`/`@@schema` arguments,
//! repeated and unknown attributes).

mod block;
mod default;
mod enums;
mod fields;
mod index;
mod model_checks;
mod native_type;

use block::*;
use default::*;
use fields::*;
use index::*;
use native_type::*;

pub(super) use block::resolve_block_attributes;
pub(super) use enums::{resolve_enum, resolve_enum_attributes};
pub(super) use fields::resolve_model_fields;
pub(super) use model_checks::check_models;

use rustc_hash::{FxBuildHasher, FxHashSet};

use super::args::{
    ArgReader, as_array, as_bool, as_constant, as_string, as_u32, short, type_error,
};
use super::{Ctx, closest, index_rules, native_types, quoted};
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

/// The string an attribute needs as its one argument (`@map("x")`,
/// `@@schema("s")`, under the name `key`); `missing` says what is wanted
/// when it is absent.
fn string_argument(
    a: &ast::Attribute,
    prefix: &'static str,
    key: &'static str,
    missing: impl FnOnce() -> String,
    cx: &mut Ctx<'_>,
) -> Option<String> {
    let mut r = ArgReader::new(a, prefix, Some(key), &mut cx.diags);
    let out = match r.take(key) {
        Some(e) => as_string(e, &mut cx.diags),
        None => {
            cx.error(codes::ATTRIBUTE_ARGUMENT, a.span, missing());
            None
        }
    };
    r.finish(&mut cx.diags);
    out
}

fn map_argument(a: &ast::Attribute, prefix: &'static str, cx: &mut Ctx<'_>) -> Option<String> {
    let missing = || format!("`{prefix}map` needs the database name as its argument");
    let out = string_argument(a, prefix, "name", missing, cx);
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
    let missing = || "`@@schema` needs the schema's name as its argument".to_string();
    let name = string_argument(a, "@@", "map", missing, cx)?;
    if !cx.declared_schemas().contains(&name) {
        cx.error_with_help(
            codes::SCHEMA_ATTRIBUTE,
            a.span,
            format!("schema `{name}` is not listed in the datasource's `schemas`"),
            format!("add it: `schemas = [\"{name}\"]` in the datasource block"),
        );
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

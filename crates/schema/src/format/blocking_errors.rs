//! The attribute errors that stop relation completion.
//!
//! Prisma only completes relations when its first resolution stage (names,
//! types, attributes and their arguments, `@default` values) reports no error;
//! later checks (missing back-relations, ambiguous relations, a model without
//! an id...) do not stop it. This module answers "would that stage accept
//! these attributes?" for the formatter, which must not depend on the
//! resolver. It errs towards "no": a schema it rejects is only laid out.

use crate::ast::{Arguments, Arity, Attribute, Expression};

/// What the first positional argument (or its named form) must be.
#[derive(Clone, Copy)]
enum Value {
    String,
    /// `[a, b(sort: Desc)]`.
    Fields,
    Any,
}

struct Spec {
    name: &'static str,
    /// Name of the positional argument when written as a named one, and its value.
    positional: Option<(&'static str, Value)>,
    required: bool,
    named: &'static [&'static str],
    repeatable: bool,
}

const fn spec(name: &'static str, named: &'static [&'static str]) -> Spec {
    Spec {
        name,
        positional: None,
        required: false,
        named,
        repeatable: false,
    }
}

const fn with_value(
    name: &'static str,
    alias: &'static str,
    value: Value,
    named: &'static [&'static str],
) -> Spec {
    Spec {
        name,
        positional: Some((alias, value)),
        required: true,
        named,
        repeatable: false,
    }
}

const fn repeatable(spec: Spec) -> Spec {
    Spec {
        repeatable: true,
        ..spec
    }
}

const INDEX_ARGUMENTS: &[&str] = &["name", "map", "length", "sort", "clustered"];

const SCALAR_FIELD: &[Spec] = &[
    spec("id", &["map", "length", "sort", "clustered"]),
    spec("unique", &["map", "length", "sort", "clustered"]),
    with_value("default", "value", Value::Any, &["map"]),
    with_value("map", "name", Value::String, &[]),
    spec("updatedAt", &[]),
    spec("ignore", &[]),
    spec("shardKey", &[]),
];
const RELATION_FIELD: &[Spec] = &[
    // Arguments checked with the relation itself.
    Spec {
        name: "relation",
        positional: None,
        required: false,
        named: &[],
        repeatable: false,
    },
    spec("ignore", &[]),
];
const COMPOSITE_FIELD: &[Spec] = &[
    with_value("map", "name", Value::String, &[]),
    with_value("default", "value", Value::Any, &[]),
];
const MODEL: &[Spec] = &[
    with_value("id", "fields", Value::Fields, INDEX_ARGUMENTS),
    repeatable(with_value(
        "unique",
        "fields",
        Value::Fields,
        INDEX_ARGUMENTS,
    )),
    repeatable(with_value(
        "index",
        "fields",
        Value::Fields,
        &["name", "map", "type", "clustered", "where"],
    )),
    repeatable(with_value("fulltext", "fields", Value::Fields, &["map"])),
    with_value("map", "name", Value::String, &[]),
    with_value("schema", "name", Value::String, &[]),
    spec("ignore", &[]),
    with_value("shardKey", "fields", Value::Fields, &[]),
];
const ENUM_VALUE: &[Spec] = &[with_value("map", "name", Value::String, &[])];
const ENUM: &[Spec] = &[
    with_value("map", "name", Value::String, &[]),
    with_value("schema", "name", Value::String, &[]),
];

/// Where attributes are written.
#[derive(Clone, Copy)]
pub(super) enum Place {
    ScalarField,
    RelationField,
    CompositeField,
    Model,
    EnumValue,
    Enum,
}

/// Every attribute is known at `place`, appears once unless repeatable, and
/// has arguments of the right names and shapes. Native types (`@db.Uuid`)
/// are accepted on scalar and composite fields; their arguments are checked
/// later by Prisma.
pub(super) fn attributes_resolve(attributes: &[Attribute], place: Place) -> bool {
    let (specs, native_types): (&[Spec], bool) = match place {
        Place::ScalarField => (SCALAR_FIELD, true),
        Place::RelationField => (RELATION_FIELD, false),
        Place::CompositeField => (COMPOSITE_FIELD, true),
        Place::Model => (MODEL, false),
        Place::EnumValue => (ENUM_VALUE, false),
        Place::Enum => (ENUM, false),
    };
    let mut seen: Vec<&str> = Vec::new();
    for attribute in attributes {
        let name = attribute.name.name.as_str();
        if has_empty_argument(&attribute.arguments) {
            return false;
        }
        if name.contains('.') {
            if !native_types {
                return false;
            }
            continue;
        }
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            return false;
        };
        if seen.contains(&name) && !spec.repeatable {
            return false;
        }
        seen.push(name);
        if spec.name != "relation" && !arguments_fit(&attribute.arguments, spec) {
            return false;
        }
    }
    true
}

fn arguments_fit(arguments: &Arguments, spec: &Spec) -> bool {
    let mut names: Vec<&str> = Vec::new();
    let mut has_positional = false;
    for (index, argument) in arguments.items.iter().enumerate() {
        let (is_positional, value) = match (&argument.name, spec.positional) {
            (None, Some((_, value))) if index == 0 => (true, value),
            (None, _) => return false,
            (Some(name), Some((alias, value))) if name.name == alias => (true, value),
            (Some(name), _) if spec.named.contains(&name.name.as_str()) => {
                if matches!(name.name.as_str(), "map" | "name")
                    && argument.value.as_string().is_none()
                {
                    return false;
                }
                (false, Value::Any)
            }
            (Some(_), _) => return false,
        };
        let key = argument.name.as_ref().map_or("", |n| n.name.as_str());
        if is_positional {
            if has_positional {
                return false;
            }
            has_positional = true;
        } else if names.contains(&key) {
            return false;
        }
        names.push(key);
        let fits = match value {
            Value::String => argument.value.as_string().is_some(),
            Value::Fields => matches!(&argument.value, Expression::Array(elements, _)
                if elements.iter().all(|e| matches!(e, Expression::Constant(..) | Expression::Function(..)))),
            Value::Any => true,
        };
        if !fits {
            return false;
        }
    }
    has_positional || !spec.required
}

fn has_empty_argument(arguments: &Arguments) -> bool {
    !arguments.empty.is_empty()
        || arguments
            .items
            .iter()
            .any(|argument| expression_has_empty_argument(&argument.value))
}

fn expression_has_empty_argument(expression: &Expression) -> bool {
    match expression {
        Expression::Function(_, arguments, _) => has_empty_argument(arguments),
        Expression::Array(elements, _) => elements.iter().any(expression_has_empty_argument),
        _ => false,
    }
}

/// The type of a field, as far as `@default` cares.
#[derive(Clone, Copy)]
pub(super) enum DefaultTarget<'a> {
    Builtin(&'a str),
    Enum(&'a [&'a str]),
    CompositeType,
    Unsupported,
}

/// Functions Prisma knows as defaults; any other function is accepted at
/// this stage (and left to the connector).
const KNOWN_FUNCTIONS: &[&str] = &[
    "now",
    "autoincrement",
    "cuid",
    "uuid",
    "nanoid",
    "ulid",
    "dbgenerated",
    "auto",
    "sequence",
];

/// A model field's `@default` value fits its type.
pub(super) fn default_fits(value: &Expression, target: DefaultTarget<'_>, arity: Arity) -> bool {
    if matches!(value, Expression::Function(name, _, _) if name == "dbgenerated") {
        return true;
    }
    match target {
        DefaultTarget::CompositeType | DefaultTarget::Unsupported => false,
        DefaultTarget::Enum(values) => {
            let is_value = |e: &Expression| e.as_constant().is_some_and(|c| values.contains(&c));
            match (value, arity) {
                (Expression::Array(elements, _), Arity::List) => elements.iter().all(is_value),
                (value, _) => is_value(value),
            }
        }
        DefaultTarget::Builtin(scalar) => match value {
            Expression::Function(name, arguments, _) => match name.as_str() {
                "auto" => arguments.items.is_empty(),
                "autoincrement" | "sequence" => matches!(scalar, "Int" | "BigInt"),
                "cuid" | "uuid" | "nanoid" | "ulid" => scalar == "String",
                "now" => scalar == "DateTime" && arguments.items.is_empty(),
                name => !KNOWN_FUNCTIONS.contains(&name),
            },
            Expression::Array(elements, _) => {
                arity == Arity::List && elements.iter().all(|e| literal_fits(e, scalar))
            }
            literal => arity != Arity::List && literal_fits(literal, scalar),
        },
    }
}

fn literal_fits(value: &Expression, scalar: &str) -> bool {
    match (scalar, value) {
        ("String" | "Json" | "Bytes" | "DateTime", Expression::String(..)) => true,
        ("Int" | "BigInt" | "Float", Expression::Numeric(..)) => true,
        ("Decimal", Expression::Numeric(..) | Expression::String(..)) => true,
        ("Boolean", Expression::Constant(c, _)) => c == "true" || c == "false",
        _ => false,
    }
}

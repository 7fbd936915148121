//! `@db.X` native type attributes: the type exists, takes these arguments
//! and fits the field's scalar type (facts in `../native_types.rs`).

use super::*;

pub(super) fn native_type(
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
        cx.error_with_help(
            codes::INVALID_NATIVE_TYPE,
            a.span,
            format!(
                "native type `@db.{name}` does not fit `{}` fields; it is for `{}`",
                scalar.name(),
                spec.scalar.name()
            ),
            format!(
                "native types for `{}`: {}",
                scalar.name(),
                quoted(
                    native_types::names_for(scalar)
                        .iter()
                        .map(|n| format!("@db.{n}")),
                    ", "
                )
            ),
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
    if native_types::has_time_precision(name)
        && let Some(p) = args.first().and_then(|p| p.parse::<u32>().ok())
        && p > 6
    {
        cx.error(
            codes::INVALID_NATIVE_TYPE,
            a.span,
            format!("the precision of `@db.{name}` must be between 0 and 6, found {p}"),
        );
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

/// What is wrong, if anything, with an operator class that needs one of
/// `allowed` native types (or, with `default_of`, no native type on a field of
/// that scalar type, whose default column type fits).
pub(super) fn native_problem(
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
            quoted(allowed.iter().map(|n| format!("@db.{n}")), ", ")
        )),
        Some(n) if !allowed.contains(&n) => Some(format!(
            "`{op}` does not support native type `{n}` of field `{}`",
            field.name
        )),
        _ => None,
    }
}

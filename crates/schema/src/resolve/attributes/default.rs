//! `@default(...)`: functions (`autoincrement()`, `now()`, `uuid()`, ...),
//! enum values and literals, checked against the field's type.

use super::*;

/// `@default(...)`: checks the value against the field's type.
pub(super) fn default_value(
    field: &ir::ScalarField,
    a: &ast::Attribute,
    cx: &mut Ctx<'_>,
) -> Option<ir::DefaultValue> {
    let mut r = ArgReader::new(a, "@", Some("value"), &mut cx.diags);
    let value = r.take("value");
    let db_name = r.take("map").and_then(|e| as_string(e, &mut cx.diags));
    r.finish(&mut cx.diags);
    let Some(value) = value else {
        cx.error_with_help(
            codes::INVALID_DEFAULT,
            a.span,
            "`@default` needs a value",
            "e.g. `@default(0)`, `@default(\"text\")`, `@default(now())`",
        );
        return None;
    };
    let kind = default_kind(field, value, cx)?;
    Some(ir::DefaultValue { kind, db_name })
}

pub(super) fn default_kind(
    field: &ir::ScalarField,
    value: &Expression,
    cx: &mut Ctx<'_>,
) -> Option<ir::DefaultKind> {
    use ir::DefaultKind as K;
    if let Expression::Function(name, args, span) = value {
        let span = *span;
        let bad_args = |cx: &mut Ctx<'_>, msg: &str| {
            cx.error(codes::INVALID_DEFAULT, span, format!("`{name}()` {msg}"));
        };
        let scalar = match &field.field_type {
            FieldType::Scalar(s) => Some(*s),
            _ => None,
        };
        // `now()` and the like: an argument is reported, the default still holds.
        let no_args = |cx: &mut Ctx<'_>| {
            if !args.items.is_empty() {
                bad_args(cx, "takes no arguments");
            }
        };
        // `uuid(7)`, `nanoid(16)`: an optional number that `allowed` accepts
        // (`Err` once reported).
        let number_arg = |cx: &mut Ctx<'_>, allowed: fn(u32) -> bool, expected: &str| {
            let number = match args.items.first().map(|x| &x.value) {
                None => return Ok(None),
                Some(Expression::Numeric(n, _)) if args.items.len() == 1 => n.parse::<u32>().ok(),
                Some(_) => None,
            };
            match number {
                Some(v) if allowed(v) => Ok(Some(v as u8)),
                _ => {
                    bad_args(cx, &format!("takes no argument, or {expected}"));
                    Err(())
                }
            }
        };
        let needs = |cx: &mut Ctx<'_>, want: &[ScalarType]| -> bool {
            if scalar.is_some_and(|s| want.contains(&s)) && field.arity != Arity::List {
                return true;
            }
            cx.error_with_help(
                codes::INVALID_DEFAULT,
                span,
                format!(
                    "`{name}()` cannot be the default of a `{}{}` field",
                    type_name(field, cx),
                    if field.arity == Arity::List { "[]" } else { "" }
                ),
                format!(
                    "`{name}()` works on {} fields",
                    quoted(want.iter().map(|s| s.name()), " and ")
                ),
            );
            false
        };
        return match name.as_str() {
            "autoincrement" => {
                no_args(cx);
                needs(cx, &[ScalarType::Int, ScalarType::BigInt]).then_some(K::Autoincrement)
            }
            "sequence" => {
                cx.error_with_help(
                    codes::INVALID_DEFAULT,
                    span,
                    "`sequence()` is only available on CockroachDB",
                    "on PostgreSQL use `autoincrement()`",
                );
                None
            }
            "now" => {
                no_args(cx);
                needs(cx, &[ScalarType::DateTime]).then_some(K::Now)
            }
            "uuid" => {
                let v = number_arg(cx, |v| matches!(v, 4 | 7), "the version 4 or 7").ok()?;
                needs(cx, &[ScalarType::String]).then_some(K::Uuid(v.unwrap_or(4)))
            }
            "cuid" => {
                let v = number_arg(cx, |v| matches!(v, 1 | 2), "the version 1 or 2").ok()?;
                needs(cx, &[ScalarType::String]).then_some(K::Cuid(v.unwrap_or(1)))
            }
            "nanoid" => {
                let length = |v| (2..=255).contains(&v);
                let v = number_arg(cx, length, "a length between 2 and 255").ok()?;
                needs(cx, &[ScalarType::String]).then_some(K::Nanoid(v))
            }
            "ulid" => {
                no_args(cx);
                needs(cx, &[ScalarType::String]).then_some(K::Ulid)
            }
            "dbgenerated" => match args.items.first().map(|x| &x.value) {
                None => Some(K::DbGenerated(None)),
                Some(Expression::String(s, sp)) if args.items.len() == 1 => {
                    if s.trim().is_empty() {
                        cx.error(
                            codes::INVALID_DEFAULT,
                            *sp,
                            "`dbgenerated()` needs a non-empty SQL expression, or no argument",
                        );
                        return None;
                    }
                    Some(K::DbGenerated(Some(s.clone())))
                }
                _ => {
                    bad_args(cx, "takes one string argument: the SQL expression");
                    None
                }
            },
            "auto" => {
                // MongoDB's: Prisma reports it when validating, after completion.
                cx.later_stage_errors += 1;
                cx.error(
                    codes::INVALID_DEFAULT,
                    span,
                    "`auto()` is only available on MongoDB",
                );
                None
            }
            other => {
                let known = [
                    "autoincrement",
                    "now",
                    "uuid",
                    "cuid",
                    "nanoid",
                    "ulid",
                    "dbgenerated",
                ];
                let mut d = Diagnostic::error(
                    codes::INVALID_DEFAULT,
                    span,
                    format!("unknown function `{other}()` in `@default`"),
                );
                if let Some(s) = closest(other, known) {
                    d = d.with_help(format!("did you mean `{s}()`?"));
                }
                cx.push(d);
                None
            }
        };
    }
    if matches!(field.field_type, FieldType::Unsupported(_)) {
        cx.push(Diagnostic::error(
            codes::INVALID_DEFAULT,
            value.span(),
            "only `dbgenerated(\"...\")` defaults are allowed on `Unsupported` fields",
        ));
        return None;
    }
    if field.arity == Arity::List {
        let Expression::Array(items, _) = value else {
            cx.error_with_help(
                codes::INVALID_DEFAULT,
                value.span(),
                format!("the default of list field `{}` must be a list", field.name),
                "e.g. `@default([])`",
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            out.push(literal(field, item, cx)?);
        }
        return Some(K::Value(ir::Literal::List(out)));
    }
    literal(field, value, cx).map(K::Value)
}

/// How a field's type is written, for messages (only built when one is).
pub(super) fn type_name(field: &ir::ScalarField, cx: &Ctx<'_>) -> String {
    match &field.field_type {
        FieldType::Scalar(s) => s.name().to_string(),
        FieldType::Enum(e) => cx.schema.enum_(*e).name.clone(),
        FieldType::Unsupported(_) => "Unsupported".to_string(),
    }
}

pub(super) fn literal(
    field: &ir::ScalarField,
    value: &Expression,
    cx: &mut Ctx<'_>,
) -> Option<ir::Literal> {
    let mismatch = |cx: &mut Ctx<'_>| {
        let d = Diagnostic::error(
            codes::INVALID_DEFAULT,
            value.span(),
            format!(
                "the default value `{}` does not fit the type `{}` of field `{}`",
                short(value),
                type_name(field, cx),
                field.name
            ),
        );
        cx.push(d);
    };
    match (&field.field_type, value) {
        (FieldType::Enum(e), Expression::Constant(c, span)) => {
            let en = cx.schema.enum_(*e);
            if en.values.iter().any(|v| v.name == *c) {
                Some(ir::Literal::EnumValue(c.as_str().to_owned()))
            } else {
                let hint =
                    closest(c, en.values.iter().map(|v| v.name.as_str())).map(str::to_string);
                let values = quoted(en.values.iter().map(|v| &v.name), ", ");
                let mut d = Diagnostic::error(
                    codes::INVALID_DEFAULT,
                    *span,
                    format!("`{c}` is not a value of the enum `{}`", en.name),
                );
                d = match hint {
                    Some(h) => d.with_help(format!("did you mean `{h}`?")),
                    None => d.with_help(format!("its values are {values}")),
                };
                cx.push(d);
                None
            }
        }
        (FieldType::Scalar(s), v) => match (s, v) {
            (ScalarType::String, Expression::String(x, _)) => Some(ir::Literal::String(x.clone())),
            (ScalarType::Int | ScalarType::BigInt, Expression::Numeric(n, span)) => {
                if n.contains('.') || n.parse::<i64>().is_err() {
                    cx.error(
                        codes::INVALID_DEFAULT,
                        *span,
                        format!("`{n}` is not an integer"),
                    );
                    return None;
                }
                if *s == ScalarType::Int && n.parse::<i32>().is_err() {
                    cx.error(
                        codes::INVALID_DEFAULT,
                        *span,
                        format!("`{n}` does not fit a 32-bit `Int`"),
                    );
                    return None;
                }
                Some(ir::Literal::Number(n.as_str().to_owned()))
            }
            (ScalarType::Float | ScalarType::Decimal, Expression::Numeric(n, _)) => {
                Some(ir::Literal::Number(n.as_str().to_owned()))
            }
            (ScalarType::Boolean, Expression::Constant(c, _)) if c == "true" || c == "false" => {
                Some(ir::Literal::Boolean(c == "true"))
            }
            (ScalarType::DateTime, Expression::String(x, span)) => {
                if !looks_like_datetime(x) {
                    cx.error_with_help(
                        codes::INVALID_DEFAULT,
                        *span,
                        format!("`{x}` is not an RFC 3339 date-time"),
                        "e.g. `\"2024-01-01T00:00:00Z\"`, or `now()`",
                    );
                    return None;
                }
                Some(ir::Literal::String(x.clone()))
            }
            (ScalarType::Json, Expression::String(x, span)) => {
                if !is_json(x) {
                    cx.error(
                        codes::INVALID_DEFAULT,
                        *span,
                        "the default of a `Json` field must be valid JSON text",
                    );
                    return None;
                }
                Some(ir::Literal::String(x.clone()))
            }
            (ScalarType::Bytes, Expression::String(x, _)) => Some(ir::Literal::String(x.clone())),
            (ScalarType::Decimal, Expression::String(x, _)) if x.parse::<f64>().is_ok() => {
                Some(ir::Literal::Number(x.clone()))
            }
            _ => {
                mismatch(cx);
                None
            }
        },
        _ => {
            mismatch(cx);
            None
        }
    }
}

pub(super) fn looks_like_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// A small JSON syntax check (no allocation of a value tree).
pub(super) fn is_json(s: &str) -> bool {
    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }
    fn value(b: &[u8], i: usize, depth: u32) -> Option<usize> {
        if depth > 256 {
            return None;
        }
        let i = ws(b, i);
        match *b.get(i)? {
            b'{' => {
                let mut i = ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    return Some(i + 1);
                }
                loop {
                    i = string(b, ws(b, i))?;
                    i = ws(b, i);
                    if b.get(i) != Some(&b':') {
                        return None;
                    }
                    i = ws(b, value(b, i + 1, depth + 1)?);
                    match b.get(i)? {
                        b',' => i += 1,
                        b'}' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let mut i = ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    return Some(i + 1);
                }
                loop {
                    i = ws(b, value(b, i, depth + 1)?);
                    match b.get(i)? {
                        b',' => i += 1,
                        b']' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'"' => string(b, i),
            b't' => b[i..].starts_with(b"true").then_some(i + 4),
            b'f' => b[i..].starts_with(b"false").then_some(i + 5),
            b'n' => b[i..].starts_with(b"null").then_some(i + 4),
            _ => {
                let start = i;
                let mut j = i;
                while j < b.len() && matches!(b[j], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    j += 1;
                }
                std::str::from_utf8(&b[start..j])
                    .ok()?
                    .parse::<f64>()
                    .ok()?;
                Some(j)
            }
        }
    }
    fn string(b: &[u8], i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let mut j = i + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                _ => j += 1,
            }
        }
        None
    }
    let b = s.as_bytes();
    value(b, 0, 0).is_some_and(|end| ws(b, end) == b.len())
}

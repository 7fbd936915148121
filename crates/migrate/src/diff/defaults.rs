//! Whether two column defaults are the same, with Prisma's tolerances: JSON compared as JSON,
//! date-time literals never diffed, `dbgenerated()` without an expression matches anything,
//! `dbgenerated` expressions compared case-insensitively, a sequence default that disappears
//! handled by the autoincrement change instead.

use crate::sql_schema::{Column, ColumnDefault, ColumnType, DefaultValue, NativeType};

pub(crate) fn defaults_match(previous: &Column, next: &Column) -> bool {
    use ColumnDefault::*;
    use DefaultValue as V;

    let is_datetime = |c: &Column| {
        matches!(
            c.tpe,
            ColumnType::Native(
                NativeType::Timestamp(_)
                    | NativeType::Timestamptz(_)
                    | NativeType::Date
                    | NativeType::Time(_)
                    | NativeType::Timetz(_)
            )
        )
    };

    match (&previous.default, &next.default) {
        (Some(DbGenerated(_)), Some(Value(V::List(_))))
        | (Some(Value(V::List(_))), Some(DbGenerated(_)))
            if is_datetime(previous) || is_datetime(next) =>
        {
            true
        }
        (Some(Value(V::List(p))), Some(Value(V::List(n)))) => list_defaults_match(p, n),
        (Some(Value(V::Json(p))), Some(Value(V::Json(n))))
        | (Some(Value(V::String(p))), Some(Value(V::Json(n))))
        | (Some(Value(V::Json(p))), Some(Value(V::String(n)))) => json_match(p, n),
        (Some(Value(V::DateTime(_))), Some(_)) | (Some(_), Some(Value(V::DateTime(_)))) => true,
        (Some(Value(V::Enum(p) | V::String(p))), Some(Value(V::Enum(n) | V::String(n)))) => p == n,
        (Some(Value(V::Float(p))), Some(Value(V::Int(n))))
        | (Some(Value(V::Int(n))), Some(Value(V::Float(p)))) => {
            p.parse::<f64>().ok() == Some(*n as f64)
        }
        (Some(Value(V::Float(p))), Some(Value(V::Float(n)))) => {
            p == n
                || (p.parse::<f64>().ok().is_some()
                    && p.parse::<f64>().ok() == n.parse::<f64>().ok())
        }
        (Some(Value(p)), Some(Value(n))) => p == n,
        (Some(Value(_)), Some(Now)) | (Some(Value(_)), None) => false,
        (Some(Now), Some(Now)) => true,
        (Some(Now), None) | (Some(Now), Some(Value(_))) => false,
        (Some(DbGenerated(_)), Some(Value(_) | Now) | None) => false,
        (_, Some(DbGenerated(None))) => true,
        (Some(Sequence(_)), None) => true,
        (Some(Sequence(_)), Some(Value(_) | Now)) => false,
        (None, None) => true,
        (None, Some(Value(_) | Now)) => false,
        (Some(DbGenerated(Some(p))), Some(DbGenerated(Some(n)))) => {
            p.eq_ignore_ascii_case(n) || normalize_expr(p) == normalize_expr(n)
        }
        (_, Some(DbGenerated(_))) => false,
        (_, Some(Sequence(_))) => true,
    }
}

fn json_match(previous: &str, next: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(previous),
        serde_json::from_str::<serde_json::Value>(next),
    ) {
        (Ok(p), Ok(n)) => p == n,
        _ => true,
    }
}

fn list_defaults_match(previous: &[DefaultValue], next: &[DefaultValue]) -> bool {
    previous.len() == next.len()
        && previous.iter().zip(next).all(|(p, n)| match (p, n) {
            (DefaultValue::String(s), DefaultValue::Json(j))
            | (DefaultValue::Json(j), DefaultValue::String(s)) => json_match(s, j),
            (DefaultValue::DateTime(_), _) | (_, DefaultValue::DateTime(_)) => true,
            (
                DefaultValue::Enum(a) | DefaultValue::String(a),
                DefaultValue::Enum(b) | DefaultValue::String(b),
            ) => a == b,
            _ => p == n,
        })
}

/// Expressions as PostgreSQL prints them back differ from how users write them in spacing and
/// case only in the common cases (`gen_random_uuid()`); compare without whitespace.
fn normalize_expr(expr: &str) -> String {
    expr.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

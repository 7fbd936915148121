//! One normal form for both clients' results, so that equal data compares equal:
//! DateTime as UTC ISO with milliseconds (a value after [`VOLATILE_AFTER`], stamped while
//! the scenario ran, becomes `<now>`), generated uuid and cuid values as `<generated>`,
//! Decimal as its shortest decimal text, BigInt as a string, Bytes as `bytes:<hex>`.
//!
//! Prisma's side arrives with Decimal as `{"$decimal": text}` and Bytes as
//! `{"$bytes": hex}` (runner.mjs); refract's side as serde writes it, so the schema's
//! Decimal, BigInt and Bytes fields are known here by name.

use serde_json::{Map, Value};

/// The schema's Decimal fields.
const DECIMAL_FIELDS: &[&str] = &["balance", "price"];
/// The schema's BigInt fields.
const BIGINT_FIELDS: &[&str] = &["visits"];
/// The schema's Bytes fields.
const BYTES_FIELDS: &[&str] = &["avatar"];
/// Seeded timestamps are all before this; later ones were stamped by a scenario.
const VOLATILE_AFTER: &str = "2025-06-01T00:00:00.000Z";

pub fn normalize(value: Value) -> Value {
    walk(value, None)
}

fn walk(value: Value, key: Option<&str>) -> Value {
    let is = |fields: &[&str]| key.is_some_and(|k| fields.contains(&k));
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(text)) = map.get("$decimal") {
                    return Value::String(decimal(text));
                }
                if let Some(Value::String(hex)) = map.get("$bytes") {
                    return Value::String(format!("bytes:{hex}"));
                }
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = walk(v, Some(&k));
                        (k, v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) if is(BYTES_FIELDS) && items.iter().all(Value::is_u64) => {
            let hex: String = items
                .iter()
                .filter_map(Value::as_u64)
                .map(|b| format!("{b:02x}"))
                .collect();
            Value::String(format!("bytes:{hex}"))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| walk(v, key)).collect()),
        Value::Number(n) if is(BIGINT_FIELDS) => Value::String(n.to_string()),
        Value::String(text) if is(DECIMAL_FIELDS) && text.parse::<f64>().is_ok() => {
            Value::String(decimal(&text))
        }
        Value::String(text) => Value::String(string(text)),
        other => other,
    }
}

/// A decimal's shortest text: no trailing fractional zeros, no `-0`.
fn decimal(text: &str) -> String {
    let mut out = text.to_owned();
    if out.contains('.') && !out.contains(['e', 'E']) {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
    if out == "-0" {
        out = "0".into();
    }
    out
}

fn string(text: String) -> String {
    if let Some(instant) = datetime(&text) {
        let iso = instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        return if iso.as_str() > VOLATILE_AFTER {
            "<now>".into()
        } else {
            iso
        };
    }
    if looks_generated(&text) {
        return "<generated>".into();
    }
    text
}

fn datetime(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if text.len() < 19 || !text.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&chrono::Utc));
    }
    // PostgreSQL's to_jsonb of `timestamp(3)`: no offset, UTC by the schema's convention.
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// A uuid (8-4-4-4-12 hex) or a cuid (`c` and 24 lowercase letters or digits).
fn looks_generated(text: &str) -> bool {
    let bytes = text.as_bytes();
    let uuid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    let cuid = bytes.len() == 25
        && bytes[0] == b'c'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    uuid || cuid
}

/// Equal, with floats equal to a relative 1e-9 (an average computed in two places).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
            _ => x == y,
        },
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}

/// Compact JSON with every object's keys sorted.
pub fn sorted_text(value: &Value) -> String {
    fn sort(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    out.insert(k.clone(), sort(&map[k]));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_sides_reach_one_form() {
        let prisma = json!({"price": {"$decimal": "19.9"}, "visits": "42",
            "avatar": {"$bytes": "00ff"}, "at": "2021-03-04T05:06:07.891Z"});
        let refract = json!({"price": "19.90", "visits": 42, "avatar": [0, 255],
            "at": "2021-03-04T05:06:07.891Z"});
        assert_eq!(normalize(prisma), normalize(refract));
        assert_eq!(
            normalize(json!("2021-03-04T05:06:07Z")),
            json!("2021-03-04T05:06:07.000Z")
        );
        assert_eq!(normalize(json!("2031-03-04T05:06:07Z")), json!("<now>"));
        assert_eq!(
            normalize(json!({"balance": "-0.0000"})),
            json!({"balance": "0"})
        );
        assert!(!same(&json!(1.0), &json!(1.1)));
        assert!(same(&json!(0.30000000000000004), &json!(0.3)));
    }
}

//! Values between the page and the database: JSON from the page into bound [`Value`]s (one
//! function per [`Shape`], refusing what does not fit with the field named), and result
//! columns into JSON for the page.
//!
//! Wire forms, chosen so nothing is lost in JavaScript: `BigInt`, `Decimal` and other
//! [`Shape::Cast`] types travel as strings, `Bytes` as hex, `DateTime` as RFC 3339 in UTC
//! with milliseconds, enums by their database names, and a `Json` field's value as the JSON
//! *text* the user typed (so that invalid JSON is refused here too, not only in the page).
//! `null` always means SQL `NULL`.
//!
//! A value of the field's own type that the studio cannot decode (`timestamp 'infinity'`, a
//! date past chrono's year 262143, a JSON number past `f64`) must not fail the page that
//! holds its row: its cell is a [`Cell::Unreadable`], the value as PostgreSQL prints it, and
//! the row lists the field under [`UNREADABLE_KEY`] so the page shows it read-only. JSON and
//! lists are read as text and parsed here, so their text is at hand; a `DateTime` is decoded
//! from the binary form and also read as text ([`has_text_fallback`]), for the rare row that
//! needs it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use refract_runtime::dynamic::ReadAs;
use refract_runtime::{Row, Value, decode};
use refract_schema::ir::{Arity, ScalarField, Schema};
use serde_json::Value as Json;

use crate::catalog::Shape;
use crate::error::ApiError;

/// The value of `field` given by the page, for binding. `null` is SQL `NULL`; a required
/// field refuses it.
pub fn to_value(schema: &Schema, field: &ScalarField, json: &Json) -> Result<Value, ApiError> {
    if json.is_null() {
        if field.arity == Arity::Required {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                Some("P2011"),
                format!(
                    "Null constraint violation on the fields: (`{}`)",
                    field.name
                ),
            )
            .with_fields([field.name.clone()]));
        }
        return Ok(Value::Null);
    }
    let shape = Shape::of(field);
    if field.arity == Arity::List {
        let items = match json {
            Json::Array(items) => items,
            // A list edited as text in the page's JSON editor.
            Json::String(text) => &match serde_json::from_str::<Json>(text) {
                Ok(Json::Array(items)) => items,
                Ok(_) => return Err(ApiError::invalid_value(&field.name, "expected a JSON list")),
                Err(e) => return Err(ApiError::invalid_value(&field.name, e)),
            },
            _ => return Err(ApiError::invalid_value(&field.name, "expected a list")),
        };
        return items
            .iter()
            .map(|item| {
                if shape == Shape::Json {
                    Ok(Value::Json(item.clone()))
                } else {
                    scalar_value(schema, field, shape, item)
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    scalar_value(schema, field, shape, json)
}

/// One scalar (a whole field, or one item of a list) of a given shape.
pub fn scalar_value(
    schema: &Schema,
    field: &ScalarField,
    shape: Shape,
    json: &Json,
) -> Result<Value, ApiError> {
    let name = &field.name;
    let bad = |what: &str| ApiError::invalid_value(name, format!("expected {what}, got {json}"));
    match shape {
        Shape::Text => match json {
            Json::String(s) => Ok(Value::String(s.clone())),
            _ => Err(bad("a string")),
        },
        Shape::Cast(_) => match json {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Number(n) => Ok(Value::String(n.to_string())),
            _ => Err(bad("a string")),
        },
        Shape::Int => {
            let v = integer(json).ok_or_else(|| bad("an integer"))?;
            i32::try_from(v)
                .map(Value::Int)
                .map_err(|_| ApiError::invalid_value(name, format!("{v} is out of range for Int")))
        }
        Shape::BigInt => integer(json)
            .map(Value::BigInt)
            .ok_or_else(|| bad("an integer")),
        Shape::Float => match json {
            Json::Number(n) => n.as_f64().map(Value::Float).ok_or_else(|| bad("a number")),
            Json::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| bad("a number")),
            _ => Err(bad("a number")),
        },
        Shape::Bool => match json {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s == "true" => Ok(Value::Bool(true)),
            Json::String(s) if s == "false" => Ok(Value::Bool(false)),
            _ => Err(bad("true or false")),
        },
        Shape::DateTime => match json {
            Json::String(s) => parse_datetime(s)
                .map(Value::DateTime)
                .ok_or_else(|| bad("a date and time (RFC 3339)")),
            _ => Err(bad("a date and time")),
        },
        Shape::Json => match json {
            Json::String(text) => serde_json::from_str(text)
                .map(Value::Json)
                .map_err(|e| ApiError::invalid_value(name, format!("invalid JSON: {e}"))),
            _ => Err(bad("JSON text")),
        },
        Shape::Bytes => match json {
            Json::String(s) => {
                let digits = s.trim().trim_start_matches("\\x").trim_start_matches("0x");
                hex::decode(digits)
                    .map(Value::Bytes)
                    .map_err(|_| bad("hexadecimal bytes"))
            }
            _ => Err(bad("hexadecimal bytes")),
        },
        Shape::Enum(id) => {
            let enum_ = schema.enum_(id);
            let Json::String(s) = json else {
                return Err(bad(&format!("a value of enum `{}`", enum_.name)));
            };
            // Database names are what the page sends; Prisma names are accepted too.
            enum_
                .values
                .iter()
                .find(|v| &v.db_name == s)
                .or_else(|| enum_.values.iter().find(|v| &v.name == s))
                .map(|v| Value::Enum(v.db_name.clone().into()))
                .ok_or_else(|| {
                    ApiError::invalid_value(
                        name,
                        format!("`{s}` is not a value of enum `{}`", enum_.name),
                    )
                })
        }
        Shape::ReadOnly => Err(ApiError::invalid_value(
            name,
            "fields of unsupported types cannot be written",
        )),
    }
}

fn integer(json: &Json) -> Option<i64> {
    match json {
        Json::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// RFC 3339, or the forms a `datetime-local` input and PostgreSQL print (taken as UTC).
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The row key listing the fields whose values are shown as PostgreSQL's text because the
/// studio cannot decode them (see [`Cell::Unreadable`]); `$` keeps it apart from field names.
pub const UNREADABLE_KEY: &str = "$unreadable";

/// How a field is read so that [`cell_json`] can decode it: as text for the shapes that
/// travel as text and for JSON (parsed here, so a value `serde_json` refuses still has its
/// text), as JSON text for lists, as stored otherwise.
pub fn read_as(field: &ScalarField) -> ReadAs {
    if field.arity == Arity::List {
        return ReadAs::JsonText;
    }
    match Shape::of(field) {
        Shape::Text
        | Shape::BigInt
        | Shape::Enum(_)
        | Shape::Cast(_)
        | Shape::ReadOnly
        | Shape::Json => ReadAs::Text,
        _ => ReadAs::Value,
    }
}

/// Whether a field is also read as text, besides [`read_as`], because its binary form can
/// hold values the studio cannot decode: a `DateTime`'s `infinity` and years past chrono's
/// range. Every other field's values always decode, or are read as text already.
pub fn has_text_fallback(field: &ScalarField) -> bool {
    field.arity != Arity::List && Shape::of(field) == Shape::DateTime
}

/// An `inet` as PostgreSQL prints it: its text cast adds a full-length netmask (`/32`,
/// `/128`) that the output function leaves out.
fn inet_display(text: String) -> String {
    let full = if text.contains(':') { "/128" } else { "/32" };
    match text.strip_suffix(full) {
        Some(address) => address.to_owned(),
        None => text,
    }
}

/// One cell of a row, as the page gets it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Value(Json),
    /// A value of the field's type the studio cannot decode, as PostgreSQL prints it: shown,
    /// never edited.
    Unreadable(String),
}

/// Column `index` of `row`, read as [`read_as`] says, as the page's JSON; `fallback` is the
/// column of the field's text, if it [`has_text_fallback`].
pub fn cell_json(
    row: &Row,
    index: usize,
    fallback: Option<usize>,
    field: &ScalarField,
) -> Result<Cell, ApiError> {
    let decode_error = |e: refract_runtime::Error| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Some("P2023"),
            format!("cannot read `{}`: {e}", field.name),
        )
    };
    let json_text = |row: &Row| -> Result<Cell, ApiError> {
        Ok(
            match decode::<Option<String>>(row, index).map_err(decode_error)? {
                None => Cell::Value(Json::Null),
                Some(text) => match serde_json::from_str::<Json>(&text) {
                    Ok(value) => Cell::Value(value),
                    Err(_) => Cell::Unreadable(text),
                },
            },
        )
    };
    if field.arity == Arity::List {
        return json_text(row);
    }
    Ok(Cell::Value(match Shape::of(field) {
        Shape::Cast("inet") => decode::<Option<String>>(row, index)
            .map_err(decode_error)?
            .map_or(Json::Null, |text| Json::String(inet_display(text))),
        Shape::Text | Shape::BigInt | Shape::Enum(_) | Shape::Cast(_) | Shape::ReadOnly => {
            decode::<Option<String>>(row, index)
                .map_err(decode_error)?
                .map_or(Json::Null, Json::String)
        }
        Shape::Json => return json_text(row),
        Shape::Int => decode::<Option<i64>>(row, index)
            .map_err(decode_error)?
            .map_or(Json::Null, Json::from),
        Shape::Float => match decode::<Option<f64>>(row, index).map_err(decode_error)? {
            None => Json::Null,
            Some(f) => serde_json::Number::from_f64(f)
                .map_or_else(|| Json::String(float_text(f)), Json::Number),
        },
        Shape::Bool => decode::<Option<bool>>(row, index)
            .map_err(decode_error)?
            .map_or(Json::Null, Json::Bool),
        Shape::DateTime => match decode::<Option<DateTime<Utc>>>(row, index) {
            Ok(at) => at.map_or(Json::Null, |t| {
                Json::String(t.to_rfc3339_opts(SecondsFormat::Millis, true))
            }),
            Err(error) => {
                let Some(fallback) = fallback else {
                    return Err(decode_error(error));
                };
                return match decode::<Option<String>>(row, fallback).map_err(decode_error)? {
                    Some(text) => Ok(Cell::Unreadable(text)),
                    None => Err(decode_error(error)),
                };
            }
        },
        Shape::Bytes => decode::<Option<Vec<u8>>>(row, index)
            .map_err(decode_error)?
            .map_or(Json::Null, |b| Json::String(hex::encode(b))),
    }))
}

/// A float JSON cannot hold, spelled as PostgreSQL prints it (and as Rust parses it back).
fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f > 0.0 {
        "Infinity".to_owned()
    } else {
        "-Infinity".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        let validated = crate::test_schema(
            r#"
            datasource db {
            provider = "postgresql"
            }
            enum Role {
            ADMIN @map("admin")
            VIEWER
            }
            model T {
              id   Int      @id
              name String?
              big  BigInt
              f    Float
              ok   Boolean
              at   DateTime
              j    Json
              b    Bytes
              r    Role
              d    Decimal
              tags String[]
            }
            "#,
        );
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        validated.schema
    }

    #[test]
    fn converts_page_values_by_field_type() {
        let schema = schema();
        let model = &schema.models[0];
        let field = |name: &str| model.find_field(name).unwrap().1;
        let at = DateTime::parse_from_rfc3339("2024-05-06T07:08:09.123Z")
            .unwrap()
            .with_timezone(&Utc);
        let cases: Vec<(&str, Json, Result<Value, &str>)> = vec![
            ("id", json!(7), Ok(Value::Int(7))),
            ("id", json!("7"), Ok(Value::Int(7))),
            ("id", json!(1.5), Err("expected an integer")),
            ("id", json!(3_000_000_000i64), Err("out of range for Int")),
            ("id", json!(null), Err("Null constraint violation")),
            ("name", json!(null), Ok(Value::Null)),
            ("name", json!("x"), Ok(Value::String("x".into()))),
            ("name", json!(1), Err("expected a string")),
            (
                "big",
                json!("9007199254740993"),
                Ok(Value::BigInt(9_007_199_254_740_993)),
            ),
            ("f", json!(2.5), Ok(Value::Float(2.5))),
            // What a page read back for floats JSON cannot hold (`float_text`).
            ("f", json!("Infinity"), Ok(Value::Float(f64::INFINITY))),
            ("f", json!("-Infinity"), Ok(Value::Float(f64::NEG_INFINITY))),
            ("ok", json!(true), Ok(Value::Bool(true))),
            ("ok", json!("yes"), Err("expected true or false")),
            (
                "at",
                json!("2024-05-06T07:08:09.123Z"),
                Ok(Value::DateTime(at)),
            ),
            (
                "at",
                json!("2024-05-06T07:08:09.123"),
                Ok(Value::DateTime(at)),
            ),
            ("at", json!("yesterday"), Err("expected a date and time")),
            (
                "j",
                json!("{\"a\": [1]}"),
                Ok(Value::Json(json!({"a": [1]}))),
            ),
            ("j", json!("{a: 1}"), Err("invalid JSON")),
            ("b", json!("\\x00ff"), Ok(Value::Bytes(vec![0, 255]))),
            ("b", json!("zz"), Err("expected hexadecimal bytes")),
            ("r", json!("admin"), Ok(Value::Enum("admin".into()))),
            ("r", json!("ADMIN"), Ok(Value::Enum("admin".into()))),
            ("r", json!("OTHER"), Err("is not a value of enum `Role`")),
            ("d", json!("12.50"), Ok(Value::String("12.50".into()))),
            (
                "tags",
                json!(["a", "b"]),
                Ok(Value::Array(vec![
                    Value::String("a".into()),
                    Value::String("b".into()),
                ])),
            ),
            (
                "tags",
                json!("[\"a\"]"),
                Ok(Value::Array(vec![Value::String("a".into())])),
            ),
            ("tags", json!([1]), Err("expected a string")),
        ];
        for (name, input, expected) in cases {
            let got = to_value(&schema, field(name), &input);
            match (&got, &expected) {
                (Ok(got), Ok(expected)) => assert_eq!(got, expected, "{name} {input}"),
                (Err(got), Err(expected)) => assert!(
                    got.message.contains(expected),
                    "{name} {input}: {} does not contain {expected}",
                    got.message
                ),
                _ => panic!("{name} {input}: got {got:?}, expected {expected:?}"),
            }
        }
    }
}

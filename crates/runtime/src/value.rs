//! Bound parameter values: the [`Value`] enum every query description carries, its binary
//! encoding for the column type PostgreSQL reports, and [`IntoValue`] for the Rust types of
//! generated fields.
//!
//! Why an enum and not `Box<dyn ToSql>`: one allocation fewer per parameter, `Debug` and
//! `Clone` for free, and one place that knows Prisma's storage rules: a `DateTime<Utc>` is
//! bound to `TIMESTAMP(3)` (without time zone) as its UTC wall-clock time, integers widen
//! or narrow to the column's width, text binds to enum, `uuid` and `citext` columns.

use std::borrow::Cow;
use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, Utc};
use postgres_types::{Format, IsNull, Kind, ToSql, Type, to_sql_checked};
use rust_decimal::Decimal;

use crate::include::KeyPart;

type BoxError = Box<dyn StdError + Sync + Send>;

/// A value bound as a query parameter (`$n`), never spliced into SQL text.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i32),
    BigInt(i64),
    Float(f64),
    Decimal(Decimal),
    String(String),
    DateTime(DateTime<Utc>),
    Json(serde_json::Value),
    Bytes(Vec<u8>),
    /// A Postgres enum value, by its database name.
    Enum(Cow<'static, str>),
    /// A scalar list, or the right side of `= ANY($n)`.
    Array(Vec<Value>),
}

impl Value {
    /// The value of any field type, e.g. an enum bound in raw SQL: `Value::of(Role::Admin)`.
    pub fn of(value: impl IntoValue) -> Value {
        value.into_value()
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// Converts a field's Rust type into a [`Value`]. Implemented for every type a generated
/// field can have; generated enums get it through [`PgEnum`](crate::PgEnum).
pub trait IntoValue {
    fn into_value(self) -> Value;
}

macro_rules! into_value {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl IntoValue for $ty {
            #[inline]
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
    )*};
}

into_value! {
    bool => Bool,
    i32 => Int,
    i64 => BigInt,
    f64 => Float,
    Decimal => Decimal,
    String => String,
    DateTime<Utc> => DateTime,
    serde_json::Value => Json,
    Vec<u8> => Bytes,
}

impl IntoValue for &str {
    #[inline]
    fn into_value(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoValue for Value {
    #[inline]
    fn into_value(self) -> Value {
        self
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    #[inline]
    fn into_value(self) -> Value {
        match self {
            Some(value) => value.into_value(),
            None => Value::Null,
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    #[inline]
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        // The common case first: text into a text column is its bytes, as below, without
        // the checks for enums, uuids and text-bound types.
        if let Value::String(text) = self
            && is_plain_text(ty)
        {
            out.put_slice(text.as_bytes());
            return Ok(IsNull::No);
        }
        if self.binds_as_text(ty) {
            write_text(self, out);
            return Ok(IsNull::No);
        }
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(v) => v.to_sql_checked(ty, out),
            Value::Int(v) => encode_integer(i64::from(*v), ty, out),
            Value::BigInt(v) => encode_integer(*v, ty, out),
            Value::Float(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                Type::NUMERIC => Decimal::try_from(*v)?.to_sql(ty, out),
                _ => v.to_sql_checked(ty, out),
            },
            Value::Decimal(v) => match *ty {
                Type::FLOAT8 => f64::try_from(*v)?.to_sql(ty, out),
                _ => v.to_sql_checked(ty, out),
            },
            Value::String(s) => encode_text(s, ty, out),
            Value::Enum(s) => encode_text(s, ty, out),
            Value::DateTime(v) => match *ty {
                Type::TIMESTAMP => v.naive_utc().to_sql(ty, out),
                Type::DATE => v.date_naive().to_sql(ty, out),
                Type::TIME => v.time().to_sql(ty, out),
                _ => v.to_sql_checked(ty, out),
            },
            Value::Json(v) => v.to_sql_checked(ty, out),
            Value::Bytes(v) => v.to_sql_checked(ty, out),
            Value::Array(items) => match ty.kind() {
                Kind::Array(_) => items.as_slice().to_sql(ty, out),
                _ => Err(format!("cannot bind a list to a parameter of type {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked per variant in `to_sql`, which knows the value.
        true
    }

    fn encode_format(&self, ty: &Type) -> Format {
        if self.binds_as_text(ty) {
            Format::Text
        } else {
            Format::Binary
        }
    }

    to_sql_checked!();
}

impl Value {
    /// Whether this value goes to the server as text, parsed by the column type's own input
    /// function: text bound to a type with no binary text form here (`numeric` beyond
    /// `Decimal`'s range, `money`, `inet`, `xml`, `varbit`, `timetz`...), and a list of
    /// texts bound to an array of such a type. Written as `CAST($1::text AS type)` would
    /// be, without the cast in the SQL.
    fn binds_as_text(&self, ty: &Type) -> bool {
        let binary_text = |ty: &Type| {
            is_plain_text(ty)
                || matches!(ty.kind(), Kind::Enum(_))
                || *ty == Type::UUID
                || <&str as ToSql>::accepts(ty)
        };
        match (self, ty.kind()) {
            (Value::String(_), _) => !binary_text(ty),
            (Value::Array(items), Kind::Array(member)) => {
                !binary_text(member)
                    && items.iter().any(|item| matches!(item, Value::String(_)))
                    && items
                        .iter()
                        .all(|item| matches!(item, Value::String(_) | Value::Null))
            }
            _ => false,
        }
    }
}

/// `text` or `varchar`: a string's binary form is its bytes.
fn is_plain_text(ty: &Type) -> bool {
    *ty == Type::TEXT || *ty == Type::VARCHAR
}

/// The text form of a value [`Value::binds_as_text`]: the text itself, or an array
/// literal (`{"a","b",NULL}`, each element quoted and `\` and `"` escaped).
fn write_text(value: &Value, out: &mut BytesMut) {
    match value {
        Value::String(text) => out.put_slice(text.as_bytes()),
        Value::Array(items) => {
            out.put_u8(b'{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put_u8(b',');
                }
                match item {
                    Value::String(text) => {
                        out.put_u8(b'"');
                        for byte in text.bytes() {
                            if matches!(byte, b'"' | b'\\') {
                                out.put_u8(b'\\');
                            }
                            out.put_u8(byte);
                        }
                        out.put_u8(b'"');
                    }
                    _ => out.put_slice(b"NULL"),
                }
            }
            out.put_u8(b'}');
        }
        _ => {}
    }
}

fn encode_integer(v: i64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
        Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
        Type::INT8 => v.to_sql(ty, out),
        Type::OID => u32::try_from(v)?.to_sql(ty, out),
        Type::FLOAT8 => (v as f64).to_sql(ty, out),
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
        Type::NUMERIC => Decimal::from(v).to_sql(ty, out),
        _ => Err(format!("cannot bind an integer to a parameter of type {ty}").into()),
    }
}

fn encode_text(s: &str, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    if let Kind::Enum(_) = ty.kind() {
        // An enum's binary form is its label's text.
        out.put_slice(s.as_bytes());
        return Ok(IsNull::No);
    }
    if *ty == Type::UUID {
        out.put_slice(&parse_uuid(s)?);
        return Ok(IsNull::No);
    }
    s.to_sql_checked(ty, out)
}

/// Parses `xxxxxxxx-xxxx-...` (hyphens optional, any case) into 16 bytes.
fn parse_uuid(s: &str) -> Result<[u8; 16], BoxError> {
    let digits: Vec<u8> = s.bytes().filter(|b| *b != b'-').collect();
    if digits.len() != 32 {
        return Err(format!("invalid uuid `{s}`").into());
    }
    let mut bytes = [0u8; 16];
    for (i, pair) in digits.chunks(2).enumerate() {
        let hex = std::str::from_utf8(pair)?;
        bytes[i] = u8::from_str_radix(hex, 16).map_err(|_| format!("invalid uuid `{s}`"))?;
    }
    Ok(bytes)
}

/// A parameter as handed to tokio-postgres: borrowed from the query description, or made
/// while rendering (LIKE patterns, LIMIT/OFFSET).
#[derive(Debug)]
pub(crate) enum Param<'v> {
    Borrowed(&'v Value),
    BigInt(i64),
    Text(String),
    /// Key values read from other rows, bound as one array (`= ANY($n)`): integers
    /// re-encoded for the column's width, anything else as the bytes it was read as
    /// (a key and the column it is compared with have one type).
    Keys(Vec<KeyPart<'v>>),
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Param::Borrowed(value) => value.to_sql(ty, out),
            Param::BigInt(v) => encode_integer(*v, ty, out),
            Param::Text(s) => encode_text(s, ty, out),
            Param::Keys(parts) => encode_keys(parts, ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, ty: &Type) -> Format {
        match self {
            Param::Borrowed(value) => value.encode_format(ty),
            _ => Format::Binary,
        }
    }

    to_sql_checked!();
}

/// A one-dimensional array in PostgreSQL's binary format, of the element type `ty` names.
fn encode_keys(parts: &[KeyPart<'_>], ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    let Kind::Array(member) = ty.kind() else {
        return Err(format!("cannot bind a key list to a parameter of type {ty}").into());
    };
    out.put_i32(1); // dimensions
    out.put_i32(0); // no NULLs
    out.put_u32(member.oid());
    out.put_i32(i32::try_from(parts.len())?);
    out.put_i32(1); // lower bound
    for part in parts {
        let at = out.len();
        out.put_i32(0);
        match part {
            KeyPart::Int(v) => {
                encode_integer(*v, member, out)?;
            }
            KeyPart::Bytes(bytes) => out.put_slice(bytes),
        }
        let length = i32::try_from(out.len() - at - 4)?;
        out[at..at + 4].copy_from_slice(&length.to_be_bytes());
    }
    Ok(IsNull::No)
}

#[cfg(test)]
mod tests {
    use super::parse_uuid;

    #[test]
    fn parses_uuids_with_and_without_hyphens() {
        let with = parse_uuid("123e4567-E89B-12d3-a456-426614174000").unwrap();
        let without = parse_uuid("123e4567e89b12d3a456426614174000").unwrap();
        assert_eq!(with, without);
        assert_eq!(with[0], 0x12);
        assert_eq!(with[15], 0x00);
        assert!(parse_uuid("not-a-uuid").is_err());
        assert!(parse_uuid("123e4567-e89b-12d3-a456-42661417400g").is_err());
    }

    /// Text bound to a type with no binary text form here goes as text, for the server to
    /// parse; a list of texts as an array literal.
    #[test]
    fn binds_text_as_text_where_the_type_has_no_binary_text_form() {
        use super::Value;
        use bytes::BytesMut;
        use postgres_types::{Format, ToSql, Type};

        let address = Value::String("10.0.0.1".into());
        assert!(matches!(address.encode_format(&Type::INET), Format::Text));
        assert!(matches!(address.encode_format(&Type::TEXT), Format::Binary));
        assert!(matches!(address.encode_format(&Type::UUID), Format::Binary));
        let list = Value::Array(vec![Value::String("a\"b\\".into()), Value::Null]);
        assert!(matches!(
            list.encode_format(&Type::INET_ARRAY),
            Format::Text
        ));
        assert!(matches!(
            list.encode_format(&Type::TEXT_ARRAY),
            Format::Binary
        ));
        let mut out = BytesMut::new();
        list.to_sql(&Type::INET_ARRAY, &mut out).unwrap();
        assert_eq!(&out[..], br#"{"a\"b\\",NULL}"#);
        for ty in [Type::TEXT, Type::VARCHAR] {
            let mut ours = BytesMut::new();
            let mut strs = BytesMut::new();
            address.to_sql_checked(&ty, &mut ours).unwrap();
            "10.0.0.1".to_sql_checked(&ty, &mut strs).unwrap();
            assert_eq!(ours, strs);
        }
    }
}

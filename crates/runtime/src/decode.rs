//! Row decoding: [`FromRow`] (implemented by generated structs, by column index), [`Decode`]
//! (one column into one Rust field type) and [`PgEnum`] (generated enums).
//!
//! `Decode` goes through a *wire* type that tokio-postgres decodes, then converts; this is
//! how a `DateTime<Utc>` reads a `TIMESTAMP(3)` column (Prisma's storage, no time zone, taken
//! as UTC), a `String` reads `uuid`, `citext` and enum columns, an `i32` reads `SMALLINT`.

use std::borrow::Cow;
use std::error::Error as StdError;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres_types::{FromSql, Kind, Type};
use rust_decimal::Decimal;
use tokio_postgres::Row;

use crate::error::Error;
use crate::include::Level;
use crate::value::{IntoValue, Value};

type BoxError = Box<dyn StdError + Sync + Send>;

/// Builds a value from a result row. Generated model structs implement it by decoding
/// column `i` into field `i` with [`decode`], in the order of the model's columns.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self, Error>;

    /// Decodes row `index` of a level whose relations were loaded (`include`).
    /// [`Loaded`](crate::Loaded) overrides it to read its entries; everything else reads
    /// the row alone.
    #[doc(hidden)]
    #[inline]
    fn from_level(level: &Level<'_>, index: usize) -> Result<Self, Error> {
        Self::from_row(level.row(index))
    }
}

/// A Rust type that one column decodes into.
pub trait Decode: Sized {
    /// What tokio-postgres decodes the column into before [`Decode::from_wire`].
    type Wire<'a>: FromSql<'a>;
    fn from_wire(wire: Self::Wire<'_>) -> Result<Self, BoxError>;
}

/// Decodes column `index` of `row` as `T`.
#[inline]
pub fn decode<T: Decode>(row: &Row, index: usize) -> Result<T, Error> {
    match row.try_get::<usize, T::Wire<'_>>(index) {
        Ok(wire) => T::from_wire(wire).map_err(|source| decode_error(row, index, source)),
        Err(error) => Err(decode_error(row, index, Box::new(error))),
    }
}

#[cold]
fn decode_error(row: &Row, index: usize, source: BoxError) -> Error {
    let column = row
        .columns()
        .get(index)
        .map_or_else(|| format!("#{index}"), |c| c.name().to_owned());
    Error::Decode { column, source }
}

/// A Rust enum mapped to a Postgres enum type. Generated enums implement this as data
/// (their variants and the names of each, in declaration order, and `index`), and get the
/// mapping methods, [`Decode`] and [`IntoValue`] from it: three lines per variant at most,
/// however many enums a schema has.
pub trait PgEnum: Sized + Copy + 'static {
    /// The enum's Rust name, for error messages.
    const NAME: &'static str;
    /// Every variant, in declaration order.
    const VARIANTS: &'static [Self];
    /// Each variant's database name (`@map` applied), in the order of `VARIANTS`.
    const DB_NAMES: &'static [&'static str];
    /// Each variant's Prisma name (what Prisma's JSON writes; `@map` not applied), in the
    /// order of `VARIANTS`: the database names unless a value is mapped.
    const PRISMA_NAMES: &'static [&'static str] = Self::DB_NAMES;
    /// The variant's position in `VARIANTS` (generated as `self as usize`).
    fn index(self) -> usize;
    /// The variant's database name (`@map` applied).
    fn to_db(self) -> &'static str {
        Self::DB_NAMES[self.index()]
    }
    /// The variant for a database name.
    fn from_db(name: &str) -> Option<Self> {
        let position = Self::DB_NAMES.iter().position(|db| *db == name)?;
        Self::VARIANTS.get(position).copied()
    }
    /// The variant's Prisma name.
    fn prisma_name(self) -> &'static str {
        Self::PRISMA_NAMES[self.index()]
    }
}

impl<E: PgEnum> IntoValue for E {
    #[inline]
    fn into_value(self) -> Value {
        Value::Enum(Cow::Borrowed(self.to_db()))
    }
}

impl<E: PgEnum> Decode for E {
    type Wire<'a> = TextWire<'a>;
    #[inline]
    fn from_wire(wire: TextWire<'_>) -> Result<Self, BoxError> {
        E::from_db(&wire.0)
            .ok_or_else(|| format!("`{}` is not a variant of enum {}", wire.0, E::NAME).into())
    }
}

macro_rules! decode_as_is {
    ($($ty:ty),*) => {$(
        impl Decode for $ty {
            type Wire<'a> = $ty;
            #[inline]
            fn from_wire(wire: $ty) -> Result<Self, BoxError> {
                Ok(wire)
            }
        }
    )*};
}

decode_as_is!(bool, Decimal, serde_json::Value, Vec<u8>);

impl Decode for i32 {
    type Wire<'a> = IntWire;
    #[inline]
    fn from_wire(wire: IntWire) -> Result<Self, BoxError> {
        Ok(i32::try_from(wire.0)?)
    }
}

impl Decode for i64 {
    type Wire<'a> = IntWire;
    #[inline]
    fn from_wire(wire: IntWire) -> Result<Self, BoxError> {
        Ok(wire.0)
    }
}

impl Decode for f64 {
    type Wire<'a> = FloatWire;
    #[inline]
    fn from_wire(wire: FloatWire) -> Result<Self, BoxError> {
        Ok(wire.0)
    }
}

impl Decode for String {
    type Wire<'a> = TextWire<'a>;
    #[inline]
    fn from_wire(wire: TextWire<'_>) -> Result<Self, BoxError> {
        Ok(wire.0.into_owned())
    }
}

impl Decode for DateTime<Utc> {
    type Wire<'a> = TimestampWire;
    #[inline]
    fn from_wire(wire: TimestampWire) -> Result<Self, BoxError> {
        Ok(wire.0)
    }
}

impl<T: Decode> Decode for Option<T> {
    type Wire<'a> = Option<T::Wire<'a>>;
    #[inline]
    fn from_wire(wire: Option<T::Wire<'_>>) -> Result<Self, BoxError> {
        wire.map(T::from_wire).transpose()
    }
}

impl<T: Decode> Decode for Vec<T> {
    type Wire<'a> = Vec<T::Wire<'a>>;
    #[inline]
    fn from_wire(wire: Vec<T::Wire<'_>>) -> Result<Self, BoxError> {
        wire.into_iter().map(T::from_wire).collect()
    }
}

/// Any integer column, widened.
#[doc(hidden)]
pub struct IntWire(i64);

impl<'a> FromSql<'a> for IntWire {
    #[inline]
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(IntWire(match *ty {
            Type::INT2 => i64::from(i16::from_sql(ty, raw)?),
            Type::INT4 => i64::from(i32::from_sql(ty, raw)?),
            Type::OID => i64::from(u32::from_sql(ty, raw)?),
            _ => i64::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8 | Type::OID)
    }
}

/// `REAL` or `DOUBLE PRECISION`.
#[doc(hidden)]
pub struct FloatWire(f64);

impl<'a> FromSql<'a> for FloatWire {
    #[inline]
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(FloatWire(match *ty {
            Type::FLOAT4 => f64::from(f32::from_sql(ty, raw)?),
            _ => f64::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::FLOAT4 | Type::FLOAT8)
    }
}

/// Text-like columns, enum labels, and `uuid` (as its canonical text).
#[doc(hidden)]
pub struct TextWire<'a>(Cow<'a, str>);

impl<'a> FromSql<'a> for TextWire<'a> {
    #[inline]
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        if *ty == Type::UUID {
            return Ok(TextWire(Cow::Owned(format_uuid(raw)?)));
        }
        Ok(TextWire(Cow::Borrowed(std::str::from_utf8(raw)?)))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(ty.kind(), Kind::Enum(_)) || *ty == Type::UUID || <&str as FromSql>::accepts(ty)
    }
}

fn format_uuid(raw: &[u8]) -> Result<String, BoxError> {
    if raw.len() != 16 {
        return Err("invalid uuid length".into());
    }
    let mut text = String::with_capacity(36);
    for (i, byte) in raw.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    Ok(text)
}

/// `TIMESTAMP` (UTC wall-clock time, Prisma's storage), `TIMESTAMPTZ`, `DATE`, `TIME`.
#[doc(hidden)]
pub struct TimestampWire(DateTime<Utc>);

impl<'a> FromSql<'a> for TimestampWire {
    #[inline]
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(TimestampWire(match *ty {
            Type::TIMESTAMP => NaiveDateTime::from_sql(ty, raw)?.and_utc(),
            Type::DATE => NaiveDate::from_sql(ty, raw)?
                .and_time(NaiveTime::MIN)
                .and_utc(),
            Type::TIME => NaiveDate::default()
                .and_time(NaiveTime::from_sql(ty, raw)?)
                .and_utc(),
            _ => DateTime::<Utc>::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::TIMESTAMP | Type::TIMESTAMPTZ | Type::DATE | Type::TIME
        )
    }
}

/// Column `index` of `row` as a [`Value`], by the column's type: what nested writes and
/// re-reads use to carry key values from one statement into the next.
pub(crate) fn value_at(row: &Row, index: usize) -> Result<Value, Error> {
    let ty = row
        .columns()
        .get(index)
        .map(|c| c.type_().clone())
        .ok_or_else(|| Error::InvalidQuery(format!("no column #{index}")))?;
    if let Kind::Enum(_) = ty.kind() {
        return Ok(decode::<Option<String>>(row, index)?
            .map_or(Value::Null, |label| Value::Enum(Cow::Owned(label))));
    }
    Ok(match ty {
        Type::BOOL => decode::<Option<bool>>(row, index)?.into_value(),
        Type::INT2 | Type::INT4 => decode::<Option<i32>>(row, index)?.into_value(),
        Type::INT8 | Type::OID => decode::<Option<i64>>(row, index)?.into_value(),
        Type::FLOAT4 | Type::FLOAT8 => decode::<Option<f64>>(row, index)?.into_value(),
        Type::NUMERIC => decode::<Option<Decimal>>(row, index)?.into_value(),
        Type::TIMESTAMP | Type::TIMESTAMPTZ | Type::DATE | Type::TIME => {
            decode::<Option<DateTime<Utc>>>(row, index)?.into_value()
        }
        Type::JSON | Type::JSONB => {
            decode::<Option<serde_json::Value>>(row, index)?.map_or(Value::Null, Value::Json)
        }
        Type::BYTEA => decode::<Option<Vec<u8>>>(row, index)?.into_value(),
        _ => decode::<Option<String>>(row, index)?.into_value(),
    })
}

macro_rules! tuple_from_row {
    ($($name:ident : $index:tt),+) => {
        impl<$($name: Decode),+> FromRow for ($($name,)+) {
            #[inline]
            fn from_row(row: &Row) -> Result<Self, Error> {
                Ok(($(decode::<$name>(row, $index)?,)+))
            }
        }
    };
}

tuple_from_row!(A: 0);
tuple_from_row!(A: 0, B: 1);
tuple_from_row!(A: 0, B: 1, C: 2);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7);

#[cfg(test)]
mod tests {
    use super::format_uuid;

    #[test]
    fn formats_uuids_canonically() {
        let raw = [
            0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17,
            0x40, 0x00,
        ];
        assert_eq!(
            format_uuid(&raw).unwrap(),
            "123e4567-e89b-12d3-a456-426614174000"
        );
        assert!(format_uuid(&raw[..3]).is_err());
    }
}

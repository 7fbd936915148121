//! Named aggregate results: [`Aggregates`] (what `aggregate(..)` returns) and [`Group`]
//! (one row of `group_by(..)`), read with the same handles that asked for them
//! (`result.get(post::VIEWS.avg())`, `group.key(post::AUTHOR_ID)`), and serialized in
//! Prisma Client's shape: `{"_count":{"_all":3},"_avg":{"views":2.5},"authorId":1}`.
//!
//! Each value is decoded when the rows arrive, into its Rust type (an [`Aggregate`]'s `T`,
//! a group key's field type), and kept beside the expression it answers; reading it back
//! is a lookup by that expression and a downcast to the handle's type, which is the type
//! it was decoded as. Reading an aggregate that the query did not ask for panics with a
//! message naming it (a programming error, like indexing past a slice's end).

use std::any::Any;
use std::marker::PhantomData;

use tokio_postgres::Row;

use super::{AggExpr, Aggregate, AggregateFn, GroupKey};
use crate::decode::{Decode, PgEnum, decode};
use crate::error::Error;
use crate::model::Column;

/// What an aggregate or a group key decodes into: any decodable, cloneable value that
/// can be written as JSON ([`ToJson`]; the bound holds whatever features are on).
pub trait AggregateOutput:
    Decode + Clone + std::fmt::Debug + PartialEq + Send + Sync + ToJson + 'static
{
}

impl<T> AggregateOutput for T where
    T: Decode + Clone + std::fmt::Debug + PartialEq + Send + Sync + ToJson + 'static
{
}

/// A value as Prisma Client's JSON writes it: what [`Aggregates`] and [`Group`] serialize
/// (with the `serde` feature). Implemented for every scalar a field decodes into and for
/// generated enums (through [`PgEnum`], by their Prisma value name), so it does not
/// depend on any crate's `serde` feature: a client built without its own `serde` still
/// groups by an enum field when something else turns on `refract-runtime/serde`.
pub trait ToJson {
    /// The JSON value (serde_json's: a non-finite float is `null`, as in JavaScript).
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error>;
}

/// Through the value's own `Serialize` (the dependencies' serde features are always on).
macro_rules! to_json_through_serde {
    ($($ty:ty),*) => {$(
        impl ToJson for $ty {
            #[inline]
            fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
                serde_json::to_value(self)
            }
        }
    )*};
}

to_json_through_serde!(
    bool,
    i32,
    i64,
    f64,
    String,
    rust_decimal::Decimal,
    chrono::DateTime<chrono::Utc>,
    serde_json::Value,
    Vec<u8>
);

impl<E: PgEnum> ToJson for E {
    #[inline]
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        Ok(serde_json::Value::String(self.prisma_name().to_owned()))
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.as_ref()
            .map_or(Ok(serde_json::Value::Null), ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.iter()
            .map(ToJson::to_json)
            .collect::<Result<_, _>>()
            .map(serde_json::Value::Array)
    }
}

/// One decoded value, its type erased.
#[doc(hidden)]
pub trait ErasedValue: Any + Send + Sync + std::fmt::Debug {
    fn as_any(&self) -> &dyn Any;
    fn clone_value(&self) -> Box<dyn ErasedValue>;
    fn equals(&self, other: &dyn ErasedValue) -> bool;
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error>;
}

impl<T: AggregateOutput> ErasedValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn clone_value(&self) -> Box<dyn ErasedValue> {
        Box::new(self.clone())
    }
    fn equals(&self, other: &dyn ErasedValue) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        ToJson::to_json(self)
    }
}

impl Clone for Box<dyn ErasedValue> {
    fn clone(&self) -> Self {
        self.clone_value()
    }
}

/// Decodes column `index` of `row` as `T`, type-erased.
pub(crate) fn decode_value<T: AggregateOutput>(
    row: &Row,
    index: usize,
) -> Result<Box<dyn ErasedValue>, Error> {
    Ok(Box::new(decode::<T>(row, index)?))
}

/// How Prisma names an aggregate: its group (`_count`, `_avg`...) and member (`_all`, or
/// the field's name).
fn prisma_name(expr: &AggExpr) -> (&'static str, &'static str) {
    let group = match expr.function {
        AggregateFn::Count => "_count",
        AggregateFn::Sum => "_sum",
        AggregateFn::Avg => "_avg",
        AggregateFn::Min => "_min",
        AggregateFn::Max => "_max",
    };
    (group, expr.column.map_or("_all", |column| column.field))
}

/// The results of `aggregate(..)` over model `M` (or the aggregates of one [`Group`]):
/// read each with the handle that asked for it.
///
/// ```text
/// let stats = db.post().aggregate((count_all(), post::VIEWS.avg(), post::VIEWS.max())).await?;
/// stats.count_all();                // i64
/// stats.get(post::VIEWS.avg());     // Option<f64>
/// stats.get(post::VIEWS.max());     // Option<i32>
/// ```
pub struct Aggregates<M> {
    values: Vec<(AggExpr, Box<dyn ErasedValue>)>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Aggregates<M> {
    pub(crate) fn new(values: Vec<(AggExpr, Box<dyn ErasedValue>)>) -> Self {
        Aggregates {
            values,
            marker: PhantomData,
        }
    }

    /// The value of `aggregate`, which must be one the query asked for.
    ///
    /// # Panics
    /// When the query did not ask for `aggregate` (the message names it).
    pub fn get<T: AggregateOutput>(&self, aggregate: Aggregate<M, T>) -> T {
        match self.try_get(aggregate) {
            Some(value) => value,
            None => {
                let (group, member) = prisma_name(&aggregate.expr);
                panic!("aggregate `{group}.{member}` was not requested: add it to `aggregate(..)`")
            }
        }
    }

    /// The value of `aggregate`, `None` when the query did not ask for it.
    pub fn try_get<T: AggregateOutput>(&self, aggregate: Aggregate<M, T>) -> Option<T> {
        self.values
            .iter()
            .find(|(expr, _)| *expr == aggregate.expr)
            .and_then(|(_, value)| value.as_any().downcast_ref::<T>())
            .cloned()
    }

    /// `_count._all`: how many rows (the query must have asked for `count_all()`).
    ///
    /// # Panics
    /// When the query did not ask for `count_all()`.
    pub fn count_all(&self) -> i64 {
        self.get(super::count_all())
    }

    #[cfg(feature = "serde")]
    fn serialize_members<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error> {
        // One member per aggregate function, in Prisma's order, each an object of fields.
        for group in ["_count", "_sum", "_avg", "_min", "_max"] {
            use serde::ser::Error as _;
            let members: serde_json::Map<String, serde_json::Value> = self
                .values
                .iter()
                .filter(|(expr, _)| prisma_name(expr).0 == group)
                .map(|(expr, value)| {
                    let (_, member) = prisma_name(expr);
                    let json = value.to_json().map_err(|error| {
                        S::Error::custom(format!("aggregate `{group}.{member}`: {error}"))
                    })?;
                    Ok((member.to_owned(), json))
                })
                .collect::<Result<_, S::Error>>()?;
            if !members.is_empty() {
                map.serialize_entry(group, &members)?;
            }
        }
        Ok(())
    }
}

impl<M> Clone for Aggregates<M> {
    fn clone(&self) -> Self {
        Aggregates::new(self.values.clone())
    }
}

impl<M> PartialEq for Aggregates<M> {
    fn eq(&self, other: &Self) -> bool {
        self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|((a, x), (b, y))| a == b && x.equals(y.as_ref()))
    }
}

impl<M> std::fmt::Debug for Aggregates<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (expr, value) in &self.values {
            let (group, member) = prisma_name(expr);
            map.entry(&format_args!("{group}.{member}"), value);
        }
        map.finish()
    }
}

/// `{"_count": {"_all": 3}, "_avg": {"views": 2.5}}`, as Prisma returns it.
#[cfg(feature = "serde")]
impl<M> serde::Serialize for Aggregates<M> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        self.serialize_members(&mut map)?;
        map.end()
    }
}

/// One group of `group_by(..)`: the grouped fields' values, read by field
/// (`group.key(post::AUTHOR_ID)`), and its aggregates, read by handle
/// (`group.get(post::VIEWS.sum())`, `group.count_all()`).
pub struct Group<M> {
    keys: Vec<(&'static Column, Box<dyn ErasedValue>)>,
    aggregates: Aggregates<M>,
}

impl<M> Group<M> {
    pub(crate) fn new(
        keys: Vec<(&'static Column, Box<dyn ErasedValue>)>,
        aggregates: Aggregates<M>,
    ) -> Self {
        Group { keys, aggregates }
    }

    /// The group's value of `field`, one of the fields grouped by: `T` for a required
    /// field, `Option<T>` for an optional one.
    ///
    /// # Panics
    /// When the query did not group by `field`.
    pub fn key<F: GroupKey<M>>(&self, field: F) -> F::Output
    where
        F::Output: AggregateOutput,
    {
        let column = field.column();
        self.keys
            .iter()
            .find(|(c, _)| std::ptr::eq(*c, column) || c.name == column.name)
            .and_then(|(_, value)| value.as_any().downcast_ref::<F::Output>())
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "`{}` is not a field this group_by(..) groups by",
                    column.field
                )
            })
    }

    /// The value of `aggregate` for this group (see [`Aggregates::get`]).
    ///
    /// # Panics
    /// When the query did not ask for `aggregate`.
    pub fn get<T: AggregateOutput>(&self, aggregate: Aggregate<M, T>) -> T {
        self.aggregates.get(aggregate)
    }

    /// `_count._all` of this group (the query must have asked for `count_all()`).
    pub fn count_all(&self) -> i64 {
        self.aggregates.count_all()
    }

    /// The group's aggregates.
    pub fn aggregates(&self) -> &Aggregates<M> {
        &self.aggregates
    }
}

impl<M> Clone for Group<M> {
    fn clone(&self) -> Self {
        Group::new(self.keys.clone(), self.aggregates.clone())
    }
}

impl<M> PartialEq for Group<M> {
    fn eq(&self, other: &Self) -> bool {
        self.keys.len() == other.keys.len()
            && self
                .keys
                .iter()
                .zip(&other.keys)
                .all(|((a, x), (b, y))| std::ptr::eq(*a, *b) && x.equals(y.as_ref()))
            && self.aggregates == other.aggregates
    }
}

impl<M> std::fmt::Debug for Group<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (column, value) in &self.keys {
            map.entry(&column.field, value);
        }
        for (expr, value) in &self.aggregates.values {
            let (group, member) = prisma_name(expr);
            map.entry(&format_args!("{group}.{member}"), value);
        }
        map.finish()
    }
}

/// The grouped fields under their Prisma names, then the aggregates:
/// `{"authorId": 1, "_count": {"_all": 3}}`, as Prisma returns a group.
#[cfg(feature = "serde")]
impl<M> serde::Serialize for Group<M> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for (column, value) in &self.keys {
            use serde::ser::Error as _;
            let json = value.to_json().map_err(|error| {
                S::Error::custom(format!("group key `{}`: {error}", column.field))
            })?;
            map.serialize_entry(column.field, &json)?;
        }
        self.aggregates.serialize_members(&mut map)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An enum like a generated one in a client built without its `serde` feature: no
    /// `Serialize`, only `PgEnum`.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Shade {
        Dark,
    }

    impl PgEnum for Shade {
        const NAME: &'static str = "Shade";
        const VARIANTS: &'static [Self] = &[Shade::Dark];
        const DB_NAMES: &'static [&'static str] = &["dark"];
        const PRISMA_NAMES: &'static [&'static str] = &["DARK"];
        fn index(self) -> usize {
            self as usize
        }
    }

    fn output<T: AggregateOutput>(value: T) -> Box<dyn ErasedValue> {
        Box::new(value)
    }

    static SHADE: Column = Column::new("shade", "shade", true);

    #[test]
    fn an_enum_without_serialize_is_an_aggregate_output_written_by_prisma_name() {
        let value = output(Some(Shade::Dark));
        assert_eq!(value.to_json().unwrap(), serde_json::json!("DARK"));
        assert_eq!(
            output(None::<Shade>).to_json().unwrap(),
            serde_json::Value::Null
        );
        assert_eq!(
            output(vec![Shade::Dark]).to_json().unwrap(),
            serde_json::json!(["DARK"])
        );
    }

    /// A value whose JSON fails (no scalar's does; a type of the application's could).
    #[derive(Clone, Debug, PartialEq)]
    struct Unwritable;

    impl Decode for Unwritable {
        type Wire<'a> = bool;
        fn from_wire(_: bool) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
            Ok(Unwritable)
        }
    }

    impl ToJson for Unwritable {
        fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
            Err(<serde_json::Error as serde::ser::Error>::custom(
                "no JSON here",
            ))
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn a_value_that_fails_to_serialize_fails_the_serialization() {
        let max = AggExpr {
            function: AggregateFn::Max,
            column: Some(&SHADE),
            cast: None,
        };
        let aggregates = Aggregates::<()>::new(vec![(max, output(Unwritable))]);
        let error = serde_json::to_string(&aggregates).unwrap_err();
        assert!(error.to_string().contains("_max.shade"), "{error}");
        assert!(error.to_string().contains("no JSON here"), "{error}");
        let group = Group::<()>::new(vec![(&SHADE, output(Unwritable))], Aggregates::new(vec![]));
        let error = serde_json::to_string(&group).unwrap_err();
        assert!(error.to_string().contains("group key `shade`"), "{error}");
    }
}

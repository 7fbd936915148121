//! serde for generated clients' records and enums (the `serde` feature), as serde's
//! derives would write it (the same names and JSON, missing `Option` fields read as `None`,
//! unknown fields ignored, a duplicate field an error, records also read from a sequence),
//! but written once: each generated type invokes [`__serde_record!`](crate::__serde_record)
//! or [`__serde_pg_enum!`](crate::__serde_pg_enum) with its names, and the rest is the
//! generic code below. What the derives expand per type (a field-identifier enum and its
//! visitor, a map visitor and a sequence visitor, each a match over every field) was most of
//! what a generated crate cost to compile (BENCHMARKS.md, civitai).
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::de::{MapAccess, SeqAccess};
use serde::ser::SerializeStruct;

/// `Serialize` and `Deserialize` for a generated record, from its fields' Rust members and
/// serde names; with `+ Omitted`, also `Serialize` for the `Omitted` record of the same
/// fields. Invoked by generated code only.
#[macro_export]
#[doc(hidden)]
macro_rules! __serde_record {
    ($record:ident { $($member:ident = $name:literal),* $(,)? }) => {
        impl $crate::serde::Serialize for $record {
            fn serialize<__S: $crate::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use $crate::serde::ser::SerializeStruct;
                let mut record = serializer.serialize_struct(stringify!($record), <[&str]>::len(&[$($name),*]))?;
                $(record.serialize_field($name, &self.$member)?;)*
                record.end()
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $record {
            fn deserialize<__D: $crate::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                $crate::serde_records::deserialize(deserializer)
            }
        }

        impl $crate::serde_records::Record for $record {
            const NAME: &'static str = stringify!($record);
            const FIELDS: &'static [&'static str] = &[$($name),*];
            fn read<'de, __F: $crate::serde_records::Fields<'de>>(mut fields: __F) -> ::std::result::Result<Self, __F::Error> {
                $(let mut $member = ::std::option::Option::None;)*
                while let ::std::option::Option::Some(key) = fields.next_key()? {
                    // One `?` for all arms: each costs the compiler a `Try` desugaring.
                    match key {
                        $($name => fields.value(&mut $member, $name),)*
                        _ => fields.skip(),
                    }?
                }
                ::std::result::Result::Ok(Self { $($member: $crate::serde_records::finish($member, $name)?,)* })
            }
        }
    };
    ($record:ident + $omitted:ident { $($member:ident = $name:literal),* $(,)? }) => {
        $crate::__serde_record!($record { $($member = $name),* });

        impl $crate::serde::Serialize for $omitted {
            fn serialize<__S: $crate::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use $crate::serde::ser::SerializeStruct;
                let present = 0 $(+ usize::from(self.$member.is_some()))*;
                let mut record = serializer.serialize_struct(stringify!($omitted), present)?;
                $($crate::serde_records::present_field(&mut record, $name, &self.$member)?;)*
                record.end()
            }
        }
    };
}

/// A record read field by field, from a map or a sequence.
pub trait Record: Sized {
    /// The Rust name, for `deserialize_struct` and errors.
    const NAME: &'static str;
    /// The serde names of the fields (Prisma's), in declaration order.
    const FIELDS: &'static [&'static str];
    fn read<'de, F: Fields<'de>>(fields: F) -> Result<Self, F::Error>;
}

/// Where a record's fields come from: a map's keys and values, or a sequence's elements in
/// field order.
pub trait Fields<'de> {
    type Error: de::Error;
    /// The next field's serde name (`""`: a member that is no field).
    fn next_key(&mut self) -> Result<Option<&'static str>, Self::Error>;
    /// The value of the field just read into `slot` (a second value is an error).
    fn value<T: de::Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), Self::Error>;
    /// Skips the value of a member that is no field.
    fn skip(&mut self) -> Result<(), Self::Error>;
}

/// Reads a [`Record`] as serde's derive does (`deserialize_struct`).
pub fn deserialize<'de, R: Record, D: Deserializer<'de>>(deserializer: D) -> Result<R, D::Error> {
    deserializer.deserialize_struct(R::NAME, R::FIELDS, RecordVisitor(PhantomData))
}

struct RecordVisitor<R>(PhantomData<R>);

impl<'de, R: Record> Visitor<'de> for RecordVisitor<R> {
    type Value = R;
    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "struct {}", R::NAME)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R, A::Error> {
        R::read(MapFields {
            map,
            names: R::FIELDS,
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R, A::Error> {
        R::read(SeqFields {
            seq,
            names: R::FIELDS,
            index: 0,
            record: R::NAME,
        })
    }
}

struct MapFields<A> {
    map: A,
    names: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>> Fields<'de> for MapFields<A> {
    type Error = A::Error;
    fn next_key(&mut self) -> Result<Option<&'static str>, A::Error> {
        self.map.next_key_seed(Key(self.names))
    }
    fn value<T: de::Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(<A::Error as de::Error>::duplicate_field(name));
        }
        *slot = Some(self.map.next_value()?);
        Ok(())
    }
    fn skip(&mut self) -> Result<(), A::Error> {
        self.map.next_value::<de::IgnoredAny>().map(|_| ())
    }
}

/// A record as a sequence: every field in order (a shorter sequence is an error).
struct SeqFields<A> {
    seq: A,
    names: &'static [&'static str],
    index: usize,
    record: &'static str,
}

impl<'de, A: SeqAccess<'de>> Fields<'de> for SeqFields<A> {
    type Error = A::Error;
    fn next_key(&mut self) -> Result<Option<&'static str>, A::Error> {
        Ok(self.names.get(self.index).copied())
    }
    fn value<T: de::Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        _name: &'static str,
    ) -> Result<(), A::Error> {
        match self.seq.next_element()? {
            Some(value) => *slot = Some(value),
            None => {
                let expected = format!("struct {} with {} elements", self.record, self.names.len());
                return Err(<A::Error as de::Error>::invalid_length(
                    self.index,
                    &expected.as_str(),
                ));
            }
        }
        self.index += 1;
        Ok(())
    }
    fn skip(&mut self) -> Result<(), A::Error> {
        self.index += 1;
        self.seq.next_element::<de::IgnoredAny>().map(|_| ())
    }
}

/// A field key: its serde name (`""`: not a field, ignored), read from a name, its bytes or
/// an index.
struct Key(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = &'static str;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<&'static str, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = &'static str;
    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("field identifier")
    }
    fn visit_u64<E: de::Error>(self, index: u64) -> Result<&'static str, E> {
        let field = usize::try_from(index)
            .ok()
            .and_then(|index| self.0.get(index));
        Ok(field.copied().unwrap_or(""))
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<&'static str, E> {
        Ok(self
            .0
            .iter()
            .find(|field| **field == name)
            .copied()
            .unwrap_or(""))
    }
    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<&'static str, E> {
        Ok(self
            .0
            .iter()
            .find(|field| field.as_bytes() == name)
            .copied()
            .unwrap_or(""))
    }
}

/// A field's value once every member is read: a missing one is an error unless its type
/// reads nothing as a value (`Option`: `None`), as with serde's derive.
pub fn finish<'de, T: de::Deserialize<'de>, E: de::Error>(
    slot: Option<T>,
    name: &'static str,
) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing(name, PhantomData)),
    }
}

/// The value of a missing field: `None` to an `Option`, the missing-field error to others.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;
    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// Writes a field of an `Omitted` record that was read, skips one that was omitted.
pub fn present_field<S: SerializeStruct, T: serde::Serialize>(
    record: &mut S,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(_) => record.serialize_field(name, value),
        None => record.skip_field(name),
    }
}

use crate::PgEnum;
use serde::de::{EnumAccess, VariantAccess};

/// `Serialize` and `Deserialize` for a generated schema enum, by its `PgEnum` Prisma names.
/// Invoked by generated code only.
#[macro_export]
#[doc(hidden)]
macro_rules! __serde_pg_enum {
    ($enum:ident) => {
        impl $crate::serde::Serialize for $enum {
            fn serialize<__S: $crate::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                $crate::serde_records::serialize_enum(*self, stringify!($enum), serializer)
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $enum {
            fn deserialize<__D: $crate::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                $crate::serde_records::deserialize_enum(deserializer, stringify!($enum))
            }
        }
    };
}

/// A schema enum as its Prisma name (a unit variant).
pub fn serialize_enum<E: PgEnum, S: serde::Serializer>(
    value: E,
    name: &'static str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let index = value.index();
    let variant_index = u32::try_from(index).unwrap_or(u32::MAX);
    serializer.serialize_unit_variant(name, variant_index, E::PRISMA_NAMES[index])
}

/// A schema enum from its Prisma name (or its index).
pub fn deserialize_enum<'de, E: PgEnum, D: Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
) -> Result<E, D::Error> {
    deserializer.deserialize_enum(name, E::PRISMA_NAMES, EnumVisitor(name, PhantomData))
}

struct EnumVisitor<E>(&'static str, PhantomData<E>);

impl<'de, E: PgEnum> Visitor<'de> for EnumVisitor<E> {
    type Value = E;
    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "enum {}", self.0)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<E, A::Error> {
        let (index, variant) = data.variant_seed(Variant(E::PRISMA_NAMES))?;
        variant.unit_variant()?;
        Ok(E::VARIANTS[index])
    }
}

/// A variant key: its position among the variant names.
struct Variant(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Variant {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Variant {
    type Value = usize;
    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("variant identifier")
    }
    fn visit_u64<E: de::Error>(self, index: u64) -> Result<usize, E> {
        usize::try_from(index)
            .ok()
            .filter(|index| *index < self.0.len())
            .ok_or_else(|| {
                let expected = format!("variant index 0 <= i < {}", self.0.len());
                E::invalid_value(de::Unexpected::Unsigned(index), &expected.as_str())
            })
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<usize, E> {
        let position = self.0.iter().position(|variant| *variant == name);
        position.ok_or_else(|| E::unknown_variant(name, self.0))
    }
    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<usize, E> {
        let position = self.0.iter().position(|variant| variant.as_bytes() == name);
        position.ok_or_else(|| E::unknown_variant(&String::from_utf8_lossy(name), self.0))
    }
}

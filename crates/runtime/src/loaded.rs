//! Loaded relations in result types: [`Loaded`], a record plus the relations an `include`
//! loaded, each entry ([`With`], [`Counted`]) found by naming the relation.
//!
//! # Why this shape
//! A generated model struct holds its scalar fields only: no type parameters, no relation
//! fields. What a query loaded on top of it is a type-level list, a flat tuple of entries
//! in include order, carried by one runtime-generic wrapper:
//!
//! ```text
//! find_many().include(conversation::AGENT).include(conversation::MESSAGES).include_count()
//!   : Vec<Loaded<Conversation, (With<conversation::relation::Agent>,
//!                               With<conversation::relation::Messages>,
//!                               Counted<conversation::Counts>)>>
//! ```
//!
//! - Reading names the relation, never a position: `convo.get(conversation::MESSAGES)` is a
//!   `&Vec<Message>`. The position is inferred ([`Find`]'s index parameter, as frunk's
//!   `Plucker` does), so adding a relation to the schema, or another include, changes no
//!   code that reads one. A relation that was not included cannot be read (no `Find` impl:
//!   a compile error), and no `Option` stands in for "not loaded".
//! - Generated code stays linear in a model's fields plus relations: one marker type and
//!   one [`RelationField`] impl per relation, nothing that restates the other relations
//!   (the former "one type parameter per relation, one impl per relation restating all of
//!   them" was quadratic: 91,626 lines for civitai's `User`). Everything that combines
//!   includes is generic code here, compiled once.
//! - `Loaded` derefs to the record, so `convo.id` reads as before; `record()`,
//!   `into_record()` and `into_parts()` take it out.
//! - With serde, `Loaded` serializes as one flat object, the record's fields followed by
//!   each loaded relation under its Prisma field name and `_count`: the JSON Prisma Client
//!   returns for an `include`; it reads back from the same shape.
//!
//! The list holds at most 12 entries (the tuple impls' length), far above what one query
//! level includes in practice.

use std::ops::{Deref, DerefMut};

use crate::decode::FromRow;
use crate::error::Error;
use crate::include::Level;
use crate::model::Model;
use crate::relation::{Arity, Relation, RelationField, RelationMeta, Slot};

/// A record `M` with the relations an `include` loaded, `L`: a tuple of [`With`] and
/// [`Counted`] entries in include order. Read a relation by its handle
/// (`convo.get(conversation::MESSAGES)`), `_count` with [`Loaded::counts`], the record's
/// own fields through `Deref` (`convo.id`).
///
/// Name a loaded type once with an alias:
/// `type ConversationWithMessages = Loaded<Conversation, (With<conversation::relation::Messages>,)>;`
///
/// # serde (the `serde` feature): meant for JSON
/// `Loaded` serializes as one flat object, the record's members followed by each loaded
/// relation's and `_count`: it writes a map of unknown length (the record is flattened
/// into it), which formats that need a map's length up front (bincode, postcard...)
/// refuse. It deserializes by buffering the whole object as `serde_json` values, then
/// taking each loaded relation out by name and reading the record from the rest; every
/// loaded relation's member must be there (an optional one as `null`). So it is meant
/// for JSON through `serde_json`; a self-describing format can work, at the cost of that
/// buffering.
///
/// A relation that was not included cannot be read: the compiler says "`Posts` was not
/// loaded by this query", naming what was.
/// ```
/// use runtime_tests_client::{Loaded, Post, With, post};
/// fn author_email(post: &Loaded<Post, (With<post::relation::Author>,)>) -> &str {
///     &post.get(post::AUTHOR).email
/// }
/// ```
/// ```compile_fail,E0277
/// use runtime_tests_client::{Loaded, Post, With, post, user};
/// fn author_email(post: &Loaded<Post, (With<post::relation::Author>,)>) -> &str {
///     // `user::POSTS` was not included (it is not even a relation of `Post`).
///     let _ = post.get(user::POSTS);
///     &post.get(post::AUTHOR).email
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Loaded<M, L> {
    record: M,
    loaded: L,
}

impl<M, L> Loaded<M, L> {
    /// A record with these loaded entries (what a query builds; useful in tests).
    pub fn new(record: M, loaded: L) -> Self {
        Loaded { record, loaded }
    }

    /// The record without its relations.
    pub fn record(&self) -> &M {
        &self.record
    }

    /// The record without its relations, mutably.
    pub fn record_mut(&mut self) -> &mut M {
        &mut self.record
    }

    /// The record; the loaded relations are dropped.
    pub fn into_record(self) -> M {
        self.record
    }

    /// The record and the tuple of loaded entries.
    pub fn into_parts(self) -> (M, L) {
        (self.record, self.loaded)
    }

    /// The tuple of loaded entries, in include order.
    pub fn loaded(&self) -> &L {
        &self.loaded
    }

    /// The loaded value of relation `relation`: `Vec<C>` for a to-many relation, `C` for a
    /// required to-one, `Option<C>` for an optional one. Only a relation that was included
    /// can be read; anything else does not compile.
    pub fn get<Rel, A, I>(&self, relation: Relation<Rel, A>) -> &<L as Find<Rel, I>>::Value
    where
        L: Find<Rel, I>,
    {
        let _ = relation;
        self.loaded.find()
    }

    /// [`Loaded::get`], mutably.
    pub fn get_mut<Rel, A, I>(
        &mut self,
        relation: Relation<Rel, A>,
    ) -> &mut <L as Find<Rel, I>>::Value
    where
        L: Find<Rel, I>,
    {
        let _ = relation;
        self.loaded.find_mut()
    }

    /// The loaded value of relation `relation`, by value; the record and the other
    /// entries are dropped (use [`Loaded::into_parts`] to keep them).
    pub fn take<Rel, A, I>(self, relation: Relation<Rel, A>) -> <L as Find<Rel, I>>::Value
    where
        L: Find<Rel, I>,
    {
        let _ = relation;
        self.loaded.into_found()
    }

    /// The `_count` that `include_count()` loaded: the model's generated `Counts` struct.
    pub fn counts<I>(&self) -> &<L as Find<CountKey, I>>::Value
    where
        L: Find<CountKey, I>,
    {
        self.loaded.find()
    }
}

impl<M, L> Deref for Loaded<M, L> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.record
    }
}

impl<M, L> DerefMut for Loaded<M, L> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.record
    }
}

impl<M: Model, L: LoadList> FromRow for Loaded<M, L> {
    #[inline]
    fn from_row(row: &crate::Row) -> Result<Self, Error> {
        Self::from_level(&Level::single(row), 0)
    }

    fn from_level(level: &Level<'_>, index: usize) -> Result<Self, Error> {
        Ok(Loaded {
            record: M::from_row(level.row(index))?,
            loaded: L::load(level, index)?,
        })
    }
}

/// The entry (a [`With`] or [`Counted`]) is the one keyed `K`: what [`Find`] asks of an
/// entry, one impl per entry type, so that a relation no entry holds is reported as
/// not loaded rather than as a mismatch with the first entry.
#[diagnostic::on_unimplemented(
    message = "`{K}` was not loaded by this query (this entry is `{Self}`)",
    label = "not included in the query that made this `Loaded`",
    note = "read only what the query loaded: add `.include(..)` of this relation (or `.include_count()` for `_count`) to the query"
)]
pub trait KeyedBy<K> {}

impl<R: RelationField, C: FromRow> KeyedBy<R> for With<R, C> {}
impl<C> KeyedBy<CountKey> for Counted<C> {}
// A second key per entry type that nothing reads: with one impl, the compiler would infer
// the key of a one-entry list from the entry and report a relation that was not loaded as
// a type mismatch with the loaded one, instead of this trait's message.
#[doc(hidden)]
impl<R: RelationField, C: FromRow> KeyedBy<NotAKey> for With<R, C> {}
#[doc(hidden)]
impl<C> KeyedBy<NotAKey> for Counted<C> {}

/// A key no entry is read by (see [`KeyedBy`]).
#[doc(hidden)]
#[derive(Debug)]
pub enum NotAKey {}

/// One loaded entry of a [`Loaded`] list: its key (the relation's marker type, or
/// [`CountKey`]) and its value.
pub trait Entry: Sized {
    /// What names the entry: a relation's marker type, or [`CountKey`].
    type Key;
    /// What reading it gives.
    type Value;
    fn value(&self) -> &Self::Value;
    fn value_mut(&mut self) -> &mut Self::Value;
    fn into_value(self) -> Self::Value;
    /// Decodes the entry of row `index` from the loaded rows.
    #[doc(hidden)]
    fn load(level: &Level<'_>, index: usize) -> Result<Self, Error>;
}

/// The entry of relation `R` in a [`Loaded`] list, whose related records decode as `C`
/// (the related model by default; a nested `Loaded<..>` when the include includes
/// further; a row type chosen with `select`). It holds `Vec<C>`, `C` or `Option<C>`, as
/// the relation's arity says.
pub struct With<R: RelationField, C: FromRow = <R as RelationField>::Child>(
    pub <R::Arity as Arity>::Loaded<C>,
);

impl<R: RelationField, C: FromRow> Entry for With<R, C> {
    type Key = R;
    type Value = <R::Arity as Arity>::Loaded<C>;
    #[inline]
    fn value(&self) -> &Self::Value {
        &self.0
    }
    #[inline]
    fn value_mut(&mut self) -> &mut Self::Value {
        &mut self.0
    }
    #[inline]
    fn into_value(self) -> Self::Value {
        self.0
    }
    #[inline]
    fn load(level: &Level<'_>, index: usize) -> Result<Self, Error> {
        Slot::load(level, index, R::META).map(With)
    }
}

impl<R: RelationField, C: FromRow> Clone for With<R, C>
where
    <R::Arity as Arity>::Loaded<C>: Clone,
{
    fn clone(&self) -> Self {
        With(self.0.clone())
    }
}

impl<R: RelationField, C: FromRow> std::fmt::Debug for With<R, C>
where
    <R::Arity as Arity>::Loaded<C>: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple(R::META.name).field(&self.0).finish()
    }
}

impl<R: RelationField, C: FromRow> PartialEq for With<R, C>
where
    <R::Arity as Arity>::Loaded<C>: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

/// The key of the `_count` entry ([`Counted`]) of a [`Loaded`] list.
#[derive(Debug)]
pub enum CountKey {}

/// The `_count` entry of a [`Loaded`] list: the model's generated `Counts` struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Counted<C>(pub C);

impl<C: CountsRecord> Entry for Counted<C> {
    type Key = CountKey;
    type Value = C;
    #[inline]
    fn value(&self) -> &C {
        &self.0
    }
    #[inline]
    fn value_mut(&mut self) -> &mut C {
        &mut self.0
    }
    #[inline]
    fn into_value(self) -> C {
        self.0
    }
    #[inline]
    fn load(level: &Level<'_>, index: usize) -> Result<Self, Error> {
        C::from_level(level, index).map(Counted)
    }
}

/// A model's generated `Counts` struct (`_count`): one `i64` per to-many relation.
pub trait CountsRecord: Sized {
    /// Reads the counts of row `index` (`level.count(index, position)` per relation).
    #[doc(hidden)]
    fn from_level(level: &Level<'_>, index: usize) -> Result<Self, Error>;
}

/// A model with to-many relations, whose `_count` can be loaded (`include_count()`).
pub trait HasCount: Model {
    /// The generated `Counts` struct.
    type Counts: CountsRecord;
    /// The relations counted, in the order of the `Counts` struct's fields.
    #[doc(hidden)]
    const COUNTED: &'static [&'static RelationMeta];
}

/// A tuple of [`Entry`]s, decoded entry by entry.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of loaded entries: one query level includes at most 12 relations and `_count`",
    note = "split the query, or include fewer relations at this level"
)]
pub trait LoadList: Sized {
    #[doc(hidden)]
    fn load(level: &Level<'_>, index: usize) -> Result<Self, Error>;
}

/// A tuple that one more entry `E` can follow: `(A, B)` becomes `(A, B, E)`.
pub trait Push<E> {
    type Output;
}

/// A row type that an include can add entry `E` to: a model (which becomes
/// `Loaded<M, (E,)>`) or a [`Loaded`] (whose list gains `E` at its end).
#[diagnostic::on_unimplemented(
    message = "cannot include one more relation on `{Self}`: one query level includes at most 12 relations and `_count`",
    note = "split the query, or include fewer relations at this level"
)]
pub trait AddLoad<E> {
    type Output: FromRow;
}

impl<M: Model, E: Entry> AddLoad<E> for M
where
    (E,): LoadList,
{
    type Output = Loaded<M, (E,)>;
}

impl<M: Model, L: Push<E>, E: Entry> AddLoad<E> for Loaded<M, L>
where
    L::Output: LoadList,
{
    type Output = Loaded<M, L::Output>;
}

/// Finds the entry keyed `K` in a tuple of entries; `I` (an [`At`]) is its position,
/// which the compiler infers: exactly one entry has key `K` when a relation is read.
#[diagnostic::on_unimplemented(
    message = "`{K}` was not loaded by this query: it is not in the list `{Self}`",
    label = "not included in the query that made this `Loaded`",
    note = "read only what the query loaded: add `.include(..)` of this relation (or `.include_count()` for `_count`) to the query"
)]
pub trait Find<K, I> {
    type Value;
    fn find(&self) -> &Self::Value;
    fn find_mut(&mut self) -> &mut Self::Value;
    fn into_found(self) -> Self::Value;
}

/// A position in a tuple of entries (the index type of [`Find`]).
#[derive(Debug)]
pub enum At<const N: usize> {}

/// `Find` at position `$at` (entry type `$entry`) of the tuple of `$all`.
macro_rules! find_at {
    ($at:tt $entry:ident [$($all:ident),+]) => {
        impl<K, $($all),+> Find<K, At<$at>> for ($($all,)+)
        where
            $entry: Entry + KeyedBy<K>,
        {
            type Value = <$entry as Entry>::Value;
            #[inline]
            fn find(&self) -> &Self::Value {
                self.$at.value()
            }
            #[inline]
            fn find_mut(&mut self) -> &mut Self::Value {
                self.$at.value_mut()
            }
            #[inline]
            fn into_found(self) -> Self::Value {
                self.$at.into_value()
            }
        }
    };
}

/// Everything a tuple of entries implements, for one tuple length.
macro_rules! entry_tuple {
    ($all:tt $($at:tt $entry:ident),+) => {
        $(find_at!($at $entry $all);)+
        entry_tuple!(@list $all);
    };
    (@list [$($entry:ident),+]) => {
        impl<$($entry: Entry),+> LoadList for ($($entry,)+) {
            #[inline]
            fn load(level: &Level<'_>, index: usize) -> Result<Self, Error> {
                Ok(($($entry::load(level, index)?,)+))
            }
        }

        impl<$($entry,)+ Next> Push<Next> for ($($entry,)+) {
            type Output = ($($entry,)+ Next,);
        }

        #[cfg(feature = "serde")]
        impl<$($entry: DeserializeEntry),+> DeserializeEntries for ($($entry,)+) {
            fn deserialize_entries(
                object: &mut serde_json::Map<String, serde_json::Value>,
            ) -> Result<Self, serde_json::Error> {
                Ok(($($entry::deserialize_entry(object)?,)+))
            }
        }

        #[cfg(feature = "serde")]
        impl<$($entry: SerializeEntry),+> SerializeEntries for ($($entry,)+) {
            #[allow(non_snake_case)]
            fn serialize_entries<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error> {
                let ($($entry,)+) = self;
                $($entry.serialize_entry(map)?;)+
                Ok(())
            }
        }
    };
}

entry_tuple!([E0] 0 E0);
entry_tuple!([E0, E1] 0 E0, 1 E1);
entry_tuple!([E0, E1, E2] 0 E0, 1 E1, 2 E2);
entry_tuple!([E0, E1, E2, E3] 0 E0, 1 E1, 2 E2, 3 E3);
entry_tuple!([E0, E1, E2, E3, E4] 0 E0, 1 E1, 2 E2, 3 E3, 4 E4);
entry_tuple!([E0, E1, E2, E3, E4, E5] 0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5);
entry_tuple!([E0, E1, E2, E3, E4, E5, E6] 0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5, 6 E6);
entry_tuple!([E0, E1, E2, E3, E4, E5, E6, E7] 0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5, 6 E6, 7 E7);
entry_tuple!(
    [E0, E1, E2, E3, E4, E5, E6, E7, E8]
    0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5, 6 E6, 7 E7, 8 E8
);
entry_tuple!(
    [E0, E1, E2, E3, E4, E5, E6, E7, E8, E9]
    0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5, 6 E6, 7 E7, 8 E8, 9 E9
);
entry_tuple!(
    [E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10]
    0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5, 6 E6, 7 E7, 8 E8, 9 E9, 10 E10
);
// The longest list: no `Push` beyond it (the 13-tuple has no `LoadList`).
entry_tuple!(
    [E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11]
    0 E0, 1 E1, 2 E2, 3 E3, 4 E4, 5 E5, 6 E6, 7 E7, 8 E8, 9 E9, 10 E10, 11 E11
);

/// One entry of a [`Loaded`] list as a JSON member: a relation under its Prisma field
/// name, the counts under `_count`.
#[cfg(feature = "serde")]
pub trait SerializeEntry {
    #[doc(hidden)]
    fn serialize_entry<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error>;
}

#[cfg(feature = "serde")]
impl<R: RelationField, C: FromRow> SerializeEntry for With<R, C>
where
    <R::Arity as Arity>::Loaded<C>: serde::Serialize,
{
    fn serialize_entry<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error> {
        map.serialize_entry(R::META.name, &self.0)
    }
}

#[cfg(feature = "serde")]
impl<C: serde::Serialize> SerializeEntry for Counted<C> {
    fn serialize_entry<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error> {
        map.serialize_entry("_count", &self.0)
    }
}

/// The entries of a [`Loaded`] list as JSON members.
#[cfg(feature = "serde")]
pub trait SerializeEntries {
    #[doc(hidden)]
    fn serialize_entries<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error>;
}

/// One flat object: the record's members, then the loaded entries (Prisma's shape).
#[cfg(feature = "serde")]
impl<M: serde::Serialize, L: SerializeEntries> serde::Serialize for Loaded<M, L> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Entries<'a, L>(&'a L);
        impl<L: SerializeEntries> serde::Serialize for Entries<'_, L> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                self.0.serialize_entries(&mut map)?;
                map.end()
            }
        }
        #[derive(serde::Serialize)]
        #[serde(bound = "")]
        struct Flat<'a, M: serde::Serialize, L: SerializeEntries> {
            #[serde(flatten)]
            record: &'a M,
            #[serde(flatten)]
            loaded: Entries<'a, L>,
        }
        Flat {
            record: &self.record,
            loaded: Entries(&self.loaded),
        }
        .serialize(serializer)
    }
}

/// One entry of a [`Loaded`] list read back from its JSON member (taken out of the
/// object, so the record does not see it).
#[cfg(feature = "serde")]
pub trait DeserializeEntry: Sized {
    #[doc(hidden)]
    fn deserialize_entry(
        object: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, serde_json::Error>;
}

#[cfg(feature = "serde")]
impl<R: RelationField, C: FromRow> DeserializeEntry for With<R, C>
where
    <R::Arity as Arity>::Loaded<C>: serde::de::DeserializeOwned,
{
    fn deserialize_entry(
        object: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, serde_json::Error> {
        // Prisma writes every loaded relation, an optional one absent as `null`: a
        // missing member is not a loaded relation.
        let value = object
            .remove(R::META.name)
            .ok_or_else(|| <serde_json::Error as serde::de::Error>::missing_field(R::META.name))?;
        serde_json::from_value(value).map(With)
    }
}

#[cfg(feature = "serde")]
impl<C: serde::de::DeserializeOwned> DeserializeEntry for Counted<C> {
    fn deserialize_entry(
        object: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, serde_json::Error> {
        let value = object
            .remove("_count")
            .ok_or_else(|| <serde_json::Error as serde::de::Error>::missing_field("_count"))?;
        serde_json::from_value(value).map(Counted)
    }
}

/// The entries of a [`Loaded`] list read back from their JSON members.
#[cfg(feature = "serde")]
pub trait DeserializeEntries: Sized {
    #[doc(hidden)]
    fn deserialize_entries(
        object: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, serde_json::Error>;
}

/// Reads the flat object [`Loaded`] serializes to: each loaded relation from its member
/// (a missing member is an error, whatever the relation's arity: an optional to-one that
/// loaded nothing is written as `null`), the record from the other members.
#[cfg(feature = "serde")]
impl<'de, M: serde::de::DeserializeOwned, L: DeserializeEntries> serde::Deserialize<'de>
    for Loaded<M, L>
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut object =
            <serde_json::Map<String, serde_json::Value> as serde::Deserialize>::deserialize(
                deserializer,
            )?;
        let loaded = L::deserialize_entries(&mut object).map_err(D::Error::custom)?;
        let record =
            serde_json::from_value(serde_json::Value::Object(object)).map_err(D::Error::custom)?;
        Ok(Loaded { record, loaded })
    }
}

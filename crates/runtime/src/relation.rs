//! Relations: what generated code declares about them ([`RelationMeta`], [`Link`], one
//! [`RelationField`] marker type per relation field), the typed handle application code
//! uses ([`Relation`]: relation filters, ordering by related data, includes, nested
//! writes), and how loaded relations live in result types ([`Slot`], [`NotLoaded`]).
//!
//! # Typed results
//! A generated model struct has one type parameter per relation field, defaulting to
//! [`NotLoaded`], plus one for `_count`: `Conversation<Agent = NotLoaded, Tenant =
//! NotLoaded, Messages = NotLoaded, Count = NotLoaded>`. Plain `Conversation` is the row
//! with no relation loaded. `include(conversation::MESSAGES)` turns the query's row type
//! into `Conversation<NotLoaded, NotLoaded, Vec<Message>>` (through [`HasRelation`]), so
//! `conversation.messages` is a `Vec<Message>` exactly when it was loaded, and a
//! `NotLoaded` (which has no methods and serializes to nothing) otherwise. A to-many
//! relation loads as `Vec<T>`, an optional to-one as `Option<T>`, a required to-one as `T`.
//!
//! Why this shape: no `WithX` struct per combination (their number explodes), no
//! `Option` that silently means "not loaded", field access stays plain (`c.messages`), and
//! the cost per relation is one small impl in generated code.

use std::marker::PhantomData;

use crate::decode::FromRow;
use crate::error::Error;
use crate::include::Level;
use crate::model::{Column, Model, ModelMeta, Table};
use crate::query::{Filter, FilterNode, OrderBy, OrderTarget};

/// How the rows of a relation are linked, seen from the model that declares the field.
#[derive(Debug)]
pub enum Link {
    /// This model holds the foreign key: its `fields` reference the related model's
    /// `references` (`Message.convo`).
    Owned {
        fields: &'static [&'static Column],
        references: &'static [&'static Column],
    },
    /// The related model holds the foreign key: its `fields` reference this model's
    /// `references` (`Conversation.messages`).
    Inverse {
        fields: &'static [&'static Column],
        references: &'static [&'static Column],
    },
    /// An implicit many-to-many relation through Prisma's join table `_Name`: column
    /// `this` holds this model's `key`, column `other` the related model's `related_key`.
    JoinTable {
        table: Table,
        this: &'static Column,
        other: &'static Column,
        key: &'static Column,
        related_key: &'static Column,
    },
}

/// Everything the runtime knows about one relation field. Generated code emits one
/// `static` per relation field; identity is the static's address.
#[derive(Debug)]
pub struct RelationMeta {
    /// Prisma field name.
    pub name: &'static str,
    /// The relation's name (`@relation("...")` or Prisma's default `AToB`).
    pub relation: &'static str,
    /// The model declaring the field.
    pub model: &'static ModelMeta,
    /// The model it points to.
    pub related: &'static ModelMeta,
    /// A list field (`Message[]`).
    pub to_many: bool,
    /// An optional to-one field (`User?`).
    pub optional: bool,
    pub link: Link,
}

impl PartialEq for RelationMeta {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for RelationMeta {}

/// The join table columns of implicit many-to-many relations.
pub static JOIN_A: Column = Column {
    name: "A",
    field: "A",
    nullable: false,
};
pub static JOIN_B: Column = Column {
    name: "B",
    field: "B",
    nullable: false,
};

/// Marker: a to-many relation (`Message[]`), loaded as `Vec<T>`.
#[derive(Debug)]
pub enum ToMany {}
/// Marker: a required to-one relation (`Agent`), loaded as `T`.
#[derive(Debug)]
pub enum ToOne {}
/// Marker: an optional to-one relation (`User?`), loaded as `Option<T>`.
#[derive(Debug)]
pub enum ToOptional {}

/// How a relation of some arity holds its loaded rows.
pub trait Arity: 'static {
    type Loaded<T: FromRow>: Slot;
}
impl Arity for ToMany {
    type Loaded<T: FromRow> = Vec<T>;
}
impl Arity for ToOne {
    type Loaded<T: FromRow> = T;
}
impl Arity for ToOptional {
    type Loaded<T: FromRow> = Option<T>;
}

/// A relation field, as a type: generated code declares one zero-sized marker per
/// relation field (`conversation::relation::Messages`) and implements this for it.
pub trait RelationField: 'static {
    /// The model declaring the field (with no relation loaded).
    type Parent: Model;
    /// The model it points to.
    type Child: Model;
    /// [`ToMany`], [`ToOne`] or [`ToOptional`].
    type Arity: Arity;
    const META: &'static RelationMeta;
}

/// A model row type that has relation `Rel`: `With<V>` is the same type with the
/// relation's slot holding `V`. Generated for every relation of every model.
pub trait HasRelation<Rel>: FromRow {
    type With<V: Slot>: FromRow;
}

/// A model row type with to-many relations, whose `_count` can be loaded.
pub trait HasCount: FromRow {
    /// The same type with `_count` loaded.
    type WithCount: FromRow;
    /// The relations counted, in the order of the generated `Counts` struct's fields.
    #[doc(hidden)]
    const COUNTED: &'static [&'static RelationMeta];
}

/// The value of a relation that was not included: it has no methods, so reading it as
/// related data is a compile error, and serde skips it.
///
/// A generated model has one type parameter per relation, defaulting to `NotLoaded`
/// (`Conversation<Agent = NotLoaded, Tenant = NotLoaded, Messages = NotLoaded, Count =
/// NotLoaded>`), so plain `Conversation` is the row alone, and
/// `include(conversation::MESSAGES)` makes it `Conversation<NotLoaded, NotLoaded,
/// Vec<Message>>`. Why this shape: no `WithX` struct per combination of includes (their
/// number explodes, and each costs compile time), no `Option` that silently means "not
/// loaded", plain field access (`c.messages`), and one small impl per relation in
/// generated code. Name a loaded type once with a type alias.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NotLoaded;

#[cfg(feature = "serde")]
impl serde::Serialize for NotLoaded {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_none()
    }
}

/// A missing field (or `null`) reads as `NotLoaded`.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for NotLoaded {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Nothing;
        impl<'de> serde::de::Visitor<'de> for Nothing {
            type Value = NotLoaded;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("nothing (a relation that was not loaded)")
            }
            fn visit_none<E>(self) -> Result<NotLoaded, E> {
                Ok(NotLoaded)
            }
            fn visit_unit<E>(self) -> Result<NotLoaded, E> {
                Ok(NotLoaded)
            }
        }
        deserializer.deserialize_option(Nothing)
    }
}

/// Which slot of a row a [`Slot`] fills.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum SlotId {
    Relation(&'static RelationMeta),
    Count,
}

/// What a relation slot of a generated model can hold: [`NotLoaded`], `Vec<T>`,
/// `Option<T>`, a row `T`, or a model's `Counts`.
pub trait Slot: Sized {
    #[doc(hidden)]
    fn load(level: &Level<'_>, index: usize, slot: SlotId) -> Result<Self, Error>;
    /// Whether this is [`NotLoaded`] (serde skips such fields).
    fn is_not_loaded(&self) -> bool {
        false
    }
}

impl Slot for NotLoaded {
    #[inline]
    fn load(_: &Level<'_>, _: usize, _: SlotId) -> Result<Self, Error> {
        Ok(NotLoaded)
    }
    fn is_not_loaded(&self) -> bool {
        true
    }
}

impl<T: FromRow> Slot for Vec<T> {
    fn load(level: &Level<'_>, index: usize, slot: SlotId) -> Result<Self, Error> {
        let (children, items) = level.children(index, slot)?;
        items
            .iter()
            .map(|&child| T::from_level(&children, child as usize))
            .collect()
    }
}

impl<T: FromRow> Slot for Option<T> {
    fn load(level: &Level<'_>, index: usize, slot: SlotId) -> Result<Self, Error> {
        let (children, items) = level.children(index, slot)?;
        items
            .first()
            .map(|&child| T::from_level(&children, child as usize))
            .transpose()
    }
}

impl<T: FromRow> Slot for T {
    fn load(level: &Level<'_>, index: usize, slot: SlotId) -> Result<Self, Error> {
        let (children, items) = level.children(index, slot)?;
        match items.first() {
            Some(&child) => T::from_level(&children, child as usize),
            None => Err(Error::RecordNotFound {
                model: match slot {
                    SlotId::Relation(meta) => meta.related.name,
                    SlotId::Count => "_count",
                },
                operation: "include",
            }),
        }
    }
}

/// The typed handle on one relation field: `conversation::MESSAGES`. Copy, zero-sized.
/// `A` is the relation's arity ([`ToMany`], [`ToOne`], [`ToOptional`]); it decides which
/// filters, orderings and nested writes exist.
pub struct Relation<Rel, A> {
    marker: PhantomData<fn() -> (Rel, A)>,
}

impl<Rel, A> Clone for Relation<Rel, A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Rel, A> Copy for Relation<Rel, A> {}

impl<Rel: RelationField, A> std::fmt::Debug for Relation<Rel, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Relation({}.{})", Rel::META.model.name, Rel::META.name)
    }
}

impl<Rel, A> Relation<Rel, A> {
    /// Generated code declares one constant per relation field.
    pub const fn new() -> Self {
        Relation {
            marker: PhantomData,
        }
    }
}

impl<Rel, A> Default for Relation<Rel, A> {
    fn default() -> Self {
        Relation::new()
    }
}

/// The kinds of relation filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RelationFilterKind {
    /// At least one related row matches (`some`, `is`).
    Some,
    /// Every related row matches (`every`; true when there are none).
    Every,
    /// No related row matches (`none`, `is_not`).
    None,
}

impl<Rel: RelationField, A> Relation<Rel, A> {
    pub fn meta(self) -> &'static RelationMeta {
        Rel::META
    }

    fn filter_node(kind: RelationFilterKind, filter: Filter<Rel::Child>) -> Filter<Rel::Parent> {
        Filter::from_node(FilterNode::Relation {
            relation: Rel::META,
            kind,
            filter: Box::new(filter.node),
        })
    }
}

impl<Rel: RelationField> Relation<Rel, ToMany> {
    /// At least one related record matches `filter` (Prisma's `some`).
    pub fn some(self, filter: Filter<Rel::Child>) -> Filter<Rel::Parent> {
        Self::filter_node(RelationFilterKind::Some, filter)
    }
    /// Every related record matches `filter` (Prisma's `every`; true with none).
    pub fn every(self, filter: Filter<Rel::Child>) -> Filter<Rel::Parent> {
        Self::filter_node(RelationFilterKind::Every, filter)
    }
    /// No related record matches `filter` (Prisma's `none`).
    pub fn none(self, filter: Filter<Rel::Child>) -> Filter<Rel::Parent> {
        Self::filter_node(RelationFilterKind::None, filter)
    }
    /// Orders by how many related records there are (Prisma's `_count`), fewest first.
    pub fn count_asc(self) -> OrderBy<Rel::Parent> {
        OrderBy::from_target(OrderTarget::Count(Rel::META), false)
    }
    /// Orders by how many related records there are, most first.
    pub fn count_desc(self) -> OrderBy<Rel::Parent> {
        OrderBy::from_target(OrderTarget::Count(Rel::META), true)
    }
}

/// `is`, `is_not` and ordering by a related field, for both to-one arities.
macro_rules! to_one_methods {
    ($arity:ty) => {
        impl<Rel: RelationField> Relation<Rel, $arity> {
            /// The related record exists and matches `filter` (Prisma's `is`).
            pub fn is(self, filter: Filter<Rel::Child>) -> Filter<Rel::Parent> {
                Self::filter_node(RelationFilterKind::Some, filter)
            }
            /// No related record matching `filter` exists (Prisma's `isNot`; a row without
            /// a related record matches).
            pub fn is_not(self, filter: Filter<Rel::Child>) -> Filter<Rel::Parent> {
                Self::filter_node(RelationFilterKind::None, filter)
            }
            /// Orders by a field of the related record (`order` is an ordering of the
            /// related model: a field, or again a to-one relation's field, up to four
            /// relations deep).
            pub fn by(self, order: OrderBy<Rel::Child>) -> OrderBy<Rel::Parent> {
                order.through(Rel::META)
            }
        }
    };
}
to_one_methods!(ToOne);
to_one_methods!(ToOptional);

impl<Rel: RelationField> Relation<Rel, ToOptional> {
    /// There is no related record (Prisma's `is: null`).
    pub fn is_null(self) -> Filter<Rel::Parent> {
        Self::filter_node(RelationFilterKind::None, Filter::all())
    }
    /// There is a related record (Prisma's `isNot: null`).
    pub fn is_not_null(self) -> Filter<Rel::Parent> {
        Self::filter_node(RelationFilterKind::Some, Filter::all())
    }
}

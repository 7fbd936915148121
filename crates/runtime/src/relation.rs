//! Relations: what generated code declares about them ([`RelationMeta`], [`Link`], one
//! [`RelationField`] marker type per relation field), the typed handle application code
//! uses ([`Relation`]: relation filters, ordering by related data, includes, nested
//! writes), and how a loaded relation's rows are decoded ([`Slot`]). Result types with
//! loaded relations are [`Loaded`](crate::Loaded) (see its module for why that shape).

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
/// `static` per relation field ([`Relation::declare`]); identity is the static's address.
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

/// A relation field's metadata before its link: what [`Relation::declare`] gives generated
/// code, which completes it with [`owned`](Self::owned), [`inverse`](Self::inverse) or
/// [`link`](Self::link) into the field's `static` [`RelationMeta`].
#[derive(Debug)]
pub struct UnlinkedRelation {
    name: &'static str,
    relation: &'static str,
    model: &'static ModelMeta,
    related: &'static ModelMeta,
    to_many: bool,
    optional: bool,
}

impl UnlinkedRelation {
    /// The metadata, with this link.
    pub const fn link(self, link: Link) -> RelationMeta {
        let UnlinkedRelation {
            name,
            relation,
            model,
            related,
            to_many,
            optional,
        } = self;
        RelationMeta {
            name,
            relation,
            model,
            related,
            to_many,
            optional,
            link,
        }
    }

    /// The metadata of a field whose model holds the key ([`Link::Owned`]).
    pub const fn owned(
        self,
        fields: &'static [&'static Column],
        references: &'static [&'static Column],
    ) -> RelationMeta {
        self.link(Link::Owned { fields, references })
    }

    /// The metadata of a field whose related model holds the key ([`Link::Inverse`]).
    pub const fn inverse(
        self,
        fields: &'static [&'static Column],
        references: &'static [&'static Column],
    ) -> RelationMeta {
        self.link(Link::Inverse { fields, references })
    }
}

impl PartialEq for RelationMeta {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for RelationMeta {}

/// The join table columns of implicit many-to-many relations.
pub static JOIN_A: Column = Column::not_null("A");
pub static JOIN_B: Column = Column::not_null("B");

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
    /// [`RelationMeta::to_many`].
    const TO_MANY: bool;
    /// [`RelationMeta::optional`].
    const OPTIONAL: bool;
}
impl Arity for ToMany {
    type Loaded<T: FromRow> = Vec<T>;
    const TO_MANY: bool = true;
    const OPTIONAL: bool = false;
}
impl Arity for ToOne {
    type Loaded<T: FromRow> = T;
    const TO_MANY: bool = false;
    const OPTIONAL: bool = false;
}
impl Arity for ToOptional {
    type Loaded<T: FromRow> = Option<T>;
    const TO_MANY: bool = false;
    const OPTIONAL: bool = true;
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

/// How a loaded relation's value is decoded: `Vec<T>` (to-many), `Option<T>` (optional
/// to-one) or `T` (required to-one), from the rows loaded for relation `relation`.
#[doc(hidden)]
pub trait Slot: Sized {
    fn load(
        level: &Level<'_>,
        index: usize,
        relation: &'static RelationMeta,
    ) -> Result<Self, Error>;
}

impl<T: FromRow> Slot for Vec<T> {
    fn load(
        level: &Level<'_>,
        index: usize,
        relation: &'static RelationMeta,
    ) -> Result<Self, Error> {
        let (children, items) = level.children(index, relation)?;
        items
            .iter()
            .map(|&child| T::from_level(&children, child as usize))
            .collect()
    }
}

impl<T: FromRow> Slot for Option<T> {
    fn load(
        level: &Level<'_>,
        index: usize,
        relation: &'static RelationMeta,
    ) -> Result<Self, Error> {
        let (children, items) = level.children(index, relation)?;
        items
            .first()
            .map(|&child| T::from_level(&children, child as usize))
            .transpose()
    }
}

impl<T: FromRow> Slot for T {
    fn load(
        level: &Level<'_>,
        index: usize,
        relation: &'static RelationMeta,
    ) -> Result<Self, Error> {
        let (children, items) = level.children(index, relation)?;
        match items.first() {
            Some(&child) => T::from_level(&children, child as usize),
            None => Err(Error::RecordNotFound {
                model: relation.related.name,
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

impl<Rel: RelationField, A> Relation<Rel, A> {
    /// Starts the metadata of this relation field, for its generated `static`: the Prisma
    /// field name and the relation's name; the models and the arity are read from the
    /// marker's [`RelationField`] impl, so they are stated once.
    pub const fn declare(self, name: &'static str, relation: &'static str) -> UnlinkedRelation {
        UnlinkedRelation {
            name,
            relation,
            model: <Rel::Parent as Model>::META,
            related: <Rel::Child as Model>::META,
            to_many: <Rel::Arity as Arity>::TO_MANY,
            optional: <Rel::Arity as Arity>::OPTIONAL,
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

//! `include`: the typed builder ([`Include`], [`IntoInclude`]) and the loader that fetches
//! related rows level by level.
//!
//! Cost: one statement per included relation per level, whatever the number of parent
//! rows. The parents' keys are read from their rows as raw column bytes and bound as one
//! array (`WHERE "convoId" = ANY($1)`); each child row carries its link key back as a
//! trailing column and is grouped under its parents in memory. `take`/`skip` per parent
//! use `ROW_NUMBER() OVER (PARTITION BY link ...)`, so they hold per parent, not overall.
//! `_count` is a correlated `COUNT(*)` subquery per counted relation in the same
//! statement as the rows it counts for.
//!
//! Results are decoded only at the end: a [`LoadedLevel`] keeps the rows of one level and
//! the loaded relations under it; [`Loaded`](crate::Loaded)'s `FromRow::from_level` reads
//! the record from the row and each entry of its list from the relation it names.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::marker::PhantomData;
use std::sync::OnceLock;

use postgres_types::{FromSql, Type};
use tokio_postgres::Row;

use crate::decode::FromRow;
use crate::error::Error;
use crate::executor::{BoxFuture, Executor};
use crate::loaded::{AddLoad, Counted as CountEntry, HasCount, With};
use crate::model::{Column, ModelMeta};
use crate::query::{Filter, FilterNode, IntoColumns, OrderBy};
use crate::relation::{Link, Relation, RelationField, RelationMeta, ToMany};
use crate::render::{self, SelectArgs};

/// What is loaded on top of the rows of one level: included relations and `_count`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Loads {
    pub(crate) includes: Vec<IncludeNode>,
    /// Relations whose counts are loaded (the generated `Counts` struct's order).
    pub(crate) counts: Vec<Counted>,
    /// Why the query is refused before it runs: a relation included twice at this level,
    /// or `_count` twice (each would be one member of the result, as in Prisma's
    /// `include`, whose object has one key per relation).
    refused: Option<String>,
}

/// One `_count` column: the relation, and which related records count (all for `None`).
#[derive(Clone, Debug)]
pub(crate) struct Counted {
    pub(crate) relation: &'static RelationMeta,
    pub(crate) filter: Option<FilterNode>,
}

impl Loads {
    pub(crate) fn is_empty(&self) -> bool {
        self.includes.is_empty() && self.counts.is_empty() && self.refused.is_none()
    }

    /// Adds an included relation; a second include of the same relation refuses the
    /// query (see [`Loads::check`]).
    pub(crate) fn add_include(&mut self, node: IncludeNode) {
        if self.refused.is_none()
            && self
                .includes
                .iter()
                .any(|included| std::ptr::eq(included.relation, node.relation))
        {
            self.refused = Some(format!(
                "relation `{}.{}` is included twice at one level: include it once, with \
                 all its arguments in that include (a result has one member per relation)",
                node.relation.model.name, node.relation.name
            ));
        }
        self.includes.push(node);
    }

    /// `Ok` unless a relation was included twice at one level, or `_count` twice, here or
    /// in any nested include: [`Error::InvalidQuery`] then, before anything is sent.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if let Some(reason) = &self.refused {
            return Err(Error::InvalidQuery(reason.clone()));
        }
        self.includes.iter().try_for_each(|node| node.loads.check())
    }

    /// Counts every relation of `counted`, those named in `filters` only over the related
    /// records matching their filter.
    pub(crate) fn set_counts<M>(
        &mut self,
        counted: &'static [&'static RelationMeta],
        filters: impl IntoIterator<Item = CountFilter<M>>,
    ) {
        let filters: Vec<CountFilter<M>> = filters.into_iter().collect();
        if self.refused.is_none() && !self.counts.is_empty() {
            let model = counted.first().map_or("", |relation| relation.model.name);
            self.refused = Some(format!(
                "`_count` of `{model}` is included twice at one level: include it once \
                 (`include_count_where` takes every relation's filter)"
            ));
        }
        self.counts = counted
            .iter()
            .map(|relation| Counted {
                relation,
                filter: filters
                    .iter()
                    .filter(|f| std::ptr::eq(f.relation, *relation))
                    .map(|f| f.filter.clone())
                    .reduce(|a, b| FilterNode::And(vec![a, b])),
            })
            .collect();
    }
}

/// Which records of a to-many relation its `_count` counts (Prisma's `_count: { select:
/// { posts: { where } } }`): `user::POSTS.count_where(post::PUBLISHED.equals(true))`, given
/// to `include_count_where`.
pub struct CountFilter<M> {
    relation: &'static RelationMeta,
    filter: FilterNode,
    marker: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for CountFilter<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountFilter")
            .field("relation", &self.relation.name)
            .field("filter", &self.filter)
            .finish()
    }
}

impl<Rel: RelationField<Arity = ToMany>> Relation<Rel, ToMany> {
    /// `_count` of this relation over the related records matching `filter` only.
    pub fn count_where(self, filter: Filter<Rel::Child>) -> CountFilter<Rel::Parent> {
        CountFilter {
            relation: Rel::META,
            filter: filter.node,
            marker: PhantomData,
        }
    }
}

/// One included relation with its own arguments and what it includes in turn (opaque:
/// built through [`Relation`] and [`Include`]).
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct IncludeNode {
    pub(crate) relation: &'static RelationMeta,
    pub(crate) args: SelectArgs,
    /// The columns the row type reads (`None`: every column of the related model).
    pub(crate) columns: Option<Vec<&'static Column>>,
    pub(crate) loads: Loads,
}

impl IncludeNode {
    fn new(relation: &'static RelationMeta) -> Self {
        IncludeNode {
            relation,
            args: SelectArgs::new(),
            columns: None,
            loads: Loads::default(),
        }
    }
}

/// Something `include(..)` accepts: a relation handle (`conversation::MESSAGES`) or an
/// [`Include`] built from one.
pub trait IntoInclude {
    type Rel: RelationField;
    /// The row type of each related record.
    type Row: FromRow;
    #[doc(hidden)]
    fn into_node(self) -> IncludeNode;
}

/// The entry include `I` adds to a [`Loaded`](crate::Loaded) list.
pub type IncludeEntry<I> = With<<I as IntoInclude>::Rel, <I as IntoInclude>::Row>;

/// The row type `R` (a model, or a [`Loaded`](crate::Loaded) one) with the relation of
/// include `I` loaded after what it already has.
pub type Included<R, I> = <R as AddLoad<IncludeEntry<I>>>::Output;

/// The row type `R` of model `M` with `M`'s `_count` loaded after what it already has.
pub type CountIncluded<R, M> = <R as AddLoad<CountEntry<<M as HasCount>::Counts>>>::Output;

impl<Rel: RelationField, A> IntoInclude for Relation<Rel, A> {
    type Rel = Rel;
    type Row = Rel::Child;
    fn into_node(self) -> IncludeNode {
        IncludeNode::new(Rel::META)
    }
}

/// An include of relation `Rel` whose related records decode as `C` (the related model
/// with its own includes, or the columns chosen with `select`).
pub struct Include<Rel, C> {
    node: IncludeNode,
    marker: PhantomData<fn() -> (Rel, C)>,
}

impl<Rel, C> std::fmt::Debug for Include<Rel, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<Rel: RelationField, C: FromRow> IntoInclude for Include<Rel, C> {
    type Rel = Rel;
    type Row = C;
    fn into_node(self) -> IncludeNode {
        self.node
    }
}

impl<Rel: RelationField> Include<Rel, Rel::Child> {
    fn new() -> Self {
        Include {
            node: IncludeNode::new(Rel::META),
            marker: PhantomData,
        }
    }

    /// Loads only `columns` of each related record, decoded as `R2` (a tuple of the
    /// fields' types, or any [`FromRow`]). A selected level includes nothing further.
    pub fn select<R2: FromRow>(
        mut self,
        columns: impl IntoColumns<Rel::Child>,
    ) -> Include<Rel, R2> {
        self.node.columns = Some(columns.into_columns());
        Include {
            node: self.node,
            marker: PhantomData,
        }
    }
}

impl<Rel: RelationField, C: FromRow> Include<Rel, C> {
    /// Also loads a relation of the related records (any depth).
    pub fn include<I>(mut self, include: I) -> Include<Rel, Included<C, I>>
    where
        I: IntoInclude,
        I::Rel: RelationField<Parent = Rel::Child>,
        C: AddLoad<IncludeEntry<I>>,
    {
        self.node.loads.add_include(include.into_node());
        Include {
            node: self.node,
            marker: PhantomData,
        }
    }

    /// Also loads the related records' `_count` of their to-many relations.
    pub fn include_count(self) -> Include<Rel, CountIncluded<C, Rel::Child>>
    where
        Rel::Child: HasCount,
        C: AddLoad<CountEntry<<Rel::Child as HasCount>::Counts>>,
    {
        self.include_count_where([])
    }

    /// [`Include::include_count`], the relations in `filters` counting only the records
    /// matching their filter.
    pub fn include_count_where(
        mut self,
        filters: impl IntoIterator<Item = CountFilter<Rel::Child>>,
    ) -> Include<Rel, CountIncluded<C, Rel::Child>>
    where
        Rel::Child: HasCount,
        C: AddLoad<CountEntry<<Rel::Child as HasCount>::Counts>>,
    {
        self.node
            .loads
            .set_counts(<Rel::Child as HasCount>::COUNTED, filters);
        Include {
            node: self.node,
            marker: PhantomData,
        }
    }
}

impl<Rel: RelationField<Arity = ToMany>, C: FromRow> Include<Rel, C> {
    /// Only the related records matching `filter` (several calls combine with AND).
    pub fn filter(mut self, filter: Filter<Rel::Child>) -> Self {
        self.node.args.add_filter(filter.node);
        self
    }
    /// Orders each parent's related records (several calls sort by each in turn; by
    /// default they come in primary key order).
    pub fn order_by(mut self, order: OrderBy<Rel::Child>) -> Self {
        self.node.args.order_by.push(order.term);
        self
    }
    /// Skips this many related records per parent.
    pub fn skip(mut self, skip: i64) -> Self {
        self.node.args.skip = Some(skip);
        self
    }
    /// Takes at most this many related records per parent (negative: the last ones).
    pub fn take(mut self, take: i64) -> Self {
        self.node.args.take = Some(take);
        self
    }
}

/// Include arguments straight on a relation handle:
/// `include(conversation::MESSAGES.order_by(message::CREATED_AT.asc()).take(20))`.
impl<Rel: RelationField, A> Relation<Rel, A> {
    /// Includes this relation and a relation of its records.
    pub fn include<I>(self, include: I) -> Include<Rel, Included<Rel::Child, I>>
    where
        I: IntoInclude,
        I::Rel: RelationField<Parent = Rel::Child>,
        Rel::Child: AddLoad<IncludeEntry<I>>,
    {
        Include::<Rel, Rel::Child>::new().include(include)
    }

    /// Includes this relation with its records' `_count`.
    pub fn include_count(self) -> Include<Rel, CountIncluded<Rel::Child, Rel::Child>>
    where
        Rel::Child: HasCount + AddLoad<CountEntry<<Rel::Child as HasCount>::Counts>>,
    {
        Include::<Rel, Rel::Child>::new().include_count()
    }

    /// Includes this relation with its records' `_count`, the relations in `filters`
    /// counting only the records matching their filter.
    pub fn include_count_where(
        self,
        filters: impl IntoIterator<Item = CountFilter<Rel::Child>>,
    ) -> Include<Rel, CountIncluded<Rel::Child, Rel::Child>>
    where
        Rel::Child: HasCount + AddLoad<CountEntry<<Rel::Child as HasCount>::Counts>>,
    {
        Include::<Rel, Rel::Child>::new().include_count_where(filters)
    }

    /// Includes only `columns` of the related records, decoded as `R2`.
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<Rel::Child>) -> Include<Rel, R2> {
        Include::<Rel, Rel::Child>::new().select(columns)
    }
}

impl<Rel: RelationField<Arity = ToMany>> Relation<Rel, ToMany> {
    /// Includes the related records matching `filter`.
    pub fn filter(self, filter: Filter<Rel::Child>) -> Include<Rel, Rel::Child> {
        Include::new().filter(filter)
    }
    /// Includes the related records in this order.
    pub fn order_by(self, order: OrderBy<Rel::Child>) -> Include<Rel, Rel::Child> {
        Include::new().order_by(order)
    }
    /// Includes the related records after the first `skip` of each parent.
    pub fn skip(self, skip: i64) -> Include<Rel, Rel::Child> {
        Include::new().skip(skip)
    }
    /// Includes at most `take` related records per parent.
    pub fn take(self, take: i64) -> Include<Rel, Rel::Child> {
        Include::new().take(take)
    }
}

/// The rows of one level and what was loaded under them.
#[derive(Debug)]
pub(crate) struct LoadedLevel {
    rows: Vec<Row>,
    relations: Vec<LoadedRelation>,
    /// Where the `_count` columns start in each row, when counts were loaded.
    count_offset: Option<usize>,
}

/// One loaded relation: the related rows (a level of their own) and, per parent row,
/// which of them belong to it (compressed: parent `i` owns `items[starts[i]..starts[i+1]]`).
#[derive(Debug)]
pub(crate) struct LoadedRelation {
    meta: &'static RelationMeta,
    level: LoadedLevel,
    starts: Vec<u32>,
    items: Vec<u32>,
}

/// A view on loaded rows, which generated `FromRow::from_level` reads (opaque).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Level<'r> {
    rows: &'r [Row],
    relations: &'r [LoadedRelation],
    count_offset: Option<usize>,
}

impl<'r> Level<'r> {
    /// A level of one row with nothing loaded (plain `FromRow::from_row`).
    #[inline]
    pub fn single(row: &'r Row) -> Level<'r> {
        Level {
            rows: std::slice::from_ref(row),
            relations: &[],
            count_offset: None,
        }
    }

    /// Row `index` (an index the loader handed out).
    #[inline]
    pub fn row(&self, index: usize) -> &'r Row {
        &self.rows[index]
    }

    /// The `_count` of the `position`-th counted relation for row `index`.
    pub fn count(&self, index: usize, position: usize) -> Result<i64, Error> {
        let offset = self
            .count_offset
            .ok_or_else(|| Error::InvalidQuery("`_count` was not loaded".into()))?;
        crate::decode::decode::<i64>(self.row(index), offset + position)
    }

    /// The loaded related rows of relation `meta` and which of them belong to row `index`.
    pub(crate) fn children(
        &self,
        index: usize,
        meta: &'static RelationMeta,
    ) -> Result<(Level<'r>, &'r [u32]), Error> {
        let loaded = self
            .relations
            .iter()
            .find(|r| std::ptr::eq(r.meta, meta))
            .ok_or_else(|| {
                Error::InvalidQuery(format!("relation `{}` was not loaded", meta.name))
            })?;
        let start = loaded.starts.get(index).copied().unwrap_or(0) as usize;
        let end = loaded.starts.get(index + 1).copied().unwrap_or(0) as usize;
        let items = loaded.items.get(start..end).unwrap_or(&[]);
        Ok((loaded.level.view(), items))
    }
}

impl LoadedLevel {
    pub(crate) fn view(&self) -> Level<'_> {
        Level {
            rows: &self.rows,
            relations: &self.relations,
            count_offset: self.count_offset,
        }
    }

    pub(crate) fn decode_all<R: FromRow>(&self) -> Result<Vec<R>, Error> {
        let level = self.view();
        (0..self.rows.len())
            .map(|index| R::from_level(&level, index))
            .collect()
    }
}

/// One part of a key as it came from the database: integers widened (so `INT4` and
/// `INT8` columns compare), everything else by its binary encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KeyPart<'r> {
    Int(i64),
    Bytes(&'r [u8]),
}

impl<'a> FromSql<'a> for KeyPart<'a> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT2 => KeyPart::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => KeyPart::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => KeyPart::Int(i64::from_sql(ty, raw)?),
            _ => KeyPart::Bytes(raw),
        })
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A whole key: one column (no allocation) or several.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key<'r> {
    One(KeyPart<'r>),
    Many(Vec<KeyPart<'r>>),
}

impl<'r> Key<'r> {
    /// The key in columns `positions` of `row`; `None` when a part is NULL.
    fn read(row: &'r Row, positions: &[usize]) -> Result<Option<Key<'r>>, Error> {
        let part = |position: usize| -> Result<Option<KeyPart<'r>>, Error> {
            row.try_get::<_, Option<KeyPart<'r>>>(position)
                .map_err(|error| Error::Decode {
                    column: format!("#{position}"),
                    source: Box::new(error),
                })
        };
        if let [position] = positions {
            return Ok(part(*position)?.map(Key::One));
        }
        let mut parts = Vec::with_capacity(positions.len());
        for &position in positions {
            match part(position)? {
                Some(value) => parts.push(value),
                None => return Ok(None),
            }
        }
        Ok(Some(Key::Many(parts)))
    }

    fn part(&self, index: usize) -> KeyPart<'r> {
        match self {
            Key::One(part) => *part,
            Key::Many(parts) => parts[index],
        }
    }
}

/// The hasher of the key map: a multiply-rotate hash over 8-byte words (rustc's "Fx")
/// with a final avalanche, seeded once per process. Keys are short ids; SipHash cost
/// more than the grouping itself, and the map lives for one statement's rows.
#[derive(Clone, Copy)]
struct KeyHasher(u64);

const SEED_MULTIPLIER: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl KeyHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED_MULTIPLIER);
    }
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // A multiply only carries differences upwards, and ids often differ in their last
        // byte (the word's top bits); the table indexes by the low bits, so mix all of
        // them down (murmur3's finalizer).
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[derive(Clone, Copy)]
struct KeyHashing(u64);

impl KeyHashing {
    fn new() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        KeyHashing(
            *SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u8)),
        )
    }
}

impl BuildHasher for KeyHashing {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(self.0)
    }
}

/// The parent rows that share one key: usually one.
enum Parents {
    One(u32),
    Many(Vec<u32>),
}

impl Parents {
    fn push(&mut self, index: u32) {
        match self {
            Parents::One(first) => *self = Parents::Many(vec![*first, index]),
            Parents::Many(list) => list.push(index),
        }
    }
    fn as_slice(&self) -> &[u32] {
        match self {
            Parents::One(first) => std::slice::from_ref(first),
            Parents::Many(list) => list,
        }
    }
}

/// The columns of `model` at which `columns` are found in a full row.
pub(crate) fn positions(
    model: &ModelMeta,
    columns: &[&'static Column],
) -> Result<Vec<usize>, Error> {
    columns
        .iter()
        .map(|column| {
            model
                .columns
                .iter()
                .position(|c| std::ptr::eq(*c, *column) || c.name == column.name)
                .ok_or_else(|| {
                    Error::InvalidQuery(format!(
                        "column `{}` is not a column of `{}`",
                        column.name, model.name
                    ))
                })
        })
        .collect()
}

/// The key columns on the parent's side and on the related side of `relation`.
pub(crate) fn link_columns(
    relation: &'static RelationMeta,
) -> (&'static [&'static Column], ChildLink) {
    match &relation.link {
        Link::Owned { fields, references } => (fields, ChildLink::Columns(references)),
        Link::Inverse { fields, references } => (references, ChildLink::Columns(fields)),
        Link::JoinTable { this, key, .. } => {
            (std::slice::from_ref(key), ChildLink::JoinColumn(this))
        }
    }
}

/// How a related row says which parent it belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ChildLink {
    /// Columns of the related table.
    Columns(&'static [&'static Column]),
    /// The join table's column holding the parent's key.
    JoinColumn(&'static Column),
}

impl ChildLink {
    pub(crate) fn len(&self) -> usize {
        match self {
            ChildLink::Columns(columns) => columns.len(),
            ChildLink::JoinColumn(_) => 1,
        }
    }
}

/// Loads `loads` under `rows` (full rows of `model`, whose `_count` columns, if any, start
/// at `count_offset`), recursively.
pub(crate) fn load<'e>(
    executor: Executor<'e>,
    model: &'static ModelMeta,
    rows: Vec<Row>,
    loads: &'e Loads,
    count_offset: usize,
) -> BoxFuture<'e, Result<LoadedLevel, Error>> {
    Box::pin(async move {
        let mut relations = Vec::with_capacity(loads.includes.len());
        for node in &loads.includes {
            relations.push(load_relation(executor, model, &rows, node).await?);
        }
        Ok(LoadedLevel {
            rows,
            relations,
            count_offset: (!loads.counts.is_empty()).then_some(count_offset),
        })
    })
}

async fn load_relation(
    executor: Executor<'_>,
    model: &'static ModelMeta,
    parents: &[Row],
    node: &IncludeNode,
) -> Result<LoadedRelation, Error> {
    let relation = node.relation;
    let child = relation.related;
    let (parent_columns, link) = link_columns(relation);
    let parent_positions = positions(model, parent_columns)?;

    // The parents' keys, each with the parents that have it.
    let mut by_key: HashMap<Key<'_>, Parents, KeyHashing> =
        HashMap::with_capacity_and_hasher(parents.len(), KeyHashing::new());
    let mut keys: Vec<Key<'_>> = Vec::with_capacity(parents.len());
    for (index, row) in parents.iter().enumerate() {
        let Some(key) = Key::read(row, &parent_positions)? else {
            continue;
        };
        let index = index as u32;
        match by_key.get_mut(&key) {
            Some(list) => list.push(index),
            None => {
                keys.push(key.clone());
                by_key.insert(key, Parents::One(index));
            }
        }
    }

    let columns: &[&'static Column] = node.columns.as_deref().unwrap_or(child.columns);
    // Where each link key part is in a related row: a selected column when the link is
    // one (an inverse key like `convoId`), else an extra column after them.
    let reused: Option<Vec<usize>> = match link {
        ChildLink::Columns(link_columns) => link_columns
            .iter()
            .map(|l| {
                columns
                    .iter()
                    .position(|c| std::ptr::eq(*c, *l) || c.name == l.name)
            })
            .collect(),
        ChildLink::JoinColumn(_) => None,
    };
    let extra_link = if reused.is_some() { 0 } else { link.len() };
    let link_positions: Vec<usize> =
        reused.unwrap_or_else(|| (columns.len()..columns.len() + link.len()).collect());
    let child_rows = if keys.is_empty() {
        Vec::new()
    } else {
        let key_arrays: Vec<Vec<KeyPart<'_>>> = (0..parent_positions.len())
            .map(|part| keys.iter().map(|key| key.part(part)).collect())
            .collect();
        let statement = render::include_select(
            relation,
            columns,
            link,
            extra_link > 0,
            &node.args,
            &node.loads.counts,
            key_arrays,
            executor.render_context(),
        )?;
        executor.fetch(&statement, Some(child)).await?
    };

    // Each related row under the parents with its link key, in the rows' order.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(child_rows.len());
    for (index, row) in child_rows.iter().enumerate() {
        let Some(key) = Key::read(row, &link_positions)? else {
            continue;
        };
        if let Some(owners) = by_key.get(&key) {
            pairs.extend(owners.as_slice().iter().map(|&owner| (owner, index as u32)));
        }
    }
    let mut starts = vec![0u32; parents.len() + 1];
    for &(owner, _) in &pairs {
        starts[owner as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next: Vec<u32> = starts[..parents.len()].to_vec();
    let mut items = vec![0u32; pairs.len()];
    for (owner, child_index) in pairs {
        let at = &mut next[owner as usize];
        items[*at as usize] = child_index;
        *at += 1;
    }
    drop(by_key);
    drop(keys);

    let count_offset = columns.len() + extra_link;
    let level = load(executor, child, child_rows, &node.loads, count_offset).await?;
    Ok(LoadedRelation {
        meta: relation,
        level,
        starts,
        items,
    })
}

/// Re-reads one record by its primary key (after a write) with `columns` and `loads`.
pub(crate) async fn reread<R: FromRow>(
    executor: Executor<'_>,
    model: &'static ModelMeta,
    key: FilterNode,
    columns: &[&'static Column],
    loads: &Loads,
) -> Result<Option<R>, Error> {
    let mut args = SelectArgs::new();
    args.filter = Some(key);
    args.take = Some(1);
    Ok(fetch_loaded::<R>(executor, model, columns, &args, loads)
        .await?
        .into_iter()
        .next())
}

/// Runs a select and loads `loads` under its rows.
pub(crate) async fn fetch_loaded<R: FromRow>(
    executor: Executor<'_>,
    model: &'static ModelMeta,
    columns: &[&'static Column],
    args: &SelectArgs,
    loads: &Loads,
) -> Result<Vec<R>, Error> {
    loads.check()?;
    let statement = render::select_counted(
        model,
        columns,
        &loads.counts,
        args,
        executor.render_context(),
    )?;
    let mut rows = executor.fetch(&statement, Some(model)).await?;
    if args.reverses() {
        rows.reverse();
    }
    if loads.is_empty() {
        return rows.iter().map(R::from_row).collect();
    }
    let level = load(executor, model, rows, loads, columns.len()).await?;
    level.decode_all()
}

/// The unique filter of a written row: its primary key values (read from `row`, a full
/// row of `model`).
pub(crate) fn primary_key_filter(
    model: &'static ModelMeta,
    row: &Row,
) -> Result<FilterNode, Error> {
    let key_positions = positions(model, model.primary_key)?;
    let mut nodes = Vec::with_capacity(key_positions.len());
    for (column, position) in model.primary_key.iter().zip(key_positions) {
        let value = crate::decode::value_at(row, position)?;
        nodes.push(FilterNode::Compare {
            column,
            op: crate::query::CompareOp::Eq,
            value,
            insensitive: false,
        });
    }
    Ok(if nodes.len() == 1 {
        nodes.pop().unwrap_or(FilterNode::And(Vec::new()))
    } else {
        FilterNode::And(nodes)
    })
}

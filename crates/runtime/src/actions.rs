//! The model operations: [`Actions`] (what `db.user()` returns) and one builder per Prisma
//! operation. Builders are generic over the model `M` and the row type `R` they decode
//! (`M` itself unless `select` chose columns), hold untyped query parts, and hand them
//! to the non-generic renderer, so each model adds little compiled code.
//!
//! Every builder has `exec()`, and also implements `IntoFuture`: `.await` it directly.

use std::borrow::Cow;
use std::future::IntoFuture;
use std::marker::PhantomData;

use crate::decode::FromRow;
use crate::error::Error;
use crate::executor::{BoxFuture, Executor};

use crate::aggregate::{AggregateQuery, AggregateSet, GroupBy, GroupKeys};
use crate::defaults::{self, ColumnDefault};
use crate::include::{
    self, CountFilter, CountIncluded, IncludeEntry, Included, IntoInclude, Loads,
};
use crate::loaded::{AddLoad, Counted, HasCount};
use crate::model::{Column, Model, ModelMeta};
use crate::nested::{self, Creating, NestedWrite, Updating};
use crate::query::{
    Assign, AssignOp, CreateData, CreateWithout, Filter, FilterNode, IntoColumns, OrderBy,
    PendingData, UniqueWhere, add_to_data, create_pairs,
};
use crate::relation::RelationField;
use crate::render::{self, InsertRow, MAX_PARAMS, OnConflict, SelectArgs};
use crate::value::Value;

/// Whether a single-row read returns `Option<R>` ([`Optional`]) or fails with P2025
/// ([`OrThrow`]): the difference between `find_first` and `find_first_or_throw`.
pub trait Expectation {
    type Output<R>;
    #[doc(hidden)]
    fn finish<R>(
        row: Option<R>,
        model: &'static str,
        operation: &'static str,
    ) -> Result<Self::Output<R>, Error>;
}

/// The row may be missing: `Option<R>`.
#[derive(Debug)]
pub enum Optional {}
/// The row must exist: `R`, else [`Error::RecordNotFound`] (P2025).
#[derive(Debug)]
pub enum OrThrow {}

impl Expectation for Optional {
    type Output<R> = Option<R>;
    fn finish<R>(row: Option<R>, _: &'static str, _: &'static str) -> Result<Option<R>, Error> {
        Ok(row)
    }
}

impl Expectation for OrThrow {
    type Output<R> = R;
    fn finish<R>(row: Option<R>, model: &'static str, operation: &'static str) -> Result<R, Error> {
        row.ok_or(Error::RecordNotFound { model, operation })
    }
}

/// The operations on model `M`, run on one [`Executor`]. Copy: two words.
pub struct Actions<'a, M> {
    executor: Executor<'a>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Actions<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Actions<'_, M> {}

impl<M> std::fmt::Debug for Actions<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actions")
            .field("executor", &self.executor)
            .finish()
    }
}

type Columns = Cow<'static, [&'static Column]>;
/// Variance- and auto-trait-neutral marker for type parameters a builder only names.
type Marker<T> = fn() -> T;
type Assignment = (&'static Column, AssignOp, Value);

fn assignments<M>(data: impl IntoIterator<Item = Assign<M>>) -> Vec<Assignment> {
    data.into_iter()
        .map(|assign| (assign.column, assign.op, assign.value))
        .collect()
}

/// Stamps `@updatedAt` in an update of `meta` (see [`defaults::stamp_updated`]).
pub(crate) fn stamp_updated(assigns: &mut Vec<Assignment>, meta: &ModelMeta) {
    if !assigns.is_empty() {
        // One growth instead of a reallocation per stamped column.
        assigns.reserve(meta.updated_at.len());
    }
    defaults::stamp_updated(assigns, meta, defaults::statement_time());
}

/// The pairs of create data, each column once, checked to be plain values.
pub(crate) fn pending<M>(data: impl CreateData<M>) -> PendingData {
    create_pairs(data.into_assigns())
}

fn column_refs<M>(columns: impl IntoColumns<M>) -> Vec<&'static Column> {
    columns.into_columns()
}

/// A model whose reads can leave fields out (Prisma's `omit`): generated code implements
/// it with `Omitted`, the model's scalar fields each wrapped in one more `Option` (`None`:
/// omitted, so an omitted field can never be read as if it were the stored value).
pub trait Omit: Model {
    type Omitted: FromRow;
}

/// Every column of `M` but `omitted`, in the model's order.
fn columns_without<M: Model>(omitted: Vec<&'static Column>) -> Columns {
    Cow::Owned(
        M::META
            .columns
            .iter()
            .copied()
            .filter(|c| !omitted.iter().any(|o| o.name == c.name))
            .collect(),
    )
}

/// Decodes the column named `name` of `row` as `T`, or `None` when the row has no such
/// column (an omitted field). Used by generated `Omitted` records.
pub fn decode_present<T: crate::decode::Decode>(
    row: &tokio_postgres::Row,
    name: &str,
) -> Result<Option<T>, Error> {
    match row.columns().iter().position(|c| c.name() == name) {
        Some(index) => crate::decode::decode(row, index).map(Some),
        None => Ok(None),
    }
}

impl<'a, M: Model> Actions<'a, M> {
    /// The operations of `M` on `executor`. Generated code's `Models` trait calls this
    /// (`db.user()`); applications do not need to.
    pub fn new(executor: Executor<'a>) -> Self {
        Actions {
            executor,
            marker: PhantomData,
        }
    }

    /// Prisma's `findUnique`: the record with this unique key (`user::id(1)`,
    /// `user::email("a@x")`), if any. Add `.include(..)`, `.select(..)` or `.omit(..)`.
    pub fn find_unique(self, unique: UniqueWhere<M>) -> FindUnique<'a, M, M, Optional> {
        FindUnique::new(self.executor.for_read(), unique)
    }

    /// Prisma's `findUniqueOrThrow`: the record with this unique key, or P2025
    /// ([`Error::RecordNotFound`]).
    pub fn find_unique_or_throw(self, unique: UniqueWhere<M>) -> FindUnique<'a, M, M, OrThrow> {
        FindUnique::new(self.executor.for_read(), unique)
    }

    /// Prisma's `findFirst`: the first record matching `.filter(..)`, in `.order_by(..)`
    /// order, if any.
    pub fn find_first(self) -> FindFirst<'a, M, M, Optional> {
        FindFirst::new(self.executor.for_read())
    }

    /// Prisma's `findFirstOrThrow`: [`find_first`](Self::find_first), or P2025.
    pub fn find_first_or_throw(self) -> FindFirst<'a, M, M, OrThrow> {
        FindFirst::new(self.executor.for_read())
    }

    /// Prisma's `findMany`: every record matching `.filter(..)`, with `.order_by(..)`,
    /// `.skip(..)`, `.take(..)`, `.cursor(..)`, `.distinct(..)`, `.include(..)`,
    /// `.select(..)`, `.omit(..)`.
    pub fn find_many(self) -> FindMany<'a, M, M> {
        FindMany::new(self.executor.for_read())
    }

    /// Prisma's `count`: how many records match `.filter(..)`.
    pub fn count(self) -> Count<'a, M> {
        Count {
            executor: self.executor.for_read(),
            args: SelectArgs::new(),
            marker: PhantomData,
        }
    }

    /// Prisma's `create`: inserts one record and returns it.
    ///
    /// `data` is the model's generated `Create` struct, whose fields are exactly the
    /// required fields without a default, so a missing one is a compile error:
    /// `create(post::Create { title: "Hi".into(), author_id: 1 })`. Optional and
    /// defaulted fields are added with [`Create::set`] (`.set(post::BODY.set("..."))`),
    /// related records with [`Create::with`]. Client-side defaults (`cuid()`, `uuid()`,
    /// `now()`, `@updatedAt`, see [`crate::defaults`]) fill what the data leaves out; an
    /// explicit value always wins. A list of assignments is accepted only wrapped in
    /// [`Unchecked`](crate::Unchecked) (`Unchecked([post::TITLE.set("Hi"), ..])`), with no
    /// compile-time check of required fields.
    pub fn create(self, data: impl CreateData<M>) -> Create<'a, M, M> {
        Create {
            executor: self.executor,
            data: pending(data),
            columns: Cow::Borrowed(M::META.columns),
            nested: Vec::new(),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// Prisma's `create` of a record whose relation `Rel` (one it holds the foreign key of)
    /// is written in the same call: `data` is the model's `CreateWithout<Relation>` struct,
    /// which has no key fields, and `link` is that relation's `connect`, `create` or
    /// `connect_or_create`, which sets them:
    /// `create_linked(post::CreateWithoutAuthor { .. }, post::AUTHOR.connect(user::id(1)))`.
    /// A `link` through another relation fails with [`Error::InvalidQuery`].
    pub fn create_linked<Rel, D>(
        self,
        data: D,
        link: impl Into<NestedWrite<M, Creating>>,
    ) -> Create<'a, M, M>
    where
        Rel: RelationField<Parent = M>,
        D: CreateWithout<Rel>,
    {
        let link = link.into();
        let data = if link.op.relation.name == Rel::META.name {
            create_pairs(data.into_assigns())
        } else {
            Err(format!(
                "`{}` data lacks the key of `{}`, but the write is through `{}`",
                M::META.name,
                Rel::META.name,
                link.op.relation.name
            ))
        };
        Create {
            executor: self.executor,
            data,
            columns: Cow::Borrowed(M::META.columns),
            nested: vec![link.op],
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// Prisma's `createMany`: inserts every row (each a `Create` struct, or a list of
    /// assignments, as for [`create`](Self::create)) in as few statements as the
    /// parameter limit allows, atomically; returns how many. `.skip_duplicates()`,
    /// `.and_return()` (`createManyAndReturn`).
    pub fn create_many<D: CreateData<M>>(
        self,
        rows: impl IntoIterator<Item = D>,
    ) -> CreateMany<'a, M> {
        let rows = rows.into_iter().map(pending).collect();
        CreateMany {
            executor: self.executor,
            rows,
            skip_duplicates: false,
            marker: PhantomData,
        }
    }

    /// Prisma's `update`: applies `data` to the record with this unique key and returns
    /// it, or fails with P2025. `data` mixes values and operations:
    /// `[post::TITLE.set("x"), post::VIEWS.increment(1)]`. `@updatedAt` is stamped unless
    /// set. Nested writes go in `.with(..)`.
    pub fn update(
        self,
        unique: UniqueWhere<M>,
        data: impl IntoIterator<Item = Assign<M>>,
    ) -> Update<'a, M, M> {
        Update {
            executor: self.executor,
            unique,
            assigns: assignments(data),
            columns: Cow::Borrowed(M::META.columns),
            nested: Vec::new(),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// An [`update`](Self::update) that changes no field of the record itself, only its
    /// relations through `.with(..)` nested writes (Prisma's `update` whose `data` holds
    /// only relations).
    pub fn update_relations(self, unique: UniqueWhere<M>) -> Update<'a, M, M> {
        self.update(unique, Vec::new())
    }

    /// Prisma's `updateMany`: applies `data` to every record matching `filter`; returns
    /// how many match. `.and_return()` (`updateManyAndReturn`) returns them.
    pub fn update_many(
        self,
        filter: Filter<M>,
        data: impl IntoIterator<Item = Assign<M>>,
    ) -> UpdateMany<'a, M> {
        UpdateMany {
            executor: self.executor,
            filter: filter.node,
            assigns: assignments(data),
            marker: PhantomData,
        }
    }

    /// Prisma's `upsert`: updates the record with this unique key with `update`, or
    /// creates it from `create` (a `Create` struct, as for [`create`](Self::create)).
    /// Nested writes of each branch go in `.with_create(..)` and `.with_update(..)`.
    pub fn upsert(
        self,
        unique: UniqueWhere<M>,
        create: impl CreateData<M>,
        update: impl IntoIterator<Item = Assign<M>>,
    ) -> Upsert<'a, M, M> {
        Upsert {
            executor: self.executor,
            unique,
            create: pending(create),
            update: assignments(update),
            columns: Cow::Borrowed(M::META.columns),
            loads: Loads::default(),
            nested_create: Vec::new(),
            nested_update: Vec::new(),
            marker: PhantomData,
        }
    }

    /// Prisma's `delete`: deletes the record with this unique key and returns it, or
    /// fails with P2025.
    pub fn delete(self, unique: UniqueWhere<M>) -> Delete<'a, M, M> {
        Delete {
            executor: self.executor,
            unique,
            columns: Cow::Borrowed(M::META.columns),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// Prisma's `deleteMany`: deletes every record matching `filter`; returns how many.
    pub fn delete_many(self, filter: Filter<M>) -> DeleteMany<'a, M> {
        DeleteMany {
            executor: self.executor,
            filter: filter.node,
            marker: PhantomData,
        }
    }

    /// Prisma's `aggregate`: aggregates over the matching rows,
    /// `aggregate((count_all(), AMOUNT.sum()))`.
    pub fn aggregate<S: AggregateSet<M>>(self, selection: S) -> AggregateQuery<'a, M, S> {
        AggregateQuery::new(self.executor.for_read(), selection)
    }

    /// Prisma's `groupBy`: groups rows by one field or a tuple of fields; add aggregates
    /// with `.aggregate(..)`, conditions on them with `.having(..)`.
    pub fn group_by<K: GroupKeys<M>>(self, by: K) -> GroupBy<'a, M, K, ()> {
        GroupBy::new(self.executor.for_read(), by)
    }

    /// The executor these actions run on.
    pub fn executor(&self) -> Executor<'a> {
        self.executor
    }
}

/// The query-argument methods shared by `find_many`, `find_first` and `count`.
macro_rules! select_arguments {
    () => {
        /// Adds a condition (several calls combine with AND).
        pub fn filter(mut self, filter: Filter<M>) -> Self {
            self.args.add_filter(filter.node);
            self
        }
        /// Adds an ordering (several calls sort by each in turn).
        pub fn order_by(mut self, order: OrderBy<M>) -> Self {
            self.args.order_by.push(order.term);
            self
        }
        /// Skips this many rows.
        pub fn skip(mut self, skip: i64) -> Self {
            self.args.skip = Some(skip);
            self
        }
        /// Takes at most this many rows; negative takes the last `|take|` rows (the
        /// order is reversed to fetch them, then restored).
        pub fn take(mut self, take: i64) -> Self {
            self.args.take = Some(take);
            self
        }
        /// Starts at the row with this unique key (included; `skip(1)` to exclude it).
        pub fn cursor(mut self, cursor: UniqueWhere<M>) -> Self {
            self.args.cursor = Some(cursor.into_node());
            self
        }
        /// One row per distinct value of these columns (the first in order).
        pub fn distinct(mut self, columns: impl IntoColumns<M>) -> Self {
            self.args.distinct.extend(column_refs(columns));
            self
        }
    };
}

/// `include` and `include_count` on a builder whose row type is its fourth field's
/// parameter; `$retype` moves every field into the builder with another row type.
macro_rules! include_methods {
    ($builder:ident [$($before:tt),*] [$($after:tt),*]) => {
        /// Also loads relation `include` of the record(s): `include(conversation::MESSAGES)`,
        /// or with arguments, `include(conversation::MESSAGES.order_by(..).take(20))`. The
        /// row type becomes a [`Loaded`](crate::Loaded) with the relation at the end of its
        /// list (`row.get(conversation::MESSAGES)`).
        pub fn include<I>(mut self, include: I) -> $builder<$($before,)* Included<R, I> $(, $after)*>
        where
            I: IntoInclude,
            I::Rel: RelationField<Parent = M>,
            R: AddLoad<IncludeEntry<I>>,
        {
            self.loads.add_include(include.into_node());
            self.retype()
        }

        /// Also loads the `_count` of every to-many relation (Prisma's `_count: true`),
        /// read with `.counts()`.
        pub fn include_count(self) -> $builder<$($before,)* CountIncluded<R, M> $(, $after)*>
        where
            M: HasCount,
            R: AddLoad<Counted<M::Counts>>,
        {
            self.include_count_where([])
        }

        /// [`include_count`](Self::include_count), the relations in `filters` counting
        /// only the related records matching their filter:
        /// `include_count_where([user::POSTS.count_where(post::PUBLISHED.equals(true))])`.
        pub fn include_count_where(
            mut self,
            filters: impl IntoIterator<Item = CountFilter<M>>,
        ) -> $builder<$($before,)* CountIncluded<R, M> $(, $after)*>
        where
            M: HasCount,
            R: AddLoad<Counted<M::Counts>>,
        {
            self.loads.set_counts(M::COUNTED, filters);
            self.retype()
        }
    };
}

/// `find_many`.
pub struct FindMany<'a, M, R = M> {
    executor: Executor<'a>,
    args: SelectArgs,
    columns: Columns,
    loads: Loads,
    marker: PhantomData<fn() -> (M, R)>,
}

impl<'a, M: Model> FindMany<'a, M, M> {
    fn new(executor: Executor<'a>) -> Self {
        FindMany {
            executor,
            args: SelectArgs::new(),
            columns: Cow::Borrowed(M::META.columns),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }
}

impl<'a, M: Model, R: FromRow> FindMany<'a, M, R> {
    select_arguments!();
    include_methods!(FindMany ['a, M] []);

    fn retype<R2>(self) -> FindMany<'a, M, R2> {
        FindMany {
            executor: self.executor,
            args: self.args,
            columns: self.columns,
            loads: self.loads,
            marker: PhantomData,
        }
    }

    /// Fetches only `columns`, decoded as `R2` (in the order given). Includes chosen
    /// before are dropped: a selected row has no relation slots.
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> FindMany<'a, M, R2> {
        FindMany {
            executor: self.executor,
            args: self.args,
            columns: Cow::Owned(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// Fetches every field but `columns` (Prisma's `omit`), as the model's `Omitted`
    /// record, where an omitted field is `None`. Includes chosen before are dropped.
    pub fn omit(self, columns: impl IntoColumns<M>) -> FindMany<'a, M, M::Omitted>
    where
        M: Omit,
    {
        FindMany {
            executor: self.executor,
            args: self.args,
            columns: columns_without::<M>(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    pub async fn exec(self) -> Result<Vec<R>, Error> {
        if self.loads.is_empty() {
            return fetch_rows(self.executor, M::META, &self.columns, &self.args).await;
        }
        include::fetch_loaded(
            self.executor,
            M::META,
            &self.columns,
            &self.args,
            &self.loads,
        )
        .await
    }
}

async fn fetch_rows<R: FromRow>(
    executor: Executor<'_>,
    model: &'static crate::model::ModelMeta,
    columns: &[&'static Column],
    args: &SelectArgs,
) -> Result<Vec<R>, Error> {
    let statement = render::select(model, columns, args, executor.render_context())?;
    let rows = executor.fetch(&statement, Some(model)).await?;
    let mut records = rows
        .iter()
        .map(R::from_row)
        .collect::<Result<Vec<R>, Error>>()?;
    if args.reverses() {
        records.reverse();
    }
    Ok(records)
}

/// `find_first` / `find_first_or_throw`.
pub struct FindFirst<'a, M, R = M, E = Optional> {
    executor: Executor<'a>,
    args: SelectArgs,
    columns: Columns,
    loads: Loads,
    marker: PhantomData<Marker<(M, R, E)>>,
}

impl<'a, M: Model, E: Expectation> FindFirst<'a, M, M, E> {
    fn new(executor: Executor<'a>) -> Self {
        FindFirst {
            executor,
            args: SelectArgs::new(),
            columns: Cow::Borrowed(M::META.columns),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }
}

impl<'a, M: Model, R: FromRow, E: Expectation> FindFirst<'a, M, R, E> {
    select_arguments!();
    include_methods!(FindFirst ['a, M] [E]);

    fn retype<R2>(self) -> FindFirst<'a, M, R2, E> {
        FindFirst {
            executor: self.executor,
            args: self.args,
            columns: self.columns,
            loads: self.loads,
            marker: PhantomData,
        }
    }

    /// Fetches every field but `columns` (Prisma's `omit`), as the model's `Omitted`
    /// record, where an omitted field is `None`. Includes chosen before are dropped.
    pub fn omit(self, columns: impl IntoColumns<M>) -> FindFirst<'a, M, M::Omitted, E>
    where
        M: Omit,
    {
        FindFirst {
            executor: self.executor,
            args: self.args,
            columns: columns_without::<M>(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// Fetches only `columns`, decoded as `R2` (includes chosen before are dropped).
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> FindFirst<'a, M, R2, E> {
        FindFirst {
            executor: self.executor,
            args: self.args,
            columns: Cow::Owned(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    pub async fn exec(mut self) -> Result<E::Output<R>, Error> {
        // `take(-n)` keeps its meaning: the row closest to the end.
        self.args.take = Some(if self.args.reverses() { -1 } else { 1 });
        let rows = if self.loads.is_empty() {
            fetch_rows::<R>(self.executor, M::META, &self.columns, &self.args).await?
        } else {
            include::fetch_loaded(
                self.executor,
                M::META,
                &self.columns,
                &self.args,
                &self.loads,
            )
            .await?
        };
        E::finish(rows.into_iter().next(), M::META.name, "find_first")
    }
}

/// `find_unique` / `find_unique_or_throw`.
pub struct FindUnique<'a, M, R = M, E = Optional> {
    executor: Executor<'a>,
    unique: UniqueWhere<M>,
    columns: Columns,
    loads: Loads,
    marker: PhantomData<fn() -> (R, E)>,
}

impl<'a, M: Model, E: Expectation> FindUnique<'a, M, M, E> {
    fn new(executor: Executor<'a>, unique: UniqueWhere<M>) -> Self {
        FindUnique {
            executor,
            unique,
            columns: Cow::Borrowed(M::META.columns),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }
}

impl<'a, M: Model, R: FromRow, E: Expectation> FindUnique<'a, M, R, E> {
    include_methods!(FindUnique ['a, M] [E]);

    fn retype<R2>(self) -> FindUnique<'a, M, R2, E> {
        FindUnique {
            executor: self.executor,
            unique: self.unique,
            columns: self.columns,
            loads: self.loads,
            marker: PhantomData,
        }
    }

    /// Fetches every field but `columns` (Prisma's `omit`), as the model's `Omitted`
    /// record, where an omitted field is `None`. Includes chosen before are dropped.
    pub fn omit(self, columns: impl IntoColumns<M>) -> FindUnique<'a, M, M::Omitted, E>
    where
        M: Omit,
    {
        FindUnique {
            executor: self.executor,
            unique: self.unique,
            columns: columns_without::<M>(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    /// Fetches only `columns`, decoded as `R2` (includes chosen before are dropped).
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> FindUnique<'a, M, R2, E> {
        FindUnique {
            executor: self.executor,
            unique: self.unique,
            columns: Cow::Owned(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    pub async fn exec(self) -> Result<E::Output<R>, Error> {
        let mut args = SelectArgs::new();
        args.filter = Some(self.unique.into_node());
        args.take = Some(1);
        let rows = if self.loads.is_empty() {
            fetch_rows::<R>(self.executor, M::META, &self.columns, &args).await?
        } else {
            include::fetch_loaded(self.executor, M::META, &self.columns, &args, &self.loads).await?
        };
        E::finish(rows.into_iter().next(), M::META.name, "find_unique")
    }
}

/// `count`.
pub struct Count<'a, M> {
    executor: Executor<'a>,
    args: SelectArgs,
    marker: PhantomData<fn() -> M>,
}

impl<'a, M: Model> Count<'a, M> {
    select_arguments!();

    pub async fn exec(self) -> Result<i64, Error> {
        let statement = render::count(M::META, &self.args, self.executor.render_context())?;
        let rows = self.executor.fetch(&statement, Some(M::META)).await?;
        match rows.first() {
            Some(row) => crate::decode::decode::<i64>(row, 0),
            None => Ok(0),
        }
    }
}

/// `create`.
pub struct Create<'a, M, R = M> {
    executor: Executor<'a>,
    data: PendingData,
    columns: Columns,
    nested: Vec<nested::NestedOp>,
    loads: Loads,
    marker: PhantomData<fn() -> (M, R)>,
}

impl<'a, M: Model, R: FromRow + Send> Create<'a, M, R> {
    include_methods!(Create ['a, M] []);

    fn retype<R2>(self) -> Create<'a, M, R2> {
        Create {
            executor: self.executor,
            data: self.data,
            columns: self.columns,
            nested: self.nested,
            loads: self.loads,
            marker: PhantomData,
        }
    }

    /// Sets one more field (an optional or defaulted one), or replaces a value already
    /// given: `.set(post::BODY.set("..."))`. Takes values only: an arithmetic operation
    /// fails the create with [`Error::InvalidQuery`].
    pub fn set(mut self, value: Assign<M>) -> Self {
        add_to_data(&mut self.data, value);
        self
    }

    /// Adds a nested write: related records created or connected in the same
    /// transaction (`.with(conversation::MESSAGES.create(..))`).
    pub fn with(mut self, write: impl Into<NestedWrite<M, Creating>>) -> Self {
        self.nested.push(write.into().op);
        self
    }

    /// Returns only `columns`, decoded as `R2` (includes chosen before are dropped).
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> Create<'a, M, R2> {
        Create {
            executor: self.executor,
            data: self.data,
            columns: Cow::Owned(column_refs(columns)),
            nested: self.nested,
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    pub async fn exec(self) -> Result<R, Error> {
        self.loads.check()?;
        if !self.nested.is_empty() || !self.loads.is_empty() {
            return self.exec_nested().await;
        }
        let mut data = self.data.map_err(Error::InvalidQuery)?;
        defaults::fill(&mut data, M::META, M::DEFAULTS, defaults::statement_time());
        let columns: Vec<&'static Column> = data.iter().map(|(c, _)| *c).collect();
        let row: InsertRow<'_> = data.iter().map(|(_, v)| Some(v)).collect();
        let statement = render::insert(
            M::META,
            &columns,
            std::slice::from_ref(&row),
            OnConflict::Fail,
            Some(&self.columns),
            self.executor.render_context(),
        );
        let rows = self.executor.fetch(&statement, Some(M::META)).await?;
        let row = rows.first().map(R::from_row).transpose()?;
        OrThrow::finish(row, M::META.name, "create")
    }

    /// The record, its nested writes and the re-read with includes, in one transaction.
    async fn exec_nested(self) -> Result<R, Error> {
        let Create {
            executor,
            data,
            columns,
            nested,
            loads,
            ..
        } = self;
        executor
            .atomically(move |ex| -> BoxFuture<'_, Result<R, Error>> {
                Box::pin(async move {
                    let record = nested::new_record(data, M::DEFAULTS, nested);
                    let row = nested::create_record(ex, M::META, record).await?;
                    finish_write::<M, R>(ex, &row, &columns, &loads, "create").await
                })
            })
            .await
    }
}

/// The result of a write that went through the nested-write engine: decoded from the
/// written row, or re-read by its primary key when it includes relations or selects.
async fn finish_write<M: Model, R: FromRow>(
    ex: Executor<'_>,
    row: &tokio_postgres::Row,
    columns: &Columns,
    loads: &Loads,
    operation: &'static str,
) -> Result<R, Error> {
    if loads.is_empty() && matches!(columns, Cow::Borrowed(_)) {
        return R::from_row(row);
    }
    if M::META.primary_key.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "`{}` has no identifier to read the record back by",
            M::META.name
        )));
    }
    let key = include::primary_key_filter(M::META, row)?;
    let found = include::reread::<R>(ex, M::META, key, columns, loads).await?;
    OrThrow::finish(found, M::META.name, operation)
}

/// `create_many` (and, through [`CreateMany::and_return`], `create_many_and_return`).
pub struct CreateMany<'a, M> {
    executor: Executor<'a>,
    rows: Vec<PendingData>,
    skip_duplicates: bool,
    marker: PhantomData<fn() -> M>,
}

impl<'a, M: Model> CreateMany<'a, M> {
    /// Rows that would violate a unique constraint are skipped (`ON CONFLICT DO NOTHING`).
    pub fn skip_duplicates(mut self) -> Self {
        self.skip_duplicates = true;
        self
    }

    /// Returns the created records instead of their count.
    pub fn and_return(self) -> CreateManyAndReturn<'a, M> {
        CreateManyAndReturn { inner: self }
    }

    /// Inserts the rows; returns how many were inserted.
    pub async fn exec(self) -> Result<u64, Error> {
        Ok(self.run(false).await?.0)
    }

    /// Runs the inserts, atomically when they need more than one statement; returns the
    /// count, and the rows when `returning`.
    async fn run(self, returning: bool) -> Result<(u64, Vec<tokio_postgres::Row>), Error> {
        let rows = self
            .rows
            .into_iter()
            .collect::<Result<Vec<_>, String>>()
            .map_err(Error::InvalidQuery)?;
        insert_rows(
            self.executor,
            M::META,
            rows,
            M::DEFAULTS,
            self.skip_duplicates,
            returning,
        )
        .await
    }
}

/// Inserts `rows` of `model` in as few statements as the parameter limit allows,
/// atomically when that is more than one; returns the count, and the full rows when
/// `returning`. Each row gets the client defaults it does not set (one instant for all).
/// Shared by `create_many` and nested `create_many`.
pub(crate) async fn insert_rows(
    executor: Executor<'_>,
    model: &'static ModelMeta,
    mut rows: Vec<Vec<(&'static Column, Value)>>,
    column_defaults: &'static [ColumnDefault],
    skip_duplicates: bool,
    returning: bool,
) -> Result<(u64, Vec<tokio_postgres::Row>), Error> {
    if rows.is_empty() {
        return Ok((0, Vec::new()));
    }
    let now = defaults::statement_time();
    for row in &mut rows {
        defaults::fill(row, model, column_defaults, now);
    }
    // The union of the rows' columns, in first-seen order; missing cells are DEFAULT.
    let mut columns: Vec<&'static Column> = Vec::new();
    for row in &rows {
        for (column, _) in row {
            if !columns.iter().any(|c| c.name == column.name) {
                columns.push(column);
            }
        }
    }
    let rows_per_statement = (MAX_PARAMS / columns.len().max(1)).max(1);
    let chunk_count = rows.len().div_ceil(rows_per_statement);
    // A tenant-scoped client: the parents the rows name must be ones the tenant may point
    // at (a foreign key checks only that the parent exists), checked in the same
    // transaction as the inserts.
    let guarded = model.tenant.is_some()
        && executor.render_context().tenant.is_some()
        && render::tenancy::parent_links(model).next().is_some();
    let work = unit_of_work(move |executor| {
        Box::pin(async move {
            let mut count = 0;
            let mut returned = Vec::new();
            for chunk in rows.chunks(rows_per_statement) {
                if guarded {
                    check_tenant_parents(executor, model, chunk).await?;
                }
                let cells: Vec<InsertRow<'_>> = chunk
                    .iter()
                    .map(|row| {
                        columns
                            .iter()
                            .map(|column| {
                                row.iter()
                                    .find(|(c, _)| c.name == column.name)
                                    .map(|(_, v)| v)
                            })
                            .collect()
                    })
                    .collect();
                let on_conflict = if skip_duplicates {
                    OnConflict::DoNothing
                } else {
                    OnConflict::Fail
                };
                let returning_columns = returning.then_some(model.columns);
                let statement = render::insert(
                    model,
                    &columns,
                    &cells,
                    on_conflict,
                    returning_columns,
                    executor.render_context(),
                );
                if returning {
                    let rows = executor.fetch(&statement, Some(model)).await?;
                    count += rows.len() as u64;
                    returned.extend(rows);
                } else {
                    count += executor.execute(&statement, Some(model)).await?;
                }
            }
            Ok((count, returned))
        })
    });
    if chunk_count > 1 || guarded {
        executor.atomically(work).await
    } else {
        work(executor).await
    }
}

/// Keys of a several-column foreign key checked per statement (each is an `EXISTS`).
const MULTI_COLUMN_KEYS_PER_CHECK: usize = 500;

/// Fails with P2025, naming the parent model, when a row of a tenant-scoped multi-row
/// create names a parent (through a foreign key to a tenant-owned model) that the tenant
/// may not point at: another tenant's, or, through the key that makes the model
/// tenant-owned, a global one.
async fn check_tenant_parents(
    executor: Executor<'_>,
    model: &'static ModelMeta,
    rows: &[Vec<(&'static Column, Value)>],
) -> Result<(), Error> {
    for (link, access) in render::tenancy::parent_links(model) {
        // Distinct keys, told apart by their text (values have no hash of their own).
        let mut seen = std::collections::HashSet::new();
        let mut keys: Vec<Vec<&Value>> = Vec::new();
        for row in rows {
            let key: Option<Vec<&Value>> = link
                .columns
                .iter()
                .map(|name| {
                    row.iter()
                        .find(|(column, _)| column.name == *name)
                        .map(|(_, value)| value)
                        .filter(|value| !value.is_null())
                })
                .collect();
            if let Some(key) = key
                && seen.insert(format!("{key:?}"))
            {
                keys.push(key);
            }
        }
        if keys.is_empty() {
            continue;
        }
        let not_the_tenants = || Error::RecordNotFound {
            model: link.parent.name,
            operation: "createMany (a row's parent is not this tenant's)",
        };
        if link.columns.len() == 1 {
            let array = Value::Array(keys.iter().map(|key| key[0].clone()).collect());
            let count = render::tenancy::count_tenant_parents(
                link,
                access,
                &array,
                executor.render_context(),
            );
            let rows = executor.fetch(&count, Some(model)).await?;
            let found: i64 = match rows.first() {
                Some(row) => crate::decode::decode(row, 0)?,
                None => 0,
            };
            if usize::try_from(found).ok() != Some(keys.len()) {
                return Err(not_the_tenants());
            }
            continue;
        }
        // Several columns: a bounded number of keys per statement.
        for chunk in keys.chunks(MULTI_COLUMN_KEYS_PER_CHECK) {
            let check = render::tenancy::foreign_parent_check(
                link,
                access,
                chunk,
                executor.render_context(),
            );
            if !executor.fetch(&check, Some(model)).await?.is_empty() {
                return Err(not_the_tenants());
            }
        }
    }
    Ok(())
}

/// A row as it came from the database (the upsert step of an upsert with includes).
struct RawRow(tokio_postgres::Row);

impl FromRow for RawRow {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, Error> {
        Ok(RawRow(row.clone()))
    }
}

/// Pins down the higher-ranked signature [`Executor::atomically`] needs (closure
/// signatures are not inferred higher-ranked from a later use).
fn unit_of_work<T, F>(work: F) -> F
where
    F: for<'t> FnOnce(Executor<'t>) -> BoxFuture<'t, Result<T, Error>>,
{
    work
}

/// `create_many_and_return`.
pub struct CreateManyAndReturn<'a, M> {
    inner: CreateMany<'a, M>,
}

impl<M: Model> CreateManyAndReturn<'_, M> {
    pub async fn exec(self) -> Result<Vec<M>, Error> {
        let (_, rows) = self.inner.run(true).await?;
        rows.iter().map(M::from_row).collect()
    }
}

/// `update`.
pub struct Update<'a, M, R = M> {
    executor: Executor<'a>,
    unique: UniqueWhere<M>,
    assigns: Vec<Assignment>,
    columns: Columns,
    nested: Vec<nested::NestedOp>,
    loads: Loads,
    marker: PhantomData<fn() -> R>,
}

impl<'a, M: Model, R: FromRow + Send> Update<'a, M, R> {
    include_methods!(Update ['a, M] []);

    fn retype<R2>(self) -> Update<'a, M, R2> {
        Update {
            executor: self.executor,
            unique: self.unique,
            assigns: self.assigns,
            columns: self.columns,
            nested: self.nested,
            loads: self.loads,
            marker: PhantomData,
        }
    }

    /// Adds a nested write on a relation, run in the same transaction
    /// (`.with(conversation::MESSAGES.delete_many(..))`).
    pub fn with(mut self, write: impl Into<NestedWrite<M, Updating>>) -> Self {
        self.nested.push(write.into().op);
        self
    }

    /// Returns only `columns`, decoded as `R2` (includes chosen before are dropped).
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> Update<'a, M, R2> {
        Update {
            executor: self.executor,
            unique: self.unique,
            assigns: self.assigns,
            columns: Cow::Owned(column_refs(columns)),
            nested: self.nested,
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    pub async fn exec(self) -> Result<R, Error> {
        self.loads.check()?;
        if !self.nested.is_empty() || !self.loads.is_empty() {
            let Update {
                executor,
                unique,
                assigns,
                columns,
                nested,
                loads,
                ..
            } = self;
            return executor
                .atomically(move |ex| -> BoxFuture<'_, Result<R, Error>> {
                    Box::pin(async move {
                        let row = nested::update_record(
                            ex,
                            M::META,
                            unique.into_node(),
                            assigns,
                            nested,
                            "update",
                        )
                        .await?;
                        finish_write::<M, R>(ex, &row, &columns, &loads, "update").await
                    })
                })
                .await;
        }
        if self.assigns.is_empty() {
            // Nothing to change: Prisma returns the record as it is.
            let found = FindUnique::<M, R, OrThrow> {
                executor: self.executor,
                unique: self.unique,
                columns: self.columns,
                loads: Loads::default(),
                marker: PhantomData,
            };
            return found
                .exec()
                .await
                .map_err(|error| rename_not_found(error, "update"));
        }
        let mut assigns = self.assigns;
        stamp_updated(&mut assigns, M::META);
        let filter = self.unique.into_node();
        let statement = render::update(
            M::META,
            &assigns,
            Some(&filter),
            Some(&self.columns),
            self.executor.render_context(),
        );
        let rows = self.executor.fetch(&statement, Some(M::META)).await?;
        let row = rows.first().map(R::from_row).transpose()?;
        OrThrow::finish(row, M::META.name, "update")
    }
}

fn rename_not_found(error: Error, operation: &'static str) -> Error {
    match error {
        Error::RecordNotFound { model, .. } => Error::RecordNotFound { model, operation },
        other => other,
    }
}

/// `update_many` (and, through [`UpdateMany::and_return`], `update_many_and_return`).
pub struct UpdateMany<'a, M> {
    executor: Executor<'a>,
    filter: FilterNode,
    assigns: Vec<Assignment>,
    marker: PhantomData<fn() -> M>,
}

impl<'a, M: Model> UpdateMany<'a, M> {
    /// Returns the updated records instead of their count.
    pub fn and_return(self) -> UpdateManyAndReturn<'a, M> {
        UpdateManyAndReturn { inner: self }
    }

    /// Updates the rows; returns how many were updated (with nothing to set, how many
    /// match, as Prisma counts them).
    pub async fn exec(mut self) -> Result<u64, Error> {
        if self.assigns.is_empty() {
            let mut args = SelectArgs::new();
            args.filter = Some(self.filter);
            let statement = render::count(M::META, &args, self.executor.render_context())?;
            let rows = self.executor.fetch(&statement, Some(M::META)).await?;
            let count = match rows.first() {
                Some(row) => crate::decode::decode::<i64>(row, 0)?,
                None => 0,
            };
            return Ok(u64::try_from(count).unwrap_or(0));
        }
        stamp_updated(&mut self.assigns, M::META);
        let statement = render::update(
            M::META,
            &self.assigns,
            Some(&self.filter),
            None,
            self.executor.render_context(),
        );
        self.executor.execute(&statement, Some(M::META)).await
    }
}

/// `update_many_and_return`.
pub struct UpdateManyAndReturn<'a, M> {
    inner: UpdateMany<'a, M>,
}

impl<M: Model> UpdateManyAndReturn<'_, M> {
    pub async fn exec(self) -> Result<Vec<M>, Error> {
        let mut inner = self.inner;
        if inner.assigns.is_empty() {
            // Nothing to change: Prisma returns the matching records as they are.
            let mut args = SelectArgs::new();
            args.filter = Some(inner.filter);
            let statement = render::select(
                M::META,
                M::META.columns,
                &args,
                inner.executor.render_context(),
            )?;
            let rows = inner.executor.fetch(&statement, Some(M::META)).await?;
            return rows.iter().map(M::from_row).collect();
        }
        stamp_updated(&mut inner.assigns, M::META);
        let statement = render::update(
            M::META,
            &inner.assigns,
            Some(&inner.filter),
            Some(M::META.columns),
            inner.executor.render_context(),
        );
        let rows = inner.executor.fetch(&statement, Some(M::META)).await?;
        rows.iter().map(M::from_row).collect()
    }
}

/// `upsert`.
pub struct Upsert<'a, M, R = M> {
    executor: Executor<'a>,
    unique: UniqueWhere<M>,
    create: PendingData,
    update: Vec<Assignment>,
    columns: Columns,
    loads: Loads,
    /// Nested writes of the create branch and of the update branch.
    nested_create: Vec<nested::NestedOp>,
    nested_update: Vec<nested::NestedOp>,
    marker: PhantomData<fn() -> R>,
}

impl<'a, M: Model, R: FromRow + Send> Upsert<'a, M, R> {
    include_methods!(Upsert ['a, M] []);

    fn retype<R2>(self) -> Upsert<'a, M, R2> {
        Upsert {
            executor: self.executor,
            unique: self.unique,
            create: self.create,
            update: self.update,
            columns: self.columns,
            loads: self.loads,
            nested_create: self.nested_create,
            nested_update: self.nested_update,
            marker: PhantomData,
        }
    }

    /// A nested write run when the record is created.
    pub fn with_create(mut self, write: impl Into<NestedWrite<M, Creating>>) -> Self {
        self.nested_create.push(write.into().op);
        self
    }

    /// A nested write run when the record exists and is updated.
    pub fn with_update(mut self, write: impl Into<NestedWrite<M, Updating>>) -> Self {
        self.nested_update.push(write.into().op);
        self
    }

    /// Returns only `columns`, decoded as `R2`.
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> Upsert<'a, M, R2> {
        Upsert {
            executor: self.executor,
            unique: self.unique,
            create: self.create,
            update: self.update,
            columns: Cow::Owned(column_refs(columns)),
            loads: Loads::default(),
            nested_create: self.nested_create,
            nested_update: self.nested_update,
            marker: PhantomData,
        }
    }

    /// Like Prisma: one `INSERT ... ON CONFLICT DO UPDATE` when the unique key's values are
    /// exactly those being created (and no extra filter applies), else find, then update
    /// or create, atomically.
    fn native(&self, create: &[(&'static Column, Value)]) -> bool {
        self.unique.extra.is_none()
            && self.unique.keys.iter().all(|(key, value)| {
                !value.is_null()
                    && create
                        .iter()
                        .any(|(column, created)| column.name == key.name && created == value)
            })
    }

    pub async fn exec(mut self) -> Result<R, Error> {
        self.loads.check()?;
        if !self.nested_create.is_empty() || !self.nested_update.is_empty() {
            let Upsert {
                executor,
                unique,
                create,
                update,
                columns,
                loads,
                nested_create,
                nested_update,
                ..
            } = self;
            return executor
                .atomically(move |ex| -> BoxFuture<'_, Result<R, Error>> {
                    Box::pin(async move {
                        let filter = unique.into_node();
                        let exists = include::reread::<(i32,)>(
                            ex,
                            M::META,
                            filter.clone(),
                            &[],
                            &Loads::default(),
                        )
                        .await?
                        .is_some();
                        let row = if exists {
                            nested::update_record(
                                ex,
                                M::META,
                                filter,
                                update,
                                nested_update,
                                "upsert",
                            )
                            .await?
                        } else {
                            let record = nested::new_record(create, M::DEFAULTS, nested_create);
                            nested::create_record(ex, M::META, record).await?
                        };
                        finish_write::<M, R>(ex, &row, &columns, &loads, "upsert").await
                    })
                })
                .await;
        }
        if !self.loads.is_empty() {
            // Upsert the full row, then read it back with its relations, atomically.
            let loads = std::mem::take(&mut self.loads);
            let columns = std::mem::replace(&mut self.columns, Cow::Borrowed(M::META.columns));
            let full = Upsert::<M, RawRow> {
                executor: self.executor,
                unique: self.unique,
                create: self.create,
                update: self.update,
                columns: self.columns,
                loads: Loads::default(),
                nested_create: Vec::new(),
                nested_update: Vec::new(),
                marker: PhantomData,
            };
            return self
                .executor
                .atomically(move |ex| -> BoxFuture<'_, Result<R, Error>> {
                    Box::pin(async move {
                        let full = Upsert {
                            executor: ex,
                            ..full
                        };
                        let RawRow(row) = full.exec_plain().await?;
                        finish_write::<M, R>(ex, &row, &columns, &loads, "upsert").await
                    })
                })
                .await;
        }
        self.exec_plain().await
    }

    /// The upsert itself, decoding `R` from the written row.
    async fn exec_plain(mut self) -> Result<R, Error> {
        let now = defaults::statement_time();
        let mut create =
            std::mem::replace(&mut self.create, Ok(Vec::new())).map_err(Error::InvalidQuery)?;
        defaults::fill(&mut create, M::META, M::DEFAULTS, now);
        if self.native(&create) {
            defaults::stamp_updated(&mut self.update, M::META, now);
            let columns: Vec<&'static Column> = create.iter().map(|(c, _)| *c).collect();
            let row: InsertRow<'_> = create.iter().map(|(_, v)| Some(v)).collect();
            let target: Vec<&'static Column> = self.unique.keys.iter().map(|(c, _)| *c).collect();
            let statement = render::insert(
                M::META,
                &columns,
                std::slice::from_ref(&row),
                OnConflict::DoUpdate {
                    target: &target,
                    assigns: &self.update,
                },
                Some(&self.columns),
                self.executor.render_context(),
            );
            let rows = self.executor.fetch(&statement, Some(M::META)).await?;
            let row = rows.first().map(R::from_row).transpose()?;
            return OrThrow::finish(row, M::META.name, "upsert");
        }
        let executor = self.executor;
        executor
            .atomically(move |executor| -> BoxFuture<'_, Result<R, Error>> {
                Box::pin(async move {
                    let exists = FindUnique::<M, (i32,), Optional> {
                        executor,
                        unique: self.unique.clone(),
                        columns: Cow::Borrowed(&[]),
                        loads: Loads::default(),
                        marker: PhantomData,
                    };
                    if exists.exec().await?.is_some() {
                        let update = Update::<M, R> {
                            executor,
                            unique: self.unique,
                            assigns: self.update,
                            columns: self.columns,
                            nested: Vec::new(),
                            loads: Loads::default(),
                            marker: PhantomData,
                        };
                        update.exec().await
                    } else {
                        let create = Create::<M, R> {
                            executor,
                            data: Ok(create),
                            columns: self.columns,
                            nested: Vec::new(),
                            loads: Loads::default(),
                            marker: PhantomData,
                        };
                        create.exec().await
                    }
                })
            })
            .await
    }
}

/// `delete`.
pub struct Delete<'a, M, R = M> {
    executor: Executor<'a>,
    unique: UniqueWhere<M>,
    columns: Columns,
    loads: Loads,
    marker: PhantomData<fn() -> R>,
}

impl<'a, M: Model, R: FromRow + Send> Delete<'a, M, R> {
    include_methods!(Delete ['a, M] []);

    fn retype<R2>(self) -> Delete<'a, M, R2> {
        Delete {
            executor: self.executor,
            unique: self.unique,
            columns: self.columns,
            loads: self.loads,
            marker: PhantomData,
        }
    }

    /// Returns only `columns`, decoded as `R2` (includes chosen before are dropped).
    pub fn select<R2: FromRow>(self, columns: impl IntoColumns<M>) -> Delete<'a, M, R2> {
        Delete {
            executor: self.executor,
            unique: self.unique,
            columns: Cow::Owned(column_refs(columns)),
            loads: Loads::default(),
            marker: PhantomData,
        }
    }

    pub async fn exec(self) -> Result<R, Error> {
        if !self.loads.is_empty() {
            // Read the record with its relations before they go, then delete it.
            let Delete {
                executor,
                unique,
                columns,
                loads,
                ..
            } = self;
            return executor
                .atomically(move |ex| -> BoxFuture<'_, Result<R, Error>> {
                    Box::pin(async move {
                        let filter = unique.into_node();
                        let found =
                            include::reread::<R>(ex, M::META, filter.clone(), &columns, &loads)
                                .await?;
                        let found = OrThrow::finish(found, M::META.name, "delete")?;
                        let statement =
                            render::delete(M::META, Some(&filter), None, ex.render_context());
                        ex.execute(&statement, Some(M::META)).await?;
                        Ok(found)
                    })
                })
                .await;
        }
        let filter = self.unique.into_node();
        let statement = render::delete(
            M::META,
            Some(&filter),
            Some(&self.columns),
            self.executor.render_context(),
        );
        let rows = self.executor.fetch(&statement, Some(M::META)).await?;
        let row = rows.first().map(R::from_row).transpose()?;
        OrThrow::finish(row, M::META.name, "delete")
    }
}

/// `delete_many`.
pub struct DeleteMany<'a, M> {
    executor: Executor<'a>,
    filter: FilterNode,
    marker: PhantomData<fn() -> M>,
}

impl<M: Model> DeleteMany<'_, M> {
    pub async fn exec(self) -> Result<u64, Error> {
        let statement = render::delete(
            M::META,
            Some(&self.filter),
            None,
            self.executor.render_context(),
        );
        self.executor.execute(&statement, Some(M::META)).await
    }
}

/// `.await` on a builder runs `exec()`.
macro_rules! into_future {
    ($($ty:ident < $($gen:ident),* > => $out:ty where [$($bounds:tt)*];)*) => {$(
        impl<'a, $($gen),*> IntoFuture for $ty<'a, $($gen),*>
        where
            $($bounds)*
        {
            type Output = Result<$out, Error>;
            type IntoFuture = BoxFuture<'a, Self::Output>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.exec())
            }
        }
    )*};
}

into_future! {
    FindMany<M, R> => Vec<R> where [M: Model, R: FromRow + Send + 'a];
    FindFirst<M, R, E> => E::Output<R> where [M: Model, R: FromRow + Send + 'a, E: Expectation + 'a, E::Output<R>: Send];
    FindUnique<M, R, E> => E::Output<R> where [M: Model, R: FromRow + Send + 'a, E: Expectation + 'a, E::Output<R>: Send];
    Count<M> => i64 where [M: Model];
    Create<M, R> => R where [M: Model, R: FromRow + Send + 'a];
    CreateMany<M> => u64 where [M: Model];
    CreateManyAndReturn<M> => Vec<M> where [M: Model];
    Update<M, R> => R where [M: Model, R: FromRow + Send + 'a];
    UpdateMany<M> => u64 where [M: Model];
    UpdateManyAndReturn<M> => Vec<M> where [M: Model];
    Upsert<M, R> => R where [M: Model, R: FromRow + Send + 'a];
    Delete<M, R> => R where [M: Model, R: FromRow + Send + 'a];
    DeleteMany<M> => u64 where [M: Model];
}

//! `aggregate` and `group_by`: typed aggregate expressions ([`Aggregate`], made from field
//! handles: `AMOUNT.sum()`, `AMOUNT.avg()`, `CREATED_AT.max()`, `ID.count()`, and
//! [`count_all`]), tuples of them as one selection ([`AggregateSet`]), group keys
//! ([`GroupKeys`]), `having` conditions ([`Having`]) and the two builders.
//!
//! Result types follow Prisma's: `_count` is `i64`; `_sum` of `Int` and `BigInt` is
//! `Option<i64>`, of `Float` `Option<f64>`, of `Decimal` `Option<Decimal>`; `_avg` is
//! `Option<f64>` (`Option<Decimal>` for `Decimal`); `_min`/`_max` are `Option<T>`. The
//! `Option` is `None` when no row (or only NULLs) went into the aggregate.
//!
//! ```no_run
//! # use refract_runtime as rt;
//! # fn demo<M: rt::Model>(actions: rt::Actions<'_, M>, amount: rt::Field<M, i32>, kind: rt::Field<M, String>) {
//! // SELECT COUNT(*), SUM("amount"), AVG("amount")::DOUBLE PRECISION FROM ... WHERE ...
//! let totals = actions.aggregate((rt::count_all(), amount.sum(), amount.avg()));
//! // awaited: `totals.count_all()`, `totals.get(amount.sum())`: Option<i64>, ...
//! // SELECT "kind", COUNT(*), MAX("amount") ... GROUP BY "kind" HAVING COUNT(*) > $1
//! let groups = actions
//!     .group_by(kind)
//!     .aggregate((rt::count_all(), amount.max()))
//!     .having(rt::count_all::<M>().gt(1))
//!     .order_by(rt::count_all::<M>().desc());
//! # }
//! ```

use std::future::IntoFuture;
use std::marker::PhantomData;

use tokio_postgres::Row;

mod named;

pub use named::{AggregateOutput, Aggregates, ErasedValue, Group, ToJson};

use crate::decode::Decode;
use crate::error::Error;
use crate::executor::{BoxFuture, Executor};
use crate::model::{Column, Model};
use crate::query::{
    CompareOp, Field, Filter, FilterNode, Nullable, OrderBy, OrderTarget, Required,
};
use crate::render::{self, SelectArgs, SqlWriter};
use crate::value::IntoValue;

/// An aggregate function.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggregateFn {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// One aggregate expression: `COUNT(*)`, `SUM("amount")::BIGINT`... (opaque).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AggExpr {
    pub(crate) function: AggregateFn,
    /// `None`: `COUNT(*)`.
    pub(crate) column: Option<&'static Column>,
    /// A cast giving the result the Rust type's width (`SUM(bigint)` is `numeric`).
    pub(crate) cast: Option<&'static str>,
}

/// Renders an aggregate; `qualifier` prefixes its column.
pub(crate) fn render_aggregate(w: &mut SqlWriter<'_>, expr: &AggExpr, qualifier: Option<&str>) {
    w.push(match expr.function {
        AggregateFn::Count => "COUNT(",
        AggregateFn::Sum => "SUM(",
        AggregateFn::Avg => "AVG(",
        AggregateFn::Min => "MIN(",
        AggregateFn::Max => "MAX(",
    });
    match expr.column {
        Some(column) => w.qualified(qualifier, column),
        None => w.push("*"),
    }
    w.push(")");
    if let Some(cast) = expr.cast {
        w.push("::");
        w.push(cast);
    }
}

/// An aggregate of model `M` whose value decodes as `T`.
pub struct Aggregate<M, T> {
    pub(crate) expr: AggExpr,
    marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Aggregate<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Aggregate<M, T> {}

impl<M, T> std::fmt::Debug for Aggregate<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.expr.fmt(f)
    }
}

impl<M, T> Aggregate<M, T> {
    fn new(
        function: AggregateFn,
        column: Option<&'static Column>,
        cast: Option<&'static str>,
    ) -> Self {
        Aggregate {
            expr: AggExpr {
                function,
                column,
                cast,
            },
            marker: PhantomData,
        }
    }

    /// Orders groups by this aggregate, smallest first (`group_by`).
    pub fn asc(self) -> OrderBy<M> {
        OrderBy::from_target(OrderTarget::Aggregate(self.expr), false)
    }

    /// Orders groups by this aggregate, largest first (`group_by`).
    pub fn desc(self) -> OrderBy<M> {
        OrderBy::from_target(OrderTarget::Aggregate(self.expr), true)
    }
}

/// `COUNT(*)`: how many rows (Prisma's `_count: { _all: true }`).
pub fn count_all<M>() -> Aggregate<M, i64> {
    Aggregate::new(AggregateFn::Count, None, None)
}

/// The value type an aggregate's result holds, for `having` comparisons.
pub trait AggregateValue {
    type Inner: IntoValue;
}
impl AggregateValue for i64 {
    type Inner = i64;
}
impl<T: IntoValue> AggregateValue for Option<T> {
    type Inner = T;
}

impl<M, T: AggregateValue> Aggregate<M, T> {
    fn compare(self, op: CompareOp, value: T::Inner) -> Having<M> {
        Having::from_node(FilterNode::Aggregate {
            expr: self.expr,
            op,
            value: value.into_value(),
        })
    }
    pub fn equals(self, value: impl Into<T::Inner>) -> Having<M> {
        self.compare(CompareOp::Eq, value.into())
    }
    pub fn not(self, value: impl Into<T::Inner>) -> Having<M> {
        self.compare(CompareOp::Ne, value.into())
    }
    pub fn lt(self, value: impl Into<T::Inner>) -> Having<M> {
        self.compare(CompareOp::Lt, value.into())
    }
    pub fn lte(self, value: impl Into<T::Inner>) -> Having<M> {
        self.compare(CompareOp::Lte, value.into())
    }
    pub fn gt(self, value: impl Into<T::Inner>) -> Having<M> {
        self.compare(CompareOp::Gt, value.into())
    }
    pub fn gte(self, value: impl Into<T::Inner>) -> Having<M> {
        self.compare(CompareOp::Gte, value.into())
    }
}

/// Number types with `_sum`: its Rust type and the cast that gives it.
pub trait Summable {
    type Sum: Decode + IntoValue;
    #[doc(hidden)]
    const CAST: Option<&'static str>;
}
impl Summable for i32 {
    type Sum = i64;
    const CAST: Option<&'static str> = None;
}
impl Summable for i64 {
    type Sum = i64;
    const CAST: Option<&'static str> = Some("BIGINT");
}
impl Summable for f64 {
    type Sum = f64;
    const CAST: Option<&'static str> = None;
}
impl Summable for rust_decimal::Decimal {
    type Sum = rust_decimal::Decimal;
    const CAST: Option<&'static str> = None;
}

/// Number types with `_avg`.
pub trait Averageable {
    type Avg: Decode + IntoValue;
    #[doc(hidden)]
    const CAST: Option<&'static str>;
}
impl Averageable for i32 {
    type Avg = f64;
    const CAST: Option<&'static str> = Some("DOUBLE PRECISION");
}
impl Averageable for i64 {
    type Avg = f64;
    const CAST: Option<&'static str> = Some("DOUBLE PRECISION");
}
impl Averageable for f64 {
    type Avg = f64;
    const CAST: Option<&'static str> = None;
}
impl Averageable for rust_decimal::Decimal {
    type Avg = rust_decimal::Decimal;
    const CAST: Option<&'static str> = None;
}

impl<M, T, K> Field<M, T, K> {
    /// `COUNT(field)`: rows where the field is not NULL.
    pub fn count(self) -> Aggregate<M, i64> {
        Aggregate::new(AggregateFn::Count, Some(self.column()), None)
    }
    /// `SUM(field)`.
    pub fn sum(self) -> Aggregate<M, Option<T::Sum>>
    where
        T: Summable,
    {
        Aggregate::new(AggregateFn::Sum, Some(self.column()), T::CAST)
    }
    /// `AVG(field)`.
    pub fn avg(self) -> Aggregate<M, Option<T::Avg>>
    where
        T: Averageable,
    {
        Aggregate::new(AggregateFn::Avg, Some(self.column()), T::CAST)
    }
    /// `MIN(field)`.
    pub fn min(self) -> Aggregate<M, Option<T>>
    where
        T: crate::query::Comparable + Decode,
    {
        Aggregate::new(AggregateFn::Min, Some(self.column()), None)
    }
    /// `MAX(field)`.
    pub fn max(self) -> Aggregate<M, Option<T>>
    where
        T: crate::query::Comparable + Decode,
    {
        Aggregate::new(AggregateFn::Max, Some(self.column()), None)
    }
}

/// A selection of aggregates: one [`Aggregate`] or a tuple of them. The results are
/// named ([`Aggregates`], [`Group`]): read each with the handle that asked for it.
pub trait AggregateSet<M> {
    #[doc(hidden)]
    fn exprs(&self) -> Vec<AggExpr>;
    /// The values of columns `offset..` of `row`, in the order of `exprs`.
    #[doc(hidden)]
    fn decode(row: &Row, offset: usize) -> Result<Vec<Box<dyn ErasedValue>>, Error>;
}

impl<M> AggregateSet<M> for () {
    fn exprs(&self) -> Vec<AggExpr> {
        Vec::new()
    }
    fn decode(_: &Row, _: usize) -> Result<Vec<Box<dyn ErasedValue>>, Error> {
        Ok(Vec::new())
    }
}

impl<M, T: AggregateOutput> AggregateSet<M> for Aggregate<M, T> {
    fn exprs(&self) -> Vec<AggExpr> {
        vec![self.expr]
    }
    fn decode(row: &Row, offset: usize) -> Result<Vec<Box<dyn ErasedValue>>, Error> {
        Ok(vec![named::decode_value::<T>(row, offset)?])
    }
}

macro_rules! aggregate_tuples {
    ($($name:ident : $index:tt),+) => {
        impl<M, $($name: AggregateOutput),+> AggregateSet<M> for ($(Aggregate<M, $name>,)+) {
            fn exprs(&self) -> Vec<AggExpr> {
                vec![$(self.$index.expr),+]
            }
            fn decode(row: &Row, offset: usize) -> Result<Vec<Box<dyn ErasedValue>>, Error> {
                Ok(vec![$(named::decode_value::<$name>(row, offset + $index)?),+])
            }
        }
    };
}
aggregate_tuples!(A: 0);
aggregate_tuples!(A: 0, B: 1);
aggregate_tuples!(A: 0, B: 1, C: 2);
aggregate_tuples!(A: 0, B: 1, C: 2, D: 3);
aggregate_tuples!(A: 0, B: 1, C: 2, D: 3, E: 4);
aggregate_tuples!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5);
aggregate_tuples!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6);
aggregate_tuples!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7);

/// One field a `group_by` groups by: its value decodes as `T` (required fields) or
/// `Option<T>` (optional ones); [`Group::key`] reads it.
pub trait GroupKey<M> {
    type Output: Decode;
    #[doc(hidden)]
    fn column(&self) -> &'static Column;
}
impl<M, T: Decode> GroupKey<M> for Field<M, T, Required> {
    type Output = T;
    fn column(&self) -> &'static Column {
        Field::column(*self)
    }
}
impl<M, T: Decode> GroupKey<M> for Field<M, T, Nullable> {
    type Output = Option<T>;
    fn column(&self) -> &'static Column {
        Field::column(*self)
    }
}

/// What `group_by` groups by: one field or a tuple of fields; each [`Group`] reads its
/// values by field (`group.key(post::AUTHOR_ID)`).
pub trait GroupKeys<M> {
    #[doc(hidden)]
    fn columns(&self) -> Vec<&'static Column>;
    /// The values of the first columns of `row`, in the order of `columns`.
    #[doc(hidden)]
    fn decode(row: &Row) -> Result<Vec<Box<dyn ErasedValue>>, Error>;
}

impl<M, T: Decode, K> GroupKeys<M> for Field<M, T, K>
where
    Field<M, T, K>: GroupKey<M>,
    <Field<M, T, K> as GroupKey<M>>::Output: AggregateOutput,
{
    fn columns(&self) -> Vec<&'static Column> {
        vec![GroupKey::column(self)]
    }
    fn decode(row: &Row) -> Result<Vec<Box<dyn ErasedValue>>, Error> {
        Ok(vec![named::decode_value::<
            <Field<M, T, K> as GroupKey<M>>::Output,
        >(row, 0)?])
    }
}

macro_rules! group_tuples {
    ($($name:ident : $index:tt),+) => {
        impl<M, $($name: GroupKey<M>),+> GroupKeys<M> for ($($name,)+)
        where
            $($name::Output: AggregateOutput),+
        {
            fn columns(&self) -> Vec<&'static Column> {
                vec![$(self.$index.column()),+]
            }
            fn decode(row: &Row) -> Result<Vec<Box<dyn ErasedValue>>, Error> {
                Ok(vec![$(named::decode_value::<$name::Output>(row, $index)?),+])
            }
        }
    };
}
group_tuples!(A: 0);
group_tuples!(A: 0, B: 1);
group_tuples!(A: 0, B: 1, C: 2);
group_tuples!(A: 0, B: 1, C: 2, D: 3);
group_tuples!(A: 0, B: 1, C: 2, D: 3, E: 4);
group_tuples!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5);

/// A `HAVING` condition: on aggregates (`count_all().gt(1)`), or any filter on the
/// grouped fields (`Having::from(KIND.equals("a"))`); combine with [`Having::and`],
/// [`Having::or`], [`Having::not`].
pub struct Having<M> {
    pub(crate) node: FilterNode,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Having<M> {
    fn clone(&self) -> Self {
        Having::from_node(self.node.clone())
    }
}

impl<M> std::fmt::Debug for Having<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<M> Having<M> {
    fn from_node(node: FilterNode) -> Self {
        Having {
            node,
            marker: PhantomData,
        }
    }
    pub fn and(conditions: impl IntoIterator<Item = Having<M>>) -> Self {
        Having::from_node(FilterNode::And(
            conditions.into_iter().map(|h| h.node).collect(),
        ))
    }
    pub fn or(conditions: impl IntoIterator<Item = Having<M>>) -> Self {
        Having::from_node(FilterNode::Or(
            conditions.into_iter().map(|h| h.node).collect(),
        ))
    }
    pub fn not(conditions: impl IntoIterator<Item = Having<M>>) -> Self {
        Having::from_node(FilterNode::And(
            conditions
                .into_iter()
                .map(|h| FilterNode::Not(Box::new(h.node)))
                .collect(),
        ))
    }
}

impl<M> From<Filter<M>> for Having<M> {
    fn from(filter: Filter<M>) -> Self {
        Having::from_node(filter.node)
    }
}

/// `aggregate`: aggregates over the rows a filter (and optional ordering and pagination)
/// selects.
pub struct AggregateQuery<'a, M, S> {
    executor: Executor<'a>,
    args: SelectArgs,
    selection: S,
    marker: PhantomData<fn() -> M>,
}

impl<'a, M: Model, S: AggregateSet<M>> AggregateQuery<'a, M, S> {
    pub(crate) fn new(executor: Executor<'a>, selection: S) -> Self {
        AggregateQuery {
            executor,
            args: SelectArgs::new(),
            selection,
            marker: PhantomData,
        }
    }

    /// Only rows matching `filter` (several calls combine with AND).
    pub fn filter(mut self, filter: Filter<M>) -> Self {
        self.args.add_filter(filter.node);
        self
    }
    /// Orders the rows before `skip`/`take` pick them.
    pub fn order_by(mut self, order: OrderBy<M>) -> Self {
        self.args.order_by.push(order.term);
        self
    }
    pub fn skip(mut self, skip: i64) -> Self {
        self.args.skip = Some(skip);
        self
    }
    pub fn take(mut self, take: i64) -> Self {
        self.args.take = Some(take);
        self
    }
    /// Starts at the row with this unique key.
    pub fn cursor(mut self, cursor: crate::query::UniqueWhere<M>) -> Self {
        self.args.cursor = Some(cursor.into_node());
        self
    }

    pub async fn exec(self) -> Result<Aggregates<M>, Error> {
        let exprs = self.selection.exprs();
        if exprs.is_empty() {
            return Err(Error::InvalidQuery(
                "aggregate needs at least one aggregate".into(),
            ));
        }
        let statement = render_aggregate_query(M::META, &exprs, &self.args, self.executor)?;
        let rows = self.executor.fetch(&statement, Some(M::META)).await?;
        let row = rows
            .first()
            .ok_or_else(|| Error::InvalidQuery("aggregate returned no row".into()))?;
        Ok(Aggregates::new(
            exprs.into_iter().zip(S::decode(row, 0)?).collect(),
        ))
    }
}

fn render_aggregate_query<'v>(
    model: &crate::model::ModelMeta,
    exprs: &[AggExpr],
    args: &'v SelectArgs,
    executor: Executor<'v>,
) -> Result<render::Statement<'v>, Error> {
    let mut w = SqlWriter::new(executor.render_context());
    w.push("SELECT ");
    for (i, expr) in exprs.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        render_aggregate(&mut w, expr, None);
    }
    let paginated = args.cursor.is_some()
        || args.skip.is_some()
        || args.take.is_some()
        || !args.order_by.is_empty();
    if paginated {
        // Aggregate over the page of rows the ordering and pagination pick.
        w.push(" FROM (");
        w.render_select_into(model, model.columns, args)?;
        w.push(") AS ");
        w.ident("page");
    } else {
        let aliased = args.filter.as_ref().is_some_and(FilterNode::has_relations);
        w.main_table_where(model, args.filter.as_ref(), aliased);
    }
    Ok(w.finish(true))
}

/// `group_by`: one row per distinct combination of the `by` fields, with aggregates.
pub struct GroupBy<'a, M, K, S> {
    executor: Executor<'a>,
    by: Vec<&'static Column>,
    selection: S,
    filter: Option<FilterNode>,
    having: Option<FilterNode>,
    order_by: Vec<crate::query::OrderTerm>,
    skip: Option<i64>,
    take: Option<i64>,
    marker: PhantomData<fn() -> (M, K)>,
}

impl<'a, M: Model, K: GroupKeys<M>> GroupBy<'a, M, K, ()> {
    pub(crate) fn new(executor: Executor<'a>, by: K) -> Self {
        GroupBy {
            executor,
            by: by.columns(),
            selection: (),
            filter: None,
            having: None,
            order_by: Vec::new(),
            skip: None,
            take: None,
            marker: PhantomData,
        }
    }
}

impl<'a, M: Model, K: GroupKeys<M>, S: AggregateSet<M>> GroupBy<'a, M, K, S> {
    /// The aggregates computed per group (replaces any chosen before).
    pub fn aggregate<S2: AggregateSet<M>>(self, selection: S2) -> GroupBy<'a, M, K, S2> {
        GroupBy {
            executor: self.executor,
            by: self.by,
            selection,
            filter: self.filter,
            having: self.having,
            order_by: self.order_by,
            skip: self.skip,
            take: self.take,
            marker: PhantomData,
        }
    }
    /// Only rows matching `filter` go into the groups (`WHERE`).
    pub fn filter(mut self, filter: Filter<M>) -> Self {
        self.filter = Some(match self.filter.take() {
            None => filter.node,
            Some(existing) => FilterNode::And(vec![existing, filter.node]),
        });
        self
    }
    /// Only groups matching `having` (several calls combine with AND).
    pub fn having(mut self, having: impl Into<Having<M>>) -> Self {
        let node = having.into().node;
        self.having = Some(match self.having.take() {
            None => node,
            Some(existing) => FilterNode::And(vec![existing, node]),
        });
        self
    }
    /// Orders the groups by a grouped field or an aggregate.
    pub fn order_by(mut self, order: OrderBy<M>) -> Self {
        self.order_by.push(order.term);
        self
    }
    pub fn skip(mut self, skip: i64) -> Self {
        self.skip = Some(skip);
        self
    }
    pub fn take(mut self, take: i64) -> Self {
        self.take = Some(take);
        self
    }

    pub async fn exec(self) -> Result<Vec<Group<M>>, Error> {
        if self.by.is_empty() {
            return Err(Error::InvalidQuery(
                "group_by needs at least one field".into(),
            ));
        }
        if self.skip.is_some_and(|skip| skip < 0) || self.take.is_some_and(|take| take < 0) {
            return Err(Error::InvalidQuery(
                "group_by takes a non-negative skip and take".into(),
            ));
        }
        let exprs = self.selection.exprs();
        let mut w = SqlWriter::new(self.executor.render_context());
        w.push("SELECT ");
        w.column_list(&self.by);
        for expr in &exprs {
            w.push(", ");
            render_aggregate(&mut w, expr, None);
        }
        let aliased = self.filter.as_ref().is_some_and(FilterNode::has_relations)
            || self.having.as_ref().is_some_and(FilterNode::has_relations);
        w.main_table_where(M::META, self.filter.as_ref(), aliased);
        w.push(" GROUP BY ");
        w.column_list(&self.by);
        if let Some(having) = &self.having {
            w.push(" HAVING ");
            render::render_filter(&mut w, having, None);
        }
        if !self.order_by.is_empty() {
            w.push(" ORDER BY ");
            render::render_order(&mut w, &self.order_by, None)?;
        }
        if let Some(take) = self.take {
            w.push(" LIMIT ");
            w.bind(crate::value::Param::BigInt(take));
        }
        if let Some(skip) = self.skip.filter(|skip| *skip > 0) {
            w.push(" OFFSET ");
            w.bind(crate::value::Param::BigInt(skip));
        }
        let statement = w.finish(true);
        let rows = self.executor.fetch(&statement, Some(M::META)).await?;
        let offset = self.by.len();
        rows.iter()
            .map(|row| {
                let keys = self.by.iter().copied().zip(K::decode(row)?).collect();
                let values = exprs.iter().copied().zip(S::decode(row, offset)?).collect();
                Ok(Group::new(keys, Aggregates::new(values)))
            })
            .collect()
    }
}

impl<'a, M: Model, S: AggregateSet<M> + Send + 'a> IntoFuture for AggregateQuery<'a, M, S> {
    type Output = Result<Aggregates<M>, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.exec())
    }
}

impl<'a, M: Model, K: GroupKeys<M> + 'a, S: AggregateSet<M> + Send + 'a> IntoFuture
    for GroupBy<'a, M, K, S>
{
    type Output = Result<Vec<Group<M>>, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.exec())
    }
}

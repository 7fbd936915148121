//! The typed query vocabulary generated code builds queries from: [`Field`] handles per
//! model column, and what they make: [`Filter`] trees, [`OrderBy`], [`Assign`] (a column's
//! new value or update operation), [`UniqueWhere`].
//!
//! Everything is typed by the model `M`, so a `Filter<User>` cannot be handed to a `Post`
//! query, and by the field's Rust type `T`, so `contains` exists only on text fields,
//! `increment` only on numbers, `is_null` only on optional fields. The runtime implements
//! these once, generically: generated code only declares `Field` constants.

use std::marker::PhantomData;

use crate::model::Column;
use crate::relation::{RelationFilterKind, RelationMeta};
use crate::value::{IntoValue, Value};

/// Variance- and auto-trait-neutral marker for type parameters a handle only names.
type Marker<T> = fn() -> T;

/// Marker: the field is required (`T`).
#[derive(Debug)]
pub enum Required {}
/// Marker: the field is optional (`Option<T>`).
#[derive(Debug)]
pub enum Nullable {}

/// A scalar field of model `M` with Rust type `T` (the inner type for optional fields).
pub struct Field<M, T, K = Required> {
    column: &'static Column,
    marker: PhantomData<Marker<(M, T, K)>>,
}

/// A scalar list field (`T[]`, `Vec<T>` in Rust) of model `M`.
pub struct ListField<M, T> {
    column: &'static Column,
    marker: PhantomData<fn() -> (M, T)>,
}

macro_rules! copy_handle {
    ($name:ident < $($p:ident),* >) => {
        impl<$($p),*> Clone for $name<$($p),*> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<$($p),*> Copy for $name<$($p),*> {}
        impl<$($p),*> std::fmt::Debug for $name<$($p),*> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.column.name)
            }
        }
    };
}
copy_handle!(Field<M, T, K>);
copy_handle!(ListField<M, T>);

/// Marker for types that order (`lt`, `gt`, ...): numbers, text, date-times.
pub trait Comparable: IntoValue {}
impl Comparable for i32 {}
impl Comparable for i64 {}
impl Comparable for f64 {}
impl Comparable for rust_decimal::Decimal {}
impl Comparable for String {}
impl Comparable for chrono::DateTime<chrono::Utc> {}

/// Marker for types with atomic arithmetic updates.
pub trait Numeric: IntoValue {}
impl Numeric for i32 {}
impl Numeric for i64 {}
impl Numeric for f64 {}
impl Numeric for rust_decimal::Decimal {}

/// Case sensitivity of text comparisons (Prisma's `mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryMode {
    #[default]
    Default,
    Insensitive,
}

/// A `WHERE` condition on model `M`.
pub struct Filter<M> {
    pub(crate) node: FilterNode,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Filter<M> {
    fn clone(&self) -> Self {
        Filter::from_node(self.node.clone())
    }
}

impl<M> std::fmt::Debug for Filter<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

/// The untyped filter tree the renderer walks.
#[derive(Clone, Debug)]
pub(crate) enum FilterNode {
    And(Vec<FilterNode>),
    Or(Vec<FilterNode>),
    Not(Box<FilterNode>),
    Compare {
        column: &'static Column,
        op: CompareOp,
        value: Value,
        insensitive: bool,
    },
    In {
        column: &'static Column,
        values: Value,
        negated: bool,
        insensitive: bool,
    },
    Like {
        column: &'static Column,
        kind: LikeKind,
        text: String,
        insensitive: bool,
    },
    /// A condition on a Json column, or on the value at a path inside it.
    Json {
        column: &'static Column,
        /// The keys (and array indexes, as text) to the value, as a `text[]`; empty for
        /// the column's value itself.
        path: Value,
        op: JsonOp,
    },
    IsNull {
        column: &'static Column,
        negated: bool,
    },
    ListHas {
        column: &'static Column,
        value: Value,
    },
    ListHasEvery {
        column: &'static Column,
        values: Value,
    },
    ListHasSome {
        column: &'static Column,
        values: Value,
    },
    ListIsEmpty {
        column: &'static Column,
        empty: bool,
    },
    /// A condition on related rows (`some`/`every`/`none`/`is`/`is_not`): an `EXISTS`
    /// subquery; `filter` is on the related model.
    Relation {
        relation: &'static RelationMeta,
        kind: RelationFilterKind,
        filter: Box<FilterNode>,
    },
    /// The related record is linked to the parent with key `key` through the join table
    /// of the many-to-many `relation` (declared on the parent): nested writes only.
    InJoinTable {
        relation: &'static RelationMeta,
        key: Value,
    },
    /// A comparison of an aggregate (`group_by`'s `having` only).
    Aggregate {
        expr: crate::aggregate::AggExpr,
        op: CompareOp,
        value: Value,
    },
}

impl FilterNode {
    /// Whether rendering needs the outer table aliased (a relation subquery refers to it).
    pub(crate) fn has_relations(&self) -> bool {
        match self {
            FilterNode::And(nodes) | FilterNode::Or(nodes) => {
                nodes.iter().any(FilterNode::has_relations)
            }
            FilterNode::Not(node) => node.has_relations(),
            FilterNode::Relation { .. } => true,
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LikeKind {
    Contains,
    StartsWith,
    EndsWith,
    /// The text is a LIKE pattern, passed as it is (`%` and `_` are wildcards).
    Pattern,
}

/// What a Json filter checks, as Prisma's `JsonFilter` on PostgreSQL.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JsonOp {
    /// `equals`/`not` and the orderings on the value at the path (`jsonb` comparison;
    /// the orderings only between values of the same Json type).
    Compare(CompareOp, Value),
    /// `string_contains`/`string_starts_with`/`string_ends_with`: the value is a string
    /// whose text matches (wildcards in `text` match literally).
    String {
        kind: LikeKind,
        text: String,
        insensitive: bool,
    },
    /// `array_contains`: the value is an array containing every element of `value`
    /// (`@>`; a non-array `value` is one element).
    ArrayContains(Value),
    /// `array_starts_with` (`first`) and `array_ends_with`: the value is an array whose
    /// first (last) element equals `value`.
    ArrayEnd { first: bool, value: Value },
}

/// The value at a path inside a Json field (Prisma's `path`), for filters:
/// `PROFILE.path(["address", "city"]).equals("Paris")`. Array elements are addressed by
/// their index as text (`"0"`), as on PostgreSQL.
pub struct JsonPath<M> {
    column: &'static Column,
    path: Vec<String>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for JsonPath<M> {
    fn clone(&self) -> Self {
        JsonPath {
            column: self.column,
            path: self.path.clone(),
            marker: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for JsonPath<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonPath({} {:?})", self.column.name, self.path)
    }
}

impl<M> JsonPath<M> {
    fn filter(self, op: JsonOp) -> Filter<M> {
        let path = Value::Array(self.path.into_iter().map(Value::String).collect());
        Filter::from_node(FilterNode::Json {
            column: self.column,
            path,
            op,
        })
    }
    fn compare(self, op: CompareOp, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.filter(JsonOp::Compare(op, Value::Json(value.into())))
    }
    fn string(self, kind: LikeKind, text: impl Into<String>) -> Filter<M> {
        self.filter(JsonOp::String {
            kind,
            text: text.into(),
            insensitive: false,
        })
    }

    /// The value at the path equals `value` (Json equality); rows without the path do
    /// not match.
    pub fn equals(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.compare(CompareOp::Eq, value)
    }
    /// The value at the path exists and differs from `value`.
    pub fn not(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.compare(CompareOp::Ne, value)
    }
    /// The value at the path is of `value`'s Json type (number, string, ...) and less.
    pub fn lt(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.compare(CompareOp::Lt, value)
    }
    /// The value at the path is of `value`'s Json type and less or equal.
    pub fn lte(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.compare(CompareOp::Lte, value)
    }
    /// The value at the path is of `value`'s Json type and greater.
    pub fn gt(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.compare(CompareOp::Gt, value)
    }
    /// The value at the path is of `value`'s Json type and greater or equal.
    pub fn gte(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.compare(CompareOp::Gte, value)
    }
    /// The value at the path is a string containing `text` (matched literally;
    /// `.insensitive()` ignores case).
    pub fn string_contains(self, text: impl Into<String>) -> Filter<M> {
        self.string(LikeKind::Contains, text)
    }
    /// The value at the path is a string starting with `text` (matched literally;
    /// `.insensitive()` ignores case).
    pub fn string_starts_with(self, text: impl Into<String>) -> Filter<M> {
        self.string(LikeKind::StartsWith, text)
    }
    /// The value at the path is a string ending with `text` (matched literally;
    /// `.insensitive()` ignores case).
    pub fn string_ends_with(self, text: impl Into<String>) -> Filter<M> {
        self.string(LikeKind::EndsWith, text)
    }
    /// The value at the path is an array holding every element of `value` (an array),
    /// or holding `value` (a scalar), by PostgreSQL's `@>`.
    pub fn array_contains(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.filter(JsonOp::ArrayContains(Value::Json(value.into())))
    }
    /// The value at the path is an array whose first element equals `value`.
    pub fn array_starts_with(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.filter(JsonOp::ArrayEnd {
            first: true,
            value: Value::Json(value.into()),
        })
    }
    /// The value at the path is an array whose last element equals `value`.
    pub fn array_ends_with(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.filter(JsonOp::ArrayEnd {
            first: false,
            value: Value::Json(value.into()),
        })
    }
}

/// Json filters (Prisma's `JsonFilter`): on the field's value itself, or through
/// [`path`](Field::path) on a value inside it.
impl<M, K> Field<M, serde_json::Value, K> {
    /// The value at `path` inside this field (keys, array indexes as text).
    pub fn path<S: Into<String>>(self, path: impl IntoIterator<Item = S>) -> JsonPath<M> {
        JsonPath {
            column: self.column,
            path: path.into_iter().map(Into::into).collect(),
            marker: PhantomData,
        }
    }
    fn root(self) -> JsonPath<M> {
        self.path(Vec::<String>::new())
    }
    /// The field holds a string containing `text` (matched literally).
    pub fn string_contains(self, text: impl Into<String>) -> Filter<M> {
        self.root().string_contains(text)
    }
    /// The field holds a string starting with `text` (matched literally).
    pub fn string_starts_with(self, text: impl Into<String>) -> Filter<M> {
        self.root().string_starts_with(text)
    }
    /// The field holds a string ending with `text` (matched literally).
    pub fn string_ends_with(self, text: impl Into<String>) -> Filter<M> {
        self.root().string_ends_with(text)
    }
    /// The field holds an array containing `value` (see [`JsonPath::array_contains`]).
    pub fn array_contains(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.root().array_contains(value)
    }
    /// The field holds an array whose first element equals `value`.
    pub fn array_starts_with(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.root().array_starts_with(value)
    }
    /// The field holds an array whose last element equals `value`.
    pub fn array_ends_with(self, value: impl Into<serde_json::Value>) -> Filter<M> {
        self.root().array_ends_with(value)
    }
}

impl<M> Filter<M> {
    pub(crate) fn from_node(node: FilterNode) -> Self {
        Filter {
            node,
            marker: PhantomData,
        }
    }

    /// All of `filters` (Prisma's `AND`); an empty list matches every row.
    pub fn and(filters: impl IntoIterator<Item = Filter<M>>) -> Self {
        Filter::from_node(FilterNode::And(
            filters.into_iter().map(|f| f.node).collect(),
        ))
    }

    /// Any of `filters` (Prisma's `OR`); an empty list matches no row.
    pub fn or(filters: impl IntoIterator<Item = Filter<M>>) -> Self {
        Filter::from_node(FilterNode::Or(
            filters.into_iter().map(|f| f.node).collect(),
        ))
    }

    /// None of `filters` (Prisma's `NOT`: every condition must be false, so
    /// `NOT a AND NOT b`); an empty list matches every row.
    pub fn not(filters: impl IntoIterator<Item = Filter<M>>) -> Self {
        let negated = filters
            .into_iter()
            .map(|f| FilterNode::Not(Box::new(f.node)))
            .collect();
        Filter::from_node(FilterNode::And(negated))
    }

    /// Matches every row.
    pub fn all() -> Self {
        Filter::from_node(FilterNode::And(Vec::new()))
    }

    /// This filter and `other`.
    pub fn and_also(self, other: Filter<M>) -> Self {
        match self.node {
            FilterNode::And(mut nodes) => {
                nodes.push(other.node);
                Filter::from_node(FilterNode::And(nodes))
            }
            node => Filter::from_node(FilterNode::And(vec![node, other.node])),
        }
    }

    /// Applies `mode` to every text comparison in this filter (`equals`, `not`, `in`,
    /// `not_in`, `lt`, `lte`, `gt`, `gte`, `contains`, `starts_with`, `ends_with`, `like`,
    /// and Json's `string_*`), as Prisma's `mode` applies to every string operator.
    pub fn mode(mut self, mode: QueryMode) -> Self {
        self.node.set_insensitive(mode == QueryMode::Insensitive);
        self
    }

    /// Shorthand for `.mode(QueryMode::Insensitive)`.
    pub fn insensitive(self) -> Self {
        self.mode(QueryMode::Insensitive)
    }
}

impl FilterNode {
    fn set_insensitive(&mut self, on: bool) {
        match self {
            FilterNode::And(nodes) | FilterNode::Or(nodes) => {
                nodes.iter_mut().for_each(|n| n.set_insensitive(on))
            }
            FilterNode::Not(node) => node.set_insensitive(on),
            FilterNode::Compare {
                insensitive,
                value: Value::String(_),
                ..
            }
            | FilterNode::Like { insensitive, .. }
            | FilterNode::Json {
                op: JsonOp::String { insensitive, .. },
                ..
            } => *insensitive = on,
            // Only lists of text: an empty list matches the same rows either way.
            FilterNode::In {
                insensitive,
                values: Value::Array(values),
                ..
            } if !values.is_empty() && values.iter().all(|v| matches!(v, Value::String(_))) => {
                *insensitive = on
            }
            _ => {}
        }
    }
}

/// One operation on one column: `FIELD.set(value)` (create data, update data, unique key
/// parts) or an update's arithmetic and list operations (`increment`, `decrement`,
/// `multiply`, `divide`, `push`). One type for all of them, so an update list mixes them:
/// `update(post::id(1), [post::TITLE.set("x"), post::VIEWS.increment(1)])`. Create data
/// takes plain values only: an arithmetic operation there fails the create with
/// [`Error::InvalidQuery`](crate::Error::InvalidQuery) before anything is sent.
pub struct Assign<M> {
    pub(crate) column: &'static Column,
    pub(crate) op: AssignOp,
    pub(crate) value: Value,
    marker: PhantomData<fn() -> M>,
}

impl<M> Assign<M> {
    pub(crate) fn new(column: &'static Column, op: AssignOp, value: Value) -> Self {
        Assign {
            column,
            op,
            value,
            marker: PhantomData,
        }
    }
    /// `column = value`.
    pub(crate) fn set(column: &'static Column, value: Value) -> Self {
        Assign::new(column, AssignOp::Set, value)
    }
    /// The column this operation writes.
    pub fn column(&self) -> &'static Column {
        self.column
    }
    /// The operation's value (the amount, for arithmetic).
    pub fn value(&self) -> &Value {
        &self.value
    }
    /// Whether this is a plain `set` (what create data and unique keys take).
    pub fn is_set(&self) -> bool {
        self.op == AssignOp::Set
    }
}

impl<M> Clone for Assign<M> {
    fn clone(&self) -> Self {
        Assign::new(self.column, self.op, self.value.clone())
    }
}

impl<M> std::fmt::Debug for Assign<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Assign({} {:?} {:?})",
            self.column.name, self.op, self.value
        )
    }
}

/// The data of one record to write, as assignments to model `M`'s columns. Generated code
/// implements it for each model's `Create` struct (its required fields, named) and
/// `CreateWithout<Relation>` structs, so the compiler checks that a new record has every
/// required field. A plain list of assignments is not create data; [`Unchecked`] makes
/// one so, without that check.
pub trait WriteData<M> {
    fn into_assigns(self) -> Vec<Assign<M>>;

    /// This data and one more field: a `create_many` or `upsert` row with an optional or
    /// defaulted field (`user::Create { .. }.set(user::NAME.set("Ann"))`; `create` and
    /// nested `create` have their own `.set(..)`). Chains, and is accepted wherever this
    /// data is.
    fn set(self, value: Assign<M>) -> WithFields<Self, M>
    where
        Self: Sized,
    {
        WithFields {
            data: self,
            fields: vec![value],
        }
    }
}

/// Write data `D` and more fields set after it ([`WriteData::set`]); a field set here
/// replaces the same field of `D`. It is create data (and nested create data through a
/// relation) exactly where `D` is.
#[derive(Debug, Clone)]
pub struct WithFields<D, M> {
    data: D,
    fields: Vec<Assign<M>>,
}

impl<D, M> WithFields<D, M> {
    /// `data` with no more fields yet: a `create_many` row that sets nothing beyond its
    /// `Create` struct, in the same list as rows that do.
    pub fn new(data: D) -> Self {
        WithFields {
            data,
            fields: Vec::new(),
        }
    }

    /// One more field.
    pub fn set(mut self, value: Assign<M>) -> Self {
        self.fields.push(value);
        self
    }
}

impl<M, D: WriteData<M>> WriteData<M> for WithFields<D, M> {
    fn into_assigns(self) -> Vec<Assign<M>> {
        let mut assigns = self.data.into_assigns();
        assigns.extend(self.fields);
        assigns
    }
}
impl<M, D: CreateData<M>> CreateData<M> for WithFields<D, M> {}
impl<Rel: crate::relation::RelationField, D: NestedCreateData<Rel>> NestedCreateData<Rel>
    for WithFields<D, Rel::Child>
{
}
impl<Rel: crate::relation::RelationField, D: CreateWithout<Rel>> CreateWithout<Rel>
    for WithFields<D, Rel::Parent>
{
}

/// A list of assignments (`[FIELD.set(..), ..]`, a `Vec`) taken as the data of a new
/// record with no compile-time check of required fields: one missing is the database's
/// error when the statement runs (P2011), not the compiler's. For data whose shape is
/// only known at run time; otherwise use the model's `Create` struct.
///
/// A bare list is refused where a new record is described, at the top level and in a
/// nested create (here `User` requires `tenant` and `handle`, `Post` requires `title`):
/// ```compile_fail,E0277
/// use runtime_tests_client::{Client, Models, user};
/// async fn new_user(db: &Client) {
///     let _ = db.user().create([user::EMAIL.set("a@example.com")]).await;
/// }
/// ```
/// ```compile_fail,E0277
/// use runtime_tests_client::{post, user};
/// let _ = user::POSTS.create(vec![post::PUBLISHED.set(true)]);
/// ```
/// The model's `Create` struct, with optional fields after it, or an explicit
/// `Unchecked` list:
/// ```
/// use runtime_tests_client::runtime::Unchecked;
/// use runtime_tests_client::{Client, Models, WriteData, post, user};
/// async fn new_users(db: &Client) {
///     let ann = user::Create {
///         email: "ann@example.com".into(),
///         tenant: "t".into(),
///         handle: "ann".into(),
///     };
///     let _ = db.user().create_many([ann.set(user::NAME.set("Ann"))]).await;
///     let _ = db.user().create(Unchecked([user::EMAIL.set("b@example.com")])).await;
///     let _ = user::POSTS.create(Unchecked(vec![post::TITLE.set("t")]));
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Unchecked<L>(pub L);

impl<M, L: IntoIterator<Item = Assign<M>>> WriteData<M> for Unchecked<L> {
    fn into_assigns(self) -> Vec<Assign<M>> {
        self.0.into_iter().collect()
    }
}
impl<M, L: IntoIterator<Item = Assign<M>>> CreateData<M> for Unchecked<L> {}
impl<Rel: crate::relation::RelationField, L: IntoIterator<Item = Assign<Rel::Child>>>
    NestedCreateData<Rel> for Unchecked<L>
{
}

/// [`WriteData`] that describes a whole new record of `M`: what `create`, `create_many`
/// and `upsert` take. Generated `Create` structs and [`Unchecked`] lists implement it;
/// `CreateWithout<Relation>` structs do not (they lack a foreign key only a nested write
/// through that relation sets).
pub trait CreateData<M>: WriteData<M> {}

/// [`WriteData`] for a record created through relation `Rel` (nested `create`,
/// `create_many`, `upsert`, `connect_or_create`). Generated code implements it once per
/// relation field: for the related model's `CreateWithout<BackRelation>` when the related
/// model holds the foreign key the relation sets (so the key cannot be given, and a full
/// `Create` is refused by the compiler), else for its `Create`.
pub trait NestedCreateData<Rel: crate::relation::RelationField>: WriteData<Rel::Child> {}

/// The data of a new record of `Rel::Parent` without the foreign key of `Rel`, a relation
/// it holds the key of: generated `CreateWithout<Relation>` structs. Top-level creates take
/// it with the relation's write that sets the key ([`Actions::create_linked`](crate::Actions::create_linked)).
pub trait CreateWithout<Rel: crate::relation::RelationField>: WriteData<Rel::Parent> {}

/// Create data as column-value pairs, each column once (a later assignment of a column
/// replaces an earlier one); an arithmetic or list operation, which has nothing to work
/// on in a new record, is an [`Error::InvalidQuery`](crate::Error::InvalidQuery).
pub(crate) fn create_pairs<M>(
    assigns: impl IntoIterator<Item = Assign<M>>,
) -> Result<Vec<(&'static Column, Value)>, String> {
    let mut pairs: Vec<(&'static Column, Value)> = Vec::new();
    for assign in assigns {
        if assign.op != AssignOp::Set {
            return Err(format!(
                "`{}` of `{}` is an update operation: create data takes values (`{}.set(..)`)",
                assign.op.name(),
                assign.column.field,
                assign.column.field
            ));
        }
        match pairs.iter_mut().find(|(c, _)| c.name == assign.column.name) {
            Some(pair) => pair.1 = assign.value,
            None => pairs.push((assign.column, assign.value)),
        }
    }
    Ok(pairs)
}

/// Create data being built: its pairs, or why it is invalid (reported when it runs).
pub(crate) type PendingData = Result<Vec<(&'static Column, Value)>, String>;

/// Adds `assign` to create data (replacing an earlier value of its column).
pub(crate) fn add_to_data<M>(data: &mut PendingData, assign: Assign<M>) {
    if let Ok(pairs) = data {
        match create_pairs([assign]) {
            Ok(mut one) => {
                pairs.retain(|(c, _)| one.iter().all(|(o, _)| o.name != c.name));
                pairs.append(&mut one);
            }
            Err(error) => *data = Err(error),
        }
    }
}

impl AssignOp {
    fn name(self) -> &'static str {
        match self {
            AssignOp::Set => "set",
            AssignOp::Increment => "increment",
            AssignOp::Decrement => "decrement",
            AssignOp::Multiply => "multiply",
            AssignOp::Divide => "divide",
            AssignOp::Push => "push",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AssignOp {
    Set,
    Increment,
    Decrement,
    Multiply,
    Divide,
    Push,
}

/// `ORDER BY` one column, a related record's field, a relation's count, or (in
/// `group_by`) an aggregate.
pub struct OrderBy<M> {
    pub(crate) term: OrderTerm,
    marker: PhantomData<fn() -> M>,
}

/// How many to-one relations an ordering may go through.
pub(crate) const RELATED_PATH: usize = 4;

/// What an ordering sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderTarget {
    Column(&'static Column),
    /// A column of the record reached through `path` (to-one relations, outermost first;
    /// `None` past the end).
    Related {
        path: [Option<&'static RelationMeta>; RELATED_PATH],
        column: &'static Column,
    },
    /// The number of related records of a to-many relation.
    Count(&'static RelationMeta),
    /// An aggregate over a group (`group_by` only); `None` column: `COUNT(*)`.
    Aggregate(crate::aggregate::AggExpr),
    /// An ordering that cannot be rendered (too deep a path), reported when rendering.
    Invalid(&'static str),
}

/// The untyped ordering the renderer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OrderTerm {
    pub(crate) target: OrderTarget,
    pub(crate) descending: bool,
    pub(crate) nulls: Option<Nulls>,
}

impl OrderTerm {
    pub(crate) fn column(column: &'static Column) -> Self {
        OrderTerm {
            target: OrderTarget::Column(column),
            descending: false,
            nulls: None,
        }
    }

    /// The column, for a plain column ordering.
    pub(crate) fn plain_column(&self) -> Option<&'static Column> {
        match self.target {
            OrderTarget::Column(column) => Some(column),
            _ => None,
        }
    }

    /// Whether the ordering reads other tables (so the outer table needs an alias).
    pub(crate) fn has_relations(&self) -> bool {
        matches!(
            self.target,
            OrderTarget::Related { .. } | OrderTarget::Count(_)
        )
    }

    /// Whether NULLs come after every value (PostgreSQL's default for `ASC`, as
    /// refract renders no `NULLS` clause unless asked).
    pub(crate) fn nulls_sort_last(&self) -> bool {
        match self.nulls {
            Some(Nulls::Last) => true,
            Some(Nulls::First) => false,
            None => !self.descending,
        }
    }

    /// The same ordering, reversed exactly (NULL placement included).
    pub(crate) fn reversed(self) -> Self {
        let nulls = self.nulls.map(|n| {
            if n == Nulls::First {
                Nulls::Last
            } else {
                Nulls::First
            }
        });
        OrderTerm {
            descending: !self.descending,
            nulls,
            ..self
        }
    }
}

impl<M> Clone for OrderBy<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for OrderBy<M> {}

impl<M> std::fmt::Debug for OrderBy<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.term.fmt(f)
    }
}

/// Where NULLs sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nulls {
    First,
    Last,
}

impl<M> OrderBy<M> {
    pub(crate) fn new(column: &'static Column, descending: bool) -> Self {
        OrderBy::from_target(OrderTarget::Column(column), descending)
    }
    pub(crate) fn from_target(target: OrderTarget, descending: bool) -> Self {
        OrderBy {
            term: OrderTerm {
                target,
                descending,
                nulls: None,
            },
            marker: PhantomData,
        }
    }
    pub fn nulls_first(mut self) -> Self {
        self.term.nulls = Some(Nulls::First);
        self
    }
    pub fn nulls_last(mut self) -> Self {
        self.term.nulls = Some(Nulls::Last);
        self
    }

    /// This ordering of a related model, as an ordering of the model that reaches it
    /// through the to-one relation `relation`.
    pub(crate) fn through<P>(self, relation: &'static RelationMeta) -> OrderBy<P> {
        let target = match self.term.target {
            OrderTarget::Column(column) => {
                let mut path = [None; RELATED_PATH];
                path[0] = Some(relation);
                OrderTarget::Related { path, column }
            }
            OrderTarget::Related { path, column } => {
                if path[RELATED_PATH - 1].is_some() {
                    OrderTarget::Invalid("orderings go through at most four relations")
                } else {
                    let mut longer = [None; RELATED_PATH];
                    longer[0] = Some(relation);
                    longer[1..].copy_from_slice(&path[..RELATED_PATH - 1]);
                    OrderTarget::Related {
                        path: longer,
                        column,
                    }
                }
            }
            OrderTarget::Count(_) | OrderTarget::Aggregate(..) => OrderTarget::Invalid(
                "a related record can be ordered by its fields only, not by counts or aggregates",
            ),
            invalid @ OrderTarget::Invalid(_) => invalid,
        };
        OrderBy {
            term: OrderTerm {
                target,
                ..self.term
            },
            marker: PhantomData,
        }
    }
}

/// A column of model `M`, for `distinct` and `select`.
pub struct ColumnRef<M> {
    pub(crate) column: &'static Column,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for ColumnRef<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for ColumnRef<M> {}

impl<M> std::fmt::Debug for ColumnRef<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ColumnRef({})", self.column.name)
    }
}

impl<M, T, K> From<Field<M, T, K>> for ColumnRef<M> {
    fn from(field: Field<M, T, K>) -> Self {
        ColumnRef {
            column: field.column,
            marker: PhantomData,
        }
    }
}

impl<M, T> From<ListField<M, T>> for ColumnRef<M> {
    fn from(field: ListField<M, T>) -> Self {
        ColumnRef {
            column: field.column,
            marker: PhantomData,
        }
    }
}

/// A set of columns of model `M`, for `select` and `distinct`: one field, a tuple of
/// fields (`(ID, EMAIL)`), or an array or `Vec` of one field type or of [`ColumnRef`]s.
pub trait IntoColumns<M> {
    fn into_columns(self) -> Vec<&'static Column>;
}

impl<M, T, K> IntoColumns<M> for Field<M, T, K> {
    fn into_columns(self) -> Vec<&'static Column> {
        vec![self.column]
    }
}

impl<M, T> IntoColumns<M> for ListField<M, T> {
    fn into_columns(self) -> Vec<&'static Column> {
        vec![self.column]
    }
}

impl<M, C: Into<ColumnRef<M>>, const N: usize> IntoColumns<M> for [C; N] {
    fn into_columns(self) -> Vec<&'static Column> {
        self.into_iter().map(|c| c.into().column).collect()
    }
}

impl<M, C: Into<ColumnRef<M>>> IntoColumns<M> for Vec<C> {
    fn into_columns(self) -> Vec<&'static Column> {
        self.into_iter().map(|c| c.into().column).collect()
    }
}

macro_rules! tuple_columns {
    ($($name:ident),+) => {
        impl<M, $($name: Into<ColumnRef<M>>),+> IntoColumns<M> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_columns(self) -> Vec<&'static Column> {
                let ($($name,)+) = self;
                vec![$($name.into().column),+]
            }
        }
    };
}

tuple_columns!(A);
tuple_columns!(A, B);
tuple_columns!(A, B, C);
tuple_columns!(A, B, C, D);
tuple_columns!(A, B, C, D, E);
tuple_columns!(A, B, C, D, E, F);
tuple_columns!(A, B, C, D, E, F, G);
tuple_columns!(A, B, C, D, E, F, G, H);
tuple_columns!(A, B, C, D, E, F, G, H, I);
tuple_columns!(A, B, C, D, E, F, G, H, I, J);
tuple_columns!(A, B, C, D, E, F, G, H, I, J, K);
tuple_columns!(A, B, C, D, E, F, G, H, I, J, K, L);

/// Selects at most one row by a unique criterion (`@id`, `@unique`, `@@id`, `@@unique`),
/// optionally narrowed by more filters (Prisma's extended `WhereUniqueInput`).
pub struct UniqueWhere<M> {
    pub(crate) keys: Vec<(&'static Column, Value)>,
    pub(crate) extra: Option<FilterNode>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for UniqueWhere<M> {
    fn clone(&self) -> Self {
        UniqueWhere {
            keys: self.keys.clone(),
            extra: self.extra.clone(),
            marker: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for UniqueWhere<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<_> = self.keys.iter().map(|(c, v)| (c.name, v)).collect();
        f.debug_struct("UniqueWhere")
            .field("keys", &keys)
            .field("extra", &self.extra)
            .finish()
    }
}

impl<M> UniqueWhere<M> {
    /// The key parts, one per column of the unique criterion. Generated code calls this
    /// only with the exact column set of an `@id`/`@unique`/`@@id`/`@@unique`.
    pub fn new(parts: impl IntoIterator<Item = Assign<M>>) -> Self {
        let keys = parts
            .into_iter()
            .map(|part| (part.column, part.value))
            .collect();
        UniqueWhere {
            keys,
            extra: None,
            marker: PhantomData,
        }
    }

    /// Adds a non-unique condition (the row must also match it).
    pub fn and(mut self, filter: Filter<M>) -> Self {
        self.extra = Some(match self.extra.take() {
            None => filter.node,
            Some(existing) => FilterNode::And(vec![existing, filter.node]),
        });
        self
    }

    /// As a plain filter.
    pub fn into_filter(self) -> Filter<M> {
        Filter::from_node(self.to_node())
    }

    pub(crate) fn key_node(&self) -> FilterNode {
        Self::keys_node(self.keys.clone())
    }

    /// `column = value AND ...` (`IS NULL` for a NULL part), the values moved, not cloned;
    /// one key part is its comparison alone.
    fn keys_node(keys: Vec<(&'static Column, Value)>) -> FilterNode {
        let equals = |(column, value): (&'static Column, Value)| match value {
            Value::Null => FilterNode::IsNull {
                column,
                negated: false,
            },
            value => FilterNode::Compare {
                column,
                op: CompareOp::Eq,
                value,
                insensitive: false,
            },
        };
        if keys.len() == 1 {
            if let Some(key) = keys.into_iter().next() {
                return equals(key);
            }
            return FilterNode::And(Vec::new());
        }
        FilterNode::And(keys.into_iter().map(equals).collect())
    }

    pub(crate) fn into_node(self) -> FilterNode {
        let keys = Self::keys_node(self.keys);
        match self.extra {
            None => keys,
            Some(extra) => FilterNode::And(vec![keys, extra]),
        }
    }

    pub(crate) fn to_node(&self) -> FilterNode {
        match &self.extra {
            None => self.key_node(),
            Some(extra) => FilterNode::And(vec![self.key_node(), extra.clone()]),
        }
    }
}

impl<M, T, K> Field<M, T, K> {
    /// A handle on `column`. Generated code declares one constant per scalar field.
    pub const fn new(column: &'static Column) -> Self {
        Field {
            column,
            marker: PhantomData,
        }
    }

    pub fn column(self) -> &'static Column {
        self.column
    }

    /// `ORDER BY column ASC`.
    pub fn asc(self) -> OrderBy<M> {
        OrderBy::new(self.column, false)
    }

    /// `ORDER BY column DESC`.
    pub fn desc(self) -> OrderBy<M> {
        OrderBy::new(self.column, true)
    }

    fn compare(self, op: CompareOp, value: Value) -> Filter<M> {
        Filter::from_node(FilterNode::Compare {
            column: self.column,
            op,
            value,
            insensitive: false,
        })
    }
}

impl<M, T: IntoValue, K> Field<M, T, K> {
    /// `column = value`.
    pub fn equals(self, value: impl Into<T>) -> Filter<M> {
        self.compare(CompareOp::Eq, value.into().into_value())
    }

    /// `column <> value` (like Prisma, rows where the column is NULL do not match).
    pub fn not(self, value: impl Into<T>) -> Filter<M> {
        self.compare(CompareOp::Ne, value.into().into_value())
    }

    /// `column = ANY(values)` (Prisma's `in`); one statement shape for any list length.
    pub fn is_in<V: Into<T>>(self, values: impl IntoIterator<Item = V>) -> Filter<M> {
        let values = Value::Array(values.into_iter().map(|v| v.into().into_value()).collect());
        Filter::from_node(FilterNode::In {
            column: self.column,
            values,
            negated: false,
            insensitive: false,
        })
    }

    /// `NOT (column = ANY(values))` (Prisma's `notIn`).
    pub fn not_in<V: Into<T>>(self, values: impl IntoIterator<Item = V>) -> Filter<M> {
        let values = Value::Array(values.into_iter().map(|v| v.into().into_value()).collect());
        Filter::from_node(FilterNode::In {
            column: self.column,
            values,
            negated: true,
            insensitive: false,
        })
    }
}

impl<M, T: Comparable, K> Field<M, T, K> {
    pub fn lt(self, value: impl Into<T>) -> Filter<M> {
        self.compare(CompareOp::Lt, value.into().into_value())
    }
    pub fn lte(self, value: impl Into<T>) -> Filter<M> {
        self.compare(CompareOp::Lte, value.into().into_value())
    }
    pub fn gt(self, value: impl Into<T>) -> Filter<M> {
        self.compare(CompareOp::Gt, value.into().into_value())
    }
    pub fn gte(self, value: impl Into<T>) -> Filter<M> {
        self.compare(CompareOp::Gte, value.into().into_value())
    }
}

impl<M, K> Field<M, String, K> {
    fn like_filter(self, kind: LikeKind, text: String) -> Filter<M> {
        Filter::from_node(FilterNode::Like {
            column: self.column,
            kind,
            text,
            insensitive: false,
        })
    }
    /// `column LIKE '%text%'`, the text bound as a parameter with `%`, `_`, `\` escaped.
    pub fn contains(self, text: impl Into<String>) -> Filter<M> {
        self.like_filter(LikeKind::Contains, text.into())
    }
    pub fn starts_with(self, text: impl Into<String>) -> Filter<M> {
        self.like_filter(LikeKind::StartsWith, text.into())
    }
    pub fn ends_with(self, text: impl Into<String>) -> Filter<M> {
        self.like_filter(LikeKind::EndsWith, text.into())
    }
    /// `column LIKE pattern`, the pattern bound as it is: `%` matches any text, `_` any
    /// one character, `\` escapes (what `contains` with wildcards does in Prisma 7.10,
    /// which does not escape them). `.insensitive()` makes it `ILIKE`.
    pub fn like(self, pattern: impl Into<String>) -> Filter<M> {
        self.like_filter(LikeKind::Pattern, pattern.into())
    }
    /// `column ILIKE pattern`: [`like`](Self::like), case-insensitively.
    pub fn ilike(self, pattern: impl Into<String>) -> Filter<M> {
        self.like_filter(LikeKind::Pattern, pattern.into())
            .insensitive()
    }
}

impl<M, T: IntoValue> Field<M, T, Required> {
    /// Sets the field (create and update data, unique keys).
    pub fn set(self, value: impl Into<T>) -> Assign<M> {
        Assign::set(self.column, value.into().into_value())
    }
}

impl<M, T: IntoValue> Field<M, T, Nullable> {
    /// Sets the field to a value.
    pub fn set(self, value: impl Into<T>) -> Assign<M> {
        Assign::set(self.column, value.into().into_value())
    }
    /// Sets the field to `value`, NULL for `None`.
    pub fn set_opt(self, value: Option<T>) -> Assign<M> {
        Assign::set(self.column, value.into_value())
    }
    /// Sets the field to NULL.
    pub fn set_null(self) -> Assign<M> {
        Assign::set(self.column, Value::Null)
    }
    /// `column IS NULL` (Prisma's `equals: null`).
    pub fn is_null(self) -> Filter<M> {
        Filter::from_node(FilterNode::IsNull {
            column: self.column,
            negated: false,
        })
    }
    /// `column IS NOT NULL` (Prisma's `not: null`).
    pub fn is_not_null(self) -> Filter<M> {
        Filter::from_node(FilterNode::IsNull {
            column: self.column,
            negated: true,
        })
    }
    /// `equals` for `Some`, `is_null` for `None`.
    pub fn equals_opt(self, value: Option<T>) -> Filter<M> {
        match value {
            Some(value) => self.compare(CompareOp::Eq, value.into_value()),
            None => self.is_null(),
        }
    }
}

impl<M, T: Numeric, K> Field<M, T, K> {
    fn arithmetic(self, op: AssignOp, value: impl Into<T>) -> Assign<M> {
        Assign::new(self.column, op, value.into().into_value())
    }
    /// `column = column + value`, atomically in the database.
    pub fn increment(self, value: impl Into<T>) -> Assign<M> {
        self.arithmetic(AssignOp::Increment, value)
    }
    pub fn decrement(self, value: impl Into<T>) -> Assign<M> {
        self.arithmetic(AssignOp::Decrement, value)
    }
    pub fn multiply(self, value: impl Into<T>) -> Assign<M> {
        self.arithmetic(AssignOp::Multiply, value)
    }
    pub fn divide(self, value: impl Into<T>) -> Assign<M> {
        self.arithmetic(AssignOp::Divide, value)
    }
}

impl<M, T> ListField<M, T> {
    pub const fn new(column: &'static Column) -> Self {
        ListField {
            column,
            marker: PhantomData,
        }
    }

    pub fn column(self) -> &'static Column {
        self.column
    }

    pub fn asc(self) -> OrderBy<M> {
        OrderBy::new(self.column, false)
    }

    pub fn desc(self) -> OrderBy<M> {
        OrderBy::new(self.column, true)
    }
}

impl<M, T: IntoValue> ListField<M, T> {
    fn array(values: impl IntoIterator<Item = T>) -> Value {
        Value::Array(values.into_iter().map(IntoValue::into_value).collect())
    }

    /// The whole list equals `values`.
    pub fn equals(self, values: impl IntoIterator<Item = T>) -> Filter<M> {
        let value = Self::array(values);
        Filter::from_node(FilterNode::Compare {
            column: self.column,
            op: CompareOp::Eq,
            value,
            insensitive: false,
        })
    }
    /// `value = ANY(column)`.
    pub fn has(self, value: impl Into<T>) -> Filter<M> {
        Filter::from_node(FilterNode::ListHas {
            column: self.column,
            value: value.into().into_value(),
        })
    }
    /// `column @> values`.
    pub fn has_every(self, values: impl IntoIterator<Item = T>) -> Filter<M> {
        Filter::from_node(FilterNode::ListHasEvery {
            column: self.column,
            values: Self::array(values),
        })
    }
    /// `column && values`.
    pub fn has_some(self, values: impl IntoIterator<Item = T>) -> Filter<M> {
        Filter::from_node(FilterNode::ListHasSome {
            column: self.column,
            values: Self::array(values),
        })
    }
    /// The list is empty (`true`) or not (`false`).
    pub fn is_empty(self, empty: bool) -> Filter<M> {
        Filter::from_node(FilterNode::ListIsEmpty {
            column: self.column,
            empty,
        })
    }
    /// Sets the whole list.
    pub fn set(self, values: impl IntoIterator<Item = T>) -> Assign<M> {
        Assign::set(self.column, Self::array(values))
    }
    /// Appends values (Prisma's `push`), atomically.
    pub fn push(self, values: impl IntoIterator<Item = T>) -> Assign<M> {
        Assign::new(self.column, AssignOp::Push, Self::array(values))
    }
}

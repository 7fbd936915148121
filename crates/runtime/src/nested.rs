//! Nested writes: writing related records as part of a `create` or `update` (Prisma's
//! `create`, `createMany`, `connect`, `connectOrCreate`, `disconnect`, `set`, `update`,
//! `updateMany`, `upsert`, `delete`, `deleteMany` inside `data`).
//!
//! The typed side: each operation is a method on a relation handle
//! (`conversation::MESSAGES.create(message::CreateWithoutConvo { .. })`) returning a
//! [`NestedWrite`], handed to the parent's builder with `.with(..)`. Operations that only
//! make sense on an existing parent (`disconnect`, `set`, `update`, `delete`...) are
//! [`NestedWrite<P, Updating>`]; the others are [`NestedWrite<P, Creating>`] and fit both.
//!
//! The engine runs the whole tree in one transaction (the caller's, or a new one):
//! writes the parent's foreign key side first when the parent holds the key (a `create`
//! or `connect` of `Message.convo` decides the message's `convoId`), then the parent,
//! then the relations whose keys point at it. It knows nothing of generated types: rows
//! are carried as `tokio_postgres::Row` and key values read back as [`Value`]s.

use std::marker::PhantomData;

use tokio_postgres::Row;

use crate::decode::value_at;
use crate::defaults::{self, ColumnDefault};
use crate::error::Error;
use crate::executor::{BoxFuture, Executor};
use crate::include::positions;
use crate::model::Model;
use crate::model::{Column, ModelMeta};
use crate::query::{
    Assign, AssignOp, CompareOp, Filter, FilterNode, NestedCreateData, PendingData, UniqueWhere,
    add_to_data, create_pairs,
};
use crate::relation::{Link, Relation, RelationField, RelationMeta, ToMany, ToOne, ToOptional};
use crate::render::{self, InsertRow, OnConflict, SelectArgs};
use crate::value::Value;

/// Marker: a nested write that fits in `create` (and in `update`).
#[derive(Debug)]
pub enum Creating {}
/// Marker: a nested write that needs an existing parent: `update` only.
#[derive(Debug)]
pub enum Updating {}

/// A write on a relation of model `P`, run with the parent's `create` (`K = Creating`) or
/// `update` (`K = Updating`) in one transaction.
pub struct NestedWrite<P, K = Updating> {
    pub(crate) op: NestedOp,
    marker: PhantomData<fn() -> (P, K)>,
}

impl<P, K> std::fmt::Debug for NestedWrite<P, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.op.fmt(f)
    }
}

impl<P> From<NestedWrite<P, Creating>> for NestedWrite<P, Updating> {
    fn from(write: NestedWrite<P, Creating>) -> Self {
        NestedWrite::new(write.op)
    }
}

impl<P, K> NestedWrite<P, K> {
    fn new(op: NestedOp) -> Self {
        NestedWrite {
            op,
            marker: PhantomData,
        }
    }
}

type Assignment = (&'static Column, AssignOp, Value);
type Data = Vec<(&'static Column, Value)>;

/// One nested operation on one relation (untyped).
#[derive(Clone, Debug)]
pub(crate) struct NestedOp {
    pub(crate) relation: &'static RelationMeta,
    action: Action,
}

/// A record to create, with its client defaults and its own nested writes.
#[derive(Clone, Debug)]
pub(crate) struct NewRecord {
    data: PendingData,
    defaults: &'static [ColumnDefault],
    nested: Vec<NestedOp>,
}

impl NewRecord {
    /// A record of `Rel`'s related model from nested create data.
    fn of<Rel: RelationField>(data: impl NestedCreateData<Rel>) -> NewRecord {
        NewRecord {
            data: create_pairs(data.into_assigns()),
            defaults: <Rel::Child as Model>::DEFAULTS,
            nested: Vec::new(),
        }
    }

    /// Sets key columns the relation decides (replacing any value given for them).
    fn set_columns(&mut self, columns: &[&'static Column], values: Vec<Value>) {
        if let Ok(data) = &mut self.data {
            set_columns(data, columns, values);
        }
    }
}

/// The rows of a nested `create_many`, with their client defaults.
#[derive(Clone, Debug)]
pub(crate) struct NewRows {
    rows: Vec<PendingData>,
    defaults: &'static [ColumnDefault],
}

#[derive(Clone, Debug)]
enum Action {
    Create(NewRecord),
    CreateMany(NewRows),
    Connect(FilterNode),
    ConnectOrCreate(FilterNode, NewRecord),
    /// `None`: the to-one related record.
    Disconnect(Option<FilterNode>),
    Set(Vec<FilterNode>),
    Update(Option<FilterNode>, Vec<Assignment>, Vec<NestedOp>),
    UpdateMany(FilterNode, Vec<Assignment>),
    Upsert(Option<FilterNode>, NewRecord, Vec<Assignment>),
    Delete(Option<FilterNode>),
    DeleteMany(FilterNode),
}

fn assignments<M>(data: impl IntoIterator<Item = Assign<M>>) -> Vec<Assignment> {
    data.into_iter()
        .map(|a| (a.column, a.op, a.value))
        .collect()
}

/// A nested `create` of a related record, which can carry nested writes of its own.
pub struct NestedCreate<Rel: RelationField> {
    record: NewRecord,
    marker: PhantomData<fn() -> Rel>,
}

impl<Rel: RelationField> std::fmt::Debug for NestedCreate<Rel> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.record.fmt(f)
    }
}

impl<Rel: RelationField> NestedCreate<Rel> {
    /// Sets one more field of the created record (an optional or defaulted one), or
    /// replaces a value given: `.set(post::BODY.set("..."))`. Values only, as in `create`.
    pub fn set(mut self, value: Assign<Rel::Child>) -> Self {
        add_to_data(&mut self.record.data, value);
        self
    }

    /// Adds a nested write on a relation of the created record.
    pub fn with(mut self, write: impl Into<NestedWrite<Rel::Child, Creating>>) -> Self {
        self.record.nested.push(write.into().op);
        self
    }
}

impl<Rel: RelationField> From<NestedCreate<Rel>> for NestedWrite<Rel::Parent, Creating> {
    fn from(create: NestedCreate<Rel>) -> Self {
        NestedWrite::new(NestedOp {
            relation: Rel::META,
            action: Action::Create(create.record),
        })
    }
}

impl<Rel: RelationField> From<NestedCreate<Rel>> for NestedWrite<Rel::Parent, Updating> {
    fn from(create: NestedCreate<Rel>) -> Self {
        NestedWrite::<Rel::Parent, Creating>::from(create).into()
    }
}

/// A nested `update` of related records, which can carry nested writes of its own.
pub struct NestedUpdate<Rel: RelationField> {
    filter: Option<FilterNode>,
    assigns: Vec<Assignment>,
    nested: Vec<NestedOp>,
    marker: PhantomData<fn() -> Rel>,
}

impl<Rel: RelationField> std::fmt::Debug for NestedUpdate<Rel> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NestedUpdate")
            .field("filter", &self.filter)
            .field("assigns", &self.assigns)
            .field("nested", &self.nested)
            .finish()
    }
}

impl<Rel: RelationField> NestedUpdate<Rel> {
    /// Adds a nested write on a relation of the updated record.
    pub fn with(mut self, write: impl Into<NestedWrite<Rel::Child, Updating>>) -> Self {
        self.nested.push(write.into().op);
        self
    }
}

impl<Rel: RelationField> From<NestedUpdate<Rel>> for NestedWrite<Rel::Parent, Updating> {
    fn from(update: NestedUpdate<Rel>) -> Self {
        NestedWrite::new(NestedOp {
            relation: Rel::META,
            action: Action::Update(update.filter, update.assigns, update.nested),
        })
    }
}

impl<Rel: RelationField, A> Relation<Rel, A> {
    fn write<K>(self, action: Action) -> NestedWrite<Rel::Parent, K> {
        NestedWrite::new(NestedOp {
            relation: Rel::META,
            action,
        })
    }

    /// Creates a related record (Prisma's nested `create`). `data` is the related model's
    /// `Create` struct, or, when the related model holds the foreign key this relation
    /// sets, its `CreateWithout<Relation>` struct, which has no key fields
    /// (`conversation::MESSAGES.create(message::CreateWithoutConvo { .. })`): the key comes
    /// from the parent. Optional fields go in `.set(..)`, its own nested writes in
    /// `.with(..)`.
    pub fn create(self, data: impl NestedCreateData<Rel>) -> NestedCreate<Rel> {
        NestedCreate {
            record: NewRecord::of::<Rel>(data),
            marker: PhantomData,
        }
    }

    /// Connects an existing record (P2025 if there is none).
    pub fn connect(self, unique: UniqueWhere<Rel::Child>) -> NestedWrite<Rel::Parent, Creating> {
        self.write(Action::Connect(unique.into_node()))
    }

    /// Connects the record with this key, creating it from `data` if there is none.
    pub fn connect_or_create(
        self,
        unique: UniqueWhere<Rel::Child>,
        data: impl NestedCreateData<Rel>,
    ) -> NestedWrite<Rel::Parent, Creating> {
        let record = NewRecord::of::<Rel>(data);
        self.write(Action::ConnectOrCreate(unique.into_node(), record))
    }
}

impl<Rel: RelationField> Relation<Rel, ToMany> {
    /// Creates many related records in one statement (Prisma's nested `createMany`);
    /// each row is data as for [`create`](Self::create).
    pub fn create_many<D: NestedCreateData<Rel>>(
        self,
        rows: impl IntoIterator<Item = D>,
    ) -> NestedWrite<Rel::Parent, Creating> {
        self.write(Action::CreateMany(NewRows {
            rows: rows
                .into_iter()
                .map(|row| create_pairs(row.into_assigns()))
                .collect(),
            defaults: <Rel::Child as Model>::DEFAULTS,
        }))
    }

    /// Disconnects this related record (it stays; its key is cleared or, for
    /// many-to-many, its join row removed).
    pub fn disconnect(self, unique: UniqueWhere<Rel::Child>) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::Disconnect(Some(unique.into_node())))
    }

    /// Makes these records exactly the related ones (Prisma's `set`).
    pub fn set(
        self,
        uniques: impl IntoIterator<Item = UniqueWhere<Rel::Child>>,
    ) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::Set(
            uniques.into_iter().map(UniqueWhere::into_node).collect(),
        ))
    }

    /// Updates one related record (P2025 if it is not related).
    pub fn update(
        self,
        unique: UniqueWhere<Rel::Child>,
        data: impl IntoIterator<Item = Assign<Rel::Child>>,
    ) -> NestedUpdate<Rel> {
        NestedUpdate {
            filter: Some(unique.into_node()),
            assigns: assignments(data),
            nested: Vec::new(),
            marker: PhantomData,
        }
    }

    /// Updates every related record matching `filter`.
    pub fn update_many(
        self,
        filter: Filter<Rel::Child>,
        data: impl IntoIterator<Item = Assign<Rel::Child>>,
    ) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::UpdateMany(filter.node, assignments(data)))
    }

    /// Updates the related record with this key, or creates it related.
    pub fn upsert(
        self,
        unique: UniqueWhere<Rel::Child>,
        create: impl NestedCreateData<Rel>,
        update: impl IntoIterator<Item = Assign<Rel::Child>>,
    ) -> NestedWrite<Rel::Parent, Updating> {
        let record = NewRecord::of::<Rel>(create);
        self.write(Action::Upsert(
            Some(unique.into_node()),
            record,
            assignments(update),
        ))
    }

    /// Deletes one related record (P2025 if it is not related).
    pub fn delete(self, unique: UniqueWhere<Rel::Child>) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::Delete(Some(unique.into_node())))
    }

    /// Deletes every related record matching `filter`.
    pub fn delete_many(self, filter: Filter<Rel::Child>) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::DeleteMany(filter.node))
    }
}

macro_rules! to_one_writes {
    ($arity:ty) => {
        impl<Rel: RelationField> Relation<Rel, $arity> {
            /// Updates the related record (P2025 if there is none).
            pub fn update(
                self,
                data: impl IntoIterator<Item = Assign<Rel::Child>>,
            ) -> NestedUpdate<Rel> {
                NestedUpdate {
                    filter: None,
                    assigns: assignments(data),
                    nested: Vec::new(),
                    marker: PhantomData,
                }
            }

            /// Updates the related record, or creates and connects one.
            pub fn upsert(
                self,
                create: impl NestedCreateData<Rel>,
                update: impl IntoIterator<Item = Assign<Rel::Child>>,
            ) -> NestedWrite<Rel::Parent, Updating> {
                let record = NewRecord::of::<Rel>(create);
                self.write(Action::Upsert(None, record, assignments(update)))
            }
        }
    };
}
to_one_writes!(ToOne);
to_one_writes!(ToOptional);

impl<Rel: RelationField> Relation<Rel, ToOptional> {
    /// Disconnects the related record, if any.
    pub fn disconnect(self) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::Disconnect(None))
    }

    /// Deletes the related record (P2025 if there is none).
    pub fn delete(self) -> NestedWrite<Rel::Parent, Updating> {
        self.write(Action::Delete(None))
    }
}

// ---------------------------------------------------------------------------------------
// The engine.

fn not_found(model: &'static ModelMeta, operation: &'static str) -> Error {
    Error::RecordNotFound {
        model: model.name,
        operation,
    }
}

fn not_connected(relation: &'static RelationMeta) -> Error {
    Error::RecordsNotConnected {
        relation: relation.relation,
        model_a: relation.model.name,
        model_b: relation.related.name,
    }
}

fn required_violation(relation: &'static RelationMeta) -> Error {
    Error::RequiredRelationViolation {
        relation: relation.relation,
        model_a: relation.model.name,
        model_b: relation.related.name,
    }
}

fn eq(column: &'static Column, value: Value) -> FilterNode {
    if value.is_null() {
        FilterNode::IsNull {
            column,
            negated: false,
        }
    } else {
        FilterNode::Compare {
            column,
            op: CompareOp::Eq,
            value,
            insensitive: false,
        }
    }
}

fn and(nodes: Vec<FilterNode>) -> FilterNode {
    FilterNode::And(nodes)
}

/// Values of `columns` in `row` (a full row of `model`).
fn values_of(
    model: &ModelMeta,
    row: &Row,
    columns: &[&'static Column],
) -> Result<Vec<Value>, Error> {
    positions(model, columns)?
        .into_iter()
        .map(|position| value_at(row, position))
        .collect()
}

fn set_columns(data: &mut Data, columns: &[&'static Column], values: Vec<Value>) {
    for (column, value) in columns.iter().zip(values) {
        data.retain(|(c, _)| c.name != column.name);
        data.push((column, value));
    }
}

/// The first row of `model` matching `filter`, as `columns` (full rows for `None`).
async fn find(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    filter: FilterNode,
    columns: Option<&[&'static Column]>,
) -> Result<Option<Row>, Error> {
    let mut args = SelectArgs::new();
    args.filter = Some(filter);
    args.take = Some(1);
    let statement = render::select(
        model,
        columns.unwrap_or(model.columns),
        &args,
        ex.render_context(),
    )?;
    Ok(ex.fetch(&statement, Some(model)).await?.into_iter().next())
}

/// `INSERT` of one row of `model`, returning every column, or what `reshape` makes the
/// statement return (the dynamic client's reads): the one path of a nested write's create
/// and of [`crate::dynamic::create`].
pub(crate) async fn insert(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    data: &[(&'static Column, Value)],
    reshape: impl FnOnce(&mut render::Statement<'_>),
) -> Result<Row, Error> {
    let columns: Vec<&'static Column> = data.iter().map(|(c, _)| *c).collect();
    let row: InsertRow<'_> = data.iter().map(|(_, v)| Some(v)).collect();
    let mut statement = render::insert(
        model,
        &columns,
        std::slice::from_ref(&row),
        OnConflict::Fail,
        Some(model.columns),
        ex.render_context(),
    );
    reshape(&mut statement);
    ex.fetch(&statement, Some(model))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| not_found(model, "create"))
}

/// `UPDATE model SET assigns WHERE filter`, returning the rows (full) or their count.
async fn update_where(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    mut assigns: Vec<Assignment>,
    filter: FilterNode,
) -> Result<Vec<Row>, Error> {
    defaults::stamp_updated(&mut assigns, model, defaults::statement_time());
    let statement = render::update(
        model,
        &assigns,
        Some(&filter),
        Some(model.columns),
        ex.render_context(),
    );
    ex.fetch(&statement, Some(model)).await
}

async fn delete_where(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    filter: FilterNode,
) -> Result<u64, Error> {
    let statement = render::delete(model, Some(&filter), None, ex.render_context());
    ex.execute(&statement, Some(model)).await
}

/// Creates a record of `model` with its nested writes; returns its full row.
pub(crate) fn create_record<'e>(
    ex: Executor<'e>,
    model: &'static ModelMeta,
    record: NewRecord,
) -> BoxFuture<'e, Result<Row, Error>> {
    Box::pin(async move {
        let NewRecord {
            data,
            defaults: column_defaults,
            nested,
        } = record;
        let mut data = data.map_err(Error::InvalidQuery)?;
        let (owned, after): (Vec<NestedOp>, Vec<NestedOp>) = nested
            .into_iter()
            .partition(|op| matches!(op.relation.link, Link::Owned { .. }));
        for op in owned {
            let Link::Owned { fields, references } = &op.relation.link else {
                continue;
            };
            let related = op.relation.related;
            let values = match op.action {
                Action::Create(child) => {
                    let row = create_record(ex, related, child).await?;
                    values_of(related, &row, references)?
                }
                Action::Connect(unique) => {
                    connect_values(ex, related, unique, references, "connect").await?
                }
                Action::ConnectOrCreate(unique, child) => {
                    match find(ex, related, unique, Some(references)).await? {
                        Some(row) => row_values(&row, references.len())?,
                        None => {
                            let row = create_record(ex, related, child).await?;
                            values_of(related, &row, references)?
                        }
                    }
                }
                _ => {
                    return Err(Error::InvalidQuery(format!(
                        "nested `{}` of `{}` needs an existing record: use it in update",
                        action_name(&op.action),
                        op.relation.name
                    )));
                }
            };
            set_columns(&mut data, fields, values);
        }
        defaults::fill(
            &mut data,
            model,
            column_defaults,
            defaults::statement_time(),
        );
        let row = insert(ex, model, &data, |_| {}).await?;
        for op in after {
            apply_after(ex, model, &row, op, true).await?;
        }
        Ok(row)
    })
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Create(_) => "create",
        Action::CreateMany(_) => "create_many",
        Action::Connect(_) => "connect",
        Action::ConnectOrCreate(..) => "connect_or_create",
        Action::Disconnect(_) => "disconnect",
        Action::Set(_) => "set",
        Action::Update(..) => "update",
        Action::UpdateMany(..) => "update_many",
        Action::Upsert(..) => "upsert",
        Action::Delete(_) => "delete",
        Action::DeleteMany(_) => "delete_many",
    }
}

/// The first `n` columns of a row as values.
fn row_values(row: &Row, n: usize) -> Result<Vec<Value>, Error> {
    (0..n).map(|i| value_at(row, i)).collect()
}

/// The `columns` of the record matching `unique`, or P2025.
async fn connect_values(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    unique: FilterNode,
    columns: &[&'static Column],
    operation: &'static str,
) -> Result<Vec<Value>, Error> {
    match find(ex, model, unique, Some(columns)).await? {
        Some(row) => row_values(&row, columns.len()),
        None => Err(not_found(model, operation)),
    }
}

/// Updates the record of `model` matching `filter` with `assigns` and nested writes;
/// returns its full row, or P2025 (`operation`) when there is none.
pub(crate) fn update_record<'e>(
    ex: Executor<'e>,
    model: &'static ModelMeta,
    filter: FilterNode,
    mut assigns: Vec<Assignment>,
    nested: Vec<NestedOp>,
    operation: &'static str,
) -> BoxFuture<'e, Result<Row, Error>> {
    Box::pin(async move {
        let (owned, after): (Vec<NestedOp>, Vec<NestedOp>) = nested
            .into_iter()
            .partition(|op| matches!(op.relation.link, Link::Owned { .. }));
        let mut current: Option<Row> = None;
        if !owned.is_empty() {
            current = Some(
                find(ex, model, filter.clone(), None)
                    .await?
                    .ok_or_else(|| not_found(model, operation))?,
            );
        }
        // Related records to delete once the parent no longer points at them.
        let mut deletions: Vec<(&'static ModelMeta, FilterNode)> = Vec::new();
        for op in owned {
            let Link::Owned { fields, references } = &op.relation.link else {
                continue;
            };
            let relation = op.relation;
            let related = relation.related;
            let Some(current) = current.as_ref() else {
                break;
            };
            let current_key = values_of(model, current, fields)?;
            let linked = (!current_key.iter().any(Value::is_null)).then(|| {
                and(references
                    .iter()
                    .zip(current_key.iter().cloned())
                    .map(|(c, v)| eq(c, v))
                    .collect())
            });
            let clear = |assigns: &mut Vec<Assignment>| -> Result<(), Error> {
                if fields.iter().any(|f| !f.nullable) {
                    return Err(required_violation(relation));
                }
                for field in fields.iter() {
                    assigns.retain(|(c, _, _)| c.name != field.name);
                    assigns.push((field, AssignOp::Set, Value::Null));
                }
                Ok(())
            };
            let point_at = |assigns: &mut Vec<Assignment>, values: Vec<Value>| {
                for (field, value) in fields.iter().zip(values) {
                    assigns.retain(|(c, _, _)| c.name != field.name);
                    assigns.push((field, AssignOp::Set, value));
                }
            };
            match op.action {
                Action::Create(child) => {
                    let row = create_record(ex, related, child).await?;
                    point_at(&mut assigns, values_of(related, &row, references)?);
                }
                Action::Connect(unique) => {
                    let values = connect_values(ex, related, unique, references, "connect").await?;
                    point_at(&mut assigns, values);
                }
                Action::ConnectOrCreate(unique, child) => {
                    let values = match find(ex, related, unique, Some(references)).await? {
                        Some(row) => row_values(&row, references.len())?,
                        None => {
                            let row = create_record(ex, related, child).await?;
                            values_of(related, &row, references)?
                        }
                    };
                    point_at(&mut assigns, values);
                }
                Action::Disconnect(_) => {
                    if linked.is_some() {
                        clear(&mut assigns)?;
                    }
                }
                Action::Delete(_) => {
                    let linked = linked.ok_or_else(|| not_found(related, "delete"))?;
                    if fields.iter().all(|f| f.nullable) {
                        clear(&mut assigns)?;
                    }
                    deletions.push((related, linked));
                }
                Action::Update(_, child_assigns, child_nested) => {
                    let linked = linked.ok_or_else(|| not_found(related, "update"))?;
                    update_record(ex, related, linked, child_assigns, child_nested, "update")
                        .await?;
                }
                Action::Upsert(_, child, child_assigns) => {
                    let existing = match linked {
                        Some(linked) => find(ex, related, linked.clone(), Some(&[]))
                            .await?
                            .map(|_| linked),
                        None => None,
                    };
                    match existing {
                        Some(linked) => {
                            update_record(ex, related, linked, child_assigns, Vec::new(), "upsert")
                                .await?;
                        }
                        None => {
                            let row = create_record(ex, related, child).await?;
                            point_at(&mut assigns, values_of(related, &row, references)?);
                        }
                    }
                }
                Action::CreateMany(_)
                | Action::Set(_)
                | Action::UpdateMany(..)
                | Action::DeleteMany(_) => {
                    return Err(Error::InvalidQuery(format!(
                        "`{}` is not an operation of the to-one relation `{}`",
                        action_name(&op.action),
                        relation.name
                    )));
                }
            }
        }

        let row = if assigns.is_empty() {
            match current {
                Some(row) => row,
                None => find(ex, model, filter, None)
                    .await?
                    .ok_or_else(|| not_found(model, operation))?,
            }
        } else {
            update_where(ex, model, assigns, filter)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| not_found(model, operation))?
        };
        for (related, linked) in deletions {
            if delete_where(ex, related, linked).await? == 0 {
                return Err(not_found(related, "delete"));
            }
        }
        for op in after {
            apply_after(ex, model, &row, op, false).await?;
        }
        Ok(row)
    })
}

/// A condition on the related model of `relation` that holds for the records linked to
/// the parent `row` (a full row of `model`), and the values the related side's key
/// columns take to link a record to it.
struct Linked {
    /// `fk = parent values` (inverse) or membership in the join table.
    filter: FilterNode,
    /// For inverse links: the related model's key columns and the values to set.
    set: Option<(&'static [&'static Column], Vec<Value>)>,
    /// For many-to-many: the join table and the parent's key value.
    join: Option<Value>,
}

fn linked(model: &ModelMeta, relation: &'static RelationMeta, row: &Row) -> Result<Linked, Error> {
    match &relation.link {
        Link::Inverse { fields, references } => {
            let values = values_of(model, row, references)?;
            let filter = and(fields
                .iter()
                .zip(values.iter().cloned())
                .map(|(c, v)| eq(c, v))
                .collect());
            Ok(Linked {
                filter,
                set: Some((fields, values)),
                join: None,
            })
        }
        Link::JoinTable { key, .. } => {
            let value = values_of(model, row, std::slice::from_ref(key))?
                .pop()
                .unwrap_or(Value::Null);
            Ok(Linked {
                filter: FilterNode::InJoinTable {
                    relation,
                    key: value.clone(),
                },
                set: None,
                join: Some(value),
            })
        }
        Link::Owned { .. } => Err(Error::InvalidQuery(format!(
            "relation `{}` is written before its parent",
            relation.name
        ))),
    }
}

/// Inserts one join row linking the parent (`parent_key`) and the related record.
async fn join(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    parent_key: &Value,
    related_row: &Row,
) -> Result<(), Error> {
    let Link::JoinTable {
        table,
        this,
        other,
        related_key,
        ..
    } = &relation.link
    else {
        return Ok(());
    };
    let related = relation.related;
    let other_value = values_of(related, related_row, std::slice::from_ref(related_key))?
        .pop()
        .unwrap_or(Value::Null);
    join_values(ex, table, this, other, parent_key, &other_value).await
}

async fn join_values(
    ex: Executor<'_>,
    table: &crate::model::Table,
    this: &'static Column,
    other: &'static Column,
    this_value: &Value,
    other_value: &Value,
) -> Result<(), Error> {
    let join_model = join_meta(table);
    let columns = [this, other];
    let row: InsertRow<'_> = vec![Some(this_value), Some(other_value)];
    let statement = render::insert(
        &join_model,
        &columns,
        std::slice::from_ref(&row),
        OnConflict::DoNothing,
        None,
        ex.render_context(),
    );
    ex.execute(&statement, None).await?;
    Ok(())
}

/// A `ModelMeta` for a join table, so the insert renderer can name it.
pub(crate) fn join_meta(table: &crate::model::Table) -> ModelMeta {
    ModelMeta {
        name: table.name,
        table: *table,
        columns: &[],
        primary_key: &[],
        updated_at: &[],
        tenant: None,
    }
}

/// The related record's key value for a join row, found by `unique`.
async fn related_key_of(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    unique: FilterNode,
) -> Result<Option<Value>, Error> {
    let Link::JoinTable { related_key, .. } = &relation.link else {
        return Ok(None);
    };
    let row = find(
        ex,
        relation.related,
        unique,
        Some(std::slice::from_ref(related_key)),
    )
    .await?;
    row.map(|row| value_at(&row, 0)).transpose()
}

/// For a one-to-one relation whose key the related model holds: the parent can have one
/// related record, so connecting another one first lets go of the current one (or fails
/// with P2014 when its key cannot be cleared).
async fn release_current(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    link: &Linked,
    keep: Option<&FilterNode>,
) -> Result<(), Error> {
    if relation.to_many {
        return Ok(());
    }
    let Some((fields, _)) = &link.set else {
        return Ok(());
    };
    let related = relation.related;
    let mut filter = vec![link.filter.clone()];
    if let Some(keep) = keep {
        filter.push(FilterNode::Not(Box::new(keep.clone())));
    }
    let filter = and(filter);
    if find(ex, related, filter.clone(), Some(&[]))
        .await?
        .is_none()
    {
        return Ok(());
    }
    if fields.iter().any(|f| !f.nullable) {
        return Err(required_violation(relation));
    }
    let assigns = fields
        .iter()
        .map(|f| (*f, AssignOp::Set, Value::Null))
        .collect();
    update_where(ex, related, assigns, filter).await?;
    Ok(())
}

/// Runs a nested write whose relation points at the parent (`row`, a full row of `model`):
/// the related model holds the key, or a join table does.
async fn apply_after(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    row: &Row,
    op: NestedOp,
    parent_is_new: bool,
) -> Result<(), Error> {
    let relation = op.relation;
    let related = relation.related;
    let link = linked(model, relation, row)?;
    let with_link = |filter: FilterNode| and(vec![link.filter.clone(), filter]);
    match op.action {
        Action::Create(mut child) => {
            if !parent_is_new {
                release_current(ex, relation, &link, None).await?;
            }
            if let Some((fields, values)) = &link.set {
                child.set_columns(fields, values.clone());
            }
            let created = create_record(ex, related, child).await?;
            if let Some(key) = &link.join {
                join(ex, relation, key, &created).await?;
            }
        }
        Action::CreateMany(NewRows {
            rows,
            defaults: column_defaults,
        }) => {
            let mut rows = rows
                .into_iter()
                .collect::<Result<Vec<Data>, String>>()
                .map_err(Error::InvalidQuery)?;
            if let Some((fields, values)) = &link.set {
                for data in &mut rows {
                    set_columns(data, fields, values.clone());
                }
            }
            // One statement for the rows (and, for many-to-many, one per join row).
            let returning = link.join.is_some();
            let (_, created) =
                crate::actions::insert_rows(ex, related, rows, column_defaults, false, returning)
                    .await?;
            if let Some(key) = &link.join {
                for row in &created {
                    join(ex, relation, key, row).await?;
                }
            }
        }
        Action::Connect(unique) => {
            connect(ex, relation, &link, unique, parent_is_new, None).await?;
        }
        Action::ConnectOrCreate(unique, child) => {
            connect(ex, relation, &link, unique, parent_is_new, Some(child)).await?;
        }
        Action::Disconnect(unique) => {
            let filter = match unique {
                Some(unique) => with_link(unique),
                None => link.filter.clone(),
            };
            disconnect(ex, relation, &link, filter).await?;
        }
        Action::Set(uniques) => {
            // Let go of every related record not in the new set, then connect the set.
            let keep = FilterNode::Or(uniques.clone());
            let others = with_link(FilterNode::Not(Box::new(keep)));
            disconnect(ex, relation, &link, others).await?;
            for unique in uniques {
                connect(ex, relation, &link, unique, true, None).await?;
            }
        }
        Action::Update(unique, assigns, nested) => {
            let filter = match unique {
                Some(unique) => with_link(unique),
                None => link.filter.clone(),
            };
            update_record(ex, related, filter, assigns, nested, "update").await?;
        }
        Action::UpdateMany(filter, assigns) => {
            if !assigns.is_empty() {
                update_where(ex, related, assigns, with_link(filter)).await?;
            }
        }
        Action::Upsert(unique, mut child, assigns) => {
            let filter = match unique {
                Some(unique) => with_link(unique),
                None => link.filter.clone(),
            };
            if find(ex, related, filter.clone(), Some(&[]))
                .await?
                .is_some()
            {
                update_record(ex, related, filter, assigns, Vec::new(), "upsert").await?;
            } else {
                if let Some((fields, values)) = &link.set {
                    child.set_columns(fields, values.clone());
                }
                let created = create_record(ex, related, child).await?;
                if let Some(key) = &link.join {
                    join(ex, relation, key, &created).await?;
                }
            }
        }
        Action::Delete(unique) => {
            let filter = match unique {
                Some(unique) => with_link(unique),
                None => link.filter.clone(),
            };
            if delete_where(ex, related, filter).await? == 0 {
                // Prisma reports the record as not connected (P2017), whether it exists
                // unlinked or not at all.
                return Err(not_connected(relation));
            }
        }
        Action::DeleteMany(filter) => {
            delete_where(ex, related, with_link(filter)).await?;
        }
    }
    Ok(())
}

/// Links the record matching `unique` to the parent (creating it from `create` when
/// there is none and one is given).
async fn connect(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    link: &Linked,
    unique: FilterNode,
    parent_is_new: bool,
    create: Option<NewRecord>,
) -> Result<(), Error> {
    let related = relation.related;
    if let Some(key) = &link.join {
        let Link::JoinTable {
            table, this, other, ..
        } = &relation.link
        else {
            return Ok(());
        };
        let other_value = match related_key_of(ex, relation, unique).await? {
            Some(value) => value,
            None => match create {
                Some(record) => {
                    let row = create_record(ex, related, record).await?;
                    let Link::JoinTable { related_key, .. } = &relation.link else {
                        return Ok(());
                    };
                    values_of(related, &row, std::slice::from_ref(related_key))?
                        .pop()
                        .unwrap_or(Value::Null)
                }
                None => return Err(not_found(related, "connect")),
            },
        };
        return join_values(ex, table, this, other, key, &other_value).await;
    }
    let Some((fields, values)) = &link.set else {
        return Ok(());
    };
    if !parent_is_new {
        release_current(ex, relation, link, Some(&unique)).await?;
    }
    let assigns: Vec<Assignment> = fields
        .iter()
        .zip(values.iter().cloned())
        .map(|(f, v)| (*f, AssignOp::Set, v))
        .collect();
    let updated = update_where(ex, related, assigns, unique).await?;
    if updated.is_empty() {
        match create {
            Some(mut record) => {
                record.set_columns(fields, values.clone());
                create_record(ex, related, record).await?;
            }
            // Prisma: P2018 where the connected records hold the key of a to-many
            // relation, P2025 for a one-to-one.
            None if relation.to_many => {
                return Err(Error::ConnectedRecordsNotFound {
                    relation: relation.relation,
                    model: related.name,
                    expected: 1,
                    found: 0,
                });
            }
            None => return Err(not_found(related, "connect")),
        }
    }
    Ok(())
}

/// Unlinks the related records matching `filter` (already restricted to linked ones).
async fn disconnect(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    link: &Linked,
    filter: FilterNode,
) -> Result<(), Error> {
    let related = relation.related;
    if let Some(key) = &link.join {
        let Link::JoinTable {
            table,
            this,
            other,
            related_key,
            ..
        } = &relation.link
        else {
            return Ok(());
        };
        // DELETE FROM join WHERE this = key AND other IN (SELECT related_key ... filter)
        let join_model = join_meta(table);
        let rows = {
            let mut args = SelectArgs::new();
            args.filter = Some(filter);
            let statement = render::select(
                related,
                std::slice::from_ref(related_key),
                &args,
                ex.render_context(),
            )?;
            ex.fetch(&statement, Some(related)).await?
        };
        let others = rows
            .iter()
            .map(|row| value_at(row, 0))
            .collect::<Result<Vec<Value>, Error>>()?;
        if others.is_empty() {
            return Ok(());
        }
        let filter = and(vec![
            eq(this, key.clone()),
            FilterNode::In {
                column: other,
                values: Value::Array(others),
                negated: false,
                insensitive: false,
            },
        ]);
        let statement = render::delete(&join_model, Some(&filter), None, ex.render_context());
        ex.execute(&statement, None).await?;
        return Ok(());
    }
    let Some((fields, _)) = &link.set else {
        return Ok(());
    };
    if find(ex, related, filter.clone(), Some(&[]))
        .await?
        .is_none()
    {
        return Ok(());
    }
    if fields.iter().any(|f| !f.nullable) {
        return Err(required_violation(relation));
    }
    let assigns = fields
        .iter()
        .map(|f| (*f, AssignOp::Set, Value::Null))
        .collect();
    update_where(ex, related, assigns, filter).await?;
    Ok(())
}

/// Starts a record to create: the parent's data, client defaults and nested writes.
pub(crate) fn new_record(
    data: PendingData,
    defaults: &'static [ColumnDefault],
    nested: Vec<NestedOp>,
) -> NewRecord {
    NewRecord {
        data,
        defaults,
        nested,
    }
}

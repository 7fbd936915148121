//! Operations on models described at run time, for tools that have no generated code (the
//! studio): the model is a [`ModelMeta`] built from a schema when the tool starts, values go
//! in as [`Value`]s and rows come back as [`Row`]s.
//!
//! The statements are the ones generated clients run: the same renderer writes the
//! `INSERT`, `UPDATE`, `DELETE`, filters, relation subqueries and orderings, and they run
//! through the same executor (prepared-statement cache, `socket_timeout`, logging,
//! errors with Prisma's codes and field names). What this module adds is what a tool
//! without Rust types for the fields needs:
//! - a select list of [`Read`]s: each column read as stored, or as PostgreSQL's text
//!   (for types the tool has no decoder for, and values whose binary form it cannot
//!   decode: `timestamp 'infinity'`), or as JSON text (lists);
//! - [`Condition`]s, among them a case-insensitive search in any column's text;
//! - rows addressed by the model's `primary_key` values in order ([`find_by_key`],
//!   [`update_by_key`], [`delete_by_keys`]);
//! - links of an implicit many-to-many relation made and removed ([`link`], [`unlink`]).
//!
//! A write returns the row through a `WITH "row" AS (<the rendered statement> RETURNING
//! <every column>) SELECT <reads> FROM "row"`, so the write itself is rendered unchanged.

use crate::defaults::{self, ColumnDefault};
use crate::error::Error;
use crate::executor::Executor;
use crate::model::{Column, ModelMeta};
use crate::query::{AssignOp, CompareOp, FilterNode, LikeKind, OrderTerm};
use crate::relation::{Link, RelationFilterKind, RelationMeta};
use crate::render::{
    self, Access, InsertRow, OnConflict, RenderContext, SqlWriter, Statement, TOP, like_pattern,
    render_filter, render_order,
};
use crate::value::{Param, Value};
use tokio_postgres::Row;

/// How a selected column is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadAs {
    /// As stored, in its type's binary form.
    Value,
    /// As PostgreSQL prints it (`CAST(column AS text)`).
    Text,
    /// As JSON text (`CAST(TO_JSONB(column) AS text)`): lists of any element type.
    JsonText,
}

/// One column of the rows a query returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    pub column: &'static Column,
    pub mode: ReadAs,
}

/// A comparison of a column with a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `=`; with [`Value::Null`], `IS NULL`.
    Equals,
    /// Different, NULL included (`IS DISTINCT FROM`): a NULL column differs from a value.
    NotEquals,
    Lt,
    Lte,
    Gt,
    Gte,
}

/// Where a [`Condition::TextMatches`] text must occur.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextMatch {
    Contains,
    StartsWith,
    EndsWith,
}

/// One condition on a model's rows; a query's conditions must all hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Compare {
        column: &'static Column,
        op: Comparison,
        value: Value,
    },
    IsNull {
        column: &'static Column,
        negated: bool,
    },
    /// The column's text, as PostgreSQL prints it (any type), holds `text`, case ignored;
    /// `%` and `_` in `text` match themselves.
    TextMatches {
        column: &'static Column,
        kind: TextMatch,
        text: String,
    },
    /// A list column holds `value`.
    ListHas {
        column: &'static Column,
        value: Value,
    },
    /// The row is linked through `relation`, a relation field of the queried model, to the
    /// related row whose primary key is `key` (values in `primary_key` order).
    LinkedTo {
        relation: &'static RelationMeta,
        key: Vec<Value>,
    },
}

/// One ordering column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: &'static Column,
    pub descending: bool,
}

/// What [`find_many`] asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindMany {
    pub conditions: Vec<Condition>,
    pub order_by: Vec<Sort>,
    pub skip: i64,
    pub take: Option<i64>,
}

/// What a [`link`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkChange {
    /// The link was made.
    Made,
    /// The rows were linked already.
    Unchanged,
    /// One of the two rows does not exist.
    Missing,
}

/// The rows matching `query`, each with the columns of `read` in order.
pub async fn find_many(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    read: &[Read],
    query: &FindMany,
) -> Result<Vec<Row>, Error> {
    if query.skip < 0 {
        return Err(Error::InvalidQuery("skip must not be negative".into()));
    }
    let parts = parts(model, &query.conditions)?;
    let order: Vec<OrderTerm> = query
        .order_by
        .iter()
        .map(|sort| OrderTerm {
            descending: sort.descending,
            ..OrderTerm::column(sort.column)
        })
        .collect();
    let ex = ex.for_read();
    let mut w = SqlWriter::new(ex.render_context());
    w.push("SELECT ");
    render_reads(&mut w, read, TOP);
    from(&mut w, model);
    render_where(&mut w, model, &parts);
    if !order.is_empty() {
        w.push(" ORDER BY ");
        render_order(&mut w, &order, Some(TOP))?;
    }
    if let Some(take) = query.take {
        w.push(" LIMIT ");
        w.bind(Param::BigInt(take.max(0)));
    }
    if query.skip > 0 {
        w.push(" OFFSET ");
        w.bind(Param::BigInt(query.skip));
    }
    ex.fetch(&w.finish(true), Some(model)).await
}

/// The number of rows matching every condition.
pub async fn count(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    conditions: &[Condition],
) -> Result<i64, Error> {
    let parts = parts(model, conditions)?;
    let ex = ex.for_read();
    let mut w = SqlWriter::new(ex.render_context());
    w.push("SELECT COUNT(*)");
    from(&mut w, model);
    render_where(&mut w, model, &parts);
    let rows = ex.fetch(&w.finish(true), Some(model)).await?;
    match rows.first() {
        Some(row) => crate::decode::decode::<i64>(row, 0),
        None => Ok(0),
    }
}

/// The row whose primary key is `key`.
pub async fn find_by_key(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    read: &[Read],
    key: &[Value],
) -> Result<Option<Row>, Error> {
    let parts = [Part::Filter(key_filter(model, key)?)];
    let ex = ex.for_read();
    let mut w = SqlWriter::new(ex.render_context());
    w.push("SELECT ");
    render_reads(&mut w, read, TOP);
    from(&mut w, model);
    render_where(&mut w, model, &parts);
    Ok(ex
        .fetch(&w.finish(true), Some(model))
        .await?
        .into_iter()
        .next())
}

/// Inserts one row and returns it. The columns of `defaults` and the `@updatedAt` columns
/// that `data` leaves out get their client-side defaults ([`defaults::fill`]), as in a
/// generated client's create.
pub async fn create(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    defaults: &[ColumnDefault],
    mut data: Vec<(&'static Column, Value)>,
    read: &[Read],
) -> Result<Row, Error> {
    defaults::fill(&mut data, model, defaults, defaults::statement_time());
    crate::nested::insert(ex, model, &data, |statement| {
        returning_reads(statement, read)
    })
    .await
}

/// Sets `data` on the row whose primary key is `key` and returns it, `None` when there is
/// no such row. `@updatedAt` columns `data` leaves out are stamped, as in a generated
/// client's update.
pub async fn update_by_key(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    key: &[Value],
    data: Vec<(&'static Column, Value)>,
    read: &[Read],
) -> Result<Option<Row>, Error> {
    if data.is_empty() {
        return Err(Error::InvalidQuery("nothing to update".into()));
    }
    let filter = key_filter(model, key)?;
    let mut assigns: Vec<(&'static Column, AssignOp, Value)> = data
        .into_iter()
        .map(|(column, value)| (column, AssignOp::Set, value))
        .collect();
    defaults::stamp_updated(&mut assigns, model, defaults::statement_time());
    let mut statement = render::update(
        model,
        &assigns,
        Some(&filter),
        Some(model.columns),
        ex.render_context(),
    );
    returning_reads(&mut statement, read);
    Ok(ex.fetch(&statement, Some(model)).await?.into_iter().next())
}

/// Deletes the rows whose primary keys are `keys`, in one statement (all or, on an error,
/// none), and returns how many were deleted.
pub async fn delete_by_keys(
    ex: Executor<'_>,
    model: &'static ModelMeta,
    keys: &[Vec<Value>],
) -> Result<u64, Error> {
    let filter = match model.primary_key {
        // One array parameter, so every number of keys is one statement text.
        [column] => FilterNode::In {
            column,
            values: Value::Array(
                keys.iter()
                    .map(|key| match key.as_slice() {
                        [value] => Ok(value.clone()),
                        _ => Err(key_length_error(model)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            negated: false,
            insensitive: false,
        },
        _ => FilterNode::Or(
            keys.iter()
                .map(|key| key_filter(model, key))
                .collect::<Result<_, _>>()?,
        ),
    };
    let statement = render::delete(model, Some(&filter), None, ex.render_context());
    ex.execute(&statement, Some(model)).await
}

/// Links the row of `relation.model` whose join key (`Link::JoinTable::key`) is `key` with
/// the related row whose join key is `related_key`, through the join table of the
/// implicit many-to-many `relation`.
pub async fn link(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    key: &Value,
    related_key: &Value,
) -> Result<LinkChange, Error> {
    let (table, this, other, own, related) = join_table(relation)?;
    for (model, column, value) in [
        (relation.model, own, key),
        (relation.related, related, related_key),
    ] {
        let exists = Condition::Compare {
            column,
            op: Comparison::Equals,
            value: value.clone(),
        };
        if count(ex, model, &[exists]).await? == 0 {
            return Ok(LinkChange::Missing);
        }
    }
    let join = crate::nested::join_meta(table);
    let row: InsertRow<'_> = vec![Some(key), Some(related_key)];
    let statement = render::insert(
        &join,
        &[this, other],
        std::slice::from_ref(&row),
        OnConflict::DoNothing,
        None,
        ex.render_context(),
    );
    Ok(match ex.execute(&statement, None).await? {
        0 => LinkChange::Unchanged,
        _ => LinkChange::Made,
    })
}

/// Removes the link [`link`] makes; `false` when the rows were not linked.
pub async fn unlink(
    ex: Executor<'_>,
    relation: &'static RelationMeta,
    key: &Value,
    related_key: &Value,
) -> Result<bool, Error> {
    let (table, this, other, _, _) = join_table(relation)?;
    let join = crate::nested::join_meta(table);
    let filter = FilterNode::And(vec![
        equals(this, key.clone()),
        equals(other, related_key.clone()),
    ]);
    let statement = render::delete(&join, Some(&filter), None, ex.render_context());
    Ok(ex.execute(&statement, None).await? > 0)
}

/// `relation` seen from the related model: the same rows linked, declared on the other
/// side (`to_many` says whether that side holds many), for a [`Condition::LinkedTo`] on
/// the related model when the schema has no field there (or it is not shown).
pub fn seen_from_related(relation: &'static RelationMeta, to_many: bool) -> RelationMeta {
    let link = match &relation.link {
        Link::Owned { fields, references } => Link::Inverse { fields, references },
        Link::Inverse { fields, references } => Link::Owned { fields, references },
        Link::JoinTable {
            table,
            this,
            other,
            key,
            related_key,
        } => Link::JoinTable {
            table: *table,
            this: other,
            other: this,
            key: related_key,
            related_key: key,
        },
    };
    RelationMeta {
        name: relation.name,
        relation: relation.relation,
        model: relation.related,
        related: relation.model,
        to_many,
        optional: !to_many,
        link,
    }
}

type JoinColumns = (
    &'static crate::model::Table,
    &'static Column,
    &'static Column,
    &'static Column,
    &'static Column,
);

fn join_table(relation: &'static RelationMeta) -> Result<JoinColumns, Error> {
    match &relation.link {
        Link::JoinTable {
            table,
            this,
            other,
            key,
            related_key,
        } => Ok((table, this, other, key, related_key)),
        _ => Err(Error::InvalidQuery(format!(
            "`{}.{}` is not a many-to-many relation",
            relation.model.name, relation.name
        ))),
    }
}

/// A condition, ready to render: a filter of the runtime's vocabulary, or a text search.
enum Part {
    Filter(FilterNode),
    Text {
        column: &'static Column,
        kind: LikeKind,
        text: String,
    },
}

fn parts(model: &'static ModelMeta, conditions: &[Condition]) -> Result<Vec<Part>, Error> {
    conditions
        .iter()
        .map(|condition| {
            Ok(match condition {
                Condition::Compare { column, op, value } => {
                    Part::Filter(compare(column, *op, value))
                }
                Condition::IsNull { column, negated } => Part::Filter(FilterNode::IsNull {
                    column,
                    negated: *negated,
                }),
                Condition::TextMatches { column, kind, text } => Part::Text {
                    column,
                    kind: match kind {
                        TextMatch::Contains => LikeKind::Contains,
                        TextMatch::StartsWith => LikeKind::StartsWith,
                        TextMatch::EndsWith => LikeKind::EndsWith,
                    },
                    text: text.clone(),
                },
                Condition::ListHas { column, value } => Part::Filter(FilterNode::ListHas {
                    column,
                    value: value.clone(),
                }),
                Condition::LinkedTo { relation, key } => {
                    if !std::ptr::eq(relation.model, model) {
                        return Err(Error::InvalidQuery(format!(
                            "`{}.{}` is not a relation field of `{}`",
                            relation.model.name, relation.name, model.name
                        )));
                    }
                    Part::Filter(FilterNode::Relation {
                        relation,
                        kind: RelationFilterKind::Some,
                        filter: Box::new(key_filter(relation.related, key)?),
                    })
                }
            })
        })
        .collect()
}

fn compare(column: &'static Column, op: Comparison, value: &Value) -> FilterNode {
    let node = |op| FilterNode::Compare {
        column,
        op,
        value: value.clone(),
        insensitive: false,
    };
    match op {
        Comparison::Equals => node(CompareOp::Eq),
        // `<>` leaves out NULL rows; a NULL differs from a value.
        Comparison::NotEquals if column.nullable && !value.is_null() => FilterNode::Or(vec![
            node(CompareOp::Ne),
            FilterNode::IsNull {
                column,
                negated: false,
            },
        ]),
        Comparison::NotEquals => node(CompareOp::Ne),
        Comparison::Lt => node(CompareOp::Lt),
        Comparison::Lte => node(CompareOp::Lte),
        Comparison::Gt => node(CompareOp::Gt),
        Comparison::Gte => node(CompareOp::Gte),
    }
}

fn equals(column: &'static Column, value: Value) -> FilterNode {
    FilterNode::Compare {
        column,
        op: CompareOp::Eq,
        value,
        insensitive: false,
    }
}

/// `pk1 = $a AND pk2 = $b` for the model's primary key.
fn key_filter(model: &ModelMeta, key: &[Value]) -> Result<FilterNode, Error> {
    if model.primary_key.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "rows of `{}` cannot be addressed: it has no id or unique fields",
            model.name
        )));
    }
    if key.len() != model.primary_key.len() {
        return Err(key_length_error(model));
    }
    Ok(FilterNode::And(
        model
            .primary_key
            .iter()
            .zip(key)
            .map(|(column, value)| equals(column, value.clone()))
            .collect(),
    ))
}

fn key_length_error(model: &ModelMeta) -> Error {
    Error::InvalidQuery(format!(
        "the key of `{}` has {} values",
        model.name,
        model.primary_key.len()
    ))
}

fn from(w: &mut SqlWriter<'_>, model: &ModelMeta) {
    w.push(" FROM ");
    w.table(&model.table);
    w.push(" AS ");
    w.ident(TOP);
}

fn render_reads(w: &mut SqlWriter<'_>, read: &[Read], qualifier: &str) {
    if read.is_empty() {
        w.push("1");
    }
    for (i, read) in read.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        match read.mode {
            ReadAs::Value => w.qualified(Some(qualifier), read.column),
            ReadAs::Text => {
                w.push("CAST(");
                w.qualified(Some(qualifier), read.column);
                w.push(" AS text)");
            }
            ReadAs::JsonText => {
                w.push("CAST(TO_JSONB(");
                w.qualified(Some(qualifier), read.column);
                w.push(") AS text)");
            }
        }
    }
}

/// ` WHERE <parts> [AND <tenant>]`: on a tenant-scoped client, only the tenant's rows, as
/// in every statement the renderer writes.
fn render_where<'v>(w: &mut SqlWriter<'v>, model: &ModelMeta, parts: &'v [Part]) {
    let mut conditions = |w: &mut SqlWriter<'v>| {
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                w.push(" AND ");
            }
            match part {
                Part::Filter(node) => render_filter(w, node, Some(TOP)),
                Part::Text { column, kind, text } => {
                    w.push("CAST(");
                    w.qualified(Some(TOP), column);
                    w.push(" AS text) ILIKE ");
                    w.bind(Param::Text(like_pattern(*kind, text)));
                }
            }
        }
    };
    let conditions: Option<&mut dyn FnMut(&mut SqlWriter<'v>)> = if parts.is_empty() {
        None
    } else {
        Some(&mut conditions)
    };
    w.where_scoped(model, TOP, Access::Read, conditions);
}

/// Turns `<write> RETURNING <columns>` into `WITH "row" AS (<write> RETURNING <columns>)
/// SELECT <reads> FROM "row"`; the parameters stay as they are.
fn returning_reads(statement: &mut Statement<'_>, read: &[Read]) {
    const ROW: &str = "row";
    let mut w = SqlWriter::new(RenderContext::default());
    w.push("WITH ");
    w.ident(ROW);
    w.push(" AS (");
    w.push(&statement.sql);
    w.push(") SELECT ");
    render_reads(&mut w, read, ROW);
    w.push(" FROM ");
    w.ident(ROW);
    statement.sql = w.finish(true).sql;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Table;

    static ID: Column = Column::new("id", "id", false);
    static NAME: Column = Column::new("name", "name", true);
    static META: ModelMeta = ModelMeta {
        name: "User",
        table: Table::named("User"),
        columns: &[&ID, &NAME],
        primary_key: &[&ID],
        updated_at: &[],
        tenant: None,
    };

    fn rendered(conditions: &[Condition]) -> String {
        let parts = parts(&META, conditions).unwrap();
        let mut w = SqlWriter::new(RenderContext::default());
        w.push("SELECT ");
        render_reads(
            &mut w,
            &[
                Read {
                    column: &ID,
                    mode: ReadAs::Value,
                },
                Read {
                    column: &NAME,
                    mode: ReadAs::Text,
                },
            ],
            TOP,
        );
        from(&mut w, &META);
        render_where(&mut w, &META, &parts);
        w.finish(true).sql
    }

    #[test]
    fn renders_reads_text_searches_and_null_aware_inequality() {
        let sql = rendered(&[
            Condition::TextMatches {
                column: &NAME,
                kind: TextMatch::StartsWith,
                text: "a%".into(),
            },
            Condition::Compare {
                column: &NAME,
                op: Comparison::NotEquals,
                value: Value::String("b".into()),
            },
        ]);
        assert_eq!(
            sql,
            "SELECT \"t0\".\"id\", CAST(\"t0\".\"name\" AS text) FROM \"User\" AS \"t0\" \
             WHERE CAST(\"t0\".\"name\" AS text) ILIKE $1 \
             AND (\"t0\".\"name\" <> $2 OR \"t0\".\"name\" IS NULL)"
        );
    }

    #[test]
    fn wraps_writes_to_return_the_reads() {
        let value = Value::String("x".into());
        let row: InsertRow<'_> = vec![Some(&value)];
        let mut statement = render::insert(
            &META,
            &[&NAME],
            std::slice::from_ref(&row),
            OnConflict::Fail,
            Some(META.columns),
            RenderContext::default(),
        );
        returning_reads(
            &mut statement,
            &[Read {
                column: &NAME,
                mode: ReadAs::JsonText,
            }],
        );
        assert_eq!(
            statement.sql,
            "WITH \"row\" AS (INSERT INTO \"User\" AS \"t0\" (\"name\") VALUES ($1) \
             RETURNING \"id\", \"name\") SELECT CAST(TO_JSONB(\"row\".\"name\") AS text) FROM \"row\""
        );
    }

    #[test]
    fn refuses_keys_of_the_wrong_length() {
        assert!(key_filter(&META, &[]).is_err());
        assert!(key_filter(&META, &[Value::Int(1), Value::Int(2)]).is_err());
        assert!(key_filter(&META, &[Value::Int(1)]).is_ok());
    }
}

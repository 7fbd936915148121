//! SQL for relations: relation filters (`EXISTS` subqueries), orderings by a related
//! record's field or by a relation's count (scalar subqueries), `_count` columns, and the
//! batched statement that loads one included relation for many parents.
//!
//! Every subquery gets its own alias from the writer (`r1`, `r2`...) and refers to the
//! enclosing query by the alias it was given (`t0` for a statement's main table), so
//! self-relations and nesting at any depth never confuse two uses of one table.

use super::{Access, Param, SelectArgs, SqlWriter, Statement, TOP, render_filter, render_order};
use crate::error::Error;
use crate::include::{ChildLink, Counted, KeyPart};
use crate::model::Column;
use crate::query::{FilterNode, OrderTerm};
use crate::relation::{Link, RelationFilterKind, RelationMeta};

/// Writes `FROM <related> AS <alias> WHERE <linked to outer>` (through the join table for
/// many-to-many) and returns the alias of the related table.
fn render_related_from(w: &mut SqlWriter<'_>, relation: &RelationMeta, outer: &str) -> String {
    let inner = w.next_alias();
    let conditions = |w: &mut SqlWriter<'_>, left: &str, lefts: &[&Column], rights: &[&Column]| {
        for (i, (l, r)) in lefts.iter().zip(rights).enumerate() {
            if i > 0 {
                w.push(" AND ");
            }
            w.qualified(Some(left), l);
            w.push(" = ");
            w.qualified(Some(outer), r);
        }
    };
    match &relation.link {
        Link::Owned { fields, references } => {
            w.push("FROM ");
            w.table(&relation.related.table);
            w.push(" AS ");
            w.ident(&inner);
            w.push(" WHERE ");
            conditions(w, &inner, references, fields);
            w.and_tenant(relation.related, &inner, Access::Read);
        }
        Link::Inverse { fields, references } => {
            w.push("FROM ");
            w.table(&relation.related.table);
            w.push(" AS ");
            w.ident(&inner);
            w.push(" WHERE ");
            conditions(w, &inner, fields, references);
            w.and_tenant(relation.related, &inner, Access::Read);
        }
        Link::JoinTable {
            table,
            this,
            other,
            key,
            related_key,
        } => {
            let join = w.next_alias();
            w.push("FROM ");
            w.table(table);
            w.push(" AS ");
            w.ident(&join);
            w.push(" JOIN ");
            w.table(&relation.related.table);
            w.push(" AS ");
            w.ident(&inner);
            w.push(" ON ");
            w.qualified(Some(&inner), related_key);
            w.push(" = ");
            w.qualified(Some(&join), other);
            w.push(" WHERE ");
            w.qualified(Some(&join), this);
            w.push(" = ");
            w.qualified(Some(outer), key);
            w.and_tenant(relation.related, &inner, Access::Read);
        }
    }
    inner
}

/// `[NOT] EXISTS (SELECT 1 FROM related WHERE linked AND (filter))`; `every` is "no related
/// row for which the filter is not true".
pub(crate) fn render_relation_filter<'v>(
    w: &mut SqlWriter<'v>,
    relation: &RelationMeta,
    kind: RelationFilterKind,
    filter: &'v FilterNode,
    qualifier: Option<&str>,
) {
    let outer = qualifier.unwrap_or(TOP).to_owned();
    w.push(match kind {
        RelationFilterKind::Some => "EXISTS (SELECT 1 ",
        RelationFilterKind::Every | RelationFilterKind::None => "NOT EXISTS (SELECT 1 ",
    });
    let inner = render_related_from(w, relation, &outer);
    let trivial = matches!(filter, FilterNode::And(nodes) if nodes.is_empty());
    match kind {
        RelationFilterKind::Every => {
            w.push(" AND (");
            render_filter(w, filter, Some(&inner));
            w.push(") IS NOT TRUE");
        }
        _ if trivial => {}
        _ => {
            w.push(" AND (");
            render_filter(w, filter, Some(&inner));
            w.push(")");
        }
    }
    w.push(")");
}

/// `(SELECT COUNT(*) FROM related WHERE linked [AND (filter)])`: the number of related
/// records (for a many-to-many relation without a filter, of join table rows).
pub(crate) fn render_count<'v>(
    w: &mut SqlWriter<'v>,
    relation: &RelationMeta,
    outer: &str,
    filter: Option<&'v FilterNode>,
) {
    w.push("(SELECT COUNT(*) ");
    match &relation.link {
        // A scoped count of a many-to-many relation counts the tenant's related rows.
        _ if filter.is_some() || w.scopes(relation.related) => {
            let inner = render_related_from(w, relation, outer);
            if let Some(filter) = filter {
                w.push(" AND (");
                render_filter(w, filter, Some(&inner));
                w.push(")");
            }
        }
        Link::JoinTable {
            table, this, key, ..
        } => {
            let join = w.next_alias();
            w.push("FROM ");
            w.table(table);
            w.push(" AS ");
            w.ident(&join);
            w.push(" WHERE ");
            w.qualified(Some(&join), this);
            w.push(" = ");
            w.qualified(Some(outer), key);
        }
        _ => {
            render_related_from(w, relation, outer);
        }
    }
    w.push(")");
}

/// `(SELECT r."column" FROM related AS r WHERE linked)`, nested once per relation of
/// `path` (to-one relations, outermost first).
pub(crate) fn render_related_value(
    w: &mut SqlWriter<'_>,
    path: &[&'static RelationMeta],
    column: &Column,
    outer: &str,
) -> Result<(), Error> {
    let Some((first, rest)) = path.split_first() else {
        w.qualified(Some(outer), column);
        return Ok(());
    };
    if first.to_many {
        return Err(Error::InvalidQuery(format!(
            "cannot order by a field of the to-many relation `{}`",
            first.name
        )));
    }
    // The value is rendered after the FROM clause names its alias, then moved in front.
    let mut from = String::new();
    std::mem::swap(&mut w.sql, &mut from);
    let inner = render_related_from(w, first, outer);
    std::mem::swap(&mut w.sql, &mut from);
    w.push("(SELECT ");
    render_related_value(w, rest, column, &inner)?;
    w.push(" ");
    w.push(&from);
    w.push(" LIMIT 1)");
    Ok(())
}

/// The name of the column holding a related row's `n`-th link key part.
fn key_alias(n: usize) -> String {
    format!("_key_{n}")
}

const ROW_NUMBER: &str = "_row_number";

/// Loads relation `relation` for many parents at once: every related row whose link key
/// is one of `keys` (one array per key column), as `columns`, then the link key columns
/// (when `link_columns`: the link is not among `columns`), then one `_count` column per
/// relation in `counts`. `take`/`skip` apply per parent.
#[allow(clippy::too_many_arguments)]
pub(crate) fn include_select<'v>(
    relation: &RelationMeta,
    columns: &[&'static Column],
    link: ChildLink,
    link_columns: bool,
    args: &'v SelectArgs,
    counts: &'v [Counted],
    keys: Vec<Vec<KeyPart<'v>>>,
    ctx: super::RenderContext<'v>,
) -> Result<Statement<'v>, Error> {
    if args.cursor.is_some() || !args.distinct.is_empty() {
        return Err(Error::InvalidQuery(
            "cursor and distinct are not supported inside include".into(),
        ));
    }
    if args.skip.is_some_and(|skip| skip < 0) {
        return Err(Error::InvalidQuery("skip must not be negative".into()));
    }
    let child = relation.related;
    // A stable order: the requested one, then the primary key.
    let mut order: Vec<OrderTerm> = args.order_by.clone();
    for key in child.primary_key {
        if !order
            .iter()
            .any(|t| t.plain_column().is_some_and(|c| c.name == key.name))
        {
            order.push(OrderTerm::column(key));
        }
    }
    if args.reverses() {
        order.iter_mut().for_each(|term| *term = term.reversed());
    }
    let windowed = args.take.is_some() || args.skip.is_some_and(|skip| skip > 0);
    const JOIN: &str = "j";

    let mut w = SqlWriter::new(ctx);
    let link_expr = |w: &mut SqlWriter<'_>, n: usize| match link {
        ChildLink::Columns(columns) => w.qualified(Some(TOP), columns[n]),
        ChildLink::JoinColumn(column) => w.qualified(Some(JOIN), column),
    };
    if windowed {
        w.push("SELECT * FROM (");
    }
    w.push("SELECT ");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.qualified(Some(TOP), column);
    }
    let mut listed = columns.len();
    for n in (0..link.len()).filter(|_| link_columns) {
        if listed > 0 {
            w.push(", ");
        }
        link_expr(&mut w, n);
        w.push(" AS ");
        w.ident(&key_alias(n));
        listed += 1;
    }
    if listed == 0 {
        w.push("1");
    }
    for (i, counted) in counts.iter().enumerate() {
        w.push(", ");
        render_count(&mut w, counted.relation, TOP, counted.filter.as_ref());
        w.push(" AS ");
        w.ident(&format!("_count_{i}"));
    }
    if windowed {
        w.push(", ROW_NUMBER() OVER (PARTITION BY ");
        for n in 0..link.len() {
            if n > 0 {
                w.push(", ");
            }
            link_expr(&mut w, n);
        }
        w.push(" ORDER BY ");
        render_order(&mut w, &order, Some(TOP))?;
        w.push(") AS ");
        w.ident(ROW_NUMBER);
    }
    w.push(" FROM ");
    w.table(&child.table);
    w.push(" AS ");
    w.ident(TOP);
    if let Link::JoinTable {
        table,
        other,
        related_key,
        ..
    } = &relation.link
    {
        w.push(" JOIN ");
        w.table(table);
        w.push(" AS ");
        w.ident(JOIN);
        w.push(" ON ");
        w.qualified(Some(JOIN), other);
        w.push(" = ");
        w.qualified(Some(TOP), related_key);
    }
    w.push(" WHERE ");
    for (n, parts) in keys.into_iter().enumerate() {
        if n > 0 {
            w.push(" AND ");
        }
        link_expr(&mut w, n);
        w.push(" = ANY(");
        w.bind(Param::Keys(parts));
        w.push(")");
    }
    if let Some(filter) = &args.filter {
        w.push(" AND (");
        render_filter(&mut w, filter, Some(TOP));
        w.push(")");
    }
    w.and_tenant(child, TOP, Access::Read);
    if windowed {
        w.push(") AS ");
        w.ident("w");
        w.push(" WHERE ");
        w.ident(ROW_NUMBER);
        w.push(" > ");
        let skip = args.skip.unwrap_or(0).max(0);
        w.bind(Param::BigInt(skip));
        if let Some(take) = args.take {
            w.push(" AND ");
            w.ident(ROW_NUMBER);
            w.push(" <= ");
            let take = i64::try_from(take.unsigned_abs()).unwrap_or(i64::MAX);
            w.bind(Param::BigInt(skip.saturating_add(take)));
        }
        w.push(" ORDER BY ");
        w.ident(ROW_NUMBER);
        w.push(if args.reverses() { " DESC" } else { " ASC" });
    } else {
        w.push(" ORDER BY ");
        render_order(&mut w, &order, Some(TOP))?;
    }
    Ok(w.finish(true))
}

/// `related_key IN (SELECT other FROM join WHERE this = $n)`: the related record is linked
/// to the parent whose key is `key`.
pub(crate) fn render_in_join_table<'v>(
    w: &mut SqlWriter<'v>,
    relation: &RelationMeta,
    key: &'v crate::value::Value,
    qualifier: Option<&str>,
) {
    let Link::JoinTable {
        table,
        this,
        other,
        related_key,
        ..
    } = &relation.link
    else {
        w.push("FALSE");
        return;
    };
    w.qualified(qualifier, related_key);
    w.push(" IN (SELECT ");
    w.ident(other.name);
    w.push(" FROM ");
    w.table(table);
    w.push(" WHERE ");
    w.ident(this.name);
    w.push(" = ");
    w.bind_value(key);
    w.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelMeta, Table};
    use crate::query::{CompareOp, OrderTarget};
    use crate::render::{RenderContext, select};
    use crate::value::Value;

    static USER_ID: Column = Column::not_null("id");
    static POST_ID: Column = Column::not_null("id");
    static AUTHOR_ID: Column = Column::not_null("authorId");
    static VIEWS: Column = Column::not_null("views");
    static USER: ModelMeta = ModelMeta {
        name: "User",
        table: Table::named("User"),
        columns: &[&USER_ID],
        primary_key: &[&USER_ID],
        updated_at: &[],
        tenant: None,
    };
    static POST: ModelMeta = ModelMeta {
        name: "Post",
        table: Table::named("Post"),
        columns: &[&POST_ID, &AUTHOR_ID, &VIEWS],
        primary_key: &[&POST_ID],
        updated_at: &[],
        tenant: None,
    };
    static POSTS: RelationMeta = RelationMeta {
        name: "posts",
        relation: "PostToUser",
        model: &USER,
        related: &POST,
        to_many: true,
        optional: false,
        link: Link::Inverse {
            fields: &[&AUTHOR_ID],
            references: &[&USER_ID],
        },
    };
    static AUTHOR: RelationMeta = RelationMeta {
        name: "author",
        relation: "PostToUser",
        model: &POST,
        related: &USER,
        to_many: false,
        optional: false,
        link: Link::Owned {
            fields: &[&AUTHOR_ID],
            references: &[&USER_ID],
        },
    };
    static LIKED: RelationMeta = RelationMeta {
        name: "liked",
        relation: "Likes",
        model: &USER,
        related: &POST,
        to_many: true,
        optional: false,
        link: Link::JoinTable {
            table: Table {
                schema: Some("app"),
                name: "_Likes",
            },
            this: &crate::relation::JOIN_B,
            other: &crate::relation::JOIN_A,
            key: &USER_ID,
            related_key: &POST_ID,
        },
    };

    static AUTHOR_LINK: &[&Column] = &[&AUTHOR_ID];

    fn views_over(n: i32) -> FilterNode {
        FilterNode::Compare {
            column: &VIEWS,
            op: CompareOp::Gt,
            value: Value::Int(n),
            insensitive: false,
        }
    }

    #[test]
    fn relation_filters_are_correlated_subqueries() {
        let mut args = SelectArgs::new();
        args.add_filter(FilterNode::Relation {
            relation: &POSTS,
            kind: RelationFilterKind::Every,
            filter: Box::new(FilterNode::Relation {
                relation: &AUTHOR,
                kind: RelationFilterKind::Some,
                filter: Box::new(FilterNode::And(Vec::new())),
            }),
        });
        args.add_filter(FilterNode::Relation {
            relation: &LIKED,
            kind: RelationFilterKind::None,
            filter: Box::new(views_over(10)),
        });
        let statement = select(&USER, USER.columns, &args, RenderContext::default()).unwrap();
        assert_eq!(
            statement.sql,
            "SELECT \"id\" FROM \"User\" AS \"t0\" WHERE ((NOT EXISTS (SELECT 1 FROM \"Post\" AS \"r1\" \
             WHERE \"r1\".\"authorId\" = \"t0\".\"id\" AND (EXISTS (SELECT 1 FROM \"User\" AS \"r2\" \
             WHERE \"r2\".\"id\" = \"r1\".\"authorId\")) IS NOT TRUE) AND NOT EXISTS (SELECT 1 FROM \
             \"app\".\"_Likes\" AS \"r4\" JOIN \"Post\" AS \"r3\" ON \"r3\".\"id\" = \"r4\".\"A\" WHERE \
             \"r4\".\"B\" = \"t0\".\"id\" AND (\"r3\".\"views\" > $1))))"
        );
        assert_eq!(statement.params.len(), 1);
    }

    #[test]
    fn orderings_by_relations_are_scalar_subqueries() {
        let mut args = SelectArgs::new();
        let mut path = [None; crate::query::RELATED_PATH];
        path[0] = Some(&AUTHOR);
        args.order_by.push(OrderTerm {
            target: OrderTarget::Related {
                path,
                column: &USER_ID,
            },
            descending: true,
            nulls: None,
        });
        let statement = select(&POST, &[&POST_ID], &args, RenderContext::default()).unwrap();
        assert_eq!(
            statement.sql,
            "SELECT \"id\" FROM \"Post\" AS \"t0\" ORDER BY (SELECT \"r1\".\"id\" FROM \"User\" AS \"r1\" \
             WHERE \"r1\".\"id\" = \"t0\".\"authorId\" LIMIT 1) DESC"
        );
        let mut args = SelectArgs::new();
        args.order_by.push(OrderTerm {
            target: OrderTarget::Count(&LIKED),
            descending: false,
            nulls: None,
        });
        let statement = select(&USER, &[&USER_ID], &args, RenderContext::default()).unwrap();
        assert_eq!(
            statement.sql,
            "SELECT \"id\" FROM \"User\" AS \"t0\" ORDER BY (SELECT COUNT(*) FROM \"app\".\"_Likes\" AS \
             \"r1\" WHERE \"r1\".\"B\" = \"t0\".\"id\") ASC"
        );
        // A cursor cannot follow an ordering by relations.
        let mut args = SelectArgs::new();
        args.order_by.push(OrderTerm {
            target: OrderTarget::Count(&LIKED),
            descending: false,
            nulls: None,
        });
        args.cursor = Some(views_over(0));
        assert!(select(&USER, &[&USER_ID], &args, RenderContext::default()).is_err());
    }

    #[test]
    fn include_loads_all_parents_in_one_statement() {
        let keys = || vec![vec![KeyPart::Int(1), KeyPart::Int(2)]];
        let mut args = SelectArgs::new();
        args.add_filter(views_over(5));
        args.order_by.push(OrderTerm::column(&VIEWS).reversed());
        let plain = include_select(
            &POSTS,
            POST.columns,
            ChildLink::Columns(AUTHOR_LINK),
            false,
            &args,
            &[],
            keys(),
            RenderContext::default(),
        )
        .unwrap();
        assert_eq!(
            plain.sql,
            "SELECT \"t0\".\"id\", \"t0\".\"authorId\", \"t0\".\"views\" FROM \"Post\" AS \"t0\" WHERE \
             \"t0\".\"authorId\" = ANY($1) AND (\"t0\".\"views\" > $2) ORDER BY \"t0\".\"views\" DESC, \
             \"t0\".\"id\" ASC"
        );
        // take/skip per parent: a window partitioned by the link; a join table link.
        args.take = Some(3);
        args.skip = Some(1);
        let counted = [Counted {
            relation: &POSTS,
            filter: None,
        }];
        let windowed = include_select(
            &LIKED,
            &[&POST_ID],
            ChildLink::JoinColumn(&crate::relation::JOIN_B),
            true,
            &args,
            &counted,
            keys(),
            RenderContext::default(),
        )
        .unwrap();
        assert_eq!(
            windowed.sql,
            "SELECT * FROM (SELECT \"t0\".\"id\", \"j\".\"B\" AS \"_key_0\", (SELECT COUNT(*) FROM \"Post\" \
             AS \"r1\" WHERE \"r1\".\"authorId\" = \"t0\".\"id\") AS \"_count_0\", ROW_NUMBER() OVER \
             (PARTITION BY \"j\".\"B\" ORDER BY \"t0\".\"views\" DESC, \"t0\".\"id\" ASC) AS \
             \"_row_number\" FROM \"Post\" AS \"t0\" JOIN \"app\".\"_Likes\" AS \"j\" ON \"j\".\"A\" = \
             \"t0\".\"id\" WHERE \"j\".\"B\" = ANY($1) AND (\"t0\".\"views\" > $2)) AS \"w\" WHERE \
             \"_row_number\" > $3 AND \"_row_number\" <= $4 ORDER BY \"_row_number\" ASC"
        );
        assert_eq!(windowed.params.len(), 4);
    }
}

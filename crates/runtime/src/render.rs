//! Query descriptions → SQL text plus bound parameters. Pure: no I/O, no generics over
//! models (so it is compiled once, not once per generated model).
//!
//! Invariants: every value is a `$n` parameter; every identifier goes through
//! [`quote_ident`]; keywords are upper case. The text of a statement depends only on the
//! query's *shape* (which columns, which operators, NULL or not), never on values, so the
//! per-connection prepared-statement cache is keyed by it and stays small (lists bind as
//! one array: `= ANY($1)`).

use crate::error::Error;
use crate::include::Counted;
use crate::model::{Column, ModelMeta, Table};
use crate::query::{
    AssignOp, CompareOp, FilterNode, JsonOp, LikeKind, Nulls, OrderTarget, OrderTerm,
};
use crate::relation::RelationMeta;
use crate::value::{Param, Value};

mod column_lists;
mod relations;
pub(crate) mod tenancy;
pub(crate) use relations::include_select;
pub(crate) use tenancy::Access;

/// The alias of a statement's main table when a subquery must refer to it.
pub(crate) const TOP: &str = "t0";

/// PostgreSQL's limit on parameters per statement is 65535; chunked inserts stay well below.
pub(crate) const MAX_PARAMS: usize = 32_767;

/// Appends `name` as a quoted identifier: `"name"`, inner quotes doubled. The one place
/// identifiers enter SQL.
pub fn quote_ident(name: &str, out: &mut String) {
    out.reserve(name.len() + 2);
    out.push('"');
    // A byte loop, not `contains`: identifiers are short, and memchr's setup costs more.
    if name.bytes().any(|byte| byte == b'"') {
        out.push_str(&name.replace('"', "\"\""));
    } else {
        out.push_str(name);
    }
    out.push('"');
}

/// Appends `$index` (a placeholder), its digits written directly: `fmt::write` was a
/// measurable part of rendering a statement.
fn push_placeholder(index: usize, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = index;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push('$');
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}

/// A rendered statement.
#[derive(Debug)]
pub(crate) struct Statement<'v> {
    pub(crate) sql: String,
    pub(crate) params: Vec<Param<'v>>,
    /// Whether to use the prepared-statement cache (false for shapes that vary with data
    /// size, like multi-row inserts, which would grow the cache without bound).
    pub(crate) cacheable: bool,
    /// Why the statement must not run (a tenant-scoped write naming another tenant):
    /// the executor fails with it instead of sending the statement.
    pub(crate) refusal: Option<String>,
}

/// Settings rendering depends on.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RenderContext<'c> {
    /// Schema for tables that name none (the URL's `?schema=`).
    pub(crate) default_schema: Option<&'c str>,
    /// The tenant of a tenant-scoped client (`Client::for_tenant`): statements on
    /// tenant-owned models are restricted to it (`render/tenancy.rs`).
    pub(crate) tenant: Option<&'c Value>,
}

pub(crate) struct SqlWriter<'v> {
    sql: String,
    params: Vec<Param<'v>>,
    default_schema: Option<&'v str>,
    /// Aliases handed out to subqueries (`r1`, `r2`...), unique within the statement.
    aliases: usize,
    tenant: Option<&'v Value>,
    /// The placeholder the tenant was bound to, once it has been.
    tenant_placeholder: Option<usize>,
    refusal: Option<String>,
}

impl<'v> SqlWriter<'v> {
    pub(crate) fn new(ctx: RenderContext<'v>) -> Self {
        SqlWriter {
            // Most statements fit: no regrowth (and copy) of the text. The parameters are
            // reserved at the first one (see `bind`): a count binds none.
            sql: String::with_capacity(512),
            params: Vec::new(),
            default_schema: ctx.default_schema,
            aliases: 0,
            tenant: ctx.tenant,
            tenant_placeholder: None,
            refusal: None,
        }
    }

    /// Renders a full select (the same as [`select`]) into this statement, as a subquery.
    pub(crate) fn render_select_into(
        &mut self,
        model: &ModelMeta,
        columns: &[&'static Column],
        args: &'v SelectArgs,
    ) -> Result<(), Error> {
        render_select(self, model, columns, &[], args)
    }

    /// A fresh alias for a subquery's table.
    fn next_alias(&mut self) -> String {
        self.aliases += 1;
        format!("r{}", self.aliases)
    }

    pub(crate) fn finish(self, cacheable: bool) -> Statement<'v> {
        Statement {
            sql: self.sql,
            params: self.params,
            cacheable,
            refusal: self.refusal,
        }
    }

    /// Refuses the statement (the first reason given wins).
    pub(crate) fn refuse(&mut self, reason: Option<String>) {
        if self.refusal.is_none() {
            self.refusal = reason;
        }
    }

    /// ` FROM table [AS t0] [WHERE (filter) AND tenant]`: the main table of a read
    /// (`count`, `aggregate`, `group_by`), aliased when `aliased` or scoped.
    pub(crate) fn main_table_where(
        &mut self,
        model: &ModelMeta,
        filter: Option<&'v FilterNode>,
        aliased: bool,
    ) {
        self.push(" FROM ");
        self.table(&model.table);
        if aliased || self.scopes(model) {
            self.push(" AS ");
            self.ident(TOP);
        }
        match filter {
            Some(filter) => self.where_scoped(
                model,
                TOP,
                Access::Read,
                Some(&mut |w: &mut SqlWriter<'v>| render_filter(w, filter, None)),
            ),
            None => self.where_scoped(model, TOP, Access::Read, None),
        }
    }

    pub(crate) fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    pub(crate) fn ident(&mut self, name: &str) {
        quote_ident(name, &mut self.sql);
    }

    pub(crate) fn qualified(&mut self, qualifier: Option<&str>, column: &Column) {
        if let Some(qualifier) = qualifier {
            self.ident(qualifier);
            self.sql.push('.');
        }
        self.ident(column.name);
    }

    pub(crate) fn table(&mut self, table: &Table) {
        if let Some(schema) = table.schema.or(self.default_schema) {
            self.ident(schema);
            self.sql.push('.');
        }
        self.ident(table.name);
    }

    pub(crate) fn column_list(&mut self, columns: &[&Column]) {
        column_lists::render(columns, &mut self.sql);
    }

    /// [`column_list`](Self::column_list) for columns of `model`: its full list is
    /// rendered once and copied after.
    fn model_column_list(&mut self, model: &ModelMeta, columns: &[&Column]) {
        column_lists::push_column_list(model, columns, &mut self.sql);
    }

    pub(crate) fn bind(&mut self, param: Param<'v>) {
        if self.params.capacity() == 0 {
            self.params.reserve(8);
        }
        self.params.push(param);
        self.placeholder(self.params.len());
    }

    pub(crate) fn bind_value(&mut self, value: &'v Value) {
        self.bind(Param::Borrowed(value));
    }

    pub(crate) fn placeholder(&mut self, index: usize) {
        push_placeholder(index, &mut self.sql);
    }
}

/// What a `SELECT` (find_many, find_first, find_unique, count) asks for.
#[derive(Clone, Debug)]
pub(crate) struct SelectArgs {
    pub(crate) filter: Option<FilterNode>,
    pub(crate) order_by: Vec<OrderTerm>,
    /// The cursor row's unique criterion.
    pub(crate) cursor: Option<FilterNode>,
    pub(crate) skip: Option<i64>,
    /// Negative: the last `|take|` rows, in order (Prisma's negative take).
    pub(crate) take: Option<i64>,
    pub(crate) distinct: Vec<&'static Column>,
}

impl SelectArgs {
    pub(crate) fn new() -> Self {
        SelectArgs {
            filter: None,
            order_by: Vec::new(),
            cursor: None,
            skip: None,
            take: None,
            distinct: Vec::new(),
        }
    }

    pub(crate) fn add_filter(&mut self, node: FilterNode) {
        self.filter = Some(match self.filter.take() {
            None => node,
            Some(FilterNode::And(mut nodes)) => {
                nodes.push(node);
                FilterNode::And(nodes)
            }
            Some(existing) => FilterNode::And(vec![existing, node]),
        });
    }

    /// Whether results come back reversed and must be flipped after fetching.
    pub(crate) fn reverses(&self) -> bool {
        self.take.is_some_and(|take| take < 0)
    }
}

/// `SELECT columns FROM table ...`. An empty `columns` selects the constant `1` (counts).
pub(crate) fn select<'v>(
    model: &ModelMeta,
    columns: &[&'static Column],
    args: &'v SelectArgs,
    ctx: RenderContext<'v>,
) -> Result<Statement<'v>, Error> {
    select_counted(model, columns, &[], args, ctx)
}

/// [`select`] plus, after `columns`, one `COUNT(*)` column per relation in `counts`
/// (`_count`).
pub(crate) fn select_counted<'v>(
    model: &ModelMeta,
    columns: &[&'static Column],
    counts: &'v [Counted],
    args: &'v SelectArgs,
    ctx: RenderContext<'v>,
) -> Result<Statement<'v>, Error> {
    let mut w = SqlWriter::new(ctx);
    render_select(&mut w, model, columns, counts, args)?;
    Ok(w.finish(true))
}

/// `SELECT COUNT(*) ...`, counting through a subquery when pagination or distinct apply.
pub(crate) fn count<'v>(
    model: &ModelMeta,
    args: &'v SelectArgs,
    ctx: RenderContext<'v>,
) -> Result<Statement<'v>, Error> {
    let mut w = SqlWriter::new(ctx);
    let simple = args.cursor.is_none()
        && args.skip.is_none()
        && args.take.is_none()
        && args.distinct.is_empty();
    if simple {
        w.push("SELECT COUNT(*)");
        let aliased = args.filter.as_ref().is_some_and(FilterNode::has_relations);
        w.main_table_where(model, args.filter.as_ref(), aliased);
    } else {
        w.push("SELECT COUNT(*) FROM (");
        render_select(&mut w, model, &[], &[], args)?;
        w.push(") AS \"sub\"");
    }
    Ok(w.finish(true))
}

/// The ordering a select uses: the requested one, with the primary key breaking ties
/// where a total order is needed (a cursor, a negative take, distinct), reversed for a
/// negative take.
pub(crate) fn effective_order(model: &ModelMeta, args: &SelectArgs) -> Vec<OrderTerm> {
    let reverse = args.reverses();
    let mut order = args.order_by.clone();
    if args.cursor.is_some() || reverse || !args.distinct.is_empty() {
        for key in model.primary_key {
            if !order
                .iter()
                .any(|term| term.plain_column().is_some_and(|c| c.name == key.name))
            {
                order.push(OrderTerm::column(key));
            }
        }
    }
    if reverse {
        order.iter_mut().for_each(|term| *term = term.reversed());
    }
    order
}

fn render_select<'v>(
    w: &mut SqlWriter<'v>,
    model: &ModelMeta,
    columns: &[&'static Column],
    counts: &'v [Counted],
    args: &'v SelectArgs,
) -> Result<(), Error> {
    if args.skip.is_some_and(|skip| skip < 0) {
        return Err(Error::InvalidQuery("skip must not be negative".into()));
    }
    let order = effective_order(model, args);
    let related_order = order.iter().any(OrderTerm::has_relations);
    // Subqueries (relation filters, orderings, counts) refer to the main table as `t0`.
    let aliased = related_order
        || !counts.is_empty()
        || args.filter.as_ref().is_some_and(FilterNode::has_relations)
        || w.scopes(model);

    let distinct = !args.distinct.is_empty();
    if distinct && related_order {
        return Err(Error::InvalidQuery(
            "distinct cannot be combined with ordering by relations".into(),
        ));
    }
    if args.cursor.is_some() && order.iter().any(|t| t.plain_column().is_none()) {
        return Err(Error::InvalidQuery(
            "a cursor needs an ordering by the model's own fields".into(),
        ));
    }
    // With DISTINCT ON, the inner query picks the first row per key in the requested order
    // and the outer one restores that order and paginates (Prisma's in-memory semantics).
    if distinct {
        w.push("SELECT * FROM (SELECT DISTINCT ON (");
        w.column_list(&args.distinct);
        w.push(") ");
    } else {
        w.push("SELECT ");
    }
    w.model_column_list(model, columns);
    let mut listed = columns.len();
    for (i, counted) in counts.iter().enumerate() {
        if listed > 0 {
            w.push(", ");
        }
        relations::render_count(w, counted.relation, TOP, counted.filter.as_ref());
        w.push(" AS ");
        w.ident(&format!("_count_{i}"));
        listed += 1;
    }
    if distinct {
        for term in &order {
            let Some(column) = term.plain_column() else {
                continue;
            };
            if !columns.iter().any(|c| c.name == column.name) {
                if listed > 0 {
                    w.push(", ");
                }
                w.ident(column.name);
                listed += 1;
            }
        }
    }
    if listed == 0 {
        w.push("1");
    }
    w.push(" FROM ");
    w.table(&model.table);
    if aliased {
        w.push(" AS ");
        w.ident(TOP);
    }

    let scoped = w.scopes(model);
    let has_where = args.filter.is_some() || args.cursor.is_some() || scoped;
    if has_where {
        w.push(" WHERE ");
        let mut first = true;
        if let Some(filter) = &args.filter {
            w.push("(");
            render_filter(w, filter, None);
            w.push(")");
            first = false;
        }
        if let Some(cursor) = &args.cursor {
            if !first {
                w.push(" AND ");
            }
            render_cursor(w, model, cursor, &order);
            first = false;
        }
        if scoped {
            if !first {
                w.push(" AND ");
            }
            w.tenant_condition(model, TOP, Access::Read);
        }
    }

    if distinct {
        w.push(" ORDER BY ");
        let mut distinct_order: Vec<OrderTerm> = Vec::new();
        for column in &args.distinct {
            let term = order
                .iter()
                .find(|t| t.plain_column().is_some_and(|c| c.name == column.name))
                .copied();
            distinct_order.push(term.unwrap_or(OrderTerm::column(column)));
        }
        distinct_order.extend(order.iter().copied());
        render_order(w, &distinct_order, None)?;
        w.push(") AS \"distinct\"");
    }
    if !order.is_empty() {
        w.push(" ORDER BY ");
        render_order(w, &order, None)?;
    }
    match args.take.map(i64::unsigned_abs) {
        Some(1) => w.push(" LIMIT 1"),
        Some(take) => {
            w.push(" LIMIT ");
            w.bind(Param::BigInt(i64::try_from(take).unwrap_or(i64::MAX)));
        }
        None => {}
    }
    if let Some(skip) = args.skip.filter(|skip| *skip > 0) {
        w.push(" OFFSET ");
        w.bind(Param::BigInt(skip));
    }
    Ok(())
}

/// `ORDER BY` terms; `qualifier` prefixes plain columns, relation subqueries refer to it
/// (or to [`TOP`]).
pub(crate) fn render_order(
    w: &mut SqlWriter<'_>,
    order: &[OrderTerm],
    qualifier: Option<&str>,
) -> Result<(), Error> {
    for (i, term) in order.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        render_order_value(w, &term.target, qualifier)?;
        w.push(if term.descending { " DESC" } else { " ASC" });
        match term.nulls {
            Some(Nulls::First) => w.push(" NULLS FIRST"),
            Some(Nulls::Last) => w.push(" NULLS LAST"),
            None => {}
        }
    }
    Ok(())
}

/// The expression an ordering sorts by.
fn render_order_value(
    w: &mut SqlWriter<'_>,
    target: &OrderTarget,
    qualifier: Option<&str>,
) -> Result<(), Error> {
    match *target {
        OrderTarget::Column(column) => w.qualified(qualifier, column),
        OrderTarget::Related { ref path, column } => {
            let path: Vec<&'static RelationMeta> = path.iter().flatten().copied().collect();
            relations::render_related_value(w, &path, column, qualifier.unwrap_or(TOP))?;
        }
        OrderTarget::Count(relation) => {
            relations::render_count(w, relation, qualifier.unwrap_or(TOP), None);
        }
        OrderTarget::Aggregate(ref expr) => {
            crate::aggregate::render_aggregate(w, expr, qualifier);
        }
        OrderTarget::Invalid(message) => return Err(Error::InvalidQuery(message.into())),
    }
    Ok(())
}

/// Rows from the cursor row on, in `order` (Prisma's cursor): the cursor row must exist,
/// and the rows compare lexicographically after-or-equal to it on the order columns:
/// `(a > c.a) OR (a = c.a AND b > c.b) OR ... OR (a = c.a AND ... AND z >= c.z)`, each `c.x`
/// a scalar subquery on the cursor row. On nullable columns NULL is a value like any
/// other, placed where the ordering puts it (`= ` is `IS NOT DISTINCT FROM`, `>` also
/// holds for NULL against a value when NULLs sort last), so the result is the rows from
/// the cursor's position on, as Prisma 7 returns them (it slices the ordered rows in
/// memory; its SQL alone would keep every row when the cursor's value is NULL).
fn render_cursor<'v>(
    w: &mut SqlWriter<'v>,
    model: &ModelMeta,
    cursor: &'v FilterNode,
    order: &[OrderTerm],
) {
    // Render the cursor criterion once (binding its values once), reuse the text.
    // On a scoped client the cursor row, too, must be the tenant's.
    const CURSOR: &str = "c";
    let mut cursor_where = String::new();
    std::mem::swap(&mut w.sql, &mut cursor_where);
    render_filter(w, cursor, None);
    w.and_tenant(model, CURSOR, Access::Read);
    std::mem::swap(&mut w.sql, &mut cursor_where);
    let mut from = String::new();
    std::mem::swap(&mut w.sql, &mut from);
    w.table(&model.table);
    if w.scopes(model) {
        w.push(" AS ");
        w.ident(CURSOR);
    }
    std::mem::swap(&mut w.sql, &mut from);

    let subquery = |w: &mut SqlWriter<'_>, column: &Column| {
        w.push("(SELECT ");
        w.ident(column.name);
        w.push(" FROM ");
        w.push(&from);
        w.push(" WHERE ");
        w.push(&cursor_where);
        w.push(")");
    };

    w.push("EXISTS (SELECT 1 FROM ");
    w.push(&from);
    w.push(" WHERE ");
    w.push(&cursor_where);
    w.push(")");
    let columns: Vec<(&'static Column, bool, bool)> = order
        .iter()
        .filter_map(|term| {
            term.plain_column()
                .map(|c| (c, term.descending, term.nulls_sort_last()))
        })
        .collect();
    if columns.is_empty() {
        return;
    }
    w.push(" AND (");
    let n = columns.len();
    for len in (1..=n).rev() {
        if len < n {
            w.push(" OR ");
        }
        w.push("(");
        for (i, &(column, descending, nulls_last)) in columns[..len].iter().enumerate() {
            if i > 0 {
                w.push(" AND ");
            }
            let last = i == len - 1;
            if !column.nullable {
                let op = match (last, descending, len == n) {
                    (false, _, _) => " = ",
                    (true, false, true) => " >= ",
                    (true, false, false) => " > ",
                    (true, true, true) => " <= ",
                    (true, true, false) => " < ",
                };
                w.ident(column.name);
                w.push(op);
                subquery(w, column);
                continue;
            }
            // NULL sorts at one end, so it is equal only to NULL, and after (or before)
            // every value depending on where the ordering puts NULLs.
            if !last || len == n {
                w.push("(");
                w.ident(column.name);
                w.push(" IS NOT DISTINCT FROM ");
                subquery(w, column);
                if last {
                    w.push(" OR ");
                } else {
                    w.push(")");
                    continue;
                }
            } else {
                w.push("(");
            }
            w.ident(column.name);
            w.push(if descending { " < " } else { " > " });
            subquery(w, column);
            w.push(" OR (");
            w.ident(column.name);
            w.push(if nulls_last {
                " IS NULL AND "
            } else {
                " IS NOT NULL AND "
            });
            subquery(w, column);
            w.push(if nulls_last {
                " IS NOT NULL))"
            } else {
                " IS NULL))"
            });
        }
        w.push(")");
    }
    w.push(")");
}

/// Renders a filter tree; `qualifier` prefixes column names (`"t0"."col"`) when set.
pub(crate) fn render_filter<'v>(
    w: &mut SqlWriter<'v>,
    node: &'v FilterNode,
    qualifier: Option<&str>,
) {
    match node {
        FilterNode::And(nodes) | FilterNode::Or(nodes) if nodes.is_empty() => {
            w.push(if matches!(node, FilterNode::And(_)) {
                "TRUE"
            } else {
                "FALSE"
            });
        }
        FilterNode::And(nodes) if nodes.len() == 1 => render_filter(w, &nodes[0], qualifier),
        FilterNode::And(nodes) | FilterNode::Or(nodes) => {
            let joiner = if matches!(node, FilterNode::And(_)) {
                " AND "
            } else {
                " OR "
            };
            w.push("(");
            for (i, node) in nodes.iter().enumerate() {
                if i > 0 {
                    w.push(joiner);
                }
                render_filter(w, node, qualifier);
            }
            w.push(")");
        }
        FilterNode::Not(node) => {
            w.push("NOT (");
            render_filter(w, node, qualifier);
            w.push(")");
        }
        FilterNode::Compare {
            column,
            op,
            value,
            insensitive,
        } => {
            if value.is_null() && matches!(op, CompareOp::Eq | CompareOp::Ne) {
                w.qualified(qualifier, column);
                w.push(if *op == CompareOp::Eq {
                    " IS NULL"
                } else {
                    " IS NOT NULL"
                });
                return;
            }
            let symbol = compare_symbol(*op);
            if *insensitive {
                w.push("LOWER(");
                w.qualified(qualifier, column);
                w.push(")");
                w.push(symbol);
                w.push("LOWER(");
                w.bind_value(value);
                w.push(")");
            } else {
                w.qualified(qualifier, column);
                w.push(symbol);
                w.bind_value(value);
            }
        }
        FilterNode::In {
            column,
            values,
            negated,
            insensitive,
        } => {
            if *negated {
                w.push("NOT (");
            }
            if *insensitive {
                // LOWER on both sides, as Prisma's `mode: insensitive` (the database's
                // lower-casing, not Rust's).
                w.push("LOWER(");
                w.qualified(qualifier, column);
                w.push(") = ANY(ARRAY(SELECT LOWER(\"v\") FROM UNNEST(");
                w.bind_value(values);
                w.push("::text[]) AS \"v\"))");
            } else {
                w.qualified(qualifier, column);
                w.push(" = ANY(");
                w.bind_value(values);
                w.push(")");
            }
            if *negated {
                w.push(")");
            }
        }
        FilterNode::Json { column, path, op } => render_json_filter(w, column, path, op, qualifier),
        FilterNode::Like {
            column,
            kind,
            text,
            insensitive,
        } => {
            w.qualified(qualifier, column);
            w.push(if *insensitive { " ILIKE " } else { " LIKE " });
            w.bind(Param::Text(like_pattern(*kind, text)));
        }
        FilterNode::IsNull { column, negated } => {
            w.qualified(qualifier, column);
            w.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
        }
        FilterNode::ListHas { column, value } => {
            w.bind_value(value);
            w.push(" = ANY(");
            w.qualified(qualifier, column);
            w.push(")");
        }
        FilterNode::ListHasEvery { column, values } => {
            w.qualified(qualifier, column);
            w.push(" @> ");
            w.bind_value(values);
        }
        FilterNode::ListHasSome { column, values } => {
            w.qualified(qualifier, column);
            w.push(" && ");
            w.bind_value(values);
        }
        FilterNode::ListIsEmpty { column, empty } => {
            w.push("COALESCE(array_length(");
            w.qualified(qualifier, column);
            w.push(if *empty {
                ", 1), 0) = 0"
            } else {
                ", 1), 0) > 0"
            });
        }
        FilterNode::Relation {
            relation,
            kind,
            filter,
        } => relations::render_relation_filter(w, relation, *kind, filter, qualifier),
        FilterNode::InJoinTable { relation, key } => {
            relations::render_in_join_table(w, relation, key, qualifier);
        }
        FilterNode::Aggregate { expr, op, value } => {
            crate::aggregate::render_aggregate(w, expr, qualifier);
            w.push(compare_symbol(*op));
            w.bind_value(value);
        }
    }
}

/// The LIKE pattern for `text`: escaped and wrapped for `contains`/`starts_with`/
/// `ends_with`, as it is for an explicit pattern.
pub(crate) fn like_pattern(kind: LikeKind, text: &str) -> String {
    match kind {
        LikeKind::Contains => format!("%{}%", escape_like(text)),
        LikeKind::StartsWith => format!("{}%", escape_like(text)),
        LikeKind::EndsWith => format!("%{}", escape_like(text)),
        LikeKind::Pattern => text.to_owned(),
    }
}

/// A Json filter, as Prisma's query compiler writes it for PostgreSQL: the value at the
/// path is `column #> path` (`#>>` for its text), and every operator but equality also
/// checks the value's Json type, so a string filter never matches a number's text.
/// One deliberate difference: the text of a string is read with `#>>` even at the root
/// (Prisma reads `column::text` there, quotes included, so `string_starts_with` never
/// matches a top-level string).
fn render_json_filter<'v>(
    w: &mut SqlWriter<'v>,
    column: &'static Column,
    path: &'v Value,
    op: &'v JsonOp,
    qualifier: Option<&str>,
) {
    let at = |w: &mut SqlWriter<'v>, text: bool| {
        w.push("(");
        w.qualified(qualifier, column);
        w.push(if text { " #>> " } else { " #> " });
        w.bind_value(path);
        w.push("::text[])");
    };
    let of_type = |w: &mut SqlWriter<'v>, json_type: &str| {
        w.push(" AND JSONB_TYPEOF(");
        at(w, false);
        w.push(") = ");
        w.bind(Param::Text(json_type.to_owned()));
    };
    w.push("(");
    match op {
        JsonOp::Compare(op, value) => {
            at(w, false);
            w.push(compare_symbol(*op));
            w.bind_value(value);
            w.push("::jsonb");
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                let json_type = match value {
                    Value::Json(serde_json::Value::Number(_)) => "number",
                    Value::Json(serde_json::Value::String(_)) => "string",
                    Value::Json(serde_json::Value::Bool(_)) => "boolean",
                    Value::Json(serde_json::Value::Array(_)) => "array",
                    Value::Json(serde_json::Value::Object(_)) => "object",
                    _ => "null",
                };
                of_type(w, json_type);
            }
        }
        JsonOp::String {
            kind,
            text,
            insensitive,
        } => {
            at(w, true);
            w.push(if *insensitive { " ILIKE " } else { " LIKE " });
            w.bind(Param::Text(like_pattern(*kind, text)));
            of_type(w, "string");
        }
        JsonOp::ArrayContains(value) => {
            at(w, false);
            w.push(" @> ");
            w.bind_value(value);
            w.push("::jsonb");
            of_type(w, "array");
        }
        JsonOp::ArrayEnd { first, value } => {
            w.push("(");
            at(w, false);
            w.push(if *first { " -> 0)" } else { " -> -1)" });
            w.push(" = ");
            w.bind_value(value);
            w.push("::jsonb");
            of_type(w, "array");
        }
    }
    w.push(")");
}

fn compare_symbol(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => " = ",
        CompareOp::Ne => " <> ",
        CompareOp::Lt => " < ",
        CompareOp::Lte => " <= ",
        CompareOp::Gt => " > ",
        CompareOp::Gte => " >= ",
    }
}

/// Escapes LIKE's wildcards (`%`, `_`) and the escape character itself with a backslash,
/// PostgreSQL's default escape character: `contains`/`starts_with`/`ends_with` match text
/// literally. Public for raw queries and studio, so there is one copy.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One row of an insert: `None` cells render `DEFAULT`.
pub(crate) type InsertRow<'v> = Vec<Option<&'v Value>>;

/// What to do on a unique conflict.
pub(crate) enum OnConflict<'v> {
    Fail,
    /// `ON CONFLICT DO NOTHING` (create_many's skip_duplicates).
    DoNothing,
    /// `ON CONFLICT (target) DO UPDATE SET ...` (native upsert).
    DoUpdate {
        target: &'v [&'static Column],
        assigns: &'v [(&'static Column, AssignOp, Value)],
    },
}

/// `INSERT INTO table (columns) VALUES ... [ON CONFLICT ...] [RETURNING ...]`.
///
/// A cell a row leaves out is `DEFAULT`. Client-side defaults and `@updatedAt` are the
/// caller's: every create path fills them first ([`crate::defaults::fill`]).
pub(crate) fn insert<'v>(
    model: &ModelMeta,
    columns: &[&'static Column],
    rows: &[InsertRow<'v>],
    on_conflict: OnConflict<'v>,
    returning: Option<&[&'static Column]>,
    ctx: RenderContext<'v>,
) -> Statement<'v> {
    const ALIAS: &str = TOP;
    let mut w = SqlWriter::new(ctx);
    // A tenant-scoped client: the tenant column is set (never to another tenant), and a
    // single row is inserted only when the parents it names are the tenant's.
    let refusal = w.refuse_other_tenant(
        model,
        rows.iter().flat_map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| (*c, row.get(i).copied().flatten()))
        }),
    );
    w.refuse(refusal);
    let tenant_column = w.tenant_column_to_add(model, columns);
    let added: Vec<&'static Column>;
    let columns = match tenant_column {
        Ok(None) => columns,
        Ok(Some(column)) => {
            added = columns.iter().copied().chain([column]).collect();
            &added[..]
        }
        Err(reason) => {
            w.refuse(Some(reason));
            columns
        }
    };
    let guarded = w.scopes(model)
        && rows.len() == 1
        && rows[0].iter().all(Option::is_some)
        && model.tenant.is_some_and(|scope| {
            !scope.parents.is_empty() || matches!(scope.key, crate::model::TenantKey::Parent(_))
        });
    w.push("INSERT INTO ");
    w.table(&model.table);
    w.push(" AS ");
    w.ident(ALIAS);
    if columns.is_empty() && rows.len() <= 1 {
        w.push(" DEFAULT VALUES");
    } else {
        // With no explicit column, name one so that `VALUES (DEFAULT), ...` is valid.
        let fallback;
        let columns = if columns.is_empty() {
            fallback = model.columns.first().map(|c| vec![*c]).unwrap_or_default();
            fallback.as_slice()
        } else {
            columns
        };
        w.push(" (");
        w.column_list(columns);
        // Guarded: `SELECT values WHERE <parents are the tenant's>` (no DEFAULT there: the
        // row sets every column it names).
        w.push(if guarded { ") SELECT " } else { ") VALUES " });
        for (r, row) in rows.iter().enumerate() {
            if r > 0 {
                w.push(", ");
            }
            if !guarded {
                w.push("(");
            }
            for i in 0..columns.len() {
                if i > 0 {
                    w.push(", ");
                }
                match row.get(i).copied().flatten() {
                    Some(value) => w.bind_value(value),
                    None if i >= row.len() => w.bind_tenant(),
                    None => w.push("DEFAULT"),
                }
            }
            if !guarded {
                w.push(")");
            }
        }
        if guarded {
            w.push(" WHERE TRUE");
            let row = &rows[0];
            w.and_parent_guards(model, |name| {
                columns
                    .iter()
                    .position(|c| c.name == name)
                    .and_then(|i| row.get(i).copied().flatten())
            });
        }
    }
    match on_conflict {
        OnConflict::Fail => {}
        OnConflict::DoNothing => w.push(" ON CONFLICT DO NOTHING"),
        OnConflict::DoUpdate { target, assigns } => {
            let refusal = w.refuse_other_tenant(
                model,
                assigns
                    .iter()
                    .map(|(column, op, value)| (*column, (*op == AssignOp::Set).then_some(value))),
            );
            w.refuse(refusal);
            w.push(" ON CONFLICT (");
            w.column_list(target);
            w.push(") DO UPDATE SET ");
            if assigns.is_empty() {
                // A no-op update, so that RETURNING yields the existing row.
                if let Some(column) = target.first() {
                    w.ident(column.name);
                    w.push(" = ");
                    w.qualified(Some(ALIAS), column);
                }
            } else {
                render_assigns(&mut w, assigns, Some(ALIAS));
            }
            // An existing row of another tenant is not updated (nor returned).
            if w.scopes(model) {
                w.push(" WHERE ");
                w.tenant_condition(model, ALIAS, Access::Write);
            }
        }
    }
    if let Some(returning) = returning {
        render_returning(&mut w, model, returning);
    }
    // A handful of row counts per column set is a bounded number of shapes; bulk inserts
    // would each add one, so they run unprepared.
    let cacheable = rows.len() <= 8;
    w.finish(cacheable)
}

/// `UPDATE table SET ... WHERE filter [RETURNING ...]`.
pub(crate) fn update<'v>(
    model: &ModelMeta,
    assigns: &'v [(&'static Column, AssignOp, Value)],
    filter: Option<&'v FilterNode>,
    returning: Option<&[&'static Column]>,
    ctx: RenderContext<'v>,
) -> Statement<'v> {
    let mut w = SqlWriter::new(ctx);
    let scoped = w.scopes(model);
    let refusal = w.refuse_other_tenant(
        model,
        assigns
            .iter()
            .map(|(column, op, value)| (*column, (*op == AssignOp::Set).then_some(value))),
    );
    w.refuse(refusal);
    w.push("UPDATE ");
    w.table(&model.table);
    if scoped || filter.is_some_and(FilterNode::has_relations) {
        w.push(" AS ");
        w.ident(TOP);
    }
    w.push(" SET ");
    render_assigns(&mut w, assigns, None);
    if let Some(filter) = filter {
        w.push(" WHERE ");
        render_filter(&mut w, filter, None);
    }
    if scoped {
        w.push(if filter.is_some() { " AND " } else { " WHERE " });
        w.tenant_condition(model, TOP, Access::Write);
        // A foreign key set to a parent of another tenant matches no row.
        w.and_parent_guards(model, |name| {
            assigns
                .iter()
                .find(|(c, op, _)| c.name == name && *op == AssignOp::Set)
                .map(|(_, _, value)| value)
        });
    }
    if let Some(returning) = returning {
        render_returning(&mut w, model, returning);
    }
    w.finish(true)
}

/// `DELETE FROM table WHERE filter [RETURNING ...]`.
pub(crate) fn delete<'v>(
    model: &ModelMeta,
    filter: Option<&'v FilterNode>,
    returning: Option<&[&'static Column]>,
    ctx: RenderContext<'v>,
) -> Statement<'v> {
    let mut w = SqlWriter::new(ctx);
    let scoped = w.scopes(model);
    w.push("DELETE FROM ");
    w.table(&model.table);
    if scoped || filter.is_some_and(FilterNode::has_relations) {
        w.push(" AS ");
        w.ident(TOP);
    }
    if let Some(filter) = filter {
        w.push(" WHERE ");
        render_filter(&mut w, filter, None);
    }
    if scoped {
        w.push(if filter.is_some() { " AND " } else { " WHERE " });
        w.tenant_condition(model, TOP, Access::Write);
    }
    if let Some(returning) = returning {
        render_returning(&mut w, model, returning);
    }
    w.finish(true)
}

pub(crate) fn render_assigns<'v>(
    w: &mut SqlWriter<'v>,
    assigns: &'v [(&'static Column, AssignOp, Value)],
    qualifier: Option<&str>,
) {
    for (i, (column, op, value)) in assigns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(column.name);
        w.push(" = ");
        let operator = match op {
            AssignOp::Set => {
                w.bind_value(value);
                continue;
            }
            AssignOp::Push => {
                w.push("array_cat(");
                w.qualified(qualifier, column);
                w.push(", ");
                w.bind_value(value);
                w.push(")");
                continue;
            }
            AssignOp::Increment => " + ",
            AssignOp::Decrement => " - ",
            AssignOp::Multiply => " * ",
            AssignOp::Divide => " / ",
        };
        w.qualified(qualifier, column);
        w.push(operator);
        w.bind_value(value);
    }
}

pub(crate) fn render_returning(
    w: &mut SqlWriter<'_>,
    model: &ModelMeta,
    columns: &[&'static Column],
) {
    w.push(" RETURNING ");
    if columns.is_empty() {
        w.push("1");
    } else {
        w.model_column_list(model, columns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::FilterNode;

    static ID: Column = Column::not_null("id");
    static NAME: Column = Column::nullable("name");
    static META: ModelMeta = ModelMeta {
        name: "User",
        table: Table {
            schema: Some("app"),
            name: "User",
        },
        columns: &[&ID, &NAME],
        primary_key: &[&ID],
        updated_at: &[],
        tenant: None,
    };

    #[test]
    fn quotes_identifiers() {
        let cases = [
            ("plain", "\"plain\""),
            ("with\"quote", "\"with\"\"quote\""),
            ("$1; DROP", "\"$1; DROP\""),
        ];
        for (name, expected) in cases {
            let mut out = String::new();
            quote_ident(name, &mut out);
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn writes_placeholders() {
        for (index, expected) in [(1, "$1"), (9, "$9"), (10, "$10"), (65535, "$65535")] {
            let mut out = String::new();
            push_placeholder(index, &mut out);
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn lists_model_columns_from_the_remembered_text_only_for_the_full_list() {
        for _ in 0..2 {
            let mut w = SqlWriter::new(RenderContext::default());
            w.model_column_list(&META, META.columns);
            w.push(" | ");
            // Same address, shorter: not the model's list.
            w.model_column_list(&META, &META.columns[..1]);
            w.push(" | ");
            w.model_column_list(&META, &[&NAME]);
            assert_eq!(w.finish(true).sql, "\"id\", \"name\" | \"id\" | \"name\"");
        }
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(escape_like(r"50%_off\now"), r"50\%\_off\\now");
    }

    #[test]
    fn renders_select_with_every_clause() {
        let mut args = SelectArgs::new();
        args.add_filter(FilterNode::Like {
            column: &NAME,
            kind: LikeKind::Contains,
            text: "a%".into(),
            insensitive: true,
        });
        args.order_by.push(OrderTerm {
            target: OrderTarget::Column(&NAME),
            descending: true,
            nulls: Some(Nulls::Last),
        });
        args.take = Some(-5);
        args.skip = Some(2);
        let statement = select(&META, META.columns, &args, RenderContext::default()).unwrap();
        assert_eq!(
            statement.sql,
            "SELECT \"id\", \"name\" FROM \"app\".\"User\" WHERE (\"name\" ILIKE $1) \
             ORDER BY \"name\" ASC NULLS FIRST, \"id\" DESC LIMIT $2 OFFSET $3"
        );
        assert_eq!(statement.params.len(), 3);
    }

    #[test]
    fn renders_cursor_conditions_lexicographically() {
        let mut args = SelectArgs::new();
        args.cursor = Some(FilterNode::Compare {
            column: &ID,
            op: CompareOp::Eq,
            value: Value::Int(3),
            insensitive: false,
        });
        args.order_by.push(OrderTerm::column(&NAME));
        let statement = select(&META, &[&ID], &args, RenderContext::default()).unwrap();
        let sub = |c: &str| format!("(SELECT \"{c}\" FROM \"app\".\"User\" WHERE \"id\" = $1)");
        let expected = format!(
            "SELECT \"id\" FROM \"app\".\"User\" WHERE EXISTS (SELECT 1 FROM \"app\".\"User\" WHERE \"id\" = $1) \
             AND (((\"name\" IS NOT DISTINCT FROM {n}) AND \"id\" >= {i}) \
             OR ((\"name\" > {n} OR (\"name\" IS NULL AND {n} IS NOT NULL)))) \
             ORDER BY \"name\" ASC, \"id\" ASC",
            n = sub("name"),
            i = sub("id"),
        );
        assert_eq!(statement.sql, expected);
        assert_eq!(statement.params.len(), 1);
    }
}

//! Requests the page sends (a page of rows, a create, an update, a delete) and the SQL they
//! become: pure functions from a request and the [`Catalog`] to a [`Statement`], every value
//! a bound parameter and every identifier quoted with the runtime's `quote_ident`.
//!
//! Rows are addressed by the model's row key ([`Catalog::row_key`]); sorting always ends with
//! the key so pages are stable; relation links become a `related` condition (a subquery on the
//! model the link came from), so one mechanism serves to-one, to-many and many-to-many links.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::Utc;
use refract_runtime::{Value, escape_like, ids, quote_ident};
use refract_schema::ir::{
    Arity, DefaultKind, FieldId, Model, RelationFieldRef, RelationKind, ScalarField,
};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::catalog::{Catalog, Shape};
use crate::error::ApiError;
use crate::values::{read_expr, scalar_value, text_fallback, to_value};

/// The most rows one page may ask for.
pub const MAX_TAKE: u64 = 500;
/// The most rows one delete may name.
pub const MAX_DELETE: usize = 1000;

/// SQL text and its parameters, in `$n` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Statement {
    fn new() -> Statement {
        Statement {
            sql: String::new(),
            params: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Binds `value` and writes its placeholder, cast where the column's type needs it.
    fn param(&mut self, value: Value, shape: Shape, list: bool) {
        self.params.push(value);
        let n = self.params.len();
        match (shape, list) {
            (Shape::Cast(ty), false) => write!(self.sql, "CAST(${n}::text AS {ty})"),
            (Shape::Cast(ty), true) => write!(self.sql, "CAST(${n}::text[] AS {ty}[])"),
            _ => write!(self.sql, "${n}"),
        }
        .unwrap_or(());
    }

    /// The parameters as tokio-postgres takes them.
    pub fn param_refs(&self) -> Vec<&(dyn refract_runtime::postgres_types::ToSql + Sync)> {
        self.params
            .iter()
            .map(|v| v as &(dyn refract_runtime::postgres_types::ToSql + Sync))
            .collect()
    }
}

fn column(alias: &str, field: &ScalarField) -> String {
    let mut out = String::with_capacity(alias.len() + field.db_name.len() + 3);
    out.push_str(alias);
    out.push('.');
    quote_ident(&field.db_name, &mut out);
    out
}

fn ident(name: &str) -> String {
    let mut out = String::new();
    quote_ident(name, &mut out);
    out
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortBy {
    pub field: String,
    pub direction: Direction,
}

/// Filter operators; which ones a field offers depends on its type (see the page).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum FilterOp {
    Equals,
    Not,
    Contains,
    StartsWith,
    EndsWith,
    Lt,
    Lte,
    Gt,
    Gte,
    IsNull,
    IsNotNull,
    /// A list field holds the value.
    Has,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
    #[serde(default)]
    pub value: Json,
}

/// "The rows that `model`'s record `key` links to through its relation field `field`."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Related {
    pub model: String,
    pub field: String,
    pub key: BTreeMap<String, Json>,
}

/// A page of rows: filters, related condition, order, window.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageRequest {
    #[serde(default)]
    pub skip: u64,
    #[serde(default = "default_take")]
    pub take: u64,
    #[serde(default)]
    pub order_by: Vec<SortBy>,
    #[serde(default)]
    pub filters: Vec<Filter>,
    #[serde(default)]
    pub related: Option<Related>,
}

fn default_take() -> u64 {
    50
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub values: BTreeMap<String, Json>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    pub key: BTreeMap<String, Json>,
    pub values: BTreeMap<String, Json>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub keys: Vec<BTreeMap<String, Json>>,
}

/// Links or unlinks two rows through a many-to-many relation field of the request's model
/// (its implicit join table): the row `key` of that model and the row `target` of the
/// related one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub field: String,
    pub key: BTreeMap<String, Json>,
    pub target: BTreeMap<String, Json>,
    /// `true` links (Prisma's `connect`), `false` unlinks (`disconnect`).
    pub linked: bool,
}

/// The SELECT list of a model's shown fields, in [`Catalog::fields`] order, then the
/// [`text_fallback`]s of the fields that have one, in the same order (the order
/// `api::row_json` reads them in).
fn select_list(catalog: &Catalog, model: &Model, alias: &str) -> String {
    let values = catalog
        .fields(model)
        .map(|(_, f)| read_expr(f, &column(alias, f)));
    let fallbacks = catalog
        .fields(model)
        .filter_map(|(_, f)| text_fallback(f, &column(alias, f)));
    values.chain(fallbacks).collect::<Vec<_>>().join(", ")
}

/// `SELECT ... LIMIT/OFFSET` for one page, and the `count(*)` of all matching rows.
pub fn page(
    catalog: &Catalog,
    model: &Model,
    request: &PageRequest,
) -> Result<(Statement, Statement), ApiError> {
    let take = request.take.clamp(1, MAX_TAKE);
    let skip = i64::try_from(request.skip).map_err(|_| ApiError::invalid("skip is too large"))?;
    let table = catalog.table_sql(model);

    let mut select = Statement::new();
    write!(
        select.sql,
        "SELECT {} FROM {table} AS t",
        select_list(catalog, model, "t")
    )
    .unwrap_or(());
    where_clause(catalog, model, request, &mut select)?;
    order_by(catalog, model, &request.order_by, &mut select)?;
    select.push(" LIMIT ");
    select.param(Value::BigInt(take as i64), Shape::Int, false);
    select.push(" OFFSET ");
    select.param(Value::BigInt(skip), Shape::Int, false);

    let mut count = Statement::new();
    write!(count.sql, "SELECT count(*) FROM {table} AS t").unwrap_or(());
    where_clause(catalog, model, request, &mut count)?;
    Ok((select, count))
}

fn where_clause(
    catalog: &Catalog,
    model: &Model,
    request: &PageRequest,
    out: &mut Statement,
) -> Result<(), ApiError> {
    let mut first = true;
    let mut and = |out: &mut Statement| {
        out.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    for filter in &request.filters {
        and(out);
        filter_sql(catalog, model, filter, out)?;
    }
    if let Some(related) = &request.related {
        and(out);
        related_sql(catalog, model, related, out)?;
    }
    Ok(())
}

fn filter_sql(
    catalog: &Catalog,
    model: &Model,
    filter: &Filter,
    out: &mut Statement,
) -> Result<(), ApiError> {
    let (_, field) = catalog.field(model, &filter.field)?;
    let shape = Shape::of(field);
    let list = field.arity == Arity::List;
    let col = column("t", field);
    let refuse = || {
        ApiError::invalid(format!(
            "the filter `{:?}` does not apply to `{}`",
            filter.op, field.name
        ))
    };
    if shape == Shape::ReadOnly && !matches!(filter.op, FilterOp::IsNull | FilterOp::IsNotNull) {
        return Err(refuse());
    }
    match filter.op {
        FilterOp::IsNull => write!(out.sql, "{col} IS NULL").unwrap_or(()),
        FilterOp::IsNotNull => write!(out.sql, "{col} IS NOT NULL").unwrap_or(()),
        FilterOp::Equals | FilterOp::Not if filter.value.is_null() => {
            let not = if filter.op == FilterOp::Not {
                " NOT"
            } else {
                ""
            };
            write!(out.sql, "{col} IS{not} NULL").unwrap_or(())
        }
        FilterOp::Equals | FilterOp::Not => {
            let value = filter_value(catalog, field, &filter.value)?;
            let op = if filter.op == FilterOp::Equals {
                "="
            } else {
                "IS DISTINCT FROM"
            };
            write!(out.sql, "{col} {op} ").unwrap_or(());
            out.param(value, shape, list);
        }
        FilterOp::Contains | FilterOp::StartsWith | FilterOp::EndsWith => {
            if list || shape == Shape::Bytes {
                return Err(refuse());
            }
            let Json::String(text) = &filter.value else {
                return Err(ApiError::invalid_value(
                    &field.name,
                    "expected text to search for",
                ));
            };
            let escaped = escape_like(text);
            let pattern = match filter.op {
                FilterOp::Contains => format!("%{escaped}%"),
                FilterOp::StartsWith => format!("{escaped}%"),
                _ => format!("%{escaped}"),
            };
            write!(out.sql, "{col}::text ILIKE ").unwrap_or(());
            out.param(Value::String(pattern), Shape::Text, false);
        }
        FilterOp::Lt | FilterOp::Lte | FilterOp::Gt | FilterOp::Gte => {
            if list || !(shape.is_ordered() || shape == Shape::Text) {
                return Err(refuse());
            }
            let value = filter_value(catalog, field, &filter.value)?;
            let op = match filter.op {
                FilterOp::Lt => "<",
                FilterOp::Lte => "<=",
                FilterOp::Gt => ">",
                _ => ">=",
            };
            write!(out.sql, "{col} {op} ").unwrap_or(());
            out.param(value, shape, false);
        }
        FilterOp::Has => {
            if !list {
                return Err(refuse());
            }
            let value = scalar_value(catalog.schema(), field, shape, &filter.value)?;
            out.param(value, shape, false);
            write!(out.sql, " = ANY({col})").unwrap_or(());
        }
    }
    Ok(())
}

/// A filter's value: as a written value, except that a required field's filter may not
/// be `null` (handled before) and lists compare whole.
fn filter_value(catalog: &Catalog, field: &ScalarField, json: &Json) -> Result<Value, ApiError> {
    if field.arity == Arity::List {
        return to_value(catalog.schema(), field, json);
    }
    scalar_value(catalog.schema(), field, Shape::of(field), json)
}

/// The rows of `target` linked from one record of `related.model` through its relation field
/// `related.field`, as a condition on `t`.
fn related_sql(
    catalog: &Catalog,
    target: &Model,
    related: &Related,
    out: &mut Statement,
) -> Result<(), ApiError> {
    let (source_id, source) = catalog.model(&related.model)?;
    let (index, source_field) = source.find_relation_field(&related.field).ok_or_else(|| {
        ApiError::invalid(format!(
            "model `{}` has no relation field `{}`",
            source.name, related.field
        ))
    })?;
    let target_model = catalog.schema().model(source_field.related_model);
    if target_model.name != target.name {
        return Err(ApiError::invalid(format!(
            "`{}.{}` links to `{}`, not `{}`",
            source.name, source_field.name, target_model.name, target.name
        )));
    }
    let relation = catalog.schema().relation(source_field.relation);
    let source_table = catalog.table_sql(source);

    // The source record, by its key, inside a subquery on alias `s`.
    let mut source_where = Statement {
        sql: String::new(),
        params: std::mem::take(&mut out.params),
    };
    key_condition(catalog, source, "s", &related.key, &mut source_where)?;
    out.params = source_where.params;
    let source_where = source_where.sql;

    let columns = |model: &Model, alias: &str, fields: &[FieldId]| -> String {
        fields
            .iter()
            .map(|f| column(alias, model.field(*f)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match relation.kind {
        RelationKind::ManyToMany => {
            let (own, other) = join_columns(relation, source_id, index);
            let source_id_field = single_id(source)?;
            let target_id_field = single_id(target)?;
            write!(
                out.sql,
                "{} IN (SELECT j.{} FROM {} AS j WHERE j.{} IN (SELECT {} FROM {source_table} AS s WHERE {source_where}))",
                column("t", target_id_field),
                ident(other),
                catalog.join_table_sql(source, &relation.db_name),
                ident(own),
                column("s", source_id_field),
            )
            .unwrap_or(());
        }
        RelationKind::OneToOne | RelationKind::OneToMany => {
            let (target_cols, source_cols) = if !source_field.fields.is_empty() {
                // The source holds the foreign key: target.references = source.fields.
                (
                    columns(target, "t", &source_field.references),
                    columns(source, "s", &source_field.fields),
                )
            } else {
                // The target holds it: target.fields = source.references.
                let holder = catalog.schema().relation_field(relation.referencing);
                (
                    columns(target, "t", &holder.fields),
                    columns(source, "s", &holder.references),
                )
            };
            write!(
                out.sql,
                "({target_cols}) IN (SELECT {source_cols} FROM {source_table} AS s WHERE {source_where})"
            )
            .unwrap_or(());
        }
    }
    Ok(())
}

/// The join table's columns for a many-to-many field of model `model` (its own side,
/// then the other): `A` is the side Prisma names first (the referencing one).
fn join_columns(
    relation: &refract_schema::ir::Relation,
    model: refract_schema::ir::ModelId,
    index: usize,
) -> (&'static str, &'static str) {
    if relation.referencing == (RelationFieldRef { model, index }) {
        ("A", "B")
    } else {
        ("B", "A")
    }
}

/// What to do with the link between two rows of a [`LinkRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOp {
    /// `INSERT ... ON CONFLICT DO NOTHING RETURNING 1`: one row if a link was made.
    Link,
    /// `DELETE ... RETURNING 1`: one row if a link was removed.
    Unlink,
    /// `SELECT 1`: one row if the two rows are linked (after a link that made none).
    Exists,
}

/// The statement for `op` on the implicit join table of the request's many-to-many field,
/// the two rows addressed by their keys (a missing row matches nothing).
pub fn link(
    catalog: &Catalog,
    model: &Model,
    request: &LinkRequest,
    op: LinkOp,
) -> Result<Statement, ApiError> {
    let (model_id, _) = catalog.model(&model.name)?;
    let (index, field) = model.find_relation_field(&request.field).ok_or_else(|| {
        ApiError::invalid(format!(
            "model `{}` has no relation field `{}`",
            model.name, request.field
        ))
    })?;
    let relation = catalog.schema().relation(field.relation);
    if relation.kind != RelationKind::ManyToMany {
        return Err(ApiError::invalid(format!(
            "`{}.{}` is not a many-to-many relation: edit its foreign key fields instead",
            model.name, field.name
        )));
    }
    let target = catalog.schema().model(field.related_model);
    let (own, other) = join_columns(relation, model_id, index);
    let (own_id, target_id) = (
        column("s", single_id(model)?),
        column("t", single_id(target)?),
    );
    let join = catalog.join_table_sql(model, &relation.db_name);
    let (own, other) = (ident(own), ident(other));
    let tables = format!(
        "{} AS s, {} AS t",
        catalog.table_sql(model),
        catalog.table_sql(target)
    );
    let mut statement = Statement::new();
    statement.sql = match op {
        LinkOp::Link => format!(
            "INSERT INTO {join} ({own}, {other}) SELECT {own_id}, {target_id} FROM {tables} WHERE "
        ),
        LinkOp::Unlink => format!(
            "DELETE FROM {join} AS j USING {tables} WHERE j.{own} = {own_id} AND j.{other} = {target_id} AND "
        ),
        LinkOp::Exists => format!(
            "SELECT 1 FROM {join} AS j, {tables} WHERE j.{own} = {own_id} AND j.{other} = {target_id} AND "
        ),
    };
    key_condition(catalog, model, "s", &request.key, &mut statement)?;
    statement.push(" AND ");
    key_condition(catalog, target, "t", &request.target, &mut statement)?;
    statement.push(match op {
        LinkOp::Link => " ON CONFLICT DO NOTHING RETURNING 1",
        LinkOp::Unlink => " RETURNING 1",
        LinkOp::Exists => "",
    });
    Ok(statement)
}

fn single_id(model: &Model) -> Result<&ScalarField, ApiError> {
    match model.primary_key.as_ref().map(|pk| pk.fields.as_slice()) {
        Some([only]) => Ok(model.field(only.field)),
        _ => Err(ApiError::invalid(format!(
            "model `{}` has no single-field id for its many-to-many relation",
            model.name
        ))),
    }
}

/// `alias.k1 = $a AND alias.k2 = $b` for the model's row key, from a key object.
fn key_condition(
    catalog: &Catalog,
    model: &Model,
    alias: &str,
    key: &BTreeMap<String, Json>,
    out: &mut Statement,
) -> Result<(), ApiError> {
    let key_fields = catalog.row_key(model).ok_or_else(|| {
        ApiError::invalid(format!(
            "rows of `{}` cannot be addressed: it has no id or unique fields",
            model.name
        ))
    })?;
    for (i, index_field) in key_fields.iter().enumerate() {
        let field = model.field(index_field.field);
        let json = key
            .get(&field.name)
            .ok_or_else(|| ApiError::invalid(format!("the row key lacks `{}`", field.name)))?;
        let value = to_value(catalog.schema(), field, json)?;
        if i > 0 {
            out.push(" AND ");
        }
        write!(out.sql, "{} = ", column(alias, field)).unwrap_or(());
        out.param(value, Shape::of(field), false);
    }
    if key.len() != key_fields.len() {
        return Err(ApiError::invalid(format!(
            "the row key of `{}` has {} fields",
            model.name,
            key_fields.len()
        )));
    }
    Ok(())
}

fn order_by(
    catalog: &Catalog,
    model: &Model,
    sort: &[SortBy],
    out: &mut Statement,
) -> Result<(), ApiError> {
    let mut terms: Vec<String> = Vec::new();
    let mut used: Vec<FieldId> = Vec::new();
    for sort_by in sort {
        let (id, field) = catalog.field(model, &sort_by.field)?;
        let shape = Shape::of(field);
        if field.arity == Arity::List || shape == Shape::ReadOnly {
            return Err(ApiError::invalid(format!(
                "`{}` cannot be sorted",
                field.name
            )));
        }
        if used.contains(&id) {
            continue;
        }
        used.push(id);
        let direction = match sort_by.direction {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        };
        terms.push(format!("{} {direction}", column("t", field)));
    }
    // The key last, so every page has one order and no row shows on two pages.
    for index_field in catalog.row_key(model).unwrap_or_default() {
        if !used.contains(&index_field.field) {
            used.push(index_field.field);
            terms.push(format!(
                "{} ASC",
                column("t", model.field(index_field.field))
            ));
        }
    }
    if !terms.is_empty() {
        write!(out.sql, " ORDER BY {}", terms.join(", ")).unwrap_or(());
    }
    Ok(())
}

fn ensure_editable(catalog: &Catalog, model: &Model) -> Result<(), ApiError> {
    if catalog.is_editable(model) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "`{}` is read-only here: {}",
            model.name,
            if model.is_view() {
                "it is a view"
            } else {
                "it has no id or unique fields to address rows by"
            }
        )))
    }
}

/// A field the page may write.
fn writable<'m>(
    catalog: &Catalog,
    model: &'m Model,
    name: &str,
) -> Result<&'m ScalarField, ApiError> {
    let (_, field) = catalog.field(model, name)?;
    if Shape::of(field) == Shape::ReadOnly {
        return Err(ApiError::invalid_value(
            &field.name,
            "fields of unsupported types cannot be written",
        ));
    }
    Ok(field)
}

/// The value Prisma's client would fill in for an omitted field: client-side id defaults
/// and `@updatedAt`. Database defaults are left to the database.
fn client_default(field: &ScalarField) -> Option<Value> {
    if field.is_updated_at {
        return Some(Value::DateTime(Utc::now()));
    }
    let kind = &field.default.as_ref()?.kind;
    Some(Value::String(match kind {
        DefaultKind::Uuid(7) => ids::uuid_v7(),
        DefaultKind::Uuid(_) => ids::uuid_v4(),
        DefaultKind::Cuid(2) => ids::cuid2(),
        DefaultKind::Cuid(_) => ids::cuid(),
        DefaultKind::Nanoid(size) => ids::nanoid(size.map_or(21, usize::from)),
        DefaultKind::Ulid => ids::ulid(),
        _ => return None,
    }))
}

/// `INSERT ... RETURNING` for a new row.
pub fn create(
    catalog: &Catalog,
    model: &Model,
    request: &CreateRequest,
) -> Result<Statement, ApiError> {
    ensure_editable(catalog, model)?;
    let mut columns = Vec::new();
    let mut values = Statement::new();
    for (name, json) in &request.values {
        let field = writable(catalog, model, name)?;
        let value = to_value(catalog.schema(), field, json)?;
        if !columns.is_empty() {
            values.push(", ");
        }
        columns.push(ident(&field.db_name));
        values.param(value, Shape::of(field), field.arity == Arity::List);
    }
    let mut missing = Vec::new();
    for (_, field) in catalog.fields(model) {
        if request.values.contains_key(&field.name) {
            continue;
        }
        if let Some(value) = client_default(field) {
            if !columns.is_empty() {
                values.push(", ");
            }
            columns.push(ident(&field.db_name));
            values.param(value, Shape::of(field), false);
        } else if Catalog::is_required_on_create(field) {
            missing.push(field.name.clone());
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            Some("P2012"),
            format!(
                "Missing a required value at {}",
                missing
                    .iter()
                    .map(|f| format!("`{}.{f}`", model.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_fields(missing));
    }
    let mut statement = Statement {
        sql: format!("INSERT INTO {} AS t ", catalog.table_sql(model)),
        params: values.params,
    };
    if columns.is_empty() {
        statement.push("DEFAULT VALUES");
    } else {
        write!(
            statement.sql,
            "({}) VALUES ({})",
            columns.join(", "),
            values.sql
        )
        .unwrap_or(());
    }
    write!(
        statement.sql,
        " RETURNING {}",
        select_list(catalog, model, "t")
    )
    .unwrap_or(());
    Ok(statement)
}

/// `UPDATE ... WHERE key RETURNING` for one row; `@updatedAt` fields not given are set to now.
pub fn update(
    catalog: &Catalog,
    model: &Model,
    request: &UpdateRequest,
) -> Result<Statement, ApiError> {
    ensure_editable(catalog, model)?;
    if request.values.is_empty() {
        return Err(ApiError::invalid("nothing to update"));
    }
    let mut statement = Statement::new();
    write!(
        statement.sql,
        "UPDATE {} AS t SET ",
        catalog.table_sql(model)
    )
    .unwrap_or(());
    let mut first = true;
    for (name, json) in &request.values {
        let field = writable(catalog, model, name)?;
        let value = to_value(catalog.schema(), field, json)?;
        if !first {
            statement.push(", ");
        }
        first = false;
        write!(statement.sql, "{} = ", ident(&field.db_name)).unwrap_or(());
        statement.param(value, Shape::of(field), field.arity == Arity::List);
    }
    for (_, field) in catalog.fields(model) {
        if field.is_updated_at && !request.values.contains_key(&field.name) {
            write!(statement.sql, ", {} = ", ident(&field.db_name)).unwrap_or(());
            statement.param(Value::DateTime(Utc::now()), Shape::DateTime, false);
        }
    }
    statement.push(" WHERE ");
    key_condition(catalog, model, "t", &request.key, &mut statement)?;
    write!(
        statement.sql,
        " RETURNING {}",
        select_list(catalog, model, "t")
    )
    .unwrap_or(());
    Ok(statement)
}

/// One `DELETE` for all the rows named: all of them go, or (on an error) none.
pub fn delete(
    catalog: &Catalog,
    model: &Model,
    request: &DeleteRequest,
) -> Result<Statement, ApiError> {
    ensure_editable(catalog, model)?;
    if request.keys.is_empty() {
        return Err(ApiError::invalid("no rows to delete"));
    }
    if request.keys.len() > MAX_DELETE {
        return Err(ApiError::invalid(format!(
            "at most {MAX_DELETE} rows can be deleted at once"
        )));
    }
    let mut statement = Statement::new();
    write!(
        statement.sql,
        "DELETE FROM {} AS t WHERE ",
        catalog.table_sql(model)
    )
    .unwrap_or(());
    for (i, key) in request.keys.iter().enumerate() {
        if i > 0 {
            statement.push(" OR ");
        }
        statement.push("(");
        key_condition(catalog, model, "t", key, &mut statement)?;
        statement.push(")");
    }
    Ok(statement)
}

/// `SELECT count(*)` of a whole model.
pub fn count_all(catalog: &Catalog, model: &Model) -> String {
    format!("SELECT count(*) FROM {}", catalog.table_sql(model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> Catalog {
        let validated = crate::test_schema(
            r#"
            datasource db {
            provider = "postgresql"
            }
            enum Role {
            ADMIN
            VIEWER
            }
            model User {
              id        String   @id @default(cuid())
              email     String   @unique
              name      String?
              role      Role     @default(VIEWER)
              balance   Decimal?
              tags      String[]
              updatedAt DateTime @updatedAt
              posts     Post[]
              groups    Group[]
            }
            model Post {
              id       Int    @id @default(autoincrement())
              title    String
              authorId String @map("author_id")
              author   User   @relation(fields: [authorId], references: [id])
              @@map("posts")
            }
            model Group {
              id    Int    @id
              users User[]
            }
            "#,
        );
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        Catalog::new(validated.schema, None)
    }

    fn page_sql(model: &str, request: Json) -> Result<(Statement, Statement), ApiError> {
        let catalog = catalog();
        let (_, model) = catalog.model(model).unwrap();
        let request: PageRequest = serde_json::from_value(request).unwrap();
        page(&catalog, model, &request)
    }

    #[test]
    fn renders_a_page_with_filters_sort_and_window() {
        let (select, count) = page_sql(
            "User",
            json!({
                "skip": 100, "take": 25,
                "orderBy": [{"field": "email", "direction": "desc"}],
                "filters": [
                    {"field": "email", "op": "contains", "value": "50%_off"},
                    {"field": "role", "op": "equals", "value": "ADMIN"},
                    {"field": "balance", "op": "gte", "value": "10.5"},
                    {"field": "name", "op": "isNull"},
                    {"field": "tags", "op": "has", "value": "x"}
                ]
            }),
        )
        .unwrap();
        assert_eq!(
            select.sql,
            "SELECT t.\"id\"::text, t.\"email\"::text, t.\"name\"::text, t.\"role\"::text, \
             t.\"balance\"::text, to_jsonb(t.\"tags\")::text, t.\"updatedAt\", \
             t.\"updatedAt\"::text FROM \"User\" AS t \
             WHERE t.\"email\"::text ILIKE $1 AND t.\"role\" = $2 \
             AND t.\"balance\" >= CAST($3::text AS numeric) AND t.\"name\" IS NULL \
             AND $4 = ANY(t.\"tags\") ORDER BY t.\"email\" DESC, t.\"id\" ASC LIMIT $5 OFFSET $6"
        );
        assert_eq!(
            select.params,
            vec![
                Value::String("%50\\%\\_off%".into()),
                Value::Enum("ADMIN".into()),
                Value::String("10.5".into()),
                Value::String("x".into()),
                Value::BigInt(25),
                Value::BigInt(100),
            ]
        );
        assert_eq!(
            count.sql,
            "SELECT count(*) FROM \"User\" AS t WHERE t.\"email\"::text ILIKE $1 AND t.\"role\" = $2 \
             AND t.\"balance\" >= CAST($3::text AS numeric) AND t.\"name\" IS NULL AND $4 = ANY(t.\"tags\")"
        );
        assert_eq!(count.params.len(), 4);
    }

    /// Studio fills client-side defaults as the generated client does: `cuid(2)` is a
    /// CUID2 (24 characters, a letter first), not a version-1 cuid (25, `c` first).
    #[test]
    fn client_defaults_follow_each_format() {
        let validated = crate::test_schema(
            r#"
            datasource db {
            provider = "postgresql"
            }
            model Ids {
              a String @id @default(cuid(2))
              b String @default(cuid())
              c String @default(uuid(7))
              d String @default(nanoid(8))
              e String @default(ulid())
            }
            "#,
        );
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        let model = &validated.schema.models[0];
        let value = |name: &str| {
            let field = model
                .fields
                .iter()
                .find(|field| field.name == name)
                .unwrap();
            match client_default(field) {
                Some(Value::String(text)) => text,
                other => panic!("{name}: {other:?}"),
            }
        };
        let cuid2 = value("a");
        assert_eq!(cuid2.len(), 24, "{cuid2}");
        assert!(cuid2.starts_with(|c: char| c.is_ascii_lowercase()));
        assert_eq!(value("b").len(), 25);
        assert!(value("b").starts_with('c'));
        assert_eq!(&value("c")[14..15], "7");
        assert_eq!(value("d").len(), 8);
        assert_eq!(value("e").len(), 26);
    }

    #[test]
    fn caps_the_window_and_refuses_what_does_not_fit() {
        let (select, _) = page_sql("Post", json!({"take": 100000})).unwrap();
        assert_eq!(select.params[0], Value::BigInt(MAX_TAKE as i64));
        let refused = [
            json!({"filters": [{"field": "nope", "op": "equals", "value": 1}]}),
            json!({"filters": [{"field": "title", "op": "has", "value": "x"}]}),
            json!({"filters": [{"field": "id", "op": "equals", "value": "abc"}]}),
            json!({"orderBy": [{"field": "tags", "direction": "asc"}]}),
        ];
        for request in refused {
            let model = if request.to_string().contains("tags") {
                "User"
            } else {
                "Post"
            };
            assert!(page_sql(model, request.clone()).is_err(), "{request}");
        }
    }

    #[test]
    fn renders_relation_links_as_subqueries() {
        let cases = [
            (
                "Post",
                json!({"model": "User", "field": "posts", "key": {"id": "u1"}}),
                "WHERE (t.\"author_id\") IN (SELECT s.\"id\" FROM \"User\" AS s WHERE s.\"id\" = $1)",
            ),
            (
                "User",
                json!({"model": "Post", "field": "author", "key": {"id": 7}}),
                "WHERE (t.\"id\") IN (SELECT s.\"author_id\" FROM \"posts\" AS s WHERE s.\"id\" = $1)",
            ),
            (
                "Group",
                json!({"model": "User", "field": "groups", "key": {"id": "u1"}}),
                "WHERE t.\"id\" IN (SELECT j.\"A\" FROM \"_GroupToUser\" AS j WHERE j.\"B\" IN \
                 (SELECT s.\"id\" FROM \"User\" AS s WHERE s.\"id\" = $1))",
            ),
            (
                "User",
                json!({"model": "Group", "field": "users", "key": {"id": 3}}),
                "WHERE t.\"id\" IN (SELECT j.\"B\" FROM \"_GroupToUser\" AS j WHERE j.\"A\" IN \
                 (SELECT s.\"id\" FROM \"Group\" AS s WHERE s.\"id\" = $1))",
            ),
        ];
        for (model, related, expected) in cases {
            let (select, _) = page_sql(model, json!({ "related": related })).unwrap();
            assert!(
                select.sql.contains(expected),
                "{model} {related}:\n{}",
                select.sql
            );
        }
        assert!(
            page_sql(
                "Group",
                json!({"related": {"model": "User", "field": "posts", "key": {"id": "u1"}}})
            )
            .is_err()
        );
    }

    #[test]
    fn renders_writes() {
        let catalog = catalog();
        let (_, user) = catalog.model("User").unwrap();
        let create_request: CreateRequest =
            serde_json::from_value(json!({"values": {"email": "a@b.c", "balance": "1.25"}}))
                .unwrap();
        let insert = create(&catalog, user, &create_request).unwrap();
        assert!(
            insert.sql.starts_with(
                "INSERT INTO \"User\" AS t (\"balance\", \"email\", \"id\", \"updatedAt\") \
                 VALUES (CAST($1::text AS numeric), $2, $3, $4) RETURNING t.\"id\"::text"
            ),
            "{}",
            insert.sql
        );
        assert!(matches!(&insert.params[2], Value::String(id) if id.len() >= 20));

        let missing: CreateRequest =
            serde_json::from_value(json!({"values": {"name": "x"}})).unwrap();
        let error = create(&catalog, user, &missing).unwrap_err();
        assert_eq!(error.code, Some("P2012"));
        assert_eq!(error.fields, vec!["email".to_owned()]);

        let update_request: UpdateRequest =
            serde_json::from_value(json!({"key": {"id": "u1"}, "values": {"name": null}})).unwrap();
        let statement = update(&catalog, user, &update_request).unwrap();
        assert!(
            statement.sql.starts_with(
                "UPDATE \"User\" AS t SET \"name\" = $1, \"updatedAt\" = $2 WHERE t.\"id\" = $3 RETURNING "
            ),
            "{}",
            statement.sql
        );
        assert_eq!(statement.params[0], Value::Null);

        let delete_request: DeleteRequest =
            serde_json::from_value(json!({"keys": [{"id": "a"}, {"id": "b"}]})).unwrap();
        let statement = delete(&catalog, user, &delete_request).unwrap();
        assert_eq!(
            statement.sql,
            "DELETE FROM \"User\" AS t WHERE (t.\"id\" = $1) OR (t.\"id\" = $2)"
        );
        let bad_key: DeleteRequest =
            serde_json::from_value(json!({"keys": [{"email": "a"}]})).unwrap();
        assert!(delete(&catalog, user, &bad_key).is_err());
    }
}

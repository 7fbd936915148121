//! Requests the page sends (a page of rows, a create, an update, a delete, a link) and what
//! each asks of the runtime: pure functions from a request and the [`Catalog`] to the
//! arguments of one [`refract_runtime::dynamic`] call, values converted and checked against
//! their fields ([`crate::values`]) so a bad request is refused with the field named before
//! anything reaches the database. The SQL is the runtime's.
//!
//! Rows are addressed by the model's row key ([`Catalog::row_key`], the primary key of the
//! model's [`refract_runtime::ModelMeta`]); sorting always ends with the key so pages are
//! stable; relation links become a [`Condition::LinkedTo`] on the relation seen from the
//! other side, so one mechanism serves to-one, to-many and many-to-many links.

use std::collections::BTreeMap;

use refract_runtime::dynamic::{Comparison, Condition, FindMany, Sort, TextMatch};
use refract_runtime::{Column, RelationMeta, Value};
use refract_schema::ir::{Arity, Model, ModelId, RelationFieldRef, RelationKind, ScalarField};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::catalog::{Catalog, Shape};
use crate::error::ApiError;
use crate::values::{scalar_value, to_value};

/// Values to write, by column.
pub type Data = Vec<(&'static Column, Value)>;

/// The most rows one page may ask for.
pub const MAX_TAKE: u64 = 500;
/// The most rows one delete may name.
pub const MAX_DELETE: usize = 1000;

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

/// A shown field and its column.
fn column<'m>(
    catalog: &Catalog,
    id: ModelId,
    model: &'m Model,
    name: &str,
) -> Result<(&'m ScalarField, &'static Column), ApiError> {
    let (field_id, field) = catalog.field(model, name)?;
    let column = catalog
        .described(id)?
        .columns
        .get(field_id.0 as usize)
        .copied()
        .flatten()
        .ok_or_else(|| {
            ApiError::invalid(format!("model `{}` has no field `{name}`", model.name))
        })?;
    Ok((field, column))
}

/// One page: the conditions, the order (the row key last), the window.
pub fn find_many(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    request: &PageRequest,
) -> Result<FindMany, ApiError> {
    let take = request.take.clamp(1, MAX_TAKE);
    let skip = i64::try_from(request.skip).map_err(|_| ApiError::invalid("skip is too large"))?;
    let mut conditions = Vec::new();
    for filter in &request.filters {
        conditions.push(condition(catalog, id, model, filter)?);
    }
    if let Some(related) = &request.related {
        conditions.push(related_condition(catalog, model, related)?);
    }
    Ok(FindMany {
        conditions,
        order_by: order_by(catalog, id, model, &request.order_by)?,
        skip,
        take: Some(take as i64),
    })
}

fn condition(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    filter: &Filter,
) -> Result<Condition, ApiError> {
    let (field, column) = column(catalog, id, model, &filter.field)?;
    let shape = Shape::of(field);
    let list = field.arity == Arity::List;
    let refuse = || {
        ApiError::invalid(format!(
            "the filter `{:?}` does not apply to `{}`",
            filter.op, field.name
        ))
    };
    if shape == Shape::ReadOnly && !matches!(filter.op, FilterOp::IsNull | FilterOp::IsNotNull) {
        return Err(refuse());
    }
    let compare = |op: Comparison, value: Value| Condition::Compare { column, op, value };
    Ok(match filter.op {
        FilterOp::IsNull | FilterOp::IsNotNull => Condition::IsNull {
            column,
            negated: filter.op == FilterOp::IsNotNull,
        },
        FilterOp::Equals | FilterOp::Not => {
            let value = if filter.value.is_null() {
                Value::Null
            } else {
                filter_value(catalog, field, &filter.value)?
            };
            let op = if filter.op == FilterOp::Equals {
                Comparison::Equals
            } else {
                Comparison::NotEquals
            };
            compare(op, value)
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
            Condition::TextMatches {
                column,
                kind: match filter.op {
                    FilterOp::Contains => TextMatch::Contains,
                    FilterOp::StartsWith => TextMatch::StartsWith,
                    _ => TextMatch::EndsWith,
                },
                text: text.clone(),
            }
        }
        FilterOp::Lt | FilterOp::Lte | FilterOp::Gt | FilterOp::Gte => {
            if list || !(shape.is_ordered() || shape == Shape::Text) {
                return Err(refuse());
            }
            let value = filter_value(catalog, field, &filter.value)?;
            let op = match filter.op {
                FilterOp::Lt => Comparison::Lt,
                FilterOp::Lte => Comparison::Lte,
                FilterOp::Gt => Comparison::Gt,
                _ => Comparison::Gte,
            };
            compare(op, value)
        }
        FilterOp::Has => {
            if !list {
                return Err(refuse());
            }
            Condition::ListHas {
                column,
                value: scalar_value(catalog.schema(), field, shape, &filter.value)?,
            }
        }
    })
}

/// A filter's value: as a written value, except that a required field's filter may not
/// be `null` (handled before) and lists compare whole.
fn filter_value(catalog: &Catalog, field: &ScalarField, json: &Json) -> Result<Value, ApiError> {
    if field.arity == Arity::List {
        return to_value(catalog.schema(), field, json);
    }
    scalar_value(catalog.schema(), field, Shape::of(field), json)
}

/// "Linked to `related.model`'s record `related.key` through its relation field
/// `related.field`", as a condition on the rows of `target`.
fn related_condition(
    catalog: &Catalog,
    target: &Model,
    related: &Related,
) -> Result<Condition, ApiError> {
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
    let relations = relation(catalog, source_id, source, index)?;
    Ok(Condition::LinkedTo {
        relation: relations.backward,
        key: key_values(catalog, source, &related.key)?,
    })
}

fn relation(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    index: usize,
) -> Result<crate::meta::Relations, ApiError> {
    catalog
        .relation(RelationFieldRef { model: id, index })
        .ok_or_else(|| {
            let field = &model.relation_fields[index];
            let kind = catalog.schema().relation(field.relation).kind;
            ApiError::invalid(if kind == RelationKind::ManyToMany {
                format!(
                    "model `{}` or `{}` has no single-field id for the many-to-many relation `{}`",
                    model.name,
                    catalog.schema().model(field.related_model).name,
                    field.name
                )
            } else {
                format!("`{}.{}` cannot be followed here", model.name, field.name)
            })
        })
}

/// The values of a row key object, in the order of the model's row key.
fn key_values(
    catalog: &Catalog,
    model: &Model,
    key: &BTreeMap<String, Json>,
) -> Result<Vec<Value>, ApiError> {
    let key_fields = catalog.row_key(model).ok_or_else(|| {
        ApiError::invalid(format!(
            "rows of `{}` cannot be addressed: it has no id or unique fields",
            model.name
        ))
    })?;
    let values = key_fields
        .iter()
        .map(|index_field| {
            let field = model.field(index_field.field);
            let json = key
                .get(&field.name)
                .ok_or_else(|| ApiError::invalid(format!("the row key lacks `{}`", field.name)))?;
            to_value(catalog.schema(), field, json)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if key.len() != key_fields.len() {
        return Err(ApiError::invalid(format!(
            "the row key of `{}` has {} fields",
            model.name,
            key_fields.len()
        )));
    }
    Ok(values)
}

fn order_by(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    sort: &[SortBy],
) -> Result<Vec<Sort>, ApiError> {
    let mut terms: Vec<Sort> = Vec::new();
    let add = |terms: &mut Vec<Sort>, column: &'static Column, descending| {
        if !terms.iter().any(|t| std::ptr::eq(t.column, column)) {
            terms.push(Sort { column, descending });
        }
    };
    for sort_by in sort {
        let (field, column) = column(catalog, id, model, &sort_by.field)?;
        if field.arity == Arity::List || Shape::of(field) == Shape::ReadOnly {
            return Err(ApiError::invalid(format!(
                "`{}` cannot be sorted",
                field.name
            )));
        }
        add(&mut terms, column, sort_by.direction == Direction::Desc);
    }
    // The key last, so every page has one order and no row shows on two pages.
    for column in catalog.described(id)?.meta.primary_key {
        add(&mut terms, column, false);
    }
    Ok(terms)
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

/// The values a request writes, by column; fields of unsupported types are refused.
fn written(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    values: &BTreeMap<String, Json>,
) -> Result<Data, ApiError> {
    values
        .iter()
        .map(|(name, json)| {
            let (field, column) = column(catalog, id, model, name)?;
            if Shape::of(field) == Shape::ReadOnly {
                return Err(ApiError::invalid_value(
                    &field.name,
                    "fields of unsupported types cannot be written",
                ));
            }
            Ok((column, to_value(catalog.schema(), field, json)?))
        })
        .collect()
}

/// The data of a new row. Fields left out get their client-side defaults in the runtime
/// (ids, `now()`, `@updatedAt`, `[]`) or the database's; a required field with neither is
/// refused here as Prisma refuses it (P2012).
pub fn create_data(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    request: &CreateRequest,
) -> Result<Data, ApiError> {
    ensure_editable(catalog, model)?;
    let data = written(catalog, id, model, &request.values)?;
    let missing: Vec<String> = catalog
        .fields(model)
        .filter(|(_, field)| {
            !request.values.contains_key(&field.name) && Catalog::is_required_on_create(field)
        })
        .map(|(_, field)| field.name.clone())
        .collect();
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
    Ok(data)
}

/// The key of the row to update and the values to set (`@updatedAt` fields not given are
/// stamped by the runtime).
pub fn update_data(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    request: &UpdateRequest,
) -> Result<(Vec<Value>, Data), ApiError> {
    ensure_editable(catalog, model)?;
    if request.values.is_empty() {
        return Err(ApiError::invalid("nothing to update"));
    }
    let data = written(catalog, id, model, &request.values)?;
    Ok((key_values(catalog, model, &request.key)?, data))
}

/// The keys of the rows to delete, all in one statement.
pub fn delete_keys(
    catalog: &Catalog,
    model: &Model,
    request: &DeleteRequest,
) -> Result<Vec<Vec<Value>>, ApiError> {
    ensure_editable(catalog, model)?;
    if request.keys.is_empty() {
        return Err(ApiError::invalid("no rows to delete"));
    }
    if request.keys.len() > MAX_DELETE {
        return Err(ApiError::invalid(format!(
            "at most {MAX_DELETE} rows can be deleted at once"
        )));
    }
    request
        .keys
        .iter()
        .map(|key| key_values(catalog, model, key))
        .collect()
}

/// The many-to-many relation a link request names and the join keys of its two rows.
pub fn link_args(
    catalog: &Catalog,
    id: ModelId,
    model: &Model,
    request: &LinkRequest,
) -> Result<(&'static RelationMeta, Value, Value), ApiError> {
    let (index, field) = model.find_relation_field(&request.field).ok_or_else(|| {
        ApiError::invalid(format!(
            "model `{}` has no relation field `{}`",
            model.name, request.field
        ))
    })?;
    if catalog.schema().relation(field.relation).kind != RelationKind::ManyToMany {
        return Err(ApiError::invalid(format!(
            "`{}.{}` is not a many-to-many relation: edit its foreign key fields instead",
            model.name, field.name
        )));
    }
    let relation = relation(catalog, id, model, index)?.forward;
    let target_id = field.related_model;
    let target = catalog.schema().model(target_id);
    // A many-to-many relation needs a single-field id on both sides: the row key.
    let single = |values: Vec<Value>| values.into_iter().next().unwrap_or(Value::Null);
    Ok((
        relation,
        single(key_values(catalog, model, &request.key)?),
        single(key_values(catalog, target, &request.target)?),
    ))
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
        Catalog::new(validated.schema)
    }

    fn page(catalog: &Catalog, model: &str, request: Json) -> Result<FindMany, ApiError> {
        let (id, model) = catalog.model(model).unwrap();
        let request: PageRequest = serde_json::from_value(request).unwrap();
        find_many(catalog, id, model, &request)
    }

    #[test]
    fn turns_a_page_request_into_conditions_order_and_window() {
        let catalog = catalog();
        let query = page(
            &catalog,
            "User",
            json!({
                "skip": 100, "take": 25,
                "orderBy": [{"field": "email", "direction": "desc"}],
                "filters": [
                    {"field": "email", "op": "contains", "value": "50%_off"},
                    {"field": "role", "op": "equals", "value": "ADMIN"},
                    {"field": "balance", "op": "gte", "value": "10.5"},
                    {"field": "name", "op": "not", "value": "x"},
                    {"field": "name", "op": "isNull"},
                    {"field": "tags", "op": "has", "value": "x"}
                ]
            }),
        )
        .unwrap();
        let described: Vec<String> = query
            .conditions
            .iter()
            .map(|condition| match condition {
                Condition::Compare { column, op, value } => {
                    format!("{} {op:?} {value:?}", column.name)
                }
                Condition::TextMatches { column, kind, text } => {
                    format!("{} {kind:?} {text}", column.name)
                }
                Condition::IsNull { column, negated } => format!("{} null {negated}", column.name),
                Condition::ListHas { column, value } => format!("{} has {value:?}", column.name),
                Condition::LinkedTo { .. } => "linked".into(),
            })
            .collect();
        assert_eq!(
            described,
            [
                "email Contains 50%_off",
                "role Equals Enum(\"ADMIN\")",
                "balance Gte String(\"10.5\")",
                "name NotEquals String(\"x\")",
                "name null false",
                "tags has String(\"x\")",
            ]
        );
        let order: Vec<(&str, bool)> = query
            .order_by
            .iter()
            .map(|sort| (sort.column.name, sort.descending))
            .collect();
        assert_eq!(order, [("email", true), ("id", false)]);
        assert_eq!((query.skip, query.take), (100, Some(25)));
    }

    #[test]
    fn caps_the_window_and_refuses_what_does_not_fit() {
        let catalog = catalog();
        let query = page(&catalog, "Post", json!({"take": 100000})).unwrap();
        assert_eq!(query.take, Some(MAX_TAKE as i64));
        let refused = [
            (
                "Post",
                json!({"filters": [{"field": "nope", "op": "equals", "value": 1}]}),
            ),
            (
                "Post",
                json!({"filters": [{"field": "title", "op": "has", "value": "x"}]}),
            ),
            (
                "Post",
                json!({"filters": [{"field": "id", "op": "equals", "value": "abc"}]}),
            ),
            (
                "User",
                json!({"orderBy": [{"field": "tags", "direction": "asc"}]}),
            ),
            (
                "Group",
                json!({"related": {"model": "User", "field": "posts", "key": {"id": "u1"}}}),
            ),
        ];
        for (model, request) in refused {
            assert!(page(&catalog, model, request.clone()).is_err(), "{request}");
        }
    }

    /// A relation link filters the rows of the other side through the relation seen from
    /// that side: to-one, to-many and many-to-many alike.
    #[test]
    fn relation_links_follow_the_relation_backwards() {
        let catalog = catalog();
        for (model, related, source) in [
            (
                "Post",
                json!({"model": "User", "field": "posts", "key": {"id": "u1"}}),
                "User",
            ),
            (
                "User",
                json!({"model": "Post", "field": "author", "key": {"id": 7}}),
                "Post",
            ),
            (
                "Group",
                json!({"model": "User", "field": "groups", "key": {"id": "u1"}}),
                "User",
            ),
        ] {
            let query = page(&catalog, model, json!({ "related": related })).unwrap();
            let [Condition::LinkedTo { relation, key }] = query.conditions.as_slice() else {
                panic!("{model}: {:?}", query.conditions);
            };
            assert_eq!(
                (relation.model.name, relation.related.name),
                (model, source)
            );
            assert_eq!(key.len(), 1);
        }
    }

    #[test]
    fn writes_check_their_values_and_required_fields() {
        let catalog = catalog();
        let (id, user) = catalog.model("User").unwrap();
        let request: CreateRequest =
            serde_json::from_value(json!({"values": {"email": "a@b.c", "balance": "1.25"}}))
                .unwrap();
        let data = create_data(&catalog, id, user, &request).unwrap();
        let columns: Vec<&str> = data.iter().map(|(c, _)| c.name).collect();
        assert_eq!(columns, ["balance", "email"]);

        let missing: CreateRequest =
            serde_json::from_value(json!({"values": {"name": "x"}})).unwrap();
        let error = create_data(&catalog, id, user, &missing).unwrap_err();
        assert_eq!(error.code, Some("P2012"));
        assert_eq!(error.fields, vec!["email".to_owned()]);

        let update: UpdateRequest =
            serde_json::from_value(json!({"key": {"id": "u1"}, "values": {"name": null}})).unwrap();
        let (key, data) = update_data(&catalog, id, user, &update).unwrap();
        assert_eq!(key, [Value::String("u1".into())]);
        assert_eq!(data[0].1, Value::Null);

        let bad_key: DeleteRequest =
            serde_json::from_value(json!({"keys": [{"email": "a"}]})).unwrap();
        assert!(delete_keys(&catalog, user, &bad_key).is_err());
    }
}

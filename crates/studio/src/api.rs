//! The HTTP handlers: the page and its assets, the schema description, row counts, the
//! four row operations, and many-to-many links. Each handler turns a request into the
//! arguments of one [`refract_runtime::dynamic`] call ([`query`]), runs it on the runtime
//! (its renderer, its executor) and answers JSON; failures answer an [`ApiError`] the page
//! shows beside the action that caused it.

use std::sync::Arc;

use axum::Json as JsonBody;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::join_all;
use refract_runtime::dynamic::{self, LinkChange};
use refract_runtime::{AsExecutor, Client};
use refract_schema::ir::{Model, ModelId};
use serde_json::{Map, Value as Json, json};

use crate::assets;
use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::guard::Access;
use crate::query::{self, CreateRequest, DeleteRequest, LinkRequest, PageRequest, UpdateRequest};
use crate::values::{Cell, UNREADABLE_KEY, cell_json, has_text_fallback};

/// What every handler shares.
pub struct AppState {
    pub catalog: Catalog,
    pub client: Client,
    pub access: Arc<Access>,
    /// The schema description, rendered once.
    pub description: String,
}

pub type Shared = Arc<AppState>;

pub async fn index(State(app): State<Shared>) -> Response {
    let page = assets::INDEX_HTML.replace("{{TOKEN}}", app.access.token());
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        assets::STUDIO_JS,
    )
        .into_response()
}

pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        assets::STUDIO_CSS,
    )
        .into_response()
}

pub async fn favicon() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml"),
        )],
        assets::FAVICON_SVG,
    )
        .into_response()
}

pub async fn schema(State(app): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.description.clone(),
    )
        .into_response()
}

/// Row counts of every model, counted concurrently; a model whose table is missing gets its
/// error instead of a count.
pub async fn counts(State(app): State<Shared>) -> JsonBody<Json> {
    let models: Vec<(ModelId, &Model)> = app.catalog.models().collect();
    let results = join_all(models.iter().map(|&(id, _)| {
        let app = &app;
        async move {
            let described = app.catalog.described(id).map_err(|e| e.to_string())?;
            dynamic::count(app.client.executor(), described.meta, &[])
                .await
                .map_err(|e| ApiError::from_db_plain(e).to_string())
        }
    }))
    .await;
    let mut counts = Map::new();
    let mut errors = Map::new();
    for ((_, model), result) in models.iter().zip(results) {
        match result {
            Ok(n) => {
                counts.insert(model.name.clone(), json!(n));
            }
            Err(message) => {
                errors.insert(model.name.clone(), json!(message));
            }
        }
    }
    JsonBody(json!({ "counts": counts, "errors": errors }))
}

/// The request's JSON body; a malformed one is 400, one over axum's body limit 413.
fn body<T>(body: Result<JsonBody<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|JsonBody(value)| value).map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(rejection.status(), None, rejection.body_text())
        } else {
            ApiError::invalid(rejection.body_text())
        }
    })
}

fn rows_json(
    app: &AppState,
    model: &Model,
    rows: &[refract_runtime::Row],
) -> Result<Vec<Json>, ApiError> {
    rows.iter()
        .map(|row| row_json(&app.catalog, model, row))
        .collect()
}

fn row_json(
    catalog: &Catalog,
    model: &Model,
    row: &refract_runtime::Row,
) -> Result<Json, ApiError> {
    let mut object = Map::new();
    let mut unreadable = Vec::new();
    // The text fallbacks follow the fields, in field order (see `meta::Described::reads`).
    let mut next_fallback = catalog.fields(model).count();
    for (index, (_, field)) in catalog.fields(model).enumerate() {
        let fallback = has_text_fallback(field).then(|| {
            next_fallback += 1;
            next_fallback - 1
        });
        let value = match cell_json(row, index, fallback, field)? {
            Cell::Value(value) => value,
            Cell::Unreadable(text) => {
                unreadable.push(Json::String(field.name.clone()));
                Json::String(text)
            }
        };
        object.insert(field.name.clone(), value);
    }
    if !unreadable.is_empty() {
        object.insert(UNREADABLE_KEY.to_owned(), Json::Array(unreadable));
    }
    Ok(Json::Object(object))
}

/// One page of rows and the number of rows matching, queried concurrently.
pub async fn page(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<PageRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (id, model) = app.catalog.model(&model)?;
    let query = query::find_many(&app.catalog, id, model, &request)?;
    let described = app.catalog.described(id)?;
    let ex = app.client.executor();
    let (rows, total) = tokio::join!(
        dynamic::find_many(ex, described.meta, &described.reads, &query),
        dynamic::count(ex, described.meta, &query.conditions)
    );
    let db_error = |e| ApiError::from_db(e, &app.catalog, model);
    let rows = rows_json(&app, model, &rows.map_err(db_error)?)?;
    let total = total.map_err(db_error)?;
    Ok(JsonBody(json!({ "rows": rows, "total": total })))
}

pub async fn create(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<CreateRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (id, model) = app.catalog.model(&model)?;
    let data = query::create_data(&app.catalog, id, model, &request)?;
    let described = app.catalog.described(id)?;
    let row = dynamic::create(
        app.client.executor(),
        described.meta,
        &described.defaults,
        data,
        &described.reads,
    )
    .await
    .map_err(|e| ApiError::from_db(e, &app.catalog, model))?;
    Ok(JsonBody(
        json!({ "row": row_json(&app.catalog, model, &row)? }),
    ))
}

pub async fn update(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<UpdateRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (id, model) = app.catalog.model(&model)?;
    let (key, data) = query::update_data(&app.catalog, id, model, &request)?;
    let described = app.catalog.described(id)?;
    let row = dynamic::update_by_key(
        app.client.executor(),
        described.meta,
        &key,
        data,
        &described.reads,
    )
    .await
    .map_err(|e| ApiError::from_db(e, &app.catalog, model))?
    .ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            Some("P2025"),
            "Record to update not found.",
        )
    })?;
    Ok(JsonBody(
        json!({ "row": row_json(&app.catalog, model, &row)? }),
    ))
}

pub async fn delete(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<DeleteRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (id, model) = app.catalog.model(&model)?;
    let keys = query::delete_keys(&app.catalog, model, &request)?;
    let described = app.catalog.described(id)?;
    let deleted = dynamic::delete_by_keys(app.client.executor(), described.meta, &keys)
        .await
        .map_err(|e| ApiError::from_db(e, &app.catalog, model))?;
    Ok(JsonBody(json!({ "deleted": deleted })))
}

/// Links or unlinks two rows of a many-to-many relation (Prisma's `connect` and
/// `disconnect`). Linking rows already linked is no error; a missing row, or unlinking rows
/// that are not linked, is P2025.
pub async fn link(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<LinkRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (id, model) = app.catalog.model(&model)?;
    let (relation, key, target) = query::link_args(&app.catalog, id, model, &request)?;
    let ex = app.client.executor();
    let db_error = |e| ApiError::from_db(e, &app.catalog, model);
    let not_found = |message: &str| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            Some("P2025"),
            message.to_owned(),
        )
    };
    let changed = if request.linked {
        match dynamic::link(ex, relation, &key, &target)
            .await
            .map_err(db_error)?
        {
            LinkChange::Made => 1,
            LinkChange::Unchanged => 0,
            LinkChange::Missing => {
                return Err(not_found("No record found to link: check both rows exist."));
            }
        }
    } else if dynamic::unlink(ex, relation, &key, &target)
        .await
        .map_err(db_error)?
    {
        1
    } else {
        return Err(not_found("The records are not linked."));
    };
    Ok(JsonBody(
        json!({ "linked": request.linked, "changed": changed }),
    ))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such page")
}

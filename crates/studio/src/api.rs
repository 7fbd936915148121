//! The HTTP handlers: the page and its assets, the schema description, row counts, the
//! four row operations, and many-to-many links. Each handler turns a request into a
//! [`query`] statement, runs it with the runtime's raw-query API (bound parameters only)
//! and answers JSON; failures answer an [`ApiError`] the page shows beside the action that
//! caused it.

use std::sync::Arc;

use axum::Json as JsonBody;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::join_all;
use refract_runtime::Client;
use refract_schema::ir::Model;
use serde_json::{Map, Value as Json, json};

use crate::assets;
use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::guard::Access;
use crate::query::{
    self, CreateRequest, DeleteRequest, LinkOp, LinkRequest, PageRequest, Statement, UpdateRequest,
};
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
    let models: Vec<&Model> = app.catalog.models().map(|(_, m)| m).collect();
    let results = join_all(models.iter().map(|model| {
        let sql = query::count_all(&app.catalog, model);
        let client = &app.client;
        async move { client.query_raw(&sql, &[]).await }
    }))
    .await;
    let mut counts = Map::new();
    let mut errors = Map::new();
    for (model, result) in models.iter().zip(results) {
        match result.map(|rows| rows.first().map(|r| r.try_get::<_, i64>(0))) {
            Ok(Some(Ok(n))) => {
                counts.insert(model.name.clone(), json!(n));
            }
            Ok(_) => {
                errors.insert(model.name.clone(), json!("no count returned"));
            }
            Err(e) => {
                errors.insert(
                    model.name.clone(),
                    json!(ApiError::from_db_plain(e).to_string()),
                );
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

async fn fetch_rows(
    app: &AppState,
    model: &Model,
    statement: &Statement,
) -> Result<Vec<Json>, ApiError> {
    let rows = app
        .client
        .query_raw(&statement.sql, &statement.param_refs())
        .await
        .map_err(|e| ApiError::from_db(e, &app.catalog, model))?;
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
    // The text fallbacks follow the fields, in field order (see `query::select_list`).
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
    let (_, model) = app.catalog.model(&model)?;
    let (select, count) = query::page(&app.catalog, model, &request)?;
    let count_params = count.param_refs();
    let (rows, total) = tokio::join!(
        fetch_rows(&app, model, &select),
        app.client.query_raw(&count.sql, &count_params)
    );
    let rows = rows?;
    let total = total
        .map_err(|e| ApiError::from_db(e, &app.catalog, model))?
        .first()
        .and_then(|row| row.try_get::<_, i64>(0).ok())
        .unwrap_or(0);
    Ok(JsonBody(json!({ "rows": rows, "total": total })))
}

pub async fn create(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<CreateRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (_, model) = app.catalog.model(&model)?;
    let statement = query::create(&app.catalog, model, &request)?;
    let row = fetch_rows(&app, model, &statement)
        .await?
        .into_iter()
        .next()
        .unwrap_or(Json::Null);
    Ok(JsonBody(json!({ "row": row })))
}

pub async fn update(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<UpdateRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (_, model) = app.catalog.model(&model)?;
    let statement = query::update(&app.catalog, model, &request)?;
    let row = fetch_rows(&app, model, &statement)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                Some("P2025"),
                "Record to update not found.",
            )
        })?;
    Ok(JsonBody(json!({ "row": row })))
}

pub async fn delete(
    State(app): State<Shared>,
    Path(model): Path<String>,
    request: Result<JsonBody<DeleteRequest>, JsonRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request = body(request)?;
    let (_, model) = app.catalog.model(&model)?;
    let statement = query::delete(&app.catalog, model, &request)?;
    let deleted = app
        .client
        .execute_raw(&statement.sql, &statement.param_refs())
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
    let (_, model) = app.catalog.model(&model)?;
    let run = async |op: LinkOp| -> Result<usize, ApiError> {
        let statement = query::link(&app.catalog, model, &request, op)?;
        let rows = app
            .client
            .query_raw(&statement.sql, &statement.param_refs())
            .await
            .map_err(|e| ApiError::from_db(e, &app.catalog, model))?;
        Ok(rows.len())
    };
    let op = if request.linked {
        LinkOp::Link
    } else {
        LinkOp::Unlink
    };
    let changed = run(op).await?;
    if changed == 0 && !(request.linked && run(LinkOp::Exists).await? > 0) {
        return Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            Some("P2025"),
            if request.linked {
                "No record found to link: check both rows exist."
            } else {
                "The records are not linked."
            },
        ));
    }
    Ok(JsonBody(
        json!({ "linked": request.linked, "changed": changed }),
    ))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such page")
}

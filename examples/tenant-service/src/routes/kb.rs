//! `GET /kb/search?q=...&page=1&pageSize=10`: the tenant's documents whose title or
//! `metadata.tags` match `q`, best first, a page at a time.
//!
//! PostgreSQL full-text search through the client's raw-query API: the title weighs A,
//! the tags B, ranked by `ts_rank`; `q` is read by `websearch_to_tsquery` (quotes,
//! `or`, `-word`), which accepts any text, so user input cannot make the query fail.
//! Every value is a bound parameter; the SQL text is a constant.
//!
//! Paging answers `hasMore` (one row past the page is fetched) rather than a total,
//! which would cost a second scan.

use axum::Json;
use client::Document;
use client::runtime::{self as rt, FromRow};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, QueryParams};
use crate::tenancy::CurrentTenant;

/// Results per page when `pageSize` is absent, and the most a page may hold.
pub const DEFAULT_PAGE_SIZE: i64 = 10;
pub const MAX_PAGE_SIZE: i64 = 50;

/// $1 the query text, $2 limit, $3 offset. The first eight columns are `Document`'s, in
/// its struct order, so its generated `FromRow` decodes them. The tenant is the one the
/// scoped client sets for the statement (`refract.tenant_id`): raw SQL gets no predicate
/// from the client, so the query reads the setting itself (the row-level-security policy
/// would too, for the application's role; this keeps it right for a superuser as well).
const SEARCH_SQL: &str = r#"
WITH search AS (SELECT websearch_to_tsquery('english', $1) AS query)
SELECT d."id", d."source", d."uri", d."title", d."metadata", d."tenantId",
       d."createdAt", d."updatedAt",
       ts_rank(v.document, search.query)::float8 AS "rank"
FROM "Document" AS d
CROSS JOIN search
CROSS JOIN LATERAL (
    SELECT setweight(to_tsvector('english', d."title"), 'A')
        || setweight(to_tsvector('english', coalesce((
               SELECT string_agg(tag, ' ')
               FROM jsonb_array_elements_text(
                   CASE WHEN jsonb_typeof(d."metadata" -> 'tags') = 'array'
                        THEN d."metadata" -> 'tags' ELSE '[]'::jsonb END) AS tag
           ), '')), 'B') AS document
) AS v
WHERE d."tenantId" = current_setting('refract.tenant_id') AND v.document @@ search.query
ORDER BY "rank" DESC, d."createdAt" DESC, d."id"
LIMIT $2 OFFSET $3
"#;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchParams {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// One matching document and its rank (higher is better).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    #[serde(flatten)]
    pub document: Document,
    pub rank: f64,
}

impl FromRow for SearchHit {
    fn from_row(row: &rt::Row) -> Result<Self, rt::Error> {
        Ok(SearchHit {
            document: Document::from_row(row)?,
            rank: rt::decode(row, 8)?,
        })
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    pub query: String,
    pub page: i64,
    pub page_size: i64,
    pub has_more: bool,
    pub results: Vec<SearchHit>,
}

/// `GET /kb/search?q=...&page=..&pageSize=..`.
pub async fn search(
    tenant: CurrentTenant,
    QueryParams(params): QueryParams<SearchParams>,
) -> Result<Json<SearchPage>, ApiError> {
    let query = params.q.as_deref().map(str::trim).unwrap_or_default();
    if query.is_empty() {
        return Err(ApiError::invalid(
            "q",
            "`q` is required and must not be empty",
        ));
    }
    let page = params.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::invalid("page", "`page` starts at 1"));
    }
    let page_size = params.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(ApiError::invalid(
            "pageSize",
            format!("`pageSize` must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    let offset = (page - 1)
        .checked_mul(page_size)
        .ok_or_else(|| ApiError::invalid("page", "`page` is too large"))?;
    let limit = page_size + 1;
    let mut results: Vec<SearchHit> = tenant
        .db
        .query_raw_as(SEARCH_SQL, &[&query, &limit, &offset])
        .await?;
    let has_more = results.len() as i64 > page_size;
    results.truncate(page_size as usize);
    Ok(Json(SearchPage {
        query: query.to_owned(),
        page,
        page_size,
        has_more,
        results,
    }))
}

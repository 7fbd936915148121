//! The HTTP API without a browser: access checks, the schema description, counts,
//! pagination, sorting, filters, relation links, writes and their errors, each checked
//! against the database with SQL.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value as Json, json};
use tower::ServiceExt;

use crate::seed::{HOST, TOKEN, router, seeded};

/// One request with the right Host and token unless `headers` override them.
async fn call(
    app: &Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Json>,
) -> (StatusCode, Json) {
    let mut request = Request::builder().method(method).uri(path);
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if !has("host") {
        request = request.header("host", HOST);
    }
    if !has("x-refract-token") && !has("no-token") {
        request = request.header("x-refract-token", TOKEN);
    }
    for (name, value) in headers {
        if *name != "no-token" {
            request = request.header(*name, *value);
        }
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

async fn post(app: &Router, path: &str, body: Json) -> (StatusCode, Json) {
    call(app, "POST", path, &[], Some(body)).await
}

#[tokio::test]
async fn every_request_needs_the_token_the_host_and_a_same_origin() {
    let (db, _sql, schema) = seeded(3).await;
    let app = router(&db, schema);
    let page_with_token = format!("/?token={TOKEN}");
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, StatusCode);
    let cases: Vec<Case> = vec![
        (
            "page with token in the query",
            page_with_token.clone(),
            vec![("no-token", "")],
            StatusCode::OK,
        ),
        (
            "page without token",
            "/".into(),
            vec![("no-token", "")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "page with a wrong token",
            "/?token=abc".into(),
            vec![("no-token", "")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "script without token",
            "/assets/studio.js".into(),
            vec![("no-token", "")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "script with token",
            format!("/assets/studio.js?token={TOKEN}"),
            vec![("no-token", "")],
            StatusCode::OK,
        ),
        (
            "api with header",
            "/api/schema".into(),
            vec![],
            StatusCode::OK,
        ),
        (
            "api without token",
            "/api/schema".into(),
            vec![("no-token", "")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "api with wrong token",
            "/api/schema".into(),
            vec![("x-refract-token", "0123456789abcdef0123456789abcdee")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "localhost host",
            "/api/schema".into(),
            vec![("host", "localhost:5555")],
            StatusCode::OK,
        ),
        (
            "rebinding host",
            "/api/schema".into(),
            vec![("host", "attacker.example:5555")],
            StatusCode::FORBIDDEN,
        ),
        (
            "rebinding host, page",
            page_with_token.clone(),
            vec![("host", "attacker.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "same origin",
            "/api/schema".into(),
            vec![("origin", "http://127.0.0.1:5555")],
            StatusCode::OK,
        ),
        (
            "foreign origin",
            "/api/schema".into(),
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "other local port",
            "/api/schema".into(),
            vec![("origin", "http://localhost:3000")],
            StatusCode::FORBIDDEN,
        ),
        (
            "cross-site fetch",
            "/api/schema".into(),
            vec![("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
        (
            "unknown path",
            "/nope".into(),
            vec![],
            StatusCode::NOT_FOUND,
        ),
        (
            "unknown path without token",
            "/nope".into(),
            vec![("no-token", "")],
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (what, path, headers, expected) in cases {
        let (status, body) = call(&app, "GET", &path, &headers, None).await;
        assert_eq!(status, expected, "{what}: {body}");
    }

    // A write from a foreign origin is refused before it runs.
    let (status, _) = call(
        &app,
        "POST",
        "/api/models/User/update",
        &[("origin", "https://evil.example")],
        Some(json!({"key": {"id": "u000001"}, "values": {"name": "pwned"}})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        "/api/models/User/update",
        &[("no-token", "")],
        Some(json!({"key": {"id": "u000001"}, "values": {"name": "pwned"}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let name: Option<String> = refract_testdb::one_value(
        &_sql,
        r#"SELECT name FROM "User" WHERE id = 'u000001'"#,
        &[],
    )
    .await;
    assert_eq!(name.as_deref(), Some("User 1"));
}

#[tokio::test]
async fn the_page_is_embedded_with_its_token_and_safety_headers() {
    let (db, _sql, schema) = seeded(1).await;
    let app = router(&db, schema);
    let request = Request::builder()
        .uri(format!("/?token={TOKEN}"))
        .header("host", HOST)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    for (name, expected) in [
        ("cache-control", "no-store"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(headers.get(name).unwrap(), expected, "{name}");
    }
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(html.contains(&format!("content=\"{TOKEN}\"")));
    assert!(html.contains(&format!("/assets/studio.js?token={TOKEN}")));
    assert!(!html.contains("{{TOKEN}}"));
}

#[tokio::test]
async fn describes_models_and_counts_rows() {
    let (db, _sql, schema) = seeded(12).await;
    let app = router(&db, schema);
    let (status, description) = call(&app, "GET", "/api/schema", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = description["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Tenant",
            "User",
            "Agent",
            "Tool",
            "Conversation",
            "Message",
            "Document"
        ]
    );
    let user = &description["models"][1];
    assert_eq!(user["key"], json!(["id"]));
    let tenant_link = user["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "tenant")
        .unwrap();
    assert_eq!(tenant_link["fields"], json!(["tenantId"]));
    assert_eq!(description["enums"]["UserRole"][0]["name"], "ADMIN");

    let (status, counts) = call(&app, "GET", "/api/counts", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        counts["counts"],
        json!({"Tenant": 3, "User": 12, "Agent": 1, "Tool": 0, "Conversation": 1, "Message": 3, "Document": 0})
    );
}

async fn emails_by_sql(sql: &refract_runtime::tokio_postgres::Client, query: &str) -> Vec<String> {
    sql.query(query, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn emails(page: &Json) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_sorts_and_filters_on_the_server() {
    let (db, sql, schema) = seeded(120).await;
    let app = router(&db, schema);

    let (status, page) = post(
        &app,
        "/api/models/User/rows",
        json!({"skip": 50, "take": 20, "orderBy": [{"field": "email", "direction": "desc"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 120);
    assert_eq!(
        emails(&page),
        emails_by_sql(
            &sql,
            r#"SELECT email FROM "User" ORDER BY email DESC OFFSET 50 LIMIT 20"#
        )
        .await
    );
    let first = &page["rows"][0];
    assert!(first["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(matches!(
        first["role"].as_str(),
        Some("ADMIN" | "AUTHOR" | "VIEWER")
    ));

    let cases: Vec<(Json, &str)> = vec![
        (
            json!([{"field": "email", "op": "contains", "value": "ACME"}]),
            r#"SELECT email FROM "User" WHERE email ILIKE '%acme%' ORDER BY id"#,
        ),
        (
            json!([{"field": "email", "op": "startsWith", "value": "user00001"}]),
            r#"SELECT email FROM "User" WHERE email LIKE 'user00001%' ORDER BY id"#,
        ),
        (
            json!([{"field": "role", "op": "equals", "value": "ADMIN"}]),
            r#"SELECT email FROM "User" WHERE role = 'ADMIN' ORDER BY id"#,
        ),
        (
            json!([{"field": "role", "op": "not", "value": "VIEWER"}, {"field": "name", "op": "isNull"}]),
            r#"SELECT email FROM "User" WHERE role <> 'VIEWER' AND name IS NULL ORDER BY id"#,
        ),
        (
            json!([{"field": "createdAt", "op": "gte", "value": "2024-01-05T00:00"}]),
            r#"SELECT email FROM "User" WHERE "createdAt" >= '2024-01-05' ORDER BY id"#,
        ),
        (
            json!([{"field": "name", "op": "contains", "value": "100%"}]),
            r#"SELECT email FROM "User" WHERE false"#,
        ),
    ];
    for (filters, expected_sql) in cases {
        let (status, page) = post(
            &app,
            "/api/models/User/rows",
            json!({"take": 500, "filters": filters}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{filters}: {page}");
        let expected = emails_by_sql(&sql, expected_sql).await;
        assert_eq!(page["total"], expected.len(), "{filters}");
        assert_eq!(emails(&page), expected, "{filters}");
    }

    let (status, error) = post(
        &app,
        "/api/models/User/rows",
        json!({"filters": [{"field": "email", "op": "gt"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, _) = post(&app, "/api/models/Nope/rows", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(&app, "/api/models/User/rows", json!({"take": "many"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn relation_links_open_related_rows() {
    let (db, sql, schema) = seeded(30).await;
    let app = router(&db, schema);
    // To-many: the users of tenant t2.
    let (status, page) = post(
        &app,
        "/api/models/User/rows",
        json!({"take": 500, "related": {"model": "Tenant", "field": "users", "key": {"id": "t2"}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        emails(&page),
        emails_by_sql(
            &sql,
            r#"SELECT email FROM "User" WHERE "tenantId" = 't2' ORDER BY id"#
        )
        .await
    );
    // To-one: the tenant of user u000004.
    let (_, page) = post(
        &app,
        "/api/models/Tenant/rows",
        json!({"related": {"model": "User", "field": "tenant", "key": {"id": "u000004"}}}),
    )
    .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["id"], "t2");
    // Two hops: the messages of conversation c1.
    let (_, page) = post(
        &app,
        "/api/models/Message/rows",
        json!({"related": {"model": "Conversation", "field": "messages", "key": {"id": "c1"}}}),
    )
    .await;
    assert_eq!(page["total"], 3);
}

#[tokio::test]
async fn edits_answer_prisma_errors_and_write_nothing_on_failure() {
    let (db, sql, schema) = seeded(5).await;
    let app = router(&db, schema);
    let email_of = |id: &'static str| {
        let sql = &sql;
        async move {
            let row = sql
                .query_one(r#"SELECT email FROM "User" WHERE id = $1"#, &[&id])
                .await
                .unwrap();
            row.get::<_, String>(0)
        }
    };

    // A taken email: P2002 on `email`, and the row keeps its email.
    let before = email_of("u000002").await;
    let (status, error) = post(
        &app,
        "/api/models/User/update",
        json!({"key": {"id": "u000002"}, "values": {"email": "user000001@globex.test"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["error"]["code"], "P2002");
    assert_eq!(error["error"]["fields"], json!(["email"]));
    assert_eq!(
        error["error"]["message"],
        "Unique constraint failed on the field: (`email`)"
    );
    assert_eq!(email_of("u000002").await, before);

    // A good edit: written, `@updatedAt` moves, the new row comes back.
    let (status, body) = post(
        &app,
        "/api/models/User/update",
        json!({"key": {"id": "u000002"}, "values": {"email": "new@acme.test", "role": "ADMIN", "name": null}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["row"]["email"], "new@acme.test");
    assert_eq!(body["row"]["name"], Json::Null);
    let row = sql
        .query_one(
            r#"SELECT email, role::text, name, "updatedAt" > timestamp '2024-06-02' FROM "User" WHERE id = 'u000002'"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "new@acme.test");
    assert_eq!(row.get::<_, String>(1), "ADMIN");
    assert_eq!(row.get::<_, Option<String>>(2), None);
    assert!(row.get::<_, bool>(3), "@updatedAt was not set");

    // Values that do not fit their field never reach the database.
    let refused: Vec<(Json, &str, StatusCode)> = vec![
        (
            json!({"key": {"id": "u000001"}, "values": {"role": "OWNER"}}),
            "P2006",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"key": {"id": "u000001"}, "values": {"email": null}}),
            "P2011",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"key": {"id": "nobody"}, "values": {"name": "x"}}),
            "P2025",
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"key": {"id": "u000001"}, "values": {"tenantId": "t9"}}),
            "P2003",
            StatusCode::CONFLICT,
        ),
    ];
    for (body, code, expected) in refused {
        let (status, error) = post(&app, "/api/models/User/update", body.clone()).await;
        assert_eq!(status, expected, "{body}: {error}");
        assert_eq!(error["error"]["code"], code, "{body}: {error}");
    }
    let (status, error) = post(
        &app,
        "/api/models/Agent/update",
        json!({"key": {"id": "a1"}, "values": {"flowJson": "{nodes: []}"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid JSON")
    );
    let (status, body) = post(
        &app,
        "/api/models/Agent/update",
        json!({"key": {"id": "a1"}, "values": {"flowJson": "{\"nodes\": [\"start\"], \"v\": 2}"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["row"]["flowJson"], json!({"nodes": ["start"], "v": 2}));
    let flow: Json = refract_testdb::one_value(
        &sql,
        r#"SELECT "flowJson" FROM "Agent" WHERE id = 'a1'"#,
        &[],
    )
    .await;
    assert_eq!(flow, json!({"nodes": ["start"], "v": 2}));
    let user1 = sql
        .query_one(
            r#"SELECT role::text, email, "tenantId" FROM "User" WHERE id = 'u000001'"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(user1.get::<_, String>(0), "VIEWER");
    assert_eq!(user1.get::<_, String>(2), "t2");
}

#[tokio::test]
async fn creates_and_deletes_rows() {
    let (db, sql, schema) = seeded(5).await;
    let app = router(&db, schema);

    let (status, error) = post(
        &app,
        "/api/models/User/create",
        json!({"values": {"name": "No Email"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "P2012");
    assert_eq!(error["error"]["fields"], json!(["email", "tenantId"]));

    let (status, error) = post(
        &app,
        "/api/models/User/create",
        json!({"values": {"email": "ghost@x.test", "tenantId": "t9"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "P2003");
    assert_eq!(error["error"]["fields"], json!(["tenantId"]));

    let (status, body) = post(
        &app,
        "/api/models/User/create",
        json!({"values": {"email": "dana@acme.test", "tenantId": "t1"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = &body["row"];
    assert_eq!(row["role"], "VIEWER", "the database default applies");
    assert_eq!(row["name"], Json::Null);
    let id = row["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with('c') && id.len() >= 20, "a cuid: {id}");
    let count: i64 = refract_testdb::one_value(&sql, r#"SELECT count(*) FROM "User" WHERE id = $1 AND email = 'dana@acme.test' AND "updatedAt" IS NOT NULL"#,
            &[&id],).await;
    assert_eq!(count, 1);
    let users: i64 = refract_testdb::one_value(&sql, r#"SELECT count(*) FROM "User""#, &[]).await;
    assert_eq!(users, 6, "the failed creates wrote nothing");

    let (status, body) = post(
        &app,
        "/api/models/User/delete",
        json!({"keys": [{"id": "u000001"}, {"id": id}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["deleted"], 2);
    let left: Vec<String> = sql
        .query(r#"SELECT id FROM "User" ORDER BY id"#, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, ["u000002", "u000003", "u000004", "u000005"]);

    // Deleting a tenant cascades to its users, as the schema says.
    let (status, _) = post(
        &app,
        "/api/models/Tenant/delete",
        json!({"keys": [{"id": "t3"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let users: Vec<String> = sql
        .query(r#"SELECT id FROM "User" ORDER BY id"#, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        users,
        ["u000003", "u000004"],
        "u000002 and u000005 were Initech's"
    );
}

/// A restricted relation: deleting a referenced row fails with P2003 and deletes nothing,
/// not even the other rows of the same request.
#[tokio::test]
async fn a_failed_delete_deletes_nothing() {
    let db = refract_testdb::TestDb::new().await;
    let sql = db.client().await;
    let validated = refract_schema::validate_str(
        "schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n}\n\
         model Author {\n  id    Int    @id\n  books Book[]\n}\n\
         model Book {\n  id       Int    @id\n  authorId Int\n  author   Author @relation(fields: [authorId], references: [id], onDelete: Restrict)\n}\n",
    );
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    crate::seed::create_tables(&sql, &validated.schema).await;
    sql.batch_execute(
        r#"INSERT INTO "Author" (id) VALUES (1), (2); INSERT INTO "Book" (id, "authorId") VALUES (10, 1);"#,
    )
    .await
    .unwrap();
    let app = router(&db, validated.schema);
    let (status, error) = post(
        &app,
        "/api/models/Author/delete",
        json!({"keys": [{"id": 2}, {"id": 1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["error"]["code"], "P2003");
    let authors: i64 =
        refract_testdb::one_value(&sql, r#"SELECT count(*) FROM "Author""#, &[]).await;
    assert_eq!(authors, 2);
}

/// 100,000 users: a deep page, sorted and filtered, is right; the time is printed (not
/// asserted: benchmarks assert timings, tests do not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_tables_page_on_the_server() {
    let (db, sql, schema) = seeded(100_000).await;
    sql.batch_execute(r#"ANALYZE "User""#).await.unwrap();
    let app = router(&db, schema);
    let requests = [
        json!({"skip": 0, "take": 50}),
        json!({"skip": 99_950, "take": 50}),
        json!({"skip": 40_000, "take": 100, "orderBy": [{"field": "email", "direction": "desc"}]}),
        json!({"skip": 500, "take": 50, "orderBy": [{"field": "createdAt", "direction": "asc"}],
               "filters": [{"field": "email", "op": "contains", "value": "globex"}]}),
    ];
    for request in requests {
        let started = Instant::now();
        let (status, page) = post(&app, "/api/models/User/rows", request.clone()).await;
        let elapsed = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{page}");
        eprintln!("100k users, {request}: {} ms", elapsed.as_millis());
        assert_eq!(
            page["rows"].as_array().unwrap().len(),
            request["take"].as_u64().unwrap() as usize
        );
    }
    let (_, page) = post(
        &app,
        "/api/models/User/rows",
        json!({"skip": 99_950, "take": 50}),
    )
    .await;
    assert_eq!(page["total"], 100_000);
    assert_eq!(page["rows"][49]["id"], "u100000");
    let (_, page) = post(
        &app,
        "/api/models/User/rows",
        json!({"skip": 40_000, "take": 3, "orderBy": [{"field": "email", "direction": "desc"}]}),
    )
    .await;
    assert_eq!(
        emails(&page),
        emails_by_sql(
            &sql,
            r#"SELECT email FROM "User" ORDER BY email DESC OFFSET 40000 LIMIT 3"#
        )
        .await
    );
}

#[tokio::test]
async fn every_field_type_travels_both_ways() {
    let (db, sql, schema) = crate::seed::typed().await;
    let app = router(&db, schema);
    let values = json!({
        "active": false,
        "big": "9007199254740993",
        "ratio": 0.25,
        "price": "12.30",
        "at": "2024-03-04T05:06:07.089Z",
        "day": "2024-03-04",
        "data": "{\"a\": [1, null]}",
        "blob": "00ff10",
        "tags": ["x", "y"],
        "scores": "[3, 1]",
        "colors": ["green", "RED"],
        "color": "RED",
        "ip": "10.0.0.1"
    });
    let (status, body) = post(&app, "/api/models/Item/create", json!({ "values": values })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = &body["row"];
    let expected = json!({
        "id": 1,
        "active": false,
        "big": "9007199254740993",
        "ratio": 0.25,
        "price": "12.30",
        "at": "2024-03-04T05:06:07.089Z",
        "day": "2024-03-04T00:00:00.000Z",
        "data": {"a": [1, null]},
        "blob": "00ff10",
        "tags": ["x", "y"],
        "scores": [3, 1],
        "colors": ["green", "RED"],
        "color": "RED",
        "ip": "10.0.0.1"
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&row[field], value, "{field}");
    }
    assert_eq!(
        row["uid"].as_str().unwrap().len(),
        36,
        "uuid() filled in by the studio"
    );
    let check = sql
        .query_one(
            r#"SELECT big::text, price::text, at = timestamptz '2024-03-04 05:06:07.089+00', day::text,
                      encode(blob, 'hex'), tags, scores, colors::text[], ip::text, data
               FROM "Item" WHERE id = 1"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(check.get::<_, String>(0), "9007199254740993");
    assert_eq!(check.get::<_, String>(1), "12.30");
    assert!(check.get::<_, bool>(2));
    assert_eq!(check.get::<_, String>(3), "2024-03-04");
    assert_eq!(check.get::<_, String>(4), "00ff10");
    assert_eq!(check.get::<_, Vec<String>>(5), ["x", "y"]);
    assert_eq!(check.get::<_, Vec<i32>>(6), [3, 1]);
    assert_eq!(check.get::<_, Vec<String>>(7), ["green", "RED"]);
    assert_eq!(check.get::<_, String>(8), "10.0.0.1/32");
    assert_eq!(check.get::<_, Json>(9), json!({"a": [1, null]}));

    // Every type filters and sorts on the server.
    post(&app, "/api/models/Item/create", json!({"values": {"big": "5", "ratio": 2.5, "price": "3.10", "at": "2025-01-01T00:00:00Z", "tags": ["z"], "ip": "10.0.0.2"}})).await;
    let filters = [
        (json!({"field": "active", "op": "equals", "value": true}), 1),
        (json!({"field": "big", "op": "gt", "value": "100"}), 1),
        (json!({"field": "ratio", "op": "lt", "value": "1"}), 1),
        (json!({"field": "price", "op": "gte", "value": "10"}), 1),
        (
            json!({"field": "at", "op": "gt", "value": "2024-12-31T00:00"}),
            1,
        ),
        (
            json!({"field": "data", "op": "contains", "value": "\"a\""}),
            1,
        ),
        (
            json!({"field": "blob", "op": "equals", "value": "00ff10"}),
            1,
        ),
        (json!({"field": "tags", "op": "has", "value": "y"}), 1),
        (json!({"field": "colors", "op": "has", "value": "green"}), 1),
        (
            json!({"field": "color", "op": "equals", "value": "green"}),
            1,
        ),
        (
            json!({"field": "ip", "op": "equals", "value": "10.0.0.2"}),
            1,
        ),
        (
            json!({"field": "ip", "op": "contains", "value": "0.0.1"}),
            1,
        ),
        (json!({"field": "data", "op": "isNull"}), 1),
    ];
    for (filter, expected) in filters {
        let (status, page) = post(
            &app,
            "/api/models/Item/rows",
            json!({"filters": [filter.clone()]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{filter}: {page}");
        assert_eq!(page["total"], expected, "{filter}");
    }
    let (_, page) = post(
        &app,
        "/api/models/Item/rows",
        json!({"orderBy": [{"field": "price", "direction": "desc"}]}),
    )
    .await;
    assert_eq!(page["rows"][0]["price"], "12.30");

    // Many-to-many links, both ways, through `_ItemToLabel`.
    sql.batch_execute(
        r#"INSERT INTO "Label" (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three');
           INSERT INTO "_ItemToLabel" ("A", "B") VALUES (1, 1), (1, 3), (2, 2);"#,
    )
    .await
    .unwrap();
    let (status, page) = post(
        &app,
        "/api/models/Label/rows",
        json!({"related": {"model": "Item", "field": "labels", "key": {"id": 1}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let names: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one", "three"]);
    let (_, page) = post(
        &app,
        "/api/models/Item/rows",
        json!({"related": {"model": "Label", "field": "items", "key": {"id": 2}}}),
    )
    .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["id"], 2);

    // A compound id addresses rows for update and delete.
    sql.batch_execute(r#"INSERT INTO "Pair" (a, b) VALUES (1, 1), (1, 2), (2, 1)"#)
        .await
        .unwrap();
    let (status, body) = post(
        &app,
        "/api/models/Pair/update",
        json!({"key": {"a": 1, "b": 2}, "values": {"note": "middle"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(
        &app,
        "/api/models/Pair/delete",
        json!({"keys": [{"a": 1, "b": 1}, {"a": 2, "b": 1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let left = sql
        .query_one(r#"SELECT a, b, note FROM "Pair""#, &[])
        .await
        .unwrap();
    assert_eq!((left.get::<_, i32>(0), left.get::<_, i32>(1)), (1, 2));
    assert_eq!(left.get::<_, Option<String>>(2).as_deref(), Some("middle"));
}

/// A database without the schema's tables: counts and pages say what is wrong and how to fix it.
#[tokio::test]
async fn missing_tables_are_reported_with_a_hint() {
    let db = refract_testdb::TestDb::new().await;
    let app = router(&db, crate::seed::reference_schema());
    let (status, counts) = call(&app, "GET", "/api/counts", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let error = counts["errors"]["User"].as_str().unwrap();
    assert!(
        error.contains("P2021") && error.contains("gen migrate dev"),
        "{error}"
    );
    let (status, body) = post(&app, "/api/models/User/rows", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "P2021");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("apply the migrations")
    );
}

#[tokio::test]
async fn many_to_many_links_are_made_and_removed_from_either_side() {
    let (db, sql, schema) = crate::seed::typed().await;
    sql.batch_execute(
        r#"INSERT INTO "Item" (id, uid) VALUES (1, gen_random_uuid()), (2, gen_random_uuid());
           INSERT INTO "Label" (id, name) VALUES (10, 'ten'), (11, 'eleven');"#,
    )
    .await
    .unwrap();
    let app = router(&db, schema);
    let links = async || -> Vec<(i32, i32)> {
        sql.query(r#"SELECT "A", "B" FROM "_ItemToLabel" ORDER BY 1, 2"#, &[])
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    };
    let link = |model: &str, field: &str, key: Json, target: Json, linked: bool| {
        let (path, body) = (
            format!("/api/models/{model}/link"),
            json!({"field": field, "key": key, "target": target, "linked": linked}),
        );
        let app = app.clone();
        async move { post(&app, &path, body).await }
    };

    // From the Item side (join column A), then from the Label side (B); a key may come as text.
    let (status, answer) = link("Item", "labels", json!({"id": 1}), json!({"id": 10}), true).await;
    assert_eq!(
        (status, answer["changed"].clone()),
        (StatusCode::OK, json!(1)),
        "{answer}"
    );
    let (status, _) = link(
        "Label",
        "items",
        json!({"id": 11}),
        json!({"id": "1"}),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(links().await, vec![(1, 10), (1, 11)]);
    // Linking again is no error and changes nothing.
    let (status, answer) = link("Item", "labels", json!({"id": 1}), json!({"id": 10}), true).await;
    assert_eq!(
        (status, answer["changed"].clone()),
        (StatusCode::OK, json!(0)),
        "{answer}"
    );
    // The linked rows are what the relation link opens.
    let (_, page) = post(
        &app,
        "/api/models/Label/rows",
        json!({"related": {"model": "Item", "field": "labels", "key": {"id": 1}}}),
    )
    .await;
    assert_eq!(page["total"], 2, "{page}");

    // A missing row links nothing: P2025.
    let (status, answer) = link("Item", "labels", json!({"id": 1}), json!({"id": 99}), true).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "P2025");
    let (status, _) = link("Item", "labels", json!({"id": 98}), json!({"id": 10}), true).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Unlink from either side; unlinking rows that are not linked is P2025.
    let (status, answer) = link("Label", "items", json!({"id": 10}), json!({"id": 1}), false).await;
    assert_eq!(
        (status, answer["changed"].clone()),
        (StatusCode::OK, json!(1)),
        "{answer}"
    );
    assert_eq!(links().await, vec![(1, 11)]);
    let (status, answer) = link("Item", "labels", json!({"id": 1}), json!({"id": 10}), false).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "P2025");

    // Only many-to-many fields link; bad fields and keys are 400s.
    let (status, answer) = link("Item", "nope", json!({"id": 1}), json!({"id": 10}), true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, answer) = link(
        "Item",
        "labels",
        json!({"id": "x"}),
        json!({"id": 10}),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(links().await, vec![(1, 11)]);
}

#[tokio::test]
async fn only_many_to_many_relations_link() {
    let (db, _sql, schema) = seeded(3).await;
    let app = router(&db, schema);
    let (status, answer) = post(
        &app,
        "/api/models/Tenant/link",
        json!({"field": "users", "key": {"id": "t1"}, "target": {"id": "u000001"}, "linked": true}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is not a many-to-many relation")),
        "{answer}"
    );
}

/// Values of a field's own type that the studio cannot decode (infinite and far-future
/// timestamps, JSON numbers past `f64`) do not fail the page: each comes as PostgreSQL's text
/// and is listed under `$unreadable`, and the row's other fields stay readable and editable.
#[tokio::test]
async fn undecodable_values_come_as_text_and_leave_the_row_editable() {
    let db = refract_testdb::TestDb::new().await;
    let sql = db.client().await;
    let validated = refract_schema::validate_str(
        "schema.prisma",
        r#"datasource db {
  provider = "postgresql"
}

model Odd {
  id    Int        @id
  note  String?
  at    DateTime?
  tz    DateTime?  @db.Timestamptz(3)
  day   DateTime?  @db.Date
  ratio Float?
  price Decimal?
  data  Json?
  times DateTime[]
  docs  Json[]
}
"#,
    );
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    crate::seed::create_tables(&sql, &validated.schema).await;
    sql.batch_execute(
        r#"INSERT INTO "Odd" (id, at, tz, day, ratio, price, data, times, docs) VALUES
             (1, 'infinity', '-infinity', 'infinity', 'NaN', 'NaN', '{"n": 1e400}',
              '{infinity}', ARRAY['{"n": 1e400}']::jsonb[]),
             (2, '270000-01-01 00:00', '270000-01-01 00:00+00', '5000000-01-01', 'Infinity', '1.5',
              '{"n": 1}', '{}', '{}'),
             (3, '2024-01-02 03:04:05', NULL, NULL, 0.5, NULL, NULL, '{}', '{}');"#,
    )
    .await
    .unwrap();
    let app = router(&db, validated.schema);

    let (status, page) = post(
        &app,
        "/api/models/Odd/rows",
        json!({"orderBy": [{"field": "id", "direction": "asc"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 3);
    let rows = page["rows"].as_array().unwrap();
    let first = &rows[0];
    assert_eq!(
        first["$unreadable"],
        json!(["at", "tz", "day", "data", "docs"])
    );
    assert_eq!(first["at"], "infinity");
    assert_eq!(first["tz"], "-infinity");
    assert_eq!(first["day"], "infinity");
    assert!(
        first["data"].as_str().unwrap().starts_with("{\"n\": 1000"),
        "{}",
        first["data"]
    );
    assert!(first["docs"].as_str().unwrap().starts_with("[{\"n\": 1000"));
    // Decodable all along: infinite timestamps in a list are JSON strings, NaN floats and
    // numerics travel as text.
    assert_eq!(first["times"], json!(["infinity"]));
    assert_eq!(first["ratio"], "NaN");
    assert_eq!(first["price"], "NaN");

    let second = &rows[1];
    assert_eq!(second["$unreadable"], json!(["at", "tz", "day"]));
    assert_eq!(second["at"], "270000-01-01 00:00:00");
    // Printed in the session's time zone, which the cluster chooses.
    let tz = second["tz"].as_str().unwrap();
    assert!(
        tz.starts_with("270000-01-01") || tz.starts_with("269999-12-31"),
        "{tz}"
    );
    assert_eq!(second["day"], "5000000-01-01");
    assert_eq!(second["ratio"], "Infinity");
    assert_eq!(second["data"], json!({"n": 1}));

    let third = &rows[2];
    assert!(third.get("$unreadable").is_none(), "{third}");
    assert_eq!(third["at"], "2024-01-02T03:04:05.000Z");

    // The row's other fields are still edited, and it comes back marked the same.
    let (status, body) = post(
        &app,
        "/api/models/Odd/update",
        json!({"key": {"id": 1}, "values": {"note": "fixed elsewhere", "ratio": 2.5}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["row"]["note"], "fixed elsewhere");
    assert_eq!(body["row"]["at"], "infinity");
    assert_eq!(body["row"]["$unreadable"][0], "at");
    let note = sql
        .query_one(r#"SELECT note, ratio FROM "Odd" WHERE id = 1"#, &[])
        .await
        .unwrap();
    assert_eq!(
        note.get::<_, Option<String>>(0).as_deref(),
        Some("fixed elsewhere")
    );
    assert_eq!(note.get::<_, Option<f64>>(1), Some(2.5));
    // A float read back as `Infinity` is written back as it reads.
    let (status, body) = post(
        &app,
        "/api/models/Odd/update",
        json!({"key": {"id": 2}, "values": {"ratio": "-Infinity"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["row"]["ratio"], "-Infinity");
    // And the row can be found by a filter and deleted.
    let (status, page) = post(
        &app,
        "/api/models/Odd/rows",
        json!({"filters": [{"field": "note", "op": "contains", "value": "fixed"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["rows"][0]["id"], 1);
    let (status, body) = post(
        &app,
        "/api/models/Odd/delete",
        json!({"keys": [{"id": 1}, {"id": 2}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["deleted"], 2);
}

/// A body over axum's limit (2 MiB) is 413 with the studio's JSON error, not 400.
#[tokio::test]
async fn an_oversized_body_is_413() {
    let (db, sql, schema) = seeded(1).await;
    let app = router(&db, schema);
    let email = "a".repeat(3 * 1024 * 1024);
    let (status, error) = post(
        &app,
        "/api/models/User/update",
        json!({"key": {"id": "u000001"}, "values": {"email": email}}),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("length limit"),
        "{error}"
    );
    assert_eq!(
        emails_by_sql(&sql, r#"SELECT email FROM "User""#).await,
        ["user000001@globex.test"]
    );
}

/// Studio fills client-side defaults with the runtime's one generator, as a generated
/// client does: `cuid(2)` is a CUID2 (24 characters, a letter first; the studio once drew
/// a version-1 cuid, 25 characters starting with `c`), and a new row's `@updatedAt` is the
/// same instant as its `@default(now())`; an edit stamps `@updatedAt` again.
#[tokio::test]
async fn created_rows_get_the_runtime_s_client_defaults() {
    let db = refract_testdb::TestDb::new().await;
    let sql = db.client().await;
    let validated = refract_schema::validate_str(
        "schema.prisma",
        r#"datasource db {
  provider = "postgresql"
}

model Note {
  id        String   @id @default(cuid(2))
  legacy    String   @default(cuid())
  sortable  String   @default(ulid())
  short     String   @default(nanoid(8))
  text      String
  tags      String[]
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
}
"#,
    );
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    crate::seed::create_tables(&sql, &validated.schema).await;
    let app = router(&db, validated.schema);

    let (status, body) = post(
        &app,
        "/api/models/Note/create",
        json!({"values": {"text": "hello"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = &body["row"];
    let id = row["id"].as_str().unwrap();
    assert_eq!(id.len(), 24, "a cuid2: {id}");
    assert!(id.starts_with(|c: char| c.is_ascii_lowercase()), "{id}");
    let legacy = row["legacy"].as_str().unwrap();
    assert!(legacy.len() == 25 && legacy.starts_with('c'), "{legacy}");
    assert_eq!(row["sortable"].as_str().unwrap().len(), 26);
    assert_eq!(row["short"].as_str().unwrap().len(), 8);
    assert_eq!(row["updatedAt"], row["createdAt"], "{row}");
    assert_eq!(
        row["tags"],
        json!([]),
        "a list without a default is empty, not NULL"
    );

    sql.execute(
        r#"UPDATE "Note" SET "updatedAt" = timestamp '2020-01-01' WHERE id = $1"#,
        &[&id],
    )
    .await
    .unwrap();
    let (status, body) = post(
        &app,
        "/api/models/Note/update",
        json!({"key": {"id": id}, "values": {"text": "edited"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stamped = sql
        .query_one(
            r#"SELECT "updatedAt" > timestamp '2021-01-01' FROM "Note" WHERE id = $1"#,
            &[&id],
        )
        .await
        .unwrap();
    assert!(stamped.get::<_, bool>(0), "{body}");
}

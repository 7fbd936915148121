//! tenant-service end to end: each test is a `#[refract_test::test]`, so it gets a fresh
//! PostgreSQL database with the root `migrations/` applied (a copy of a template the
//! harness migrated once per process with refract-migrate's deploy, the library behind
//! `gen migrate deploy`) and a client on it; it starts the router on a random port and
//! talks to it over HTTP. No mocks.

use std::collections::HashSet;

use client::Models;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running service on its own migrated database.
struct Service {
    base: String,
    http: reqwest::Client,
    /// A client on the same database, to check what the service wrote.
    db: client::Client,
}

impl Service {
    /// The service on the test's database (`db`, from the harness).
    async fn start(db: client::Client) -> Service {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = tenant_service::router(db.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Service {
            base,
            http: reqwest::Client::new(),
            db,
        }
    }

    /// Sends a request; `tenant` becomes `X-Tenant-Id`, `body` a JSON body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        tenant: Option<&str>,
        body: Option<Body<'_>>,
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(tenant) = tenant {
            request = request.header("x-tenant-id", tenant);
        }
        request = match body {
            Some(Body::Json(value)) => request.json(&value),
            Some(Body::Raw(text)) => request
                .header("content-type", "application/json")
                .body(text.to_owned()),
            Some(Body::NoContentType(text)) => request.body(text.to_owned()),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"));
        (status, value)
    }

    async fn post(&self, path: &str, tenant: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, tenant, Some(Body::Json(body)))
            .await
    }

    async fn get(&self, path: &str, tenant: Option<&str>) -> (StatusCode, Value) {
        self.call("GET", path, tenant, None).await
    }

    /// POSTs and expects 201; returns the record.
    async fn create(&self, path: &str, tenant: Option<&str>, body: Value) -> Value {
        let (status, value) = self.post(path, tenant, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {value}");
        value
    }

    async fn tenant(&self, name: &str) -> String {
        id(&self.create("/tenants", None, json!({ "name": name })).await)
    }

    async fn agent(&self, tenant: &str, name: &str) -> String {
        let flow = json!({ "nodes": ["retrieve", "answer"], "entry": "retrieve" });
        id(&self
            .create(
                "/agents",
                Some(tenant),
                json!({ "name": name, "flowJson": flow }),
            )
            .await)
    }

    async fn conversation(&self, tenant: &str, agent: &str) -> String {
        id(&self
            .create("/conversations", Some(tenant), json!({ "agentId": agent }))
            .await)
    }

    async fn message_count(&self, conversation: &str) -> i64 {
        self.db
            .message()
            .count()
            .filter(client::message::CONVO_ID.equals(conversation))
            .await
            .unwrap()
    }
}

enum Body<'a> {
    Json(Value),
    /// Sent as `application/json`, whatever it holds.
    Raw(&'a str),
    NoContentType(&'a str),
}

fn id(record: &Value) -> String {
    record["id"].as_str().expect("record has an id").to_owned()
}

#[track_caller]
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str, says: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(says),
        "message {message:?} should mention {says:?}"
    );
}

#[refract_test::test]
async fn creates_tenants_users_agents_and_documents(db: client::Client) {
    let service = Service::start(db).await;
    let tenant = service
        .create("/tenants", None, json!({ "name": "Acme", "plan": "pro" }))
        .await;
    assert_eq!(tenant["name"], "Acme");
    assert_eq!(tenant["plan"], "PRO");
    let tenant_id = id(&tenant);

    let user = service
        .create(
            "/users",
            Some(&tenant_id),
            json!({ "email": "ada@acme.test", "name": "Ada", "role": "ADMIN" }),
        )
        .await;
    assert_eq!(
        (&user["tenantId"], &user["role"], &user["name"]),
        (&json!(tenant_id), &json!("ADMIN"), &json!("Ada"))
    );

    let agent = service
        .create(
            "/agents",
            Some(&tenant_id),
            json!({ "name": "triage", "flowJson": { "entry": "start" }, "status": "published" }),
        )
        .await;
    assert_eq!(agent["status"], "PUBLISHED");
    assert_eq!(agent["version"], "0.1.0");
    assert_eq!(agent["flowJson"], json!({ "entry": "start" }));

    let document = service
        .create(
            "/documents",
            Some(&tenant_id),
            json!({ "source": "upload", "uri": "s3://kb/a.pdf", "title": "Refunds",
                    "metadata": { "tags": ["billing"] } }),
        )
        .await;
    assert_eq!(document["tenantId"], json!(tenant_id));
    assert_eq!(document["metadata"]["tags"], json!(["billing"]));
}

/// A request to send: method, path, tenant header, body.
struct Request<'a> {
    method: &'a str,
    path: &'a str,
    tenant: Option<&'a str>,
    body: Option<Body<'a>>,
}

fn get<'a>(path: &'a str, tenant: Option<&'a str>) -> Request<'a> {
    Request {
        method: "GET",
        path,
        tenant,
        body: None,
    }
}

fn post<'a>(path: &'a str, tenant: Option<&'a str>, body: Body<'a>) -> Request<'a> {
    Request {
        method: "POST",
        path,
        tenant,
        body: Some(body),
    }
}

/// Every way a request can be refused, as data: the request, then the status, the
/// error code and a word the message must contain.
#[refract_test::test]
async fn refuses_bad_requests_with_json_errors(db: client::Client) {
    use Body::{Json, NoContentType, Raw};
    let service = Service::start(db).await;
    let tenant = service.tenant("Acme").await;
    let agent = service.agent(&tenant, "triage").await;
    let disabled = id(&service
        .create(
            "/agents",
            Some(&tenant),
            json!({ "name": "old", "flowJson": {}, "status": "DISABLED" }),
        )
        .await);
    let conversation = service.conversation(&tenant, &agent).await;
    service
        .create("/users", Some(&tenant), json!({ "email": "ada@acme.test" }))
        .await;

    let t = Some(tenant.as_str());
    let message = |role: &str, content: &str| {
        Json(json!({ "conversationId": conversation, "role": role, "content": content }))
    };
    #[rustfmt::skip] // a table: one case per entry
    let cases = [
        // unique violations: 409 naming the field
        (post("/tenants", None, Json(json!({ "name": "Acme" }))),
            (409, "unique_violation", "`name`")),
        (post("/users", t, Json(json!({ "email": "ada@acme.test" }))),
            (409, "unique_violation", "`email`")),
        // unknown references: 404
        (post("/conversations", t, Json(json!({ "agentId": "nope" }))),
            (404, "not_found", "agent `nope`")),
        (post("/conversations", t, Json(json!({ "agentId": agent, "userId": "nobody" }))),
            (404, "not_found", "user `nobody`")),
        (post("/messages", t,
                Json(json!({ "conversationId": "nope", "role": "USER", "content": "hi" }))),
            (404, "not_found", "conversation `nope`")),
        (get("/conversations/nope", t), (404, "not_found", "conversation `nope`")),
        (get("/no/such/route", t), (404, "not_found", "route")),
        // the tenant itself
        (get("/conversations/x", None), (400, "missing_tenant", "X-Tenant-Id")),
        (get("/conversations/x", Some("ghost")), (404, "unknown_tenant", "`ghost`")),
        // malformed bodies: 422 (415 without a JSON content type)
        (post("/messages", t, Raw("{\"conversationId\": ")),
            (422, "invalid_body", "malformed")),
        (post("/messages", t, Raw("{\"conversationId\": \"c\", \"role\": \"USER\"}")),
            (422, "invalid_body", "missing field `content`")),
        (post("/messages", t,
                Json(json!({ "conversationId": 7, "role": "USER", "content": "x" }))),
            (422, "invalid_body", "invalid type")),
        (post("/conversations", t, Json(json!({ "agentId": agent, "tenantId": "other" }))),
            (422, "invalid_body", "unknown field `tenantId`")),
        (post("/tenants", None, NoContentType("{\"name\": \"x\"}")),
            (415, "unsupported_media_type", "Content-Type")),
        // invalid values: 422 naming the field
        (post("/messages", t, message("ROBOT", "x")),
            (422, "invalid_input", "USER, ASSISTANT, TOOL, SYSTEM")),
        (post("/messages", t, message("USER", "  ")), (422, "invalid_input", "`content`")),
        (post("/conversations", t, Json(json!({ "agentId": agent, "channel": "fax" }))),
            (422, "invalid_input", "web, slack, teams")),
        (post("/conversations", t, Json(json!({ "agentId": agent, "state": [1, 2] }))),
            (422, "invalid_input", "`state`")),
        (post("/tenants", None, Json(json!({ "name": "B", "plan": "GOLD" }))),
            (422, "invalid_input", "FREE, PRO, ENTERPRISE")),
        (post("/users", t, Json(json!({ "email": "not-an-email" }))),
            (422, "invalid_input", "`email`")),
        (post("/agents", t, Json(json!({ "name": "a", "flowJson": "graph" }))),
            (422, "invalid_input", "`flowJson`")),
        (post("/documents", t, Json(json!({ "source": "s", "uri": "u", "title": "t",
                                            "metadata": { "tags": "billing" } }))),
            (422, "invalid_input", "metadata.tags")),
        // a disabled agent takes no conversations
        (post("/conversations", t, Json(json!({ "agentId": disabled }))),
            (409, "conflict", "disabled")),
    ];
    for (request, (status, code, says)) in cases {
        let (method, path) = (request.method, request.path);
        let (got, value) = service
            .call(method, path, request.tenant, request.body)
            .await;
        let expected = StatusCode::from_u16(status).unwrap();
        assert_eq!(got, expected, "{method} {path}: {value}");
        assert_error(got, &value, expected, code, says);
    }
    let (_, conflict) = service
        .post("/users", t, json!({ "email": "ada@acme.test" }))
        .await;
    assert_eq!(conflict["error"]["field"], "email");
}

#[refract_test::test]
async fn conversations_keep_their_messages_in_order(db: client::Client) {
    let service = Service::start(db).await;
    let tenant = service.tenant("Acme").await;
    let t = Some(tenant.as_str());
    let agent = service.agent(&tenant, "support").await;
    let user = id(&service
        .create("/users", t, json!({ "email": "ada@acme.test" }))
        .await);
    let conversation = service
        .create(
            "/conversations",
            t,
            json!({ "agentId": agent, "channel": "Slack", "userId": user,
                    "state": { "node": "retrieve", "vars": {} } }),
        )
        .await;
    assert_eq!(conversation["agentId"], json!(agent));
    assert_eq!(conversation["tenantId"], json!(tenant));
    assert_eq!(conversation["userId"], json!(user));
    assert_eq!(conversation["channel"], "slack");
    assert_eq!(
        conversation["state"],
        json!({ "node": "retrieve", "vars": {} })
    );
    let conversation_id = id(&conversation);

    let bare = service
        .create("/conversations", t, json!({ "agentId": agent }))
        .await;
    assert_eq!(
        (&bare["state"], &bare["userId"]),
        (&json!({}), &Value::Null)
    );

    let turns = [
        ("system", "You are a support agent."),
        ("USER", "My invoice is wrong."),
        ("Tool", "kb_search: refunds policy"),
        ("assistant", "Here is how refunds work."),
    ];
    for (role, content) in turns {
        let message = service
            .create(
                "/messages",
                t,
                json!({ "conversationId": conversation_id, "role": role, "content": content,
                        "metadata": { "turn": content.len() } }),
            )
            .await;
        assert_eq!(message["role"], role.to_uppercase());
        assert_eq!(message["convoId"], json!(conversation_id));
    }

    let (status, found) = service
        .get(&format!("/conversations/{conversation_id}"), t)
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["id"], json!(conversation_id));
    assert_eq!(found["state"]["node"], "retrieve");
    let messages = found["messages"].as_array().unwrap();
    let got: Vec<(String, String)> = messages
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = turns
        .iter()
        .map(|(role, content)| (role.to_uppercase(), content.to_string()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(messages[1]["metadata"], json!({ "turn": 20 }));

    let (_, bare_found) = service
        .get(&format!("/conversations/{}", id(&bare)), t)
        .await;
    assert_eq!(bare_found["messages"], json!([]));
}

#[refract_test::test]
async fn tenants_never_see_or_touch_each_others_rows(db: client::Client) {
    let service = Service::start(db).await;
    let acme = service.tenant("Acme").await;
    let globex = service.tenant("Globex").await;
    let acme_agent = service.agent(&acme, "acme-bot").await;
    let globex_agent = service.agent(&globex, "globex-bot").await;
    let acme_user = id(&service
        .create("/users", Some(&acme), json!({ "email": "ada@acme.test" }))
        .await);
    let acme_conversation = service.conversation(&acme, &acme_agent).await;
    service
        .create(
            "/messages",
            Some(&acme),
            json!({ "conversationId": acme_conversation, "role": "USER", "content": "acme secret" }),
        )
        .await;
    service
        .create(
            "/documents",
            Some(&acme),
            json!({ "source": "upload", "uri": "s3://acme/plan.pdf", "title": "Acme pricing plan" }),
        )
        .await;

    let g = Some(globex.as_str());
    // Reading another tenant's conversation: 404, and nothing of it in the answer.
    let (status, body) = service
        .get(&format!("/conversations/{acme_conversation}"), g)
        .await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "not_found",
        "conversation",
    );
    assert!(!body.to_string().contains("acme secret"));
    // Writing into it: 404, and nothing written.
    let (status, body) = service
        .post(
            "/messages",
            g,
            json!({ "conversationId": acme_conversation, "role": "USER", "content": "injected" }),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "not_found",
        "conversation",
    );
    assert_eq!(service.message_count(&acme_conversation).await, 1);
    // Using its agent or its user: 404, no conversation created.
    let (status, body) = service
        .post("/conversations", g, json!({ "agentId": acme_agent }))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found", "agent");
    let (status, body) = service
        .post(
            "/conversations",
            g,
            json!({ "agentId": globex_agent, "userId": acme_user }),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found", "user");
    let globex_conversations = service
        .db
        .conversation()
        .count()
        .filter(client::conversation::TENANT_ID.equals(&globex))
        .await
        .unwrap();
    assert_eq!(globex_conversations, 0);
    // Searching: the other tenant's documents do not exist.
    let (status, body) = service.get("/kb/search?q=pricing", g).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["results"], json!([]));
    let (_, body) = service.get("/kb/search?q=pricing", Some(&acme)).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    // The owner still sees everything.
    let (status, body) = service
        .get(&format!("/conversations/{acme_conversation}"), Some(&acme))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["messages"][0]["content"], "acme secret");
}

#[refract_test::test]
async fn failed_requests_leave_no_partial_rows(db: client::Client) {
    let service = Service::start(db).await;
    let tenant = service.tenant("Acme").await;
    let t = Some(tenant.as_str());
    let agent = service.agent(&tenant, "bot").await;
    let conversation = service.conversation(&tenant, &agent).await;
    let before = service
        .db
        .conversation()
        .find_unique(client::conversation::id(&conversation))
        .await
        .unwrap()
        .unwrap();

    // The append touches the conversation, then the insert fails in the database (text
    // cannot hold NUL): the whole transaction rolls back.
    for body in [
        json!({ "conversationId": conversation, "role": "USER", "content": "a\u{0}b" }),
        json!({ "conversationId": conversation, "role": "USER", "content": "ok",
                "metadata": { "note": "\u{0}" } }),
    ] {
        let (status, value) = service.post("/messages", t, body).await;
        assert_error(
            status,
            &value,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "rejected by the database",
        );
    }
    assert_eq!(service.message_count(&conversation).await, 0);
    let after = service
        .db
        .conversation()
        .find_unique(client::conversation::id(&conversation))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.updated_at, before.updated_at,
        "the touch was rolled back"
    );

    // A conversation whose checks fail is not created.
    let (status, _) = service
        .post(
            "/conversations",
            t,
            json!({ "agentId": agent, "userId": "nobody", "state": { "a": 1 } }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, value) = service
        .post(
            "/conversations",
            t,
            json!({ "agentId": agent, "state": { "bad": "\u{0}" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{value}");
    assert_eq!(service.db.conversation().count().await.unwrap(), 1);
}

#[refract_test::test]
async fn kb_search_ranks_pages_and_binds_its_input(db: client::Client) {
    let service = Service::start(db).await;
    let tenant = service.tenant("Acme").await;
    let t = Some(tenant.as_str());
    let documents = [
        ("Refund policy", json!({ "tags": ["billing"] })),
        ("Shipping times", json!({ "tags": ["refund", "logistics"] })),
        (
            "Refunds for annual plans",
            json!({ "tags": ["billing", "refund"] }),
        ),
        (
            "Onboarding guide",
            json!({ "tags": ["setup"], "category": "refund" }),
        ),
        ("Security overview", json!({})),
    ];
    for (title, metadata) in &documents {
        service
            .create(
                "/documents",
                t,
                json!({ "source": "upload", "uri": format!("s3://kb/{title}"), "title": title,
                        "metadata": metadata }),
            )
            .await;
    }

    let (status, body) = service.get("/kb/search?q=refunds", t).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let titles: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["title"].as_str().unwrap())
        .collect();
    // Title and tag beat title alone, which beats tag alone; `category` is not a tag.
    assert_eq!(
        titles,
        [
            "Refunds for annual plans",
            "Refund policy",
            "Shipping times"
        ]
    );
    let ranks: Vec<f64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["rank"].as_f64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    assert_eq!(
        (body["page"].clone(), body["hasMore"].clone()),
        (json!(1), json!(false))
    );

    // Two pages of two, then one.
    let mut paged = Vec::new();
    for (page, has_more) in [(1, true), (2, false)] {
        let (status, body) = service
            .get(&format!("/kb/search?q=refund&page={page}&pageSize=2"), t)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["hasMore"], json!(has_more), "page {page}: {body}");
        for hit in body["results"].as_array().unwrap() {
            paged.push(hit["title"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(paged, titles);

    // Web-search syntax, and input that would break SQL built by hand.
    for (query, expected) in [
        ("billing -annual", vec!["Refund policy"]),
        ("\"shipping times\"", vec!["Shipping times"]),
        ("'; DROP TABLE \"Document\"; --", vec![]),
        ("the", vec![]),
    ] {
        let url =
            reqwest::Url::parse_with_params(&format!("{}/kb/search", service.base), [("q", query)])
                .unwrap();
        let path = format!("{}?{}", url.path(), url.query().unwrap_or_default());
        let (status, body) = service.get(&path, t).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        let got: Vec<&str> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["title"].as_str().unwrap())
            .collect();
        assert_eq!(got, expected, "for {query}");
    }
    assert_eq!(service.db.document().count().await.unwrap(), 5);

    for (query, field) in [
        ("", "q"),
        ("q=%20", "q"),
        ("q=a&page=0", "page"),
        ("q=a&pageSize=51", "pageSize"),
    ] {
        let (status, body) = service.get(&format!("/kb/search?{query}"), t).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
    let (status, body) = service.get("/kb/search?q=a&page=two", t).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_query",
        "page",
    );
}

#[refract_test::test(worker_threads = 4)]
async fn concurrent_appends_lose_no_message(db: client::Client) {
    const APPENDS: usize = 200;
    let service = Service::start(db).await;
    let tenant = service.tenant("Acme").await;
    let agent = service.agent(&tenant, "bot").await;
    let conversation = service.conversation(&tenant, &agent).await;

    let (service, tenant) = (&service, tenant.as_str());
    let requests = (0..APPENDS).map(|n| {
        let body = json!({ "conversationId": conversation, "role": "USER",
                           "content": format!("message {n}") });
        async move { service.post("/messages", Some(tenant), body).await }
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut ids = HashSet::new();
    for (status, body) in &responses {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
        ids.insert(id(body));
    }
    assert_eq!(ids.len(), APPENDS);

    let (status, found) = service
        .get(&format!("/conversations/{conversation}"), Some(tenant))
        .await;
    assert_eq!(status, StatusCode::OK);
    let messages = found["messages"].as_array().unwrap();
    assert_eq!(messages.len(), APPENDS);
    let listed: HashSet<String> = messages.iter().map(id).collect();
    assert_eq!(listed, ids);
    let contents: HashSet<&str> = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents.len(), APPENDS);
    // Appends are serialized per conversation: createdAt strictly increases.
    let stamps: Vec<&str> = messages
        .iter()
        .map(|m| m["createdAt"].as_str().unwrap())
        .collect();
    let parsed: Vec<client::runtime::chrono::DateTime<client::runtime::chrono::Utc>> =
        stamps.iter().map(|s| s.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    assert_eq!(service.message_count(&conversation).await, APPENDS as i64);
}

/// The process-wide client, as code outside handlers uses it. The only test that
/// installs it (it is one per process).
#[refract_test::test]
async fn the_singleton_serves_startup_checks_and_jobs(db: client::Client) {
    let service = Service::start(db).await;
    assert!(
        tenant_service::singleton::db().is_err(),
        "not installed yet"
    );
    tenant_service::singleton::install(service.db.clone()).unwrap();
    assert!(
        tenant_service::singleton::install(service.db.clone()).is_err(),
        "a second client is refused"
    );
    assert_eq!(tenant_service::singleton::startup_check().await.unwrap(), 0);

    let acme = service.tenant("Acme").await;
    let globex = service.tenant("Globex").await;
    let agent = service.agent(&acme, "bot").await;
    let conversation = service.conversation(&acme, &agent).await;
    for content in ["one", "two", "three"] {
        service
            .create(
                "/messages",
                Some(&acme),
                json!({ "conversationId": conversation, "role": "USER", "content": content }),
            )
            .await;
    }
    assert_eq!(tenant_service::singleton::startup_check().await.unwrap(), 2);
    let usage = tenant_service::singleton::usage_report().await.unwrap();
    let usage: Vec<(String, i64, i64)> = usage
        .into_iter()
        .map(|u| (u.tenant_id, u.conversations, u.messages))
        .collect();
    assert_eq!(usage, [(acme, 1, 3), (globex, 0, 0)]);
}

/// A body over the limit is 413 with the service's JSON error, not a 422 "malformed body".
///
/// The request announces 10 MiB, but the test sends only one byte more than the limit and
/// then waits for the answer: the service answers once the limit is crossed, and a client
/// still pushing the other 8 MiB could see the connection reset before it reads the answer.
#[refract_test::test]
async fn an_oversized_body_is_413_with_a_json_error(db: client::Client) {
    let service = Service::start(db).await;
    let tenant = service.tenant("Acme").await;
    let address = service.base.trim_start_matches("http://").to_owned();
    let (status, body) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        let announced = 10 * 1024 * 1024;
        write!(
            stream,
            "POST /users HTTP/1.1\r\nHost: {address}\r\nx-tenant-id: {tenant}\r\n\
             Content-Type: application/json\r\nContent-Length: {announced}\r\n\r\n"
        )
        .unwrap();
        let mut sent = b"{\"email\": \"".to_vec();
        sent.resize(tenant_service::MAX_BODY_BYTES + 1, b'a');
        stream.write_all(&sent).unwrap();
        // The head, then as many body bytes as it announces.
        let mut response = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).unwrap();
            assert!(
                n > 0,
                "connection closed: {:?}",
                String::from_utf8_lossy(&response)
            );
            response.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&response).into_owned();
            let Some(head_end) = text.find("\r\n\r\n") else {
                continue;
            };
            let head = text[..head_end].to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse().ok())
                .expect("a content-length");
            if response.len() >= head_end + 4 + length {
                let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
                let body = text[head_end + 4..head_end + 4 + length].to_owned();
                return (status, body);
            }
        }
    })
    .await
    .unwrap();
    let body: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert_error(
        StatusCode::from_u16(status).unwrap(),
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "limit",
    );
    assert_eq!(service.db.user().count().await.unwrap(), 0);
}

/// `User.email` and `Tenant.name` are unique across tenants. Taking another tenant's value
/// is 409 and answers exactly as taking one's own: nothing of the record that has it.
#[refract_test::test]
async fn unique_conflicts_reveal_nothing_of_the_other_tenant(db: client::Client) {
    let service = Service::start(db).await;
    let acme = service.tenant("Acme Secret Corp").await;
    let globex = service.tenant("Globex").await;
    let ada = service
        .create(
            "/users",
            Some(&acme),
            json!({ "email": "ada@acme.test", "name": "Ada Hidden", "role": "ADMIN" }),
        )
        .await;

    let (status, from_globex) = service
        .post("/users", Some(&globex), json!({ "email": "ada@acme.test" }))
        .await;
    assert_error(
        status,
        &from_globex,
        StatusCode::CONFLICT,
        "unique_violation",
        "`email`",
    );
    let text = from_globex.to_string();
    for secret in [
        acme.as_str(),
        "Acme Secret Corp",
        id(&ada).as_str(),
        "Ada Hidden",
        "ADMIN",
        "exists",
        "tenant",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // The same answer as a clash inside one's own tenant: nothing tells the two apart.
    let (_, from_acme) = service
        .post("/users", Some(&acme), json!({ "email": "ada@acme.test" }))
        .await;
    assert_eq!(from_globex, from_acme);

    // Tenant names: the answer names the field, not the tenant that has the name.
    let (status, body) = service
        .post("/tenants", None, json!({ "name": "Acme Secret Corp" }))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::CONFLICT,
        "unique_violation",
        "`name`",
    );
    let text = body.to_string();
    assert!(
        !text.contains(acme.as_str()) && !text.contains("exists"),
        "{text}"
    );
}

/// The demo data `cargo db-seed` writes, as a per-test seed: the service finds its
/// documents and its conversation, and nothing of it leaks to another tenant.
#[refract_test::test(seed = demo_seed)]
async fn the_demo_seed_is_served(db: client::Client) {
    use client::{Models, conversation, tenant};
    let demo = db
        .tenant()
        .find_unique(tenant::name(tenant_service::demo::TENANT_NAME))
        .await
        .unwrap()
        .expect("the seed ran first");
    let service = Service::start(db).await;
    let (status, page) = service.get("/kb/search?q=refund", Some(&demo.id)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["results"][0]["title"], "Refund policy", "{page}");
    let chat = service
        .db
        .conversation()
        .find_first()
        .filter(conversation::TENANT_ID.equals(&demo.id))
        .await
        .unwrap()
        .expect("a conversation");
    let (status, found) = service
        .get(&format!("/conversations/{}", chat.id), Some(&demo.id))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        found["messages"].as_array().map(Vec::len),
        Some(2),
        "{found}"
    );
    let other = service.tenant("Other").await;
    let (status, _) = service
        .get(&format!("/conversations/{}", chat.id), Some(&other))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn demo_seed(db: client::Client) -> Result<(), client::Error> {
    tenant_service::demo::seed(&db).await.map(|_| ())
}

/// The database half of the isolation, without the client: raw SQL as the application's
/// role (it can log in, is not a superuser, has no `BYPASSRLS`, owns no table), in a
/// transaction that sets `refract.tenant_id` as the scoped client does. With tenant A set
/// it sees none of B's rows in any tenant-owned table (`Message` too, which has no tenant
/// column), cannot write a conversation for A that points at B's agent, and with the
/// setting unset it sees no row at all.
#[refract_test::test]
async fn the_application_role_sees_only_the_tenant_it_sets(db: refract_test::TestDatabase) {
    let service = Service::start(db.client().clone()).await;
    let acme = service.tenant("Acme").await;
    let globex = service.tenant("Globex").await;
    for (tenant, name) in [(&acme, "acme"), (&globex, "globex")] {
        let agent = service.agent(tenant, &format!("{name}-bot")).await;
        let conversation = service.conversation(tenant, &agent).await;
        service
            .create(
                "/messages",
                Some(tenant),
                json!({ "conversationId": conversation, "role": "USER", "content": name }),
            )
            .await;
        service
            .create(
                "/users",
                Some(tenant),
                json!({ "email": format!("ada@{name}.test") }),
            )
            .await;
        service
            .create(
                "/documents",
                Some(tenant),
                json!({ "source": "upload", "uri": format!("s3://{name}/a.pdf"), "title": name }),
            )
            .await;
    }
    let role = format!("app_{}", db.name());
    for sql in [
        format!("CREATE ROLE \"{role}\" LOGIN NOSUPERUSER NOBYPASSRLS"),
        format!("GRANT USAGE ON SCHEMA public TO \"{role}\""),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\""
        ),
    ] {
        db.client().execute_raw(&sql, &[]).await.unwrap();
    }
    // The same database as the application role (the harness's server trusts its socket).
    let (scheme, rest) = db.url().split_once("://").unwrap();
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    let app = client::Client::new(&format!("{scheme}://{role}@{host}")).unwrap();
    let tables = ["User", "Agent", "Conversation", "Message", "Document"];
    let acme_app = app.for_tenant(&acme).unwrap();
    for table in tables {
        let rows: Vec<(String,)> = acme_app
            .query_raw_as(
                &format!(
                    "SELECT count(*)::text FROM \"{table}\" WHERE {}",
                    if table == "Message" {
                        "\"convoId\" IN (SELECT \"id\" FROM \"Conversation\" WHERE \"tenantId\" <> current_setting('refract.tenant_id'))"
                            .to_owned()
                    } else {
                        "\"tenantId\" <> current_setting('refract.tenant_id')".to_owned()
                    }
                ),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(rows[0].0, "0", "{table}: rows of another tenant");
        let all: Vec<(i64,)> = acme_app
            .query_raw_as(&format!("SELECT count(*) FROM \"{table}\""), &[])
            .await
            .unwrap();
        assert_eq!(all[0].0, 1, "{table}: the tenant's own row");
        // Unset (the application role's unscoped client): no row at all.
        let unset: Vec<(i64,)> = app
            .query_raw_as(&format!("SELECT count(*) FROM \"{table}\""), &[])
            .await
            .unwrap();
        assert_eq!(unset[0].0, 0, "{table} without the setting");
    }
    // A conversation of Acme pointing at Globex's agent is refused by the policy.
    let globex_agent: Vec<(String,)> = service
        .db
        .query_raw_as(
            "SELECT \"id\" FROM \"Agent\" WHERE \"tenantId\" = $1",
            &[&globex],
        )
        .await
        .unwrap();
    let refused = acme_app
        .execute_raw(
            "INSERT INTO \"Conversation\" (\"id\", \"agentId\", \"tenantId\", \"state\", \"updatedAt\") VALUES ('x', $1, $2, '{}', now())",
            &[&globex_agent[0].0, &acme],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused.postgres().and_then(|e| e.code()).map(|c| c.code()),
        Some("42501"),
        "{refused}"
    );
    drop((acme_app, app));
    db.client()
        .execute_raw(&format!("DROP OWNED BY \"{role}\""), &[])
        .await
        .unwrap();
    db.client()
        .execute_raw(&format!("DROP ROLE \"{role}\""), &[])
        .await
        .unwrap();
}

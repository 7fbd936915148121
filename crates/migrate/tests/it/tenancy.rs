//! Tenancy in the database (issue 17, the database half): on the reference platform schema
//! with `tenantModel = "Tenant"`, `migrate dev` writes row-level security and policies; a
//! non-superuser role without `BYPASSRLS` sees and writes only its tenant's rows (`Message`
//! through its conversation included), cannot point a row at another tenant's parent, sees
//! nothing without the setting and sees global tools (NULL tenant) from every tenant. The
//! migrated database is in sync, `db pull` keeps `tenantModel`, a policy changed by hand is
//! drift, and removing `tenantModel` writes a migration that drops the policies.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use refract_migrate::commands::{Config, DevOptions, DevOutcome, dev};
use refract_migrate::introspect::{Namespaces, introspect};
use refract_migrate::pull::{config_blocks, render_pulled_schema};
use refract_migrate::sql::{Ident, StringLit};
use refract_testdb::TestDb;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

fn platform(with_tenancy: bool) -> refract_schema::ir::Schema {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tenancy/platform.prisma");
    let mut text = std::fs::read_to_string(path).unwrap();
    if !with_tenancy {
        text = text.replace("  tenantModel = \"Tenant\"\n", "");
    }
    let validated = refract_schema::validate_str("platform.prisma", &text);
    assert!(validated.is_valid(), "{:?}", validated.diagnostics);
    validated.schema
}

fn options(name: &str, minute: u32) -> DevOptions {
    let mut o = DevOptions::new(name);
    o.now = Utc.with_ymd_and_hms(2026, 1, 2, 3, minute, 0).unwrap();
    o
}

/// Tables whose rows belong to a tenant; `Message` through its conversation.
const OWNED: [&str; 6] = [
    "User",
    "Agent",
    "Tool",
    "Conversation",
    "Message",
    "Document",
];

/// Two tenants (`a`, `b`), each with a row in every owned table (ids prefixed with the
/// tenant), and one global tool (`g-tool`). Written by the superuser, who bypasses RLS.
const SEED: &str = r#"
INSERT INTO "Tenant" ("id", "name", "updatedAt") VALUES ('a', 'A', now()), ('b', 'B', now());
INSERT INTO "User" ("id", "email", "tenantId", "updatedAt") VALUES
  ('a-user', 'a@example.com', 'a', now()), ('b-user', 'b@example.com', 'b', now());
INSERT INTO "Agent" ("id", "name", "flowJson", "tenantId", "updatedAt") VALUES
  ('a-agent', 'A', '{}', 'a', now()), ('b-agent', 'B', '{}', 'b', now());
INSERT INTO "Tool" ("id", "name", "title", "type", "inputSchema", "outputSchema", "authType", "authConfig", "tenantId", "updatedAt") VALUES
  ('a-tool', 'a-tool', 'A', 'CUSTOM', '{}', '{}', 'api_key', '{}', 'a', now()),
  ('b-tool', 'b-tool', 'B', 'CUSTOM', '{}', '{}', 'api_key', '{}', 'b', now()),
  ('g-tool', 'g-tool', 'Global', 'KB_SEARCH', '{}', '{}', 'api_key', '{}', NULL, now());
INSERT INTO "Conversation" ("id", "agentId", "tenantId", "state", "updatedAt") VALUES
  ('a-convo', 'a-agent', 'a', '{}', now()), ('b-convo', 'b-agent', 'b', '{}', now());
INSERT INTO "Message" ("id", "role", "content", "convoId") VALUES
  ('a-message', 'USER', 'hello', 'a-convo'), ('b-message', 'USER', 'hello', 'b-convo');
INSERT INTO "Document" ("id", "source", "uri", "title", "metadata", "tenantId", "updatedAt") VALUES
  ('a-doc', 'upload', 's3://a', 'A', '{}', 'a', now()), ('b-doc', 'upload', 's3://b', 'B', '{}', 'b', now());
"#;

/// Runs `sql` as the application role in a transaction that is rolled back, with
/// `refract.tenant_id` set to `tenant` (bound) when given.
async fn as_app(
    client: &mut Client,
    role: &str,
    tenant: Option<&str>,
    sql: &str,
) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    let tx = client.transaction().await.unwrap();
    tx.batch_execute(&format!("SET LOCAL ROLE {}", Ident(role)))
        .await
        .unwrap();
    if let Some(tenant) = tenant {
        tx.execute(
            "SELECT set_config('refract.tenant_id', $1, true)",
            &[&tenant],
        )
        .await
        .unwrap();
    }
    let rows = tx.query(sql, &[]).await;
    tx.rollback().await.unwrap();
    rows
}

async fn ids(client: &mut Client, role: &str, tenant: Option<&str>, table: &str) -> Vec<String> {
    let sql = format!("SELECT \"id\" FROM {} ORDER BY \"id\"", Ident(table));
    as_app(client, role, tenant, &sql)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn denied_by_policy(result: Result<Vec<tokio_postgres::Row>, tokio_postgres::Error>) -> String {
    let error = result.expect_err("the policy lets the write through");
    assert_eq!(
        error.code(),
        Some(&SqlState::INSUFFICIENT_PRIVILEGE),
        "{error:?}"
    );
    error.as_db_error().unwrap().message().to_owned()
}

#[tokio::test]
async fn tenant_owned_tables_are_isolated_by_row_level_security() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(db.url(), dir.path().join("migrations"));

    let outcome = dev(&config, &platform(true), &options("init", 0))
        .await
        .unwrap();
    let DevOutcome::Created { script, .. } = outcome else {
        panic!("{outcome:?}")
    };
    insta::assert_snapshot!("tenancy_init", script);
    assert_eq!(
        dev(&config, &platform(true), &options("again", 1))
            .await
            .unwrap(),
        DevOutcome::AlreadyInSync { applied: vec![] },
        "what PostgreSQL prints back of the policies compares equal to what refract renders"
    );

    // `db pull` keeps the generator block, so the pulled schema declares the same tenancy.
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tenancy/platform.prisma"),
    )
    .unwrap();
    let preamble =
        config_blocks(&refract_schema::validate_str("schema.prisma", &text).source_facts);
    let live = introspect(&db.client().await, &Namespaces::default())
        .await
        .unwrap();
    let pulled = render_pulled_schema(&live, &preamble);
    assert!(pulled.contains("tenantModel = \"Tenant\""), "{pulled}");
    let pulled = refract_schema::validate_str("pulled.prisma", &pulled);
    assert!(pulled.is_valid(), "{:?}", pulled.diagnostics);
    let owned = |schema: &refract_schema::ir::Schema| -> Vec<String> {
        let plan = refract_migrate::tenancy::plan(schema).unwrap().unwrap();
        let mut names: Vec<String> = plan
            .tables
            .iter()
            .map(|t| schema.model(t.model).db_name.clone())
            .collect();
        names.sort();
        names
    };
    assert_eq!(owned(&pulled.schema), owned(&platform(true)));
    assert_eq!(owned(&pulled.schema).len(), OWNED.len());

    let mut admin = db.client().await;
    admin.batch_execute(SEED).await.unwrap();
    // The application's role: not a superuser, no BYPASSRLS, not the tables' owner.
    let role = format!("app_{}", db.name());
    admin
        .batch_execute(&format!(
            "CREATE ROLE {r} NOLOGIN NOSUPERUSER NOBYPASSRLS;
             GRANT USAGE ON SCHEMA public TO {r};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r};",
            r = Ident(&role)
        ))
        .await
        .unwrap();

    for table in OWNED {
        let a = ids(&mut admin, &role, Some("a"), table).await;
        assert!(!a.is_empty(), "{table}: tenant a sees its rows");
        assert!(
            a.iter()
                .all(|id| id.starts_with("a-") || id.starts_with("g-")),
            "{table}: tenant a sees {a:?}"
        );
        let b = ids(&mut admin, &role, Some("b"), table).await;
        assert!(
            b.iter()
                .all(|id| id.starts_with("b-") || id.starts_with("g-")),
            "{table}: tenant b sees {b:?}"
        );
    }
    assert_eq!(
        ids(&mut admin, &role, Some("a"), "Tool").await,
        ["a-tool", "g-tool"]
    );
    assert_eq!(
        ids(&mut admin, &role, Some("b"), "Tool").await,
        ["b-tool", "g-tool"]
    );

    // Without the setting (a fresh session), tenant-owned tables show no rows.
    let mut fresh = db.client().await;
    for table in OWNED {
        assert_eq!(
            ids(&mut fresh, &role, None, table).await,
            Vec::<String>::new(),
            "{table} without refract.tenant_id"
        );
    }

    // Writes: a conversation of a's pointing at b's agent is refused (the foreign-key check
    // alone would accept it); the same at a's own agent is accepted.
    let insert_convo = |agent: &str| {
        format!(
            "INSERT INTO \"Conversation\" (\"id\", \"agentId\", \"tenantId\", \"state\", \"updatedAt\") VALUES ('a-new', {}, 'a', '{{}}', now()) RETURNING \"id\"",
            StringLit(agent)
        )
    };
    let message =
        denied_by_policy(as_app(&mut admin, &role, Some("a"), &insert_convo("b-agent")).await);
    assert!(message.contains("row-level security"), "{message}");
    assert_eq!(
        as_app(&mut admin, &role, Some("a"), &insert_convo("a-agent"))
            .await
            .unwrap()
            .len(),
        1
    );
    // A row of another tenant, or a message into another tenant's conversation, is refused.
    denied_by_policy(
        as_app(
            &mut admin,
            &role,
            Some("a"),
            "INSERT INTO \"Document\" (\"id\", \"source\", \"uri\", \"title\", \"metadata\", \"tenantId\", \"updatedAt\") VALUES ('x', 'upload', 'u', 't', '{}', 'b', now())",
        )
        .await,
    );
    denied_by_policy(
        as_app(
            &mut admin,
            &role,
            Some("a"),
            "INSERT INTO \"Message\" (\"id\", \"role\", \"content\", \"convoId\") VALUES ('x', 'USER', 'hi', 'b-convo')",
        )
        .await,
    );
    // Moving a's conversation to b is refused; b's rows cannot be touched at all.
    denied_by_policy(
        as_app(
            &mut admin,
            &role,
            Some("a"),
            "UPDATE \"Conversation\" SET \"tenantId\" = 'b' WHERE \"id\" = 'a-convo' RETURNING \"id\"",
        )
        .await,
    );
    let touched = as_app(
        &mut admin,
        &role,
        Some("a"),
        "DELETE FROM \"Message\" WHERE \"id\" = 'b-message' RETURNING \"id\"",
    )
    .await
    .unwrap();
    assert!(touched.is_empty());
    // Global tools are read by every tenant and written by none.
    let updated = as_app(
        &mut admin,
        &role,
        Some("a"),
        "UPDATE \"Tool\" SET \"title\" = 'mine' WHERE \"id\" = 'g-tool' RETURNING \"id\"",
    )
    .await
    .unwrap();
    assert!(updated.is_empty());
    denied_by_policy(
        as_app(
            &mut admin,
            &role,
            Some("a"),
            "INSERT INTO \"Tool\" (\"id\", \"name\", \"title\", \"type\", \"inputSchema\", \"outputSchema\", \"authType\", \"authConfig\", \"updatedAt\") VALUES ('x', 'x', 'x', 'CUSTOM', '{}', '{}', 'k', '{}', now())",
        )
        .await,
    );

    // Removing `tenantModel` writes a migration that drops the policies and switches
    // row-level security off; the application role then sees every row.
    let outcome = dev(&config, &platform(false), &options("no tenancy", 2))
        .await
        .unwrap();
    let DevOutcome::Created { script, .. } = outcome else {
        panic!("{outcome:?}")
    };
    insta::assert_snapshot!("tenancy_removed", script);
    assert_eq!(ids(&mut admin, &role, None, "Message").await.len(), 2);
    assert_eq!(
        dev(&config, &platform(false), &options("again", 3))
            .await
            .unwrap(),
        DevOutcome::AlreadyInSync { applied: vec![] }
    );

    // Back on, then a policy changed by hand is drift.
    let outcome = dev(&config, &platform(true), &options("tenancy", 4))
        .await
        .unwrap();
    assert!(matches!(outcome, DevOutcome::Created { .. }), "{outcome:?}");
    admin
        .batch_execute("ALTER POLICY \"refract_tenant_isolation\" ON \"Document\" USING (true)")
        .await
        .unwrap();
    let outcome = dev(&config, &platform(true), &options("after edit", 5))
        .await
        .unwrap();
    let DevOutcome::Drift {
        summary, script, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert!(summary.contains("Document"), "{summary}");
    assert!(
        script.contains("DROP POLICY \"refract_tenant_isolation\" ON \"Document\""),
        "{script}"
    );

    admin
        .batch_execute(&format!(
            "DROP OWNED BY {r}; DROP ROLE {r};",
            r = Ident(&role)
        ))
        .await
        .unwrap();
}

//! The tenant-scoped client (`db.for_tenant(id)`, issue 17) on the root schema, migrated by
//! the root `migrations/` (row-level security on): every operation kind sees and writes only
//! its tenant's rows, twice: as the application's role (not a superuser, no `BYPASSRLS`, not
//! the tables' owner: the database's policies apply too) and as the superuser that owns the
//! tables (row-level security does not apply: the client's own predicate alone isolates).
//!
//! Data: tenants A and B, each with a user, an agent, a tool, a conversation with one
//! message; one global tool (NULL tenant). Seeded with plain SQL as the owner.

use std::path::Path;

use client::runtime::{Error, TenantClient, count_all};
use client::{Models, agent, conversation, message, tool, user};
use refract_testdb::{TestDb, run_migration_folders};
use serde_json::json;

mod sessions;

const SEED: &str = r#"
INSERT INTO "Tenant" ("id", "name", "updatedAt") VALUES ('A', 'Tenant A', now()), ('B', 'Tenant B', now());
INSERT INTO "User" ("id", "email", "tenantId", "updatedAt") VALUES ('ua', 'ua@a.io', 'A', now()), ('ub', 'ub@b.io', 'B', now());
INSERT INTO "Agent" ("id", "name", "flowJson", "tenantId", "updatedAt") VALUES ('a1', 'agent a', '{}', 'A', now()), ('b1', 'agent b', '{}', 'B', now());
INSERT INTO "Tool" ("id", "name", "title", "type", "inputSchema", "outputSchema", "authType", "authConfig", "tenantId", "updatedAt") VALUES
  ('g', 'global', 'Global', 'KB_SEARCH', '{}', '{}', 'api_key', '{}', NULL, now()),
  ('ta', 'tool a', 'A', 'CUSTOM', '{}', '{}', 'api_key', '{}', 'A', now()),
  ('tb', 'tool b', 'B', 'CUSTOM', '{}', '{}', 'api_key', '{}', 'B', now());
INSERT INTO "Conversation" ("id", "agentId", "tenantId", "state", "updatedAt") VALUES ('ca', 'a1', 'A', '{}', now()), ('cb', 'b1', 'B', '{}', now());
INSERT INTO "Message" ("id", "role", "content", "convoId") VALUES ('ma', 'USER', 'hello a', 'ca'), ('mb', 'USER', 'hello b', 'cb');
"#;

/// The root migrations, in folder order, then the seed; returns the application role's URL.
async fn setup(db: &TestDb) -> String {
    let admin = db.client().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    run_migration_folders(&admin, &root).await;
    admin.batch_execute(SEED).await.unwrap();
    // The application's role: can log in, not a superuser, no BYPASSRLS, owns nothing.
    let role = format!("app_{}", db.name());
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS \"{role}\";
             CREATE ROLE \"{role}\" LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS;
             GRANT USAGE ON SCHEMA public TO \"{role}\";
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\";"
        ))
        .await
        .unwrap();
    with_user(db.url(), &role, "app")
}

/// `url` with another user and password.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

async fn drop_role(db: &TestDb) {
    let role = format!("app_{}", db.name());
    db.client()
        .await
        .batch_execute(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\";"))
        .await
        .unwrap();
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    let mut ids: Vec<String> = rows.iter().map(|row| id(row).to_owned()).collect();
    ids.sort();
    ids
}

fn assert_code<T: std::fmt::Debug>(result: Result<T, Error>, code: &str) {
    let error = result.expect_err("must fail");
    assert_eq!(error.code(), Some(code), "{error}");
}

fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>) {
    let error = result.expect_err("must be refused");
    assert!(
        matches!(error, Error::InvalidQuery(ref m) if m.contains("tenant")),
        "{error:?}"
    );
}

/// Every operation kind on tenant A's client; `rls`: the role is subject to row-level
/// security (raw SQL is isolated too).
async fn scenario(a: &TenantClient, rls: bool) {
    // Reads.
    let agents = a.agent().find_many().await.unwrap();
    assert_eq!(ids(&agents, |r| &r.id), ["a1"]);
    assert!(
        a.agent()
            .find_unique(agent::id("b1"))
            .await
            .unwrap()
            .is_none()
    );
    assert_code(
        a.agent().find_unique_or_throw(agent::id("b1")).await,
        "P2025",
    );
    assert!(
        a.agent()
            .find_first()
            .filter(agent::NAME.equals("agent b"))
            .await
            .unwrap()
            .is_none()
    );
    // Message has no tenant column: it is the tenant's through its conversation.
    let messages = a.message().find_many().await.unwrap();
    assert_eq!(ids(&messages, |r| &r.id), ["ma"]);
    // Global tools (NULL tenant) are read by every tenant.
    let tools = a.tool().find_many().await.unwrap();
    assert_eq!(ids(&tools, |r| &r.id), ["g", "ta"]);
    assert_eq!(a.conversation().count().await.unwrap(), 1);
    assert_eq!(a.message().count().await.unwrap(), 1);
    assert_eq!(
        a.user().aggregate(count_all()).await.unwrap().count_all(),
        1
    );
    let groups = a
        .conversation()
        .group_by(conversation::TENANT_ID)
        .aggregate(count_all())
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (
            groups[0].key(conversation::TENANT_ID),
            groups[0].count_all()
        ),
        ("A".to_owned(), 1)
    );
    // A cursor on another tenant's row finds no row to start from.
    assert!(
        a.agent()
            .find_many()
            .cursor(agent::id("b1"))
            .await
            .unwrap()
            .is_empty()
    );

    // Relation filters: subqueries see only the tenant's rows.
    let with_messages = a
        .conversation()
        .find_many()
        .filter(conversation::MESSAGES.some(message::CONTENT.contains("hello")))
        .await
        .unwrap();
    assert_eq!(ids(&with_messages, |r| &r.id), ["ca"]);
    let about_b = a
        .message()
        .find_many()
        .filter(message::CONVO.is(conversation::ID.equals("cb")))
        .await
        .unwrap();
    assert!(about_b.is_empty());
    assert_eq!(
        a.agent()
            .find_many()
            .filter(agent::CONVERSATIONS.none(conversation::ID.equals("cb")))
            .await
            .unwrap()
            .len(),
        1
    );

    // Includes, at every level.
    let convos = a
        .agent()
        .find_many()
        .include(agent::CONVERSATIONS.include(conversation::MESSAGES))
        .await
        .unwrap();
    assert_eq!(convos.len(), 1);
    let nested = convos[0].get(agent::CONVERSATIONS);
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0].id, "ca");
    assert_eq!(
        ids(nested[0].get(conversation::MESSAGES), |m| &m.id),
        ["ma"]
    );

    // Updates and deletes reach only the tenant's rows; global rows are read-only.
    assert_code(
        a.agent()
            .update(agent::id("b1"), [agent::NAME.set("stolen")])
            .await,
        "P2025",
    );
    assert_code(
        a.tool()
            .update(tool::id("g"), [tool::TITLE.set("stolen")])
            .await,
        "P2025",
    );
    assert_eq!(
        a.agent()
            .update_many(agent::NAME.contains("agent"), [agent::VERSION.set("2")])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        a.tool()
            .update_many(tool::NAME.contains(""), [tool::AUTH_TYPE.set("oauth")])
            .await
            .unwrap(),
        1,
        "the global tool is not written"
    );
    assert_code(a.message().delete(message::id("mb")).await, "P2025");
    assert_code(a.tool().delete(tool::id("g")).await, "P2025");
    // Moving a row to another tenant is refused.
    assert_refused(
        a.agent()
            .update(agent::id("a1"), [agent::TENANT_ID.set("B")])
            .await,
    );
    // Pointing a row at another tenant's parent matches nothing.
    assert_code(
        a.conversation()
            .update(conversation::id("ca"), [conversation::AGENT_ID.set("b1")])
            .await,
        "P2025",
    );

    // Creates: the tenant key must be the tenant's; parents must be the tenant's.
    let created = a
        .agent()
        .create(agent::Create {
            name: "new".into(),
            flow_json: json!({}),
            tenant_id: "A".into(),
        })
        .await
        .unwrap();
    assert_eq!(created.tenant_id, "A");
    assert_refused(
        a.agent()
            .create(agent::Create {
                name: "sneaky".into(),
                flow_json: json!({}),
                tenant_id: "B".into(),
            })
            .await,
    );
    assert_code(
        a.conversation()
            .create(conversation::Create {
                agent_id: "b1".into(),
                tenant_id: "A".into(),
                state: json!({}),
            })
            .await,
        "P2025",
    );
    assert_code(
        a.message()
            .create(message::Create {
                role: client::MessageRole::User,
                content: "into b".into(),
                convo_id: "cb".into(),
            })
            .await,
        "P2025",
    );
    let mine = a
        .message()
        .create(message::Create {
            role: client::MessageRole::User,
            content: "into a".into(),
            convo_id: "ca".into(),
        })
        .await
        .unwrap();
    assert_eq!(mine.convo_id, "ca");

    // Many rows at once: every parent a row names is checked first, and nothing is written
    // when one is another tenant's (a foreign key checks only that the parent exists).
    let new_message = |content: &str, convo_id: &str| message::Create {
        role: client::MessageRole::User,
        content: content.into(),
        convo_id: convo_id.into(),
    };
    assert_code(
        a.message()
            .create_many([new_message("many", "ca"), new_message("many", "cb")])
            .await,
        "P2025",
    );
    let new_conversation = |agent_id: &str| conversation::Create {
        agent_id: agent_id.into(),
        tenant_id: "A".into(),
        state: json!({}),
    };
    assert_code(
        a.conversation()
            .create_many([new_conversation("a1"), new_conversation("b1")])
            .await,
        "P2025",
    );
    let many = a
        .message()
        .create_many([new_message("many", "ca"), new_message("many", "ca")])
        .await
        .unwrap();
    assert_eq!(many, 2);
    let removed = a
        .message()
        .delete_many(message::CONTENT.equals("many"))
        .await
        .unwrap();
    assert_eq!(removed, 2);

    // Nested writes: connect reaches only the tenant's rows.
    assert_code(
        a.conversation()
            .create(client::runtime::Unchecked([
                conversation::TENANT_ID.set("A"),
                conversation::STATE.set(json!({})),
            ]))
            .with(conversation::AGENT.connect(agent::id("b1")))
            .await,
        "P2025",
    );
    assert_code(
        a.conversation()
            .update_relations(conversation::id("ca"))
            .with(conversation::AGENT.connect(agent::id("b1")))
            .await,
        "P2025",
    );
    let linked = a
        .conversation()
        .create(client::runtime::Unchecked([
            conversation::TENANT_ID.set("A"),
            conversation::STATE.set(json!({})),
        ]))
        .with(conversation::AGENT.connect(agent::id("a1")))
        .with(conversation::MESSAGES.create(message::CreateWithoutConvo {
            role: client::MessageRole::User,
            content: "nested".into(),
        }))
        .await
        .unwrap();
    assert_eq!(linked.agent_id, "a1");
    assert_code(
        a.conversation()
            .update_relations(conversation::id("cb"))
            .with(conversation::MESSAGES.create(message::CreateWithoutConvo {
                role: client::MessageRole::User,
                content: "nested into b".into(),
            }))
            .await,
        "P2025",
    );

    // Upsert: another tenant's row is never updated.
    assert!(
        a.agent()
            .upsert(
                agent::id("b1"),
                client::runtime::Unchecked([
                    agent::ID.set("b1"),
                    agent::NAME.set("x"),
                    agent::FLOW_JSON.set(json!({})),
                    agent::TENANT_ID.set("A"),
                ]),
                [agent::NAME.set("stolen")],
            )
            .await
            .is_err()
    );
    let upserted = a
        .agent()
        .upsert(
            agent::id("a-up"),
            client::runtime::Unchecked([
                agent::ID.set("a-up"),
                agent::NAME.set("up"),
                agent::FLOW_JSON.set(json!({})),
                agent::TENANT_ID.set("A"),
            ]),
            [agent::NAME.set("again")],
        )
        .await
        .unwrap();
    assert_eq!(upserted.tenant_id, "A");

    // Transactions run with the tenant set and restricted to it.
    let (seen, setting) = a
        .transaction(|tx| async move {
            let agents = tx.agent().find_many().await?;
            let setting: Vec<(String,)> = tx
                .query_raw_as("SELECT current_setting('refract.tenant_id', true)", &[])
                .await?;
            Ok::<_, Error>((agents.len(), setting[0].0.clone()))
        })
        .await
        .unwrap();
    assert_eq!((seen, setting.as_str()), (3, "A"));

    // Raw SQL runs with the tenant set; only row-level security restricts it.
    let setting: Vec<(String,)> = a
        .query_raw_as("SELECT current_setting('refract.tenant_id', true)", &[])
        .await
        .unwrap();
    assert_eq!(setting[0].0, "A");
    let raw: Vec<(String,)> = a
        .query_raw_as(r#"SELECT "id" FROM "Message" ORDER BY "id""#, &[])
        .await
        .unwrap();
    let raw: Vec<&str> = raw.iter().map(|(id,)| id.as_str()).collect();
    if rls {
        assert!(!raw.contains(&"mb"), "{raw:?}");
    } else {
        assert!(raw.contains(&"mb"), "the owner bypasses RLS: {raw:?}");
    }

    // Deletes of the tenant's own rows work (cascades included).
    assert_eq!(
        a.message()
            .delete_many(message::CONTENT.contains(""))
            .await
            .unwrap(),
        3
    );
}

/// B's rows after A's scenario: untouched.
async fn b_is_untouched(admin: &client::Client) {
    let b1 = admin
        .agent()
        .find_unique(agent::id("b1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (b1.name.as_str(), b1.version.as_str()),
        ("agent b", "0.1.0")
    );
    let g = admin
        .tool()
        .find_unique(tool::id("g"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (g.title.as_str(), g.auth_type.as_str()),
        ("Global", "api_key")
    );
    let cb = admin
        .conversation()
        .find_unique(conversation::id("cb"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cb.agent_id, "b1");
    let b_messages = admin
        .message()
        .find_many()
        .filter(message::CONVO_ID.equals("cb"))
        .await
        .unwrap();
    assert_eq!(ids(&b_messages, |m| &m.id), ["mb"]);
    assert_eq!(admin.user().count().await.unwrap(), 2);
}

#[tokio::test]
async fn the_application_role_sees_and_writes_only_its_tenant() {
    let db = TestDb::new().await;
    let app_url = setup(&db).await;
    let app = client::Client::new(&app_url).unwrap();
    scenario(&app.for_tenant("A").unwrap(), true).await;
    // Without the setting, the unscoped client sees no tenant-owned row (RLS).
    assert!(app.agent().find_many().await.unwrap().is_empty());
    assert!(app.message().find_many().await.unwrap().is_empty());
    assert!(app.tool().find_many().await.unwrap().is_empty());
    // Raw SQL as the application role with tenant B set sees none of A's rows.
    let b = app.for_tenant("B").unwrap();
    let rows: Vec<(String,)> = b
        .query_raw_as(r#"SELECT "convoId" FROM "Message""#, &[])
        .await
        .unwrap();
    assert!(rows.iter().all(|(convo,)| convo == "cb"), "{rows:?}");
    let admin = client::Client::new(db.url()).unwrap();
    b_is_untouched(&admin).await;
    drop(app);
    drop_role(&db).await;
}

#[tokio::test]
async fn a_role_that_bypasses_row_level_security_is_isolated_by_the_client() {
    let db = TestDb::new().await;
    setup(&db).await;
    drop_role(&db).await;
    let admin = client::Client::new(db.url()).unwrap();
    scenario(&admin.for_tenant("A").unwrap(), false).await;
    b_is_untouched(&admin).await;
    // The unscoped client is the explicit admin path: it sees every tenant.
    assert_eq!(admin.agent().count().await.unwrap(), 4);
}

#[tokio::test]
async fn a_scoped_client_behind_a_transaction_pooler_sets_the_tenant_per_statement() {
    let db = TestDb::new().await;
    let app_url = setup(&db).await;
    let app = client::Client::new(&format!("{app_url}?pgbouncer=true")).unwrap();
    let a = app.for_tenant("A").unwrap();
    let agents = a.agent().find_many().await.unwrap();
    assert_eq!(ids(&agents, |r| &r.id), ["a1"]);
    let users = a
        .user()
        .find_many()
        .filter(user::EMAIL.contains("@"))
        .await
        .unwrap();
    assert_eq!(ids(&users, |r| &r.id), ["ua"]);
    assert_code(
        a.conversation()
            .update_relations(conversation::id("ca"))
            .with(conversation::AGENT.connect(agent::id("b1")))
            .await,
        "P2025",
    );
    drop(app);
    drop_role(&db).await;
}

//! Writes on the root schema's client with named data (`Create` structs), where a value the
//! caller sets must always win over the client's default (`@default(cuid())`), through
//! every create path: top-level and nested `create`, nested `create_many`, `upsert`,
//! `connect_or_create`; nested creates take optional fields through `.set(..)`; a new
//! record's `@updatedAt` is its `@default(now())`.

use client::*;
use serde_json::json;

use super::{setup, tenant};

async fn agent_of(db: &Client, tenant_id: &str) -> Agent {
    db.agent()
        .create(agent::Create {
            name: "support".into(),
            flow_json: json!({}),
            tenant_id: tenant_id.to_owned(),
        })
        .await
        .unwrap()
}

fn conversation_data(agent: &Agent) -> conversation::Create {
    conversation::Create {
        agent_id: agent.id.clone(),
        tenant_id: agent.tenant_id.clone(),
        state: json!({}),
    }
}

#[tokio::test]
async fn an_explicit_id_wins_over_cuid_in_create_and_upsert() {
    let s = setup().await;
    let db = &s.client;
    let generated = db
        .tenant()
        .create(tenant::Create {
            name: "generated".into(),
        })
        .await
        .unwrap();
    assert!(
        generated.id.starts_with('c') && generated.id.len() == 25,
        "{}",
        generated.id
    );

    let explicit = db
        .tenant()
        .create(tenant::Create {
            name: "explicit".into(),
        })
        .set(tenant::ID.set("tenant-explicit"))
        .await
        .unwrap();
    assert_eq!(explicit.id, "tenant-explicit");

    let upserted = db
        .tenant()
        .upsert(
            tenant::id("tenant-upserted"),
            tenant::Create {
                name: "upserted".into(),
            }
            .set(tenant::ID.set("tenant-upserted")),
            [tenant::NAME.set("never")],
        )
        .await
        .unwrap();
    assert_eq!(
        (upserted.id.as_str(), upserted.name.as_str()),
        ("tenant-upserted", "upserted")
    );
    // The second time the key exists: the update branch runs.
    let updated = db
        .tenant()
        .upsert(
            tenant::id("tenant-upserted"),
            tenant::Create {
                name: "again".into(),
            }
            .set(tenant::ID.set("tenant-upserted")),
            [tenant::NAME.set("updated")],
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "updated");

    let many = db
        .tenant()
        .create_many([
            tenant::Create { name: "m1".into() }.set(tenant::ID.set("tenant-m1")),
            runtime::WithFields::new(tenant::Create { name: "m2".into() }),
        ])
        .and_return()
        .await
        .unwrap();
    assert_eq!(many[0].id, "tenant-m1");
    assert!(many[1].id.starts_with('c'), "{}", many[1].id);
}

#[tokio::test]
async fn an_explicit_id_wins_in_nested_create_and_create_many() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let agent = agent_of(db, &t.id).await;
    let convo = db
        .conversation()
        .create(conversation_data(&agent))
        .with(
            conversation::MESSAGES
                .create(message::CreateWithoutConvo {
                    role: MessageRole::User,
                    content: "first".into(),
                })
                .set(message::ID.set("message-nested"))
                // An optional field of the nested record.
                .set(message::METADATA.set(json!({ "source": "web" }))),
        )
        .with(
            conversation::MESSAGES.create_many([
                message::CreateWithoutConvo {
                    role: MessageRole::Assistant,
                    content: "second".into(),
                }
                .set(message::ID.set("message-many")),
                runtime::WithFields::new(message::CreateWithoutConvo {
                    role: MessageRole::Assistant,
                    content: "third".into(),
                }),
            ]),
        )
        .include(conversation::MESSAGES.order_by(message::CONTENT.asc()))
        .await
        .unwrap();
    let messages = convo.get(conversation::MESSAGES);
    let by_content = |content: &str| {
        messages
            .iter()
            .find(|m| m.content == content)
            .unwrap_or_else(|| panic!("{content} in {messages:?}"))
    };
    let first = by_content("first");
    assert_eq!(first.id, "message-nested");
    assert_eq!(first.metadata, Some(json!({ "source": "web" })));
    assert_eq!(first.convo_id, convo.id);
    assert_eq!(by_content("second").id, "message-many");
    assert!(by_content("third").id.starts_with('c'));
}

#[tokio::test]
async fn an_explicit_id_wins_in_connect_or_create() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let agent = agent_of(db, &t.id).await;
    let created = db
        .message()
        .create_linked(
            message::CreateWithoutConvo {
                role: MessageRole::User,
                content: "hello".into(),
            },
            message::CONVO.connect_or_create(
                conversation::id("convo-explicit"),
                conversation_data(&agent).set(conversation::ID.set("convo-explicit")),
            ),
        )
        .await
        .unwrap();
    assert_eq!(created.convo_id, "convo-explicit");
    // And through a to-many relation, the created record linked to the parent.
    db.conversation()
        .update_relations(conversation::id("convo-explicit"))
        .with(
            conversation::MESSAGES.connect_or_create(
                message::id("message-linked"),
                message::CreateWithoutConvo {
                    role: MessageRole::Assistant,
                    content: "linked".into(),
                }
                .set(message::ID.set("message-linked")),
            ),
        )
        .await
        .unwrap();
    let linked = db
        .message()
        .find_unique_or_throw(message::id("message-linked"))
        .await
        .unwrap();
    assert_eq!(linked.convo_id, "convo-explicit");
}

#[tokio::test]
async fn a_new_record_is_stamped_once() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    assert_eq!(t.updated_at, t.created_at);
    let agent = agent_of(db, &t.id).await;
    let convo = db
        .conversation()
        .create(conversation_data(&agent))
        .await
        .unwrap();
    assert_eq!(convo.updated_at, convo.created_at);
    let many = db
        .tenant()
        .create_many([
            tenant::Create { name: "a".into() },
            tenant::Create { name: "b".into() },
        ])
        .and_return()
        .await
        .unwrap();
    assert!(many.iter().all(|t| t.updated_at == t.created_at));
    assert_eq!(
        many[0].created_at, many[1].created_at,
        "one instant per statement"
    );
}

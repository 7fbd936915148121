//! Relations on the root schema, as the reference application uses them: a conversation
//! with its messages in order, in one typed call; a conversation created with its first
//! message in one nested write; tenants filtered and counted by their relations.

use client::runtime::{Loaded, With, count_all};
use client::*;
use serde_json::json;

use super::{setup, tenant};

/// What `GET /conversations/{id}` returns.
type ConversationWithMessages = Loaded<Conversation, (With<conversation::relation::Messages>,)>;

#[tokio::test]
async fn a_conversation_with_its_messages_in_one_call() {
    let s = setup().await;
    let db = &s.client;
    let acme = tenant(db, "acme").await;
    let agent = db
        .agent()
        .create(agent::Create {
            name: "helper".into(),
            flow_json: json!({}),
            tenant_id: acme.id.to_owned(),
        })
        .await
        .unwrap();

    // POST /conversations: the conversation and its first message, one nested write.
    let created: ConversationWithMessages = db
        .conversation()
        .create(conversation::Create {
            agent_id: agent.id.to_owned(),
            tenant_id: acme.id.to_owned(),
            state: json!({"step": 0}),
        })
        .set(conversation::CHANNEL.set("web"))
        .with(conversation::MESSAGES.create(message::CreateWithoutConvo {
            role: MessageRole::User,
            content: "hello".into(),
        }))
        .include(conversation::MESSAGES)
        .await
        .unwrap();
    assert_eq!(created.get(conversation::MESSAGES).len(), 1);
    assert_eq!(created.get(conversation::MESSAGES)[0].convo_id, created.id);

    // More messages, with explicit times out of insertion order.
    let at = |s: i64| chrono::DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
    for (content, second) in [("third", 30), ("second", 20), ("fourth", 40)] {
        db.message()
            .create(message::Create {
                role: MessageRole::Assistant,
                content: content.to_owned(),
                convo_id: created.id.to_owned(),
            })
            .set(message::CREATED_AT.set(at(second)))
            .await
            .unwrap();
    }
    db.message()
        .update(
            message::id(&created.get(conversation::MESSAGES)[0].id),
            [message::CREATED_AT.set(at(10))],
        )
        .await
        .unwrap();

    // GET /conversations/{id}: one typed call, messages in order.
    let found: Option<ConversationWithMessages> = db
        .conversation()
        .find_unique(conversation::id(&created.id).and(conversation::TENANT_ID.equals(&acme.id)))
        .include(conversation::MESSAGES.order_by(message::CREATED_AT.asc()))
        .await
        .unwrap();
    let found = found.unwrap();
    let contents: Vec<&str> = found
        .get(conversation::MESSAGES)
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(contents, ["hello", "second", "third", "fourth"]);
    let json = serde_json::to_value(&found).unwrap();
    assert_eq!(json["messages"][3]["content"], "fourth");
    assert!(
        json.get("agent").is_none() && json.get("_count").is_none(),
        "{json}"
    );

    // The latest two, and the agent and tenant with it.
    let latest = db
        .conversation()
        .find_unique(conversation::id(&created.id))
        .include(
            conversation::MESSAGES
                .order_by(message::CREATED_AT.asc())
                .take(-2),
        )
        .include(conversation::AGENT)
        .include(conversation::TENANT.include_count())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        latest
            .get(conversation::MESSAGES)
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        ["third", "fourth"]
    );
    assert_eq!(latest.get(conversation::AGENT).name, "helper");
    let tenant = latest.get(conversation::TENANT);
    assert_eq!(tenant.counts().conversations, 1);
    assert_eq!(tenant.counts().agents, 1);
    // Prisma's shape: the record's fields, each relation by its name, `_count`.
    let json = serde_json::to_value(&latest).unwrap();
    assert_eq!(json["agent"]["name"], "helper");
    assert_eq!(json["tenant"]["_count"]["conversations"], 1);
    assert_eq!(json["messages"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["id"], serde_json::Value::from(created.id.clone()));
}

#[tokio::test]
async fn tenants_by_their_relations() {
    let s = setup().await;
    let db = &s.client;
    let mut with_refunds = Vec::new();
    for (name, text) in [("a", "refund please"), ("b", "hi"), ("c", "another refund")] {
        let t = tenant(db, name).await;
        let agent = db
            .agent()
            .create(agent::Create {
                name: "x".into(),
                flow_json: json!({}),
                tenant_id: t.id.to_owned(),
            })
            .await
            .unwrap();
        db.conversation()
            .create(conversation::Create {
                agent_id: agent.id.to_owned(),
                tenant_id: t.id.to_owned(),
                state: json!({}),
            })
            .with(conversation::MESSAGES.create_many([
                message::CreateWithoutConvo {
                    role: MessageRole::User,
                    content: text.to_owned(),
                },
                message::CreateWithoutConvo {
                    role: MessageRole::Assistant,
                    content: "ok".into(),
                },
            ]))
            .await
            .unwrap();
        if text.contains("refund") {
            with_refunds.push(t.id);
        }
    }
    let found: Vec<String> =
        db.tenant()
            .find_many()
            .filter(tenant::CONVERSATIONS.some(
                conversation::MESSAGES.some(message::CONTENT.contains("REFUND").insensitive()),
            ))
            .order_by(tenant::NAME.asc())
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
    assert_eq!(found, with_refunds);
    // Messages per role, over every conversation.
    let per_role = db
        .message()
        .group_by(message::ROLE)
        .aggregate(count_all())
        .order_by(message::ROLE.asc())
        .await
        .unwrap();
    let per_role: Vec<(MessageRole, i64)> = per_role
        .iter()
        .map(|group| (group.key(message::ROLE), group.count_all()))
        .collect();
    assert_eq!(
        per_role,
        [(MessageRole::User, 3), (MessageRole::Assistant, 3)]
    );
}

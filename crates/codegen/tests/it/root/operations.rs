//! Every operation on every model of the root schema: the typed `create` (required fields
//! as arguments, optional ones through setters), then find_unique(_or_throw),
//! find_first(_or_throw), find_many, create_many, update, update_many, upsert (both
//! paths), delete, delete_many and count through one routine shared by all models.

use std::fmt::Debug;

use client::runtime::{self as rt, Client, Filter};
use client::*;
use serde_json::json;

use super::{setup, tenant};

/// What the shared routine needs to know about one model.
struct Case<M: 'static, D> {
    /// The data of four new rows (the model's `Create`: required fields; ids are the
    /// client's defaults).
    rows: [D; 4],
    id: rt::Field<M, String>,
    /// Sets some text field of the model, and reads it back.
    change: fn(&str) -> rt::Assign<M>,
    text: fn(&M) -> Option<String>,
    key: fn(&M) -> rt::UniqueWhere<M>,
    id_of: fn(&M) -> String,
}

async fn every_operation<M, D>(db: &Client, case: Case<M, D>)
where
    M: rt::Model + Clone + PartialEq + Debug + Send,
    D: rt::CreateData<M> + Clone,
{
    let actions = || rt::Actions::<M>::new(rt::AsExecutor::executor(db));
    let [first, second, third, fourth] = case.rows;
    assert_eq!(actions().count().await.unwrap(), 0);

    // create, find_unique, find_unique_or_throw
    let created = actions().create(first.clone()).await.unwrap();
    let created_id = (case.id_of)(&created);
    assert!(!created_id.is_empty(), "the client's default id");
    let key = (case.key)(&created);
    assert_eq!(
        actions().find_unique(key.clone()).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        actions().find_unique_or_throw(key.clone()).await.unwrap(),
        created
    );

    // create_many, count, find_many, find_first(_or_throw)
    assert_eq!(actions().create_many([second, third]).await.unwrap(), 2);
    assert_eq!(actions().count().await.unwrap(), 3);
    let all = actions().find_many().order_by(case.id.asc()).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.contains(&created));
    let by_id = || case.id.equals(created_id.clone());
    assert_eq!(
        actions().find_first().filter(by_id()).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        actions()
            .find_first_or_throw()
            .filter(by_id())
            .await
            .unwrap(),
        created
    );
    assert_eq!(
        actions()
            .find_first()
            .filter(case.id.equals("missing"))
            .await
            .unwrap(),
        None
    );

    // update, update_many
    let updated = actions()
        .update(key.clone(), [(case.change)("changed")])
        .await
        .unwrap();
    assert_eq!((case.text)(&updated).as_deref(), Some("changed"));
    // update_many (on one row of the others: some models' text field is unique)
    let second_id = all
        .iter()
        .map(case.id_of)
        .find(|id| *id != created_id)
        .unwrap();
    assert_eq!(
        actions()
            .update_many(case.id.equals(second_id.clone()), [(case.change)("bulk")])
            .await
            .unwrap(),
        1
    );
    let texts: Vec<Option<String>> = actions()
        .find_many()
        .filter(case.id.not(created_id.clone()))
        .order_by(case.id.asc())
        .await
        .unwrap()
        .iter()
        .map(case.text)
        .collect();
    assert!(texts.contains(&Some("bulk".to_owned())), "{texts:?}");
    assert_eq!(
        actions()
            .update_many(case.id.equals("missing"), [(case.change)("never")])
            .await
            .unwrap(),
        0
    );

    // upsert: the update path, then the create path
    let upserted = actions()
        .upsert(key.clone(), first, [(case.change)("upserted")])
        .await
        .unwrap();
    assert_eq!((case.text)(&upserted).as_deref(), Some("upserted"));
    assert_eq!(actions().count().await.unwrap(), 3);
    let new_id = rt::ids::cuid();
    let fourth = rt::WriteData::set(fourth, case.id.set(new_id.clone()));
    let new_key = rt::UniqueWhere::new([case.id.set(new_id.clone())]);
    let inserted = actions()
        .upsert(new_key.clone(), fourth, [(case.change)("never")])
        .await
        .unwrap();
    assert_ne!((case.text)(&inserted).as_deref(), Some("never"));
    assert_eq!(
        actions().find_unique(new_key).await.unwrap(),
        Some(inserted)
    );
    assert_eq!(actions().count().await.unwrap(), 4);

    // delete, delete_many
    let deleted = actions().delete(key.clone()).await.unwrap();
    assert_eq!((case.text)(&deleted).as_deref(), Some("upserted"));
    assert_eq!(actions().find_unique(key.clone()).await.unwrap(), None);
    let again = actions().delete(key).await.unwrap_err();
    assert_eq!(again.code(), Some("P2025"), "{again}");
    assert_eq!(
        actions().delete_many(case.id.equals(new_id)).await.unwrap(),
        1
    );
    assert_eq!(actions().delete_many(Filter::all()).await.unwrap(), 2);
    assert_eq!(actions().count().await.unwrap(), 0);
}

#[tokio::test]
async fn tenant_operations() {
    let s = setup().await;
    let db = &s.client;
    // Typed create: the one required field is the argument; the rest are defaults.
    let acme = db
        .tenant()
        .create(tenant::Create {
            name: "Acme".into(),
        })
        .await
        .unwrap();
    assert_eq!(acme.name, "Acme");
    assert_eq!(acme.plan, TenantPlan::Free);
    assert_eq!(acme.id.len(), 25, "cuid() filled by the client");
    assert_eq!(acme.created_at, acme.updated_at.max(acme.created_at));
    let pro = db
        .tenant()
        .create(tenant::Create { name: "Pro".into() })
        .set(tenant::PLAN.set(TenantPlan::Pro))
        .await
        .unwrap();
    assert_eq!(pro.plan, TenantPlan::Pro);
    let enterprise = [tenant::PLAN.set(TenantPlan::Enterprise)];
    assert_eq!(
        db.tenant()
            .update_many(Filter::all(), enterprise)
            .await
            .unwrap(),
        2
    );
    db.tenant().delete_many(Filter::all()).await.unwrap();

    every_operation(
        db,
        Case {
            rows: ["t0", "t1", "t2", "t3"].map(|name| tenant::Create { name: name.into() }),
            id: tenant::ID,
            change: |text| tenant::NAME.set(text),
            text: |t| Some(t.name.clone()),
            key: |t| tenant::id(&t.id),
            id_of: |t| t.id.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn user_operations() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let ann = db
        .user()
        .create(user::Create {
            email: "ann@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(
        (ann.email.as_str(), ann.name.as_deref(), ann.role),
        ("ann@x.io", None, UserRole::Viewer)
    );
    let bob = db
        .user()
        .create(user::Create {
            email: "bob@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .set(user::NAME.set("Bob"))
        .set(user::ROLE.set(UserRole::Admin))
        .await
        .unwrap();
    assert_eq!(
        (bob.name.as_deref(), bob.role),
        (Some("Bob"), UserRole::Admin)
    );
    // By the other unique criterion.
    let by_email = db
        .user()
        .find_unique(user::email("bob@x.io"))
        .await
        .unwrap();
    assert_eq!(by_email, Some(bob));
    db.user().delete_many(Filter::all()).await.unwrap();

    every_operation(
        db,
        Case {
            rows: [0, 1, 2, 3].map(|i| user::Create {
                email: format!("u{i}@x.io"),
                tenant_id: t.id.to_owned(),
            }),
            id: user::ID,
            change: |text| user::NAME.set(text),
            text: |u| u.name.clone(),
            key: |u| user::id(&u.id),
            id_of: |u| u.id.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn agent_operations() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let flow = json!({"nodes": [{"id": "start"}], "edges": []});
    let agent = db
        .agent()
        .create(agent::Create {
            name: "support".into(),
            flow_json: flow.clone(),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(
        (agent.version.as_str(), agent.status, &agent.flow_json),
        ("0.1.0", AgentStatus::Draft, &flow)
    );
    db.agent().delete_many(Filter::all()).await.unwrap();

    every_operation(
        db,
        Case {
            rows: [0, 1, 2, 3].map(|i| agent::Create {
                name: format!("a{i}"),
                flow_json: json!({ "i": i }),
                tenant_id: t.id.to_owned(),
            }),
            id: agent::ID,
            change: |text| agent::NAME.set(text),
            text: |a| Some(a.name.clone()),
            key: |a| agent::id(&a.id),
            id_of: |a| a.id.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn tool_operations() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let schema = json!({"type": "object"});
    let global = db
        .tool()
        .create(tool::Create {
            name: "kb".into(),
            title: "Knowledge base".into(),
            r#type: ToolType::KbSearch,
            input_schema: schema.clone(),
            output_schema: schema.clone(),
            auth_type: "api_key".into(),
            auth_config: json!({"key": "k"}),
        })
        .await
        .unwrap();
    assert_eq!(
        (global.r#type, global.tenant_id.as_deref()),
        (ToolType::KbSearch, None)
    );
    let owned = db
        .tool()
        .create(tool::Create {
            name: "ticket".into(),
            title: "Tickets".into(),
            r#type: ToolType::TicketCreate,
            input_schema: schema.clone(),
            output_schema: schema.clone(),
            auth_type: "oauth".into(),
            auth_config: json!({}),
        })
        .set(tool::TENANT_ID.set(&t.id))
        .await
        .unwrap();
    assert_eq!(owned.tenant_id.as_deref(), Some(t.id.as_str()));
    assert_eq!(
        db.tool().find_unique(tool::name("ticket")).await.unwrap(),
        Some(owned)
    );
    db.tool().delete_many(Filter::all()).await.unwrap();

    every_operation(
        db,
        Case {
            rows: [0, 1, 2, 3].map(|i| tool::Create {
                name: format!("tool{i}"),
                title: "title".into(),
                r#type: ToolType::Custom,
                input_schema: json!({}),
                output_schema: json!({}),
                auth_type: "service_account".into(),
                auth_config: json!({}),
            }),
            id: tool::ID,
            change: |text| tool::TITLE.set(text),
            text: |t| Some(t.title.clone()),
            key: |t| tool::id(&t.id),
            id_of: |t| t.id.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn conversation_and_message_operations() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let a = db
        .agent()
        .create(agent::Create {
            name: "a".into(),
            flow_json: json!({}),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    let convo = db
        .conversation()
        .create(conversation::Create {
            agent_id: a.id.to_owned(),
            tenant_id: t.id.to_owned(),
            state: json!({"step": 1}),
        })
        .set(conversation::CHANNEL.set("web"))
        .await
        .unwrap();
    assert_eq!(
        (convo.channel.as_deref(), convo.user_id.as_deref()),
        (Some("web"), None)
    );
    let message = db
        .message()
        .create(message::Create {
            role: MessageRole::User,
            content: "hello".into(),
            convo_id: convo.id.to_owned(),
        })
        .set(message::METADATA.set(json!({"feedback": null})))
        .await
        .unwrap();
    assert_eq!(message.metadata, Some(json!({"feedback": null})));
    db.message().delete_many(Filter::all()).await.unwrap();

    every_operation(
        db,
        Case {
            rows: [0, 1, 2, 3].map(|i| message::Create {
                role: MessageRole::Assistant,
                content: format!("m{i}"),
                convo_id: convo.id.to_owned(),
            }),
            id: message::ID,
            change: |text| message::CONTENT.set(text),
            text: |m| Some(m.content.clone()),
            key: |m| message::id(&m.id),
            id_of: |m| m.id.clone(),
        },
    )
    .await;

    db.conversation().delete_many(Filter::all()).await.unwrap();
    every_operation(
        db,
        Case {
            rows: [0, 1, 2, 3].map(|i| conversation::Create {
                agent_id: a.id.to_owned(),
                tenant_id: t.id.to_owned(),
                state: json!({ "i": i }),
            }),
            id: conversation::ID,
            change: |text| conversation::CHANNEL.set(text),
            text: |c| c.channel.clone(),
            key: |c| conversation::id(&c.id),
            id_of: |c| c.id.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn document_operations() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    let doc = db
        .document()
        .create(document::Create {
            source: "upload".into(),
            uri: "s3://b/k".into(),
            title: "Handbook".into(),
            metadata: json!({"tags": ["hr"]}),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(doc.metadata["tags"][0], "hr");
    db.document().delete_many(Filter::all()).await.unwrap();

    every_operation(
        db,
        Case {
            rows: [0, 1, 2, 3].map(|i| document::Create {
                source: "upload".into(),
                uri: format!("s3://b/{i}"),
                title: "T".into(),
                metadata: json!({}),
                tenant_id: t.id.to_owned(),
            }),
            id: document::ID,
            change: |text| document::TITLE.set(text),
            text: |d| Some(d.title.clone()),
            key: |d| document::id(&d.id),
            id_of: |d| d.id.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn updated_at_is_set_on_create_and_update() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    assert!((t.updated_at - t.created_at).num_seconds().abs() < 5);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let renamed = db
        .tenant()
        .update(tenant::id(&t.id), [tenant::NAME.set("renamed")])
        .await
        .unwrap();
    assert!(renamed.updated_at > t.updated_at);
    assert_eq!(renamed.created_at, t.created_at);
}

#[tokio::test]
async fn select_returns_a_subset_of_fields() {
    let s = setup().await;
    let db = &s.client;
    let t = tenant(db, "t").await;
    db.user()
        .create(user::Create {
            email: "a@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .set(user::NAME.set("A"))
        .await
        .unwrap();
    db.user()
        .create(user::Create {
            email: "b@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .await
        .unwrap();
    let rows: Vec<(String, Option<String>)> = db
        .user()
        .find_many()
        .order_by(user::EMAIL.asc())
        .select((user::EMAIL, user::NAME))
        .await
        .unwrap();
    assert_eq!(
        rows,
        vec![
            ("a@x.io".to_owned(), Some("A".to_owned())),
            ("b@x.io".to_owned(), None)
        ]
    );
    let role: Option<(UserRole,)> = db
        .user()
        .find_unique(user::email("a@x.io"))
        .select(user::ROLE)
        .await
        .unwrap();
    assert_eq!(role, Some((UserRole::Viewer,)));
    let (email,): (String,) = db
        .user()
        .create(user::Create {
            email: "c@x.io".into(),
            tenant_id: t.id.to_owned(),
        })
        .select(user::EMAIL)
        .await
        .unwrap();
    assert_eq!(email, "c@x.io");
}

//! Demo data: one tenant ("Demo Co") with its users, agents, tools, a conversation with
//! messages and knowledge-base documents, so that a fresh database shows something.
//! `cargo db-seed` runs it through the `seed` binary; tests can take it as their seed.

use client::{
    AgentStatus, MessageRole, Models, Tenant, TenantPlan, ToolType, UserRole, agent, conversation,
    document, message, tenant, tool, user,
};
use serde_json::json;

/// The demo tenant's name (unique: seeding twice finds it and writes nothing).
pub const TENANT_NAME: &str = "Demo Co";

/// What [`seed`] did.
#[derive(Debug)]
pub enum Seeded {
    /// The demo tenant was created, with everything below it.
    Created(Tenant),
    /// The demo tenant was already there; nothing was written.
    AlreadyThere(Tenant),
}

/// Writes the demo tenant and its rows in one transaction, unless it exists.
pub async fn seed(db: &client::Client) -> Result<Seeded, client::Error> {
    if let Some(existing) = db.tenant().find_unique(tenant::name(TENANT_NAME)).await? {
        return Ok(Seeded::AlreadyThere(existing));
    }
    let created = db
        .transaction(|tx| async move {
            let demo = tx
                .tenant()
                .create(tenant::Create {
                    name: TENANT_NAME.into(),
                })
                .set(tenant::PLAN.set(TenantPlan::Pro))
                .await?;
            let alice = tx
                .user()
                .create(user::Create {
                    email: "alice@demo.test".into(),
                    tenant_id: demo.id.clone(),
                })
                .set(user::NAME.set("Alice Admin"))
                .set(user::ROLE.set(UserRole::Admin))
                .await?;
            tx.user()
                .create(user::Create {
                    email: "bob@demo.test".into(),
                    tenant_id: demo.id.clone(),
                })
                .set(user::NAME.set("Bob Author"))
                .set(user::ROLE.set(UserRole::Author))
                .await?;
            let support = tx
                .agent()
                .create(agent::Create {
                    name: "support".into(),
                    flow_json: json!({"entry": "retrieve", "nodes": ["retrieve", "answer", "escalate"]}),
                    tenant_id: demo.id.clone(),
                })
                .set(agent::STATUS.set(AgentStatus::Published))
                .set(agent::VERSION.set("1.0.0"))
                .await?;
            tx.agent()
                .create(agent::Create {
                    name: "triage".into(),
                    flow_json: json!({"entry": "classify"}),
                    tenant_id: demo.id.clone(),
                })
                .await?;
            for (name, title, kind) in [
                (
                    "demo-kb-search",
                    "Knowledge base search",
                    ToolType::KbSearch,
                ),
                (
                    "demo-ticket",
                    "Create a support ticket",
                    ToolType::TicketCreate,
                ),
            ] {
                tx.tool()
                    .create(tool::Create {
                        name: name.into(),
                        title: title.into(),
                        r#type: kind,
                        input_schema: json!({"type": "object", "properties": {"query": {"type": "string"}}}),
                        output_schema: json!({"type": "object"}),
                        auth_type: "api_key".into(),
                        auth_config: json!({"keyRef": "vault://demo/tools"}),
                    })
                    .set(tool::TENANT_ID.set(&demo.id))
                    .await?;
            }
            let chat = tx
                .conversation()
                .create(conversation::Create {
                    agent_id: support.id.clone(),
                    tenant_id: demo.id.clone(),
                    state: json!({"step": "answer"}),
                })
                .set(conversation::USER_ID.set(&alice.id))
                .set(conversation::CHANNEL.set("web"))
                .await?;
            for (role, content) in [
                (MessageRole::User, "Where is my refund?"),
                (
                    MessageRole::Assistant,
                    "Refunds are paid within 5 business days of the return arriving.",
                ),
            ] {
                tx.message()
                    .create(message::Create {
                        role,
                        content: content.into(),
                        convo_id: chat.id.clone(),
                    })
                    .await?;
            }
            for (uri, title, tags) in [
                (
                    "s3://demo/kb/refunds.md",
                    "Refund policy",
                    json!(["billing"]),
                ),
                (
                    "s3://demo/kb/shipping.md",
                    "Shipping times",
                    json!(["logistics"]),
                ),
                (
                    "s3://demo/kb/accounts.md",
                    "Managing your account",
                    json!(["account"]),
                ),
            ] {
                tx.document()
                    .create(document::Create {
                        source: "upload".into(),
                        uri: uri.into(),
                        title: title.into(),
                        metadata: json!({ "tags": tags }),
                        tenant_id: demo.id.clone(),
                    })
                    .await?;
            }
            Ok::<_, client::Error>(demo)
        })
        .await?;
    Ok(Seeded::Created(created))
}

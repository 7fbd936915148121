//! Demo data: one tenant ("Demo Co") with its users, agents, tools, a conversation with
//! messages and knowledge-base documents, so that a fresh database shows something.
//! `cargo db-seed` runs it through the `seed` binary; tests can take it as their seed.

use client::{
    AgentStatus, MessageRole, Models, Tenant, TenantPlan, ToolType, UserRole, agent, conversation,
    tenant, tool, user,
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
                .create(TENANT_NAME)
                .set(tenant::PLAN.set(TenantPlan::Pro))
                .await?;
            let alice = tx
                .user()
                .create("alice@demo.test", &demo.id)
                .set(user::NAME.set("Alice Admin"))
                .set(user::ROLE.set(UserRole::Admin))
                .await?;
            tx.user()
                .create("bob@demo.test", &demo.id)
                .set(user::NAME.set("Bob Author"))
                .set(user::ROLE.set(UserRole::Author))
                .await?;
            let support = tx
                .agent()
                .create(
                    "support",
                    json!({"entry": "retrieve", "nodes": ["retrieve", "answer", "escalate"]}),
                    &demo.id,
                )
                .set(agent::STATUS.set(AgentStatus::Published))
                .set(agent::VERSION.set("1.0.0"))
                .await?;
            tx.agent()
                .create("triage", json!({"entry": "classify"}), &demo.id)
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
                    .create(
                        name,
                        title,
                        kind,
                        json!({"type": "object", "properties": {"query": {"type": "string"}}}),
                        json!({"type": "object"}),
                        "api_key",
                        json!({"keyRef": "vault://demo/tools"}),
                    )
                    .set(tool::TENANT_ID.set(&demo.id))
                    .await?;
            }
            let chat = tx
                .conversation()
                .create(&support.id, &demo.id, json!({"step": "answer"}))
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
                tx.message().create(role, content, &chat.id).await?;
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
                    .create("upload", uri, title, json!({ "tags": tags }), &demo.id)
                    .await?;
            }
            Ok::<_, client::Error>(demo)
        })
        .await?;
    Ok(Seeded::Created(created))
}

//! Conversations and their message history: `POST /conversations`,
//! `GET /conversations/{id}`, `POST /messages`.
//!
//! Every query runs on the request's tenant-scoped client (`tenant.db`): another
//! tenant's agent, user or conversation is simply not found (404), with no tenant filter
//! written here. Both writes run in a transaction (the scoped client's, which sets the
//! tenant once), so the checks they make and the rows they write stand or fall together.
//!
//! Message order: appending locks the conversation row first (the `updatedAt` touch),
//! so appends to one conversation are serialized, and each message's `createdAt` is
//! strictly later than the one before it (at least 1 ms, the column's precision).
//! Ordering by `createdAt` is therefore exactly the order of appends, even for
//! concurrent requests.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use client::runtime::chrono::{DateTime, Duration, SubsecRound, Utc};
use client::runtime::{Loaded, With};
use client::{
    AgentStatus, Conversation, Message, MessageRole, Models, agent, conversation, message, user,
};
use serde::Deserialize;
use serde_json::Value as JsonValue;

use super::{json_object, parse_enum, required_text};
use crate::error::{ApiError, JsonBody};
use crate::tenancy::CurrentTenant;

/// The channels a conversation can start on.
pub const CHANNELS: [&str; 3] = ["web", "slack", "teams"];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewConversation {
    pub agent_id: String,
    pub channel: Option<String>,
    /// Who started it: a user of this tenant.
    pub user_id: Option<String>,
    /// The initial LangGraph state (a JSON object; `{}` when absent).
    pub state: Option<JsonValue>,
}

/// `POST /conversations {agentId, channel?, userId?, state?}` → 201 and the conversation.
/// The agent (and the user, if given) must be this tenant's: otherwise 404. A disabled
/// agent is 409.
pub async fn create_conversation(
    tenant: CurrentTenant,
    JsonBody(body): JsonBody<NewConversation>,
) -> Result<(StatusCode, Json<Conversation>), ApiError> {
    let channel = body
        .channel
        .as_deref()
        .map(|channel| {
            let channel = channel.trim().to_ascii_lowercase();
            if CHANNELS.contains(&channel.as_str()) {
                Ok(channel)
            } else {
                Err(ApiError::invalid(
                    "channel",
                    format!(
                        "`channel` must be one of {}, got `{channel}`",
                        CHANNELS.join(", ")
                    ),
                ))
            }
        })
        .transpose()?;
    let initial_state = json_object(
        "state",
        body.state
            .unwrap_or_else(|| JsonValue::Object(Default::default())),
    )?;
    let CurrentTenant { id: tenant_id, db } = tenant;
    let created = db
        .transaction(|tx| async move {
            let agent = tx
                .agent()
                .find_unique(agent::id(&body.agent_id))
                .await?
                .ok_or_else(|| ApiError::not_found("agent", &body.agent_id))?;
            if agent.status == AgentStatus::Disabled {
                return Err(ApiError::conflict(format!(
                    "agent `{}` is disabled",
                    agent.id
                )));
            }
            if let Some(user_id) = &body.user_id {
                let found = tx.user().count().filter(user::ID.equals(user_id)).await?;
                if found == 0 {
                    return Err(ApiError::not_found("user", user_id));
                }
            }
            let created = tx
                .conversation()
                .create(conversation::Create {
                    agent_id: agent.id,
                    tenant_id,
                    state: initial_state,
                })
                .set(conversation::CHANNEL.set_opt(channel))
                .set(conversation::USER_ID.set_opt(body.user_id))
                .await?;
            Ok::<_, ApiError>(created)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A conversation with its messages loaded (`include(conversation::MESSAGES)`), read
/// with `.get(conversation::MESSAGES)`; its JSON is the conversation's fields plus
/// `messages`, as Prisma returns it.
pub type ConversationWithMessages = Loaded<Conversation, (With<conversation::relation::Messages>,)>;

/// `GET /conversations/{id}` → the conversation with its messages in order, in one call
/// (the client loads the messages with one more statement, `"convoId" = ANY($1)`); 404
/// if it is not this tenant's.
pub async fn get_conversation(
    tenant: CurrentTenant,
    Path(id): Path<String>,
) -> Result<Json<ConversationWithMessages>, ApiError> {
    let found = tenant
        .db
        .conversation()
        .find_unique(conversation::id(&id))
        .include(
            conversation::MESSAGES
                .order_by(message::CREATED_AT.asc())
                .order_by(message::ID.asc()),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("conversation", &id))?;
    Ok(Json(found))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMessage {
    pub conversation_id: String,
    /// `USER`, `ASSISTANT`, `TOOL` or `SYSTEM` (any case).
    pub role: String,
    pub content: String,
    /// Tool calls, feedback...
    pub metadata: Option<JsonValue>,
}

/// `POST /messages {conversationId, role, content, metadata?}` → 201 and the message;
/// 404 if the conversation is not this tenant's, 422 for an unknown role.
pub async fn append_message(
    tenant: CurrentTenant,
    JsonBody(body): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let role = parse_enum("role", &body.role, &MessageRole::ALL)?;
    if body.content.trim().is_empty() {
        return Err(ApiError::invalid("content", "`content` must not be empty"));
    }
    let _ = required_text("conversationId", &body.conversation_id)?;
    let created = tenant
        .db
        .transaction(|tx| async move {
            let now = Utc::now().trunc_subsecs(3);
            // Locks the conversation row until commit: appends to it are serialized.
            tx.conversation()
                .update(
                    conversation::id(&body.conversation_id),
                    [conversation::UPDATED_AT.set(now)],
                )
                .await
                .map_err(|error| match error {
                    client::Error::RecordNotFound { .. } => {
                        ApiError::not_found("conversation", &body.conversation_id)
                    }
                    other => other.into(),
                })?;
            let last = tx
                .message()
                .find_first()
                .filter(message::CONVO_ID.equals(&body.conversation_id))
                .order_by(message::CREATED_AT.desc())
                .await?;
            let created_at = next_timestamp(now, last.map(|m| m.created_at));
            let message = tx
                .message()
                .create(message::Create {
                    role,
                    content: body.content,
                    convo_id: body.conversation_id.clone(),
                })
                .set(message::CREATED_AT.set(created_at))
                .set(message::METADATA.set_opt(body.metadata))
                .await?;
            Ok::<_, ApiError>(message)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `now`, or 1 ms after the previous message if the clock has not moved past it.
fn next_timestamp(now: DateTime<Utc>, previous: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match previous {
        Some(previous) if previous >= now => previous + Duration::milliseconds(1),
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_strictly_increase() {
        let t0 = Utc::now().trunc_subsecs(3);
        let ms = Duration::milliseconds(1);
        let cases = [
            (t0, None, t0),
            (t0, Some(t0 - ms), t0),
            (t0, Some(t0), t0 + ms),
            (t0, Some(t0 + ms * 5), t0 + ms * 6),
        ];
        for (now, previous, expected) in cases {
            assert_eq!(
                next_timestamp(now, previous),
                expected,
                "{now} after {previous:?}"
            );
        }
    }
}

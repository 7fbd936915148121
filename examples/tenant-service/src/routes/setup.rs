//! `POST /tenants`, `/users`, `/agents`, `/documents`: one row each, answered with the
//! created record (201). Tenants are created without a tenant header; everything else
//! belongs to the request's tenant, whatever the body says.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use client::{
    Agent, AgentStatus, Document, Models, Tenant, TenantPlan, User, UserRole, agent, document,
    tenant, user,
};
use serde::Deserialize;
use serde_json::Value as JsonValue;

use super::{json_object, parse_enum, required_text};
use crate::AppState;
use crate::error::{ApiError, JsonBody};
use crate::tenancy::CurrentTenant;

/// The answer of every create: 201 and the record.
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTenant {
    pub name: String,
    pub plan: Option<String>,
}

/// `POST /tenants {name, plan?}`; a taken name is 409 naming `name`.
pub async fn create_tenant(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewTenant>,
) -> Created<Tenant> {
    let name = required_text("name", &body.name)?;
    let mut create = state.db.tenant().create(tenant::Create { name });
    if let Some(plan) = &body.plan {
        create = create.set(tenant::PLAN.set(parse_enum("plan", plan, &TenantPlan::ALL)?));
    }
    Ok((StatusCode::CREATED, Json(create.await?)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: Option<String>,
    pub role: Option<String>,
}

/// `POST /users {email, name?, role?}`; emails are unique across tenants (409 `email`,
/// the same answer whichever tenant has the address).
pub async fn create_user(
    tenant: CurrentTenant,
    JsonBody(body): JsonBody<NewUser>,
) -> Created<User> {
    let email = required_text("email", &body.email)?;
    if !email.contains('@') {
        return Err(ApiError::invalid(
            "email",
            format!("`email` must be an email address, got `{email}`"),
        ));
    }
    let mut create = tenant.db.user().create(user::Create {
        email,
        tenant_id: tenant.id,
    });
    if let Some(name) = body.name {
        create = create.set(user::NAME.set(name));
    }
    if let Some(role) = &body.role {
        create = create.set(user::ROLE.set(parse_enum("role", role, &UserRole::ALL)?));
    }
    Ok((StatusCode::CREATED, Json(create.await?)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    /// The LangGraph flow definition.
    pub flow_json: JsonValue,
    pub version: Option<String>,
    pub status: Option<String>,
}

/// `POST /agents {name, flowJson, version?, status?}`.
pub async fn create_agent(
    tenant: CurrentTenant,
    JsonBody(body): JsonBody<NewAgent>,
) -> Created<Agent> {
    let name = required_text("name", &body.name)?;
    let flow = json_object("flowJson", body.flow_json)?;
    let mut create = tenant.db.agent().create(agent::Create {
        name,
        flow_json: flow,
        tenant_id: tenant.id,
    });
    if let Some(version) = &body.version {
        create = create.set(agent::VERSION.set(required_text("version", version)?));
    }
    if let Some(status) = &body.status {
        create = create.set(agent::STATUS.set(parse_enum("status", status, &AgentStatus::ALL)?));
    }
    Ok((StatusCode::CREATED, Json(create.await?)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDocument {
    pub source: String,
    pub uri: String,
    pub title: String,
    /// `{"tags": ["billing", ...], ...}`; tags are searched by `GET /kb/search`.
    pub metadata: Option<JsonValue>,
}

/// `POST /documents {source, uri, title, metadata?}`.
pub async fn create_document(
    tenant: CurrentTenant,
    JsonBody(body): JsonBody<NewDocument>,
) -> Created<Document> {
    let source = required_text("source", &body.source)?;
    let uri = required_text("uri", &body.uri)?;
    let title = required_text("title", &body.title)?;
    let metadata = json_object(
        "metadata",
        body.metadata
            .unwrap_or_else(|| JsonValue::Object(Default::default())),
    )?;
    let tags_ok = match metadata.get("tags") {
        None => true,
        Some(JsonValue::Array(tags)) => tags.iter().all(JsonValue::is_string),
        Some(_) => false,
    };
    if !tags_ok {
        return Err(ApiError::invalid(
            "metadata.tags",
            "`metadata.tags` must be an array of strings",
        ));
    }
    let created = tenant
        .db
        .document()
        .create(document::Create {
            source,
            uri,
            title,
            metadata,
            tenant_id: tenant.id,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

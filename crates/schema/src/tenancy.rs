//! Tenancy: which models belong to a tenant, read from the IR and the `refract` generator's
//! `tenantModel` setting (issue 17). Pure; the one plan both migrate (row-level-security
//! policies) and codegen (the scoped client's metadata) read.
//!
//! A model is tenant-owned when it holds a foreign key to the tenant model (its own tenant
//! column), or, transitively, a *required* foreign key to a tenant-owned parent (`Message`
//! through `Conversation`). A nullable tenant column marks rows with NULL as global: every
//! tenant may read them, only a role that bypasses row-level security may write them.

use std::fmt;

use crate::ir;

/// The generator setting that names the tenant model.
pub const TENANT_MODEL_SETTING: &str = "tenantModel";

/// The PostgreSQL setting the policies read (`SET refract.tenant_id = '...'`).
pub const TENANT_SETTING: &str = "refract.tenant_id";

/// Which tables are tenant-owned and how each reaches its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenancyPlan {
    pub tenant_model: ir::ModelId,
    /// Tenant-owned models, in model order.
    pub tables: Vec<TenantTable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantTable {
    pub model: ir::ModelId,
    pub scope: Scope,
    /// Foreign keys to other tenant-owned models (besides the scope's parent), which the
    /// write check covers: foreign-key checks bypass row-level security.
    pub parents: Vec<ParentLink>,
}

/// How a tenant-owned table reaches its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Its own tenant column; `nullable` means rows with NULL are global.
    Column { column: String, nullable: bool },
    /// Through a required foreign key to a tenant-owned parent.
    Parent(ParentLink),
}

/// A foreign key from a tenant-owned table to a tenant-owned parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentLink {
    pub parent: ir::ModelId,
    /// Local columns, paired with `referenced`.
    pub columns: Vec<String>,
    pub referenced: Vec<String>,
    pub nullable: bool,
}

/// `tenantModel` names no model (or a view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenancyError {
    pub tenant_model: String,
}

impl fmt::Display for TenancyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the `refract` generator's `{TENANT_MODEL_SETTING} = \"{}\"` names no model of the schema: set it to the model whose rows are the tenants (for example `\"Tenant\"`), or remove it",
            self.tenant_model
        )
    }
}

impl std::error::Error for TenancyError {}

/// The `tenantModel` setting of the schema's `refract` generator, if any.
pub fn tenant_model_setting(schema: &ir::Schema) -> Option<&str> {
    schema
        .generators
        .iter()
        .filter(|g| matches!(&g.provider, ir::ConfigValue::Literal(p) if p == "refract"))
        .find_map(|g| match g.config.get(TENANT_MODEL_SETTING) {
            Some(ir::ConfigExpr::String(name)) => Some(name.as_str()),
            _ => None,
        })
}

/// The tenancy plan of `schema`: `None` without `tenantModel`, an error when it names no model.
pub fn plan(schema: &ir::Schema) -> Result<Option<TenancyPlan>, TenancyError> {
    let Some(name) = tenant_model_setting(schema) else {
        return Ok(None);
    };
    let tenant = schema
        .models
        .iter()
        .position(|m| m.name == name && !m.is_view())
        .map(|i| ir::ModelId(i as u32))
        .ok_or_else(|| TenancyError {
            tenant_model: name.to_owned(),
        })?;

    let mut scopes: Vec<Option<Scope>> = vec![None; schema.models.len()];
    for (i, model) in schema.models.iter().enumerate() {
        if model.is_view() || ir::ModelId(i as u32) == tenant {
            continue;
        }
        let links: Vec<ParentLink> = foreign_keys(schema, i)
            .filter(|l| l.parent == tenant && l.columns.len() == 1)
            .collect();
        // A required tenant key wins over an optional one.
        if let Some(link) = links.iter().find(|l| !l.nullable).or(links.first()) {
            scopes[i] = Some(Scope::Column {
                column: link.columns[0].clone(),
                nullable: link.nullable,
            });
        }
    }
    // Required parents, to a fixed point: each round may make children of new owners owned.
    loop {
        let mut changed = false;
        for (i, model) in schema.models.iter().enumerate() {
            if model.is_view() || scopes[i].is_some() || ir::ModelId(i as u32) == tenant {
                continue;
            }
            let link = foreign_keys(schema, i)
                .find(|l| !l.nullable && scopes[l.parent.0 as usize].is_some());
            if let Some(link) = link {
                scopes[i] = Some(Scope::Parent(link));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let tables = scopes
        .iter()
        .enumerate()
        .filter_map(|(i, scope)| {
            let scope = scope.clone()?;
            let parents = foreign_keys(schema, i)
                .filter(|l| scopes[l.parent.0 as usize].is_some())
                .filter(|l| !matches!(&scope, Scope::Parent(p) if p == l))
                .collect();
            Some(TenantTable {
                model: ir::ModelId(i as u32),
                scope,
                parents,
            })
        })
        .collect();
    Ok(Some(TenancyPlan {
        tenant_model: tenant,
        tables,
    }))
}

/// The foreign keys model `index` holds (1:1 and 1:n relations), in relation-field order.
fn foreign_keys(schema: &ir::Schema, index: usize) -> impl Iterator<Item = ParentLink> + '_ {
    let model = &schema.models[index];
    model
        .relation_fields
        .iter()
        .enumerate()
        .filter_map(move |(field_index, field)| {
            let relation = schema.relation(field.relation);
            let this = ir::RelationFieldRef {
                model: ir::ModelId(index as u32),
                index: field_index,
            };
            if relation.kind == ir::RelationKind::ManyToMany
                || relation.referencing != this
                || field.fields.is_empty()
            {
                return None;
            }
            let related = schema.model(field.related_model);
            Some(ParentLink {
                parent: field.related_model,
                columns: field
                    .fields
                    .iter()
                    .map(|f| model.field(*f).db_name.clone())
                    .collect(),
                referenced: field
                    .references
                    .iter()
                    .map(|f| related.field(*f).db_name.clone())
                    .collect(),
                nullable: field
                    .fields
                    .iter()
                    .any(|f| model.field(*f).arity != ir::Arity::Required),
            })
        })
}

impl TenancyPlan {
    pub fn table(&self, model: ir::ModelId) -> Option<&TenantTable> {
        self.tables.iter().find(|t| t.model == model)
    }
}

//! Tenancy: which tables belong to a tenant, read from the IR and the `refract` generator's
//! `tenantModel` setting (issue 17, the database half). Pure.
//!
//! A model is tenant-owned when it holds a foreign key to the tenant model (its own tenant
//! column), or, transitively, a *required* foreign key to a tenant-owned parent (`Message`
//! through `Conversation`). A nullable tenant column marks rows with NULL as global: every
//! tenant may read them, only a role that bypasses row-level security may write them.
//! [`plan`] computes this once; `lower` turns it into row-level-security state and policies.

use std::fmt;

use refract_schema::ir;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(generator: &str, models: &str) -> ir::Schema {
        let text = format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}}\n\ngenerator client {{\n  provider = \"refract\"\n{generator}}}\n\n{models}"
        );
        let validated = refract_schema::validate_str("schema.prisma", &text);
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        validated.schema
    }

    const MODELS: &str = "model Tenant {\n  id      String  @id\n  convos  Convo[]\n  tools   Tool[]\n}\n\nmodel Convo {\n  id       String  @id\n  tenantId String\n  tenant   Tenant  @relation(fields: [tenantId], references: [id])\n  toolId   String?\n  tool     Tool?   @relation(fields: [toolId], references: [id])\n  messages Message[]\n}\n\nmodel Message {\n  id      String @id\n  convoId String\n  convo   Convo  @relation(fields: [convoId], references: [id])\n  notes   Note[]\n}\n\nmodel Note {\n  id        String  @id\n  messageId String\n  message   Message @relation(fields: [messageId], references: [id])\n}\n\nmodel Tool {\n  id       String  @id\n  tenantId String?\n  tenant   Tenant? @relation(fields: [tenantId], references: [id])\n  convos   Convo[]\n}\n\nmodel Global {\n  id Int @id\n}\n";

    #[test]
    fn owned_tables_their_paths_and_global_rows() {
        let s = schema("  tenantModel = \"Tenant\"\n", MODELS);
        let plan = plan(&s).unwrap().unwrap();
        let names: Vec<&str> = plan
            .tables
            .iter()
            .map(|t| s.model(t.model).name.as_str())
            .collect();
        assert_eq!(names, ["Convo", "Message", "Note", "Tool"]);
        let convo = &plan.tables[0];
        assert_eq!(
            convo.scope,
            Scope::Column {
                column: "tenantId".into(),
                nullable: false
            }
        );
        assert_eq!(convo.parents.len(), 1, "the optional tool is checked");
        assert!(convo.parents[0].nullable);
        let Scope::Parent(link) = &plan.tables[2].scope else {
            panic!("{:?}", plan.tables[2])
        };
        assert_eq!(s.model(link.parent).name, "Message");
        assert_eq!(
            plan.tables[3].scope,
            Scope::Column {
                column: "tenantId".into(),
                nullable: true
            }
        );
    }

    #[test]
    fn no_setting_no_plan_and_unknown_model_is_an_error() {
        assert_eq!(plan(&schema("", MODELS)), Ok(None));
        let err = plan(&schema("  tenantModel = \"Tenants\"\n", MODELS)).unwrap_err();
        assert_eq!(err.tenant_model, "Tenants");
        assert!(err.to_string().contains("names no model"), "{err}");
    }

    #[test]
    fn a_policy_over_a_retyped_column_is_dropped_first_and_created_again() {
        use crate::step::Step;
        let before = crate::lower(&schema("  tenantModel = \"Tenant\"\n", MODELS));
        let retyped = MODELS.replace(
            "  tenantId String?\n",
            "  tenantId String? @db.VarChar(64)\n",
        );
        let after = crate::lower(&schema("  tenantModel = \"Tenant\"\n", &retyped));
        let steps = crate::diff(&before, &after);
        let tool = after.find_table(None, "Tool").unwrap();
        // Tool's policies, and Convo's, whose write check reads the tool's tenant column.
        let dropped: Vec<(&str, &str)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::DropPolicy { policy } => {
                    let p = before.policy(*policy);
                    Some((before.table(p.table).name.as_str(), p.name.as_str()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            dropped,
            [
                ("Convo", "refract_tenant_isolation"),
                ("Tool", "refract_tenant_isolation"),
                ("Tool", "refract_tenant_global_read")
            ],
            "{steps:?}"
        );
        let created = steps
            .iter()
            .filter(|s| matches!(s, Step::CreatePolicy { .. }))
            .count();
        assert_eq!(created, 3);
        assert!(steps.iter().any(
            |s| matches!(s, Step::CreatePolicy { policy } if after.policy(*policy).table == tool)
        ));
        // Dropped before the column changes, created after.
        let first_alter = steps
            .iter()
            .position(|s| matches!(s, Step::AlterTable(_)))
            .unwrap();
        let last_drop = steps
            .iter()
            .rposition(|s| matches!(s, Step::DropPolicy { .. }))
            .unwrap();
        assert!(last_drop < first_alter, "{steps:?}");
        assert!(matches!(steps.last(), Some(Step::CreatePolicy { .. })));
        // Unchanged, the same schema diffs to nothing.
        assert_eq!(crate::diff(&after, &after), []);
    }
}

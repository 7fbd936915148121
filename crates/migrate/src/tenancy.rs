//! Tenancy: which tables belong to a tenant (issue 17, the database half). The plan itself
//! (which models are tenant-owned and how each reaches its tenant) is refract-schema's
//! [`refract_schema::tenancy`], shared with codegen; it is re-exported here, and `lower`
//! turns it into row-level-security state and policies.
//!
//! A model is tenant-owned when it holds a foreign key to the tenant model (its own tenant
//! column), or, transitively, a *required* foreign key to a tenant-owned parent (`Message`
//! through `Conversation`). A nullable tenant column marks rows with NULL as global: every
//! tenant may read them, only a role that bypasses row-level security may write them.

pub use refract_schema::tenancy::{
    ParentLink, Scope, TENANT_MODEL_SETTING, TENANT_SETTING, TenancyError, TenancyPlan,
    TenantTable, plan, tenant_model_setting,
};

#[cfg(test)]
mod tests {
    use super::*;
    use refract_schema::ir;

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

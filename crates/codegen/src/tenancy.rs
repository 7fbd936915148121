//! The tenant scope of each model's `ModelMeta` (issue 17): refract-schema's tenancy plan
//! (the one `gen migrate dev` writes row-level-security policies from) turned into the
//! runtime's `TenantScope` data, so a tenant-scoped client restricts exactly the tables the
//! policies protect, the same way.

use proc_macro2::TokenStream;
use quote::quote;
use refract_schema::ir;
use refract_schema::tenancy;

use crate::plan::Plan;

/// The `tenant:` field of every planned model's `ModelMeta`, in `plan.models` order: `None`,
/// or `Some(&rt::TenantScope { .. })`. A `tenantModel` naming no model yields no scopes
/// (generation refuses such a schema before this runs).
pub fn tenant_fields(schema: &ir::Schema, plan: &Plan) -> Vec<TokenStream> {
    let tenancy = tenancy::plan(schema).ok().flatten();
    plan.models
        .iter()
        .map(|model| {
            let owned = tenancy.as_ref().and_then(|tenancy| {
                let id = model_id(schema, model.model)?;
                tenancy.table(id)
            });
            let Some(owned) = owned else {
                return quote!(None);
            };
            let key = match &owned.scope {
                tenancy::Scope::Column { column, nullable } => {
                    quote!(rt::TenantKey::Column { column: #column, nullable: #nullable })
                }
                tenancy::Scope::Parent(link) => match parent(schema, plan, link) {
                    Some(parent) => quote!(rt::TenantKey::Parent(#parent)),
                    // Through a parent the client does not expose (`@@ignore`): the client
                    // cannot reach the tenant; the policies still protect the table.
                    None => return quote!(None),
                },
            };
            let parents = owned
                .parents
                .iter()
                .filter_map(|link| parent(schema, plan, link));
            quote!(Some(&rt::TenantScope { key: #key, parents: &[#(#parents),*] }))
        })
        .collect()
}

fn model_id(schema: &ir::Schema, model: &ir::Model) -> Option<ir::ModelId> {
    schema
        .models
        .iter()
        .position(|m| std::ptr::eq(m, model))
        .map(|i| ir::ModelId(i as u32))
}

/// `rt::TenantParent { parent: &crate::module::META, columns, references }`.
/// `None` for a parent the client does not expose (`@@ignore`).
fn parent(schema: &ir::Schema, plan: &Plan, link: &tenancy::ParentLink) -> Option<TokenStream> {
    let related = schema.model(link.parent);
    let (columns, references) = (&link.columns, &link.referenced);
    let target = plan
        .models
        .iter()
        .find(|m| std::ptr::eq(m.model, related))?;
    let (module, meta) = (&target.module, &target.meta);
    Some(quote!(rt::TenantParent {
        parent: &crate::#module::#meta,
        columns: &[#(#columns),*],
        references: &[#(#references),*],
    }))
}

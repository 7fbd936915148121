//! One model's module: the struct, its columns and `ModelMeta`, `FromRow` by column index,
//! the `Omitted` record `omit(..)` returns, one `Field` constant per scalar field, one
//! function per unique criterion, its client-side defaults, and the `Create` struct of a
//! new row's required fields (and `CreateWithout<Relation>` for nested creates).
//!
//! Everything a model can do (every operation, filter, ordering) is implemented once,
//! generically, in the runtime (`db.user()` is `rt::Actions<'_, User>`): this module is
//! data, so a model costs little to compile.

use proc_macro2::TokenStream;
use quote::quote;
use refract_schema::ir::ScalarType;

use crate::docs::doc_attrs;
use crate::names;
use crate::plan::{FieldPlan, LinkPlan, ModelPlan, Plan, RelationPlan};
use crate::serde_code::{self, SerdeField};

/// `tenant`: the `ModelMeta`'s tenant scope (see the `tenancy` module).
pub fn model_module(plan: &Plan, model: &ModelPlan, tenant: &TokenStream) -> TokenStream {
    let items = [
        model_struct(plan, model),
        columns(model),
        meta(model, tenant),
        from_row(plan, model),
        omitted(plan, model),
        field_constants(plan, model),
        relations(plan, model),
        unique_functions(plan, model),
        writes(plan, model),
    ];
    let module_doc = module_doc(plan, model);
    quote! {
        #(#![doc = #module_doc])*
        use refract_runtime as rt;
        #(#items)*
    }
}

fn model_struct(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let name = &model.struct_ident;
    let default_doc = format!(
        "`{} {}` (table `{}`).",
        if model.model.is_view() {
            "view"
        } else {
            "model"
        },
        model.model.name,
        model.model.db_name
    );
    let doc = doc_attrs(model.model.documentation.as_deref().or(Some(&default_doc)));
    let fields = model.fields.iter().map(|f| {
        let member = &f.member;
        let ty = struct_field_type(plan, f);
        let doc = doc_attrs(f.field.documentation.as_deref());
        quote! {
            #doc
            pub #member: #ty,
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// The struct field type: `T`, `Option<T>` or `Vec<T>`.
fn struct_field_type(plan: &Plan, field: &FieldPlan) -> TokenStream {
    let value = plan.value_type(&field.field.field_type);
    let (option, vec) = (&plan.std.option, &plan.std.vec);
    if field.is_list() {
        quote!(#vec<#value>)
    } else if field.is_optional() {
        quote!(#option<#value>)
    } else {
        value
    }
}

fn columns(model: &ModelPlan) -> TokenStream {
    let module = &model.column_module;
    let statics = model.fields.iter().map(|f| {
        let constant = &f.constant;
        let (db_name, prisma) = (&f.field.db_name, &f.field.name);
        let column = if f.is_optional() {
            quote!(Column::nullable(#prisma))
        } else {
            quote!(Column::not_null(#prisma))
        };
        let mapped = (db_name != prisma).then(|| quote!(.mapped(#db_name)));
        quote! {
            pub static #constant: Column = #column #mapped;
        }
    });
    quote! {
        /// The model's columns, for [`ModelMeta`](rt::ModelMeta) and the field constants.
        pub mod #module {
            use refract_runtime::Column;
            #(#statics)*
        }
    }
}

fn meta(model: &ModelPlan, tenant: &TokenStream) -> TokenStream {
    let (meta, name, column) = (&model.meta, &model.model.name, &model.column_module);
    let table = &model.model.db_name;
    let table = match &model.model.schema {
        Some(schema) => quote!(rt::Table::in_schema(#schema, #table)),
        None => quote!(rt::Table::named(#table)),
    };
    let refs = |indexes: &[usize]| -> Vec<TokenStream> {
        indexes
            .iter()
            .map(|&i| {
                let constant = &model.fields[i].constant;
                quote!(&#column::#constant)
            })
            .collect()
    };
    let all: Vec<usize> = (0..model.fields.len()).collect();
    let (columns, primary_key, updated_at) =
        (refs(&all), refs(&model.identifier), refs(&model.updated_at));
    quote! {
        /// What the runtime knows about this model.
        pub static #meta: rt::ModelMeta = rt::ModelMeta {
            name: #name,
            table: #table,
            columns: &[#(#columns),*],
            primary_key: &[#(#primary_key),*],
            updated_at: &[#(#updated_at),*],
            tenant: #tenant,
        };
    }
}

fn from_row(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let (name, meta, result) = (&model.struct_ident, &model.meta, &plan.std.result);
    let defaults_static = &model.defaults_static;
    let defaults = has_client_defaults(model).then(
        || quote!(const DEFAULTS: &'static [rt::defaults::ColumnDefault] = &#defaults_static;),
    );
    let fields = model.fields.iter().enumerate().map(|(index, f)| {
        let member = &f.member;
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        quote!(#member: rt::decode(row, #index)?,)
    });
    quote! {
        impl rt::FromRow for #name {
            fn from_row(row: &rt::Row) -> #result<Self, rt::Error> {
                Ok(#name { #(#fields)* })
            }
        }

        impl rt::Model for #name {
            const META: &'static rt::ModelMeta = &#meta;
            #defaults
        }
    }
}

/// `Omitted`: the model's scalar fields, each in one more `Option` (`None`: left out by
/// `omit(..)`), decoded by column name, so an omitted field is never read as a value.
/// Serialized without the omitted fields, as Prisma returns them.
fn omitted(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let (name, result, option) = (&model.struct_ident, &plan.std.result, &plan.std.option);
    let ident = if name == "Omitted" {
        quote::format_ident!("OmittedFields")
    } else {
        quote::format_ident!("Omitted")
    };
    let doc = format!(
        " A `{}` read with `omit(..)`: every field, `None` where omitted.",
        model.model.name
    );
    let fields = model.fields.iter().map(|f| {
        let member = &f.member;
        let ty = struct_field_type(plan, f);
        quote!(pub #member: #option<#ty>,)
    });
    // serde for the model struct and this record at once, under the Prisma names (see
    // `serde_code`); the record leaves out what was omitted.
    let serde_fields: Vec<SerdeField> = model
        .fields
        .iter()
        .map(|f| SerdeField {
            member: &f.member,
            name: &f.field.name,
        })
        .collect();
    let serde = serde_code::record_impls(name, Some(&ident), &serde_fields);
    let decoded = model.fields.iter().map(|f| {
        let (member, db_name) = (&f.member, &f.field.db_name);
        quote!(#member: rt::decode_present(row, #db_name)?,)
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub struct #ident {
            #(#fields)*
        }

        #serde

        impl rt::FromRow for #ident {
            fn from_row(row: &rt::Row) -> #result<Self, rt::Error> {
                Ok(#ident { #(#decoded)* })
            }
        }

        impl rt::Omit for #name {
            type Omitted = #ident;
        }
    }
}

fn field_constants(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let (name, column) = (&model.struct_ident, &model.column_module);
    let constants = model.fields.iter().map(|f| {
        let constant = &f.constant;
        let value = plan.value_type(&f.field.field_type);
        let ty = if f.is_list() {
            quote!(rt::ListField<#name, #value>)
        } else if f.is_optional() {
            quote!(rt::Field<#name, #value, rt::Nullable>)
        } else {
            quote!(rt::Field<#name, #value>)
        };
        let new = if f.is_list() {
            quote!(rt::ListField::new)
        } else {
            quote!(rt::Field::new)
        };
        quote!(pub const #constant: #ty = #new(&#column::#constant);)
    });
    quote!(#(#constants)*)
}

/// The relation module (marker types, metadata), the handle constants, and `Counts` (the
/// `_count` record) with its `HasCount` impl: a fixed number of items per relation, so a
/// model's code is linear in its relations (what an include loads is typed by the
/// runtime's generic `Loaded`).
fn relations(plan: &Plan, model: &ModelPlan) -> TokenStream {
    if model.relations.is_empty() {
        return TokenStream::new();
    }
    let (name, relation_module) = (&model.struct_ident, &model.relation_module);
    let column = &model.column_module;
    let own_columns = |indexes: &[usize]| -> Vec<TokenStream> {
        indexes
            .iter()
            .map(|&i| {
                let constant = &model.fields[i].constant;
                quote!(&#column::#constant)
            })
            .collect()
    };
    let related_columns = |r: &RelationPlan, indexes: &[usize]| -> Vec<TokenStream> {
        let related = &plan.models[r.related];
        let (module, column) = (&related.module, &related.column_module);
        indexes
            .iter()
            .map(|&i| {
                let constant = &related.fields[i].constant;
                quote!(&crate::#module::#column::#constant)
            })
            .collect()
    };
    let markers = model.relations.iter().enumerate().map(|(index, r)| {
        let (marker, constant) = (&r.marker, &r.constant);
        let related = &plan.models[r.related];
        let (related_module, related_struct) = (&related.module, &related.struct_ident);
        let (field_name, relation_name) = (&r.field.name, &r.relation.name);
        let arity = arity_marker(r);
        let link = match &r.link {
            LinkPlan::Owned { fields, references } => {
                let (fields, references) = (own_columns(fields), related_columns(r, references));
                quote!(owned(&[#(#fields),*], &[#(#references),*]))
            }
            LinkPlan::Inverse { fields, references } => {
                let (fields, references) = (related_columns(r, fields), own_columns(references));
                quote!(inverse(&[#(#fields),*], &[#(#references),*]))
            }
            LinkPlan::JoinTable {
                table,
                schema,
                this_is_a,
                key,
                related_key,
            } => {
                let table = match schema {
                    Some(schema) => quote!(rt::Table::in_schema(#schema, #table)),
                    None => quote!(rt::Table::named(#table)),
                };
                let (this, other) = if *this_is_a {
                    (quote!(rt::JOIN_A), quote!(rt::JOIN_B))
                } else {
                    (quote!(rt::JOIN_B), quote!(rt::JOIN_A))
                };
                let key = &own_columns(&[*key])[0];
                let related_key = &related_columns(r, &[*related_key])[0];
                quote!(link(rt::Link::JoinTable {
                    table: #table,
                    this: &#this,
                    other: &#other,
                    key: #key,
                    related_key: #related_key,
                }))
            }
        };
        let doc = format!(
            " `{}.{field_name}` → [`{related_struct}`](crate::{related_module}::{related_struct}) \
             (relation `{relation_name}`), handle [`{constant}`](super::{constant}).",
            model.model.name
        );
        let nested = nested_create_impl(plan, r).map(
            |data| quote!(impl rt::NestedCreateData<#marker> for crate::#related_module::#data {}),
        );
        let without = model
            .create_without
            .iter()
            .find(|(relation, _)| *relation == index)
            .map(|(_, ident)| quote!(impl rt::CreateWithout<#marker> for super::#ident {}));
        quote! {
            #[doc = #doc]
            pub enum #marker {}
            impl rt::RelationField for #marker {
                type Parent = super::#name;
                type Child = crate::#related_module::#related_struct;
                type Arity = #arity;
                const META: &'static rt::RelationMeta = &#constant;
            }
            pub static #constant: rt::RelationMeta =
                super::#constant.declare(#field_name, #relation_name).#link;
            #nested
            #without
        }
    });
    let module_doc = format!(
        " The relation fields of `{}`: a marker type and its metadata each, and what a nested \
         create through it takes.",
        model.model.name
    );
    // Documented on their marker types (the handle's type links there), as the field
    // constants are by the module's doc.
    let handles = model.relations.iter().map(|r| {
        let (marker, constant) = (&r.marker, &r.constant);
        let arity = arity_marker(r);
        quote! {
            pub const #constant: rt::Relation<#relation_module::#marker, #arity> = rt::Relation::new();
        }
    });
    let counts = model.count.as_ref().map(|count| {
        let counts = &count.struct_ident;
        let to_many: Vec<&RelationPlan> = model
            .relations
            .iter()
            .filter(|r| r.field.arity == refract_schema::ir::Arity::List)
            .collect();
        let members = to_many.iter().map(|r| {
            let member = &r.member;
            quote!(pub #member: i64,)
        });
        // As the model struct: under the Prisma field names.
        let serde_fields: Vec<SerdeField> = to_many
            .iter()
            .map(|r| SerdeField {
                member: &r.member,
                name: &r.field.name,
            })
            .collect();
        let serde = serde_code::record_impls(counts, None, &serde_fields);
        let loads = to_many.iter().enumerate().map(|(i, r)| {
            let member = &r.member;
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            quote!(#member: level.count(index, #i)?,)
        });
        let counted = to_many.iter().map(|r| {
            let constant = &r.constant;
            quote!(&#relation_module::#constant)
        });
        let result = &plan.std.result;
        let doc = format!(
            " `_count` of a `{}`: how many related records each to-many relation has.",
            model.model.name
        );
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
            pub struct #counts {
                #(#members)*
            }

            #serde

            impl rt::CountsRecord for #counts {
                fn from_level(level: &rt::Level<'_>, index: usize) -> #result<Self, rt::Error> {
                    Ok(#counts { #(#loads)* })
                }
            }

            impl rt::HasCount for #name {
                type Counts = #counts;
                const COUNTED: &'static [&'static rt::RelationMeta] = &[#(#counted),*];
            }
        }
    });
    quote! {
        #[doc = #module_doc]
        pub mod #relation_module {
            use super::{#column, rt};
            #(#markers)*
        }

        #(#handles)*
        #counts
    }
}

fn arity_marker(relation: &RelationPlan) -> TokenStream {
    match relation.field.arity {
        refract_schema::ir::Arity::List => quote!(rt::ToMany),
        refract_schema::ir::Arity::Optional => quote!(rt::ToOptional),
        refract_schema::ir::Arity::Required => quote!(rt::ToOne),
    }
}

/// The handle of the relation on the other side of `relation` (for docs).
fn back_relation_hint(plan: &Plan, model: &ModelPlan, relation: &RelationPlan) -> String {
    let related = &plan.models[relation.related];
    related
        .relations
        .iter()
        .find(|r| {
            std::ptr::eq(r.relation, relation.relation) && !std::ptr::eq(r.field, relation.field)
        })
        .or_else(|| {
            related
                .relations
                .iter()
                .find(|r| std::ptr::eq(r.relation, relation.relation))
        })
        .map(|r| r.constant.to_string())
        .unwrap_or_else(|| model.struct_ident.to_string())
}

/// The parameter type of a value of `field` passed by the caller.
fn argument_type(plan: &Plan, field: &FieldPlan) -> TokenStream {
    let value = plan.value_type(&field.field.field_type);
    if field.is_list() {
        let vec = &plan.std.vec;
        return quote!(#vec<#value>);
    }
    match field.field.field_type {
        refract_schema::ir::FieldType::Scalar(ScalarType::String) => {
            let into = &plan.std.into;
            quote!(impl #into<#value>)
        }
        _ => value,
    }
}

fn unique_functions(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let name = &model.struct_ident;
    let functions = model.uniques.iter().map(|unique| {
        let fields: Vec<&FieldPlan> = unique.fields.iter().map(|&i| &model.fields[i]).collect();
        let function = &unique.function;
        let params = fields.iter().map(|f| {
            let (member, ty) = (&f.member, argument_type(plan, f));
            quote!(#member: #ty)
        });
        let parts = fields.iter().map(|f| {
            let (member, constant) = (&f.member, &f.constant);
            quote!(#constant.set(#member))
        });
        let doc = format!(
            " The `{}` with this {}.",
            model.model.name, unique.declared_as
        );
        quote! {
            #[doc = #doc]
            pub fn #function(#(#params),*) -> rt::UniqueWhere<#name> {
                rt::UniqueWhere::new([#(#parts),*])
            }
        }
    });
    quote!(#(#functions)*)
}

/// The module's doc: what it holds and every operation, linked to `rt::Actions`.
fn module_doc(plan: &Plan, model: &ModelPlan) -> Vec<String> {
    let (name, accessor) = (&model.model.name, names::file_stem(&model.accessor));
    let models_trait = &plan.models_trait;
    let link = |op: &str| format!("[`{op}`](rt::Actions::{op})");
    let ops = |list: &[&str]| {
        list.iter()
            .map(|op| link(op))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut doc = vec![
        format!(" The `{name}` model: its struct, fields and operations."),
        String::new(),
        format!(
            " `db.{accessor}()` (through [`{models_trait}`](crate::{models_trait})) is [`rt::Actions`]`<'_, {}>`:",
            model.struct_ident
        ),
        format!(
            " - reads: {}, {};",
            ops(&["find_unique", "find_unique_or_throw", "find_first"]),
            ops(&[
                "find_first_or_throw",
                "find_many",
                "count",
                "aggregate",
                "group_by"
            ])
        ),
        format!(
            " - writes: {}, {};",
            ops(&[
                "create",
                "create_linked",
                "create_many",
                "update",
                "update_relations"
            ]),
            ops(&["update_many", "upsert", "delete", "delete_many"])
        ),
    ];
    if model.can_create {
        let create = &model.create_struct;
        let module = names::file_stem(&model.module);
        doc.push(format!(
            " - a new record's data is [`{create}`] (its required fields), more fields through \
             `.set(..)`: `db.{accessor}().create({module}::{create} {{ .. }}).set({module}::FIELD.set(..))`."
        ));
        if !model.create_without.is_empty() {
            let structs: Vec<String> = model
                .create_without
                .iter()
                .map(|(_, ident)| format!("[`{ident}`]"))
                .collect();
            doc.push(format!(
                " - {}: the same without a relation's foreign key, for a nested create through it.",
                structs.join(", ")
            ));
        }
    }
    doc
}

/// What a create needs: the model's client-side defaults, the `Create` struct of its
/// required fields, a `CreateWithout<Relation>` struct per relation whose required foreign
/// key it holds, and, per relation field, which of the related model's structs a nested
/// create through it takes (`rt::NestedCreateData`). Lines are linear in fields plus
/// relations.
fn writes(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let (name, column, vec) = (&model.struct_ident, &model.column_module, &plan.std.vec);
    let defaults_static = &model.defaults_static;
    let defaults: Vec<TokenStream> = model
        .fields
        .iter()
        .filter_map(|f| {
            let default = f.client_default()?;
            let constant = &f.constant;
            Some(quote!(#default.on(&#column::#constant)))
        })
        .collect();
    let count = proc_macro2::Literal::usize_unsuffixed(defaults.len());
    let defaults_doc = format!(
        " The columns of `{}` the client fills when a create leaves them out.",
        model.model.name
    );
    // None: `rt::Model::DEFAULTS` is empty by default.
    let defaults = has_client_defaults(model).then(|| {
        quote! {
            #[doc = #defaults_doc]
            pub static #defaults_static: [rt::defaults::ColumnDefault; #count] = [#(#defaults),*];
        }
    });
    if !model.can_create {
        return quote!(#defaults);
    }
    let create_struct = |ident: &proc_macro2::Ident, without: &[usize], doc: &[String]| {
        let fields: Vec<&FieldPlan> = model
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                f.is_create_argument() && f.client_default().is_none() && !without.contains(i)
            })
            .map(|(_, f)| f)
            .collect();
        let members = fields.iter().map(|f| {
            let (member, ty) = (&f.member, plan.value_type(&f.field.field_type));
            let doc = doc_attrs(f.field.documentation.as_deref());
            quote!(#doc pub #member: #ty,)
        });
        let sets = fields.iter().map(|f| {
            let (member, constant) = (&f.member, &f.constant);
            quote!(#constant.set(self.#member))
        });
        let derive_default = fields.is_empty().then(|| quote!(Default,));
        quote! {
            #(#[doc = #doc])*
            #[derive(Clone, Debug, #derive_default)]
            pub struct #ident {
                #(#members)*
            }

            impl rt::WriteData<#name> for #ident {
                fn into_assigns(self) -> #vec<rt::Assign<#name>> {
                    vec![#(#sets),*]
                }
            }
        }
    };
    let create_ident = &model.create_struct;
    let create_doc = [format!(
        " A new `{}`: its required fields without a default (a missing one does not \
         compile); `.set(..)` adds the others. Also a row of `create_many` and `upsert`.",
        model.model.name
    )];
    let create = create_struct(create_ident, &[], &create_doc);
    let without = model.create_without.iter().map(|(index, ident)| {
        let relation = &model.relations[*index];
        let LinkPlan::Owned { fields, .. } = &relation.link else {
            return TokenStream::new();
        };
        let key_names: Vec<String> = fields
            .iter()
            .map(|&f| format!("`{}`", model.fields[f].field.name))
            .collect();
        let doc = [format!(
            " [`{create_ident}`] without {}, which `{}.{}` sets: for `{}::{}.create(..)` and \
             [`create_linked`](rt::Actions::create_linked) through [`{}`].",
            key_names.join(", "),
            plan.models[relation.related].model.name,
            back_relation_name(plan, model, relation),
            names::file_stem(&plan.models[relation.related].module),
            back_relation_hint(plan, model, relation),
            relation.constant
        )];
        create_struct(ident, fields, &doc)
    });
    quote! {
        #defaults
        #create
        impl rt::CreateData<#name> for #create_ident {}
        #(#without)*
    }
}

/// Whether the client fills any column of `model` when a create leaves it out (its
/// `DEFAULTS` static).
fn has_client_defaults(model: &ModelPlan) -> bool {
    model.fields.iter().any(|f| f.client_default().is_some())
}

/// The struct a nested create through relation `r` takes: the related model's
/// `CreateWithout<BackRelation>` when it holds the relation's required key, else its
/// `Create` (`None` when the related model cannot be created).
fn nested_create_impl<'p>(plan: &'p Plan, r: &RelationPlan) -> Option<&'p proc_macro2::Ident> {
    let related = &plan.models[r.related];
    if !related.can_create {
        return None;
    }
    Some(match &r.link {
        LinkPlan::Inverse { .. } => related
            .create_without
            .iter()
            .find(|(index, _)| {
                let back = &related.relations[*index];
                std::ptr::eq(back.relation, r.relation) && !std::ptr::eq(back.field, r.field)
            })
            .map_or(&related.create_struct, |(_, ident)| ident),
        _ => &related.create_struct,
    })
}

/// The name of the relation field on the other side of `relation` (for docs).
fn back_relation_name(plan: &Plan, model: &ModelPlan, relation: &RelationPlan) -> String {
    let related = &plan.models[relation.related];
    related
        .relations
        .iter()
        .find(|r| {
            std::ptr::eq(r.relation, relation.relation) && !std::ptr::eq(r.field, relation.field)
        })
        .map(|r| r.field.name.clone())
        .unwrap_or_else(|| model.model.name.clone())
}

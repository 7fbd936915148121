//! One model's module: the struct, its columns and `ModelMeta`, `FromRow` by column index,
//! one `Field` constant per scalar field, one function per unique criterion, the required
//! data of a new row, and the actions wrapper whose `create` takes the required fields.
//!
//! Everything else a model can do (every operation, filter, ordering) is implemented once,
//! generically, in the runtime: this module is data plus thin wrappers, so a model costs
//! little to compile.

use proc_macro2::TokenStream;
use quote::quote;
use refract_schema::ir::ScalarType;

use crate::docs::doc_attrs;
use crate::names;
use crate::plan::{ClientDefault, FieldPlan, ModelPlan, Plan};

pub fn model_module(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let items = [
        model_struct(plan, model),
        columns(model),
        meta(model),
        from_row(plan, model),
        field_constants(plan, model),
        unique_functions(plan, model),
        actions(plan, model),
    ];
    let module_doc = format!(
        " The `{}` model: its struct, fields and operations.",
        model.model.name
    );
    quote! {
        #![doc = #module_doc]
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
    let needs_rename = model
        .fields
        .iter()
        .any(|f| names::file_stem(&f.member) != f.field.name);
    let rename_all = needs_rename.then(|| quote!(, serde(rename_all = "camelCase")));
    let fields = model.fields.iter().map(|f| {
        let member = &f.member;
        let ty = struct_field_type(plan, f);
        let doc = doc_attrs(f.field.documentation.as_deref());
        let serde_name = if needs_rename {
            names::serde_camel(&names::file_stem(member))
        } else {
            names::file_stem(member)
        };
        let rename = (serde_name != f.field.name).then(|| {
            let prisma = &f.field.name;
            quote!(#[cfg_attr(feature = "serde", serde(rename = #prisma))])
        });
        quote! {
            #doc
            #rename
            pub #member: #ty,
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize) #rename_all)]
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
        let nullable = f.is_optional();
        quote! {
            pub static #constant: Column = Column { name: #db_name, field: #prisma, nullable: #nullable };
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

fn meta(model: &ModelPlan) -> TokenStream {
    let (meta, name, column) = (&model.meta, &model.model.name, &model.column_module);
    let table = &model.model.db_name;
    let schema = match &model.model.schema {
        Some(schema) => quote!(Some(#schema)),
        None => quote!(None),
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
            table: rt::Table { schema: #schema, name: #table },
            columns: &[#(#columns),*],
            primary_key: &[#(#primary_key),*],
            updated_at: &[#(#updated_at),*],
        };
    }
}

fn from_row(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let (name, meta, result) = (&model.struct_ident, &model.meta, &plan.std.result);
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

/// The `data` function and the actions wrapper with `create`.
fn actions(plan: &Plan, model: &ModelPlan) -> TokenStream {
    let (name, actions, data_fn, vec) = (
        &model.struct_ident,
        &model.actions,
        &model.data_fn,
        &plan.std.vec,
    );
    let accessor_doc = format!(
        " `db.{}()`: every operation of [`rt::Actions`], and `create` with the required fields.",
        names::file_stem(&model.accessor)
    );
    let wrapper = quote! {
        #[doc = #accessor_doc]
        #[derive(Clone, Copy, Debug)]
        pub struct #actions<'a>(pub(crate) rt::Actions<'a, #name>);

        impl<'a> std::ops::Deref for #actions<'a> {
            type Target = rt::Actions<'a, #name>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
    };
    if !model.can_create {
        return wrapper;
    }
    let arguments: Vec<&FieldPlan> = model
        .fields
        .iter()
        .filter(|f| f.is_create_argument() && f.client_default().is_none())
        .collect();
    let params: Vec<TokenStream> = arguments
        .iter()
        .map(|f| {
            let (member, ty) = (&f.member, argument_type(plan, f));
            quote!(#member: #ty)
        })
        .collect();
    let args: Vec<_> = arguments.iter().map(|f| &f.member).collect();
    let sets: Vec<TokenStream> = model
        .fields
        .iter()
        .filter_map(|f| {
            let constant = &f.constant;
            match f.client_default() {
                Some(ClientDefault::Call(function, size)) => {
                    let function = names::ident(function);
                    let size = size.map(proc_macro2::Literal::usize_unsuffixed);
                    Some(quote!(#constant.set(rt::ids::#function(#size))))
                }
                Some(ClientDefault::EmptyList) => Some(quote!(#constant.set(#vec::new()))),
                None if f.is_create_argument() => {
                    let member = &f.member;
                    Some(quote!(#constant.set(#member)))
                }
                None => None,
            }
        })
        .collect();
    let data_body = if sets.is_empty() {
        quote!(#vec::new())
    } else {
        quote!(vec![#(#sets),*])
    };
    let data_doc = [
        format!(
            " The data of a new `{}`: its required fields and the defaults the client",
            model.model.name
        ),
        " computes, for `create_many` and `upsert`; add fields with `.push(FIELD.set(..))`."
            .to_owned(),
    ];
    quote! {
        #(#[doc = #data_doc])*
        pub fn #data_fn(#(#params),*) -> #vec<rt::Set<#name>> {
            #data_body
        }

        #wrapper

        impl<'a> #actions<'a> {
            /// Inserts one row. The required fields are arguments, so a missing one is a
            /// compile error; set optional and defaulted fields with `.set(FIELD.set(..))`.
            pub fn create(self, #(#params),*) -> rt::Create<'a, #name> {
                self.0.create(self::#data_fn(#(#args),*))
            }
        }
    }
}

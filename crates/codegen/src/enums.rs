//! The enums file: one Rust enum per schema enum, mapped to its Postgres enum type through
//! [`PgEnum`](refract_runtime) (variant ↔ database name, `@map` applied). serde uses the
//! Prisma value names, as Prisma's JSON does.

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs::doc_attrs;
use crate::plan::{EnumPlan, Plan};
use crate::serde_code;

pub fn enums_module(plan: &Plan) -> TokenStream {
    let enums = plan.enums.iter().map(enum_item);
    quote! {
        //! The schema's enums.
        use refract_runtime as rt;
        #(#enums)*
    }
}

fn enum_item(plan_enum: &EnumPlan) -> TokenStream {
    let (ident, enum_) = (&plan_enum.ident, plan_enum.enum_);
    let default_doc = format!("`enum {}` (type `{}`).", enum_.name, enum_.db_name);
    let doc = doc_attrs(enum_.documentation.as_deref().or(Some(&default_doc)));
    let variants = plan_enum.variants.iter().map(|v| {
        let (variant, value) = (&v.0, v.1);
        let doc = doc_attrs(value.documentation.as_deref());
        quote!(#doc #variant,)
    });
    let db_names = plan_enum.variants.iter().map(|(_, value)| &value.db_name);
    // The Prisma names only when a value is mapped (the trait's default is the db names).
    let prisma_names = plan_enum
        .variants
        .iter()
        .any(|(_, value)| value.name != value.db_name)
        .then(|| {
            let names = plan_enum.variants.iter().map(|(_, value)| &value.name);
            quote!(const PRISMA_NAMES: &'static [&'static str] = &[#(#names),*];)
        });
    let name = &enum_.name;
    let all = plan_enum
        .variants
        .iter()
        .map(|(variant, _)| quote!(#ident::#variant));
    let count = proc_macro2::Literal::usize_unsuffixed(plan_enum.variants.len());
    // serde by the Prisma names (`PgEnum::PRISMA_NAMES`), written out (see `serde_code`).
    let serde = serde_code::enum_impls(ident);
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ident {
            #(#variants)*
        }

        #serde

        impl #ident {
            /// Every variant, in declaration order.
            pub const ALL: [#ident; #count] = [#(#all),*];
        }

        impl rt::PgEnum for #ident {
            const NAME: &'static str = #name;
            const VARIANTS: &'static [Self] = &Self::ALL;
            const DB_NAMES: &'static [&'static str] = &[#(#db_names),*];
            #prisma_names
            fn index(self) -> usize {
                self as usize
            }
        }
    }
}

//! serde's `Serialize`/`Deserialize` for the generated models, `Omitted` records, `Counts`
//! and enums, without serde's derives (all behind the generated crate's `serde` feature).
//!
//! What the derives expand in every type (a field-identifier enum and its visitor, a map
//! visitor and a sequence visitor, each a match over every field), and serde_derive itself
//! running on each type, were most of what the generated crate cost to compile, for code
//! that is the same in every type but for the field list. So the generic part lives once in
//! the runtime (`refract_runtime::serde_records`, behind its `serde` feature: the field-key
//! visitor, duplicate and missing-field handling, map and sequence access, the enum visitor
//! over a `PgEnum`'s names), and each type invokes the runtime's `__serde_record!` or
//! `__serde_pg_enum!` with its names: one line per field, which expands to one
//! `serialize_field`, one match arm and one struct field per field. On civitai (302 models)
//! this took the client's `cargo check` from 20.0 to 11.4 s of CPU and its cold build from
//! 30.3 to 19.5 s (BENCHMARKS.md). The JSON and the errors are the derives' (same names,
//! missing `Option` fields read as `None`, unknown fields ignored, duplicates rejected,
//! records also read from a sequence).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// One field of a record: the Rust member and its serde name (the Prisma name).
pub struct SerdeField<'a> {
    pub member: &'a Ident,
    pub name: &'a str,
}

/// `Serialize` and `Deserialize` for a plain record (a model struct, `Counts`), and with
/// `omitted`, `Serialize` for the model's `Omitted` record (same fields, each left out when
/// `None`): one invocation of the runtime's `__serde_record!`, the field list once.
pub fn record_impls(
    ident: &Ident,
    omitted: Option<&Ident>,
    fields: &[SerdeField<'_>],
) -> TokenStream {
    let omitted = omitted.map(|omitted| quote!(+ #omitted));
    let fields = fields.iter().map(|f| {
        let (member, name) = (f.member, f.name);
        quote!(#member = #name)
    });
    quote! {
        #[cfg(feature = "serde")]
        ::refract_runtime::__serde_record!(#ident #omitted { #(#fields),* });
    }
}

/// `Serialize` and `Deserialize` for a schema enum, by its `PgEnum` Prisma names.
pub fn enum_impls(ident: &Ident) -> TokenStream {
    quote! {
        #[cfg(feature = "serde")]
        ::refract_runtime::__serde_pg_enum!(#ident);
    }
}

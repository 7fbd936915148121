//! `///` comments of the schema as rustdoc attributes.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc = "..."]` per line of `text` (printed as `///` lines); nothing for `None`.
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = text.lines().map(|line| {
        let line = line.trim_end();
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {}", line.strip_prefix(' ').unwrap_or(line))
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

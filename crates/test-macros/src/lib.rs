//! The `#[refract_test::test]` attribute. Use it through refract-test, which re-exports it
//! and holds everything it expands to (this crate only rewrites the function).
//!
//! `#[refract_test::test] async fn name(db: T) { ... }` becomes a plain `#[test] fn
//! name()` that hands the async body to `refract_test::__private::run`, which makes the
//! database, builds `T` from it (`refract_runtime::Client` or `refract_test::TestDatabase`),
//! runs the body on a tokio runtime of its own, and drops or keeps the database.
//!
//! Arguments, all optional: `migrations = "path"` (relative to the crate's folder),
//! `fixtures("a.sql", "b.sql")` (SQL files run on each test's database, relative to the
//! crate's folder), `seed = path::to::function` (an `async fn(Client)` run after the
//! fixtures, returning `()` or a `Result`), `worker_threads = N` (a multi-threaded tokio
//! runtime with N workers instead of the current-thread one).

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::spanned::Spanned;

#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

#[derive(Default)]
struct Args {
    migrations: Option<syn::LitStr>,
    fixtures: Vec<syn::LitStr>,
    seed: Option<syn::Path>,
    worker_threads: Option<syn::LitInt>,
}

fn parse_args(args: proc_macro2::TokenStream) -> syn::Result<Args> {
    let mut parsed = Args::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("migrations") {
            parsed.migrations = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("fixtures") {
            let content;
            syn::parenthesized!(content in meta.input);
            let list =
                syn::punctuated::Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated(
                    &content,
                )?;
            parsed.fixtures.extend(list);
            Ok(())
        } else if meta.path.is_ident("worker_threads") {
            parsed.worker_threads = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("seed") {
            parsed.seed = Some(meta.value()?.parse()?);
            Ok(())
        } else {
            Err(meta.error("unknown argument: expected `migrations = \"...\"`, `fixtures(\"...\")`, `seed = function` or `worker_threads = N`"))
        }
    });
    parser.parse2(args)?;
    Ok(parsed)
}

fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let args = parse_args(args)?;
    let function: syn::ItemFn = syn::parse2(item)?;
    let signature = &function.sig;
    if signature.asyncness.is_none() {
        return Err(syn::Error::new(
            signature.fn_token.span(),
            "#[refract_test::test] functions are `async fn`",
        ));
    }
    if signature.inputs.len() != 1 {
        return Err(syn::Error::new(
            signature.inputs.span(),
            "#[refract_test::test] functions take one argument: the database's client \
             (`db: client::Client`) or `db: refract_test::TestDatabase`",
        ));
    }
    let name = &signature.ident;
    let inner = format_ident!("__refract_test_{}", name);
    let mut inner_function = function.clone();
    inner_function.sig.ident = inner.clone();
    inner_function.attrs.retain(|a| a.path().is_ident("allow"));
    let attrs: Vec<_> = function
        .attrs
        .iter()
        .filter(|a| !a.path().is_ident("test"))
        .collect();
    let migrations = match &args.migrations {
        Some(path) => quote!(::core::option::Option::Some(#path)),
        None => quote!(::core::option::Option::None),
    };
    let fixtures = &args.fixtures;
    let seed = match &args.seed {
        Some(path) => quote! {
            ::core::option::Option::Some(|client| {
                ::std::boxed::Box::pin(async move {
                    ::refract_test::__private::outcome(#path(client).await)
                })
            })
        },
        None => quote!(::core::option::Option::None),
    };
    let worker_threads = match &args.worker_threads {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    let vis = &function.vis;
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #inner_function
            ::refract_test::__private::run(
                ::refract_test::__private::Options {
                    test: ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)),
                    manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
                    migrations: #migrations,
                    fixtures: &[#(#fixtures),*],
                    seed: #seed,
                    worker_threads: #worker_threads,
                },
                #inner,
            )
        }
    })
}

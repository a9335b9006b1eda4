//! Procedural macros of [baton](https://docs.rs/baton). Use them through the `baton` crate: the code
//! they generate names `::baton::...` and `::baton::__private_0_1::...` (or the path given with
//! `crate = "path"`).
// No `unsafe` here: the macros only transform tokens.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;

mod common;
mod handler;
mod key;
mod middleware;
mod params;
mod scan;
mod session_key;

/// Makes a type a context key. See `baton::context_key` for the documentation.
#[proc_macro_attribute]
pub fn context_key(args: TokenStream, item: TokenStream) -> TokenStream {
    key::context_key(args.into(), item.into()).into()
}

/// Turns an async fn into a middleware that provides and requires keys. See `baton::middleware`.
#[proc_macro_attribute]
pub fn middleware(args: TokenStream, item: TokenStream) -> TokenStream {
    middleware::middleware(args.into(), item.into()).into()
}

/// Makes a handler (or helper) generic over the route's keys, bounded by the keys it reads. See
/// `baton::handler`.
#[proc_macro_attribute]
pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::handler(args.into(), item.into()).into()
}

/// A key's type-level fingerprint, unique to the crate, the place it is written and the expansion. See
/// `baton::key_id`.
#[proc_macro]
pub fn key_id(input: TokenStream) -> TokenStream {
    let seed = key::declaration_site(&input.to_string());
    key::fingerprint(&key::digit_paths(&quote::quote!(::baton)), &seed).into()
}

mod app_context;

/// Declares an app's typed ambient context. See `baton::app_context!` for the documentation.
#[proc_macro]
pub fn app_context(input: TokenStream) -> TokenStream {
    app_context::app_context(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes a type a typed session key. See `baton::session_key` for the documentation.
#[proc_macro_attribute]
pub fn session_key(args: TokenStream, item: TokenStream) -> TokenStream {
    session_key::session_key(args.into(), item.into()).into()
}

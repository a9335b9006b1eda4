//! Procedural macros of [baton](https://docs.rs/baton). Use them through the `baton` crate: the code
//! they generate names `::baton::__private::...`.

use proc_macro::TokenStream;

mod key;

/// Makes a type a context key. See `baton::context_key` for the documentation.
#[proc_macro_attribute]
pub fn context_key(args: TokenStream, item: TokenStream) -> TokenStream {
    key::context_key(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// A key's type-level fingerprint, unique to the place it is written. See `baton::key_id`.
#[proc_macro]
pub fn key_id(input: TokenStream) -> TokenStream {
    let span = proc_macro::Span::call_site();
    let seed = format!(
        "{}:{}:{}:{}",
        span.file(),
        span.line(),
        span.column(),
        input
    );
    key::fingerprint(&seed).into()
}

//! `app_context!`: declare an app's typed ambient context once.
//!
//! ```text
//! app_context!(pub struct AppContext: RequestId, CurrentUser, Database);
//! ```
//!
//! becomes a marker type, its `DeclaredContext` impl (the key list, in declaration order), one
//! `Declares<K>` impl per key (its index in the declaration) and inherent shortcuts (`current`, `with`,
//! ...). Everything generated names `::baton::ambient::...`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Token, Type, Visibility};

/// The parsed declaration.
struct Declaration {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    keys: Vec<Type>,
}

impl Parse for Declaration {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected `struct`: write `app_context!(pub struct AppContext: KeyA, KeyB);`",
            )
        })?;
        let name: Ident = input.parse()?;
        if input.peek(Token![<]) {
            return Err(syn::Error::new(
                input.span(),
                "an app context cannot be generic: it names one fixed set of keys",
            ));
        }
        input.parse::<Token![:]>().map_err(|error| {
            syn::Error::new(
                error.span(),
                format!(
                    "expected `:` and the keys `{name}` declares: `struct {name}: KeyA, KeyB;`"
                ),
            )
        })?;
        let mut keys = Vec::new();
        while !input.is_empty() && !input.peek(Token![;]) {
            keys.push(input.parse::<Type>()?);
            if input.is_empty() || input.peek(Token![;]) {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the app context declaration"));
        }
        if keys.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "`{name}` declares no keys: list the keys every request carries, `struct {name}: RequestId, CurrentUser;`"
                ),
            ));
        }
        Ok(Declaration {
            attrs,
            vis,
            name,
            keys,
        })
    }
}

pub fn app_context(input: TokenStream) -> syn::Result<TokenStream> {
    let Declaration {
        attrs,
        vis,
        name,
        keys,
    } = syn::parse2(input)?;

    let mut seen: Vec<String> = Vec::new();
    for key in &keys {
        let spelled = quote!(#key).to_string();
        if seen.contains(&spelled) {
            return Err(syn::Error::new(
                key.span(),
                format!("`{spelled}` is declared twice in `{name}`: list each key once"),
            ));
        }
        seen.push(spelled);
    }

    let list = keys.iter().rev().fold(
        quote!(()),
        |rest, key| quote_spanned!(key.span()=> (#key, #rest)),
    );
    let declares = keys.iter().enumerate().map(|(index, key)| {
        quote_spanned! {key.span()=>
            impl ::baton::ambient::Declares<#key> for #name {
                const INDEX: usize = #index;
            }
        }
    });
    let name_text = name.to_string();
    let view = quote!(::baton::ambient::AppView<#name>);

    Ok(quote! {
        #(#attrs)*
        #[allow(dead_code)]
        #vis struct #name {
            _private: (),
        }

        impl ::baton::ambient::DeclaredContext for #name {
            type Keys = #list;
            const NAME: &'static str = #name_text;
        }

        #(#declares)*

        #[allow(dead_code)]
        impl #name {
            /// The current request's context, typed as this app context: `get::<K>()` reads any
            /// declared key without `Option`.
            ///
            /// # Panics
            /// Outside a request scope entered by `baton::async_context_for::<Self>()`.
            #[track_caller]
            #vis fn current() -> #view {
                ::baton::ambient::AppView::current()
            }

            /// The current request's context typed as this app context, or `None` outside a scope
            /// entered for it.
            #vis fn try_current() -> ::core::option::Option<#view> {
                ::baton::ambient::AppView::try_current()
            }

            /// Lends the current request's context, typed as this app context, to `f` (no clone).
            ///
            /// # Panics
            /// Outside a request scope entered by `baton::async_context_for::<Self>()`.
            #[track_caller]
            #vis fn with<R>(f: impl ::core::ops::FnOnce(&#view) -> R) -> R {
                ::baton::ambient::AppView::with(f)
            }

            /// Like `with`, returning `None` outside a scope entered for this app context.
            #vis fn try_with<R>(f: impl ::core::ops::FnOnce(&#view) -> R) -> ::core::option::Option<R> {
                ::baton::ambient::AppView::try_with(f)
            }

            /// The middleware entering this app context's scope: `baton::async_context_for::<Self>()`.
            #vis fn async_context() -> ::baton::ambient::AsyncContext<#name> {
                ::baton::ambient::async_context_for::<#name>()
            }
        }
    })
}

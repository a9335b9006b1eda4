//! `#[session_key]`: a type stored in the session under a name, read and written as that type.
//!
//! The name is the key's identity in the store (it outlives deployments), so it defaults to the type's
//! name, not its module path: moving the type does not orphan the users' stored values. Two keys with
//! one name in a crate would read each other's values; the expansion declares a crate-root macro named
//! after the storage name, so the second declaration is a compile error (E0428) pointing at it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Item, LitStr, Token};

#[derive(Default)]
struct SessionKeyOptions {
    name: Option<LitStr>,
    krate: Option<syn::Path>,
}

impl Parse for SessionKeyOptions {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut options = SessionKeyOptions::default();
        while !input.is_empty() {
            if input.peek(Token![crate]) {
                let keyword = input.parse::<Token![crate]>()?;
                if options.krate.is_some() {
                    return Err(syn::Error::new(keyword.span, "`crate` is given twice"));
                }
                input.parse::<Token![=]>()?;
                let path: LitStr = input.parse()?;
                options.krate = Some(path.parse().map_err(|_| {
                    syn::Error::new(
                        path.span(),
                        "`crate` needs a path: `crate = \"my_app::baton\"`",
                    )
                })?);
            } else {
                let option: syn::Ident = input.parse().map_err(|error| {
                    syn::Error::new(
                        error.span(),
                        "expected an option of #[session_key]: `name = \"..\"` or `crate = \"path\"`",
                    )
                })?;
                if option != "name" {
                    return Err(syn::Error::new(
                        option.span(),
                        format!(
                            "unknown option `{option}` for #[session_key]: expected `name = \"..\"` or `crate = \"path\"`"
                        ),
                    ));
                }
                if options.name.is_some() {
                    return Err(syn::Error::new(option.span(), "`name` is given twice"));
                }
                input.parse::<Token![=]>().map_err(|error| {
                    syn::Error::new(error.span(), "`name` needs a string: `name = \"cart\"`")
                })?;
                let name: LitStr = input.parse().map_err(|error| {
                    syn::Error::new(error.span(), "`name` needs a string: `name = \"cart\"`")
                })?;
                if name.value().is_empty() {
                    return Err(syn::Error::new(
                        name.span(),
                        "a session key's `name` cannot be empty",
                    ));
                }
                options.name = Some(name);
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(options)
    }
}

pub fn session_key(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => crate::common::with_error(error, item),
    }
}

fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options: SessionKeyOptions = syn::parse2(args)?;
    let parsed: Item = syn::parse2(item.clone()).map_err(|_| not_a_type(&item))?;
    let (ident, generics) = match &parsed {
        Item::Struct(item) => (&item.ident, &item.generics),
        Item::Enum(item) => (&item.ident, &item.generics),
        _ => return Err(not_a_type(&item)),
    };
    if !generics.params.is_empty() {
        return Err(syn::Error::new(
            generics.span(),
            "a session key cannot be generic: its name in the store must name one type",
        ));
    }
    let (name, name_span) = match &options.name {
        Some(name) => (name.value(), name.span()),
        None => (ident.to_string(), ident.span()),
    };
    let krate = match &options.krate {
        Some(path) => quote!(#path),
        None => quote!(::baton),
    };
    let claim = format_ident!(
        "__baton_session_key_{}",
        identifier_text(&name),
        span = name_span
    );
    Ok(quote! {
        #parsed

        impl #krate::__private_0_1::SessionKey for #ident {
            const NAME: &'static str = #name;
        }

        // One per storage name in the crate: a second key with this name is "defined multiple times".
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #claim {
            () => {};
        }
    })
}

fn not_a_type(item: &TokenStream) -> syn::Error {
    syn::Error::new(
        crate::common::item_head_span(item),
        "#[session_key] applies to a struct or an enum (the type stored in the session)",
    )
}

/// `name` as identifier characters: ASCII letters and digits are kept, any other character becomes
/// `_xx_` (its code point in hex), so distinct names stay distinct.
fn identifier_text(name: &str) -> String {
    let mut text = String::new();
    for character in name.chars() {
        if character.is_ascii_alphanumeric() {
            text.push(character);
        } else {
            text.push_str(&format!("_{:x}_", u32::from(character)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_distinct_identifiers() {
        assert_eq!(identifier_text("cart"), "cart");
        assert_ne!(identifier_text("a.b"), identifier_text("a-b"));
        assert_ne!(identifier_text("a_b"), identifier_text("a.b"));
    }

    #[test]
    fn rejects_bad_options() {
        let error = |args: TokenStream| {
            expand(
                args,
                quote!(
                    struct Cart;
                ),
            )
            .unwrap_err()
            .to_string()
        };
        assert!(error(quote!(title = "x")).contains("unknown option `title`"));
        assert!(error(quote!(name = "")).contains("cannot be empty"));
        assert!(error(quote!(name = "a", name = "b")).contains("given twice"));
        let generic = expand(
            quote!(),
            quote!(
                struct Cart<T>(T);
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(generic.contains("cannot be generic"));
    }
}

//! `#[context_key]`: parse the options, validate the item, emit the `ContextKey` impl.

use proc_macro2::{Delimiter, Group, Punct, Spacing, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use std::sync::atomic::{AtomicU64, Ordering};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Item, Token, Type};

/// The options of `#[context_key(...)]`.
#[derive(Default)]
struct KeyOptions {
    value: Option<Type>,
    default: Option<Expr>,
    /// An explicit identity, stable when the key moves between modules or files.
    id: Option<syn::LitStr>,
    /// The path of the baton crate, for crates that re-export it (`crate = "my_framework::baton"`).
    krate: Option<syn::Path>,
}

impl Parse for KeyOptions {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut options = KeyOptions::default();
        while !input.is_empty() {
            if input.peek(Token![crate]) {
                let keyword = input.parse::<Token![crate]>()?;
                if options.krate.is_some() {
                    return Err(syn::Error::new(keyword.span, "`crate` is given twice"));
                }
                input.parse::<Token![=]>()?;
                let path: syn::LitStr = input.parse()?;
                options.krate = Some(path.parse().map_err(|_| {
                    syn::Error::new(
                        path.span(),
                        "`crate` needs a path: `crate = \"my_framework::baton\"`",
                    )
                })?);
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            let name: syn::Ident = input.parse().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected an option of #[context_key]: `value = Type` or `default = expr`",
                )
            })?;
            if name == "value" {
                if options.value.is_some() {
                    return Err(syn::Error::new(name.span(), "`value` is given twice"));
                }
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(
                        name.span(),
                        "`value` needs the value type: `#[context_key(value = Type)]` (e.g. `value = SqlitePool`)",
                    ));
                }
                input.parse::<Token![=]>()?;
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(input.error(
                        "expected the value type after `value =` (e.g. `value = SqlitePool`)",
                    ));
                }
                options.value = Some(input.parse()?);
            } else if name == "default" {
                if options.default.is_some() {
                    return Err(syn::Error::new(name.span(), "`default` is given twice"));
                }
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(
                        name.span(),
                        "`default` needs the default value: `#[context_key(default = expr)]`",
                    ));
                }
                input.parse::<Token![=]>()?;
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(input.error(
                        "expected the default value after `default =` (e.g. `default = Locale(\"en\")`)",
                    ));
                }
                options.default = Some(input.parse()?);
            } else if name == "id" {
                if options.id.is_some() {
                    return Err(syn::Error::new(name.span(), "`id` is given twice"));
                }
                input.parse::<Token![=]>().map_err(|error| {
                    syn::Error::new(error.span(), "`id` needs a string: `id = \"myapp.user\"`")
                })?;
                let id: syn::LitStr = input.parse().map_err(|error| {
                    syn::Error::new(error.span(), "`id` needs a string: `id = \"myapp.user\"`")
                })?;
                if id.value().is_empty() {
                    return Err(syn::Error::new(id.span(), "a key `id` cannot be empty"));
                }
                options.id = Some(id);
            } else {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "unknown option `{name}` for #[context_key]: expected `value = Type`, `default = expr`, `id = \"..\"` or `crate = \"path\"`"
                    ),
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(options)
    }
}

/// FNV-1a over `text`, then splitmix64's finaliser, so every input bit moves every output bit (the
/// fingerprints are compared bit by bit).
fn hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// Keys declared so far in this compilation of this crate.
///
/// A proc macro cannot see the module a `macro_rules!` expansion or an `include!`d file lands in: two
/// such expansions have the same file, line and column. Each expansion is a separate call, though, so
/// its rank tells them apart; the rank only has to differ within one compilation, where each key is
/// expanded once.
static DECLARED: AtomicU64 = AtomicU64::new(0);

/// Where a key is declared, as far as a proc macro can tell: its crate (name and version), the macro
/// call's file, line and column, the key's name, and the expansion's rank in this compilation.
pub fn declaration_site(extra: &str) -> String {
    let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let span = proc_macro::Span::call_site();
    let rank = DECLARED.fetch_add(1, Ordering::Relaxed);
    format!(
        "{crate_name}@{version}:{}:{}:{}:{extra}#{rank}",
        span.file(),
        span.line(),
        span.column()
    )
}

/// A key's type-level fingerprint: 64 bits of a hash of `seed`, spelled as a list of `B0`/`B1`, each
/// bit written as `digits[0]` or `digits[1]` (a path to `B0`/`B1`, or a name imported for it).
///
/// Literal types, not const expressions: a const argument per bit would cost the type checker 64
/// constant evaluations per key.
pub fn fingerprint(digits: &[TokenStream; 2], seed: &str) -> TokenStream {
    let hash = hash(seed);
    let digits: [Vec<TokenTree>; 2] = [
        digits[0].clone().into_iter().collect(),
        digits[1].clone().into_iter().collect(),
    ];
    // Built from the innermost pair out, each pair a group holding the previous one: one call into
    // the compiler a bit. Proc macros run unoptimised in a debug build, and re-quoting the growing
    // list cost a key 64 copies of it; parsing the whole list from a string costs more still (the
    // compiler registers a source file a parse).
    let mut bits = TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new()));
    for bit in 0..64u32 {
        let digit = &digits[usize::from(hash >> bit & 1 == 1)];
        let pair = digit
            .iter()
            .cloned()
            .chain([TokenTree::Punct(Punct::new(',', Spacing::Alone)), bits])
            .collect();
        bits = TokenTree::Group(Group::new(Delimiter::Parenthesis, pair));
    }
    bits.into()
}

/// The bits of a fingerprint by their paths, for a fingerprint standing alone (`key_id!`).
pub fn digit_paths(krate: &TokenStream) -> [TokenStream; 2] {
    [
        quote!(#krate::__private_0_1::B0),
        quote!(#krate::__private_0_1::B1),
    ]
}

pub fn context_key(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item.clone()) {
        Ok(tokens) => tokens,
        // Keep the item: the type still exists, so the only error is this one.
        Err(error) => crate::common::with_error(error, item),
    }
}

fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options: KeyOptions = syn::parse2(args)?;
    let item: Item = syn::parse2(item.clone()).map_err(|_| {
        syn::Error::new(
            crate::common::item_head_span(&item),
            "#[context_key] applies to a struct or an enum (the key type)",
        )
    })?;
    let (ident, generics) = match &item {
        Item::Struct(item) => (&item.ident, &item.generics),
        Item::Enum(item) => (&item.ident, &item.generics),
        Item::Union(item) => {
            return Err(syn::Error::new(
                item.union_token.span,
                "#[context_key] cannot be used on a union: a key is a struct or an enum",
            ));
        }
        other => {
            let what = match other {
                Item::Fn(_) => "a function",
                Item::Trait(_) => "a trait",
                Item::Type(_) => "a type alias: declare a key type and use `value = ...`",
                Item::Impl(_) => "an impl block",
                Item::Mod(_) => "a module",
                Item::Const(_) | Item::Static(_) => "a const or static",
                _ => "this item",
            };
            return Err(syn::Error::new(
                crate::common::item_head_span(&other.to_token_stream()),
                format!(
                    "#[context_key] cannot be used on {what}: it applies to a struct or an enum (the key type)"
                ),
            ));
        }
    };
    if !generics.params.is_empty() {
        return Err(syn::Error::new(
            generics.span(),
            "a context key cannot be generic: declare one key type per value (e.g. `struct TenantId(u64);`)",
        ));
    }
    let value = options
        .value
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(#ident));
    let krate = match &options.krate {
        Some(path) => quote!(#path),
        None => quote!(::baton),
    };
    // The impl names the bits by one-token names imported beside it: a path a bit was 8 of a key's
    // tokens, each parsed, resolved and lowered by the compiler.
    let digits = [quote!(__BatonB0), quote!(__BatonB1)];
    let id = match &options.id {
        // An explicit id is the key's identity wherever it is declared, within its crate.
        Some(id) => {
            let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
            fingerprint(&digits, &format!("{crate_name}#id:{}", id.value()))
        }
        None => fingerprint(&digits, &declaration_site(&ident.to_string())),
    };
    let default = options.default.as_ref().map(|expr| {
        quote_spanned! {expr.span()=>
            impl #krate::DefaultKey for #ident {
                type Proof = ();
                fn default_value() -> &'static <Self as #krate::ContextKey>::Value {
                    static DEFAULT: ::std::sync::LazyLock<#value> = ::std::sync::LazyLock::new(|| #expr);
                    &DEFAULT
                }
            }
        }
    });
    let assert_value = quote_spanned! {value.span()=>
        const _: fn() = || {
            fn value_is_shareable<T: ::core::marker::Send + ::core::marker::Sync + 'static>() {}
            value_is_shareable::<#value>();
        };
    };
    Ok(quote! {
        #item
        #assert_value
        // Keeps "the following other types implement `ContextKey`" (every key in scope, baton's own
        // included) out of the error for a type that is not a key.
        const _: () = {
            use #krate::__private_0_1::{B0 as __BatonB0, B1 as __BatonB1};
            #[diagnostic::do_not_recommend]
            impl #krate::ContextKey for #ident {
                type Value = #value;
                type Id = #id;
            }
        };
        #default
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(args: TokenStream, item: TokenStream) -> String {
        match expand(args, item) {
            Ok(tokens) => panic!("expected an error, got {tokens}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_fingerprint_nests_the_hash_bits_lowest_innermost() {
        let hash = hash("seed");
        let mut expected = "()".to_string();
        for bit in 0..64 {
            let digit = if hash >> bit & 1 == 1 { "B1" } else { "B0" };
            expected = format!("(:: baton :: __private_0_1 :: {digit} , {expected})");
        }
        let digits = digit_paths(&quote!(::baton));
        assert_eq!(fingerprint(&digits, "seed").to_string(), expected);
    }

    #[test]
    fn parses_options() {
        let options: KeyOptions = syn::parse2(quote!(value = Pool, default = Pool::new())).unwrap();
        assert!(options.value.is_some() && options.default.is_some());
        let options: KeyOptions = syn::parse2(quote!()).unwrap();
        assert!(options.value.is_none() && options.default.is_none());
    }

    #[test]
    fn rejects_bad_options() {
        let item = quote!(
            struct Database;
        );
        assert!(error(quote!(value), item.clone()).starts_with("`value` needs the value type"));
        assert!(error(quote!(value = ), item.clone()).contains("expected the value type"));
        assert!(error(quote!(default), item.clone()).starts_with("`default` needs the default"));
        assert!(error(quote!(value = A, value = B), item.clone()).contains("given twice"));
        assert!(
            error(quote!(values = A), item.clone())
                .starts_with("unknown option `values` for #[context_key]")
        );
    }

    #[test]
    fn rejects_unsupported_items() {
        assert!(
            error(quote!(), quote!(union Bits { a: u32, b: f32 }))
                .starts_with("#[context_key] cannot be used on a union")
        );
        assert!(
            error(
                quote!(),
                quote!(
                    fn key() {}
                )
            )
            .starts_with("#[context_key] cannot be used on a function")
        );
        assert!(
            error(
                quote!(),
                quote!(
                    struct Tenant<T>(T);
                )
            )
            .starts_with("a context key cannot be generic")
        );
    }
}

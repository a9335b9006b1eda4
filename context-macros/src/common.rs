//! Pieces shared by `#[handler]` and `#[middleware]`: the `provides = .., requires = ..` options, a
//! function whose body is kept as written, and finding the `Context` / `Next` parameters.

use proc_macro2::{Delimiter, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    Attribute, GenericParam, Generics, Ident, PathArguments, Signature, Token, Type, Visibility,
};

use crate::params::Names;
use crate::scan::{key_name, type_display};

/// `provides = A, B, requires = C` (which names are accepted depends on the macro).
#[derive(Default)]
pub struct KeyOptions {
    pub provides: Vec<Type>,
    pub requires: Vec<Type>,
    /// `uses = helper, other`: #[handler] helpers whose reads this function inherits.
    pub uses: Vec<Type>,
    /// `crate = "path"` and `context = Alias`.
    pub names: Names,
}

/// Parses the options of `#[macro_name(...)]`, accepting only the option names in `allowed`.
pub fn parse_options(
    tokens: TokenStream,
    macro_name: &str,
    allowed: &[&str],
) -> syn::Result<KeyOptions> {
    let parser = |input: ParseStream| -> syn::Result<KeyOptions> {
        let mut options = KeyOptions::default();
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            // `context` and `crate` are for aliases and re-exports: accepted, documented, but left
            // out of the hint so it stays short.
            let expected = allowed
                .iter()
                .filter(|name| !matches!(**name, "crate" | "context"))
                .map(|name| match *name {
                    "uses" => "`uses = helper_fn, ...`".to_string(),
                    name => format!("`{name} = Key, ...`"),
                })
                .collect::<Vec<_>>()
                .join(" or ");
            let name: Ident = syn::ext::IdentExt::parse_any(input).map_err(|error| {
                syn::Error::new(
                    error.span(),
                    format!("expected an option of #[{macro_name}]: {expected}"),
                )
            })?;
            let name_text = name.to_string();
            if !allowed.contains(&name_text.as_str()) {
                let close = allowed
                    .iter()
                    .find(|candidate| edit_distance(candidate, &name_text) <= 2);
                let message = match close {
                    Some(candidate) => format!(
                        "unknown option `{name}` for #[{macro_name}]: did you mean `{candidate}`? (expected {expected})"
                    ),
                    None => {
                        format!("unknown option `{name}` for #[{macro_name}]: expected {expected}")
                    }
                };
                return Err(syn::Error::new(name.span(), message));
            }
            if seen.contains(&name_text) {
                return Err(syn::Error::new(
                    name.span(),
                    format!("`{name}` is given twice: list all its keys once, `{name} = A, B`"),
                ));
            }
            seen.push(name_text.clone());
            if !input.peek(Token![=]) {
                let message = if name == "uses" {
                    "`uses` needs the helpers: `uses = helper_fn` or `uses = helper_a, helper_b`"
                        .to_string()
                } else {
                    format!("`{name}` needs its keys: `{name} = Key` or `{name} = Key1, Key2`")
                };
                return Err(syn::Error::new(name.span(), message));
            }
            input.parse::<Token![=]>()?;
            if name == "crate" || name == "context" {
                parse_name_option(input, &name, &mut options.names)?;
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            let mut keys = Vec::new();
            loop {
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(input.error(format!(
                        "expected a key type after `{name} =` (e.g. `{name} = User`)"
                    )));
                }
                let key: Type = input.parse()?;
                flatten_into(key, &mut keys);
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
                // `provides = A, requires = B`: the next option starts after the comma.
                if input.is_empty()
                    || ((input.peek(Ident) || input.peek(Token![crate])) && input.peek2(Token![=]))
                {
                    break;
                }
            }
            check_unique(&keys, &name_text)?;
            match name_text.as_str() {
                "provides" => options.provides = keys,
                "uses" => {
                    for helper in &keys {
                        let plain = matches!(helper, Type::Path(path)
                            if path.qself.is_none()
                                && path.path.segments.iter().all(|segment| segment.arguments.is_none()));
                        if !plain {
                            return Err(syn::Error::new(
                                helper.span(),
                                "`uses` names #[handler] helper functions by path: `uses = user_name, views::header`",
                            ));
                        }
                    }
                    options.uses = keys;
                }
                _ => options.requires = keys,
            }
        }
        for required in &options.requires {
            let text = type_display(required);
            let name = key_name(required);
            if let Some(provided) = options
                .provides
                .iter()
                .find(|provided| key_name(provided) == name)
            {
                let provided = type_display(provided);
                let also = if provided == text {
                    String::new()
                } else {
                    format!(" (as `{provided}`)")
                };
                return Err(syn::Error::new_spanned(
                    required,
                    format!(
                        "`{text}` is both provided{also} and required: a middleware that provides `{text}` cannot also need it from upstream"
                    ),
                ));
            }
        }
        Ok(options)
    };
    syn::parse::Parser::parse2(parser, tokens)
}

/// `crate = "path::to::baton"` (a string, as serde's) or `context = Alias`.
fn parse_name_option(input: ParseStream, name: &Ident, names: &mut Names) -> syn::Result<()> {
    if name == "crate" {
        let literal: syn::LitStr = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "`crate` takes the path baton is re-exported at, as a string: `crate = \"my_web::baton\"`",
            )
        })?;
        names.krate = Some(literal.parse::<syn::Path>().map_err(|_| {
            syn::Error::new(
                literal.span(),
                "`crate` takes a path: `crate = \"my_web::baton\"`",
            )
        })?);
    } else {
        let alias: Ident = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "`context` takes the name `baton::Context` is imported as: `context = Ctx` for `use baton::Context as Ctx`",
            )
        })?;
        names.context_alias = Some(alias);
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean" on misspelled options.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `provides = (A, B)` is read as `provides = A, B`.
fn flatten_into(key: Type, keys: &mut Vec<Type>) {
    match key {
        Type::Tuple(tuple) => keys.extend(tuple.elems),
        Type::Paren(paren) => keys.push(*paren.elem),
        other => keys.push(other),
    }
}

fn check_unique(keys: &[Type], option: &str) -> syn::Result<()> {
    for (index, key) in keys.iter().enumerate() {
        let text = type_display(key);
        let name = key_name(key);
        if keys[..index]
            .iter()
            .any(|earlier| key_name(earlier) == name)
        {
            return Err(syn::Error::new_spanned(
                key,
                format!("`{text}` is listed twice in `{option}`: each key appears once"),
            ));
        }
    }
    Ok(())
}

/// A function whose body is kept as tokens, exactly as written: it is re-emitted unchanged, so spans
/// point at the user's code and rust-analyzer sees the body even while it does not parse.
#[derive(Clone)]
pub struct LenientFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: TokenStream,
    /// Where-clause predicates added by the macro, emitted after the user's as they were quoted:
    /// parsing each into a `syn::WherePredicate` first was a quarter of `#[handler]`'s expansion
    /// time (macros run unoptimised in a debug build).
    pub extra_predicates: Vec<TokenStream>,
}

impl Parse for LenientFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body: proc_macro2::Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected a function body"));
        }
        Ok(LenientFn {
            attrs,
            vis,
            sig,
            body: body.to_token_stream(),
            extra_predicates: Vec::new(),
        })
    }
}

impl ToTokens for LenientFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for attr in &self.attrs {
            attr.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        if self.extra_predicates.is_empty() {
            self.sig.to_tokens(tokens);
        } else {
            // The signature up to its where clause, then the user's predicates and the macro's.
            let Signature {
                constness,
                asyncness,
                unsafety,
                abi,
                fn_token,
                ident,
                generics,
                paren_token,
                inputs,
                variadic,
                output,
            } = &self.sig;
            let (params, where_clause) = (&generics.params, &generics.where_clause);
            let user_predicates = where_clause
                .iter()
                .flat_map(|clause| clause.predicates.iter());
            let extra = &self.extra_predicates;
            let params = (!params.is_empty()).then(|| quote::quote!(<#params>));
            let mut arguments = TokenStream::new();
            inputs.to_tokens(&mut arguments);
            if let Some(variadic) = variadic {
                if !inputs.empty_or_trailing() {
                    <syn::Token![,]>::default().to_tokens(&mut arguments);
                }
                variadic.to_tokens(&mut arguments);
            }
            tokens.extend(
                quote::quote!(#constness #asyncness #unsafety #abi #fn_token #ident #params),
            );
            paren_token.surround(tokens, |inner| inner.extend(arguments));
            tokens.extend(quote::quote!(#output where #(#user_predicates,)* #(#extra),*));
        }
        self.body.to_tokens(tokens);
    }
}

/// `#[allow(lint)]`, built rather than parsed from quoted tokens (macros run unoptimised in a debug
/// build, where every parse counts).
pub fn allow(lint: TokenStream) -> Attribute {
    let span = Span::call_site();
    Attribute {
        pound_token: syn::Token![#](span),
        style: syn::AttrStyle::Outer,
        bracket_token: syn::token::Bracket(span),
        meta: syn::Meta::List(syn::MetaList {
            path: Ident::new("allow", span).into(),
            delimiter: syn::MacroDelimiter::Paren(syn::token::Paren(span)),
            tokens: lint,
        }),
    }
}

/// How a parameter holds the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxMode {
    /// `ctx: Context`
    Owned,
    /// `ctx: &Context`
    Shared,
    /// `ctx: &mut Context`
    Mut,
}

/// Sets `Context` to `Context<list>` (`list` is a type parameter or a type).
pub fn set_args(segment: &mut syn::PathSegment, args: TokenStream) {
    let span = segment.ident.span();
    // The argument is the macro's own tokens (a parameter or a pair of them): emitted as they are
    // rather than parsed into a `syn::Type` first.
    let mut list = syn::punctuated::Punctuated::new();
    list.push(syn::GenericArgument::Type(syn::Type::Verbatim(args)));
    segment.arguments = PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
        colon2_token: None,
        lt_token: syn::Token![<](span),
        args: list,
        gt_token: syn::Token![>](span),
    });
}

/// A name for a generated type parameter that neither the user's generics nor the user's types in
/// scope use: a user type `P` or `Downstream` must not be shadowed by the macro's parameter.
/// `span` is where errors about the parameter point (the fn's name).
pub fn fresh_param(generics: &Generics, base: &str, span: Span) -> Ident {
    let taken = |name: &str| {
        generics.params.iter().any(|param| match param {
            GenericParam::Type(ty) => ty.ident == name,
            GenericParam::Const(constant) => constant.ident == name,
            GenericParam::Lifetime(_) => false,
        })
    };
    let mut name = format!("__Baton{base}");
    while taken(&name) {
        name.push('_');
    }
    Ident::new(&name, span)
}

/// Inserts a type parameter after the lifetimes (which must come first).
pub fn insert_type_param(generics: &mut Generics, param: GenericParam) {
    let position = generics
        .params
        .iter()
        .take_while(|param| matches!(param, GenericParam::Lifetime(_)))
        .count();
    generics.params.insert(position, param);
    if generics.lt_token.is_none() {
        generics.lt_token = Some(Default::default());
        generics.gt_token = Some(Default::default());
    }
}

/// Whether an attribute documents the item (`///`, `#[doc]`) or configures it away (`#[cfg]`): those
/// belong on the generated public items; every other attribute stays on the function.
pub fn is_doc_or_cfg(attr: &Attribute) -> bool {
    attr.path().is_ident("doc") || attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr")
}

/// The original item (so rust-analyzer and later errors still see it) with `error` in front.
pub fn with_error(error: syn::Error, original: TokenStream) -> TokenStream {
    let error = error.into_compile_error();
    quote!(#error #original)
}

/// The span of an item's first token after its attributes and visibility (`fn`, `struct`, ...), for
/// errors about the kind of item an attribute was put on.
pub fn item_head_span(item: &proc_macro2::TokenStream) -> proc_macro2::Span {
    use syn::parse::Parser;
    let parser = |input: syn::parse::ParseStream| {
        input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Visibility>()?;
        let span = input.cursor().span();
        input.parse::<proc_macro2::TokenStream>()?;
        Ok(span)
    };
    parser
        .parse2(item.clone())
        .unwrap_or_else(|_: syn::Error| proc_macro2::Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn texts(types: &[Type]) -> Vec<String> {
        types.iter().map(crate::scan::type_text).collect()
    }

    #[test]
    fn parses_provides_and_requires() {
        let options = parse_options(
            quote!(provides = User, Session, requires = Database),
            "middleware",
            &["provides", "requires"],
        )
        .unwrap();
        assert_eq!(texts(&options.provides), ["User", "Session"]);
        assert_eq!(texts(&options.requires), ["Database"]);

        let options = parse_options(
            quote!(requires = crate::keys::Db, provides = (A, B),),
            "middleware",
            &["provides", "requires"],
        )
        .unwrap();
        assert_eq!(texts(&options.provides), ["A", "B"]);
        assert_eq!(texts(&options.requires), ["crate :: keys :: Db"]);

        let options = parse_options(quote!(), "handler", &["requires"]).unwrap();
        assert!(options.provides.is_empty() && options.requires.is_empty());
    }

    fn error(tokens: TokenStream, allowed: &[&str]) -> String {
        match parse_options(tokens, "middleware", allowed) {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn rejects_bad_options() {
        let both = &["provides", "requires"];
        assert_eq!(
            error(quote!(provide = User), both),
            "unknown option `provide` for #[middleware]: did you mean `provides`? (expected `provides = Key, ...` or `requires = Key, ...`)"
        );
        assert_eq!(
            error(quote!(needs = User), both),
            "unknown option `needs` for #[middleware]: expected `provides = Key, ...` or `requires = Key, ...`"
        );
        assert_eq!(edit_distance("requires", "require"), 1);
        assert_eq!(edit_distance("uses", "use"), 1);
        assert_eq!(
            error(quote!(provides = User, Session, User), both),
            "`User` is listed twice in `provides`: each key appears once"
        );
        assert_eq!(
            error(quote!(provides = User, provides = Session), both),
            "`provides` is given twice: list all its keys once, `provides = A, B`"
        );
        assert_eq!(
            error(quote!(provides), both),
            "`provides` needs its keys: `provides = Key` or `provides = Key1, Key2`"
        );
        assert!(
            error(quote!(provides = ), both).contains("expected a key type after `provides =`")
        );
        assert!(
            error(quote!(provides = User, requires = User), both)
                .contains("both provided and required")
        );
        // One key spelled two ways is still one key.
        assert_eq!(
            error(quote!(provides = User, requires = crate::User), both),
            "`crate::User` is both provided (as `User`) and required: a middleware that provides `crate::User` cannot also need it from upstream"
        );
        assert_eq!(
            error(quote!(provides = keys::User, Session, User), both),
            "`User` is listed twice in `provides`: each key appears once"
        );
        assert!(error(quote!(crate = "not a path"), &["crate"]).contains("`crate` takes a path"));
        assert!(error(quote!(crate = baton), &["crate"]).contains("as a string"));
        assert!(
            error(quote!(provides = User), &["requires"]).starts_with("unknown option `provides`")
        );
    }
}

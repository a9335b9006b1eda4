//! `#[handler]`: makes a function generic over the route's key list and states, as bounds, the keys its
//! body reads, so the route that mounts it is checked.
//!
//! ```text
//! #[handler]
//! async fn show(ctx: Context) -> String { ctx.get::<User>().0.clone() }
//! // becomes
//! async fn show<__BatonH, __BatonT>(ctx: Context<(__BatonH, __BatonT)>) -> String
//! where (__BatonH, __BatonT): ::baton::KeyList + ::baton::Has<User>
//! { ctx.get::<User>().0.clone() }
//! ```

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, GenericParam, Ident, PathArguments, Type};

use crate::common::{
    CtxMode, KeyOptions, LenientFn, fresh_param, insert_type_param, parse_options, set_args,
    with_error,
};
use crate::scan::{Access, scan_body};

mod plain;

pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(tokens) = plain::expand(&args, &item) {
        return tokens;
    }
    general(args, item)
}

/// Every shape `#[handler]` accepts, with its errors.
fn general(args: TokenStream, item: TokenStream) -> TokenStream {
    let allowed = ["requires", "uses", "context", "crate"];
    let options = match parse_options(args, "handler", &allowed) {
        Ok(options) => options,
        Err(error) => return with_error(error, item),
    };
    let function: LenientFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            return with_error(
                syn::Error::new(
                    crate::common::item_head_span(&item),
                    "#[handler] applies to an `async fn` that takes a `Context` (or a helper fn taking `&Context`)",
                ),
                item,
            );
        }
    };
    match expand(options, function) {
        Ok(tokens) => tokens,
        Err(error) => with_error(error, item),
    }
}

/// The key-list type the bounds are stated on.
enum ListType {
    /// `Context` without arguments: a fresh parameter `P` is added.
    Fresh(Ident),
    /// `Context<Q>` where `Q` is the function's own type parameter.
    Existing(Ident),
    /// `Context<(User, ())>`: a concrete list, nothing to add.
    Concrete,
}

fn expand(options: KeyOptions, mut function: LenientFn) -> syn::Result<TokenStream> {
    let KeyOptions {
        requires,
        uses,
        names,
        ..
    } = options;
    let krate = names.krate();
    let sig = &function.sig;
    let mut contexts = Vec::new();
    for input in &sig.inputs {
        if let FnArg::Typed(typed) = input
            && let Some((mode, segment)) = names.context(&typed.ty)
        {
            contexts.push((mode, segment.clone()));
        }
    }
    if contexts.is_empty() {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            "#[handler] needs a context parameter of type `baton::Context`: `ctx: Context` for a handler, `ctx: &Context` for a helper (for an alias, `use baton::Context as Ctx`, write `#[handler(context = Ctx)]`)",
        ));
    }
    if sig.asyncness.is_none() && contexts.iter().any(|(mode, _)| *mode == CtxMode::Owned) {
        return Err(syn::Error::new(
            sig.fn_token.span,
            format!(
                "handler `{}` must be an `async fn`: write `async fn {}(ctx: Context) -> impl IntoResponse`",
                sig.ident, sig.ident
            ),
        ));
    }

    let list = match contexts
        .iter()
        .find_map(|(_, segment)| match &segment.arguments {
            PathArguments::None => None,
            other => Some(other.clone()),
        }) {
        None => ListType::Fresh(fresh_param(&sig.generics, "P", sig.ident.span())),
        Some(PathArguments::AngleBracketed(args)) => match args.args.first() {
            Some(GenericArgument::Type(Type::Path(path)))
                if args.args.len() == 1
                    && path.qself.is_none()
                    && path.path.get_ident().is_some_and(|ident| {
                        sig.generics
                            .type_params()
                            .any(|param| param.ident == *ident)
                    }) =>
            {
                ListType::Existing(path.path.get_ident().cloned().expect("checked above"))
            }
            _ => ListType::Concrete,
        },
        Some(other) => {
            return Err(syn::Error::new(
                other.span(),
                "expected `Context` or `Context<P>`",
            ));
        }
    };

    let list_ident = match &list {
        ListType::Fresh(ident) | ListType::Existing(ident) => ident.clone(),
        ListType::Concrete => return Ok(quote!(#function)),
    };

    let reads = scan_body(&function.body, &names.context_bindings(&sig.inputs));
    // The bounds, as trait bounds on the key list: `::baton::Has<User>`, `user_name`, ...
    // Each with the span of what it came from: `Spanned::span` on tokens walks them every call.
    let mut bounds: Vec<(proc_macro2::Span, TokenStream)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    // A listed key must be a key: said at the attribute, not later at the route.
    let key_checks: Vec<(proc_macro2::Span, TokenStream)> = requires
        .iter()
        .map(|key| {
            let span = key.span();
            let private = names.private_at(span);
            (span, quote_spanned!(span=> #private::IsKey<#key>))
        })
        .collect();
    let required = requires.into_iter().map(|key| {
        let (text, span) = (crate::scan::type_text(&key), key.span());
        (key, Access::Read, text, span)
    });
    let read = reads
        .found
        .into_iter()
        .map(|read| (read.key(), read.access, read.text, read.span));
    for (key, access, text, span) in required.chain(read) {
        let text = format!("{access:?}{text}");
        if seen.contains(&text) {
            continue;
        }
        seen.push(text);
        let krate = names.krate_at(span);
        bounds.push((
            span,
            match access {
                Access::Read => quote_spanned!(span=> #krate::Has<#key>),
                Access::Replace => quote_spanned!(span=> #krate::Position<#key>),
            },
        ));
    }
    for helper in &uses {
        let span = helper.span();
        bounds.push((span, quote_spanned!(span=> #helper)));
    }
    let bound_tokens: Vec<&TokenStream> = bounds.iter().map(|(_, bound)| bound).collect();

    // A helper (a free, non-generic fn borrowing the context) also gets a trait of the same name (in the
    // type namespace) that stands for its bounds, so callers inherit them with `uses = name`. Handlers
    // taking the context by value get none: they may be associated fns of an impl block, where a trait
    // cannot be declared (and a handler consumes its context, so it is rarely called by another).
    let exported = matches!(list, ListType::Fresh(_))
        && sig.generics.params.is_empty()
        && !contexts.iter().any(|(mode, _)| *mode == CtxMode::Owned)
        && !sig
            .inputs
            .iter()
            .any(|input| matches!(input, FnArg::Receiver(_)));
    let requirement_trait = exported.then(|| {
        let name = &sig.ident;
        let vis = &function.vis;
        let cfgs = function
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr"));
        let cfgs: Vec<_> = cfgs.collect();
        quote_spanned! {name.span()=>
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code)]
            #vis trait #name: #krate::KeyList #(+ #bound_tokens)* {}
            #(#cfgs)*
            impl<#list_ident: #krate::KeyList #(+ #bound_tokens)*> #name for #list_ident {}
        }
    });

    // A handler (context by value) with a fresh list is generic over a *non-empty* list `(H, T)`: a
    // plain `Context` handler also mounts on any route that provides keys, and a list that could be
    // `()` would make the two readings of `get(handler)` ambiguous. A handler that reads nothing
    // stays plain, so it mounts everywhere, the empty root router included.
    let owned = contexts.iter().any(|(mode, _)| *mode == CtxMode::Owned);
    let pair = match &list {
        ListType::Fresh(_) if owned && bounds.is_empty() && key_checks.is_empty() => {
            if sig.asyncness.is_some() {
                function
                    .attrs
                    .push(crate::common::allow(quote!(clippy::unused_async)));
            }
            return Ok(quote!(#function));
        }
        ListType::Fresh(_) if owned => Some((
            fresh_param(&sig.generics, "H", sig.ident.span()),
            fresh_param(&sig.generics, "T", sig.ident.span()),
        )),
        _ => None,
    };
    let list_type = match &pair {
        Some((head, tail)) => quote!((#head, #tail)),
        None => quote!(#list_ident),
    };
    // One predicate with every bound, each `+` at its bound's span: a predicate a bound would repeat
    // the list type once a key, which the compiler lowers, resolves and hashes each time.
    let mut predicate = quote!(#list_type: #krate::KeyList);
    for (span, bound) in bounds.iter().chain(&key_checks) {
        predicate.extend(quote_spanned!(*span=> + #bound));
    }
    let predicates = vec![predicate];
    if sig.asyncness.is_some() && contexts.iter().any(|(mode, _)| *mode == CtxMode::Owned) {
        // A handler is async because the router awaits it, whether or not its body awaits.
        function
            .attrs
            .push(crate::common::allow(quote!(clippy::unused_async)));
    }
    if !uses.is_empty() {
        // The helper's trait has the helper's visibility, which may be narrower than this fn's.
        function
            .attrs
            .push(crate::common::allow(quote!(private_bounds)));
    }

    let sig = &mut function.sig;
    if let ListType::Fresh(ident) = &list {
        let (params, args) = match &pair {
            // Each is inserted first, so the tail goes in before the head.
            Some((head, tail)) => (vec![tail.clone(), head.clone()], quote!((#head, #tail))),
            None => (vec![ident.clone()], quote!(#ident)),
        };
        for param in params {
            insert_type_param(&mut sig.generics, GenericParam::Type(param.into()));
        }
        for input in &mut sig.inputs {
            if let FnArg::Typed(typed) = input
                && let Some(segment) = names.context_mut(&mut typed.ty)
            {
                set_args(segment, args.clone());
            }
        }
    }
    function.extra_predicates = predicates;
    Ok(quote!(#function #requirement_trait))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_text(args: TokenStream, item: TokenStream) -> String {
        handler(args, item).to_string()
    }

    #[test]
    fn adds_the_key_list_and_a_bound_per_read() {
        let text = expand_text(
            quote!(),
            quote!(
                async fn show(ctx: Context) -> String {
                    format!("{} {}", ctx.get::<User>().0, ctx.get::<Tenant>().0)
                }
            ),
        );
        assert!(
            text.contains(
                "async fn show < __BatonH , __BatonT > (ctx : Context < (__BatonH , __BatonT) >)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "where (__BatonH , __BatonT) : :: baton :: KeyList + :: baton :: Has < User > + :: baton :: Has < Tenant > {"
            ),
            "{text}"
        );
        // A handler taking the context by value defines no trait (it may sit in an impl block).
        assert!(!text.contains("trait show"), "{text}");
    }

    #[test]
    fn requires_and_uses_become_bounds() {
        let text = expand_text(
            quote!(requires = Session, uses = header),
            quote!(
                async fn page(mut ctx: Context) -> String {
                    header(&ctx).await
                }
            ),
        );
        assert!(
            text.contains(
                "(__BatonH , __BatonT) : :: baton :: KeyList + :: baton :: Has < Session > + header + :: baton :: __private_0_1 :: IsKey < Session > {"
            ),
            "{text}"
        );
    }

    #[test]
    fn crate_option_replaces_the_facade_path() {
        let text = expand_text(
            quote!(crate = "web::baton", requires = Session),
            quote!(
                fn name(ctx: &web::baton::Context) -> String {
                    ctx.get::<User>().0.clone()
                }
            ),
        );
        // Every path into the facade goes through `web::baton`.
        assert_eq!(
            text.matches(":: baton ::").count(),
            text.matches("web :: baton ::").count(),
            "{text}"
        );
        assert!(text.contains("web :: baton :: Has < User >"), "{text}");
        assert!(
            text.contains("web :: baton :: __private_0_1 :: IsKey < Session >"),
            "{text}"
        );
    }

    #[test]
    fn only_reads_on_the_context_parameter_are_bounds() {
        let text = expand_text(
            quote!(),
            quote!(
                async fn show(req: Context, tpl: &tera::Context) -> String {
                    let _ = req.extensions().get::<Peer>();
                    let _ = tpl.get::<Tenant>();
                    req.get::<User>().0.clone()
                }
            ),
        );
        assert!(
            text.contains("(req : Context < (__BatonH , __BatonT) >"),
            "{text}"
        );
        assert!(text.contains("tpl : & tera :: Context)"), "{text}");
        assert!(text.contains("Has < User >"), "{text}");
        assert!(!text.contains("Has < Peer >"), "{text}");
        assert!(!text.contains("Has < Tenant >"), "{text}");
    }

    #[test]
    fn helpers_taking_a_reference_may_be_sync_handlers_may_not() {
        let text = expand_text(
            quote!(),
            quote!(
                fn name(ctx: &Context) -> &str {
                    &ctx.get::<User>().0
                }
            ),
        );
        assert!(
            text.contains("fn name < __BatonP > (ctx : & Context < __BatonP >)"),
            "{text}"
        );
        assert!(
            text.contains("trait name : :: baton :: KeyList + :: baton :: Has < User >"),
            "{text}"
        );
        let text = expand_text(
            quote!(),
            quote!(
                fn show(ctx: Context) -> String {
                    String::new()
                }
            ),
        );
        assert!(text.contains("must be an `async fn`"), "{text}");
        // The original item is kept next to the error.
        assert!(text.contains("fn show (ctx : Context)"), "{text}");
    }
}

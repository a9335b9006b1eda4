//! `#[middleware(provides = .., requires = ..)]`: turns an async fn into a type implementing
//! `baton::Middleware<P>`.
//!
//! Parameters, in order: configuration values (optional), the context, and `next` (around form only).
//!
//! * **around**: `async fn timing(ctx: Context, next: Next) -> Response`. The body hands the context on
//!   with `next.run(ctx)`; `next` is typed with the context *after* the provided keys, so the body cannot
//!   continue without providing them.
//! * **provider**: `async fn current_user(ctx: &Context) -> Result<User, Response>` (or `-> User`): the
//!   returned value(s) are provided, in `provides` order, and the chain continues by itself.
//!
//! Without configuration the fn becomes a unit struct of the same name (`.with(timing)`); with
//! configuration it becomes a struct holding the values and a fn of the same name building it
//! (`.with(database(pool))`). Configuration taken by value is cloned for each request; taken by reference
//! (`pool: &Pool`) it is borrowed from the middleware.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, Pat, PathArguments, ReturnType, Type};

use crate::common::{
    CtxMode, KeyOptions, LenientFn, is_doc_or_cfg, named_segment, parse_options, set_args,
    with_error,
};
use crate::scan::{Access, scan_body, type_text};

pub fn middleware(args: TokenStream, item: TokenStream) -> TokenStream {
    let function: LenientFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            return with_error(
                syn::Error::new(
                    crate::common::item_head_span(&item),
                    "#[middleware] applies to an `async fn`: `async fn name(ctx: Context, next: Next) -> Response` or `async fn name(ctx: &Context) -> Value`",
                ),
                item,
            );
        }
    };
    let result = parse_options(args, "middleware", &["provides", "requires", "uses"])
        .and_then(|options| Middleware::parse(options, function.clone()))
        .map(|middleware| middleware.expand());
    match result {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.into_compile_error();
            let stand_in = stand_in(&function);
            quote!(#error #stand_in)
        }
    }
}

/// How a configuration value reaches the body.
enum Pass {
    /// `max: u32`: stored, cloned for each request.
    Clone,
    /// `pool: &Pool`: stored as `Pool`, borrowed for each request.
    Borrow,
}

struct Config {
    ident: Ident,
    /// The type as the user wrote it (the body's parameter type).
    written: Type,
    /// The type stored in the middleware and taken by the factory.
    stored: Type,
    pass: Pass,
}

enum Form {
    Around { next_ty: Box<Type> },
    Provider { mode: CtxMode },
}

struct Middleware {
    options: KeyOptions,
    function: LenientFn,
    configs: Vec<Config>,
    ctx_ty: Type,
    form: Form,
    /// Bounds beyond `provides`: `requires` and the keys the body reads.
    needs: Vec<(Type, Access)>,
}

fn error<T>(span: Span, message: impl std::fmt::Display) -> syn::Result<T> {
    Err(syn::Error::new(span, message))
}

impl Middleware {
    fn parse(options: KeyOptions, function: LenientFn) -> syn::Result<Self> {
        let sig = &function.sig;
        let name = &sig.ident;
        if sig.asyncness.is_none() {
            return error(
                sig.fn_token.span,
                format!(
                    "middleware `{name}` must be an `async fn`: write `async fn {name}(ctx: Context, next: Next) -> Response` or `async fn {name}(ctx: &Context) -> Value`"
                ),
            );
        }
        if let Some(constness) = &sig.constness {
            return error(constness.span, "a middleware cannot be a `const fn`");
        }
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            return error(
                sig.generics.span(),
                format!(
                    "middleware `{name}` cannot be generic: #[middleware] makes it generic over the route's context itself; take configuration as parameters of concrete types"
                ),
            );
        }
        if let Some(variadic) = &sig.variadic {
            return error(variadic.span(), "a middleware cannot be variadic");
        }

        let mut configs = Vec::new();
        let mut context: Option<(CtxMode, Type, Span)> = None;
        let mut next: Option<Type> = None;
        for input in &sig.inputs {
            let typed = match input {
                FnArg::Receiver(receiver) => {
                    return error(
                        receiver.span(),
                        "#[middleware] applies to a free `async fn`, not a method: remove `self` (configuration goes in parameters before `ctx`)",
                    );
                }
                FnArg::Typed(typed) => typed,
            };
            if next.is_some() {
                return error(
                    typed.span(),
                    "unexpected parameter after `next`: a middleware takes `(configuration.., ctx: Context, next: Next)`",
                );
            }
            if let Some((mode, _, _)) = &context {
                // The parameter after the context must be `next: Next`.
                let Some((next_mode, segment)) = named_segment(&typed.ty, "Next") else {
                    let message = if *mode == CtxMode::Owned {
                        "the parameter after `ctx` must be `next: Next` (baton's `Next`): a middleware takes `(configuration.., ctx: Context, next: Next)`"
                    } else {
                        "unexpected parameter after `ctx`: a provider middleware takes `(configuration.., ctx: &Context)`; configuration goes before `ctx`"
                    };
                    return error(typed.ty.span(), message);
                };
                if next_mode != CtxMode::Owned {
                    return error(
                        typed.ty.span(),
                        "`next` is taken by value: write `next: Next` (running it consumes it, so it runs at most once)",
                    );
                }
                if !segment.arguments.is_none() {
                    return error(
                        segment.arguments.span(),
                        "write `Next` without generic arguments: #[middleware] fills them in from `provides`",
                    );
                }
                next = Some((*typed.ty).clone());
                continue;
            }
            if let Some((mode, segment)) = named_segment(&typed.ty, "Context") {
                if !segment.arguments.is_none() {
                    return error(
                        segment.arguments.span(),
                        "write `Context` without generic arguments: #[middleware] makes the middleware generic over the route's context",
                    );
                }
                context = Some((mode, (*typed.ty).clone(), typed.ty.span()));
                continue;
            }
            if named_segment(&typed.ty, "Next").is_some() {
                return error(
                    typed.ty.span(),
                    "`next` comes after the context: write `(ctx: Context, next: Next)`",
                );
            }
            configs.push(config_param(typed)?);
        }

        let Some((mode, ctx_ty, ctx_span)) = context else {
            return error(
                sig.paren_token.span.join(),
                format!(
                    "middleware `{name}` needs the request context: add `ctx: Context, next: Next` (around) or `ctx: &Context` (provider) after its configuration parameters"
                ),
            );
        };
        let form = match next {
            Some(next_ty) => {
                if mode != CtxMode::Owned {
                    return error(
                        ctx_span,
                        "an around middleware takes the context by value, to pass it on: write `ctx: Context` (with `next: Next`)",
                    );
                }
                Form::Around {
                    next_ty: Box::new(next_ty),
                }
            }
            None => {
                if mode == CtxMode::Owned {
                    return error(
                        ctx_span,
                        "a provider middleware (no `next` parameter) borrows the context: write `ctx: &Context` (or `&mut Context`); to take it by value, add `next: Next` and call `next.run(ctx)`",
                    );
                }
                check_provider_output(&options, &function)?;
                Form::Provider { mode }
            }
        };

        let provided: Vec<String> = options.provides.iter().map(type_text).collect();
        let mut needs: Vec<(Type, Access)> = options
            .requires
            .iter()
            .map(|key| (key.clone(), Access::Read))
            .collect();
        for (key, access) in scan_body(&function.body).keys {
            let text = type_text(&key);
            if provided.contains(&text)
                || needs
                    .iter()
                    .any(|(seen, seen_access)| *seen_access == access && type_text(seen) == text)
            {
                continue;
            }
            needs.push((key, access));
        }

        Ok(Middleware {
            options,
            function,
            configs,
            ctx_ty,
            form,
            needs,
        })
    }

    fn expand(&self) -> TokenStream {
        let sig = &self.function.sig;
        let name = &sig.ident;
        let vis = &self.function.vis;
        let body = &self.function.body;
        let output = &sig.output;
        let list = Ident::new("P", name.span());
        let rest = Ident::new("Downstream", name.span());
        let public_attrs: Vec<_> = self
            .function
            .attrs
            .iter()
            .filter(|attr| is_doc_or_cfg(attr))
            .collect();
        let cfg_attrs: Vec<_> = self
            .function
            .attrs
            .iter()
            .filter(|attr| !attr.path().is_ident("doc") && is_doc_or_cfg(attr))
            .collect();
        let body_attrs: Vec<_> = self
            .function
            .attrs
            .iter()
            .filter(|attr| !is_doc_or_cfg(attr))
            .collect();

        // The key list after this middleware: `(B, (A, P))` for `provides = A, B`, each key spanned at
        // its `provides` entry so type errors point there.
        let mut out = quote!(#list);
        for key in &self.options.provides {
            out = quote_spanned!(key.span()=> (#key, #out));
        }

        let mut predicates = vec![quote!(#list: ::baton::KeyList)];
        for key in &self.options.provides {
            predicates.push(quote_spanned!(key.span()=> #list: ::baton::Lacks<#key>));
        }
        for (key, access) in &self.needs {
            predicates.push(match access {
                Access::Read => quote_spanned!(key.span()=> #list: ::baton::Has<#key>),
                Access::Replace => quote_spanned!(key.span()=> #list: ::baton::Position<#key>),
            });
        }
        for helper in &self.options.uses {
            predicates.push(quote_spanned!(helper.span()=> #list: #helper));
        }
        // A listed key must be a key: said at the attribute, not later at the route.
        for key in &self.options.requires {
            predicates.push(quote_spanned!(key.span()=> #list: ::baton::__private::IsKey<#key>));
        }

        let mut ctx_ty = self.ctx_ty.clone();
        if let Some(segment) = crate::common::named_segment_mut(&mut ctx_ty, "Context") {
            set_args(segment, quote!(#list));
        }

        let config_params = self.configs.iter().map(|config| {
            let ident = &config.ident;
            let written = &config.written;
            quote!(#ident: #written)
        });
        let config_args: Vec<TokenStream> = self
            .configs
            .iter()
            .map(|config| {
                let ident = &config.ident;
                match config.pass {
                    Pass::Clone => quote_spanned!(config.written.span()=>
                        ::core::clone::Clone::clone(&self.#ident)
                    ),
                    Pass::Borrow => quote!(&self.#ident),
                }
            })
            .collect();
        let ctx_pat = self.ctx_pattern();

        let call = match &self.form {
            Form::Around { next_ty } => {
                let mut next_ty = (**next_ty).clone();
                if let Some(segment) = crate::common::named_segment_mut(&mut next_ty, "Next") {
                    set_args(segment, quote!('_, #out, #rest));
                }
                let next_pat = self.next_pattern();
                let respond = response_span(output);
                quote! {
                    #(#body_attrs)*
                    // `async` is required by the macro; long key lists make long `Next` types.
                    #[allow(clippy::too_many_arguments, clippy::type_complexity, clippy::unused_async)]
                    async fn #name<#list, #rest>(#(#config_params,)* #ctx_pat: #ctx_ty, #next_pat: #next_ty) #output
                    where
                        #(#predicates,)*
                        #rest: ::baton::Endpoint<#out>,
                    #body

                    let response = #name::<#list, #rest>(#(#config_args,)* ctx, next).await;
                    #respond
                }
            }
            Form::Provider { mode } => {
                let borrow = match mode {
                    CtxMode::Mut => quote!(&mut ctx),
                    _ => quote!(&ctx),
                };
                let continue_chain = self.provide_values();
                quote! {
                    #(#body_attrs)*
                    // `async` is required by the macro; long key lists make long `Next` types.
                    #[allow(clippy::too_many_arguments, clippy::type_complexity, clippy::unused_async)]
                    async fn #name<#list>(#(#config_params,)* #ctx_pat: #ctx_ty) #output
                    where
                        #(#predicates,)*
                    #body

                    #[allow(unused_mut)]
                    let mut ctx = ctx;
                    let values = #name::<#list>(#(#config_args,)* #borrow).await;
                    #continue_chain
                }
            }
        };

        // The impl header is spanned at the fn name: "required for `name` to implement `Middleware<..>`"
        // then points at the fn, and each bound at the key that introduced it.
        let header = quote_spanned!(name.span()=> impl<#list> ::baton::Middleware<#list> for #name);
        let allow_private_bounds =
            (!self.options.uses.is_empty()).then(|| quote!(#[allow(private_bounds)]));
        let middleware_impl = quote_spanned! {name.span()=>
            #(#cfg_attrs)*
            #allow_private_bounds
            #[allow(clippy::type_complexity)]
            #header
            where
                #(#predicates,)*
            {
                type Out = #out;

                async fn call<#rest: ::baton::Endpoint<Self::Out>>(
                    &self,
                    ctx: ::baton::Context<#list>,
                    next: ::baton::Next<'_, Self::Out, #rest>,
                ) -> ::baton::Response {
                    #call
                }
            }
        };

        if self.configs.is_empty() {
            let unit = quote_spanned! {name.span()=>
                #[allow(non_camel_case_types)]
                #[derive(Clone, Copy, Debug, Default)]
                #vis struct #name;
            };
            quote! {
                #(#public_attrs)*
                #unit

                #middleware_impl
            }
        } else {
            let fields = self.configs.iter().map(|config| {
                let ident = &config.ident;
                let stored = &config.stored;
                quote!(#ident: #stored)
            });
            let factory_params = self.configs.iter().map(|config| {
                let ident = &config.ident;
                let stored = &config.stored;
                quote!(#ident: #stored)
            });
            let field_names = self.configs.iter().map(|config| &config.ident);
            let must_use =
                format!("`{name}(..)` builds a middleware: mount it with `.with({name}(..))`");
            quote! {
                #(#public_attrs)*
                #[allow(non_camel_case_types)]
                #vis struct #name {
                    #(#fields,)*
                }

                #(#public_attrs)*
                #[must_use = #must_use]
                #[allow(clippy::too_many_arguments)]
                #vis fn #name(#(#factory_params),*) -> #name {
                    #name { #(#field_names),* }
                }

                #middleware_impl
            }
        }
    }

    fn ctx_pattern(&self) -> TokenStream {
        self.pattern_of(|ty| named_segment(ty, "Context").is_some())
    }

    fn next_pattern(&self) -> TokenStream {
        self.pattern_of(|ty| named_segment(ty, "Next").is_some())
    }

    fn pattern_of(&self, matches: impl Fn(&Type) -> bool) -> TokenStream {
        for input in &self.function.sig.inputs {
            if let FnArg::Typed(typed) = input
                && matches(&typed.ty)
            {
                let attrs = &typed.attrs;
                let pat = &typed.pat;
                return quote!(#(#attrs)* #pat);
            }
        }
        unreachable!("validated in `parse`")
    }

    /// Provider form: turn the returned `values` into provided keys and run `next`.
    fn provide_values(&self) -> TokenStream {
        let output = ProviderOutput::of(&self.function.sig.output);
        let keys = &self.options.provides;
        let unwrap = match &output.error {
            None => quote!(),
            // A guard (`Result<(), E>`): nothing to bind.
            Some(error_span) if keys.is_empty() => {
                let unit = quote_spanned!(output.value_span(0)=> ::core::result::Result::Ok(()));
                quote_spanned! {*error_span=>
                    match values {
                        #unit => {}
                        ::core::result::Result::Err(error) => {
                            return ::baton::IntoResponse::into_response(error);
                        }
                    }
                }
            }
            Some(error_span) => quote_spanned! {*error_span=>
                let values = match values {
                    ::core::result::Result::Ok(values) => values,
                    ::core::result::Result::Err(error) => {
                        return ::baton::IntoResponse::into_response(error);
                    }
                };
            },
        };
        let provide = match keys.len() {
            0 if output.error.is_some() => quote!(),
            0 => {
                let span = output.value_span(0);
                quote_spanned! {span=>
                    #[allow(clippy::let_unit_value)]
                    let () = values;
                }
            }
            1 => {
                let key = &keys[0];
                let span = output.value_span(0);
                quote_spanned! {span=>
                    let value: <#key as ::baton::ContextKey>::Value = values;
                    let ctx = ctx.provide_as::<#key>(value);
                }
            }
            _ => {
                let names: Vec<Ident> = (0..keys.len())
                    .map(|index| format_ident!("value{}", index))
                    .collect();
                let destructure = quote_spanned! {output.whole_value_span()=>
                    let (#(#names,)*) = values;
                };
                let steps = keys
                    .iter()
                    .zip(&names)
                    .enumerate()
                    .map(|(index, (key, value))| {
                        let span = output.value_span(index);
                        quote_spanned! {span=>
                            let #value: <#key as ::baton::ContextKey>::Value = #value;
                            let ctx = ctx.provide_as::<#key>(#value);
                        }
                    });
                quote!(#destructure #(#steps)*)
            }
        };
        quote! {
            #unwrap
            #provide
            next.run(ctx).await
        }
    }
}

/// `into_response` spanned at the return type, so a non-response return type is reported there.
fn response_span(output: &ReturnType) -> TokenStream {
    let span = match output {
        ReturnType::Default => Span::call_site(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    quote_spanned!(span=> ::baton::IntoResponse::into_response(response))
}

/// The spans of a provider's declared value(s) and error type.
struct ProviderOutput {
    /// The value type (`V` of `Result<V, E>`, or the whole return type).
    value: Option<Type>,
    /// The span of `E` when the provider is fallible.
    error: Option<Span>,
    whole: Span,
}

impl ProviderOutput {
    fn of(output: &ReturnType) -> Self {
        let ty = match output {
            ReturnType::Default => {
                return ProviderOutput {
                    value: None,
                    error: None,
                    whole: Span::call_site(),
                };
            }
            ReturnType::Type(_, ty) => ty,
        };
        if let Some((args, segment)) = result_args(ty) {
            let mut types = args.into_iter();
            let value = types.next();
            let error = types.next().map(|ty| ty.span()).unwrap_or(segment);
            return ProviderOutput {
                value,
                error: Some(error),
                whole: ty.span(),
            };
        }
        ProviderOutput {
            value: Some((**ty).clone()),
            error: None,
            whole: ty.span(),
        }
    }

    fn whole_value_span(&self) -> Span {
        self.value.as_ref().map_or(self.whole, Spanned::span)
    }

    /// The span of the `index`th provided value in the declared return type.
    fn value_span(&self, index: usize) -> Span {
        match &self.value {
            Some(Type::Tuple(tuple)) => tuple
                .elems
                .iter()
                .nth(index)
                .map_or(tuple.span(), Spanned::span),
            Some(other) => other.span(),
            None => self.whole,
        }
    }
}

/// The type arguments of a return type spelled `Result<..>` (any path ending in `Result`).
fn result_args(ty: &Type) -> Option<(Vec<Type>, Span)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let types = match &last.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((types, last.ident.span()))
}

fn check_provider_output(options: &KeyOptions, function: &LenientFn) -> syn::Result<()> {
    let sig = &function.sig;
    let keys = &options.provides;
    let shape = match keys.len() {
        0 => "()".to_string(),
        1 => type_text(&keys[0]),
        _ => format!(
            "({})",
            keys.iter().map(type_text).collect::<Vec<_>>().join(", ")
        ),
    };
    match &sig.output {
        ReturnType::Default if !keys.is_empty() => error(
            sig.paren_token.span.close(),
            format!(
                "provider `{}` must return what it provides: `-> {shape}` or `-> Result<{shape}, Response>` (for a marker key, its value type)",
                sig.ident
            ),
        ),
        ReturnType::Type(_, ty) if matches!(**ty, Type::ImplTrait(_)) => error(
            ty.span(),
            format!(
                "a provider must name the type it returns: `-> {shape}` or `-> Result<{shape}, Response>`"
            ),
        ),
        _ => Ok(()),
    }
}

fn config_param(typed: &syn::PatType) -> syn::Result<Config> {
    let ident = match &*typed.pat {
        Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
        other => {
            return error(
                other.span(),
                "a configuration parameter must be a plain name (`pool: Pool`); patterns are not supported here",
            );
        }
    };
    let written = (*typed.ty).clone();
    let (stored, pass) = match &written {
        Type::ImplTrait(_) => {
            return error(
                written.span(),
                "a configuration parameter needs a concrete type (the middleware stores it): name the type instead of `impl Trait`",
            );
        }
        Type::Reference(reference) if reference.mutability.is_some() => {
            return error(
                written.span(),
                "a configuration parameter cannot be `&mut`: one middleware value serves every request; use a `Mutex` or an atomic inside it",
            );
        }
        Type::Reference(reference) if reference.lifetime.is_none() => match &*reference.elem {
            Type::Path(path)
                if !path.path.is_ident("str") && path.path.segments.last().is_some() =>
            {
                ((*reference.elem).clone(), Pass::Borrow)
            }
            _ => {
                return error(
                    written.span(),
                    "a borrowed configuration parameter must name a sized type (`config: &Config`): take `String`, `Vec<T>`, `Arc<dyn Trait>` or a `&'static` reference instead",
                );
            }
        },
        Type::Reference(reference)
            if reference
                .lifetime
                .as_ref()
                .is_some_and(|l| l.ident != "static") =>
        {
            return error(
                written.span(),
                "a configuration parameter must be owned or `&'static`: the middleware stores it for every request",
            );
        }
        _ => (written.clone(), Pass::Clone),
    };
    Ok(Config {
        ident,
        written,
        stored,
        pass,
    })
}

/// What is emitted next to a macro error: a stand-in with the same name that mounts anywhere, so the
/// error above is the only one (a `.with(name)` elsewhere does not add "cannot find value").
fn stand_in(function: &LenientFn) -> TokenStream {
    let name = &function.sig.ident;
    let vis = &function.vis;
    let configs: Vec<(Ident, Type)> = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed)
                if named_segment(&typed.ty, "Context").is_none()
                    && named_segment(&typed.ty, "Next").is_none() =>
            {
                let ident = match &*typed.pat {
                    Pat::Ident(pat) => pat.ident.clone(),
                    _ => return None,
                };
                Some((ident, (*typed.ty).clone()))
            }
            _ => None,
        })
        .collect();
    let impl_ = quote! {
        impl<P: ::baton::KeyList> ::baton::Middleware<P> for #name {
            type Out = P;
            async fn call<E: ::baton::Endpoint<P>>(
                &self,
                ctx: ::baton::Context<P>,
                next: ::baton::Next<'_, P, E>,
            ) -> ::baton::Response {
                next.run(ctx).await
            }
        }
    };
    // Mention the signature's types, so the imports they use are not reported unused on top of the error.
    let mentioned = function.sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(typed)
            if named_segment(&typed.ty, "Next").is_none()
                && named_segment(&typed.ty, "Context")
                    .is_none_or(|(_, segment)| segment.arguments.is_none()) =>
        {
            Some((*typed.ty).clone())
        }
        _ => None,
    });
    let returned = match &function.sig.output {
        ReturnType::Type(_, ty) if !matches!(**ty, Type::ImplTrait(_)) => Some(ty),
        _ => None,
    };
    let returned = returned.into_iter();
    let uses = format_ident!("__baton_types_of_{}", name);
    let impl_ = quote! {
        #impl_
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn #uses(#(_: #mentioned,)* #(_: ::core::marker::PhantomData<#returned>)*) {}
    };
    if configs.is_empty() {
        quote! {
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name;
            #impl_
        }
    } else {
        let params = configs.iter().map(|(ident, ty)| quote!(#ident: #ty));
        let idents = configs.iter().map(|(ident, _)| ident);
        quote! {
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name {}
            #[allow(unused_variables, dead_code)]
            #vis fn #name(#(#params),*) -> #name {
                #(let _ = #idents;)*
                #name {}
            }
            #impl_
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_text(args: TokenStream, item: TokenStream) -> String {
        middleware(args, item).to_string()
    }

    #[test]
    fn around_form_outputs_the_provided_keys_in_order() {
        let text = expand_text(
            quote!(provides = A, B),
            quote!(
                async fn ab(ctx: Context, next: Next) -> Response {
                    next.run(ctx.provide(A).provide(B)).await
                }
            ),
        );
        assert!(text.contains("struct ab ;"), "{text}");
        assert!(text.contains("type Out = (B , (A , P))"), "{text}");
        assert!(text.contains("P : :: baton :: Lacks < A >"), "{text}");
        assert!(
            text.contains("next : Next < '_ , (B , (A , P)) , Downstream >"),
            "{text}"
        );
    }

    #[test]
    fn provider_form_with_configuration_builds_a_factory() {
        let text = expand_text(
            quote!(provides = Database),
            quote!(
                async fn database(
                    pool: Pool,
                    limits: &Limits,
                    ctx: &Context,
                ) -> Result<Pool, Response> {
                    let _ = ctx.get::<Tenant>();
                    Ok(pool)
                }
            ),
        );
        assert!(
            text.contains("struct database { pool : Pool , limits : Limits , }"),
            "{text}"
        );
        assert!(
            text.contains("fn database (pool : Pool , limits : Limits) -> database"),
            "{text}"
        );
        assert!(text.contains("P : :: baton :: Has < Tenant >"), "{text}");
        assert!(
            text.contains(":: core :: clone :: Clone :: clone (& self . pool)"),
            "{text}"
        );
        assert!(text.contains("& self . limits"), "{text}");
    }

    #[test]
    fn rejects_misshapen_signatures() {
        let cases = [
            (
                quote!(
                    fn f(ctx: &Context) -> u8 {
                        0
                    }
                ),
                "must be an `async fn`",
            ),
            (
                quote!(
                    async fn f(x: u8) -> u8 {
                        x
                    }
                ),
                "needs the request context",
            ),
            (
                quote!(
                    async fn f(ctx: Context, next: String) -> Response {
                        todo!()
                    }
                ),
                "must be `next: Next`",
            ),
            (
                quote!(
                    async fn f(ctx: &Context, next: Next) -> Response {
                        todo!()
                    }
                ),
                "takes the context by value",
            ),
            (
                quote!(
                    async fn f(ctx: Context) -> u8 {
                        0
                    }
                ),
                "borrows the context",
            ),
            (
                quote!(
                    async fn f<T>(ctx: &Context) -> u8 {
                        0
                    }
                ),
                "cannot be generic",
            ),
            (
                quote!(
                    async fn f(next: Next, ctx: Context) -> Response {
                        todo!()
                    }
                ),
                "`next` comes after the context",
            ),
            (
                quote!(
                    async fn f(x: &mut u8, ctx: &Context) -> u8 {
                        0
                    }
                ),
                "cannot be `&mut`",
            ),
            (
                quote!(
                    async fn f(ctx: &Context) {}
                ),
                "must return what it provides",
            ),
        ];
        for (item, message) in cases {
            let text = expand_text(quote!(provides = K), item);
            assert!(text.contains(message), "expected {message:?} in {text}");
        }
    }
}

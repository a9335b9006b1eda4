//! Code generation from the [`Middleware`] model: the struct (or factory) and its `Middleware` impl.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, PathArguments, ReturnType, Type};

use super::{Form, Middleware, Pass};
use crate::common::{CtxMode, fresh_param, is_doc_or_cfg, set_args};
use crate::params::Names;
use crate::scan::Access;

/// A local variable of the generated code. The `__baton_` prefix keeps it apart from the user's names
/// (a unit struct or const named `values` or `response` in scope would otherwise be matched as a
/// pattern); plain spans, not mixed-site ones, so rustc still offers its fix-its on the user's tokens.
fn local(name: &str) -> Ident {
    local_at(name, Span::call_site())
}

/// [`local`] reported at `span`: type errors in the statement then point at the user's tokens.
fn local_at(name: &str, span: Span) -> Ident {
    Ident::new(&format!("__baton_{name}"), span)
}

impl Middleware {
    pub(super) fn expand(&self) -> TokenStream {
        let sig = &self.function.sig;
        let name = &sig.ident;
        let vis = &self.function.vis;
        let body = &self.function.body;
        let output = &sig.output;
        let names = &self.options.names;
        let krate = names.krate();
        // Fresh names: a user type `P` or `Downstream` used in the body must stay the user's.
        let list = fresh_param(&sig.generics, "P", name.span());
        let rest = fresh_param(&sig.generics, "Downstream", name.span());
        let (ctx, next, response, values) = (
            local("ctx"),
            local("next"),
            local("response"),
            local("values"),
        );
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

        let mut predicates = vec![quote!(#list: #krate::KeyList)];
        // Each proof the middleware rests on, as `<P as Has<K>>::Proof` (`()` where it holds): the
        // output list is gated on them below.
        let mut proofs = Vec::new();
        for key in &self.options.provides {
            let krate = names.krate_at(key.span());
            predicates.push(quote_spanned!(key.span()=> #list: #krate::Lacks<#key>));
            proofs.push(quote_spanned!(key.span()=> <#list as #krate::Lacks<#key>>::Proof));
        }
        for (key, access) in &self.needs {
            let krate = names.krate_at(key.span());
            let proof = match access {
                Access::Read => quote_spanned!(key.span()=> #krate::Has),
                Access::Replace => quote_spanned!(key.span()=> #krate::Position),
            };
            predicates.push(quote_spanned!(key.span()=> #list: #proof<#key>));
            proofs.push(quote_spanned!(key.span()=> <#list as #proof<#key>>::Proof));
        }
        // `type Out = <Proof as Also<..>>::Out`: the output list where every proof holds (plain `#out`
        // inside the impl and in generic code, as every proof type is bounded by `Unit`), and no type
        // where one fails, so a refused `.with(..)` is reported once and the router calls after it
        // raise nothing more.
        let mut gated_out = out.clone();
        for proof in proofs.iter().rev() {
            gated_out = quote!(<#proof as #krate::Also<#gated_out>>::Out);
        }
        for helper in &self.options.uses {
            predicates.push(quote_spanned!(helper.span()=> #list: #helper));
        }
        // A listed key must be a key: said at the attribute, not later at the route.
        for key in &self.options.requires {
            let private = names.private_at(key.span());
            predicates.push(quote_spanned!(key.span()=> #list: #private::IsKey<#key>));
        }

        let mut ctx_ty = self.ctx_ty.clone();
        if let Some(segment) = names.context_mut(&mut ctx_ty) {
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
                if let Some(segment) = names.next_mut(&mut next_ty) {
                    set_args(segment, quote!('_, #out, #rest));
                }
                let next_pat = self.next_pattern();
                let respond = response_span(output, names, &response);
                quote! {
                    #(#body_attrs)*
                    // `async` is required by the macro; long key lists make long `Next` types.
                    #[allow(clippy::too_many_arguments, clippy::type_complexity, clippy::unused_async)]
                    async fn #name<#list, #rest>(#(#config_params,)* #ctx_pat: #ctx_ty, #next_pat: #next_ty) #output
                    where
                        #(#predicates,)*
                        #rest: #krate::Endpoint<#out>,
                    #body

                    let #response = #name::<#list, #rest>(#(#config_args,)* #ctx, #next).await;
                    #respond
                }
            }
            Form::Provider { mode } => {
                let borrow = match mode {
                    CtxMode::Mut => quote!(&mut #ctx),
                    _ => quote!(&#ctx),
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
                    let mut #ctx = #ctx;
                    let #values = #name::<#list>(#(#config_args,)* #borrow).await;
                    #continue_chain
                }
            }
        };

        // The impl header is spanned at the fn name: "required for `name` to implement `Middleware<..>`"
        // then points at the fn, and each bound at the key that introduced it.
        let header_krate = names.krate_at(name.span());
        let header =
            quote_spanned!(name.span()=> impl<#list> #header_krate::Middleware<#list> for #name);
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
                type Out = #gated_out;

                async fn call<#rest: #krate::Endpoint<Self::Out>>(
                    &self,
                    #ctx: #krate::Context<#list>,
                    #next: #krate::Next<'_, Self::Out, #rest>,
                ) -> #krate::Response {
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
        let names = &self.options.names;
        self.pattern_of(|ty| names.context(ty).is_some())
    }

    fn next_pattern(&self) -> TokenStream {
        let names = &self.options.names;
        self.pattern_of(|ty| names.next(ty).is_some())
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
        let facade = &self.options.names;
        let output = ProviderOutput::of(&self.function.sig.output);
        let keys = &self.options.provides;
        let (ctx, next) = (local("ctx"), local("next"));
        let unwrap = match &output.error {
            None => quote!(),
            // A guard (`Result<(), E>`): nothing to bind.
            Some(error_span) if keys.is_empty() => {
                let (values, error) = (
                    local_at("values", *error_span),
                    local_at("error", *error_span),
                );
                let krate = facade.krate_at(*error_span);
                let unit = quote_spanned!(output.value_span(0)=> ::core::result::Result::Ok(()));
                // `identity(#values)` moves the result into a temporary that ends with this statement: a
                // local matched in place stays alive to the end of the block, which here is across
                // the rest of the chain (the `Err` side alone is a whole `Response` per middleware).
                quote_spanned! {*error_span=>
                    match ::core::convert::identity(#values) {
                        #unit => {}
                        ::core::result::Result::Err(#error) => {
                            return #krate::IntoResponse::into_response(#error);
                        }
                    }
                }
            }
            Some(error_span) => {
                let (values, error) = (
                    local_at("values", *error_span),
                    local_at("error", *error_span),
                );
                let krate = facade.krate_at(*error_span);
                quote_spanned! {*error_span=>
                let #values = match ::core::convert::identity(#values) {
                    ::core::result::Result::Ok(#values) => #values,
                    ::core::result::Result::Err(#error) => {
                        return #krate::IntoResponse::into_response(#error);
                    }
                };
                }
            }
        };
        let provide = match keys.len() {
            0 if output.error.is_some() => quote!(),
            0 => {
                let span = output.value_span(0);
                let values = local_at("values", span);
                quote_spanned! {span=>
                    #[allow(clippy::let_unit_value)]
                    let () = #values;
                }
            }
            1 => {
                let key = &keys[0];
                let span = output.value_span(0);
                let (ctx, values, value) = (
                    local_at("ctx", span),
                    local_at("values", span),
                    local_at("value", span),
                );
                let krate = facade.krate_at(span);
                quote_spanned! {span=>
                    let #value: <#key as #krate::ContextKey>::Value = #values;
                    let #ctx = #ctx.provide_as::<#key>(#value);
                }
            }
            _ => {
                let names: Vec<Ident> = (0..keys.len())
                    .map(|index| local_at(&format!("value{index}"), output.value_span(index)))
                    .collect();
                let values = local_at("values", output.whole_value_span());
                let destructure = quote_spanned! {output.whole_value_span()=>
                    let (#(#names,)*) = #values;
                };
                let steps = keys
                    .iter()
                    .zip(&names)
                    .enumerate()
                    .map(|(index, (key, value))| {
                        let span = output.value_span(index);
                        let ctx = local_at("ctx", span);
                        let krate = facade.krate_at(span);
                        quote_spanned! {span=>
                            let #value: <#key as #krate::ContextKey>::Value = #value;
                            let #ctx = #ctx.provide_as::<#key>(#value);
                        }
                    });
                quote!(#destructure #(#steps)*)
            }
        };
        quote! {
            #unwrap
            #provide
            #next.run(#ctx).await
        }
    }
}

/// `into_response` spanned at the return type, so a non-response return type is reported there.
fn response_span(output: &ReturnType, names: &Names, response: &Ident) -> TokenStream {
    let span = match output {
        ReturnType::Default => Span::call_site(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let krate = names.krate_at(span);
    let response = Ident::new(&response.to_string(), span);
    quote_spanned!(span=> #krate::IntoResponse::into_response(#response))
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

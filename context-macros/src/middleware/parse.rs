//! Signature analysis: validates the attributed fn and reduces it to the [`Middleware`] model.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, Pat, ReturnType, Type};

use super::{Config, Form, Middleware, Pass};
use crate::common::{CtxMode, KeyOptions, LenientFn};
use crate::scan::{Access, key_name, scan_body, type_text};

fn error<T>(span: Span, message: impl std::fmt::Display) -> syn::Result<T> {
    Err(syn::Error::new(span, message))
}

impl Middleware {
    pub(super) fn parse(options: KeyOptions, function: LenientFn) -> syn::Result<Self> {
        let sig = &function.sig;
        let name = &sig.ident;
        let names = &options.names;
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
                let Some((next_mode, segment)) = names.next(&typed.ty) else {
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
            if let Some((mode, segment)) = names.context(&typed.ty) {
                if !segment.arguments.is_none() {
                    return error(
                        segment.arguments.span(),
                        "write `Context` without generic arguments: #[middleware] makes the middleware generic over the route's context",
                    );
                }
                context = Some((mode, (*typed.ty).clone(), typed.ty.span()));
                continue;
            }
            if names.next(&typed.ty).is_some() {
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
                    "middleware `{name}` needs the request context: add `ctx: Context, next: Next` (around) or `ctx: &Context` (provider) after its configuration parameters (for an alias, `use baton::Context as Ctx`, write `context = Ctx` in #[middleware(..)])"
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

        // A read of a key this middleware provides is a read after providing it, not a requirement:
        // `provides = keys::User` and `ctx.get::<User>()` name one key.
        let provided: Vec<String> = options.provides.iter().map(key_name).collect();
        let mut needs: Vec<(Type, Access)> = options
            .requires
            .iter()
            .map(|key| (key.clone(), Access::Read))
            .collect();
        // Each needed key's name, computed once: a key read in the body is kept as its tokens and
        // parsed to be named.
        let mut needed: Vec<(String, Access)> = needs
            .iter()
            .map(|(key, access)| (key_name(key), *access))
            .collect();
        let contexts = names.context_bindings(&sig.inputs);
        for read in scan_body(&function.body, &contexts).found {
            let (key, access) = (read.key(), read.access);
            let name = key_name(&key);
            if provided.contains(&name) || needed.contains(&(name.clone(), access)) {
                continue;
            }
            needed.push((name, access));
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

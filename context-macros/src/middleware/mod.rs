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

mod emit;
mod parse;
mod stand_in;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Type};

use crate::common::{CtxMode, KeyOptions, LenientFn, parse_options, with_error};
use crate::params::Names;
use crate::scan::Access;
use stand_in::stand_in;

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
    let allowed = ["provides", "requires", "uses", "context", "crate"];
    let options = match parse_options(args, "middleware", &allowed) {
        Ok(options) => options,
        Err(error) => {
            let error = error.into_compile_error();
            let stand_in = stand_in(&function, &Names::default());
            return quote!(#error #stand_in);
        }
    };
    let names = options.names.clone();
    match Middleware::parse(options, function.clone()) {
        Ok(middleware) => middleware.expand(),
        Err(error) => {
            let error = error.into_compile_error();
            let stand_in = stand_in(&function, &names);
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
        // The output list, gated on the proofs that `A` and `B` are not provided yet.
        assert!(
            text.contains(
                "type Out = < < __BatonP as :: baton :: Lacks < A >> :: Proof as :: baton :: Also <"
            ),
            "{text}"
        );
        assert!(
            text.contains("__BatonP : :: baton :: Lacks < A >"),
            "{text}"
        );
        assert!(
            text.contains("next : Next < '_ , (B , (A , __BatonP)) , __BatonDownstream >"),
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
        assert!(
            text.contains("__BatonP : :: baton :: Has < Tenant >"),
            "{text}"
        );
        assert!(
            text.contains(":: core :: clone :: Clone :: clone (& self . pool)"),
            "{text}"
        );
        assert!(text.contains("& self . limits"), "{text}");
    }

    #[test]
    fn a_read_of_a_provided_key_is_not_a_requirement_however_spelled() {
        let text = expand_text(
            quote!(provides = keys::User, crate = "web::baton"),
            quote!(
                async fn user(
                    tpl: tera::Context,
                    ctx: web::baton::Context,
                    next: Next,
                ) -> Response {
                    let ctx = ctx.provide(User(tpl.name()));
                    let _ = ctx.get::<User>();
                    next.run(ctx).await
                }
            ),
        );
        assert!(text.contains("Lacks < keys :: User >"), "{text}");
        assert!(!text.contains("Has < User >"), "{text}");
        // Every path into the facade goes through `web::baton`.
        assert_eq!(
            text.matches(":: baton ::").count(),
            text.matches("web :: baton ::").count(),
            "{text}"
        );
        // `tera::Context` is configuration, not the request context.
        assert!(
            text.contains("struct user { tpl : tera :: Context"),
            "{text}"
        );
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

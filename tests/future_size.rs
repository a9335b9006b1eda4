//! The future a middleware adds to a request stays small: each middleware's future holds the rest of
//! the chain's, so bytes a middleware keeps across `next` are paid once per middleware on every
//! request (moved into the request's box, copied on each move). A provider that kept its
//! `Result<_, Response>` alive across the rest of the chain added ~190 bytes a middleware.

use baton::{
    Context, Endpoint, IntoResponse, KeyList, Lacks, Middleware, Next, Provider,
    ProviderMiddleware, Response, StatusCode, context_key, middleware,
};
use std::future::Future;

#[context_key]
// Read by no handler here: the futures are only measured.
#[allow(dead_code)]
struct User {
    id: u64,
    name: String,
}

/// The end of the chain: a future of a known, large size.
struct Ballast;

impl<P: KeyList> Endpoint<P> for Ballast {
    fn call(&self, _ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        let ballast = [0u8; 512];
        async move {
            tokio::task::yield_now().await;
            (StatusCode::OK, format!("{}", ballast[0])).into_response()
        }
    }
}

/// What a middleware adds on top of the rest of the chain's future.
fn overhead<M: Middleware<()>>(middleware: &M) -> usize
where
    Ballast: Endpoint<M::Out>,
{
    // The ballast's future does not depend on the key list: measured on the empty one.
    let rest = std::mem::size_of_val(&<Ballast as Endpoint<()>>::call(
        &Ballast,
        Context::default(),
    ));
    let future = middleware.call(Context::default(), Next::new(&Ballast));
    std::mem::size_of_val(&future) - rest
}

struct Lookup;

impl<P: KeyList + Lacks<User>> Provider<P> for Lookup {
    type Provides = User;
    async fn provide(&self, _ctx: &Context<P>) -> Result<User, Response> {
        Ok(User {
            id: 1,
            name: "ada".into(),
        })
    }
}

#[middleware(provides = User)]
async fn user_or_401(ctx: &Context) -> Result<User, Response> {
    match ctx.headers().get("authorization") {
        Some(_) => Ok(User {
            id: 1,
            name: "ada".into(),
        }),
        None => Err(StatusCode::UNAUTHORIZED.into_response()),
    }
}

#[middleware(provides = User)]
async fn around(ctx: Context, next: Next) -> Response {
    let user = User {
        id: 2,
        name: "bob".into(),
    };
    next.run(ctx.provide(user)).await
}

#[middleware]
async fn only_with_header(ctx: &Context) -> Result<(), StatusCode> {
    match ctx.headers().contains_key("x-allowed") {
        true => Ok(()),
        false => Err(StatusCode::FORBIDDEN),
    }
}

const BAR: usize = 96;

#[test]
fn a_macro_guard_keeps_little_across_the_rest_of_the_chain() {
    let added = overhead(&only_with_header);
    assert!(added <= BAR, "#[middleware] guard adds {added} bytes");
}

#[test]
fn a_provider_middleware_keeps_little_across_the_rest_of_the_chain() {
    let added = overhead(&ProviderMiddleware(Lookup));
    assert!(added <= BAR, "ProviderMiddleware adds {added} bytes");
}

#[test]
fn a_macro_provider_with_an_early_response_keeps_little_across_the_rest_of_the_chain() {
    let added = overhead(&user_or_401);
    assert!(added <= BAR, "#[middleware] provider adds {added} bytes");
}

#[test]
fn an_around_middleware_keeps_little_across_the_rest_of_the_chain() {
    let added = overhead(&around);
    assert!(added <= BAR, "#[middleware] around adds {added} bytes");
}

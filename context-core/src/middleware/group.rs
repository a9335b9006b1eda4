//! Middleware groups and conditional middleware.
//!
//! **Groups.** A tuple of middleware is a middleware: `(a, b, c)` runs `a`, then `b`, then `c`, each
//! checked against what the ones before it provide, and provides the union of their keys. A group is
//! an ordinary value, so a function can return one and several routers or scopes can mount it with one
//! `.with(..)` (the seeds' "combining multiple middleware"). Up to 8 in a tuple; nest tuples for more.
//!
//! ```
//! use baton::{Context, Next, Response, Router, context_key, get, handler, middleware};
//!
//! #[context_key]
//! struct RequestId(u64);
//! #[context_key]
//! struct User(String);
//!
//! #[middleware(provides = RequestId)]
//! async fn request_id(_ctx: &Context) -> RequestId {
//!     RequestId(7)
//! }
//!
//! // Reads `RequestId`: inside the group it must come after `request_id`, as on any chain.
//! #[middleware(provides = User)]
//! async fn user(ctx: &Context) -> User {
//!     User(format!("guest-{}", ctx.get::<RequestId>().0))
//! }
//!
//! /// The web stack, mounted as one value.
//! fn web() -> (request_id, user) {
//!     (request_id, user)
//! }
//!
//! #[handler]
//! async fn whoami(ctx: Context) -> String {
//!     format!("{} ({})", ctx.get::<User>().0, ctx.get::<RequestId>().0)
//! }
//!
//! let app = Router::new().with(web()).route("/", get(whoami));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "guest-7 (7)");
//! # });
//! ```
//!
//! **Conditional middleware.** `Option<M>` is a middleware when `M` provides nothing: `None` passes the
//! request straight on (a logger only in development: `.with(dev.then_some(logger))`, or
//! [`Router::with_if`](crate::Router::with_if)). A middleware that provides keys cannot be mounted
//! conditionally: the routes after it would read a key that may be missing. Provide an `Option<V>` under
//! a key instead, and read that.

use super::{Endpoint, Middleware, Next};
use crate::context::Context;
use crate::proof::KeyList;
use crate::response::Response;
use std::future::Future;

/// A middleware of a group in front of the rest of the chain, borrowed for one request.
struct Link<'a, M, E> {
    middleware: &'a M,
    inner: &'a E,
}

impl<'a, M, E> Link<'a, M, E> {
    fn new(middleware: &'a M, inner: &'a E) -> Self {
        Link { middleware, inner }
    }
}

impl<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>> Endpoint<P> for Link<'_, M, E> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        self.middleware.call(ctx, Next::new(self.inner))
    }
}

impl<P: KeyList, A, B> Middleware<P> for (A, B)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
{
    type Out = <B as Middleware<<A as Middleware<P>>::Out>>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b) = self;
            let b = Link::new(b, endpoint);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

impl<P: KeyList, A, B, C> Middleware<P> for (A, B, C)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
    C: Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>,
{
    type Out = <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b, c) = self;
            let c = Link::new(c, endpoint);
            let b = Link::new(b, &c);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

impl<P: KeyList, A, B, C, D> Middleware<P> for (A, B, C, D)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
    C: Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>,
    D: Middleware<<C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out>,
{
    type Out = <D as Middleware<
        <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
    >>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b, c, d) = self;
            let d = Link::new(d, endpoint);
            let c = Link::new(c, &d);
            let b = Link::new(b, &c);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

impl<P: KeyList, A, B, C, D, E> Middleware<P> for (A, B, C, D, E)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
    C: Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>,
    D: Middleware<<C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out>,
    E: Middleware<
        <D as Middleware<
            <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
        >>::Out,
    >,
{
    type Out = <E as Middleware<
        <D as Middleware<
            <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
        >>::Out,
    >>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b, c, d, e) = self;
            let e = Link::new(e, endpoint);
            let d = Link::new(d, &e);
            let c = Link::new(c, &d);
            let b = Link::new(b, &c);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

impl<P: KeyList, A, B, C, D, E, F> Middleware<P> for (A, B, C, D, E, F)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
    C: Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>,
    D: Middleware<<C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out>,
    E: Middleware<
        <D as Middleware<
            <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
        >>::Out,
    >,
    F: Middleware<
        <E as Middleware<
            <D as Middleware<
                <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
            >>::Out,
        >>::Out,
    >,
{
    type Out = <F as Middleware<
        <E as Middleware<
            <D as Middleware<
                <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
            >>::Out,
        >>::Out,
    >>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b, c, d, e, f) = self;
            let f = Link::new(f, endpoint);
            let e = Link::new(e, &f);
            let d = Link::new(d, &e);
            let c = Link::new(c, &d);
            let b = Link::new(b, &c);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

impl<P: KeyList, A, B, C, D, E, F, G> Middleware<P> for (A, B, C, D, E, F, G)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
    C: Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>,
    D: Middleware<<C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out>,
    E: Middleware<
        <D as Middleware<
            <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
        >>::Out,
    >,
    F: Middleware<
        <E as Middleware<
            <D as Middleware<
                <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
            >>::Out,
        >>::Out,
    >,
    G: Middleware<
        <F as Middleware<
            <E as Middleware<
                <D as Middleware<
                    <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
                >>::Out,
            >>::Out,
        >>::Out,
    >,
{
    type Out = <G as Middleware<
        <F as Middleware<
            <E as Middleware<
                <D as Middleware<
                    <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
                >>::Out,
            >>::Out,
        >>::Out,
    >>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b, c, d, e, f, g) = self;
            let g = Link::new(g, endpoint);
            let f = Link::new(f, &g);
            let e = Link::new(e, &f);
            let d = Link::new(d, &e);
            let c = Link::new(c, &d);
            let b = Link::new(b, &c);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

impl<P: KeyList, A, B, C, D, E, F, G, H> Middleware<P> for (A, B, C, D, E, F, G, H)
where
    A: Middleware<P>,
    B: Middleware<<A as Middleware<P>>::Out>,
    C: Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>,
    D: Middleware<<C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out>,
    E: Middleware<
        <D as Middleware<
            <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
        >>::Out,
    >,
    F: Middleware<
        <E as Middleware<
            <D as Middleware<
                <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
            >>::Out,
        >>::Out,
    >,
    G: Middleware<
        <F as Middleware<
            <E as Middleware<
                <D as Middleware<
                    <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
                >>::Out,
            >>::Out,
        >>::Out,
    >,
    H: Middleware<
        <G as Middleware<
            <F as Middleware<
                <E as Middleware<
                    <D as Middleware<
                        <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
                    >>::Out,
                >>::Out,
            >>::Out,
        >>::Out,
    >,
{
    type Out = <H as Middleware<
        <G as Middleware<
            <F as Middleware<
                <E as Middleware<
                    <D as Middleware<
                        <C as Middleware<<B as Middleware<<A as Middleware<P>>::Out>>::Out>>::Out,
                    >>::Out,
                >>::Out,
            >>::Out,
        >>::Out,
    >>::Out;

    fn call<Rest: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, Rest>,
    ) -> impl Future<Output = Response> + Send {
        let endpoint = next.into_endpoint();
        async move {
            let (a, b, c, d, e, f, g, h) = self;
            let h = Link::new(h, endpoint);
            let g = Link::new(g, &h);
            let f = Link::new(f, &g);
            let e = Link::new(e, &f);
            let d = Link::new(d, &e);
            let c = Link::new(c, &d);
            let b = Link::new(b, &c);
            a.call(ctx, Next::new(&b)).await
        }
    }
}

/// Proof that a middleware provides nothing, so skipping it cannot remove a key a route reads.
///
/// [`Router::with_if`](crate::Router::with_if) asks for it; a helper that mounts a middleware of its
/// caller's choosing only sometimes states it too:
///
/// ```
/// use baton::{Chain, Context, Next, Open, ProvidesNothing, Response, Router, Then, get, middleware};
///
/// #[middleware]
/// async fn powered_by(ctx: Context, next: Next) -> Response {
///     let mut response = next.run(ctx).await;
///     response.headers_mut().insert("x-powered-by", "baton".parse().unwrap());
///     response
/// }
///
/// fn in_debug<L: Chain, M: ProvidesNothing<L::Out>>(
///     router: Router<L, Open>,
///     debug: bool,
///     middleware: M,
/// ) -> Router<Then<L, Option<M>, L::Out>, Open> {
///     router.with_if(debug, middleware)
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// for debug in [true, false] {
///     let app = in_debug(Router::new(), debug, powered_by).route("/", get(|_: Context| async { "hi" }));
///     let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
///     assert_eq!(response.headers().contains_key("x-powered-by"), debug);
/// }
/// # });
/// ```
///
/// A middleware that provides a key is refused:
///
/// ```compile_fail,E0277
/// # use baton::{Context, Router, context_key, middleware};
/// # #[context_key] struct User(String);
/// # #[middleware(provides = User)] async fn user(_ctx: &Context) -> User { User("ada".into()) }
/// let _ = Router::new().with_if(true, user); // error: a middleware that provides keys cannot be mounted conditionally
/// ```
pub trait ProvidesNothing<P: KeyList>: Middleware<P, Out: SameKeys<P>> {}

impl<P: KeyList, M: Middleware<P, Out: SameKeys<P>>> ProvidesNothing<P> for M {}

/// Proof that a middleware's output is its input: it added no key. Sealed: its one impl is reflexive.
///
/// The bound behind [`ProvidesNothing`], and so behind `.with_if(..)` and `.with(Option<M>)`:
///
/// ```
/// use baton::{Context, Next, Response, Router, get, middleware};
///
/// #[middleware]
/// async fn no_store(ctx: Context, next: Next) -> Response {
///     let mut response = next.run(ctx).await;
///     response.headers_mut().insert("cache-control", "no-store".parse().unwrap());
///     response
/// }
///
/// let private = false;
/// let app = Router::new()
///     .with(private.then_some(no_store)) // `Out` of `no_store` is its input: it may be skipped
///     .route("/", get(|_: Context| async { "public" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert!(!response.headers().contains_key("cache-control"));
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "a middleware that provides keys cannot be mounted conditionally",
    label = "this middleware provides keys: after it the route has `{Self}`, without it `{P}`",
    note = "the routes after it would read keys that may be missing; mount it unconditionally, or provide an `Option<V>` under a key and read that"
)]
pub trait SameKeys<P: KeyList>: KeyList + Sized {
    #[doc(hidden)]
    fn same(ctx: Context<Self>, _: crate::sealed::Seal) -> Context<P>;
}

impl<P: KeyList> SameKeys<P> for P {
    fn same(ctx: Context<P>, _: crate::sealed::Seal) -> Context<P> {
        ctx
    }
}

/// The rest of the chain seen from a middleware that added nothing (its output is its input).
struct Unchanged<'a, P, E> {
    inner: &'a E,
    _keys: std::marker::PhantomData<fn(P)>,
}

impl<P: KeyList, Q: SameKeys<P>, E: Endpoint<P>> Endpoint<Q> for Unchanged<'_, P, E> {
    fn call(&self, ctx: Context<Q>) -> impl Future<Output = Response> + Send + '_ {
        self.inner.call(Q::same(ctx, crate::sealed::Seal))
    }
}

// Stated with `ProvidesNothing` alone, not `Out = P`, so a provider mounted conditionally fails on
// `SameKeys`, whose message says why.
impl<P: KeyList, M: ProvidesNothing<P>> Middleware<P> for Option<M> {
    type Out = P;

    fn call<E: Endpoint<P>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, P, E>,
    ) -> impl Future<Output = Response> + Send {
        let inner = next.into_endpoint();
        async move {
            match self {
                Some(middleware) => {
                    let rest = Unchanged {
                        inner,
                        _keys: std::marker::PhantomData,
                    };
                    middleware.call(ctx, Next::new(&rest)).await
                }
                None => Next::new(inner).run(ctx).await,
            }
        }
    }
}

//! Middleware: code that runs around the rest of a route and may provide values to it.
//!
//! Two forms, both checked by the compiler:
//!
//! * **around** ([`Middleware`]): receives the context and a [`Next`], may run code before and after,
//!   change the response or short-circuit by not calling `next`. `Next` is typed with the context it must
//!   be given (`Next<'_, Out, E>`), so a middleware that declares `Out = (Database, P)` cannot continue the
//!   chain without providing `Database`, and `next.run` takes `next` by value, so it runs at most once.
//! * **provider** ([`Provider`]): returns the value(s) to provide or an early response; the chain
//!   continues by itself. Wrap it in [`Provide`] to mount it.
//!
//! Requirements on upstream keys are ordinary bounds (`P: Has<Session>`): mounting such a middleware before
//! the one that provides `Session` is a compile error.
//!
//! `#[middleware]` writes these impls for you; by hand an around middleware looks like this:
//!
//! ```
//! use baton::{Context, Endpoint, KeyList, Lacks, Middleware, Next, Response, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//!
//! struct AssignRequestId;
//!
//! impl<P: KeyList + Lacks<RequestId>> Middleware<P> for AssignRequestId {
//!     type Out = (RequestId, P);
//!
//!     async fn call<E: Endpoint<Self::Out>>(&self, ctx: Context<P>, next: Next<'_, Self::Out, E>) -> Response {
//!         let mut response = next.run(ctx.provide(RequestId(7))).await;
//!         response.headers_mut().insert("x-request-id", "7".parse().unwrap());
//!         response
//!     }
//! }
//! ```

use crate::context::Context;
use crate::key::ContextKey;
use crate::proof::{KeyList, Lacks};
use crate::response::{IntoResponse, Response};
use futures_util::FutureExt;
use http::StatusCode;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

/// The rest of a route seen from one point of the chain: takes a `Context<P>`, yields a response.
///
/// Implemented by the router's composed chains; you meet it as the `E` of [`Next`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot continue a chain whose context is `Context<{P}>`",
    note = "`next.run(ctx)` must be given the context type the middleware declared as its output"
)]
pub trait Endpoint<P: KeyList>: Send + Sync + 'static {
    /// Runs the rest of the chain.
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_;
}

/// The continuation handed to an around middleware. Consumed by [`Next::run`]: it runs at most once.
#[must_use = "a middleware that drops `next` without calling `run` short-circuits the route"]
pub struct Next<'a, P, E> {
    endpoint: &'a E,
    _context: PhantomData<fn(Context<P>)>,
}

impl<'a, P: KeyList, E: Endpoint<P>> Next<'a, P, E> {
    #[doc(hidden)]
    pub fn new(endpoint: &'a E) -> Self {
        Next {
            endpoint,
            _context: PhantomData,
        }
    }

    /// Runs the rest of the chain with `ctx` and returns its response.
    ///
    /// Never fails: a panic downstream is turned into a `500 Internal Server Error` (and logged) before it
    /// gets here, so code after `run(..).await` always runs.
    // Not an `async fn`, nor is `guarded`: an async fn keeps its by-value argument (here the rest of the
    // chain's future) in its state *and* moves it into the awaited future, so each middleware would
    // double the size of the request's future (exponential in the middleware count).
    pub fn run(self, ctx: Context<P>) -> impl Future<Output = Response> + Send + 'a {
        guarded(self.endpoint.call(ctx))
    }
}

/// Runs `future`, turning a panic into a logged 500.
pub(crate) fn guarded<F: Future<Output = Response>>(future: F) -> Guarded<F> {
    Guarded { future }
}

/// The future of [`Next::run`]: the rest of the chain, with panics turned into a 500.
///
/// One wrapper rather than a stack of combinators: every wrapper moves the (large) chain future once
/// more when the request starts.
#[must_use = "futures do nothing unless polled"]
pub struct Guarded<F> {
    future: F,
}

impl<F: Future<Output = Response>> Future for Guarded<F> {
    type Output = Response;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Response> {
        // SAFETY: structural pinning: `future` is never moved out of the pinned `Guarded`.
        let future = unsafe { self.map_unchecked_mut(|guarded| &mut guarded.future) };
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => std::task::Poll::Ready(panic_response(panic)),
        }
    }
}

#[cold]
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string());
    tracing::error!(panic = %message, "request handler panicked; answering 500");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
}

/// An around middleware: runs with the context and the rest of the chain.
///
/// `P` is what is provided upstream; [`Middleware::Out`] is the context type the middleware hands to
/// `next` (for a middleware that provides `K`, `(K, P)`). See the [module docs](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be mounted here: it is not a middleware for this point of the chain",
    label = "not a middleware for this route",
    note = "a middleware that requires keys must be mounted after the middleware providing them; check its `requires`",
    note = "use `#[middleware]` on an async fn, or implement `baton::Middleware<P>`"
)]
pub trait Middleware<P: KeyList>: Send + Sync + 'static {
    /// The key list the rest of the chain receives.
    type Out: KeyList;

    /// Runs the middleware.
    fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> impl Future<Output = Response> + Send;
}

/// Key(s) a [`Provider`] provides: a key `K` or a tuple of up to 6 keys (nest providers for more).
pub trait Provision<P: KeyList> {
    /// The values, in the same shape (`K::Value` or a tuple of values).
    type Values: Send;
    /// The key list after providing.
    type Out: KeyList;
    #[doc(hidden)]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out>;
}

impl<P: KeyList + Lacks<K>, K: ContextKey> Provision<P> for K {
    type Values = K::Value;
    type Out = (K, P);
    fn apply(ctx: Context<P>, value: K::Value) -> Context<(K, P)> {
        ctx.provide_as::<K>(value)
    }
}

impl<P: KeyList, A: ContextKey> Provision<P> for (A,)
where
    P: Lacks<A>,
{
    type Values = (A::Value,);
    type Out = (A, P);
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a,) = values;
        ctx.provide_as::<A>(a)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey> Provision<P> for (A, B)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
{
    type Values = (A::Value, B::Value);
    type Out = (B, (A, P));
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b) = values;
        let ctx = ctx.provide_as::<A>(a);
        ctx.provide_as::<B>(b)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey, C: ContextKey> Provision<P> for (A, B, C)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
{
    type Values = (A::Value, B::Value, C::Value);
    type Out = (C, (B, (A, P)));
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        ctx.provide_as::<C>(c)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey, C: ContextKey, D: ContextKey> Provision<P>
    for (A, B, C, D)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
    (C, (B, (A, P))): Lacks<D>,
{
    type Values = (A::Value, B::Value, C::Value, D::Value);
    type Out = (D, (C, (B, (A, P))));
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c, d) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        let ctx = ctx.provide_as::<C>(c);
        ctx.provide_as::<D>(d)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey, C: ContextKey, D: ContextKey, E: ContextKey>
    Provision<P> for (A, B, C, D, E)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
    (C, (B, (A, P))): Lacks<D>,
    (D, (C, (B, (A, P)))): Lacks<E>,
{
    type Values = (A::Value, B::Value, C::Value, D::Value, E::Value);
    type Out = (E, (D, (C, (B, (A, P)))));
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c, d, e) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        let ctx = ctx.provide_as::<C>(c);
        let ctx = ctx.provide_as::<D>(d);
        ctx.provide_as::<E>(e)
    }
}

impl<
    P: KeyList,
    A: ContextKey,
    B: ContextKey,
    C: ContextKey,
    D: ContextKey,
    E: ContextKey,
    F: ContextKey,
> Provision<P> for (A, B, C, D, E, F)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
    (C, (B, (A, P))): Lacks<D>,
    (D, (C, (B, (A, P)))): Lacks<E>,
    (E, (D, (C, (B, (A, P))))): Lacks<F>,
{
    type Values = (A::Value, B::Value, C::Value, D::Value, E::Value, F::Value);
    type Out = (F, (E, (D, (C, (B, (A, P))))));
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c, d, e, f) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        let ctx = ctx.provide_as::<C>(c);
        let ctx = ctx.provide_as::<D>(d);
        let ctx = ctx.provide_as::<E>(e);
        ctx.provide_as::<F>(f)
    }
}

/// A middleware that only produces values; the chain continues by itself.
///
/// Returning `Err(response)` stops the chain and answers with that response (e.g. a 401).
///
/// ```
/// use baton::{Context, KeyList, Lacks, Provide, Provider, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// struct AssignRequestId;
/// // `Lacks<RequestId>`: a key is provided once per route.
/// impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
///     type Provides = RequestId;
///     async fn provide(&self, _ctx: &Context<P>) -> Result<RequestId, Response> {
///         Ok(RequestId(7))
///     }
/// }
///
/// let app = Router::new()
///     .with(Provide(AssignRequestId))
///     .route("/", get(|ctx: Context<(RequestId, ())>| async move { ctx.get::<RequestId>().0.to_string() }));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a provider for this point of the chain",
    note = "a provider that requires keys must be mounted after the middleware providing them"
)]
pub trait Provider<P: KeyList>: Send + Sync + 'static {
    /// The key(s) provided: a key or a tuple of keys.
    type Provides: Provision<P>;

    /// Produces the values, or an early response that ends the chain.
    fn provide(
        &self,
        ctx: &Context<P>,
    ) -> impl Future<Output = Result<<Self::Provides as Provision<P>>::Values, Response>> + Send;
}

/// Mounts a [`Provider`] as a middleware.
#[derive(Debug, Clone, Copy, Default)]
pub struct Provide<T>(pub T);

impl<P: KeyList, T: Provider<P>> Middleware<P> for Provide<T> {
    type Out = <T::Provides as Provision<P>>::Out;

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        match self.0.provide(&ctx).await {
            Ok(values) => {
                next.run(<T::Provides as Provision<P>>::apply(ctx, values))
                    .await
            }
            Err(response) => response,
        }
    }
}

/// A request handler: the end of a route's chain.
///
/// Implemented for every `async fn(Context<P>) -> impl IntoResponse` (and closures of that shape) that
/// is `Clone + Send + Sync + 'static`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler for this route",
    label = "not a handler for this route",
    note = "a handler is an `async fn` taking a `Context` and returning a type that implements `IntoResponse`",
    note = "if the handler reads keys, every key it reads must be provided by middleware declared above this route"
)]
pub trait Handler<P: KeyList>: Send + Sync + 'static {
    /// Runs the handler.
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_;
}

impl<P, F, Fut> Handler<P> for F
where
    P: KeyList,
    F: Fn(Context<P>) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        // A combinator, not `async move { future.await.into_response() }`, which would hold the
        // handler's future twice.
        self(ctx).map(IntoResponse::into_response)
    }
}

/// A handler as the last [`Endpoint`] of a chain.
#[doc(hidden)]
pub struct HandlerEndpoint<H>(pub H);

impl<P: KeyList, H: Handler<P>> Endpoint<P> for HandlerEndpoint<H> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        self.0.call(ctx)
    }
}

/// A middleware in front of the rest of a chain.
#[doc(hidden)]
pub struct Stack<M, E> {
    middleware: Arc<M>,
    inner: E,
}

impl<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>> Endpoint<P> for Stack<M, E> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        self.middleware.call(ctx, Next::new(&self.inner))
    }
}

/// A [`Stack`] whose future is boxed: it ends a run of [`PHASES`] nested middleware futures.
#[doc(hidden)]
pub struct BoxedStack<M, E>(Stack<M, E>);

impl<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>> Endpoint<P> for BoxedStack<M, E> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        Box::pin(self.0.call(ctx)) as Pin<Box<dyn Future<Output = Response> + Send + '_>>
    }
}

/// How many middleware futures nest inside one another before one is boxed.
///
/// A chain's future is one nested type; rustc computes its layout recursively and stops at its recursion
/// limit (128 by default), reached near a dozen middleware. Boxing every `PHASES`-th middleware's future
/// keeps the nesting bounded for any number of middleware, at one allocation per `PHASES` middleware.
pub const PHASES: usize = 8;

/// The position of a middleware in its route's chain, modulo [`PHASES`]: picks a [`Stack`] or, for
/// the last phase, a [`BoxedStack`].
#[doc(hidden)]
pub trait Phase: Send + Sync + 'static {
    /// The phase of the next middleware.
    type Next: Phase;
    /// The chain link for a middleware at this phase.
    type Link<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>>: Endpoint<P>;
    /// Builds the link.
    fn link<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>>(
        middleware: Arc<M>,
        inner: E,
    ) -> Self::Link<P, M, E>;
}

macro_rules! phases {
    ($($phase:ident => $next:ident),*; $last:ident => $first:ident) => {
        $(
            #[doc(hidden)]
            pub struct $phase;

            impl Phase for $phase {
                type Next = $next;
                type Link<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>> = Stack<M, E>;
                fn link<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>>(
                    middleware: Arc<M>,
                    inner: E,
                ) -> Stack<M, E> {
                    Stack { middleware, inner }
                }
            }
        )*

        #[doc(hidden)]
        pub struct $last;

        impl Phase for $last {
            type Next = $first;
            type Link<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>> = BoxedStack<M, E>;
            fn link<P: KeyList, M: Middleware<P>, E: Endpoint<M::Out>>(
                middleware: Arc<M>,
                inner: E,
            ) -> BoxedStack<M, E> {
                BoxedStack(Stack { middleware, inner })
            }
        }
    };
}

phases!(
    Phase0 => Phase1, Phase1 => Phase2, Phase2 => Phase3, Phase3 => Phase4,
    Phase4 => Phase5, Phase5 => Phase6, Phase6 => Phase7;
    Phase7 => Phase0
);

/// The middleware declared so far on a router or scope, from its input context [`Layers::In`] (the
/// empty context for a router, the enclosing router's output for a scope) to [`Layers::Out`].
///
/// A router compiles its middleware once, not once per route: every route of a router or scope runs
/// the same instance of the chain type, which ends in an erased call to the matched route's next stage
/// (a nested scope's middleware, or the handler). Code size grows with routes + middleware, never with
/// their product; the proof is unchanged, because it lives in the types (`Context<Out>` is what each
/// route's handler must accept).
pub trait Layers: Clone + Send + Sync + 'static {
    /// The key list the first middleware receives.
    type In: KeyList;
    /// The key list after every middleware ran.
    type Out: KeyList;
    /// The phase of the next middleware added.
    #[doc(hidden)]
    type Phase: Phase;
    /// The chain with endpoint `E` behind every middleware.
    #[doc(hidden)]
    type Wrapped<E: Endpoint<Self::Out>>: Endpoint<Self::In>;
    #[doc(hidden)]
    fn wrap<E: Endpoint<Self::Out>>(&self, endpoint: E) -> Self::Wrapped<E>;

    /// This stack of middleware in front of `next`, erased: one stage of a route.
    #[doc(hidden)]
    fn segment(&self, next: ErasedStage<Self::Out>) -> ErasedStage<Self::In> {
        Arc::new(self.wrap(Tail { next }))
    }
}

/// No middleware: the context `P` passes through unchanged (`P` is `()` for a router, the enclosing
/// router's output for a scope).
pub struct Identity<P = ()>(PhantomData<fn() -> P>);

impl<P> Identity<P> {
    pub(crate) fn new() -> Self {
        Identity(PhantomData)
    }
}

impl<P> Default for Identity<P> {
    fn default() -> Self {
        Identity::new()
    }
}

impl<P> Clone for Identity<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Identity<P> {}

impl<P> std::fmt::Debug for Identity<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity")
    }
}

impl<P: KeyList> Layers for Identity<P> {
    type In = P;
    type Out = P;
    type Phase = Phase0;
    type Wrapped<E: Endpoint<P>> = E;
    fn wrap<E: Endpoint<P>>(&self, endpoint: E) -> E {
        endpoint
    }
    // Nothing to run: the stage is the next one itself, with no erased call in between.
    fn segment(&self, next: ErasedStage<P>) -> ErasedStage<P> {
        next
    }
}

/// The middleware `M` after the layers `L`.
pub struct Then<L, M> {
    layers: L,
    middleware: Arc<M>,
}

impl<L: Clone, M> Clone for Then<L, M> {
    fn clone(&self) -> Self {
        Then {
            layers: self.layers.clone(),
            middleware: self.middleware.clone(),
        }
    }
}

impl<L, M> Then<L, M> {
    pub(crate) fn new(layers: L, middleware: M) -> Self {
        Then {
            layers,
            middleware: Arc::new(middleware),
        }
    }
}

impl<L: Layers, M: Middleware<L::Out>> Layers for Then<L, M> {
    type In = L::In;
    type Out = M::Out;
    type Phase = <L::Phase as Phase>::Next;
    type Wrapped<E: Endpoint<M::Out>> = L::Wrapped<<L::Phase as Phase>::Link<L::Out, M, E>>;
    fn wrap<E: Endpoint<M::Out>>(&self, endpoint: E) -> Self::Wrapped<E> {
        self.layers
            .wrap(<L::Phase as Phase>::link(self.middleware.clone(), endpoint))
    }
}

pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = Response> + Send + 'static>>;

/// One stage of a route, its type erased: a router's or scope's middleware, or a handler. Called with
/// the context its stage was built for, so no context type is erased: only the code behind it.
#[doc(hidden)]
pub trait Stage<P>: Send + Sync + 'static {
    /// Runs the stage; the future owns a handle to it.
    fn run(self: Arc<Self>, ctx: Context<P>) -> BoxFuture;
}

impl<P: KeyList, E: Endpoint<P>> Stage<P> for E {
    fn run(self: Arc<Self>, ctx: Context<P>) -> BoxFuture {
        Box::pin(async move { self.call(ctx).await })
    }
}

/// A stage behind an `Arc`, as routes hold it.
#[doc(hidden)]
pub type ErasedStage<P> = Arc<dyn Stage<P>>;

/// The end of a router's or scope's middleware: calls the matched route's next stage.
///
/// Every route of a router shares one `Wrapped<Tail<Out>>` type (only the `next` value differs), which
/// is what compiles each middleware once per place it is mounted.
#[doc(hidden)]
pub struct Tail<P> {
    next: ErasedStage<P>,
}

impl<P: KeyList> Endpoint<P> for Tail<P> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        Arc::clone(&self.next).run(ctx)
    }
}

/// A whole route, from the empty context: the router calls it for a matched request.
pub(crate) type ErasedEndpoint = ErasedStage<()>;

/// A handler as a route's last stage.
pub(crate) fn handler_stage<P: KeyList, H: Handler<P>>(handler: H) -> ErasedStage<P> {
    Arc::new(HandlerEndpoint(handler))
}

//! The middleware that enters a request's ambient scope.

use crate::app::{DeclaredContext, Locate, Untyped};
use crate::propagate::InContext;
use crate::scope::{AmbientContext, scope_with, try_with_context};
use baton_core::{Also, Body, Context, Endpoint, Middleware, Next, Response};
use std::fmt;
use std::marker::PhantomData;

/// The middleware that makes the request context ambient; see [`async_context`] and
/// [`async_context_for`].
///
/// `A` is the app context the scope is entered for ([`Untyped`] for `async_context()`). You name the
/// type where the middleware is returned or stored:
///
/// ```
/// use baton::ambient::AsyncContext;
/// use baton::{Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
/// baton::app_context!(struct AppContext: RequestId);
///
/// struct AssignRequestId;
/// impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
///     type Provides = RequestId;
///     async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> {
///         Ok(RequestId(42))
///     }
/// }
///
/// fn ambient() -> AsyncContext<AppContext> {
///     baton::async_context_for::<AppContext>()
/// }
///
/// let app = Router::new()
///     .with(ProviderMiddleware(AssignRequestId))
///     .with(ambient())
///     .route("/", get(|_: Context| async { AppContext::current().get::<RequestId>().0.to_string() }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "42");
/// # });
/// ```
pub struct AsyncContext<A = Untyped> {
    _app: PhantomData<fn() -> A>,
}

/// Makes each request's context ambient for the rest of its chain: [`get_context()`](crate::get_context)
/// works anywhere below this middleware, in the handler and in everything it awaits, and in the response
/// body while it streams.
///
/// Mount it first (`Router::new().with(baton::async_context())`) so every middleware and handler can
/// read the context; values provided further down the chain are visible through it as soon as they are
/// provided.
///
/// ```
/// use baton::{Context, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// struct AssignRequestId;
/// impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
///     type Provides = RequestId;
///     async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> {
///         Ok(RequestId(42))
///     }
/// }
///
/// // A helper deep in the app: no `ctx` parameter.
/// async fn current_request_id() -> u64 {
///     tokio::task::yield_now().await;
///     baton::get_context().try_get::<RequestId>().map_or(0, |id| id.0)
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::new()
///     .with(baton::async_context())      // entered first ...
///     .with(ProviderMiddleware(AssignRequestId))    // ... still sees what is provided later
///     .route("/", get(|_: Context<(RequestId, ())>| async { current_request_id().await.to_string() }));
///
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "42");
/// # }
/// ```
pub fn async_context() -> AsyncContext {
    AsyncContext { _app: PhantomData }
}

/// Like [`async_context`], typed for the app context `A` declared with
/// [`app_context!`](crate#typed-app-context): inside, `A::current().get::<K>()` reads any declared key
/// without `Option`.
///
/// Mounting it where the route does not yet provide every key `A` declares is a compile error naming the
/// missing key, so a typed read inside a request cannot fail.
///
/// ```
/// use baton::{Context, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// baton::app_context!(struct AppContext: RequestId);
///
/// struct AssignRequestId;
/// impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
///     type Provides = RequestId;
///     async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> {
///         Ok(RequestId(42))
///     }
/// }
///
/// fn log_line(message: &str) -> String {
///     format!("[{}] {message}", AppContext::current().get::<RequestId>().0)
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::new()
///     .with(ProviderMiddleware(AssignRequestId))
///     .with(baton::async_context_for::<AppContext>()) // after the providers of its keys
///     .route("/", get(|_: Context<(RequestId, ())>| async { log_line("hello") }));
///
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "[42] hello");
/// # }
/// ```
pub fn async_context_for<A: DeclaredContext>() -> AsyncContext<A> {
    AsyncContext { _app: PhantomData }
}

impl<A> Clone for AsyncContext<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A> Copy for AsyncContext<A> {}

impl<A: DeclaredContext> fmt::Debug for AsyncContext<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AsyncContext<{}>", A::NAME)
    }
}

impl<A, P> Middleware<P> for AsyncContext<A>
where
    A: DeclaredContext,
    P: Locate<A, A::Keys>,
{
    // `P`, with no type where a declared key is missing: `.with(..)` then reports the missing key once
    // (see `Also`).
    type Out = <<P as Locate<A, A::Keys>>::Proof as Also<P>>::Out;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        // Already inside a scope for this request (e.g. global and scope-level `async_context()`):
        // that scope, and its body wrapper, already cover the rest of the chain.
        if try_with_context(|current| current.covers::<A, P>(&ctx)) == Some(true) {
            return next.run(ctx).await;
        }
        let ambient = AmbientContext::enter::<A, P>(&ctx);
        let response = scope_with(ambient.clone(), next.run(ctx)).await;
        let (parts, body) = response.into_parts();
        if body.is_in_memory() {
            // Empty and in-memory bodies run no code when polled: nothing to carry.
            return Response::from_parts(parts, body);
        }
        // A streamed body is polled by the server after this middleware returned: keep it in the scope.
        Response::from_parts(parts, Body::new(InContext::new(body, Some(ambient))))
    }
}

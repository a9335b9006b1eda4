//! Middleware: code that runs around the rest of a route and may provide values to it.
//!
//! Two forms, both checked by the compiler:
//!
//! * **around** ([`Middleware`]): receives the context and a [`Next`], may run code before and after,
//!   change the response or short-circuit by not calling `next`. `Next` is typed with the context it must
//!   be given (`Next<'_, Out, E>`), so a middleware that declares `Out = (Database, P)` cannot continue the
//!   chain without providing `Database`, and `next.run` takes `next` by value, so it runs at most once.
//! * **provider** ([`Provider`]): returns the value(s) to provide or an early response; the chain
//!   continues by itself. Wrap it in [`ProviderMiddleware`] to mount it.
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
//!
//! let app = baton::Router::new().with(AssignRequestId).route(
//!     "/",
//!     baton::get(|ctx: Context<(RequestId, ())>| async move { ctx.get::<RequestId>().0.to_string() }),
//! );
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.headers()["x-request-id"], "7");
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "7");
//! # });
//! ```

mod chain;
mod frame;
mod group;
mod handler;
mod next;
mod provider;

pub use chain::{
    Chain, ErasedStage, Mounts, PHASES, Phase, Phase0, Phase1, Phase2, Phase3, Phase4, Phase5,
    Phase6, Phase7, Same, Stack, Stage, Start, Tail, Then,
};
pub(crate) use chain::{ErasedEndpoint, handler_stage};
pub use frame::{Frame, Room, TailFuture};
pub use group::ProvidesNothing;
pub use handler::{Exact, Handler, HandlerEndpoint, MarkedHandler, Plain, Rooted};
pub(crate) use next::panic_response;
pub use next::{Endpoint, Guarded, Next};
pub use provider::{KeySet, Provider, ProviderMiddleware};

use crate::context::Context;
use crate::proof::KeyList;
use crate::response::Response;
use std::future::Future;

/// An around middleware: runs with the context and the rest of the chain.
///
/// `P` is what is provided upstream; [`Middleware::Out`] is the context type the middleware hands to
/// `next` (for a middleware that provides `K`, `(K, P)`). See the [module docs](self).
///
/// `#[middleware]` writes this impl from an `async fn`; by hand, a middleware that provides a key `K`
/// states that `K` is not provided yet (`P: KeyList + Lacks<K>`) and hands `next` a `Context<(K, P)>`:
///
/// ```
/// use baton::{Context, Endpoint, KeyList, Lacks, Middleware, Next, Response, Router, context_key, get, handler};
///
/// #[context_key]
/// struct Locale(String);
///
/// /// Picks the language from `Accept-Language` and says which one the response is in.
/// struct Negotiate;
///
/// impl<P> Middleware<P> for Negotiate
/// where
///     P: KeyList + Lacks<Locale>,
/// {
///     type Out = (Locale, P);
///
///     async fn call<E: Endpoint<Self::Out>>(&self, ctx: Context<P>, next: Next<'_, Self::Out, E>) -> Response {
///         let accepted = ctx.headers().get("accept-language").and_then(|value| value.to_str().ok());
///         let locale = match accepted {
///             Some(value) if value.starts_with("fr") => "fr",
///             _ => "en",
///         };
///         let mut response = next.run(ctx.provide(Locale(locale.to_string()))).await;
///         response.headers_mut().insert("content-language", locale.parse().unwrap());
///         response
///     }
/// }
///
/// #[handler]
/// async fn hello(ctx: Context) -> &'static str {
///     if ctx.get::<Locale>().0 == "fr" { "bonjour" } else { "hello" }
/// }
///
/// let app = Router::new().with(Negotiate).route("/", get(hello));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("accept-language", "fr-CA").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.headers()["content-language"], "fr");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "bonjour");
/// # });
/// ```
///
/// A middleware that needs a key from upstream says so with `P: Has<K>`, and one that provides nothing
/// has `Out = P`. Returning without calling `next` short-circuits the route:
///
/// ```
/// use baton::{Context, Endpoint, Has, IntoResponse, KeyList, Middleware, Next, Response, Router, StatusCode};
/// use baton::{context_key, get, middleware};
///
/// #[context_key]
/// struct User { admin: bool }
///
/// #[middleware(provides = User)]
/// async fn user(ctx: &Context) -> User {
///     User { admin: ctx.headers().contains_key("x-admin") }
/// }
///
/// struct AdminsOnly;
///
/// impl<P> Middleware<P> for AdminsOnly
/// where
///     P: KeyList + Has<User>,
/// {
///     type Out = P;
///
///     async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
///         if ctx.get::<User>().admin {
///             next.run(ctx).await
///         } else {
///             StatusCode::FORBIDDEN.into_response() // the handler does not run
///         }
///     }
/// }
///
/// let app = Router::new().with(user).with(AdminsOnly).route("/admin", get(|_: Context| async { "welcome" }));
/// // `Router::new().with(AdminsOnly).with(user)` does not compile: nothing provides `User` above it.
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = |admin: bool| {
///     let request = http::Request::get("/admin");
///     let request = if admin { request.header("x-admin", "1") } else { request };
///     request.body(baton::Body::empty()).unwrap()
/// };
/// assert_eq!(app.call_request(request(false)).await.status(), 403);
/// assert_eq!(app.call_request(request(true)).await.status(), 200);
/// # });
/// ```
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

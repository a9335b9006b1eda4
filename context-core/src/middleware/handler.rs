//! [`Handler`]: the end of a route's chain.

use super::Endpoint;
use crate::context::Context;
use crate::proof::{KeyList, NothingProvided};
use crate::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::future::Future;

/// A request handler: the end of a route's chain.
///
/// Implemented for every `async fn` (or closure) that returns a type implementing `IntoResponse` and
/// takes either
///
/// * the route's context, `Context<P>` with `P` the keys provided above the route (what `#[handler]`
///   writes: a handler generic over `P`, bounded by the keys it reads), or
/// * a plain [`Context`] (`Context<()>`), on any route: a handler that reads no key by proof. It can
///   still read optional data with [`try_get`](Context::try_get), and keys with a default read the
///   value provided upstream when there is one.
///
/// `M` tells the two apart ([`Exact`] or [`Plain`]); it is inferred, never written.
///
/// ```
/// use baton::{Context, Router, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct User(String);
///
/// #[middleware(provides = User)]
/// async fn user(_ctx: &Context) -> User {
///     User("ada".into())
/// }
///
/// // No macro, no bounds: mounts after any middleware.
/// async fn health(ctx: Context) -> String {
///     format!("ok (user known: {})", ctx.has::<User>())
/// }
///
/// // `#[handler]`: generic over the route's context, bounded by the keys it reads (here `User`).
/// #[handler]
/// async fn me(ctx: Context) -> String {
///     ctx.get::<User>().0.clone()
/// }
///
/// let app = Router::new()
///     .with(user)
///     .route("/health", get(health))
///     .route("/me", get(me))
///     .route("/time", get(|_: Context| async { "noon" })); // a closure is a plain handler too
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
/// let body = |response: baton::Response| response.into_body().collect_bytes();
/// assert_eq!(body(app.call_request(get("/health")).await).await.unwrap(), "ok (user known: true)");
/// assert_eq!(body(app.call_request(get("/me")).await).await.unwrap(), "ada");
/// assert_eq!(body(app.call_request(get("/time")).await).await.unwrap(), "noon");
/// # });
/// ```
///
/// Mounting `me` on a route where nothing provides `User` is a compile error on that route, naming
/// `User`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler for this route",
    label = "not a handler for this route",
    note = "a handler is an `async fn` taking a `Context` and returning a type that implements `IntoResponse`",
    note = "if the handler reads keys, every key it reads must be provided by middleware declared above this route"
)]
pub trait Handler<P: KeyList, M = Exact>: Send + Sync + 'static {
    /// Runs the handler.
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_;
}

/// [`Handler`] marker: the handler takes the route's own context type. Inferred, never written: see
/// [`Handler`]'s example.
///
/// Written only to name one impl, for instance to call a handler directly in a unit test:
///
/// ```
/// use baton::{Context, Exact, Handler, context_key};
///
/// #[context_key]
/// struct User(String);
///
/// async fn me(ctx: Context<(User, ())>) -> String {
///     ctx.get::<User>().0.clone()
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::default().provide(User("ada".into()));
/// let response = Handler::<(User, ()), Exact>::call(&me, ctx).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada");
/// # });
/// ```
#[derive(Debug)]
pub enum Exact {}

/// [`Handler`] marker: a plain handler, taking `Context` (nothing proven) on a route that provides keys.
/// Inferred, never written: see [`Handler`]'s example.
///
/// The impl a plain `async fn(Context)` uses on a route that provides keys: it gets the route's
/// context with nothing proven, and reads optional data at run time.
///
/// ```
/// use baton::{Context, Handler, Plain, context_key};
///
/// #[context_key]
/// struct User(String);
///
/// async fn health(ctx: Context) -> String {
///     format!("ok (user known: {})", ctx.has::<User>())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ctx = Context::default().provide(User("ada".into()));
/// let response = Handler::<(User, ()), Plain>::call(&health, ctx).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ok (user known: true)");
/// # });
/// ```
#[derive(Debug)]
pub enum Plain {}

impl<P, F, Fut> Handler<P, Exact> for F
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

// Only for routes that provide something: on an empty route `Context` is the exact type, and one impl
// per case keeps inference unambiguous.
impl<H, T, F, Fut> Handler<(H, T), Plain> for F
where
    (H, T): KeyList,
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn call(&self, ctx: Context<(H, T)>) -> impl Future<Output = Response> + Send + '_ {
        self(ctx.forget()).map(IntoResponse::into_response)
    }
}

/// [`Handler`] marker: a `#[handler]` (generic over a non-empty list) on a route where nothing is
/// provided. Inferred, never written.
///
/// The handler receives `Context<(NothingProvided, ())>`: only keys with a default can be read.
///
/// ```
/// use baton::middleware::Rooted;
/// use baton::{Context, Handler, Has, context_key};
///
/// #[context_key(default = Locale("en"))]
/// struct Locale(&'static str);
///
/// // What `#[handler]` writes: generic over a non-empty list.
/// async fn greet<H, T>(ctx: Context<(H, T)>) -> String
/// where
///     (H, T): Has<Locale>,
/// {
///     format!("locale {}", ctx.get::<Locale>().0)
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = Handler::<(), Rooted>::call(&greet, Context::default()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "locale en");
/// # });
/// ```
#[derive(Debug)]
pub enum Rooted {}

impl<F, Fut> Handler<(), Rooted> for F
where
    F: Fn(Context<(NothingProvided, ())>) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn call(&self, ctx: Context<()>) -> impl Future<Output = Response> + Send + '_ {
        self(ctx.into_nothing_provided()).map(IntoResponse::into_response)
    }
}

/// A handler as the last [`Endpoint`] of a chain.
#[doc(hidden)]
pub struct HandlerEndpoint<H>(pub H);

/// A handler as the last [`Endpoint`] of a chain; `M` is its [`Handler`] marker.
#[doc(hidden)]
pub struct MarkedHandler<H, M>(pub H, pub std::marker::PhantomData<fn() -> M>);

impl<P: KeyList, M, H: Handler<P, M>> Endpoint<P> for MarkedHandler<H, M> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        self.0.call(ctx)
    }
}

impl<P: KeyList, H: Handler<P>> Endpoint<P> for HandlerEndpoint<H> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        self.0.call(ctx)
    }
}

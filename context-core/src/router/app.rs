//! [`App`]: a finished router under one nameable type.

use super::table::{RouterFuture, Table, dispatch};
use super::{Routed, Router};
use crate::body::BoxError;
use crate::middleware::Chain;
use crate::response::Response;
use bytes::Bytes;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tower_service::Service;

/// A finished application: a [`Router`] whose routes are all built, and so all proven, behind one
/// concrete type.
///
/// A router's type spells its middleware stack (`Router<Then<Then<Start, A, _>, B, _>, Routed>`), which
/// is what lets each route be checked against it, but is not a type to write in a signature. Once the
/// routes are added nothing is left to check, so the stack can be forgotten: return an `App` from
/// `fn app()`, hand it to [`serve`](crate::serve()), or call it in tests.
///
/// ```
/// use baton::{App, Context, Router, get};
///
/// fn app() -> App {
///     Router::new()
///         .route("/health", get(|_: Context| async { "ok" }))
///         .into()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let response = app()
///     .call_request(http::Request::get("/health").body(baton::Body::empty()).unwrap())
///     .await;
/// assert_eq!(response.status(), 200);
/// # }
/// ```
#[derive(Clone)]
pub struct App {
    table: Arc<Table>,
}

impl<L: Chain<In = ()>, S> From<Router<L, S>> for App {
    fn from(router: Router<L, S>) -> App {
        router.into_app()
    }
}

impl<L: Chain<In = ()>, S> Router<L, S> {
    /// Finishes the router: an [`App`], its middleware stack no longer in its type. `App::from(router)`
    /// and `router.into()` do the same.
    ///
    /// Only a top-level router (one built from [`Router::new`]) can be finished; a scope is part of
    /// its parent.
    ///
    /// ```
    /// use baton::{App, Context, Next, Response, Router, get, middleware};
    ///
    /// #[middleware]
    /// async fn no_store(ctx: Context, next: Next) -> Response {
    ///     let mut response = next.run(ctx).await;
    ///     response.headers_mut().insert("cache-control", "no-store".parse().unwrap());
    ///     response
    /// }
    ///
    /// // Two routers with different middleware stacks, so of different types, as one `App` type.
    /// let apps: [App; 2] = [
    ///     Router::new().route("/", get(|_: Context| async { "plain" })).into_app(),
    ///     Router::new().with(no_store).route("/", get(|_: Context| async { "private" })).into_app(),
    /// ];
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = apps[1].call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.headers()["cache-control"], "no-store");
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "private");
    /// # });
    /// ```
    pub fn into_app(self) -> App {
        let router: Router<L, Routed> = self.seal();
        App {
            table: Arc::clone(&router.shared.table),
        }
    }
}

impl App {
    /// Serves one request in process, without a socket (for tests and embedding): the same routing,
    /// middleware, error boundaries and tower layers as a served request.
    ///
    /// The request body may be any `http_body::Body` of `Bytes` (a [`Body`](crate::Body), or one from
    /// http-body-util); the response body is a [`Body`](crate::Body).
    ///
    /// ```
    /// use baton::{App, Context, Router, post};
    ///
    /// fn app() -> App {
    ///     Router::new()
    ///         .route("/echo", post(|mut ctx: Context| async move { ctx.text().await }))
    ///         .into()
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let body = http_body_util::Full::new(bytes::Bytes::from("ping"));
    /// let response = app().call_request(http::Request::post("/echo").body(body).unwrap()).await;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ping");
    /// # }
    /// ```
    pub async fn call_request<B>(&self, request: http::Request<B>) -> Response
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        match dispatch(&self.table, request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("routes", &self.table.entries.len())
            .finish()
    }
}

impl<B> Service<http::Request<B>> for App
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = RouterFuture;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> RouterFuture {
        dispatch(&self.table, request)
    }
}

//! The request body limit: 2 MiB unless a scope, a route or a handler says otherwise.
//!
//! Every body reader of [`Context`] ([`bytes`](Context::bytes), [`text`](Context::text),
//! [`json`](Context::json) and the body handed out by [`take_body`](Context::take_body), which any other
//! parser reads) stops at the limit in effect and answers `413 Payload Too Large`: at once when the
//! `Content-Length` is over it, after at most the limit's worth of bytes for a chunked body. Nothing has
//! to be mounted for the default to apply.
//!
//! The limit in effect is the [`BodyLimit`] in the request's extensions. Set it with the [`body_limit`]
//! middleware: like any middleware it runs in declaration order, so the innermost one on a route's path
//! wins. [`BodyLimit`] is also a tower layer, for stacks outside a router and for `Router::layer`; tower
//! layers run before a route's baton middleware, so a `body_limit` middleware on the same path (the
//! router's global one included) overrides a layer's limit.
//!
//! ```
//! use baton::{BodyLimit, Context, Router, body_limit, post};
//!
//! async fn upload(mut ctx: Context) -> Result<String, baton::BodyRejection> {
//!     Ok(format!("{} bytes", ctx.bytes().await?.len()))
//! }
//!
//! let app = Router::new()
//!     .route("/comments", post(upload)) // the default, 2 MiB
//!     .scope("/videos", |videos| {
//!         videos.with(body_limit(512 * 1024 * 1024)).route("/", post(upload)) // raised
//!     })
//!     .scope("/pings", |pings| {
//!         pings.route("/", post(upload)).layer(BodyLimit::new(64)) // lowered, as a tower layer
//!     });
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = |path: &str, size: usize| {
//!     http::Request::post(path).body(baton::Body::from(vec![b'x'; size])).unwrap()
//! };
//! assert_eq!(app.call_request(request("/comments", 3 << 20)).await.status(), 413);
//! assert_eq!(app.call_request(request("/videos", 3 << 20)).await.status(), 200);
//! assert_eq!(app.call_request(request("/pings", 65)).await.status(), 413);
//! # });
//! ```

use crate::context::Context;
use crate::middleware::{Endpoint, Middleware, Next};
use crate::proof::KeyList;
use crate::response::Response;
use std::task::{Context as TaskContext, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// A request body limit, in bytes: a middleware (`.with(body_limit(n))`), a tower layer
/// (`.layer(BodyLimit::new(n))`) and the request extension that records the limit in effect. See the
/// [module docs](self) for which one wins.
///
/// ```
/// use baton::BodyLimit;
///
/// assert_eq!(BodyLimit::default().get(), 2 * 1024 * 1024);
/// assert_eq!(BodyLimit::new(100).get(), 100);
/// assert_eq!(BodyLimit::unlimited().get(), usize::MAX);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BodyLimit(usize);

impl BodyLimit {
    /// The limit when none is set: 2 MiB.
    ///
    /// Large enough for any form or JSON API payload, small enough that a few hundred concurrent
    /// requests at the limit stay within a small server's memory. Routes taking uploads raise it.
    ///
    /// ```
    /// use baton::BodyLimit;
    ///
    /// assert_eq!(BodyLimit::DEFAULT, 2 * 1024 * 1024);
    /// assert_eq!(BodyLimit::default().get(), BodyLimit::DEFAULT); // what a request without a limit gets
    /// ```
    pub const DEFAULT: usize = 2 * 1024 * 1024;

    /// A limit of `bytes`.
    ///
    /// ```
    /// assert_eq!(baton::BodyLimit::new(1024).get(), 1024);
    /// ```
    pub const fn new(bytes: usize) -> Self {
        BodyLimit(bytes)
    }

    /// No limit (for routes that stream their body to disk or upstream themselves).
    ///
    /// ```
    /// assert_eq!(baton::BodyLimit::unlimited(), baton::BodyLimit::new(usize::MAX));
    /// ```
    pub const fn unlimited() -> Self {
        BodyLimit(usize::MAX)
    }

    /// The limit in bytes.
    ///
    /// ```
    /// assert_eq!(baton::BodyLimit::new(7).get(), 7);
    /// ```
    pub const fn get(self) -> usize {
        self.0
    }

    /// The limit in effect for a request with these extensions: the innermost one set, or the default.
    ///
    /// ```
    /// let mut request = http::Request::new(());
    /// assert_eq!(baton::BodyLimit::of(request.extensions()), baton::BodyLimit::default());
    /// request.extensions_mut().insert(baton::BodyLimit::new(10));
    /// assert_eq!(baton::BodyLimit::of(request.extensions()).get(), 10);
    /// ```
    pub fn of(extensions: &http::Extensions) -> Self {
        extensions.get::<BodyLimit>().copied().unwrap_or_default()
    }
}

impl Default for BodyLimit {
    fn default() -> Self {
        BodyLimit(Self::DEFAULT)
    }
}

/// The [`BodyLimit`] middleware: sets the request body limit for the routes after it.
///
/// A handler can also set it for itself before reading, with
/// `ctx.extensions_mut().insert(BodyLimit::new(n))`.
///
/// ```
/// use baton::{Context, Router, body_limit, post};
///
/// let app = Router::new().with(body_limit(16)).route(
///     "/",
///     post(|mut ctx: Context| async move { ctx.text().await }),
/// );
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app
///     .call_request(http::Request::post("/").body(baton::Body::from("x".repeat(17))).unwrap())
///     .await;
/// assert_eq!(response.status(), 413);
/// # });
/// ```
pub const fn body_limit(bytes: usize) -> BodyLimit {
    BodyLimit::new(bytes)
}

impl<P: KeyList> Middleware<P> for BodyLimit {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, mut ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        ctx.extensions_mut().insert(*self);
        next.run(ctx).await
    }
}

impl<S> Layer<S> for BodyLimit {
    type Service = BodyLimitService<S>;

    fn layer(&self, inner: S) -> BodyLimitService<S> {
        BodyLimitService {
            inner,
            limit: *self,
        }
    }
}

/// The service of the [`BodyLimit`] tower layer: records the limit in the request's extensions.
///
/// ```
/// use tower::{Service, ServiceExt};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let inner = tower::service_fn(|request: http::Request<()>| async move {
///     Ok::<_, std::convert::Infallible>(baton::BodyLimit::of(request.extensions()).get())
/// });
/// let service = tower_layer::Layer::layer(&baton::BodyLimit::new(5), inner);
/// assert_eq!(service.oneshot(http::Request::new(())).await.unwrap(), 5);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct BodyLimitService<S> {
    inner: S,
    limit: BodyLimit,
}

impl<S, B> Service<http::Request<B>> for BodyLimitService<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> S::Future {
        request.extensions_mut().insert(self.limit);
        self.inner.call(request)
    }
}

//! [`Next`]: the rest of the chain, handed to an around middleware; and the panic guard around it.

use crate::context::Context;
use crate::proof::KeyList;
use crate::response::{IntoResponse, Response};
use http::StatusCode;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

/// The rest of a route seen from one point of the chain: takes a `Context<P>`, yields a response.
///
/// Implemented by the router's composed chains; you meet it as the `E` of [`Next`], in the signature
/// of [`Middleware::call`](crate::Middleware::call), and never call it yourself: see the example of
/// [`Middleware`](crate::Middleware).
///
/// ```
/// use baton::{Context, Endpoint, KeyList, Middleware, Next, Response, Router, get};
///
/// /// Adds a header to every response, whatever the route provides.
/// struct PoweredBy;
///
/// impl<P: KeyList> Middleware<P> for PoweredBy {
///     type Out = P;
///
///     // `E` is the rest of the route: whatever follows this middleware, taking a `Context<P>`.
///     async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
///         let mut response = next.run(ctx).await;
///         response.headers_mut().insert("x-powered-by", "baton".parse().unwrap());
///         response
///     }
/// }
///
/// let app = Router::new().with(PoweredBy).route("/", get(|_: Context| async { "hi" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["x-powered-by"], "baton");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot continue a chain whose context is `Context<{P}>`",
    note = "`next.run(ctx)` must be given the context type the middleware declared as its output"
)]
pub trait Endpoint<P: KeyList>: Send + Sync {
    /// Runs the rest of the chain.
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_;

    /// The room a route's frame reserves for the future behind this chain's tail (`None`: no tail).
    #[doc(hidden)]
    fn tail_room(&self) -> Option<std::alloc::Layout> {
        None
    }
}

/// The continuation handed to an around middleware. Consumed by [`Next::run`]: it runs at most once.
///
/// `P` is the context type the rest of the chain expects (the middleware's
/// [`Out`](crate::Middleware::Out)), `E` the rest of the chain. A middleware written with
/// `#[middleware]` takes a plain `Next`, which the macro fills in.
///
/// ```
/// use baton::{Context, Next, Response, Router, StatusCode, IntoResponse, get, middleware};
///
/// #[middleware]
/// async fn maintenance(ctx: Context, next: Next) -> Response {
///     if ctx.uri().path().starts_with("/admin") {
///         return (StatusCode::SERVICE_UNAVAILABLE, "back soon").into_response(); // `next` never runs
///     }
///     next.run(ctx).await
/// }
///
/// let app = Router::new()
///     .with(maintenance)
///     .route("/", get(|_: Context| async { "home" }))
///     .route("/admin", get(|_: Context| async { "admin" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(get("/")).await.status(), 200);
/// assert_eq!(app.call_request(get("/admin")).await.status(), 503);
/// # });
/// ```
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
    ///
    /// ```
    /// use baton::{Context, Next, Response, Router, get, middleware};
    /// use std::time::Instant;
    ///
    /// #[middleware]
    /// async fn timing(ctx: Context, next: Next) -> Response {
    ///     let started = Instant::now();
    ///     let mut response = next.run(ctx).await;
    ///     let millis = started.elapsed().as_millis();
    ///     response.headers_mut().insert("server-timing", format!("app;dur={millis}").parse().unwrap());
    ///     response
    /// }
    ///
    /// let app = Router::new()
    ///     .with(timing)
    ///     .route("/", get(|_: Context| async { "fine" }))
    ///     .route("/bug", get(|_: Context| async { if true { panic!("bug") } }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert!(response.headers()["server-timing"].to_str().unwrap().starts_with("app;dur="));
    ///
    /// let response = app.call_request(http::Request::get("/bug").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.status(), 500); // the panic became a response ...
    /// assert!(response.headers().contains_key("server-timing")); // ... and `timing` finished its work
    /// # });
    /// ```
    // Not an `async fn`, nor is `guarded`: an async fn keeps its by-value argument (here the rest of the
    // chain's future) in its state *and* moves it into the awaited future, so each middleware would
    // double the size of the request's future (exponential in the middleware count).
    pub fn run(self, ctx: Context<P>) -> impl Future<Output = Response> + Send + 'a {
        guarded(self.endpoint.call(ctx))
    }

    /// Runs the rest of the chain without a panic guard of its own, for a middleware with no code
    /// after it ([`ProviderMiddleware`](crate::ProviderMiddleware)): a panic below unwinds to the guard
    /// above it (the next around middleware's `run`, or the router's outermost one), which answers
    /// the same 500, and no code of this middleware is skipped. Saves a `catch_unwind`, and the copy
    /// of the response through it, per provider.
    pub(crate) fn run_unguarded(
        self,
        ctx: Context<P>,
    ) -> impl Future<Output = Response> + Send + 'a {
        self.endpoint.call(ctx)
    }

    /// The rest of the chain, for a middleware group that runs its members in front of it.
    pub(crate) fn into_endpoint(self) -> &'a E {
        self.endpoint
    }
}

/// Runs `future`, turning a panic into a logged 500.
pub(crate) fn guarded<F: Future<Output = Response>>(future: F) -> Guarded<F> {
    Guarded { future }
}

/// The future of [`Next::run`]: the rest of the chain, with panics turned into a 500. Awaited, never
/// named: see [`Next::run`]'s example.
///
/// One wrapper rather than a stack of combinators: every wrapper moves the (large) chain future once
/// more when the request starts.
///
/// What it gives a middleware: the code after `next.run(ctx).await` runs even when something below
/// panicked, and sees the 500 the panic became.
///
/// ```
/// use baton::{Context, Next, Response, Router, get, middleware};
///
/// #[middleware]
/// async fn stamp(ctx: Context, next: Next) -> Response {
///     let mut response = next.run(ctx).await; // a `Guarded` future
///     response.headers_mut().insert("x-stamped", "yes".parse().unwrap());
///     response
/// }
///
/// let app = Router::new()
///     .with(stamp)
///     .route("/boom", get(|_: Context| async { if true { panic!("boom") } }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/boom").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["x-stamped"], "yes");
/// # });
/// ```
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
    crate::catch::mark(
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response(),
        crate::catch::ErrorKind::Panic,
    )
}

//! The request logger: one `tracing` line per request, and a span around the rest of the chain.
//!
//! [`logger()`] requires [`RequestId`] (mount [`request_id()`](crate::request_id::request_id) before
//! it; the other order does not compile) and provides [`Logger`], the request's span. Once the chain
//! has answered it logs, at `INFO` and inside that span, one event with
//!
//! * `method`, `route` (the matched pattern, `/users/{id}`, not the raw path, so logs and metrics
//!   group by route; `-` when no route matched), `status`, `latency_us` and `request_id`.
//!
//! Every event the handler and the middleware below emit runs inside the span, so they carry the
//! request id too.
//!
//! ```
//! use baton::builtin::logger::logger;
//! use baton::request_id::request_id;
//! use baton::{Context, Router, get, handler};
//!
//! #[handler]
//! async fn show(_ctx: Context) -> &'static str {
//!     tracing::info!("inside the request's span");
//!     "ok"
//! }
//!
//! let app = Router::new().with(request_id()).with(logger()).route("/users/{id}", get(show));
//! # #[derive(Clone, Default)]
//! # struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
//! # impl std::io::Write for Captured {
//! #     fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().extend_from_slice(bytes); Ok(bytes.len()) }
//! #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
//! # }
//! # impl Captured { fn text(&self) -> String { String::from_utf8(self.0.lock().unwrap().clone()).unwrap() } }
//! // Log lines into a buffer, to look at them.
//! let logs = Captured::default();
//! let writer = logs.clone();
//! let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
//! let _default = tracing::subscriber::set_default(subscriber);
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let request = http::Request::get("/users/42").header("x-request-id", "req-7").body(baton::Body::empty()).unwrap();
//! assert_eq!(app.call_request(request).await.status(), 200);
//! # });
//! let logs = logs.text();
//! let line = logs.lines().find(|line| line.contains(" request ")).expect("the request's line");
//! for field in ["method=GET", r#"route="/users/{id}""#, "status=200", "latency_us=", r#"request_id="req-7""#] {
//!     assert!(line.contains(field), "{field} in {line}");
//! }
//! // The handler's own event carries the request id: it ran inside the span.
//! let event = logs.lines().find(|line| line.contains("inside the request's span")).unwrap();
//! assert!(event.contains(r#"request_id="req-7""#), "{event}");
//! ```

use crate::request_id::RequestId;
use baton_core::{Context, Endpoint, Has, KeyList, Lacks, Middleware, Next, Response};
use baton_macros::context_key;
use std::time::Instant;
use tracing::{Instrument, Span};

/// The request's `tracing` span, provided by [`logger()`]: enter it in work the request spawns so
/// that work's events carry the request id.
///
/// ```
/// use baton::builtin::logger::{Logger, logger};
/// use baton::request_id::request_id;
/// use baton::{Context, Router, get, handler};
/// use tracing::Instrument;
///
/// #[handler]
/// async fn spawn_work(ctx: Context) -> &'static str {
///     let span = ctx.get::<Logger>().span().clone();
///     let work = tokio::spawn(async { tracing::info!("in the background") }.instrument(span));
///     work.await.unwrap();
///     "done"
/// }
///
/// let app = Router::new().with(request_id()).with(logger()).route("/", get(spawn_work));
/// # #[derive(Clone, Default)]
/// # struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
/// # impl std::io::Write for Captured {
/// #     fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().extend_from_slice(bytes); Ok(bytes.len()) }
/// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// # }
/// # impl Captured { fn text(&self) -> String { String::from_utf8(self.0.lock().unwrap().clone()).unwrap() } }
/// // Log lines into a buffer, to look at them.
/// let logs = Captured::default();
/// let writer = logs.clone();
/// let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
/// let _default = tracing::subscriber::set_default(subscriber);
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("x-request-id", "job-1").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "done");
/// # });
/// let logs = logs.text();
/// let background = logs.lines().find(|line| line.contains("in the background")).unwrap();
/// assert!(background.contains(r#"request_id="job-1""#), "the spawned task's event: {background}");
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone, Debug)]
pub struct Logger(Span);

impl Logger {
    /// The span.
    ///
    /// ```
    /// # use baton::builtin::logger::{Logger, logger};
    /// # use baton::request_id::request_id;
    /// # use baton::{Context, Router, get, handler};
    /// #[handler]
    /// async fn show(ctx: Context) -> String {
    ///     let span = ctx.get::<Logger>().span();
    ///     span.in_scope(|| tracing::info!("here"));
    ///     span.metadata().map_or("disabled", |meta| meta.name()).to_string()
    /// }
    ///
    /// let app = Router::new().with(request_id()).with(logger()).route("/", get(show));
    /// # #[derive(Clone, Default)]
    /// # struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    /// # impl std::io::Write for Captured {
    /// #     fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().extend_from_slice(bytes); Ok(bytes.len()) }
    /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// # impl Captured { fn text(&self) -> String { String::from_utf8(self.0.lock().unwrap().clone()).unwrap() } }
    /// // Log lines into a buffer, to look at them.
    /// let logs = Captured::default();
    /// let writer = logs.clone();
    /// let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    /// let _default = tracing::subscriber::set_default(subscriber);
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let request = http::Request::get("/").header("x-request-id", "r-1").body(baton::Body::empty()).unwrap();
    /// let response = app.call_request(request).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "http", "the span's name");
    /// # });
    /// let logs = logs.text();
    /// let here = logs.lines().find(|line| line.contains("here")).unwrap();
    /// assert!(here.contains(r#"http{request_id="r-1" method=GET route="/"}"#), "{here}");
    /// ```
    pub fn span(&self) -> &Span {
        &self.0
    }
}

/// The logger middleware; see the [module docs](self).
///
/// Mounting it without [`request_id()`](crate::request_id::request_id) above does not compile:
///
/// ```compile_fail
/// use baton::builtin::logger::logger;
/// use baton::{Context, Router, get};
///
/// // error: no upstream middleware provides `RequestId` on this route
/// let _app = Router::new().with(logger()).route("/", get(|_: Context| async { "hi" }));
/// ```
pub fn logger() -> LoggerMiddleware {
    LoggerMiddleware { _private: () }
}

/// Middleware returned by [`logger()`]. It can be mounted on a scope only, to log part of the site
/// (it still requires [`RequestId`] above it).
///
/// ```
/// use baton::builtin::logger::{LoggerMiddleware, logger};
/// use baton::request_id::request_id;
/// use baton::{Context, Router, get};
///
/// let api_log: LoggerMiddleware = logger();
/// let app = Router::new()
///     .with(request_id())
///     .route("/health", get(|_: Context| async { "ok" }))
///     .scope("/api", |api| api.with(api_log).route("/users", get(|_: Context| async { "[]" })));
/// # #[derive(Clone, Default)]
/// # struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
/// # impl std::io::Write for Captured {
/// #     fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().extend_from_slice(bytes); Ok(bytes.len()) }
/// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// # }
/// # impl Captured { fn text(&self) -> String { String::from_utf8(self.0.lock().unwrap().clone()).unwrap() } }
/// // Log lines into a buffer, to look at them.
/// let logs = Captured::default();
/// let writer = logs.clone();
/// let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
/// let _default = tracing::subscriber::set_default(subscriber);
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// for path in ["/health", "/api/users"] {
///     let response = app.call_request(http::Request::get(path).body(baton::Body::empty()).unwrap()).await;
///     assert_eq!(response.status(), 200);
/// }
/// # });
/// let logs = logs.text();
/// assert!(logs.contains(r#"route="/api/users""#), "{logs}");
/// assert!(!logs.contains(r#"route="/health""#), "not logged: {logs}");
/// ```
#[derive(Clone, Debug)]
pub struct LoggerMiddleware {
    _private: (),
}

impl<P> Middleware<P> for LoggerMiddleware
where
    P: KeyList + Has<RequestId> + Lacks<Logger>,
{
    type Out = crate::gated!(P => (Logger, P); Has<RequestId>, Lacks<Logger>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let started = Instant::now();
        let method = ctx.method().clone();
        let route = ctx.matched_path().unwrap_or("-").to_string();
        let request_id = ctx.get::<RequestId>().clone();
        let span = tracing::info_span!(
            "http",
            request_id = request_id.as_str(),
            method = %method,
            route,
        );
        let ctx = ctx.provide(Logger(span.clone()));
        let response = next.run(ctx).instrument(span.clone()).await;
        let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        span.in_scope(|| {
            tracing::info!(
                method = %method,
                route,
                status = response.status().as_u16(),
                latency_us,
                request_id = request_id.as_str(),
                "request"
            );
        });
        response
    }
}

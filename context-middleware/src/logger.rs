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
//! use baton::builtin::logger::{Logger, logger};
//! use baton::request_id::request_id;
//! use baton::{Context, Router, get, handler};
//!
//! #[handler]
//! async fn show(ctx: Context) -> &'static str {
//!     tracing::info!("inside the request's span");
//!     let _span: &tracing::Span = ctx.get::<Logger>().span();
//!     "ok"
//! }
//!
//! let _app = Router::new().with(request_id()).with(logger()).route("/", get(show));
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
///
/// #[handler]
/// async fn spawn_work(ctx: Context) -> &'static str {
///     let span = ctx.get::<Logger>().span().clone();
///     tokio::spawn(async { tracing::info!("in the background") }.instrument(span));
///     "started"
/// }
/// # use tracing::Instrument;
/// let _app = Router::new().with(request_id()).with(logger()).route("/", get(spawn_work));
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
    /// async fn show(ctx: Context) -> &'static str {
    ///     ctx.get::<Logger>().span().in_scope(|| tracing::debug!("here"));
    ///     "ok"
    /// }
    /// # let _app = Router::new().with(request_id()).with(logger()).route("/", get(show));
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

/// Middleware returned by [`logger()`].
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

//! Request ids and W3C trace context, so a request can be followed from service to service.
//!
//! [`request_id()`] is a middleware that
//!
//! * honours an incoming `x-request-id` of 1 to 128 characters from `[A-Za-z0-9._:-]` (or generates one)
//!   and provides it as [`RequestId`];
//! * honours an incoming W3C `traceparent` (or starts a trace) and provides [`TraceContext`], with a fresh
//!   span id for this service;
//! * runs the rest of the chain inside a `tracing` span carrying both ids;
//! * echoes `x-request-id` on the response.
//!
//! Outgoing calls carry the context on with [`inject`]: the same request id and trace id, and this
//! service's span as the parent.
//!
//! ```
//! use baton::request_id::{RequestId, TraceContext, inject, request_id};
//! use baton::{Context, Router, get, handler};
//!
//! // `inject` reads both keys: `requires` states them, so the route is checked for them.
//! #[handler(requires = RequestId, TraceContext)]
//! async fn call_billing(ctx: Context) -> String {
//!     let mut outgoing = http::HeaderMap::new();
//!     inject(&ctx, &mut outgoing);
//!     outgoing["traceparent"].to_str().unwrap().to_string()
//! }
//!
//! let app = Router::new().with(request_id()).route("/", get(call_billing));
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let request = http::Request::get("/")
//!     .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
//!     .body(baton::Body::empty())
//!     .unwrap();
//! let response = app.call_request(request).await;
//! assert!(response.headers().contains_key("x-request-id"), "a new id, echoed");
//! let outgoing = response.into_body().collect_bytes().await.unwrap();
//! let outgoing = std::str::from_utf8(&outgoing).unwrap();
//! // Same trace, this service's span as the parent of the next.
//! assert!(outgoing.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"), "{outgoing}");
//! assert!(!outgoing.contains("00f067aa0ba902b7"), "{outgoing}");
//! # });
//! ```

use baton_core::{Context, Endpoint, Has, KeyList, Lacks, Middleware, Next, Response};
use baton_macros::context_key;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// The header carrying the request id.
///
/// ```
/// use baton::request_id::{X_REQUEST_ID, request_id};
/// use baton::{Context, Router, get};
///
/// let app = Router::new().with(request_id()).route("/", get(|_: Context| async { "ok" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header(X_REQUEST_ID, "abc-123").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.headers()[X_REQUEST_ID], "abc-123");
/// assert_eq!(X_REQUEST_ID.as_str(), "x-request-id");
/// # });
/// ```
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The W3C trace context header.
///
/// ```
/// use baton::request_id::{TRACEPARENT, TraceContext, request_id};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn trace(ctx: Context) -> String {
///     ctx.get::<TraceContext>().trace_id()
/// }
///
/// let app = Router::new().with(request_id()).route("/", get(trace));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/")
///     .header(TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
///     .body(baton::Body::empty())
///     .unwrap();
/// let trace_id = app.call_request(request).await.into_body().collect_bytes().await.unwrap();
/// assert_eq!(trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
/// # });
/// ```
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// This request's id: the caller's `x-request-id` when it sent a usable one (1 to 128 characters from
/// `[A-Za-z0-9._:-]`), otherwise a new one.
///
/// ```
/// use baton::request_id::{RequestId, request_id};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn show(ctx: Context) -> String {
///     ctx.get::<RequestId>().to_string()
/// }
///
/// let app = Router::new().with(request_id()).route("/", get(show));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let with_id = |id: &str| http::Request::get("/").header("x-request-id", id).body(baton::Body::empty()).unwrap();
/// let body = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
/// assert_eq!(body(app.call_request(with_id("svc-a:42")).await).await, "svc-a:42");
/// // Markup (or spaces, quotes, more than 128 characters) is not echoed: a new id replaces it.
/// let replaced = body(app.call_request(with_id("<script>")).await).await;
/// assert_eq!(replaced.len(), 32, "{replaced:?}");
/// # });
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// The id as text.
    ///
    /// ```
    /// use baton::request_id::{RequestId, request_id};
    /// use baton::{Context, Router, get, handler};
    ///
    /// #[handler]
    /// async fn audit(ctx: Context) -> String {
    ///     format!("[{}] deleted note 7", ctx.get::<RequestId>().as_str())
    /// }
    ///
    /// let app = Router::new().with(request_id()).route("/", get(audit));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let request = http::Request::get("/").header("x-request-id", "req-9").body(baton::Body::empty()).unwrap();
    /// let line = app.call_request(request).await.into_body().collect_bytes().await.unwrap();
    /// assert_eq!(line, "[req-9] deleted note 7");
    /// # });
    /// ```
    pub fn as_str(&self) -> &str {
        // Only ASCII values are accepted or generated, so this cannot fail.
        self.0.to_str().unwrap_or_default()
    }

    /// The id as a header value, to send on an outgoing request as it is.
    ///
    /// ```
    /// use baton::request_id::{RequestId, X_REQUEST_ID, request_id};
    /// use baton::{Context, Router, get, handler};
    ///
    /// #[handler]
    /// async fn forward(ctx: Context) -> String {
    ///     let outgoing = http::Request::get("http://billing.internal/invoices")
    ///         .header(X_REQUEST_ID, ctx.get::<RequestId>().header_value())
    ///         .body(())
    ///         .unwrap();
    ///     outgoing.headers()[X_REQUEST_ID].to_str().unwrap().to_string()
    /// }
    ///
    /// let app = Router::new().with(request_id()).route("/", get(forward));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let request = http::Request::get("/").header(X_REQUEST_ID, "req-3").body(baton::Body::empty()).unwrap();
    /// assert_eq!(app.call_request(request).await.into_body().collect_bytes().await.unwrap(), "req-3");
    /// # });
    /// ```
    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The W3C trace context of this request: the trace it belongs to, the caller's span and ours.
///
/// ```
/// use baton::request_id::{TraceContext, request_id};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn trace(ctx: Context) -> String {
///     let trace = ctx.get::<TraceContext>();
///     format!("{} from {}", trace.trace_id(), trace.parent_id().unwrap_or_else(|| "nobody".into()))
/// }
///
/// let app = Router::new().with(request_id()).route("/", get(trace));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
/// let continued = http::Request::get("/")
///     .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
///     .body(baton::Body::empty())
///     .unwrap();
/// assert_eq!(
///     text(app.call_request(continued).await).await,
///     "4bf92f3577b34da6a3ce929d0e0e4736 from 00f067aa0ba902b7"
/// );
/// // No (or a malformed) traceparent: a new trace, with no caller span.
/// let started = text(app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await).await;
/// assert!(started.ends_with(b" from nobody") && started.len() == 32 + " from nobody".len());
/// # });
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: [u8; 16],
    parent_id: Option<[u8; 8]>,
    span_id: [u8; 8],
    sampled: bool,
}

impl TraceContext {
    /// Starts a new trace (no caller span).
    ///
    /// ```
    /// use baton::request_id::TraceContext;
    ///
    /// let root = TraceContext::new_root();
    /// assert_eq!(root.parent_id(), None);
    /// assert_ne!(root.trace_id(), TraceContext::new_root().trace_id());
    /// assert!(root.traceparent().ends_with("-01"), "sampled");
    /// ```
    pub fn new_root() -> Self {
        let high = random_u64().to_be_bytes();
        let low = random_u64().to_be_bytes();
        let mut trace_id = [0; 16];
        trace_id[..8].copy_from_slice(&high);
        trace_id[8..].copy_from_slice(&low);
        TraceContext {
            trace_id,
            parent_id: None,
            span_id: random_span_id(),
            sampled: true,
        }
    }

    /// Continues the trace of a `traceparent` header value (`00-<trace>-<parent>-<flags>`), with a new span
    /// for this service.
    ///
    /// Parsing follows W3C Trace Context strictly: a version of 2 lowercase hex digits other than `ff`,
    /// a trace id of 32 and a parent id of 16 lowercase hex digits, neither all zero, and 2 lowercase hex
    /// digits of flags. Version `00` has exactly these four fields; a later version may append more after
    /// a `-`. Anything else gives `None`.
    ///
    /// ```
    /// use baton::request_id::TraceContext;
    ///
    /// let trace = TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").unwrap();
    /// assert_eq!(trace.parent_id().as_deref(), Some("00f067aa0ba902b7"));
    /// assert!(trace.traceparent().ends_with("-00"), "not sampled, as the caller said");
    /// // A later version may add fields; upper-case hex, an all-zero id or version `ff` are refused.
    /// assert!(TraceContext::from_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz").is_some());
    /// assert!(TraceContext::from_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_none());
    /// assert!(TraceContext::from_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
    /// assert!(TraceContext::from_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_none());
    /// ```
    pub fn from_traceparent(value: &str) -> Option<Self> {
        let mut fields = value.split('-');
        let version = fields.next()?;
        let trace = fields.next()?;
        let parent = fields.next()?;
        let flags = fields.next()?;
        let [version]: [u8; 1] = decode_hex(version)?;
        if version == 0xff || (version == 0 && fields.next().is_some()) {
            return None;
        }
        let trace_id: [u8; 16] = decode_hex(trace)?;
        let parent_id: [u8; 8] = decode_hex(parent)?;
        let [flags]: [u8; 1] = decode_hex(flags)?;
        if trace_id == [0; 16] || parent_id == [0; 8] {
            return None;
        }
        Some(TraceContext {
            trace_id,
            parent_id: Some(parent_id),
            span_id: random_span_id(),
            sampled: flags & 1 == 1,
        })
    }

    /// The trace id as 32 lowercase hex digits.
    ///
    /// ```
    /// use baton::request_id::TraceContext;
    ///
    /// let trace = TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert_eq!(trace.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// ```
    pub fn trace_id(&self) -> String {
        encode_hex(&self.trace_id)
    }

    /// This service's span id as 16 lowercase hex digits: new for each request, never the caller's.
    ///
    /// ```
    /// use baton::request_id::TraceContext;
    ///
    /// let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    /// let trace = TraceContext::from_traceparent(incoming).unwrap();
    /// let span = trace.span_id();
    /// assert_eq!(span.len(), 16);
    /// assert_ne!(span, "00f067aa0ba902b7");
    /// assert_ne!(span, TraceContext::from_traceparent(incoming).unwrap().span_id());
    /// ```
    pub fn span_id(&self) -> String {
        encode_hex(&self.span_id)
    }

    /// The caller's span id, if the request came with a `traceparent`.
    ///
    /// ```
    /// use baton::request_id::TraceContext;
    ///
    /// let trace = TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert_eq!(trace.parent_id().as_deref(), Some("00f067aa0ba902b7"));
    /// assert_eq!(TraceContext::new_root().parent_id(), None);
    /// ```
    pub fn parent_id(&self) -> Option<String> {
        self.parent_id.as_ref().map(|id| encode_hex(id))
    }

    /// The `traceparent` to send on outgoing requests: same trace, this service's span as parent.
    ///
    /// ```
    /// use baton::request_id::TraceContext;
    ///
    /// let trace = TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// let outgoing = trace.traceparent();
    /// assert_eq!(outgoing, format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{}-01", trace.span_id()));
    /// // The next service continues it, with us as its parent.
    /// let next = TraceContext::from_traceparent(&outgoing).unwrap();
    /// assert_eq!(next.parent_id(), Some(trace.span_id()));
    /// ```
    pub fn traceparent(&self) -> String {
        format!(
            "00-{}-{}-{:02x}",
            self.trace_id(),
            self.span_id(),
            u8::from(self.sampled)
        )
    }
}

/// Writes this request's `x-request-id` and `traceparent` into the headers of an outgoing request.
///
/// ```
/// use baton::request_id::{RequestId, TraceContext, inject, request_id};
/// use baton::{Context, Router, get, handler};
///
/// #[handler(requires = RequestId, TraceContext)]
/// async fn call_billing(ctx: Context) -> String {
///     let mut outgoing = http::Request::get("http://billing.internal/").body(()).unwrap();
///     inject(&ctx, outgoing.headers_mut());
///     let trace = ctx.get::<TraceContext>();
///     assert_eq!(outgoing.headers()["traceparent"].to_str().unwrap(), trace.traceparent());
///     outgoing.headers()["x-request-id"].to_str().unwrap().to_string()
/// }
///
/// let app = Router::new().with(request_id()).route("/", get(call_billing));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("x-request-id", "req-5").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "req-5");
/// # });
/// ```
pub fn inject<P: Has<RequestId> + Has<TraceContext>>(ctx: &Context<P>, headers: &mut HeaderMap) {
    headers.insert(X_REQUEST_ID, ctx.get::<RequestId>().0.clone());
    if let Ok(value) = HeaderValue::from_str(&ctx.get::<TraceContext>().traceparent()) {
        headers.insert(TRACEPARENT, value);
    }
}

/// The request-id and trace-context middleware; see the [module docs](self).
///
/// ```
/// use baton::request_id::request_id;
/// use baton::{Context, Router, get};
///
/// let app = Router::new().with(request_id()).route("/", get(|_: Context| async { "ok" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let first = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// let second = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// // Generated ids: 32 hex digits, a new one per request, on every response.
/// let id = first.headers()["x-request-id"].to_str().unwrap();
/// assert_eq!(id.len(), 32);
/// assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
/// assert_ne!(first.headers()["x-request-id"], second.headers()["x-request-id"]);
/// # });
/// ```
pub fn request_id() -> RequestIdMiddleware {
    RequestIdMiddleware { _private: () }
}

/// Middleware returned by [`request_id()`]. A caller's id is kept up to 128 characters; a longer
/// one is replaced, so nothing unbounded reaches the logs.
///
/// ```
/// use baton::request_id::{RequestIdMiddleware, request_id};
/// use baton::{Context, Router, get};
///
/// let ids: RequestIdMiddleware = request_id();
/// let app = Router::new().with(ids).route("/", get(|_: Context| async { "ok" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let echoed = |id: String| {
///     let app = app.clone();
///     async move {
///         let request = http::Request::get("/").header("x-request-id", &id).body(baton::Body::empty()).unwrap();
///         app.call_request(request).await.headers()["x-request-id"].to_str().unwrap().to_string()
///     }
/// };
/// assert_eq!(echoed("a".repeat(128)).await, "a".repeat(128));
/// assert_eq!(echoed("a".repeat(129)).await.len(), 32, "replaced by a new id");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct RequestIdMiddleware {
    _private: (),
}

impl<P> Middleware<P> for RequestIdMiddleware
where
    P: KeyList + Lacks<RequestId> + Lacks<TraceContext>,
{
    type Out =
        crate::gated!(P => (TraceContext, (RequestId, P)); Lacks<RequestId>, Lacks<TraceContext>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let id = ctx
            .headers()
            .get(X_REQUEST_ID)
            .filter(|value| usable_request_id(value))
            .cloned()
            .unwrap_or_else(new_request_id);
        let trace = ctx
            .headers()
            .get(TRACEPARENT)
            .and_then(|value| value.to_str().ok())
            .and_then(TraceContext::from_traceparent)
            .unwrap_or_else(TraceContext::new_root);
        let span = tracing::info_span!(
            "request",
            request_id = id.to_str().unwrap_or_default(),
            trace_id = %trace.trace_id(),
            span_id = %trace.span_id(),
            method = %ctx.method(),
            path = ctx.uri().path(),
        );
        let ctx = ctx.provide(RequestId(id.clone())).provide(trace);
        let mut response = next.run(ctx).instrument(span).await;
        response.headers_mut().insert(X_REQUEST_ID, id);
        response
    }
}

/// Ids from callers are echoed into logs, responses and other services' requests: accept only the
/// characters ids are made of (no quotes, markup, separators or spaces that a log or page could misread).
fn usable_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b':' | b'-'))
}

fn new_request_id() -> HeaderValue {
    let text = format!("{:016x}{:016x}", random_u64(), random_u64());
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("0"))
}

fn random_span_id() -> [u8; 8] {
    loop {
        let id = random_u64();
        if id != 0 {
            return id.to_be_bytes();
        }
    }
}

/// Unpredictable-enough ids without a random-number dependency: std's randomly keyed SipHash over a
/// process-wide counter. Ids are for correlation, not for security.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static KEYS: std::collections::hash_map::RandomState = std::collections::hash_map::RandomState::new();
    }
    KEYS.with(|keys| {
        let mut hasher = keys.build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.finish()
    })
}

fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2
        || !text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    let mut out = [0; N];
    for (index, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).ok()?;
    }
    Some(out)
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_continues_a_traceparent() {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let trace = TraceContext::from_traceparent(incoming).unwrap();
        assert_eq!(trace.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(trace.parent_id().as_deref(), Some("00f067aa0ba902b7"));
        assert_ne!(trace.span_id(), "00f067aa0ba902b7");
        let outgoing = trace.traceparent();
        assert!(outgoing.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assert!(outgoing.ends_with("-01"));
    }

    #[test]
    fn rejects_malformed_traceparents() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "\u{e9}-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
        ] {
            assert!(TraceContext::from_traceparent(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn request_ids_from_callers_are_screened() {
        assert!(usable_request_id(&HeaderValue::from_static("abc-123")));
        assert!(usable_request_id(&HeaderValue::from_static(
            "svc.a_b:4f-ZZ"
        )));
        assert!(!usable_request_id(&HeaderValue::from_static("has space")));
        assert!(!usable_request_id(&HeaderValue::from_static("<b>")));
        assert!(!usable_request_id(&HeaderValue::from_static("")));
        assert!(!usable_request_id(
            &HeaderValue::from_str(&"x".repeat(129)).unwrap()
        ));
        assert_ne!(new_request_id(), new_request_id());
    }
}

//! tower-http's transport layers, as thin functions returning the layer for
//! [`Router::layer`](baton_core::Router::layer). A layer wraps the routes of the router or scope it is
//! added to, outside their baton middleware.
//!
//! ```
//! use baton::builtin::transport::{compression, cors, timeout};
//! use baton::{Context, Router, get};
//! use std::time::Duration;
//!
//! let app = Router::new()
//!     .route("/", get(|_: Context| async { "hello ".repeat(100) }))
//!     .route("/slow", get(|_: Context| async {
//!         tokio::time::sleep(Duration::from_secs(60)).await;
//!         "too late"
//!     }))
//!     .layer(compression())
//!     .layer(cors(["https://app.example.com"]))
//!     .layer(timeout(Duration::from_millis(50)));
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let request = http::Request::get("/")
//!     .header("accept-encoding", "gzip")
//!     .header("origin", "https://app.example.com")
//!     .body(baton::Body::empty())
//!     .unwrap();
//! let response = app.call_request(request).await;
//! assert_eq!(response.headers()["content-encoding"], "gzip");
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! let compressed = response.into_body().collect_bytes().await.unwrap();
//! assert!(compressed.len() < "hello ".len() * 100, "{} bytes", compressed.len());
//!
//! let slow = app.call_request(http::Request::get("/slow").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(slow.status(), 408);
//! # });
//! ```

#[cfg(feature = "compression")]
pub use tower_http::compression::CompressionLayer;
#[cfg(feature = "cors")]
pub use tower_http::cors::CorsLayer;
#[cfg(feature = "timeout")]
pub use tower_http::timeout::TimeoutLayer;

/// Compresses response bodies (gzip or brotli, by the client's `Accept-Encoding`), skipping images,
/// already-compressed types and bodies under 32 bytes.
///
/// ```
/// use baton::builtin::transport::compression;
/// use baton::{Context, Router, get};
///
/// let app = Router::new().route("/", get(|_: Context| async { "x".repeat(1000) })).layer(compression());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("accept-encoding", "gzip").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.headers()["content-encoding"], "gzip");
/// # });
/// ```
#[cfg(feature = "compression")]
pub fn compression() -> CompressionLayer {
    CompressionLayer::new()
}

/// CORS for the listed origins (`https://app.example.com`): any method, the request's headers,
/// preflights answered. Chain tower-http's builder for more (`.allow_credentials(true)`). An origin
/// that is not a valid header value is left out, with a warning.
///
/// ```
/// use baton::builtin::transport::cors;
/// use baton::{Context, Router, get};
///
/// let app = Router::new().route("/", get(|_: Context| async { "hi" })).layer(cors(["https://a.example"]));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("origin", "https://a.example").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://a.example");
/// # });
/// ```
#[cfg(feature = "cors")]
pub fn cors<I, S>(origins: I) -> CorsLayer
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin};
    let origins: Vec<http::HeaderValue> = origins
        .into_iter()
        .filter_map(|origin| {
            let origin = origin.as_ref();
            let value = http::HeaderValue::from_str(origin.trim_end_matches('/')).ok();
            if value.is_none() {
                tracing::warn!(origin, "CORS origin is not a valid header value; ignored");
            }
            value
        })
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
}

/// Answers `408 Request Timeout` when a route takes longer than `duration`; the route's future is
/// dropped, its after-code included.
///
/// ```
/// use baton::builtin::transport::timeout;
/// use baton::{Context, Router, get};
/// use std::time::Duration;
///
/// let app = Router::new()
///     .route("/slow", get(|_: Context| async { tokio::time::sleep(Duration::from_secs(5)).await; "late" }))
///     .layer(timeout(Duration::from_millis(10)));
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/slow").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.status(), 408);
/// # });
/// ```
#[cfg(feature = "timeout")]
pub fn timeout(duration: std::time::Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, duration)
}

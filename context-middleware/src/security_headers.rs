//! Security headers, with a per-request Content-Security-Policy nonce for templates.
//!
//! [`security_headers()`] provides [`CspNonce`] (128 random bits, base64) and sets, on every response
//! that does not already carry them:
//!
//! * `X-Content-Type-Options: nosniff`: no guessing a script out of an upload;
//! * `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: no clickjacking in a frame;
//! * `Referrer-Policy: strict-origin-when-cross-origin`: no full URLs (tokens in queries) to other sites;
//! * `Content-Security-Policy`: by default `default-src 'self'; script-src 'self' 'nonce-…';
//!   style-src 'self' 'nonce-…'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`, so only
//!   the page's own files and the inline `<script nonce=…>` it rendered run, never injected markup.
//!
//! A handler that set one of these headers itself keeps its own.
//!
//! ```
//! use baton::builtin::security_headers::{CspNonce, security_headers};
//! use baton::{Context, Html, Router, get, handler};
//!
//! #[handler]
//! async fn page(ctx: Context) -> Html<String> {
//!     let nonce = ctx.get::<CspNonce>();
//!     Html(format!("<script nonce=\"{nonce}\">console.log('allowed')</script>"))
//! }
//!
//! let app = Router::new().with(security_headers()).route("/", get(page));
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.headers()["x-content-type-options"], "nosniff");
//! let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
//! let page = response.into_body().collect_bytes().await.unwrap();
//! let nonce = std::str::from_utf8(&page).unwrap().split('"').nth(1).unwrap();
//! // The policy allows exactly the script the page rendered.
//! assert!(csp.contains(&format!("script-src 'self' 'nonce-{nonce}'")), "{csp}");
//! # });
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use baton_core::{
    Context, Endpoint, IntoResponse, KeyList, Lacks, Middleware, Next, Response, StatusCode,
};
use baton_macros::context_key;
use http::HeaderValue;
use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use std::fmt;
use std::sync::Arc;

/// This request's Content-Security-Policy nonce: put it in `nonce="…"` on the inline `<script>` and
/// `<style>` elements the page renders. New for every request.
///
/// ```
/// use baton::builtin::security_headers::{CspNonce, security_headers};
/// use baton::{Context, Router, get, handler};
///
/// /// A template helper: reads the nonce.
/// #[handler]
/// fn script_tag(ctx: &Context) -> String {
///     format!("<script nonce=\"{}\" src=\"/app.js\"></script>", ctx.get::<CspNonce>().as_str())
/// }
///
/// #[handler(uses = script_tag)]
/// async fn page(ctx: Context) -> String {
///     script_tag(&ctx)
/// }
///
/// let app = Router::new().with(security_headers()).route("/", get(page));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let nonce_of = |response: &baton::Response| {
///     let csp = response.headers()["content-security-policy"].to_str().unwrap();
///     csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string()
/// };
/// let first = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// let nonce = nonce_of(&first);
/// let page = first.into_body().collect_bytes().await.unwrap();
/// assert_eq!(page, format!("<script nonce=\"{nonce}\" src=\"/app.js\"></script>"));
/// // A new one on every request.
/// let second = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_ne!(nonce_of(&second), nonce);
/// # });
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(String);

impl CspNonce {
    /// The nonce, base64 (letters, digits, `+`, `/`, `=`: safe inside an HTML attribute).
    ///
    /// ```
    /// # use baton::builtin::security_headers::{CspNonce, security_headers};
    /// # use baton::{Context, Router, get, handler};
    /// #[handler]
    /// async fn nonce(ctx: Context) -> String {
    ///     ctx.get::<CspNonce>().as_str().to_string()
    /// }
    ///
    /// let app = Router::new().with(security_headers()).route("/", get(nonce));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// let nonce = response.into_body().collect_bytes().await.unwrap();
    /// assert_eq!(nonce.len(), 24, "16 random bytes in base64");
    /// assert!(nonce.iter().all(|&b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));
    /// # });
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CspNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const DEFAULT_POLICY: &str = "default-src 'self'; script-src 'self' 'nonce-{nonce}'; \
    style-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/// The security-headers middleware with the default policy; see the [module docs](self).
///
/// ```
/// use baton::builtin::security_headers::security_headers;
/// use baton::{Context, Router, get};
///
/// let app = Router::new().with(security_headers()).route("/", get(|_: Context| async { "hi" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// let headers = response.headers();
/// assert_eq!(headers["x-content-type-options"], "nosniff");
/// assert_eq!(headers["x-frame-options"], "DENY");
/// assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
/// let csp = headers["content-security-policy"].to_str().unwrap();
/// assert!(csp.starts_with("default-src 'self'; script-src 'self' 'nonce-"), "{csp}");
/// assert!(csp.ends_with("object-src 'none'; base-uri 'self'; frame-ancestors 'none'"), "{csp}");
/// # });
/// ```
pub fn security_headers() -> SecurityHeaders {
    SecurityHeaders {
        policy: Arc::from(DEFAULT_POLICY),
    }
}

/// Middleware returned by [`security_headers()`]. A header the handler set itself is kept: here a
/// page meant to be framed by the site's own pages.
///
/// ```
/// use baton::builtin::security_headers::{SecurityHeaders, security_headers};
/// use baton::{Context, Router, get};
///
/// let headers: SecurityHeaders = security_headers();
/// let app = Router::new().with(headers).route(
///     "/embed",
///     get(|_: Context| async { ([("x-frame-options", "SAMEORIGIN")], "framed widget") }),
/// );
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/embed").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["x-frame-options"], "SAMEORIGIN", "the handler's own");
/// assert_eq!(response.headers()["x-content-type-options"], "nosniff", "the others still set");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    /// The CSP, with `{nonce}` where the request's nonce goes.
    policy: Arc<str>,
}

impl SecurityHeaders {
    /// Replaces the Content-Security-Policy; every `{nonce}` in it becomes the request's nonce.
    ///
    /// ```
    /// use baton::builtin::security_headers::security_headers;
    /// use baton::{Context, Router, get};
    ///
    /// let app = Router::new()
    ///     .with(security_headers().content_security_policy("script-src 'nonce-{nonce}'"))
    ///     .route("/", get(|_: Context| async { "hi" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert!(response.headers()["content-security-policy"].to_str().unwrap().starts_with("script-src 'nonce-"));
    /// # });
    /// ```
    pub fn content_security_policy(self, policy: &str) -> Self {
        SecurityHeaders {
            policy: Arc::from(policy),
        }
    }
}

fn new_nonce() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(STANDARD.encode(bytes))
}

impl<P> Middleware<P> for SecurityHeaders
where
    P: KeyList + Lacks<CspNonce>,
{
    type Out = crate::gated!(P => (CspNonce, P); Lacks<CspNonce>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        // A predictable nonce would void the policy: no randomness, no page.
        let Some(nonce) = new_nonce() else {
            tracing::error!("no randomness for a CSP nonce; answering 500");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        };
        let policy = HeaderValue::from_str(&self.policy.replace("{nonce}", &nonce));
        let mut response = next.run(ctx.provide(CspNonce(nonce))).await;
        let headers = response.headers_mut();
        let defaults = [
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
        ];
        for (name, value) in defaults {
            headers.entry(name).or_insert(value);
        }
        match policy {
            Ok(policy) => {
                headers.entry(CONTENT_SECURITY_POLICY).or_insert(policy);
            }
            // The app's own policy text holds a byte no header may carry: a configuration bug.
            Err(_) => tracing::error!("the Content-Security-Policy is not a valid header value"),
        }
        response
    }
}

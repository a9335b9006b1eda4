//! Cross-origin protection (the seeds' `cop()`): refuses state-changing requests that a browser sent
//! on behalf of another site, the classic CSRF vector, without tokens.
//!
//! tower-http 0.6 has no such layer, so this is the Fetch Metadata check written by hand. For a
//! request whose method is not safe (anything but GET, HEAD, OPTIONS):
//!
//! 1. if the browser sent `Sec-Fetch-Site` (every current browser does), only `same-origin` and `none`
//!    (typed in the address bar, a bookmark) pass; `cross-site` and `same-site` are refused, since a
//!    sibling subdomain is another origin too;
//! 2. otherwise, if it sent `Origin`, its host and port must equal the request's `Host`;
//! 3. a request with neither header did not come from a browser form or `fetch` (curl, another
//!    service) and passes: there is no ambient browser credential to abuse.
//!
//! A refused request gets a `403` naming the reason. Origins listed with [`Cop::allow_origin`] pass.
//!
//! ```
//! use baton::builtin::cop::cop;
//! use baton::{Body, Context, Router, post};
//!
//! let app = Router::new().with(cop()).route("/transfer", post(|_: Context| async { "done" }));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let forged = http::Request::post("/transfer").header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
//! assert_eq!(app.call_request(forged).await.status(), 403);
//! let own = http::Request::post("/transfer").header("sec-fetch-site", "same-origin").body(Body::empty()).unwrap();
//! assert_eq!(app.call_request(own).await.status(), 200);
//! # });
//! ```

use baton_core::{
    Context, Endpoint, IntoResponse, KeyList, Middleware, Next, Response, StatusCode,
};
use http::Method;
use http::header::{HOST, ORIGIN};
use std::sync::Arc;

/// Cross-origin protection with the default policy (no trusted origins); see the
/// [module docs](self).
///
/// ```
/// use baton::builtin::cop::cop;
/// use baton::{Body, Context, Router, post};
///
/// let app = Router::new()
///     .with(cop())
///     .route("/transfer", post(|_: Context| async { "sent" }).get(|_: Context| async { "the form" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let forged = http::Request::post("/transfer")
///     .header("host", "bank.example")
///     .header("origin", "https://evil.example") // an older browser: no Sec-Fetch-Site
///     .body(Body::empty())
///     .unwrap();
/// let refused = app.call_request(forged).await;
/// assert_eq!(refused.status(), 403);
/// let reason = refused.into_body().collect_bytes().await.unwrap();
/// assert_eq!(reason, "cross-origin request refused: Origin does not match Host");
///
/// // Safe methods are never refused: a cross-site link to the form still works.
/// let link = http::Request::get("/transfer").header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
/// assert_eq!(app.call_request(link).await.status(), 200);
/// # });
/// ```
pub fn cop() -> Cop {
    Cop {
        trusted: Arc::from(Vec::new()),
    }
}

/// Middleware returned by [`cop()`]. Like any middleware it can guard part of the site only, here
/// the API a separate admin front end calls.
///
/// ```
/// use baton::builtin::cop::{Cop, cop};
/// use baton::{Body, Context, Router, post};
///
/// let protection: Cop = cop().allow_origin("https://admin.example");
/// let app = Router::new()
///     .route("/webhook", post(|_: Context| async { "received" }))
///     .scope("/api", |api| api.with(protection).route("/users", post(|_: Context| async { "created" })));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let from = |path: &str, origin: &str| {
///     http::Request::post(path).header("sec-fetch-site", "cross-site").header("origin", origin).body(Body::empty()).unwrap()
/// };
/// assert_eq!(app.call_request(from("/api/users", "https://evil.example")).await.status(), 403);
/// assert_eq!(app.call_request(from("/api/users", "https://admin.example")).await.status(), 200);
/// assert_eq!(app.call_request(from("/webhook", "https://evil.example")).await.status(), 200, "unguarded");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Cop {
    /// Exact `Origin` values (`https://admin.example.com`) that may send unsafe requests.
    trusted: Arc<[String]>,
}

impl Cop {
    /// Trusts another origin (scheme, host and port, as browsers send it in `Origin`), e.g. an admin
    /// front end on its own domain.
    ///
    /// ```
    /// use baton::builtin::cop::cop;
    /// use baton::{Body, Context, Router, post};
    ///
    /// let app = Router::new()
    ///     .with(cop().allow_origin("https://admin.example.com"))
    ///     .route("/", post(|_: Context| async { "ok" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = http::Request::post("/")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .header("origin", "https://admin.example.com")
    ///     .body(Body::empty()).unwrap();
    /// assert_eq!(app.call_request(request).await.status(), 200);
    /// # });
    /// ```
    pub fn allow_origin(self, origin: impl Into<String>) -> Self {
        let mut trusted = self.trusted.to_vec();
        trusted.push(origin.into().trim_end_matches('/').to_string());
        Cop {
            trusted: Arc::from(trusted),
        }
    }

    /// Why the request is refused, or `None` when it may go on.
    fn refusal(&self, method: &Method, headers: &http::HeaderMap) -> Option<&'static str> {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return None;
        }
        let origin = headers.get(ORIGIN).and_then(|value| value.to_str().ok());
        if origin.is_some_and(|origin| self.trusted.iter().any(|trusted| trusted == origin)) {
            return None;
        }
        if let Some(site) = headers.get("sec-fetch-site") {
            return match site.as_bytes() {
                b"same-origin" | b"none" => None,
                _ => Some("cross-origin request refused: Sec-Fetch-Site is not same-origin"),
            };
        }
        let origin = headers.get(ORIGIN)?;
        let host = headers.get(HOST).and_then(|value| value.to_str().ok());
        match (origin_authority(origin.as_bytes()), host) {
            (Some(authority), Some(host)) if authority.eq_ignore_ascii_case(host) => None,
            _ => Some("cross-origin request refused: Origin does not match Host"),
        }
    }
}

/// `host[:port]` of an `Origin` value (`https://example.com:8443`); `None` for `null` or garbage.
fn origin_authority(origin: &[u8]) -> Option<&str> {
    let origin = std::str::from_utf8(origin).ok()?;
    let (_scheme, rest) = origin.split_once("://")?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

impl<P: KeyList> Middleware<P> for Cop {
    type Out = P;

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        // Behind HTTP/2 the authority is in the URI, not a `Host` header.
        let mut headers_with_host;
        let mut headers = ctx.headers();
        if headers.get(HOST).is_none()
            && let Some(authority) = ctx.uri().authority()
            && let Ok(value) = authority.as_str().parse()
        {
            headers_with_host = headers.clone();
            headers_with_host.insert(HOST, value);
            headers = &headers_with_host;
        }
        match self.refusal(ctx.method(), headers) {
            Some(reason) => {
                tracing::info!(reason, "cop refused a request");
                (StatusCode::FORBIDDEN, reason).into_response()
            }
            None => next.run(ctx).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (http::HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn the_origin_fallback_compares_authorities() {
        let cop = cop();
        let post = Method::POST;
        let same = headers(&[("origin", "https://a.example"), ("host", "a.example")]);
        assert_eq!(cop.refusal(&post, &same), None);
        let other = headers(&[("origin", "https://evil.example"), ("host", "a.example")]);
        assert!(cop.refusal(&post, &other).is_some());
        let null = headers(&[("origin", "null"), ("host", "a.example")]);
        assert!(cop.refusal(&post, &null).is_some());
        assert_eq!(cop.refusal(&post, &headers(&[])), None);
        assert_eq!(cop.refusal(&Method::GET, &other), None);
        let same_site = headers(&[("sec-fetch-site", "same-site")]);
        assert!(cop.refusal(&Method::DELETE, &same_site).is_some());
    }
}

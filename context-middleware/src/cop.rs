//! Cross-origin protection (the seeds' `cop()`): refuses state-changing requests that a browser sent
//! on behalf of another site, the classic CSRF vector, without tokens.
//!
//! The decision is tower-http's [`CsrfLayer`] (Go 1.25's
//! `CrossOriginProtection`, ported), run as a baton middleware so that it mounts with `.with(cop())`
//! where the chain needs it, and answers with the reason. For a request whose method is not safe
//! (anything but GET, HEAD, OPTIONS):
//!
//! 1. if the browser sent `Sec-Fetch-Site` (every current browser does), only `same-origin` and `none`
//!    (typed in the address bar, a bookmark) pass; `cross-site` and `same-site` are refused, since a
//!    sibling subdomain is another origin too;
//! 2. otherwise, if it sent `Origin`, its host and port must equal the request's authority (the URI's,
//!    as HTTP/2 sends it, else the `Host` header);
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
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context as TaskContext, Poll};
use tower::{Layer, Service, ServiceExt};
use tower_http::csrf::{ConfigError, Csrf, CsrfLayer, ProtectionError, ProtectionErrorKind};

const SEC_FETCH_SITE: &str = "sec-fetch-site";

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
        layer: CsrfLayer::new().with_rejection_response(refusal as Refusal),
    }
}

/// What tower-http's check answers for a refused request: the reason travels in its extensions.
type Refusal = fn(ProtectionError) -> http::Response<()>;

fn refusal(_: ProtectionError) -> http::Response<()> {
    let mut response = http::Response::new(());
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

/// The end of the check when it passes: nothing to do.
#[derive(Clone, Copy, Debug)]
struct Pass;

impl Service<http::Request<()>> for Pass {
    type Response = http::Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<()>, Infallible>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<()>) -> Self::Future {
        ready(Ok(http::Response::new(())))
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
    layer: CsrfLayer<Refusal>,
}

impl Cop {
    /// Trusts another origin (scheme, host and port, as browsers send it in `Origin`), e.g. an admin
    /// front end on its own domain. A trailing `/` is ignored.
    ///
    /// # Panics
    /// If `origin` is not an origin (`https://host[:port]`, no path): a configuration mistake, found
    /// at startup. [`try_allow_origin`](Self::try_allow_origin) returns the error instead.
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
        let origin = origin.into();
        match self.try_allow_origin(&origin) {
            Ok(cop) => cop,
            Err(error) => panic!("cop().allow_origin({origin:?}): {error}"),
        }
    }

    /// As [`allow_origin`](Self::allow_origin), returning the error for something that is not an
    /// origin.
    ///
    /// ```
    /// use baton::builtin::cop::cop;
    ///
    /// assert!(cop().try_allow_origin("https://admin.example:8443").is_ok());
    /// let error = cop().try_allow_origin("https://admin.example/login").unwrap_err();
    /// assert!(error.to_string().contains("path"));
    /// ```
    pub fn try_allow_origin(self, origin: &str) -> Result<Self, ConfigError> {
        // Browsers send an origin without the trailing `/` a copied URL often has.
        let origin = origin.strip_suffix('/').unwrap_or(origin);
        Ok(Cop {
            layer: self.layer.add_trusted_origin(origin)?,
        })
    }

    /// The reason a request is refused, or `None` when it passes.
    async fn refusal(
        &self,
        method: &Method,
        uri: &http::Uri,
        headers: &http::HeaderMap,
    ) -> Option<&'static str> {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return None;
        }
        // The check reads the method, the URI's authority and these three headers: hand it only
        // those, not a copy of every header.
        let mut probe = http::Request::new(());
        *probe.method_mut() = method.clone();
        *probe.uri_mut() = uri.clone();
        for name in [ORIGIN, HOST] {
            if let Some(value) = headers.get(&name) {
                probe.headers_mut().insert(name, value.clone());
            }
        }
        if let Some(value) = headers.get(SEC_FETCH_SITE) {
            probe.headers_mut().insert(SEC_FETCH_SITE, value.clone());
        }
        let check: Csrf<Pass, Refusal> = self.layer.layer(Pass);
        let response = match check.oneshot(probe).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let error = response.extensions().get::<ProtectionError>()?;
        Some(match error.kind() {
            ProtectionErrorKind::CrossOriginRequest => {
                "cross-origin request refused: Sec-Fetch-Site is not same-origin"
            }
            ProtectionErrorKind::CrossOriginRequestFromOldBrowser => {
                "cross-origin request refused: Origin does not match Host"
            }
            _ => "cross-origin request refused",
        })
    }
}

impl<P: KeyList> Middleware<P> for Cop {
    type Out = P;

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        match self.refusal(ctx.method(), ctx.uri(), ctx.headers()).await {
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

    #[tokio::test]
    async fn the_origin_fallback_compares_authorities() {
        let cop = cop();
        let (post, uri) = (Method::POST, http::Uri::from_static("/"));
        let same = headers(&[("origin", "https://a.example"), ("host", "a.example")]);
        assert_eq!(cop.refusal(&post, &uri, &same).await, None);
        let other = headers(&[("origin", "https://evil.example"), ("host", "a.example")]);
        assert!(cop.refusal(&post, &uri, &other).await.is_some());
        let null = headers(&[("origin", "null"), ("host", "a.example")]);
        assert!(cop.refusal(&post, &uri, &null).await.is_some());
        assert_eq!(cop.refusal(&post, &uri, &headers(&[])).await, None);
        assert_eq!(cop.refusal(&Method::GET, &uri, &other).await, None);
        let same_site = headers(&[("sec-fetch-site", "same-site")]);
        assert!(
            cop.refusal(&Method::DELETE, &uri, &same_site)
                .await
                .is_some()
        );
    }

    #[test]
    #[should_panic(expected = "cop().allow_origin(\"admin.example\")")]
    fn a_trusted_origin_that_is_not_an_origin_is_refused_at_startup() {
        let _ = cop().allow_origin("admin.example");
    }
}

//! Cross-site request forgery protection with a synchronizer token.
//!
//! [`csrf()`] requires [`Session`] and [`FormData`] (mount [`session()`](crate::session::session()) and
//! [`form_data()`](crate::form::form_data()) first: either order mistake does not compile, where the
//! seeds' framework throws at run time and its own guide lists `csrf()` before `session()`). It keeps a
//! random 32-byte token in the session and provides it as [`CsrfToken`] for the page's forms. A request
//! with an unsafe method (anything but GET, HEAD, OPTIONS and TRACE) must send the token back, in the
//! `_csrf` form field or the `x-csrf-token` header, or it is answered 403 with the reason; the
//! comparison takes the same time wherever the first differing byte is.
//!
//! [`csrf_header()`] checks the header only and needs no form data (for pages whose scripts send it).
//!
//! ```
//! use baton::builtin::cookies::{Key, KeyRing, cookies};
//! use baton::builtin::csrf::{CsrfToken, csrf};
//! use baton::builtin::form::{FormLimits, form_data};
//! use baton::builtin::session::{MemoryStore, session};
//! use baton::{Context, Html, Router, get, handler, post};
//!
//! #[handler]
//! async fn form(ctx: Context) -> Html<String> {
//!     let token = ctx.get::<CsrfToken>().as_str();
//!     Html(format!(r#"<form method="post"><input type="hidden" name="_csrf" value="{token}"></form>"#))
//! }
//!
//! let app = Router::new()
//!     .with(cookies(KeyRing::new(Key::generate())))
//!     .with(session(MemoryStore::default()))
//!     .with(form_data(FormLimits::default()))
//!     .with(csrf())
//!     .route("/", get(form).post(|_: Context| async { "accepted" }));
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! // The browser loads the form: a session cookie, and the token in the page.
//! let page = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
//! let html = page.into_body().collect_bytes().await.unwrap();
//! let token = std::str::from_utf8(&html).unwrap().split("value=\"").nth(1).unwrap().split('"').next().unwrap();
//!
//! let submit = |body: String| {
//!     http::Request::post("/")
//!         .header("cookie", &cookie)
//!         .header("content-type", "application/x-www-form-urlencoded")
//!         .body(baton::Body::from(body))
//!         .unwrap()
//! };
//! assert_eq!(app.call_request(submit(format!("_csrf={token}&title=hi"))).await.status(), 200);
//! // A forged form (another site cannot read the token) is refused.
//! assert_eq!(app.call_request(submit("title=hi".into())).await.status(), 403);
//! # });
//! ```
//!
//! Before the session it does not compile:
//!
//! ```compile_fail
//! use baton::builtin::cookies::{Key, KeyRing, cookies};
//! use baton::builtin::csrf::csrf;
//! use baton::builtin::form::{FormLimits, form_data};
//! use baton::builtin::session::{MemoryStore, session};
//! use baton::{Context, Router, get};
//!
//! let _app = Router::new()
//!     .with(cookies(KeyRing::new(Key::generate())))
//!     .with(form_data(FormLimits::default()))
//!     .with(csrf()) // error: no upstream middleware provides `Session` on this route
//!     .with(session(MemoryStore::default()))
//!     .route("/", get(|_: Context| async { "hi" }));
//! ```

use crate::__baton::{
    Context, Endpoint, Has, IntoResponse, KeyList, Lacks, Middleware, Next, Response, StatusCode,
};
use crate::form::FormData;
use crate::session::{Session, SessionError, SessionKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_macros::context_key;
use http::Method;
use subtle::ConstantTimeEq;

/// The form field a token is read from.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::csrf::{CsrfToken, FIELD, csrf};
/// use baton::builtin::form::{FormLimits, form_data};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn hidden_input(ctx: Context) -> String {
///     format!(r#"<input type="hidden" name="{FIELD}" value="{}">"#, ctx.get::<CsrfToken>().as_str())
/// }
///
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(form_data(FormLimits::default()))
///     .with(csrf())
///     .route("/", get(hidden_input).post(|_: Context| async { "saved" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let page = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// let html = String::from_utf8(page.into_body().collect_bytes().await.unwrap().to_vec()).unwrap();
/// assert!(html.starts_with(r#"<input type="hidden" name="_csrf" value=""#), "{html}");
/// let token = html.split("value=\"").nth(1).unwrap().trim_end_matches("\">");
///
/// let post = http::Request::post("/")
///     .header("cookie", &cookie)
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body(baton::Body::from(format!("{FIELD}={token}")))
///     .unwrap();
/// assert_eq!(app.call_request(post).await.status(), 200);
/// # });
/// ```
pub const FIELD: &str = "_csrf";
/// The header a token is read from.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::csrf::{CsrfToken, HEADER, csrf_header};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get, handler};
///
/// /// The page's script reads the token from here and sends it back in the header.
/// #[handler]
/// async fn token(ctx: Context) -> String {
///     ctx.get::<CsrfToken>().as_str().to_string()
/// }
///
/// let app: baton::App = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(csrf_header())
///     .route("/", get(token).delete(|_: Context| async { "deleted" }))
///     .into();
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # let visit = |app: &baton::App| {
/// #     let app = app.clone();
/// #     async move {
/// #         let page = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// #         let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// #         let token = String::from_utf8(page.into_body().collect_bytes().await.unwrap().to_vec()).unwrap();
/// #         (cookie, token)
/// #     }
/// # };
/// let (cookie, token) = visit(&app).await;
/// let delete = |sent: &str| {
///     http::Request::delete("/").header("cookie", &cookie).header(HEADER, sent).body(baton::Body::empty()).unwrap()
/// };
/// assert_eq!(app.call_request(delete(&token)).await.status(), 200);
/// let refused = app.call_request(delete("a-guess")).await;
/// assert_eq!(refused.status(), 403);
/// let reason = refused.into_body().collect_bytes().await.unwrap();
/// assert!(std::str::from_utf8(&reason).unwrap().starts_with("CSRF token does not match"));
/// # });
/// ```
pub const HEADER: &str = "x-csrf-token";

/// The session's CSRF token, provided by [`csrf()`]: put it in a hidden `_csrf` field of every form
/// that posts, or in the `x-csrf-token` header of script requests.
///
/// ```
/// use baton::builtin::csrf::CsrfToken;
///
/// let token = CsrfToken::for_test("abc");
/// assert_eq!(token.as_str(), "abc");
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone)]
pub struct CsrfToken(String);

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(..)")
    }
}

impl CsrfToken {
    /// The token, for a form field or a header.
    ///
    /// ```
    /// # use baton::builtin::csrf::CsrfToken;
    /// assert_eq!(CsrfToken::for_test("t").as_str(), "t");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A token with a known value, for unit tests of handlers that render forms.
    ///
    /// ```
    /// # use baton::builtin::csrf::CsrfToken;
    /// let _token = CsrfToken::for_test("known");
    /// ```
    pub fn for_test(value: &str) -> Self {
        CsrfToken(value.to_string())
    }
}

/// Where the session keeps the token.
#[derive(serde::Serialize, serde::Deserialize)]
struct SessionToken(String);

impl SessionKey for SessionToken {
    const NAME: &'static str = "baton.csrf";
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Missing,
    Mismatch,
}

impl Refusal {
    fn response(self) -> Response {
        let reason = match self {
            Refusal::Missing => {
                "CSRF token missing: send the `_csrf` form field or the `x-csrf-token` header"
            }
            Refusal::Mismatch => {
                "CSRF token does not match this session's (reload the form and try again)"
            }
        };
        tracing::warn!(reason, "request refused by csrf()");
        (StatusCode::FORBIDDEN, reason).into_response()
    }
}

/// The CSRF middleware checking the `_csrf` field and the `x-csrf-token` header; see the
/// [module docs](self).
///
/// ```
/// use baton::builtin::csrf::csrf;
/// let _middleware = csrf();
/// ```
pub fn csrf() -> Csrf<FromFormOrHeader> {
    Csrf {
        source: FromFormOrHeader,
    }
}

/// The CSRF middleware checking the `x-csrf-token` header only; it needs no [`FormData`].
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::csrf::csrf_header;
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, post};
///
/// let _app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(csrf_header())
///     .route("/api/notes", post(|_: Context| async { "created" }));
/// ```
pub fn csrf_header() -> Csrf<FromHeader> {
    Csrf { source: FromHeader }
}

/// Middleware returned by [`csrf()`] and [`csrf_header()`]; `S` is where the token is read from.
/// Safe methods pass (and get the token to render); an unsafe one without a token is refused with the
/// reason.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::csrf::{Csrf, FromHeader, csrf_header};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, post};
///
/// let protection: Csrf<FromHeader> = csrf_header();
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(protection)
///     .route("/notes", post(|_: Context| async { "created" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::post("/notes").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.status(), 403);
/// let reason = response.into_body().collect_bytes().await.unwrap();
/// assert_eq!(reason, "CSRF token missing: send the `_csrf` form field or the `x-csrf-token` header");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Csrf<S> {
    source: S,
}

/// Token source of [`csrf()`]: the `_csrf` form field, else the header, so one middleware serves
/// both the HTML forms and the page's scripts (here a JSON request, which has no form field).
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::csrf::{Csrf, CsrfToken, FromFormOrHeader, csrf};
/// use baton::builtin::form::{FormLimits, form_data};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn token(ctx: Context) -> String {
///     ctx.get::<CsrfToken>().as_str().to_string()
/// }
///
/// let protection: Csrf<FromFormOrHeader> = csrf();
/// let app: baton::App = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(form_data(FormLimits::default()))
///     .with(protection)
///     .route("/", get(token).post(|_: Context| async { "saved" }))
///     .into();
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # let visit = |app: &baton::App| {
/// #     let app = app.clone();
/// #     async move {
/// #         let page = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// #         let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// #         let token = String::from_utf8(page.into_body().collect_bytes().await.unwrap().to_vec()).unwrap();
/// #         (cookie, token)
/// #     }
/// # };
/// let (cookie, token) = visit(&app).await;
/// let json = http::Request::post("/")
///     .header("cookie", &cookie)
///     .header("content-type", "application/json")
///     .header("x-csrf-token", &token)
///     .body(baton::Body::from(r#"{"title":"hi"}"#))
///     .unwrap();
/// assert_eq!(app.call_request(json).await.status(), 200);
/// # });
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FromFormOrHeader;

/// Token source of [`csrf_header()`]: the header only; a `_csrf` form field is not looked at (the
/// middleware needs no [`FormData`]).
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::csrf::{Csrf, CsrfToken, FromHeader, csrf_header};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn token(ctx: Context) -> String {
///     ctx.get::<CsrfToken>().as_str().to_string()
/// }
///
/// let protection: Csrf<FromHeader> = csrf_header();
/// let app: baton::App = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(protection)
///     .route("/", get(token).post(|_: Context| async { "saved" }))
///     .into();
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # let visit = |app: &baton::App| {
/// #     let app = app.clone();
/// #     async move {
/// #         let page = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// #         let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// #         let token = String::from_utf8(page.into_body().collect_bytes().await.unwrap().to_vec()).unwrap();
/// #         (cookie, token)
/// #     }
/// # };
/// let (cookie, token) = visit(&app).await;
/// let form = http::Request::post("/")
///     .header("cookie", &cookie)
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body(baton::Body::from(format!("_csrf={token}")))
///     .unwrap();
/// assert_eq!(app.call_request(form).await.status(), 403, "the field is not a source here");
/// # });
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FromHeader;

/// Whether `method` can change state, so needs the token.
fn is_unsafe(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn header_token<P: KeyList>(ctx: &Context<P>) -> Option<String> {
    ctx.headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

/// The session's token, created (and stored) on the session's first form; `None` if no random token
/// could be made.
async fn session_token(session: &Session) -> Result<Option<String>, SessionError> {
    if let Some(SessionToken(token)) = session.get::<SessionToken>().await? {
        return Ok(Some(token));
    }
    let Some(token) = new_token() else {
        return Ok(None);
    };
    session.insert(SessionToken(token.clone())).await?;
    Ok(Some(token))
}

/// 32 bytes from the operating system's generator, or `None` if it failed.
fn new_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// Checks a request and provides the token; the work both sources share.
async fn check<P, E>(
    ctx: Context<P>,
    next: Next<'_, (CsrfToken, P), E>,
    sent: Option<String>,
) -> Response
where
    P: KeyList + Has<Session> + Lacks<CsrfToken>,
    E: Endpoint<(CsrfToken, P)>,
{
    let session = ctx.get::<Session>().clone();
    let token = match session_token(&session).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            tracing::error!(
                "the operating system's random generator failed; no CSRF token to issue"
            );
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Err(error) => return error.into_response(),
    };
    if is_unsafe(ctx.method()) {
        let Some(sent) = sent else {
            return Refusal::Missing.response();
        };
        if !bool::from(sent.as_bytes().ct_eq(token.as_bytes())) {
            return Refusal::Mismatch.response();
        }
    }
    next.run(ctx.provide(CsrfToken(token))).await
}

impl<P> Middleware<P> for Csrf<FromFormOrHeader>
where
    P: KeyList + Has<Session> + Has<FormData> + Lacks<CsrfToken>,
{
    type Out = crate::gated!(P => (CsrfToken, P); Has<Session>, Has<FormData>, Lacks<CsrfToken>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let _ = self.source;
        let sent = ctx
            .get::<FormData>()
            .get(FIELD)
            .map(str::to_string)
            .or_else(|| header_token(&ctx));
        check(ctx, next, sent).await
    }
}

impl<P> Middleware<P> for Csrf<FromHeader>
where
    P: KeyList + Has<Session> + Lacks<CsrfToken>,
{
    type Out = crate::gated!(P => (CsrfToken, P); Has<Session>, Lacks<CsrfToken>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let _ = self.source;
        let sent = header_token(&ctx);
        check(ctx, next, sent).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_random_bytes() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn unsafe_methods() {
        assert!(!is_unsafe(&Method::GET));
        assert!(!is_unsafe(&Method::HEAD));
        assert!(is_unsafe(&Method::POST));
        assert!(is_unsafe(&Method::DELETE));
        assert!(is_unsafe(&Method::from_bytes(b"PURGE").unwrap()));
    }
}

//! Turning handler results into HTTP responses.
//!
//! Anything a handler or an early-returning middleware gives back implements [`IntoResponse`]: status
//! codes, strings, bytes, [`Json`], [`Html`], [`Redirect`], `(StatusCode, T)`, header tuples,
//! `Result<T, E>` and [`Response`].
//!
//! # Setting headers: replace or append
//!
//! Headers given as an array, `([(name, value); N], body)`, **replace**: each pair is `insert`ed, so it
//! overrides a header of the same name set by the body (`([(CONTENT_TYPE, "text/csv")], text)` changes
//! the content type) and, inside the array, a later pair with the same name wins over an earlier one.
//! Headers wrapped in [`AppendHeaders`] are **appended**: every pair survives, which is what repeated
//! headers such as `Set-Cookie`, `Link` or `Vary` need.
//!
//! ```
//! use baton::{AppendHeaders, Context, IntoResponse, Json, Response, Router, StatusCode, get};
//! use http::header::{CONTENT_TYPE, SET_COOKIE};
//!
//! async fn export(_ctx: Context) -> impl IntoResponse {
//!     ([(CONTENT_TYPE, "text/csv")], "id,text\n1,buy milk\n") // replaces `text/plain`
//! }
//!
//! async fn login(_ctx: Context) -> Response {
//!     let cookies = AppendHeaders([(SET_COOKIE, "session=abc"), (SET_COOKIE, "theme=dark")]);
//!     (StatusCode::CREATED, cookies, Json(serde_json::json!({ "ok": true }))).into_response()
//! }
//!
//! let app = Router::new().route("/export", get(export)).route("/login", get(login));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let call = |path: &str| app.call_request(http::Request::get(path).body(baton::Body::empty()).unwrap());
//!
//! let response = call("/export").await;
//! assert_eq!(response.headers()[CONTENT_TYPE], "text/csv");
//! assert_eq!(response.headers().get_all(CONTENT_TYPE).iter().count(), 1);
//!
//! let response = call("/login").await;
//! assert_eq!(response.status(), StatusCode::CREATED);
//! assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
//! assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 2); // both kept
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), r#"{"ok":true}"#);
//! # });
//! ```

use crate::body::Body;
use bytes::Bytes;
use http::StatusCode;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::borrow::Cow;

mod redirect;
pub use redirect::{InvalidRedirect, Redirect};

/// The response type of baton: an `http::Response` with a [`Body`].
///
/// What [`IntoResponse`] builds and what middleware receive from `next`. Build one by hand with
/// `http::Response::builder()` when the tuple forms of `IntoResponse` are not enough; a handler can return it
/// as it is.
///
/// ```
/// use baton::{Body, Context, Response, Router, get};
///
/// async fn download(_ctx: Context) -> Response {
///     http::Response::builder()
///         .status(200)
///         .header("content-type", "text/csv")
///         .header("content-disposition", "attachment; filename=\"notes.csv\"")
///         .body(Body::from("id,text\n1,buy milk\n"))
///         .unwrap()
/// }
///
/// let app = Router::new().route("/notes.csv", get(download));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response: Response = app.call_request(http::Request::get("/notes.csv").body(Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["content-type"], "text/csv");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "id,text\n1,buy milk\n");
/// # });
/// ```
pub type Response = http::Response<Body>;

/// Conversion into a [`Response`].
///
/// ```
/// use baton::{IntoResponse, StatusCode};
/// let response = (StatusCode::CREATED, "made").into_response();
/// assert_eq!(response.status(), StatusCode::CREATED);
/// ```
///
/// Implement it for your own types, an application error for instance, so that handlers can return
/// them (here as the `Err` of a `Result`, which lets them use `?`):
///
/// ```
/// use baton::{Context, IntoResponse, Response, Router, StatusCode, get};
///
/// enum AppError {
///     NotFound(u64),
///     Database(String),
/// }
///
/// impl IntoResponse for AppError {
///     fn into_response(self) -> Response {
///         match self {
///             AppError::NotFound(id) => (StatusCode::NOT_FOUND, format!("no note {id}")).into_response(),
///             // The details go to the logs, not to the client.
///             AppError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
///         }
///     }
/// }
///
/// async fn note(ctx: Context) -> Result<String, AppError> {
///     let id: u64 = ctx.param("id").and_then(|id| id.parse().ok()).unwrap_or(0);
///     match id {
///         1 => Ok("buy milk".to_string()),
///         2 => Err(AppError::Database("connection refused".into())),
///         _ => Err(AppError::NotFound(id)),
///     }
/// }
///
/// let app = Router::new().route("/notes/{id}", get(note));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(get("/notes/1")).await.status(), 200);
/// assert_eq!(app.call_request(get("/notes/2")).await.status(), 500);
/// let response = app.call_request(get("/notes/3")).await;
/// assert_eq!(response.status(), 404);
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "no note 3");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be turned into an HTTP response",
    label = "this must implement `IntoResponse`",
    note = "return a `String`, `&'static str`, `StatusCode`, `Json<T>`, `(StatusCode, T)`, `Response` or a `Result` of such types"
)]
pub trait IntoResponse {
    /// Builds the response.
    fn into_response(self) -> Response;
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for http::response::Parts {
    fn into_response(self) -> Response {
        Response::from_parts(self, Body::empty())
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self;
        response
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(Body::empty())
    }
}

impl IntoResponse for std::convert::Infallible {
    fn into_response(self) -> Response {
        match self {}
    }
}

// Constants, so `from_static` validates them at compile time rather than on every response.
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");
const TEXT_HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

fn with_content_type(body: Body, content_type: HeaderValue) -> Response {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

macro_rules! text_response {
    ($($ty:ty),*) => {$(
        impl IntoResponse for $ty {
            fn into_response(self) -> Response {
                with_content_type(Body::from(self), TEXT_PLAIN)
            }
        }
    )*};
}
text_response!(String, &'static str);

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> Response {
        match self {
            Cow::Borrowed(text) => text.into_response(),
            Cow::Owned(text) => text.into_response(),
        }
    }
}

macro_rules! bytes_response {
    ($($ty:ty),*) => {$(
        impl IntoResponse for $ty {
            fn into_response(self) -> Response {
                with_content_type(Body::from(self), OCTET_STREAM)
            }
        }
    )*};
}
bytes_response!(Bytes, Vec<u8>, &'static [u8]);

impl IntoResponse for Body {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

/// `Err` is an error for the error boundaries ([`Router::catch`](crate::Router::catch)): they may
/// render it their way; `Ok` is never one, whatever its status.
impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(value) => value.into_response(),
            Err(error) => {
                crate::catch::mark(error.into_response(), crate::catch::ErrorKind::Handler)
            }
        }
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        *response.status_mut() = self.0;
        response
    }
}

impl IntoResponse for HeaderMap {
    fn into_response(self) -> Response {
        let mut response = ().into_response();
        *response.headers_mut() = self;
        response
    }
}

fn internal_error(message: String) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
}

/// Headers given as `[(name, value); N]`, each one replacing any header of that name (see
/// [`AppendHeaders`] to keep repeated headers); invalid names or values become a 500 with the reason.
///
/// ```
/// use baton::IntoResponse;
/// use http::header::{CONTENT_TYPE, SET_COOKIE};
///
/// let response = ([(CONTENT_TYPE, "text/csv"), (SET_COOKIE, "a=1"), (SET_COOKIE, "b=2")], "x,y").into_response();
/// assert_eq!(response.headers()[CONTENT_TYPE], "text/csv"); // replaced the body's text/plain
/// let cookies: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
/// assert_eq!(cookies, ["b=2"]); // the later pair replaced the earlier one
/// ```
impl<K, V, const N: usize> IntoResponse for [(K, V); N]
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    fn into_response(self) -> Response {
        add_headers(().into_response(), self, HeaderMap::insert)
    }
}

impl<K, V, const N: usize, T> IntoResponse for ([(K, V); N], T)
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
    T: IntoResponse,
{
    fn into_response(self) -> Response {
        add_headers(self.1.into_response(), self.0, HeaderMap::insert)
    }
}

impl<K, V, const N: usize, T> IntoResponse for (StatusCode, [(K, V); N], T)
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
    T: IntoResponse,
{
    fn into_response(self) -> Response {
        // The status goes on before the headers so that the 500 for an invalid header is not
        // overwritten by the status the handler asked for.
        add_headers((self.0, self.2).into_response(), self.1, HeaderMap::insert)
    }
}

/// Headers that are **appended** to the response rather than replacing headers of the same name, so
/// repeated headers such as `Set-Cookie` all survive.
///
/// It takes anything iterable over `(name, value)` pairs (an array, a `Vec`, an iterator) and works
/// alone, before a body (`(AppendHeaders(..), body)`) or between a status and a body
/// (`(StatusCode, AppendHeaders(..), body)`). The body's response is built first and the pairs are
/// appended to it in order, so a pair also adds to a header the body set: appending `Content-Type` to a
/// string body gives two `Content-Type` headers; use the array form, which replaces, for that. An
/// invalid name or value becomes a 500 with the reason, like the array form.
///
/// ```
/// use baton::{AppendHeaders, IntoResponse, StatusCode};
/// use http::header::SET_COOKIE;
///
/// let response = (
///     StatusCode::CREATED,
///     AppendHeaders([(SET_COOKIE, "session=abc; HttpOnly"), (SET_COOKIE, "theme=dark")]),
///     "welcome",
/// )
///     .into_response();
/// let cookies: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
/// assert_eq!(cookies, ["session=abc; HttpOnly", "theme=dark"]);
/// assert_eq!(response.status(), StatusCode::CREATED);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AppendHeaders<I>(pub I);

impl<I, K, V> IntoResponse for AppendHeaders<I>
where
    I: IntoIterator<Item = (K, V)>,
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    fn into_response(self) -> Response {
        add_headers(().into_response(), self.0, HeaderMap::append)
    }
}

impl<I, K, V, T> IntoResponse for (AppendHeaders<I>, T)
where
    I: IntoIterator<Item = (K, V)>,
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
    T: IntoResponse,
{
    fn into_response(self) -> Response {
        add_headers(self.1.into_response(), self.0.0, HeaderMap::append)
    }
}

impl<I, K, V, T> IntoResponse for (StatusCode, AppendHeaders<I>, T)
where
    I: IntoIterator<Item = (K, V)>,
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
    T: IntoResponse,
{
    fn into_response(self) -> Response {
        add_headers(
            (self.0, self.2).into_response(),
            self.1.0,
            HeaderMap::append,
        )
    }
}

/// Adds `pairs` to `response` with `add` (`HeaderMap::insert` or `HeaderMap::append`). The first pair
/// that is not a valid header turns the whole response into a 500 naming the reason: a response missing
/// one of the headers its handler set (a cookie, a cache directive) would be wrong in a quieter way.
fn add_headers<I, K, V, R>(
    mut response: Response,
    pairs: I,
    add: fn(&mut HeaderMap, HeaderName, HeaderValue) -> R,
) -> Response
where
    I: IntoIterator<Item = (K, V)>,
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    for (name, value) in pairs {
        let name = match name.try_into() {
            Ok(name) => name,
            Err(error) => return internal_error(format!("invalid header name: {error}")),
        };
        let value = match value.try_into() {
            Ok(value) => value,
            Err(error) => return internal_error(format!("invalid header value: {error}")),
        };
        add(response.headers_mut(), name, value);
    }
    response
}

/// A JSON response (and, in [`Context::json`](crate::Context::json), a JSON request body).
///
/// Any `serde::Serialize` value; a value that fails to serialize answers `500` (and is logged).
///
/// ```
/// use baton::{Context, Json, Router, get};
///
/// #[derive(serde::Serialize)]
/// struct Note { id: u64, text: &'static str }
///
/// async fn note(_ctx: Context) -> Json<Note> {
///     Json(Note { id: 1, text: "buy milk" })
/// }
///
/// let app = Router::new().route("/notes/1", get(note));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/notes/1").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["content-type"], "application/json");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), r#"{"id":1,"text":"buy milk"}"#);
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => with_content_type(Body::from(bytes), APPLICATION_JSON),
            Err(error) => internal_error(format!("failed to serialize JSON: {error}")),
        }
    }
}

/// An HTML response: the body with `content-type: text/html; charset=utf-8`.
///
/// ```
/// use baton::{Context, Html, Router, get};
///
/// async fn page(ctx: Context) -> Html<String> {
///     Html(format!("<h1>{}</h1>", ctx.uri().path()))
/// }
///
/// let app = Router::new().route("/about", get(page));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/about").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "<h1>/about</h1>");
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Html<T>(pub T);

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        with_content_type(self.0.into(), TEXT_HTML)
    }
}

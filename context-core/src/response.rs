//! Turning handler results into HTTP responses.
//!
//! Anything a handler or an early-returning middleware gives back implements [`IntoResponse`]: status
//! codes, strings, bytes, [`Json`], `(StatusCode, T)`, header tuples, `Result<T, E>` and [`Response`].

use crate::body::Body;
use bytes::Bytes;
use http::StatusCode;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::borrow::Cow;

/// The response type of baton: an `http::Response` with a boxed [`Body`].
pub type Response = http::Response<Body>;

/// Conversion into a [`Response`].
///
/// ```
/// use baton::{IntoResponse, StatusCode};
/// let response = (StatusCode::CREATED, "made").into_response();
/// assert_eq!(response.status(), StatusCode::CREATED);
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

fn with_content_type(body: Body, content_type: &'static str) -> Response {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

macro_rules! text_response {
    ($($ty:ty),*) => {$(
        impl IntoResponse for $ty {
            fn into_response(self) -> Response {
                with_content_type(Body::from(self), "text/plain; charset=utf-8")
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
                with_content_type(Body::from(self), "application/octet-stream")
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

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(value) => value.into_response(),
            Err(error) => error.into_response(),
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

/// Headers given as `[(name, value); N]`; invalid names or values become a 500 with the reason.
impl<K, V, const N: usize> IntoResponse for [(K, V); N]
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    fn into_response(self) -> Response {
        (self, ()).into_response()
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
        let mut response = self.1.into_response();
        for (name, value) in self.0 {
            let name = match name.try_into() {
                Ok(name) => name,
                Err(error) => return internal_error(format!("invalid header name: {error}")),
            };
            let value = match value.try_into() {
                Ok(value) => value,
                Err(error) => return internal_error(format!("invalid header value: {error}")),
            };
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl<K, V, const N: usize, T> IntoResponse for (StatusCode, [(K, V); N], T)
where
    ([(K, V); N], T): IntoResponse,
{
    fn into_response(self) -> Response {
        (self.0, (self.1, self.2)).into_response()
    }
}

fn internal_error(message: String) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
}

/// A JSON response (and, in [`Context::json`](crate::Context::json), a JSON request body).
///
/// ```
/// use baton::{IntoResponse, Json};
/// let response = Json(serde_json::json!({ "ok": true })).into_response();
/// assert_eq!(response.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => with_content_type(Body::from(bytes), "application/json"),
            Err(error) => internal_error(format!("failed to serialize JSON: {error}")),
        }
    }
}

/// An HTML response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html<T>(pub T);

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        with_content_type(self.0.into(), "text/html; charset=utf-8")
    }
}

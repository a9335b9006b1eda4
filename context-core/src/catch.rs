//! Error boundaries: how a router or scope turns its errors into responses.
//!
//! The seeds' `ErrorBoundary`: the errors of a part of the app (a route that does not exist, a method
//! it does not answer, a handler's `Err`, a panic) are rendered by that part's own renderer: HTML error
//! pages for the pages, JSON under `/api`. A renderer is installed with [`Router::catch`](crate::Router::catch) and sees every
//! error response of the routes after it, with the request's provided values (the request id, the
//! user) to put in the page.
//!
//! ```
//! use baton::{Context, ErrorKind, Failure, Json, IntoResponse, Response, Router, StatusCode, get};
//!
//! fn json_error(failure: Failure) -> Response {
//!     let body = serde_json::json!({ "status": failure.status().as_u16(), "error": failure.message() });
//!     (failure.status(), Json(body)).into_response()
//! }
//!
//! fn html_error(failure: Failure) -> Response {
//!     let title = match failure.kind() {
//!         ErrorKind::NotFound => "Nothing here",
//!         _ => "Something went wrong",
//!     };
//!     (failure.status(), baton::Html(format!("<h1>{title}</h1>"))).into_response()
//! }
//!
//! let app = Router::new()
//!     .catch(html_error)
//!     .route("/", get(|_: Context| async { "home" }))
//!     .scope("/api", |api| {
//!         api.catch(json_error)
//!             .route("/tasks", get(|_: Context| async { Err::<(), _>(StatusCode::CONFLICT) }))
//!     });
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
//! let page = app.call_request(get("/nothing")).await;
//! assert_eq!(page.into_body().collect_bytes().await.unwrap(), "<h1>Nothing here</h1>");
//! let api = app.call_request(get("/api/tasks")).await; // `/api`'s renderer, not the outer one
//! assert_eq!(api.status(), 409);
//! assert_eq!(api.into_body().collect_bytes().await.unwrap(), r#"{"error":"Conflict","status":409}"#);
//! # });
//! ```
//!
//! The innermost renderer wins: an error rendered by `/api`'s renderer is not rendered again by the
//! outer one. A response a handler builds on purpose with an error status (`(StatusCode::NOT_FOUND,
//! "no such task")` returned as `Ok`) is not an error here: only `Err`, the router's 404/405 and panics
//! are.

use crate::context::Context;
use crate::key::ContextKey;
use crate::middleware::{Endpoint, Middleware, Next};
use crate::proof::KeyList;
use crate::response::Response;
use crate::store::Store;
use http::{Method, StatusCode, Uri};
use http_body_util::BodyExt;
use std::future::Future;

/// What went wrong, as an error boundary sees it: [`Failure::kind`].
///
/// ```
/// use baton::{Context, ErrorKind, Failure, IntoResponse, Response, Router, StatusCode, get};
///
/// fn render(failure: Failure) -> Response {
///     let kind = match failure.kind() {
///         ErrorKind::NotFound => "not found",
///         ErrorKind::MethodNotAllowed => "method not allowed",
///         ErrorKind::Handler => "handler error",
///         ErrorKind::Panic => "panic",
///         _ => "other", // the enum is `#[non_exhaustive]`
///     };
///     (failure.status(), kind).into_response()
/// }
///
/// let app = Router::new()
///     .catch(render)
///     .route("/", get(|_: Context| async { Err::<(), _>(StatusCode::BAD_REQUEST) }))
///     .route("/boom", get(|_: Context| async { if true { panic!("boom") } }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = |method: &str, path: &str| {
///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
/// };
/// for (method, path, status, kind) in [
///     ("GET", "/nothing", 404, "not found"),
///     ("PUT", "/", 405, "method not allowed"),
///     ("GET", "/", 400, "handler error"),
///     ("GET", "/boom", 500, "panic"),
/// ] {
///     let response = app.call_request(request(method, path)).await;
///     assert_eq!(response.status(), status);
///     assert_eq!(response.into_body().collect_bytes().await.unwrap(), kind);
/// }
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No route matches the path (404).
    NotFound,
    /// The path exists but not for this method (405).
    MethodNotAllowed,
    /// A handler or middleware answered `Err(..)`.
    Handler,
    /// A handler or middleware panicked (500).
    Panic,
}

/// Marks `response` as an error of `kind`, unless it already carries a mark.
pub(crate) fn mark(mut response: Response, kind: ErrorKind) -> Response {
    let extensions = response.extensions_mut();
    if extensions.get::<Marked>().is_none() {
        extensions.insert(Marked::Pending(kind));
    }
    response
}

/// An error's mark: pending until a boundary renders it, so outer boundaries leave it alone.
#[derive(Clone, Copy)]
enum Marked {
    Pending(ErrorKind),
    Rendered,
}

/// An error for a renderer: its kind and status, the original response's text, and the request.
///
/// A renderer installed with [`Router::catch`](crate::Router::catch) receives one per error response
/// and returns the response to send instead. It can read the values provided to the request with
/// [`try_get`](Failure::try_get): those of every middleware that ran before the error, declared before
/// the renderer or after it.
///
/// ```
/// use baton::{Context, Failure, IntoResponse, Response, Router, StatusCode, context_key, get, middleware};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// #[middleware(provides = RequestId)]
/// async fn request_id(_ctx: &Context) -> RequestId {
///     RequestId(7)
/// }
///
/// fn render(failure: Failure) -> Response {
///     let id = failure.try_get::<RequestId>().map_or(0, |id| id.0);
///     let text = format!(
///         "{:?} {} on {} {}: {} (request {id})",
///         failure.kind(),
///         failure.status().as_u16(),
///         failure.method(),
///         failure.uri().path(),
///         failure.message(),
///     );
///     (failure.status(), text).into_response()
/// }
///
/// let app = Router::new()
///     .with(request_id)
///     .catch(render)
///     .route("/tasks/{id}", get(|_: Context| async { Err::<(), _>((StatusCode::CONFLICT, "task is locked")) }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
///
/// let response = app.call_request(get("/tasks/1")).await;
/// assert_eq!(response.status(), 409);
/// let text = response.into_body().collect_bytes().await.unwrap();
/// assert_eq!(text, "Handler 409 on GET /tasks/1: task is locked (request 7)");
///
/// let response = app.call_request(get("/nothing")).await; // no text of its own: the reason
/// let text = response.into_body().collect_bytes().await.unwrap();
/// assert_eq!(text, "NotFound 404 on GET /nothing: Not Found (request 7)");
/// # });
/// ```
pub struct Failure {
    kind: ErrorKind,
    status: StatusCode,
    message: String,
    method: Method,
    uri: Uri,
    values: Store,
}

impl Failure {
    /// What went wrong. See also [`ErrorKind`]'s example.
    ///
    /// ```
    /// use baton::{Context, ErrorKind, Failure, IntoResponse, Response, Router, get};
    ///
    /// fn render(failure: Failure) -> Response {
    ///     let text = if failure.kind() == ErrorKind::NotFound { "no such page" } else { "error" };
    ///     (failure.status(), text).into_response()
    /// }
    ///
    /// let app = Router::new().catch(render).route("/", get(|_: Context| async { "home" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// let response = app.call_request(request("GET", "/missing")).await;
    /// assert_eq!(response.status(), 404);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "no such page");
    /// # });
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The status the error would have answered with. See also [`Failure`]'s example.
    ///
    /// A renderer usually keeps it, and may choose its page by it:
    ///
    /// ```
    /// use baton::{Context, Failure, IntoResponse, Response, Router, StatusCode, get};
    ///
    /// fn render(failure: Failure) -> Response {
    ///     let text = if failure.status().is_server_error() { "try again later" } else { "check your request" };
    ///     (failure.status(), text).into_response()
    /// }
    ///
    /// let app = Router::new()
    ///     .catch(render)
    ///     .route("/busy", get(|_: Context| async { Err::<(), _>(StatusCode::SERVICE_UNAVAILABLE) }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// let response = app.call_request(request("GET", "/busy")).await;
    /// assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "try again later");
    /// # });
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The text of the original error response (at most 4 KiB), or the status's reason if it had none.
    /// See also [`Failure`]'s example.
    ///
    /// ```
    /// use baton::{Context, Failure, Html, IntoResponse, Response, Router, StatusCode, get};
    ///
    /// fn render(failure: Failure) -> Response {
    ///     (failure.status(), Html(format!("<p>{}</p>", failure.message()))).into_response()
    /// }
    ///
    /// let app = Router::new()
    ///     .catch(render)
    ///     .route("/", get(|_: Context| async { Err::<(), _>((StatusCode::CONFLICT, "task is locked")) }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// let response = app.call_request(request("GET", "/")).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "<p>task is locked</p>");
    /// let response = app.call_request(request("GET", "/missing")).await; // a 404 has no text: its reason
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "<p>Not Found</p>");
    /// # });
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request's method. See also [`Failure`]'s example.
    ///
    /// ```
    /// use baton::{Context, Failure, IntoResponse, Response, Router, get};
    ///
    /// fn render(failure: Failure) -> Response {
    ///     (failure.status(), format!("{} is not answered here", failure.method())).into_response()
    /// }
    ///
    /// let app = Router::new().catch(render).route("/tasks", get(|_: Context| async { "tasks" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// let response = app.call_request(request("DELETE", "/tasks")).await;
    /// assert_eq!(response.status(), 405);
    /// assert_eq!(response.headers()["allow"], "GET, HEAD"); // kept from the original 405
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "DELETE is not answered here");
    /// # });
    /// ```
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request's URI. See also [`Failure`]'s example.
    ///
    /// ```
    /// use baton::{Context, Failure, IntoResponse, Response, Router, get};
    ///
    /// fn render(failure: Failure) -> Response {
    ///     (failure.status(), format!("nothing at {}", failure.uri().path())).into_response()
    /// }
    ///
    /// let app = Router::new().catch(render).route("/", get(|_: Context| async { "home" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// let response = app.call_request(request("GET", "/old/page?id=3")).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "nothing at /old/page");
    /// # });
    /// ```
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// A value provided to the request, if any middleware provided it (a request id, the user). See
    /// [`Failure`]'s example.
    ///
    /// An `Option`, as with [`Context::try_get`](crate::Context::try_get): the error may have
    /// happened before the middleware providing `K` ran (a 404 skips a scope's middleware, and a
    /// middleware answering `Err` stops the ones after it).
    ///
    /// ```
    /// use baton::{Context, Failure, IntoResponse, Response, Router, context_key, get, middleware};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key(value = String)]
    /// struct UserName;
    ///
    /// #[middleware(provides = RequestId)]
    /// async fn request_id(_ctx: &Context) -> RequestId {
    ///     RequestId(7)
    /// }
    ///
    /// fn render(failure: Failure) -> Response {
    ///     let id = failure.try_get::<RequestId>().map_or(0, |id| id.0);
    ///     let user = failure.try_get::<UserName>().map_or("anonymous", |name| name.as_str());
    ///     (failure.status(), format!("request {id}, {user}")).into_response()
    /// }
    ///
    /// let app = Router::new()
    ///     .with(request_id)
    ///     .catch(render)
    ///     .route("/", get(|_: Context| async { "home" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// // `request_id` ran before the 404; nothing provides `UserName` on this path.
    /// let response = app.call_request(request("GET", "/missing")).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "request 7, anonymous");
    /// # });
    /// ```
    pub fn try_get<K: ContextKey>(&self) -> Option<&K::Value> {
        self.values.find_key::<K>()
    }
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Failure")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("uri", &self.uri)
            .finish()
    }
}

/// Headers an error response needs whatever its body (`Allow` on a 405, the challenge on a 401, when
/// to retry a 503): kept on the rendered response unless the renderer set them.
const KEPT_HEADERS: [http::HeaderName; 3] = [
    http::header::ALLOW,
    http::header::WWW_AUTHENTICATE,
    http::header::RETRY_AFTER,
];

/// The longest original error text a renderer is handed.
const MESSAGE_LIMIT: usize = 4096;

/// The error boundary middleware [`Router::catch`](crate::Router::catch) mounts (see its example);
/// not built directly.
///
/// You meet it in the type of a router with a renderer, for instance in a helper that installs the
/// app's error pages on any router:
///
/// ```
/// use baton::catch::Catch;
/// use baton::{Chain, Context, Failure, IntoResponse, Open, Response, Router, Then, get};
///
/// fn render(failure: Failure) -> Response {
///     (failure.status(), format!("error {}", failure.status().as_u16())).into_response()
/// }
///
/// type ErrorPages = fn(Failure) -> Response;
///
/// fn with_error_pages<L: Chain>(router: Router<L, Open>) -> Router<Then<L, Catch<ErrorPages>, L::Out>, Open> {
///     router.catch(render as ErrorPages)
/// }
///
/// let app = with_error_pages(Router::new()).route("/", get(|_: Context| async { "home" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/missing").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "error 404");
/// # });
/// ```
#[derive(Clone)]
pub struct Catch<F>(pub(crate) F);

impl<P, F> Middleware<P> for Catch<F>
where
    P: KeyList,
    F: Fn(Failure) -> Response + Send + Sync + 'static,
{
    type Out = P;

    fn call<E: Endpoint<P>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, P, E>,
    ) -> impl Future<Output = Response> + Send {
        let values = ctx.store().clone();
        let method = ctx.method().clone();
        let uri = ctx.uri().clone();
        async move {
            let response = next.run(ctx).await;
            let Some(Marked::Pending(kind)) = response.extensions().get::<Marked>().copied() else {
                return response;
            };
            let status = response.status();
            let kept: Vec<_> = KEPT_HEADERS
                .iter()
                .filter_map(|name| Some((name, response.headers().get(name)?.clone())))
                .collect();
            let message = error_text(response, status).await;
            let failure = Failure {
                kind,
                status,
                message,
                method,
                uri,
                values,
            };
            let mut rendered = (self.0)(failure);
            for (name, value) in kept {
                rendered.headers_mut().entry(name).or_insert(value);
            }
            rendered.extensions_mut().insert(Marked::Rendered);
            rendered
        }
    }
}

async fn error_text(response: Response, status: StatusCode) -> String {
    let limited = http_body_util::Limited::new(response.into_body(), MESSAGE_LIMIT);
    let text = match limited.collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };
    if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    }
}

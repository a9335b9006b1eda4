//! Method routing: which handler answers which HTTP method on one path.
//!
//! A path is mounted with [`Router::route`](crate::Router::route) and a [`MethodRouter`], built by a
//! free function named after the first method and extended by the methods of the same names:
//! `get(list).post(create)`. What the router does with the methods a path does not name:
//!
//! * `HEAD` is answered by the `GET` handler (hyper drops the body), unless the path has its own `head`;
//! * any other method gets `405 Method Not Allowed` with an `Allow` header listing the path's methods,
//!   unless [`any`] (or [`MethodRouter::any`]) gives the path a handler for every method;
//! * the 405 runs the router's global middleware and its error boundary, like a 404;
//! * a POST whose method a middleware rewrote into PUT, PATCH or DELETE (`method_override`, for HTML
//!   forms) reaches that method's handler when the same `route` names one, and the POST handler
//!   otherwise: the route is matched by the method the request arrives with, and the handler picked
//!   by the one it has at the end of the chain.
//!
//! Each handler is checked against the middleware declared above the route, so the handler of one
//! method can read a key that the handler of another does not need: both must be provided there.
//!
//! ```
//! use baton::{Context, Router, StatusCode, get};
//!
//! async fn list(_ctx: Context) -> &'static str {
//!     "all notes"
//! }
//!
//! async fn create(_ctx: Context) -> (StatusCode, &'static str) {
//!     (StatusCode::CREATED, "created")
//! }
//!
//! let app = Router::new().route("/notes", get(list).post(create));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = |method: &str| http::Request::builder().method(method).uri("/notes").body(baton::Body::empty()).unwrap();
//! assert_eq!(app.call_request(request("POST")).await.status(), 201);
//! assert_eq!(app.call_request(request("HEAD")).await.status(), 200);
//! let refused = app.call_request(request("DELETE")).await;
//! assert_eq!(refused.status(), 405);
//! assert_eq!(refused.headers()["allow"], "GET, POST, HEAD");
//! # });
//! ```

use crate::middleware::{Chain, ErasedStage, Handler, handler_stage};
use http::Method;

mod rewritten;
pub(crate) use rewritten::stage_for;

/// The handlers of one path, by method. Built with [`get`], [`post`], ... and chained:
/// `get(list).post(create)`.
///
/// Every handler is checked against the middleware declared above the route it is mounted on: the type
/// parameter `L` is that router's middleware stack, inferred from where the `MethodRouter` is used.
///
/// ```
/// use baton::{Context, Method, Router, get};
///
/// async fn show(_ctx: Context) -> &'static str { "note" }
/// async fn replace(_ctx: Context) -> &'static str { "replaced" }
/// async fn fallback(ctx: Context) -> String { format!("{} is not supported", ctx.method()) }
///
/// let app = Router::new().route(
///     "/notes/{id}",
///     get(show).put(replace).on(Method::from_bytes(b"LOCK").unwrap(), show).any(fallback),
/// );
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::delete("/notes/1").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "DELETE is not supported");
/// # });
/// ```
#[must_use = "a MethodRouter does nothing until mounted with `Router::route`"]
pub struct MethodRouter<L: Chain> {
    // Each handler erased on its own; the router puts its middleware in front when the route is mounted.
    pub(crate) methods: Vec<(Method, ErasedStage<L::Out>)>,
    pub(crate) any: Option<ErasedStage<L::Out>>,
}

impl<L: Chain> Default for MethodRouter<L> {
    fn default() -> Self {
        MethodRouter {
            methods: Vec::new(),
            any: None,
        }
    }
}

impl<L: Chain> MethodRouter<L> {
    /// Answers `method` with `handler`: for methods without a function of their own (`get`, `post`,
    /// ...), such as WebDAV's or `QUERY`.
    ///
    /// ```
    /// use baton::{Context, Method, Router, get};
    ///
    /// let purge = Method::from_bytes(b"PURGE").unwrap();
    /// let app = Router::new().route(
    ///     "/cache",
    ///     get(|_: Context| async { "cached" }).on(purge, |_: Context| async { "purged" }),
    /// );
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = http::Request::builder().method("PURGE").uri("/cache").body(baton::Body::empty()).unwrap();
    /// let response = app.call_request(request).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "purged");
    /// # });
    /// ```
    ///
    /// # Panics
    /// If `method` already has a handler on this path (a programming error, reported at startup).
    pub fn on<H: Handler<L::Out, M>, M: 'static>(mut self, method: Method, handler: H) -> Self {
        assert!(
            !self.methods.iter().any(|(existing, _)| *existing == method),
            "a handler for {method} is already set on this path"
        );
        self.methods.push((method, handler_stage(handler)));
        self
    }

    /// Answers every method not given its own handler (instead of the `405 Method Not Allowed`).
    ///
    /// ```
    /// use baton::{Context, Router, StatusCode, get};
    ///
    /// async fn read_only(ctx: Context) -> (StatusCode, String) {
    ///     (StatusCode::FORBIDDEN, format!("{} is not allowed on an archive", ctx.method()))
    /// }
    ///
    /// let app = Router::new().route("/archive", get(|_: Context| async { "old notes" }).any(read_only));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str| {
    ///     http::Request::builder().method(method).uri("/archive").body(baton::Body::empty()).unwrap()
    /// };
    /// assert_eq!(app.call_request(request("GET")).await.status(), 200);
    /// let response = app.call_request(request("DELETE")).await;
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "DELETE is not allowed on an archive");
    /// # });
    /// ```
    pub fn any<H: Handler<L::Out, M>, M: 'static>(mut self, handler: H) -> Self {
        self.any = Some(handler_stage(handler));
        self
    }
}

macro_rules! method_fns {
    ($($name:ident => $method:ident),*) => {
        impl<L: Chain> MethodRouter<L> {$(
            #[doc = concat!("Answers `", stringify!($method), "` with `handler`.")]
            ///
            /// One method of a path; chain them after the free function of the first. See also
            /// [`MethodRouter`]'s example.
            ///
            /// ```
            /// use baton::{Context, Router, post};
            ///
            /// let app = Router::new().route(
            ///     "/notes/{id}",
            ///     post(|_: Context| async { "post" })
            ///         .get(|_: Context| async { "get" })
            ///         .put(|_: Context| async { "put" })
            ///         .patch(|_: Context| async { "patch" })
            ///         .delete(|_: Context| async { "delete" })
            ///         .options(|_: Context| async { "options" })
            ///         .head(|_: Context| async { "head" }), // else HEAD is answered by `get`
            /// );
            /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
            /// for method in ["POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] {
            ///     let request = http::Request::builder().method(method).uri("/notes/1");
            ///     let response = app.call_request(request.body(baton::Body::empty()).unwrap()).await;
            ///     let body = response.into_body().collect_bytes().await.unwrap();
            ///     assert_eq!(body, method.to_lowercase());
            /// }
            /// # });
            /// ```
            pub fn $name<H: Handler<L::Out, M>, M: 'static>(self, handler: H) -> Self {
                self.on(Method::$method, handler)
            }
        )*}
    };
}

method_fns!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE, options => OPTIONS, head => HEAD);

// The free functions are written out (not generated by `method_fns!`) so that an error about a handler
// mounted with them quotes one plain signature, without macro-expansion notes.

/// A [`MethodRouter`] answering `GET` (and `HEAD`) with `handler`.
///
/// ```
/// use baton::{Context, Router, get};
///
/// let app = Router::new().route("/", get(|_: Context| async { "GET" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("GET").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn get<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::GET, handler)
}

/// A [`MethodRouter`] answering `POST` with `handler`.
///
/// ```
/// use baton::{Context, Router, post};
///
/// let app = Router::new().route("/", post(|_: Context| async { "POST" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("POST").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn post<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::POST, handler)
}

/// A [`MethodRouter`] answering `PUT` with `handler`.
///
/// ```
/// use baton::{Context, Router, put};
///
/// let app = Router::new().route("/", put(|_: Context| async { "PUT" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("PUT").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn put<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::PUT, handler)
}

/// A [`MethodRouter`] answering `PATCH` with `handler`.
///
/// ```
/// use baton::{Context, Router, patch};
///
/// let app = Router::new().route("/", patch(|_: Context| async { "PATCH" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("PATCH").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn patch<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::PATCH, handler)
}

/// A [`MethodRouter`] answering `DELETE` with `handler`.
///
/// ```
/// use baton::{Context, Router, delete};
///
/// let app = Router::new().route("/", delete(|_: Context| async { "DELETE" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("DELETE").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn delete<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::DELETE, handler)
}

/// A [`MethodRouter`] answering `OPTIONS` with `handler`.
///
/// ```
/// use baton::{Context, Router, options};
///
/// let app = Router::new().route("/", options(|_: Context| async { "OPTIONS" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("OPTIONS").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn options<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::OPTIONS, handler)
}

/// A [`MethodRouter`] answering `HEAD` with `handler`.
///
/// ```
/// use baton::{Context, Router, head};
///
/// let app = Router::new().route("/", head(|_: Context| async { "HEAD" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("HEAD").uri("/").body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request).await.status(), 200);
/// # });
/// ```
pub fn head<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().on(Method::HEAD, handler)
}

/// A [`MethodRouter`] answering every method with `handler`.
///
/// ```
/// use baton::{Context, Router, any};
///
/// let app = Router::new().route("/echo", any(|ctx: Context| async move { ctx.method().to_string() }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::builder().method("PURGE").uri("/echo").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "PURGE");
/// # });
/// ```
pub fn any<L: Chain, H: Handler<L::Out, M>, M: 'static>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().any(handler)
}

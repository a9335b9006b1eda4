//! HTML forms can only send GET and POST: [`method_override`](struct@method_override) lets a POST form say `_method=PUT`
//! (or `PATCH`, `DELETE`) and rewrites the request's method, providing the original as
//! [`MethodOverride`].
//!
//! It reads the `_method` field of [`FormData`], so it must be mounted after
//! [`form_data`](crate::form::form_data()): the other order is a compile error naming `FormData`.
//! Only a POST is changed, and only into PUT, PATCH or DELETE (case-insensitive); a GET carrying
//! `_method` in its query, or `_method=CONNECT`, keeps its method.
//!
//! # Routing an overridden request
//!
//! baton matches a route by the method the request arrives with (POST), before any middleware runs,
//! and picks the handler by the method it has at the end of the chain: an overridden POST reaches the
//! route's PUT, PATCH or DELETE handler when the same `route` names one, like the requests scripts and
//! API clients send directly. When it names none, the POST handler answers, with `ctx.method()`
//! already rewritten.
//!
//! ```
//! use baton::builtin::form::{FormData, FormLimits, form_data};
//! use baton::builtin::method_override::{MethodOverride, method_override};
//! use baton::{Context, Router, delete, handler, post, put};
//!
//! #[handler]
//! async fn update(ctx: Context) -> String {
//!     format!("updated to {}", ctx.get::<FormData>().get("title").unwrap_or_default())
//! }
//!
//! #[handler]
//! async fn destroy(ctx: Context) -> String {
//!     format!("deleted (sent as {})", ctx.get::<MethodOverride>().original())
//! }
//!
//! #[handler]
//! async fn create(_ctx: Context) -> &'static str {
//!     "created"
//! }
//!
//! let app = Router::new()
//!     .with(form_data(FormLimits::default()))
//!     .with(method_override)
//!     .route("/notes/{id}", post(create).put(update).delete(destroy));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let form = |body: &'static str| {
//!     http::Request::post("/notes/1")
//!         .header("content-type", "application/x-www-form-urlencoded")
//!         .body(baton::Body::from(body))
//!         .unwrap()
//! };
//! let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
//! assert_eq!(text(app.call_request(form("_method=put&title=new")).await).await, "updated to new");
//! assert_eq!(text(app.call_request(form("_method=DELETE")).await).await, "deleted (sent as POST)");
//! assert_eq!(text(app.call_request(form("title=plain")).await).await, "created");
//! # });
//! ```
//!
//! Every handler of one `route` is proven against the same middleware, so following the rewritten
//! method keeps the proof: the PUT handler reads `FormData` here because `form_data` runs before it.

use crate::__baton::Context;
use crate::form::FormData;
use baton_macros::{context_key, middleware};
use http::Method;

/// The request's method as the client sent it, before [`method_override`](struct@method_override) looked at `_method`.
///
/// ```
/// use baton::builtin::method_override::MethodOverride;
///
/// let seen = MethodOverride::new(http::Method::POST);
/// assert_eq!(seen.original(), http::Method::POST);
/// assert!(seen.changed(&http::Method::DELETE));
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodOverride {
    original: Method,
}

impl MethodOverride {
    /// The record of a request sent with `original`: what the middleware provides, for unit tests of
    /// handlers that read it.
    ///
    /// ```
    /// use baton::builtin::method_override::MethodOverride;
    /// use http::Method;
    ///
    /// /// A handler's logic, taking what it reads.
    /// fn describe(method: &Method, seen: &MethodOverride) -> String {
    ///     if seen.changed(method) { format!("{method} (from a {} form)", seen.original()) } else { method.to_string() }
    /// }
    /// assert_eq!(describe(&Method::DELETE, &MethodOverride::new(Method::POST)), "DELETE (from a POST form)");
    /// assert_eq!(describe(&Method::POST, &MethodOverride::new(Method::POST)), "POST");
    /// ```
    pub fn new(original: Method) -> Self {
        MethodOverride { original }
    }

    /// The method the client sent.
    ///
    /// ```
    /// use baton::builtin::form::{FormLimits, form_data};
    /// use baton::builtin::method_override::{MethodOverride, method_override};
    /// use baton::{Context, Router, handler, post};
    ///
    /// #[handler]
    /// async fn show(ctx: Context) -> String {
    ///     format!("sent as {}, handled as {}", ctx.get::<MethodOverride>().original(), ctx.method())
    /// }
    ///
    /// let app = Router::new().with(form_data(FormLimits::default())).with(method_override).route("/", post(show));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let form = http::Request::post("/")
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body(baton::Body::from("_method=patch"))
    ///     .unwrap();
    /// let body = app.call_request(form).await.into_body().collect_bytes().await.unwrap();
    /// assert_eq!(body, "sent as POST, handled as PATCH");
    /// # });
    /// ```
    pub fn original(&self) -> &Method {
        &self.original
    }

    /// Whether `current` (the request's method now, `ctx.method()`) differs from the original.
    ///
    /// ```
    /// use baton::builtin::form::{FormLimits, form_data};
    /// use baton::builtin::method_override::{MethodOverride, method_override};
    /// use baton::{Context, Router, handler, post};
    ///
    /// #[handler]
    /// async fn overridden(ctx: Context) -> String {
    ///     ctx.get::<MethodOverride>().changed(ctx.method()).to_string()
    /// }
    ///
    /// let app = Router::new().with(form_data(FormLimits::default())).with(method_override).route("/", post(overridden));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let form = |body: &'static str| {
    ///     http::Request::post("/")
    ///         .header("content-type", "application/x-www-form-urlencoded")
    ///         .body(baton::Body::from(body))
    ///         .unwrap()
    /// };
    /// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
    /// assert_eq!(text(app.call_request(form("_method=DELETE")).await).await, "true");
    /// assert_eq!(text(app.call_request(form("title=x")).await).await, "false");
    /// assert_eq!(text(app.call_request(form("_method=CONNECT")).await).await, "false", "not a method a form may ask for");
    /// # });
    /// ```
    pub fn changed(&self, current: &Method) -> bool {
        self.original != current
    }
}

/// The method a POST form may ask for with `_method`: PUT, PATCH or DELETE, case-insensitive.
///
/// ```
/// use baton::builtin::method_override::requested_method;
///
/// assert_eq!(requested_method("delete"), Some(http::Method::DELETE));
/// assert_eq!(requested_method("GET"), None);
/// assert_eq!(requested_method("CONNECT"), None);
/// ```
pub fn requested_method(value: &str) -> Option<Method> {
    // Anything else is refused: a form turning itself into a GET, HEAD or CONNECT would change how
    // caches, CSRF checks and proxies treat a request that carries a body.
    [Method::PUT, Method::PATCH, Method::DELETE]
        .into_iter()
        .find(|method| method.as_str().eq_ignore_ascii_case(value.trim()))
}

/// Rewrites a POST's method from its `_method` form field and provides [`MethodOverride`]. See the
/// [module docs](self) for routing the result.
///
/// ```
/// use baton::builtin::form::{FormLimits, form_data};
/// use baton::builtin::method_override::{MethodOverride, method_override};
/// use baton::{Context, Router, handler, post};
///
/// #[handler]
/// async fn show(ctx: Context) -> String {
///     format!("{} via {}", ctx.method(), ctx.get::<MethodOverride>().original())
/// }
///
/// let app = Router::new()
///     .with(form_data(FormLimits::default()))
///     .with(method_override)
///     .route("/", post(show));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use http_body_util::BodyExt;
/// let request = http::Request::post("/")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body(baton::Body::from("_method=DELETE"))
///     .unwrap();
/// let body = app.call_request(request).await.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "DELETE via POST");
/// # });
/// ```
#[middleware(crate = "crate::__baton", provides = MethodOverride, requires = FormData)]
pub async fn method_override(ctx: &mut Context) -> MethodOverride {
    let original = ctx.method().clone();
    if original == Method::POST {
        let requested = ctx
            .get::<FormData>()
            .get("_method")
            .and_then(requested_method);
        if let Some(method) = requested {
            ctx.parts_mut().method = method;
        }
    }
    MethodOverride { original }
}

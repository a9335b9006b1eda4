//! [`require_auth()`] and [`require()`]: the narrowing steps, from "maybe someone" to "this user" to
//! "this user, allowed".

use super::identity::FlipFirst;
use super::{Auth, Granted, Identity, Permission};
use crate::__baton::{
    Context, ContextKey, Endpoint, Has, IntoResponse, KeyList, Lacks, Middleware, Next, Response,
    StatusCode,
};
use http::HeaderValue;
use http::header::{LOCATION, WWW_AUTHENTICATE};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// Requires an authenticated request and provides [`Identity<I>`]. Anonymous requests get a 401
/// with `WWW-Authenticate: Bearer`, or with [`redirect_to`](RequireAuth::redirect_to) a 303 to the
/// login page carrying the requested path as `?next=`.
///
/// ```
/// use baton::builtin::auth::{Identity, auth, require_auth};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn me(ctx: Context) -> String {
///     ctx.get::<Identity<String>>().to_string()
/// }
///
/// let app = Router::new()
///     .with(auth::<String>().bearer(|token: String| async move { (token == "t").then(|| "ada".to_string()) }))
///     .with(require_auth::<String>())
///     .route("/me", get(me));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let anonymous = http::Request::get("/me").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(anonymous).await;
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers()["www-authenticate"], "Bearer");
/// # });
/// ```
///
/// A handler reading `Identity<User>` on a route without it does not compile:
///
/// ```compile_fail
/// use baton::builtin::auth::{Identity, auth};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn me(ctx: Context) -> String { ctx.get::<Identity<String>>().to_string() }
///
/// // error: no upstream middleware provides `Identity<String>` on this route
/// let _app = Router::new().with(auth::<String>()).route("/me", get(me));
/// ```
pub fn require_auth<I: Send + Sync + 'static>() -> RequireAuth<I> {
    RequireAuth {
        login: None,
        identity: PhantomData,
    }
}

/// Middleware returned by [`require_auth()`]. With [`redirect_to`](Self::redirect_to), an anonymous
/// browser is sent to the login page with the page it asked for as `next`, encoded.
///
/// ```
/// use baton::builtin::auth::{RequireAuth, auth, require_auth};
/// use baton::{Context, Router, get};
///
/// let members_only: RequireAuth<String> = require_auth::<String>().redirect_to("/login");
/// let app = Router::new()
///     .with(auth::<String>().bearer(|token: String| async move { (token == "t").then(|| "ada".to_string()) }))
///     .with(members_only)
///     .route("/reports", get(|_: Context| async { "reports" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let anonymous = http::Request::get("/reports?year=2024&q=a%20b").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(anonymous).await;
/// assert_eq!(response.status(), 303);
/// assert_eq!(response.headers()["location"], "/login?next=/reports%3Fyear%3D2024%26q%3Da%2520b");
/// # });
/// ```
pub struct RequireAuth<I> {
    login: Option<Arc<str>>,
    identity: PhantomData<fn() -> I>,
}

impl<I> Clone for RequireAuth<I> {
    fn clone(&self) -> Self {
        RequireAuth {
            login: self.login.clone(),
            identity: PhantomData,
        }
    }
}

impl<I> fmt::Debug for RequireAuth<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireAuth")
            .field("login", &self.login)
            .finish()
    }
}

impl<I> RequireAuth<I> {
    /// Sends anonymous requests to `login` (a path on this site) with a 303, adding
    /// `next=<the requested path and query>` for the login form to return to.
    ///
    /// ```
    /// use baton::builtin::auth::require_auth;
    /// let _middleware = require_auth::<String>().redirect_to("/login");
    /// ```
    pub fn redirect_to(mut self, login: &str) -> Self {
        self.login = Some(Arc::from(login));
        self
    }

    fn refuse<P: KeyList>(&self, ctx: &Context<P>) -> Response {
        let Some(login) = &self.login else {
            let mut response =
                (StatusCode::UNAUTHORIZED, "authentication required").into_response();
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        };
        // Only the path and query: the redirect stays on this site whatever the request's target.
        let here = ctx
            .uri()
            .path_and_query()
            .map_or("/", |target| target.as_str());
        let separator = if login.contains('?') { '&' } else { '?' };
        let location = format!("{login}{separator}next={}", encode_component(here));
        match HeaderValue::from_str(&location) {
            Ok(location) => {
                let mut response = StatusCode::SEE_OTHER.into_response();
                response.headers_mut().insert(LOCATION, location);
                response
            }
            Err(_) => (StatusCode::UNAUTHORIZED, "authentication required").into_response(),
        }
    }
}

impl<P, I> Middleware<P> for RequireAuth<I>
where
    I: Send + Sync + 'static,
    P: KeyList + Has<Auth<I>> + Lacks<Identity<I>>,
{
    type Out = crate::gated!(P => (Identity<I>, P); Has<Auth<I>>, Lacks<Identity<I>>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        match ctx.get::<Auth<I>>().shared() {
            Some(identity) => next.run(ctx.provide(Identity::from_shared(identity))).await,
            None => self.refuse(&ctx),
        }
    }
}

/// Requires the identity to hold `P` and provides [`Granted<P>`]; otherwise a 403.
///
/// ```
/// use baton::builtin::auth::{Granted, Permission, auth, require, require_auth};
/// use baton::{Context, Router, context_key, get, handler};
///
/// #[context_key]
/// struct Admin;
/// impl Permission for Admin {
///     type Identity = String;
///     fn granted(name: &String) -> bool { name == "root" }
/// }
///
/// #[handler]
/// async fn admin(ctx: Context) -> &'static str {
///     let _: &Granted<Admin> = ctx.get::<Granted<Admin>>();
///     "welcome"
/// }
///
/// let app = Router::new()
///     .with(auth::<String>().bearer(|token: String| async move { Some(token) }))
///     .with(require_auth::<String>())
///     .with(require::<Admin>())
///     .route("/admin", get(admin));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = |token: &str| http::Request::get("/admin").header("authorization", format!("Bearer {token}")).body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request("root")).await.status(), 200);
/// assert_eq!(app.call_request(request("guest")).await.status(), 403);
/// # });
/// ```
pub fn require<P: Permission>() -> RequirePermission<P> {
    RequirePermission {
        permission: PhantomData,
    }
}

/// Middleware returned by [`require()`]. Mounted on a scope, it guards every route in it; the
/// handlers there read [`Granted<P>`], which no route outside the scope provides.
///
/// ```
/// use baton::builtin::auth::{Permission, RequirePermission, auth, require, require_auth};
/// use baton::{Context, Router, context_key, get};
///
/// #[context_key]
/// struct Admin;
/// impl Permission for Admin {
///     type Identity = String;
///     fn granted(name: &String) -> bool { name == "root" }
/// }
///
/// let admins_only: RequirePermission<Admin> = require::<Admin>();
/// let app = Router::new()
///     .with(auth::<String>().bearer(|token: String| async move { Some(token) }))
///     .with(require_auth::<String>())
///     .route("/home", get(|_: Context| async { "home" }))
///     .scope("/admin", |admin| admin.with(admins_only).route("/", get(|_: Context| async { "admin" })));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let as_user = |path: &str, name: &str| {
///     http::Request::get(path).header("authorization", format!("Bearer {name}")).body(baton::Body::empty()).unwrap()
/// };
/// assert_eq!(app.call_request(as_user("/home", "guest")).await.status(), 200);
/// let refused = app.call_request(as_user("/admin", "guest")).await;
/// assert_eq!(refused.status(), 403);
/// assert_eq!(refused.into_body().collect_bytes().await.unwrap(), "forbidden");
/// assert_eq!(app.call_request(as_user("/admin", "root")).await.status(), 200);
/// # });
/// ```
pub struct RequirePermission<P> {
    permission: PhantomData<fn() -> P>,
}

impl<P> Clone for RequirePermission<P> {
    fn clone(&self) -> Self {
        RequirePermission {
            permission: PhantomData,
        }
    }
}

impl<P> fmt::Debug for RequirePermission<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequirePermission<{}>", std::any::type_name::<P>())
    }
}

impl<L, P> Middleware<L> for RequirePermission<P>
where
    P: Permission,
    <P as ContextKey>::Id: FlipFirst,
    L: KeyList + Has<Identity<P::Identity>> + Lacks<Granted<P>>,
{
    type Out = crate::gated!(L => (Granted<P>, L); Has<Identity<P::Identity>>, Lacks<Granted<P>>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<L>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        if P::granted(ctx.get::<Identity<P::Identity>>()) {
            next.run(ctx.provide(Granted::for_test())).await
        } else {
            (StatusCode::FORBIDDEN, "forbidden").into_response()
        }
    }
}

/// `next` if it is a path on this site (`/tasks?page=2`), else `None`: what a login handler should
/// check before redirecting to a `?next=` it received, so the parameter cannot send users to
/// another site (an open redirect).
///
/// ```
/// use baton::builtin::auth::same_origin_path;
///
/// assert_eq!(same_origin_path("/tasks?page=2"), Some("/tasks?page=2"));
/// assert_eq!(same_origin_path("//evil.example"), None);
/// assert_eq!(same_origin_path("/\\evil.example"), None);
/// assert_eq!(same_origin_path("https://evil.example"), None);
/// assert_eq!(same_origin_path("tasks"), None);
/// ```
pub fn same_origin_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    // `//host` and `/\host` are protocol-relative URLs to browsers; control characters and
    // whitespace could be stripped by a browser into one.
    let sneaky = rest.starts_with('/')
        || rest.starts_with('\\')
        || next.chars().any(|c| c.is_control() || c.is_whitespace());
    (!sneaky).then_some(next)
}

/// Percent-encodes everything but unreserved characters and `/` (RFC 3986 §2.3).
fn encode_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_next() {
        assert_eq!(
            encode_component("/tasks?page=2&x=y z"),
            "/tasks%3Fpage%3D2%26x%3Dy%20z"
        );
    }
}

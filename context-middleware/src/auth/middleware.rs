//! [`auth()`]: tries the schemes in order and provides [`Auth`].

use super::Auth;
use super::scheme::{BySession, ByToken, Scheme, Verified, bearer_token, header_value};
use crate::__baton::{
    Context, Endpoint, Has, IntoResponse, KeyList, Lacks, Middleware, Next, Response, StatusCode,
};
use crate::session::Session;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// The authentication middleware for identities of type `I`, with no scheme yet: add them with
/// [`session`](AuthMiddleware::session), [`bearer`](AuthMiddleware::bearer) and
/// [`api_key`](AuthMiddleware::api_key); they are tried in that order of calls, the first to
/// recognise the request wins. See the [module docs](super).
///
/// ```
/// use baton::builtin::auth::{Auth, auth};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn whoami(ctx: Context) -> String {
///     ctx.get::<Auth<String>>().identity().cloned().unwrap_or_else(|| "anonymous".into())
/// }
///
/// let app = Router::new()
///     .with(auth::<String>().bearer(|token: String| async move { (token == "s3cret").then(|| "ada".to_string()) }))
///     .route("/", get(whoami));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use http_body_util::BodyExt;
/// let request = http::Request::get("/").header("authorization", "Bearer s3cret").body(baton::Body::empty()).unwrap();
/// let body = app.call_request(request).await.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "ada");
/// # });
/// ```
pub fn auth<I: Send + Sync + 'static>() -> AuthMiddleware<I, Stateless> {
    AuthMiddleware {
        schemes: Arc::new([]),
        needs: PhantomData,
    }
}

/// Middleware returned by [`auth()`]. `S` is [`WithSession`] once a session scheme is added (the
/// middleware then requires [`Session`]), [`Stateless`] before.
///
/// The schemes are tried in the order they were added; the first to recognise the request wins, and
/// a request none recognises is anonymous (never refused here: that is
/// [`require_auth`](super::require_auth())'s job).
///
/// ```
/// use baton::builtin::auth::{Auth, AuthMiddleware, Stateless, auth};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn who(ctx: Context) -> String {
///     let auth = ctx.get::<Auth<String>>();
///     format!("{} by {}", auth.identity().map_or("nobody", String::as_str), auth.scheme().unwrap_or("-"))
/// }
///
/// let users: AuthMiddleware<String, Stateless> = auth::<String>()
///     .bearer(|token: String| async move { (token == "t-ada").then(|| "ada".to_string()) })
///     .api_key(http::HeaderName::from_static("x-api-key"), |key: String| async move {
///         (key == "k-ci").then(|| "ci".to_string())
///     });
/// let app = Router::new().with(users).route("/", get(who));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
/// let both = http::Request::get("/")
///     .header("authorization", "Bearer t-ada")
///     .header("x-api-key", "k-ci")
///     .body(baton::Body::empty())
///     .unwrap();
/// assert_eq!(text(app.call_request(both).await).await, "ada by bearer", "the first scheme added wins");
/// let wrong = http::Request::get("/").header("authorization", "Bearer nope").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(wrong).await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(text(response).await, "nobody by -");
/// # });
/// ```
pub struct AuthMiddleware<I, S> {
    schemes: Arc<[Arc<dyn Scheme<I>>]>,
    needs: PhantomData<fn() -> S>,
}

/// The auth middleware reads the session: it must be mounted after `session()`.
///
/// ```
/// use baton::builtin::auth::{AuthMiddleware, Identity, WithSession, auth, login, require_auth};
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::session::{MemoryStore, Session, SessionError, session};
/// use baton::{Context, Router, get, handler, post};
///
/// #[handler]
/// async fn sign_in(ctx: Context) -> Result<&'static str, SessionError> {
///     login(ctx.get::<Session>(), 1).await?; // after checking a password
///     Ok("signed in")
/// }
///
/// #[handler]
/// async fn me(ctx: Context) -> String {
///     ctx.get::<Identity<String>>().to_string()
/// }
///
/// let users: AuthMiddleware<String, WithSession> =
///     auth::<String>().session(|id: String| async move { (id == "1").then(|| "ada".to_string()) });
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(users)
///     .route("/login", post(sign_in))
///     .scope("/me", |private| private.with(require_auth::<String>()).route("/", get(me)));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let signed_in = app.call_request(http::Request::post("/login").body(baton::Body::empty()).unwrap()).await;
/// let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// let me = |cookie: Option<&str>| {
///     let request = http::Request::get("/me");
///     let request = match cookie { Some(cookie) => request.header("cookie", cookie), None => request };
///     request.body(baton::Body::empty()).unwrap()
/// };
/// let response = app.call_request(me(Some(&cookie))).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada");
/// assert_eq!(app.call_request(me(None)).await.status(), 401);
/// # });
/// ```
///
/// Mounted without a session, it does not compile:
///
/// ```compile_fail
/// use baton::builtin::auth::auth;
/// use baton::{Context, Router, get};
///
/// // error: no upstream middleware provides `Session` on this route
/// let _app = Router::new()
///     .with(auth::<String>().session(|id: String| async move { Some(id) }))
///     .route("/", get(|_: Context| async { "hi" }));
/// ```
#[derive(Debug)]
pub enum WithSession {}

/// The auth middleware reads headers only: it needs no cookies or session, as for an API of
/// bearer tokens.
///
/// ```
/// use baton::builtin::auth::{AuthMiddleware, Identity, Stateless, auth, require_auth};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn me(ctx: Context) -> String {
///     ctx.get::<Identity<String>>().to_string()
/// }
///
/// let api: AuthMiddleware<String, Stateless> =
///     auth::<String>().bearer(|token: String| async move { (token == "t1").then(|| "bot".to_string()) });
/// let app = Router::new().with(api).with(require_auth::<String>()).route("/me", get(me));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/me").header("authorization", "bearer t1").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert!(response.headers().get("set-cookie").is_none(), "no session");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "bot");
/// # });
/// ```
#[derive(Debug)]
pub enum Stateless {}

impl<I, S> Clone for AuthMiddleware<I, S> {
    fn clone(&self) -> Self {
        AuthMiddleware {
            schemes: Arc::clone(&self.schemes),
            needs: PhantomData,
        }
    }
}

impl<I: 'static, S> fmt::Debug for AuthMiddleware<I, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.schemes.iter().map(|scheme| scheme.name()).collect();
        f.debug_struct("AuthMiddleware")
            .field("schemes", &names)
            .finish()
    }
}

impl<I: Send + Sync + 'static, S> AuthMiddleware<I, S> {
    fn push<S2>(self, scheme: impl Scheme<I>) -> AuthMiddleware<I, S2> {
        let mut schemes: Vec<Arc<dyn Scheme<I>>> = self.schemes.iter().cloned().collect();
        schemes.push(Arc::new(scheme));
        AuthMiddleware {
            schemes: schemes.into(),
            needs: PhantomData,
        }
    }

    /// The session scheme: the id stored by [`login`](super::login), looked up with `lookup`.
    /// The middleware then requires [`Session`].
    ///
    /// ```
    /// use baton::builtin::auth::auth;
    /// let _middleware = auth::<String>().session(|id: String| async move { Some(format!("user {id}")) });
    /// ```
    pub fn session<F, Fut>(self, lookup: F) -> AuthMiddleware<I, WithSession>
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Verified<I>,
    {
        self.push(BySession { lookup })
    }

    /// The bearer scheme: `Authorization: Bearer <token>`, looked up with `lookup`.
    ///
    /// ```
    /// use baton::builtin::auth::auth;
    /// let _middleware = auth::<String>().bearer(|token: String| async move { (token == "t").then(|| "bot".to_string()) });
    /// ```
    pub fn bearer<F, Fut>(self, lookup: F) -> AuthMiddleware<I, S>
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Verified<I>,
    {
        self.push(ByToken {
            name: "bearer",
            read: bearer_token,
            header: http::header::AUTHORIZATION,
            lookup,
        })
    }

    /// The API-key scheme: the whole value of `header`, looked up with `lookup`.
    ///
    /// ```
    /// use baton::builtin::auth::auth;
    /// let _middleware = auth::<String>()
    ///     .api_key(http::HeaderName::from_static("x-api-key"), |key: String| async move { (key == "k").then(|| "ci".to_string()) });
    /// ```
    pub fn api_key<F, Fut>(self, header: http::HeaderName, lookup: F) -> AuthMiddleware<I, S>
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Verified<I>,
    {
        self.push(ByToken {
            name: "api-key",
            read: header_value,
            header,
            lookup,
        })
    }

    async fn recognise(
        &self,
        parts: &http::request::Parts,
        session: Option<&Session>,
    ) -> Result<Auth<I>, Response> {
        for scheme in self.schemes.iter() {
            match scheme.recognise(parts, session).await {
                Ok(Some(identity)) => return Ok(Auth::authenticated(identity, scheme.name())),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(scheme = scheme.name(), %error, "authentication lookup failed; answering 500");
                    return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
                }
            }
        }
        Ok(Auth::anonymous())
    }
}

impl<P, I> Middleware<P> for AuthMiddleware<I, Stateless>
where
    I: Send + Sync + 'static,
    P: KeyList + Lacks<Auth<I>>,
{
    type Out = crate::gated!(P => (Auth<I>, P); Lacks<Auth<I>>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        // Bound first, not matched around `next`: a `match` keeps its scrutinee (room for a
        // `Response`) alive across the rest of the chain (see `ProviderMiddleware::call`).
        let auth = match self.recognise(ctx.parts(), None).await {
            Ok(auth) => auth,
            Err(response) => return response,
        };
        next.run(ctx.provide(auth)).await
    }
}

impl<P, I> Middleware<P> for AuthMiddleware<I, WithSession>
where
    I: Send + Sync + 'static,
    P: KeyList + Has<Session> + Lacks<Auth<I>>,
{
    type Out = crate::gated!(P => (Auth<I>, P); Has<Session>, Lacks<Auth<I>>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let session = ctx.get::<Session>().clone();
        let auth = match self.recognise(ctx.parts(), Some(&session)).await {
            Ok(auth) => auth,
            Err(response) => return response,
        };
        next.run(ctx.provide(auth)).await
    }
}

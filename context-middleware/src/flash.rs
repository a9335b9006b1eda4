//! Flash messages: a typed message set on one request and shown on the next one only (the "Task
//! created" after a form's redirect).
//!
//! [`flash::<M>()`](flash()) requires [`Session`] (mount [`session()`](crate::session::session()) first)
//! and provides [`Flash<M>`]. On each request it takes the message the previous request left, so
//! [`Flash::message`] shows it exactly once; [`Flash::set`] leaves one for the next request. `M` is
//! any `#[session_key]` type, so the message is typed (an enum of the app's notices, a struct with a
//! level and a text).
//!
//! ```
//! use baton::builtin::cookies::{Key, KeyRing, cookies};
//! use baton::builtin::flash::{Flash, flash};
//! use baton::builtin::session::{MemoryStore, SessionError, session};
//! use baton::{Context, Redirect, Router, get, handler, post, session_key};
//!
//! #[session_key]
//! #[derive(serde::Serialize, serde::Deserialize)]
//! enum Notice { Created, Deleted }
//!
//! #[handler]
//! async fn create(ctx: Context) -> Result<Redirect, SessionError> {
//!     ctx.get::<Flash<Notice>>().set(Notice::Created).await?;
//!     Ok(Redirect::to("/"))
//! }
//!
//! #[handler]
//! async fn list(ctx: Context) -> &'static str {
//!     match ctx.get::<Flash<Notice>>().message() {
//!         Some(Notice::Created) => "Task created",
//!         Some(Notice::Deleted) => "Task deleted",
//!         None => "",
//!     }
//! }
//!
//! let _app = Router::new()
//!     .with(cookies(KeyRing::new(Key::generate())))
//!     .with(session(MemoryStore::default()))
//!     .with(flash::<Notice>())
//!     .route("/", get(list))
//!     .route("/tasks", post(create));
//! ```
//!
//! One message type per route: mounting `flash::<A>()` and `flash::<B>()` on one route does not
//! compile (use one enum for both).

use crate::__baton::{
    Context, ContextKey, Endpoint, Has, IntoResponse, KeyList, Lacks, Middleware, Next, Response,
};
use crate::session::{Session, SessionError, SessionKey, StoredInSession};
use std::fmt;
use std::marker::PhantomData;

/// The flash message of type `M`, provided by [`flash::<M>()`](flash()): the one the previous
/// request set, shown once.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::flash::{Flash, flash};
/// use baton::builtin::session::{MemoryStore, SessionError, session};
/// use baton::{Context, Redirect, Router, get, handler, post, session_key};
///
/// #[session_key]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Notice(String);
///
/// #[handler]
/// async fn save(ctx: Context) -> Result<Redirect, SessionError> {
///     ctx.get::<Flash<Notice>>().set(Notice("Saved".into())).await?;
///     Ok(Redirect::to("/"))
/// }
///
/// #[handler]
/// async fn page(ctx: Context) -> String {
///     ctx.get::<Flash<Notice>>().message().map(|notice| notice.0.clone()).unwrap_or_default()
/// }
///
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(flash::<Notice>())
///     .route("/", get(page))
///     .route("/save", post(save));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let saved = app.call_request(http::Request::post("/save").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(saved.status(), 303);
/// let cookie = saved.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// let show = || http::Request::get("/").header("cookie", &cookie).body(baton::Body::empty()).unwrap();
/// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
/// assert_eq!(text(app.call_request(show()).await).await, "Saved", "the next request shows it");
/// assert_eq!(text(app.call_request(show()).await).await, "", "and only that one");
/// # });
/// ```
pub struct Flash<M> {
    incoming: Option<M>,
    session: Option<Session>,
}

// Kept out of rustc's "other types implement `ContextKey`" lists under a non-key error.
#[diagnostic::do_not_recommend]
impl<M: SessionKey> ContextKey for Flash<M> {
    type Value = Flash<M>;
    type Id = crate::fixed_key_id!(1 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 1 1 1 0 1 1 0 1 1 1 1 1 0 1 1 1 0 1 1 0 1 0 0 1 1 1 1 1 1 1 0 1 0 0 0 1 0 0 1 1 1 0 1 0 0 0);
}

impl<M> fmt::Debug for Flash<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flash")
            .field("has_message", &self.incoming.is_some())
            .finish()
    }
}

impl<M: SessionKey + StoredInSession> Flash<M> {
    /// A flash holding `message` as if the previous request had set it, with no session behind it
    /// ([`set`](Flash::set) is then refused): for unit tests of handlers that show a flash.
    ///
    /// ```
    /// use baton::builtin::flash::Flash;
    /// # #[baton::session_key] #[derive(serde::Serialize, serde::Deserialize)] struct Notice(String);
    /// let flash = Flash::for_test(Some(Notice("saved".into())));
    /// assert_eq!(flash.message().unwrap().0, "saved");
    /// ```
    pub fn for_test(message: Option<M>) -> Self {
        Flash {
            incoming: message,
            session: None,
        }
    }

    /// The message the previous request set, if any. It is already removed from the session: the
    /// request after this one will not see it.
    ///
    /// ```
    /// use baton::builtin::flash::Flash;
    /// # #[baton::session_key] #[derive(serde::Serialize, serde::Deserialize)] struct Notice(String);
    /// assert!(Flash::<Notice>::for_test(None).message().is_none());
    /// ```
    pub fn message(&self) -> Option<&M> {
        self.incoming.as_ref()
    }

    /// Leaves `message` for the next request (replacing one set earlier in this request).
    ///
    /// ```
    /// # use baton::builtin::flash::Flash;
    /// # #[baton::session_key] #[derive(serde::Serialize, serde::Deserialize)] struct Notice(String);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // Without a session behind it (a test flash), setting is an error rather than a lost message.
    /// assert!(Flash::<Notice>::for_test(None).set(Notice("x".into())).await.is_err());
    /// # });
    /// ```
    pub async fn set(&self, message: M) -> Result<(), SessionError> {
        let value = serde_json::to_value(&message).map_err(|error| SessionError::Encode {
            key: M::NAME,
            message: error.to_string(),
        })?;
        match &self.session {
            Some(session) => session.insert_value(slot::<M>(), value).await,
            None => Err(SessionError::Encode {
                key: M::NAME,
                message: "this flash has no session (Flash::for_test)".to_string(),
            }),
        }
    }
}

/// Where the message of type `M` waits in the session.
fn slot<M: SessionKey>() -> String {
    format!("flash.{}", M::NAME)
}

/// The flash middleware for messages of type `M`; see the [module docs](self).
///
/// Without a session it does not compile:
///
/// ```compile_fail
/// use baton::builtin::flash::flash;
/// use baton::{Context, Router, get};
/// # #[baton::session_key] #[derive(serde::Serialize, serde::Deserialize)] struct Notice(String);
///
/// // error: no upstream middleware provides `Session` on this route
/// let _app = Router::new().with(flash::<Notice>()).route("/", get(|_: Context| async { "hi" }));
/// ```
pub fn flash<M: SessionKey + StoredInSession>() -> FlashMiddleware<M> {
    FlashMiddleware {
        message: PhantomData,
    }
}

/// Middleware returned by [`flash()`]. A message of the type's name that no longer decodes as `M` (the
/// type changed across a deployment) is dropped with a warning, never an error page.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::flash::{Flash, FlashMiddleware, flash};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get, handler, session_key};
///
/// #[session_key]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// enum Notice { Welcome }
///
/// #[handler]
/// async fn page(ctx: Context) -> &'static str {
///     match ctx.get::<Flash<Notice>>().message() {
///         Some(Notice::Welcome) => "welcome!",
///         None => "no news",
///     }
/// }
///
/// let notices: FlashMiddleware<Notice> = flash::<Notice>();
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .with(notices)
///     .route("/", get(page));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert!(response.headers().get("set-cookie").is_none(), "no message, no session written");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "no news");
/// # });
/// ```
pub struct FlashMiddleware<M> {
    message: PhantomData<fn() -> M>,
}

impl<M> Clone for FlashMiddleware<M> {
    fn clone(&self) -> Self {
        FlashMiddleware {
            message: PhantomData,
        }
    }
}

impl<M> fmt::Debug for FlashMiddleware<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FlashMiddleware")
    }
}

impl<P, M> Middleware<P> for FlashMiddleware<M>
where
    M: SessionKey + StoredInSession,
    P: KeyList + Has<Session> + Lacks<Flash<M>>,
{
    type Out = crate::gated!(P => (Flash<M>, P); Has<Session>, Lacks<Flash<M>>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let session = ctx.get::<Session>().clone();
        let incoming = match session.take_value(&slot::<M>()).await {
            Ok(value) => value.and_then(|value| match serde_json::from_value(value) {
                Ok(message) => Some(message),
                Err(error) => {
                    tracing::warn!(key = M::NAME, %error, "flash message does not decode; dropped");
                    None
                }
            }),
            Err(error) => return error.into_response(),
        };
        let flash = Flash {
            incoming,
            session: Some(session),
        };
        next.run(ctx.provide(flash)).await
    }
}

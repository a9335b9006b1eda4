//! How [`auth()`](super::auth()) recognises a request: the schemes, and logging in and out.

use crate::session::{Session, SessionError, SessionKey};
use http::request::Parts;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

/// What a scheme's lookup returns: `Option<I>`, or `Result<Option<I>, E>` when the lookup can fail (a
/// database error is a 500 with a log line, not an anonymous request).
///
/// ```
/// use baton::builtin::auth::{Auth, auth};
/// use baton::{Context, Router, get, handler};
///
/// /// A lookup that can fail, like a database query.
/// async fn find_by_token(token: String) -> Result<Option<String>, std::io::Error> {
///     match token.as_str() {
///         "t-ada" => Ok(Some("ada".to_string())),
///         "t-down" => Err(std::io::Error::other("database unreachable")),
///         _ => Ok(None),
///     }
/// }
///
/// #[handler]
/// async fn who(ctx: Context) -> String {
///     ctx.get::<Auth<String>>().identity().cloned().unwrap_or_else(|| "anonymous".into())
/// }
///
/// let app = Router::new().with(auth::<String>().bearer(find_by_token)).route("/", get(who));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let with = |token: &str| http::Request::get("/").header("authorization", format!("Bearer {token}")).body(baton::Body::empty()).unwrap();
/// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
/// assert_eq!(text(app.call_request(with("t-ada")).await).await, "ada");
/// assert_eq!(text(app.call_request(with("t-unknown")).await).await, "anonymous");
/// // The lookup failed: not "anonymous", which could let a request through as a visitor.
/// assert_eq!(app.call_request(with("t-down")).await.status(), 500);
/// # });
/// ```
pub trait Verified<I>: Send {
    /// The identity, none, or the lookup's error.
    fn into_result(self) -> Result<Option<I>, String>;
}

impl<I: Send> Verified<I> for Option<I> {
    fn into_result(self) -> Result<Option<I>, String> {
        Ok(self)
    }
}

impl<I: Send, E: Display + Send> Verified<I> for Result<Option<I>, E> {
    fn into_result(self) -> Result<Option<I>, String> {
        self.map_err(|error| error.to_string())
    }
}

pub(crate) type Lookup<'a, I> =
    Pin<Box<dyn Future<Output = Result<Option<I>, String>> + Send + 'a>>;

/// One way of recognising a request.
pub(crate) trait Scheme<I>: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn recognise<'a>(&'a self, parts: &'a Parts, session: Option<&'a Session>) -> Lookup<'a, I>;
}

/// Boxes a user's `async fn(String) -> Verified<I>` lookup.
pub(crate) struct ByToken<F> {
    pub(crate) name: &'static str,
    pub(crate) read: fn(&Parts, &http::HeaderName) -> Option<String>,
    pub(crate) header: http::HeaderName,
    pub(crate) lookup: F,
}

impl<I, F, Fut> Scheme<I> for ByToken<F>
where
    I: Send + 'static,
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Verified<I>,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn recognise<'a>(&'a self, parts: &'a Parts, _session: Option<&'a Session>) -> Lookup<'a, I> {
        let token = (self.read)(parts, &self.header);
        Box::pin(async move {
            match token {
                Some(token) => (self.lookup)(token).await.into_result(),
                None => Ok(None),
            }
        })
    }
}

/// `Authorization: Bearer <token>` (the scheme name is case-insensitive, RFC 9110 §11.1).
pub(crate) fn bearer_token(parts: &Parts, header: &http::HeaderName) -> Option<String> {
    let value = parts.headers.get(header)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// The whole value of an API-key header.
pub(crate) fn header_value(parts: &Parts, header: &http::HeaderName) -> Option<String> {
    let value = parts.headers.get(header)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The session scheme: the id [`login`] stored, looked up by the user's function.
pub(crate) struct BySession<F> {
    pub(crate) lookup: F,
}

impl<I, F, Fut> Scheme<I> for BySession<F>
where
    I: Send + 'static,
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Verified<I>,
{
    fn name(&self) -> &'static str {
        "session"
    }

    fn recognise<'a>(&'a self, _parts: &'a Parts, session: Option<&'a Session>) -> Lookup<'a, I> {
        Box::pin(async move {
            let Some(session) = session else {
                return Ok(None);
            };
            match session.get::<LoggedIn>().await {
                Ok(Some(LoggedIn(id))) => (self.lookup)(id).await.into_result(),
                Ok(None) => Ok(None),
                Err(error) => Err(error.to_string()),
            }
        })
    }
}

/// The id of the logged-in identity, in the session.
#[derive(serde::Serialize, serde::Deserialize)]
struct LoggedIn(String);

impl SessionKey for LoggedIn {
    const NAME: &'static str = "baton.auth";
}

/// Logs `id` in on this session: the session moves to a new id (an id planted before the login is
/// worthless after it) and remembers `id` for the session scheme of [`auth()`](super::auth()).
///
/// ```
/// use baton::builtin::auth::{login, logout};
/// use baton::builtin::session::Session;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let session = Session::for_test();
/// login(&session, 42).await.unwrap();
/// logout(&session).await;
/// # });
/// ```
pub async fn login(session: &Session, id: impl Display) -> Result<(), SessionError> {
    session.cycle_id().await?;
    session.insert(LoggedIn(id.to_string())).await
}

/// Logs out: the whole session is destroyed (its record deleted, its cookie removed).
///
/// ```
/// # use baton::builtin::auth::logout;
/// # use baton::builtin::session::Session;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// logout(&Session::for_test()).await;
/// # });
/// ```
pub async fn logout(session: &Session) {
    session.destroy().await;
}

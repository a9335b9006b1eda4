//! [`session()`]: opens the request's session from its cookie and saves it after the chain.

use super::handle::CookieUpdate;
use super::{Session, SessionConfig};
use crate::__baton::{
    Context, Endpoint, Has, IntoResponse, KeyList, Lacks, Middleware, Next, Response,
};
use crate::cookies::{Cookie, Cookies, KeyUsed};
use std::collections::HashMap;
use std::sync::{Arc, Mutex as SyncMutex, Weak};
use tower_sessions_core::SessionStore;
use tower_sessions_core::session::Id;

/// The session middleware over `store`; see the [module docs](super). Mount it after
/// [`cookies()`](crate::cookies::cookies()):
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get};
///
/// let _app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .route("/", get(|_: Context| async { "hi" }));
/// ```
///
/// Without the cookies it does not compile:
///
/// ```compile_fail
/// use baton::builtin::session::{MemoryStore, session};
/// use baton::{Context, Router, get};
///
/// // error: no upstream middleware provides `Cookies` on this route
/// let _app = Router::new().with(session(MemoryStore::default())).route("/", get(|_: Context| async { "hi" }));
/// ```
pub fn session(store: impl SessionStore) -> SessionMiddleware {
    SessionMiddleware {
        store: Arc::new(store),
        config: Arc::new(SessionConfig::default()),
        saving: Arc::new(SaveLocks::default()),
    }
}

/// Middleware returned by [`session()`]. A request that never touches its session costs no store
/// access and sets no cookie.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::session::{MemoryStore, Session, SessionConfig, SessionMiddleware, session};
/// use baton::{Context, Router, get, handler, session_key};
///
/// #[session_key]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Theme(String);
///
/// #[handler]
/// async fn set_theme(ctx: Context) -> &'static str {
///     ctx.get::<Session>().insert(Theme("dark".into())).await.unwrap();
///     "saved"
/// }
///
/// let sessions: SessionMiddleware = session(MemoryStore::default()).config(SessionConfig::default().cookie_name("sid"));
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(sessions)
///     .route("/", get(|_: Context| async { "home" }))
///     .route("/theme", get(set_theme));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let home = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert!(home.headers().get("set-cookie").is_none(), "untouched: no cookie");
/// let theme = app.call_request(http::Request::get("/theme").body(baton::Body::empty()).unwrap()).await;
/// assert!(theme.headers()["set-cookie"].to_str().unwrap().starts_with("sid="));
/// # });
/// ```
#[derive(Clone)]
pub struct SessionMiddleware {
    store: Arc<dyn SessionStore>,
    config: Arc<SessionConfig>,
    saving: Arc<SaveLocks>,
}

impl std::fmt::Debug for SessionMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("store", &self.store)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SessionMiddleware {
    /// Replaces the cookie and expiry settings.
    ///
    /// ```
    /// use baton::builtin::session::{MemoryStore, SessionConfig, session};
    /// let _middleware = session(MemoryStore::default()).config(SessionConfig::default().cookie_name("sid"));
    /// ```
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = Arc::new(config);
        self
    }
}

impl SessionMiddleware {
    /// The session cookie for `id`, with the configured attributes.
    fn cookie(&self, id: Id, secure: bool, max_age: std::time::Duration) -> Cookie<'static> {
        let max_age = time::Duration::try_from(max_age).unwrap_or(time::Duration::MAX);
        Cookie::build((self.config.cookie_name.clone(), id.to_string()))
            .path("/")
            .http_only(true)
            .same_site(self.config.same_site)
            .secure(secure)
            .max_age(max_age)
            .build()
    }
}

impl<P> Middleware<P> for SessionMiddleware
where
    P: KeyList + Has<Cookies> + Lacks<Session>,
{
    type Out = crate::gated!(P => (Session, P); Has<Cookies>, Lacks<Session>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let cookies = ctx.get::<Cookies>().clone();
        let verified = cookies.signed().get_with_key(&self.config.cookie_name);
        let cookie_id = verified
            .as_ref()
            .and_then(|(cookie, _)| cookie.value().parse::<Id>().ok());
        let host = ctx
            .headers()
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .or_else(|| ctx.uri().authority().map(|authority| authority.as_str()));
        let secure = self.config.secure_for(host);
        if let (Some(id), Some((_, KeyUsed::Retired))) = (cookie_id, &verified) {
            // The cookies middleware re-issued it under the current key with default attributes;
            // the session cookie keeps its own (a save below may set it once more).
            cookies
                .signed()
                .add(self.cookie(id, secure, self.config.idle_expiry));
        }
        let session = Session::open(self.store.clone(), self.config.idle_expiry, cookie_id);
        let handle = session.clone();
        let response = next.run(ctx.provide(session)).await;

        let Some(stored) = handle.pending().await else {
            return response;
        };
        // One save at a time per session in this process, so the per-key merge is exact here.
        let lock = stored.map(|id| self.saving.lock_for(id));
        let _saving = match &lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        match handle.commit().await {
            Ok(CookieUpdate::Keep) => {}
            Ok(CookieUpdate::Set { id, max_age }) => {
                cookies.signed().add(self.cookie(id, secure, max_age));
            }
            Ok(CookieUpdate::Remove) => cookies.remove(&self.config.cookie_name),
            // The response was computed assuming the write stuck; answering it would report
            // a success that is not stored.
            Err(error) => return error.into_response(),
        }
        response
    }
}

/// One async lock per session id being saved, dropped when no save holds it.
#[derive(Default)]
struct SaveLocks {
    locks: SyncMutex<HashMap<Id, Weak<tokio::sync::Mutex<()>>>>,
}

impl SaveLocks {
    fn lock_for(&self, id: Id) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(lock) = locks.get(&id).and_then(Weak::upgrade) {
            return lock;
        }
        if locks.len() >= 64 {
            locks.retain(|_, lock| lock.strong_count() > 0);
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(id, Arc::downgrade(&lock));
        lock
    }
}

//! [`Session`]: the handle handlers read and write, and the record it loads and saves.

use super::{SessionError, SessionKey, StoredInSession};
use baton_macros::context_key;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{Mutex, MutexGuard};
use tower_sessions_core::SessionStore;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_memory_store::MemoryStore;

/// The request's session, provided by [`session()`](super::session()). See the [module docs](super).
///
/// Cloning shares the handle. Every method is `async` because the first one loads the record from
/// the store; the others reuse it.
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing, cookies};
/// use baton::builtin::session::{MemoryStore, Session, SessionError, session};
/// use baton::{Context, Router, get, handler, session_key};
///
/// #[session_key]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Cart(Vec<String>);
///
/// #[handler]
/// async fn add(ctx: Context) -> Result<String, SessionError> {
///     let session = ctx.get::<Session>();
///     let Cart(mut items) = session.get::<Cart>().await?.unwrap_or(Cart(Vec::new()));
///     items.push(format!("item {}", items.len() + 1));
///     let summary = items.join(", ");
///     session.insert(Cart(items)).await?;
///     Ok(summary)
/// }
///
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .with(session(MemoryStore::default()))
///     .route("/add", get(add));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let first = app.call_request(http::Request::get("/add").header("host", "localhost").body(baton::Body::empty()).unwrap()).await;
/// let set_cookie = first.headers()["set-cookie"].to_str().unwrap().to_string();
/// for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
///     assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
/// }
/// assert!(!set_cookie.contains("Secure"), "plain-http localhost");
/// assert_eq!(first.into_body().collect_bytes().await.unwrap(), "item 1");
///
/// let cookie = set_cookie.split(';').next().unwrap();
/// let again = http::Request::get("/add").header("host", "localhost").header("cookie", cookie).body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(again).await.into_body().collect_bytes().await.unwrap(), "item 1, item 2");
/// # });
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone)]
pub struct Session {
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn SessionStore>,
    idle: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The id the request's cookie carried (validly signed), if any.
    cookie_id: Option<Id>,
    /// Whether `record` has been read from the store (sessions are loaded on first use).
    loaded: bool,
    record: Loaded,
    /// The keys this request inserted (`Some`) or removed (`None`): what a save applies.
    changes: BTreeMap<String, Option<Value>>,
    cycle: bool,
    destroy: bool,
}

#[derive(Default)]
struct Loaded {
    /// The id of the stored record; `None` for a session that does not exist in the store yet.
    id: Option<Id>,
    data: HashMap<String, Value>,
    expiry: Option<OffsetDateTime>,
}

/// What the middleware must do to the cookie after a save.
pub(crate) enum CookieUpdate {
    Keep,
    Set { id: Id, max_age: Duration },
    Remove,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the values: they may be secrets.
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    /// A session over `store` for the record `cookie_id` names: what the middleware provides.
    pub(crate) fn open(
        store: Arc<dyn SessionStore>,
        idle: Duration,
        cookie_id: Option<Id>,
    ) -> Self {
        let state = State {
            cookie_id,
            ..State::default()
        };
        Session {
            shared: Arc::new(Shared {
                store,
                idle,
                state: Mutex::new(state),
            }),
        }
    }

    /// A fresh, empty session over its own in-memory store, for unit tests of handlers that read or
    /// write a session, without cookies or signing.
    ///
    /// ```
    /// use baton::builtin::session::Session;
    /// # #[derive(serde::Serialize, serde::Deserialize)]
    /// # #[baton::session_key] struct Theme(String);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let session = Session::for_test();
    /// session.insert(Theme("dark".into())).await.unwrap();
    /// assert_eq!(session.get::<Theme>().await.unwrap().unwrap().0, "dark");
    /// # });
    /// ```
    pub fn for_test() -> Self {
        Session::open(
            Arc::new(MemoryStore::default()),
            super::SessionConfig::default().idle_expiry,
            None,
        )
    }

    async fn loaded(&self) -> Result<MutexGuard<'_, State>, SessionError> {
        let mut state = self.shared.state.lock().await;
        if !state.loaded {
            if let Some(id) = state.cookie_id
                && let Some(record) = self.shared.store.load(&id).await?
            {
                state.record = Loaded {
                    id: Some(record.id),
                    data: record.data,
                    expiry: Some(record.expiry_date),
                };
            }
            state.loaded = true;
        }
        Ok(state)
    }

    /// The value stored under `K`, or `None`. A stored value that no longer decodes as `K` (its type
    /// changed since it was written) reads as `None`, with a warning; it is left in the store.
    ///
    /// ```
    /// # use baton::builtin::session::Session;
    /// # #[derive(serde::Serialize, serde::Deserialize)]
    /// # #[baton::session_key] struct CartSize(u32);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let session = Session::for_test();
    /// assert!(session.get::<CartSize>().await.unwrap().is_none());
    /// # });
    /// ```
    pub async fn get<K: SessionKey + StoredInSession>(&self) -> Result<Option<K>, SessionError> {
        let state = self.loaded().await?;
        let Some(value) = state.record.data.get(K::NAME) else {
            return Ok(None);
        };
        match K::deserialize(value) {
            Ok(value) => Ok(Some(value)),
            Err(error) => {
                tracing::warn!(key = K::NAME, %error, "session value does not decode; read as absent");
                Ok(None)
            }
        }
    }

    /// Stores `value` under `K`, replacing what was there; saved once the chain has answered.
    ///
    /// ```
    /// # use baton::builtin::session::Session;
    /// # #[derive(serde::Serialize, serde::Deserialize)]
    /// # #[baton::session_key] struct CartSize(u32);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let session = Session::for_test();
    /// session.insert(CartSize(3)).await.unwrap();
    /// assert_eq!(session.get::<CartSize>().await.unwrap().unwrap().0, 3);
    /// # });
    /// ```
    pub async fn insert<K: SessionKey + StoredInSession>(
        &self,
        value: K,
    ) -> Result<(), SessionError> {
        let value = serde_json::to_value(&value).map_err(|error| SessionError::Encode {
            key: K::NAME,
            message: error.to_string(),
        })?;
        let mut state = self.loaded().await?;
        state.record.data.insert(K::NAME.to_string(), value.clone());
        state.changes.insert(K::NAME.to_string(), Some(value));
        Ok(())
    }

    /// Removes the value stored under `K`, returning it.
    ///
    /// ```
    /// # use baton::builtin::session::Session;
    /// # #[derive(serde::Serialize, serde::Deserialize)]
    /// # #[baton::session_key] struct CartSize(u32);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let session = Session::for_test();
    /// session.insert(CartSize(3)).await.unwrap();
    /// assert_eq!(session.remove::<CartSize>().await.unwrap().unwrap().0, 3);
    /// assert!(session.get::<CartSize>().await.unwrap().is_none());
    /// # });
    /// ```
    pub async fn remove<K: SessionKey + StoredInSession>(&self) -> Result<Option<K>, SessionError> {
        let mut state = self.loaded().await?;
        let old = state.record.data.remove(K::NAME);
        state.changes.insert(K::NAME.to_string(), None);
        Ok(old.and_then(|value| serde_json::from_value(value).ok()))
    }

    /// Moves the session to a new id when it is saved (the old record is deleted). Call it when the
    /// user logs in or changes privilege, so an id an attacker planted before the login is worthless
    /// after it (session fixation).
    ///
    /// ```
    /// # use baton::builtin::session::Session;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let session = Session::for_test();
    /// session.cycle_id().await.unwrap();
    /// # });
    /// ```
    pub async fn cycle_id(&self) -> Result<(), SessionError> {
        let mut state = self.loaded().await?;
        state.cycle = true;
        Ok(())
    }

    /// Ends the session: its record is deleted and the cookie removed once the chain has answered.
    /// Values read afterwards in this request are gone; values inserted afterwards start a new session.
    ///
    /// ```
    /// # use baton::builtin::session::Session;
    /// # #[derive(serde::Serialize, serde::Deserialize)]
    /// # #[baton::session_key] struct CartSize(u32);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let session = Session::for_test();
    /// session.insert(CartSize(3)).await.unwrap();
    /// session.destroy().await;
    /// assert!(session.get::<CartSize>().await.unwrap().is_none());
    /// # });
    /// ```
    pub async fn destroy(&self) {
        let mut state = self.shared.state.lock().await;
        state.destroy = true;
        state.cycle = false;
        state.changes.clear();
        state.loaded = true;
        state.record = Loaded::default();
    }

    /// Removes and returns the raw value stored under `name` (for built-ins whose names are built at
    /// run time, like a flash message's).
    #[cfg(feature = "flash")]
    pub(crate) async fn take_value(&self, name: &str) -> Result<Option<Value>, SessionError> {
        let mut state = self.loaded().await?;
        let old = state.record.data.remove(name);
        if old.is_some() {
            state.changes.insert(name.to_string(), None);
        }
        Ok(old)
    }

    /// Stores a raw value under `name`.
    #[cfg(feature = "flash")]
    pub(crate) async fn insert_value(
        &self,
        name: String,
        value: Value,
    ) -> Result<(), SessionError> {
        let mut state = self.loaded().await?;
        state.record.data.insert(name.clone(), value.clone());
        state.changes.insert(name, Some(value));
        Ok(())
    }

    /// Writes what this request changed to the store; the middleware calls it after `next`.
    pub(crate) async fn commit(&self) -> Result<CookieUpdate, SessionError> {
        let store = &self.shared.store;
        let idle = self.shared.idle;
        let mut state = self.shared.state.lock().await;
        let state = &mut *state;
        let mut removed_cookie = false;
        if state.destroy {
            if let Some(old) = state.cookie_id.take() {
                store.delete(&old).await?;
            }
            removed_cookie = true;
        }
        let unchanged = if removed_cookie {
            CookieUpdate::Remove
        } else {
            CookieUpdate::Keep
        };
        if !state.loaded {
            return Ok(unchanged);
        }
        let loaded = &mut state.record;
        let now = OffsetDateTime::now_utc();
        let stale = is_stale(loaded, idle);
        let changed = !state.changes.is_empty();
        let existing = loaded.id;
        if !changed && !(existing.is_some() && (state.cycle || stale)) {
            return Ok(unchanged);
        }
        // Merge onto the stored record, not onto what this request loaded: a parallel request's
        // writes to other keys survive.
        let current = match existing {
            Some(id) => store.load(&id).await?,
            None => None,
        };
        let expiry_date = now + time_duration(idle);
        let (mut record, fresh) = match current {
            Some(record) => (record, false),
            // New, or deleted meanwhile (a logout elsewhere): never resurrect the old id or data.
            None => {
                let record = Record {
                    id: Id::default(),
                    data: HashMap::new(),
                    expiry_date,
                };
                (record, true)
            }
        };
        for (key, change) in std::mem::take(&mut state.changes) {
            match change {
                Some(value) => record.data.insert(key, value),
                None => record.data.remove(&key),
            };
        }
        record.expiry_date = expiry_date;
        if fresh || state.cycle {
            record.id = Id::default();
            store.create(&mut record).await?;
            if let Some(old) = existing.filter(|_| state.cycle) {
                store.delete(&old).await?;
            }
        } else {
            store.save(&record).await?;
        }
        state.cycle = false;
        loaded.id = Some(record.id);
        loaded.expiry = Some(expiry_date);
        Ok(CookieUpdate::Set {
            id: record.id,
            max_age: idle,
        })
    }

    /// Whether [`commit`](Session::commit) has work to do, and the id of the stored record it
    /// would touch: `None` when it has none (the common read-only request skips the save lock).
    pub(crate) async fn pending(&self) -> Option<Option<Id>> {
        let state = self.shared.state.lock().await;
        if state.destroy {
            return Some(state.cookie_id);
        }
        let work = state.loaded
            && (!state.changes.is_empty()
                || state.cycle
                || is_stale(&state.record, self.shared.idle));
        work.then_some(state.record.id)
    }
}

/// Whether a stored record's idle expiry was last pushed back more than a day ago.
fn is_stale(record: &Loaded, idle: Duration) -> bool {
    record.expiry.is_some_and(|expiry| {
        expiry - OffsetDateTime::now_utc() < time_duration(idle) - time::Duration::DAY
    })
}

fn time_duration(duration: Duration) -> time::Duration {
    time::Duration::try_from(duration).unwrap_or(time::Duration::MAX)
}

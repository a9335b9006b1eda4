//! Typed sessions: values a user's requests share, stored server-side under a signed cookie.
//!
//! [`session(store)`](session()) requires [`Cookies`](crate::cookies::Cookies) (mount
//! [`cookies(keys)`](crate::cookies::cookies()) first; the other order does not compile) and provides
//! [`Session`]. Values are read and written **as types**: a `#[session_key]` type is stored under its
//! name, so there are no string keys to mistype, and two keys claiming one name in a crate are a compile
//! error.
//!
//! ```
//! use baton::builtin::cookies::{Key, KeyRing, cookies};
//! use baton::builtin::session::{MemoryStore, Session, SessionError, session};
//! use baton::{Context, Router, get, handler, session_key};
//! use serde::{Deserialize, Serialize};
//!
//! #[session_key]
//! #[derive(Serialize, Deserialize)]
//! struct Visits(u32);
//!
//! #[handler]
//! async fn count(ctx: Context) -> Result<String, SessionError> {
//!     let session = ctx.get::<Session>();
//!     let Visits(seen) = session.get::<Visits>().await?.unwrap_or(Visits(0));
//!     session.insert(Visits(seen + 1)).await?;
//!     Ok(format!("visit number {}", seen + 1))
//! }
//!
//! let _app = Router::new()
//!     .with(cookies(KeyRing::new(Key::generate())))
//!     .with(session(MemoryStore::default()))
//!     .route("/", get(count));
//! ```
//!
//! # Stores
//!
//! Any [`SessionStore`] of the tower-sessions ecosystem works (its `tower-sessions-core` 0.14 trait):
//! [`MemoryStore`] (one process, lost on restart), `SqliteStore` (feature `session-sqlite`, sqlx) and
//! `RedisStore` (feature `session-redis`, fred; several app instances share one Redis, so a login on
//! one is seen by the others).
//!
//! # What happens when
//!
//! * **Lazily loaded**: nothing is read from the store until a handler or middleware first reads or
//!   writes the session; a request whose cookie carries no (validly signed) id never touches it.
//! * **Saved after `next`, only when changed**: a request that wrote nothing saves nothing (except a
//!   once-a-day refresh of the idle expiry). The save also happens when the handler below panicked:
//!   baton turns the panic into a 500 before the session middleware sees the response.
//! * **A store failure** (loading or saving) is a 500 with an `ERROR` log line naming the store's
//!   error: a write that could not be saved is never reported as a success.
//! * **Secure defaults**: the cookie holds only the id, signed with the [`KeyRing`](crate::cookies::KeyRing);
//!   `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` unless the request came to `localhost`/`127.0.0.1`
//!   (plain-HTTP development), and an idle expiry of 14 days. See [`SessionConfig`].
//! * **Fixation**: call [`Session::cycle_id`] when the user logs in; the data moves to a new id and
//!   the old one is deleted.
//!
//! # Concurrent requests of one session
//!
//! A save merges **per key**: it re-reads the stored record and applies only the keys this request
//! inserted or removed, so two parallel requests writing *different* keys both keep their write. Two
//! requests writing the *same* key: the last save wins. In one process, the saves of one session are
//! serialised, so this holds exactly; instances sharing a store can still interleave between the
//! re-read and the write (a window of one store round trip).

mod config;
mod error;
mod handle;
mod middleware;
#[cfg(feature = "session-redis")]
mod redis;

pub use config::SessionConfig;
pub use error::SessionError;
pub use handle::Session;
pub use middleware::{SessionMiddleware, session};

#[cfg(feature = "session-redis")]
pub use redis::redis_store;
pub use tower_sessions_core::SessionStore;
pub use tower_sessions_core::session::{Id, Record};
pub use tower_sessions_core::session_store::Error as StoreError;
pub use tower_sessions_memory_store::MemoryStore;
#[cfg(feature = "session-redis")]
pub use tower_sessions_redis_store::{RedisStore, fred};
#[cfg(feature = "session-sqlite")]
pub use tower_sessions_sqlx_store::{SqliteStore, sqlx};

/// What a session value must be: serialisable (the store keeps JSON-like data), and shareable.
/// Implemented for every such type: derive serde's traits, never implement it by hand.
///
/// ```
/// use baton::builtin::session::{Session, SessionError, SessionKey, StoredInSession};
///
/// /// A helper for any session value: `StoredInSession` is what `get` and `insert` need.
/// async fn bump<K: SessionKey + StoredInSession + Default>(
///     session: &Session,
///     next: impl FnOnce(K) -> K,
/// ) -> Result<(), SessionError> {
///     let value = session.get::<K>().await?.unwrap_or_default();
///     session.insert(next(value)).await
/// }
///
/// #[baton::session_key]
/// #[derive(serde::Serialize, serde::Deserialize, Default)]
/// struct Visits(u32);
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let session = Session::for_test();
/// bump(&session, |Visits(n)| Visits(n + 1)).await.unwrap();
/// bump(&session, |Visits(n)| Visits(n + 1)).await.unwrap();
/// assert_eq!(session.get::<Visits>().await.unwrap().unwrap().0, 2);
/// # });
/// ```
///
/// A type without serde's derives is refused with this trait's message:
///
/// ```compile_fail
/// #[baton::session_key] // error: `Secret` cannot be stored in the session
/// struct Secret(String);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in the session",
    label = "needs `Serialize`, `Deserialize`, `Send`, `Sync` and `'static`",
    note = "add `#[derive(serde::Serialize, serde::Deserialize)]` to the type"
)]
pub trait StoredInSession:
    serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static
{
}
// Hidden from errors: a missing derive is reported once, as this trait's message, not once per bound.
#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static> StoredInSession
    for T
{
}

/// A type stored in the [`Session`] under [`NAME`](SessionKey::NAME). Write `#[session_key]` on the
/// type (optionally `#[session_key(name = "cart")]`) rather than implementing it; the type must also
/// be [`StoredInSession`] (serde's derives), which the attribute checks.
///
/// The name is the value's identity in the store, which outlives deployments: it defaults to the
/// type's name (not its module path), so moving the type keeps the users' stored values. Two keys of
/// one crate with the same name do not compile:
///
/// ```compile_fail
/// use baton::session_key;
/// #[session_key(name = "cart")]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Cart(Vec<u32>);
///
/// mod legacy {
///     #[baton::session_key(name = "cart")] // error: `__baton_session_key_cart` defined multiple times
///     #[derive(serde::Serialize, serde::Deserialize)]
///     pub struct OldCart(String);
/// }
/// ```
pub trait SessionKey: Send + Sync + 'static {
    /// The name the value is stored under.
    const NAME: &'static str;
}

//! Cookies: the request's jar with signed and private (encrypted) views, and a key ring for rotating
//! the secret.
//!
//! [`cookies(keys)`](cookies()) provides [`Cookies`]. Handlers read and change cookies through it; after
//! the rest of the chain has run, every changed cookie goes out as its own `Set-Cookie` header
//! (appended, never merged into one).
//!
//! * **Plain** cookies: [`Cookies::get`], [`Cookies::add`], [`Cookies::remove`].
//! * **Signed** ([`Cookies::signed`]): readable by the client, but a changed value does not verify.
//! * **Private** ([`Cookies::private`]): encrypted and authenticated, unreadable by the client.
//!
//! A tampered, unsigned or garbage value reads as absent (`None`), never as an error or a panic.
//!
//! # Key rotation
//!
//! cookie-rs verifies with one key. A [`KeyRing`] holds the current key first and retired keys after
//! it: new cookies are signed or encrypted with the current key, incoming ones are verified with every
//! key, and a cookie that verified only with a retired key is re-issued, signed or encrypted with the
//! current key, on the same response. Retire a key once its cookies have had time to come back.
//!
//! A client sends a cookie's name and value, never the attributes it was set with, so a re-issue
//! cannot repeat them: it goes out with the safe defaults `Path=/; HttpOnly; SameSite=Lax` (and no
//! `Max-Age`, so it lasts the browser session). A middleware that owns a cookie with other attributes
//! asks [`Signed::get_with_key`] which key verified it and sets the cookie again itself (the session
//! middleware does); the last cookie set under a name is the one sent.
//!
//! ```
//! use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, cookies};
//! use baton::{Context, Router, get, handler};
//!
//! #[handler]
//! async fn visit(ctx: Context) -> String {
//!     let jar = ctx.get::<Cookies>();
//!     let visits: u32 = jar.signed().get("visits").and_then(|c| c.value().parse().ok()).unwrap_or(0);
//!     jar.signed().add(Cookie::new("visits", (visits + 1).to_string()));
//!     format!("visit {}", visits + 1)
//! }
//!
//! let keys = KeyRing::new(Key::generate());
//! let app = Router::new().with(cookies(keys)).route("/", get(visit));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
//! assert!(set_cookie.starts_with("visits="));
//! let visits = set_cookie.split(';').next().unwrap().to_string();
//! let again = http::Request::get("/").header("cookie", visits).body(baton::Body::empty()).unwrap();
//! assert_eq!(app.call_request(again).await.into_body().collect_bytes().await.unwrap(), "visit 2");
//! # });
//! ```

use baton_core::{Context, Endpoint, KeyList, Lacks, Middleware, Next, Response};
use baton_macros::context_key;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use cookie::CookieJar;

mod signing;
pub use cookie::{Cookie, Key, SameSite};
use signing::Signer;

/// The keys that sign and encrypt cookies: the current key first, then retired keys still accepted.
///
/// Cheap to clone (the keys are shared).
///
/// ```
/// use baton::builtin::cookies::{Key, KeyRing};
///
/// let old = Key::generate();
/// let ring = KeyRing::new(Key::generate()).with_retired(old);
/// assert_eq!(ring.len(), 2);
/// ```
#[derive(Clone)]
pub struct KeyRing {
    keys: Arc<[RingKey]>,
}

/// A key of the ring, with its signing state prepared.
#[derive(Clone)]
struct RingKey {
    key: Key,
    signer: Signer,
}

impl RingKey {
    fn new(key: Key) -> Self {
        RingKey {
            signer: Signer::new(&key),
            key,
        }
    }
}

impl KeyRing {
    /// A ring with one key, used to sign, encrypt, verify and decrypt.
    ///
    /// ```
    /// use baton::builtin::cookies::{Key, KeyRing};
    /// let ring = KeyRing::new(Key::generate());
    /// assert_eq!(ring.len(), 1);
    /// ```
    pub fn new(current: Key) -> Self {
        KeyRing {
            keys: Arc::from(vec![RingKey::new(current)]),
        }
    }

    /// A ring from raw secrets, current first; each must be at least 64 bytes of random data.
    /// Gives `None` when one is too short, so a misconfigured secret stops the app at start-up
    /// rather than weakening it.
    ///
    /// ```
    /// use baton::builtin::cookies::KeyRing;
    /// assert!(KeyRing::from_secrets(&[&[7u8; 64][..], &[9u8; 64][..]]).is_some());
    /// assert!(KeyRing::from_secrets(&[b"short".as_slice()]).is_none());
    /// ```
    pub fn from_secrets(secrets: &[&[u8]]) -> Option<Self> {
        let keys = secrets
            .iter()
            .map(|secret| Key::try_from(*secret).ok().map(RingKey::new))
            .collect::<Option<Vec<RingKey>>>()?;
        (!keys.is_empty()).then(|| KeyRing {
            keys: Arc::from(keys),
        })
    }

    /// Adds a retired key: still accepted when verifying and decrypting, never used to sign.
    ///
    /// ```
    /// use baton::builtin::cookies::{Key, KeyRing};
    /// let ring = KeyRing::new(Key::generate()).with_retired(Key::generate());
    /// assert_eq!(ring.len(), 2);
    /// ```
    pub fn with_retired(self, retired: Key) -> Self {
        let mut keys = self.keys.to_vec();
        keys.push(RingKey::new(retired));
        KeyRing {
            keys: Arc::from(keys),
        }
    }

    /// The number of keys, current and retired.
    ///
    /// ```
    /// use baton::builtin::cookies::{Key, KeyRing};
    /// assert_eq!(KeyRing::new(Key::generate()).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always `false`: a ring is built with a current key.
    ///
    /// ```
    /// use baton::builtin::cookies::{Key, KeyRing};
    /// assert!(!KeyRing::new(Key::generate()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn current(&self) -> &RingKey {
        // Every constructor puts a key first.
        &self.keys[0]
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        write!(f, "KeyRing({} keys)", self.keys.len())
    }
}

/// The request's cookies, provided by [`cookies()`].
///
/// Provided values are shared, immutable references (`ctx.get::<Cookies>()` is a `&Cookies`), yet
/// handlers must be able to set cookies: the jar sits behind a `Mutex` inside the value, so every
/// method takes `&self`. The middleware keeps a handle on the same jar and writes its changes as
/// `Set-Cookie` headers once the rest of the chain has answered. Locks are held only inside each
/// method, never across an `.await`.
///
/// ```
/// use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, cookies};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn theme(ctx: Context) -> String {
///     let jar = ctx.get::<Cookies>();
///     let theme = jar.get("theme").map(|c| c.value().to_string()).unwrap_or("light".into());
///     jar.add(Cookie::new("seen", "1"));
///     theme
/// }
///
/// let app = Router::new().with(cookies(KeyRing::new(Key::generate()))).route("/", get(theme));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("cookie", "theme=dark").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.headers()["set-cookie"], "seen=1; Path=/");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "dark");
/// # });
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Clone)]
pub struct Cookies {
    jar: Arc<Mutex<CookieJar>>,
    keys: KeyRing,
}

impl fmt::Debug for Cookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: values may be secrets.
        let jar = self.lock();
        f.debug_list()
            .entries(jar.iter().map(|cookie| cookie.name().to_string()))
            .finish()
    }
}

impl Cookies {
    /// A jar holding the cookies of a request's `Cookie` headers; what [`cookies()`] provides.
    /// Unparsable pairs are skipped.
    ///
    /// ```
    /// use baton::builtin::cookies::{Cookies, Key, KeyRing};
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("cookie", "a=1; b=2; =broken".parse().unwrap());
    /// let jar = Cookies::from_headers(&headers, KeyRing::new(Key::generate()));
    /// assert_eq!(jar.get("b").unwrap().value(), "2");
    /// ```
    pub fn from_headers(headers: &HeaderMap, keys: KeyRing) -> Self {
        let mut jar = CookieJar::new();
        for header in headers.get_all(COOKIE) {
            // A header that is not UTF-8 carries no cookie we could have set.
            let Ok(text) = header.to_str() else { continue };
            for cookie in Cookie::split_parse_encoded(text).flatten() {
                jar.add_original(cookie.into_owned());
            }
        }
        Cookies {
            jar: Arc::new(Mutex::new(jar)),
            keys,
        }
    }

    /// The plain cookie `name`, as sent by the client or set during this request.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.add(Cookie::new("lang", "fr"));
    /// assert_eq!(jar.get("lang").unwrap().value(), "fr");
    /// ```
    pub fn get(&self, name: &str) -> Option<Cookie<'static>> {
        self.lock().get(name).cloned()
    }

    /// Sets a plain cookie (a `Set-Cookie` on the response). A cookie without a path gets `Path=/`,
    /// so it is sent back on every page rather than only under the current URL's directory.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.add(Cookie::build(("lang", "fr")).http_only(true));
    /// assert_eq!(jar.set_cookie_headers()[0], "lang=fr; HttpOnly; Path=/");
    /// ```
    pub fn add(&self, cookie: impl Into<Cookie<'static>>) {
        self.lock().add(with_path(cookie.into()));
    }

    /// Removes the cookie `name` (an expired `Set-Cookie` with `Path=/`).
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookies, Key, KeyRing};
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("cookie", "lang=fr".parse().unwrap());
    /// let jar = Cookies::from_headers(&headers, KeyRing::new(Key::generate()));
    /// jar.remove("lang");
    /// assert!(jar.get("lang").is_none());
    /// assert!(jar.set_cookie_headers()[0].to_str().unwrap().starts_with("lang=; "));
    /// ```
    pub fn remove(&self, name: &str) {
        self.lock()
            .remove(Cookie::build(name.to_string()).path("/"));
    }

    /// The signed view: values the client can read but not change.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.signed().add(Cookie::new("user", "ada"));
    /// assert_eq!(jar.signed().get("user").unwrap().value(), "ada");
    /// assert_ne!(jar.get("user").unwrap().value(), "ada"); // the raw value carries the signature
    /// ```
    pub fn signed(&self) -> Signed<'_> {
        Signed { cookies: self }
    }

    /// The private view: values encrypted and authenticated, unreadable by the client.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.private().add(Cookie::new("token", "s3cret"));
    /// assert_eq!(jar.private().get("token").unwrap().value(), "s3cret");
    /// assert!(!jar.get("token").unwrap().value().contains("s3cret"));
    /// ```
    pub fn private(&self) -> Private<'_> {
        Private { cookies: self }
    }

    /// The `Set-Cookie` values for every cookie changed so far, one per cookie; [`cookies()`] appends
    /// them to the response.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.add(Cookie::new("a", "1"));
    /// jar.add(Cookie::new("b", "2"));
    /// assert_eq!(jar.set_cookie_headers().len(), 2);
    /// ```
    pub fn set_cookie_headers(&self) -> Vec<HeaderValue> {
        let jar = self.lock();
        let mut values: Vec<HeaderValue> = Vec::new();
        for cookie in jar.delta() {
            match HeaderValue::from_str(&cookie.encoded().to_string()) {
                Ok(value) => values.push(value),
                // Percent-encoding leaves only header-safe bytes, so this is a cookie whose
                // attributes (a domain, a path) hold control characters: drop it, loudly.
                Err(_) => tracing::warn!(
                    cookie = cookie.name(),
                    "cookie is not a valid header; not sent"
                ),
            }
        }
        values
    }

    fn lock(&self) -> MutexGuard<'_, CookieJar> {
        // A panic while the lock was held (in the panicking handler's own call) leaves the jar
        // consistent: every method changes it in one call into cookie-rs.
        self.jar
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How a view protects its cookies: the one difference between [`Signed`] and [`Private`].
#[derive(Debug, Clone, Copy)]
enum Protection {
    Signed,
    Private,
}

impl Protection {
    fn get(self, jar: &CookieJar, key: &RingKey, name: &str) -> Option<Cookie<'static>> {
        match self {
            Protection::Signed => {
                let cookie = jar.get(name)?;
                let value = key.signer.verify(cookie.value())?.to_string();
                let mut cookie = cookie.clone();
                cookie.set_value(value);
                Some(cookie)
            }
            Protection::Private => jar.private(&key.key).get(name),
        }
    }

    fn add(self, jar: &mut CookieJar, key: &RingKey, mut cookie: Cookie<'static>) {
        match self {
            Protection::Signed => {
                cookie.set_value(key.signer.sign(cookie.value()));
                jar.add(cookie);
            }
            Protection::Private => jar.private_mut(&key.key).add(cookie),
        }
    }
}

impl Cookies {
    /// The cookie `name` as the first key of the ring that verifies it reads it; re-issued with the
    /// current key when only a retired one did.
    fn protected_get(
        &self,
        protection: Protection,
        name: &str,
    ) -> Option<(Cookie<'static>, KeyUsed)> {
        let mut jar = self.lock();
        let (index, cookie) = self
            .keys
            .keys
            .iter()
            .enumerate()
            .find_map(|(index, key)| Some((index, protection.get(&jar, key, name)?)))?;
        if index == 0 {
            return Some((cookie, KeyUsed::Current));
        }
        protection.add(&mut jar, self.keys.current(), reissued(&cookie));
        Some((cookie, KeyUsed::Retired))
    }

    /// Protects `cookie` with the current key and sets it.
    fn protected_add(&self, protection: Protection, cookie: Cookie<'static>) {
        protection.add(&mut self.lock(), self.keys.current(), with_path(cookie));
    }
}

/// Which key of the ring verified a cookie, from [`Signed::get_with_key`] / [`Private::get_with_key`].
///
/// A middleware owning a long-lived cookie sets it again with its own attributes on
/// [`Retired`](KeyUsed::Retired), as the session middleware does:
///
/// ```
/// use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, KeyUsed, cookies};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn remember_me(ctx: Context) -> String {
///     let jar = ctx.get::<Cookies>();
///     match jar.signed().get_with_key("remember") {
///         Some((cookie, KeyUsed::Retired)) => {
///             // Re-issued with the defaults: give it back its year and `Secure`.
///             let year = cookie::time::Duration::days(365);
///             jar.signed().add(Cookie::build(("remember", cookie.value().to_string())).max_age(year).secure(true));
///             format!("{} (re-signed)", cookie.value())
///         }
///         Some((cookie, KeyUsed::Current)) => cookie.value().to_string(),
///         None => "nobody".to_string(),
///     }
/// }
///
/// let old = Key::generate();
/// let before = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(old.clone()));
/// before.signed().add(Cookie::new("remember", "ada"));
/// let held = before.set_cookie_headers()[0].to_str().unwrap().split(';').next().unwrap().to_string();
///
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate()).with_retired(old)))
///     .route("/", get(remember_me));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("cookie", held).body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// let set: Vec<_> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
/// assert_eq!(set.len(), 1, "the last cookie set under a name is the one sent: {set:?}");
/// assert!(set[0].contains("Max-Age=31536000") && set[0].contains("Secure"), "{}", set[0]);
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada (re-signed)");
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsed {
    /// The current key: nothing to do.
    Current,
    /// A retired key: the cookie was re-issued with the current key and the default attributes;
    /// set it again to give it its own.
    Retired,
}

/// A cookie verified with a retired key, to go out again under the current key. The attributes it was
/// first set with are unknown (clients send only name and value), so it gets the safe defaults.
fn reissued(cookie: &Cookie<'static>) -> Cookie<'static> {
    Cookie::build((cookie.name().to_string(), cookie.value().to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

fn with_path(mut cookie: Cookie<'static>) -> Cookie<'static> {
    if cookie.path().is_none() {
        cookie.set_path("/");
    }
    cookie
}

/// The signed view of [`Cookies`], from [`Cookies::signed`]: the value travels in clear with an
/// HMAC-SHA256 signature, so the client can read it but a changed value reads as absent.
///
/// ```
/// use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
///
/// let keys = KeyRing::new(Key::generate());
/// let jar = Cookies::from_headers(&http::HeaderMap::new(), keys.clone());
/// jar.signed().add(Cookie::new("user", "ada"));
/// let sent = jar.set_cookie_headers()[0].to_str().unwrap().split(';').next().unwrap().to_string();
/// assert!(sent.contains("ada"), "readable: {sent}");
///
/// let read = |cookie: &str| {
///     let mut headers = http::HeaderMap::new();
///     headers.insert("cookie", cookie.parse().unwrap());
///     let jar = Cookies::from_headers(&headers, keys.clone());
///     jar.signed().get("user").map(|c| c.value().to_string())
/// };
/// assert_eq!(read(&sent).as_deref(), Some("ada"));
/// assert_eq!(read(&sent.replace("ada", "eve")), None); // tampered
/// ```
#[derive(Debug)]
pub struct Signed<'a> {
    cookies: &'a Cookies,
}

impl Signed<'_> {
    /// The verified cookie `name`; `None` when absent, unsigned or tampered with. A cookie signed
    /// with a retired key is returned and re-issued with the current key.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookies, Key, KeyRing};
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("cookie", "user=ada".parse().unwrap()); // no signature
    /// let jar = Cookies::from_headers(&headers, KeyRing::new(Key::generate()));
    /// assert!(jar.signed().get("user").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<Cookie<'static>> {
        self.get_with_key(name).map(|(cookie, _)| cookie)
    }

    /// As [`get`](Self::get), and which key verified the cookie: on [`KeyUsed::Retired`] it was
    /// re-issued with the default attributes (see the [module docs](self#key-rotation)); a cookie with
    /// attributes of its own (`Max-Age`, `Secure`) should be set again by its owner.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, KeyUsed};
    /// let old = Key::generate();
    /// let before = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(old.clone()));
    /// before.signed().add(Cookie::new("user", "ada"));
    /// let sent = before.set_cookie_headers()[0].to_str().unwrap().split(';').next().unwrap().to_string();
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("cookie", sent.parse().unwrap());
    /// let jar = Cookies::from_headers(&headers, KeyRing::new(Key::generate()).with_retired(old));
    /// let (cookie, used) = jar.signed().get_with_key("user").unwrap();
    /// assert_eq!((cookie.value(), used), ("ada", KeyUsed::Retired));
    /// assert!(jar.set_cookie_headers()[0].to_str().unwrap().contains("HttpOnly"));
    /// ```
    pub fn get_with_key(&self, name: &str) -> Option<(Cookie<'static>, KeyUsed)> {
        self.cookies.protected_get(Protection::Signed, name)
    }

    /// Signs `cookie` with the current key and sets it.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.signed().add(Cookie::new("user", "ada"));
    /// assert!(jar.set_cookie_headers()[0].to_str().unwrap().contains("ada"));
    /// ```
    pub fn add(&self, cookie: impl Into<Cookie<'static>>) {
        self.cookies
            .protected_add(Protection::Signed, cookie.into());
    }

    /// Removes the cookie `name`, as [`Cookies::remove`].
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.signed().add(Cookie::new("user", "ada"));
    /// jar.signed().remove("user");
    /// assert!(jar.signed().get("user").is_none());
    /// ```
    pub fn remove(&self, name: &str) {
        self.cookies.remove(name);
    }
}

/// The private view of [`Cookies`], from [`Cookies::private`]: the value is encrypted and
/// authenticated (AES-256-GCM), so the client can neither read nor change it.
///
/// ```
/// use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
///
/// let keys = KeyRing::new(Key::generate());
/// let jar = Cookies::from_headers(&http::HeaderMap::new(), keys.clone());
/// jar.private().add(Cookie::new("token", "s3cret"));
/// let sent = jar.set_cookie_headers()[0].to_str().unwrap().split(';').next().unwrap().to_string();
/// assert!(!sent.contains("s3cret"), "unreadable: {sent}");
///
/// let read = |cookie: &str, keys: KeyRing| {
///     let mut headers = http::HeaderMap::new();
///     headers.insert("cookie", cookie.parse().unwrap());
///     let jar = Cookies::from_headers(&headers, keys);
///     jar.private().get("token").map(|c| c.value().to_string())
/// };
/// assert_eq!(read(&sent, keys).as_deref(), Some("s3cret"));
/// assert_eq!(read(&sent, KeyRing::new(Key::generate())), None); // another key
/// ```
#[derive(Debug)]
pub struct Private<'a> {
    cookies: &'a Cookies,
}

impl Private<'_> {
    /// The decrypted cookie `name`; `None` when absent, not encrypted by us or tampered with. A cookie
    /// encrypted with a retired key is returned and re-issued with the current key.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookies, Key, KeyRing};
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("cookie", "token=garbage%00%ff".parse().unwrap());
    /// let jar = Cookies::from_headers(&headers, KeyRing::new(Key::generate()));
    /// assert!(jar.private().get("token").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<Cookie<'static>> {
        self.get_with_key(name).map(|(cookie, _)| cookie)
    }

    /// As [`get`](Self::get), and which key decrypted the cookie (see [`Signed::get_with_key`]).
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, KeyUsed};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.private().add(Cookie::new("token", "s3cret"));
    /// let (cookie, used) = jar.private().get_with_key("token").unwrap();
    /// assert_eq!((cookie.value(), used), ("s3cret", KeyUsed::Current));
    /// ```
    pub fn get_with_key(&self, name: &str) -> Option<(Cookie<'static>, KeyUsed)> {
        self.cookies.protected_get(Protection::Private, name)
    }

    /// Encrypts `cookie` with the current key and sets it.
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.private().add(Cookie::new("token", "s3cret"));
    /// assert!(!jar.set_cookie_headers()[0].to_str().unwrap().contains("s3cret"));
    /// ```
    pub fn add(&self, cookie: impl Into<Cookie<'static>>) {
        self.cookies
            .protected_add(Protection::Private, cookie.into());
    }

    /// Removes the cookie `name`, as [`Cookies::remove`].
    ///
    /// ```
    /// # use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing};
    /// let jar = Cookies::from_headers(&http::HeaderMap::new(), KeyRing::new(Key::generate()));
    /// jar.private().add(Cookie::new("token", "s3cret"));
    /// jar.private().remove("token");
    /// assert!(jar.private().get("token").is_none());
    /// ```
    pub fn remove(&self, name: &str) {
        self.cookies.remove(name);
    }
}

/// The cookies middleware: provides [`Cookies`] and sends every changed cookie as its own
/// `Set-Cookie` after the rest of the chain (see the [module docs](self)).
///
/// ```
/// use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, cookies};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn prefs(ctx: Context) -> &'static str {
///     let jar = ctx.get::<Cookies>();
///     jar.add(Cookie::new("lang", "fr"));
///     jar.add(Cookie::build(("theme", "dark")).http_only(true));
///     jar.remove("legacy");
///     "saved"
/// }
///
/// let app = Router::new()
///     .with(cookies(KeyRing::new(Key::generate())))
///     .route("/", get(prefs))
///     .route("/quiet", get(|_: Context| async { "nothing set" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let request = http::Request::get("/").header("cookie", "legacy=1").body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// let mut set: Vec<_> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
/// set.sort();
/// assert_eq!(set.len(), 3, "one header per cookie: {set:?}");
/// assert_eq!(set[0], "lang=fr; Path=/");
/// assert!(set[1].starts_with("legacy=; Path=/") && set[1].contains("Max-Age=0"));
/// assert_eq!(set[2], "theme=dark; HttpOnly; Path=/");
///
/// // A request that changes no cookie gets no `Set-Cookie`.
/// let quiet = app.call_request(http::Request::get("/quiet").body(baton::Body::empty()).unwrap()).await;
/// assert!(quiet.headers().get("set-cookie").is_none());
/// # });
/// ```
pub fn cookies(keys: KeyRing) -> CookiesMiddleware {
    CookiesMiddleware { keys }
}

/// Middleware returned by [`cookies()`]. Cheap to clone (the key ring is shared), so one can be
/// mounted on several scopes, which then read each other's signed and private cookies.
///
/// ```
/// use baton::builtin::cookies::{Cookie, Cookies, CookiesMiddleware, Key, KeyRing, cookies};
/// use baton::{Context, Router, get, handler};
///
/// #[handler]
/// async fn sign(ctx: Context) -> &'static str {
///     ctx.get::<Cookies>().signed().add(Cookie::new("seen", "yes"));
///     "signed"
/// }
///
/// #[handler]
/// async fn verify(ctx: Context) -> String {
///     ctx.get::<Cookies>().signed().get("seen").map(|c| c.value().to_string()).unwrap_or_default()
/// }
///
/// let jar: CookiesMiddleware = cookies(KeyRing::new(Key::generate()));
/// let app = Router::new()
///     .scope("/a", |a| a.with(jar.clone()).route("/", get(sign)))
///     .scope("/b", |b| b.with(jar).route("/", get(verify)));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/a").body(baton::Body::empty()).unwrap()).await;
/// let signed = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
/// let request = http::Request::get("/b").header("cookie", &signed).body(baton::Body::empty()).unwrap();
/// let response = app.call_request(request).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "yes");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct CookiesMiddleware {
    keys: KeyRing,
}

impl<P> Middleware<P> for CookiesMiddleware
where
    P: KeyList + Lacks<Cookies>,
{
    type Out = crate::gated!(P => (Cookies, P); Lacks<Cookies>);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let cookies = Cookies::from_headers(ctx.headers(), self.keys.clone());
        // The context owns the provided value; this clone shares its jar, so the changes made
        // downstream are visible here once `next` has answered.
        let handle = cookies.clone();
        let mut response = next.run(ctx.provide(cookies)).await;
        let headers = response.headers_mut();
        for value in handle.set_cookie_headers() {
            // `append`: one header per cookie (RFC 6265 §3 forbids folding `Set-Cookie`).
            headers.append(SET_COOKIE, value);
        }
        response
    }
}

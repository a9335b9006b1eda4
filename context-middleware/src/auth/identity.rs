//! The keys the auth middleware provide: [`Auth`], [`Identity`], [`Granted`], and [`Permission`].

use crate::__baton::ContextKey;
use crate::__baton::key::{B0, B1, KeyId};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

/// Who the request says it is, if any scheme of [`auth()`](super::auth()) recognised it.
///
/// One identity type per route: `Auth<User>` and `Auth<Service>` on one route do not compile.
///
/// ```
/// use baton::builtin::auth::Auth;
///
/// let anonymous: Auth<String> = Auth::anonymous();
/// assert!(anonymous.identity().is_none());
/// let known = Auth::authenticated("ada".to_string(), "session");
/// assert_eq!(known.identity().map(String::as_str), Some("ada"));
/// assert_eq!(known.scheme(), Some("session"));
/// ```
pub struct Auth<I> {
    found: Option<(Arc<I>, &'static str)>,
}

// Kept out of rustc's "other types implement `ContextKey`" lists under a non-key error.
#[diagnostic::do_not_recommend]
impl<I: Send + Sync + 'static> ContextKey for Auth<I> {
    type Value = Auth<I>;
    type Id = crate::fixed_key_id!(1 1 1 0 1 1 1 0 1 0 0 1 0 0 0 1 1 0 1 0 0 0 0 0 0 1 0 1 1 0 0 0 1 0 1 1 1 0 1 1 0 0 1 1 0 1 1 0 0 1 0 1 0 0 1 1 0 1 1 0 1 0 1 1);
}

impl<I> Auth<I> {
    /// No scheme recognised the request (also for unit tests).
    ///
    /// ```
    /// use baton::builtin::auth::Auth;
    ///
    /// let anonymous = Auth::<String>::anonymous();
    /// assert_eq!((anonymous.identity(), anonymous.scheme()), (None, None));
    /// ```
    pub fn anonymous() -> Self {
        Auth { found: None }
    }

    /// `scheme` recognised the request as `identity` (also for unit tests).
    ///
    /// ```
    /// use baton::builtin::auth::Auth;
    ///
    /// let bot = Auth::authenticated(7_u32, "bearer");
    /// assert_eq!((bot.identity(), bot.scheme()), (Some(&7), Some("bearer")));
    /// ```
    pub fn authenticated(identity: I, scheme: &'static str) -> Self {
        Auth {
            found: Some((Arc::new(identity), scheme)),
        }
    }

    /// The identity, if the request is authenticated: what a page that also serves visitors reads
    /// (a page only for users mounts [`require_auth`](super::require_auth()) and reads
    /// [`Identity`] instead).
    ///
    /// ```
    /// use baton::builtin::auth::{Auth, auth};
    /// use baton::{Context, Router, get, handler};
    ///
    /// #[handler]
    /// async fn greeting(ctx: Context) -> String {
    ///     match ctx.get::<Auth<String>>().identity() {
    ///         Some(name) => format!("hello {name}"),
    ///         None => "hello visitor".to_string(),
    ///     }
    /// }
    ///
    /// let app = Router::new()
    ///     .with(auth::<String>().bearer(|token: String| async move { (token == "t1").then(|| "ada".to_string()) }))
    ///     .route("/", get(greeting));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
    /// let signed_in = http::Request::get("/").header("authorization", "Bearer t1").body(baton::Body::empty()).unwrap();
    /// assert_eq!(text(app.call_request(signed_in).await).await, "hello ada");
    /// let visitor = http::Request::get("/").body(baton::Body::empty()).unwrap();
    /// assert_eq!(text(app.call_request(visitor).await).await, "hello visitor");
    /// # });
    /// ```
    pub fn identity(&self) -> Option<&I> {
        self.found.as_ref().map(|(identity, _)| &**identity)
    }

    /// The scheme that recognised it: `"session"`, `"bearer"` or `"api-key"`.
    ///
    /// ```
    /// use baton::builtin::auth::{Auth, auth};
    /// use baton::{Context, Router, get, handler};
    ///
    /// #[handler]
    /// async fn how(ctx: Context) -> &'static str {
    ///     ctx.get::<Auth<String>>().scheme().unwrap_or("none")
    /// }
    ///
    /// let lookup = |secret: String| async move { (secret == "k1").then(|| "ci".to_string()) };
    /// let app = Router::new()
    ///     .with(auth::<String>().bearer(lookup).api_key(http::HeaderName::from_static("x-api-key"), lookup))
    ///     .route("/", get(how));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let text = |response: baton::Response| async { response.into_body().collect_bytes().await.unwrap() };
    /// let by_key = http::Request::get("/").header("x-api-key", "k1").body(baton::Body::empty()).unwrap();
    /// assert_eq!(text(app.call_request(by_key).await).await, "api-key");
    /// let by_token = http::Request::get("/").header("authorization", "Bearer k1").body(baton::Body::empty()).unwrap();
    /// assert_eq!(text(app.call_request(by_token).await).await, "bearer");
    /// # });
    /// ```
    pub fn scheme(&self) -> Option<&'static str> {
        self.found.as_ref().map(|(_, scheme)| *scheme)
    }

    pub(crate) fn shared(&self) -> Option<Arc<I>> {
        self.found
            .as_ref()
            .map(|(identity, _)| Arc::clone(identity))
    }
}

impl<I> fmt::Debug for Auth<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("scheme", &self.scheme())
            .finish()
    }
}

/// The authenticated identity, provided by [`require_auth::<I>()`](super::require_auth()): reading it
/// on a route without that step does not compile. Dereferences to `I`.
///
/// ```
/// use baton::builtin::auth::Identity;
///
/// struct User { name: String }
/// let user = Identity::new(User { name: "ada".into() }); // a test kit: no session, no token
/// assert_eq!(user.name, "ada");
/// ```
pub struct Identity<I> {
    identity: Arc<I>,
}

// Kept out of rustc's "other types implement `ContextKey`" lists under a non-key error.
#[diagnostic::do_not_recommend]
impl<I: Send + Sync + 'static> ContextKey for Identity<I> {
    type Value = Identity<I>;
    type Id = crate::fixed_key_id!(0 1 1 0 1 1 1 0 0 0 0 1 0 1 1 1 1 0 1 1 0 0 0 0 1 0 0 1 1 1 1 0 1 0 0 1 1 1 1 0 1 1 0 0 1 0 0 0 0 0 0 1 1 0 1 1 0 0 0 0 1 0 1 0);
}

impl<I> Identity<I> {
    /// An identity, for unit tests of handlers (what `require_auth` provides once authenticated).
    ///
    /// ```
    /// use baton::builtin::auth::Identity;
    ///
    /// /// The logic of a handler, taking what it reads: testable without a request.
    /// fn greeting(user: &Identity<String>) -> String {
    ///     format!("hello {}", **user)
    /// }
    /// assert_eq!(greeting(&Identity::new("ada".to_string())), "hello ada");
    /// ```
    pub fn new(identity: I) -> Self {
        Identity {
            identity: Arc::new(identity),
        }
    }

    pub(crate) fn from_shared(identity: Arc<I>) -> Self {
        Identity { identity }
    }
}

impl<I> Deref for Identity<I> {
    type Target = I;
    fn deref(&self) -> &I {
        &self.identity
    }
}

impl<I: fmt::Debug> fmt::Debug for Identity<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Identity").field(&self.identity).finish()
    }
}

/// A permission an identity may hold: a context key (so each permission has its own identity on the
/// route) with the rule deciding it. [`require::<Self>()`](super::require()) checks it.
///
/// ```
/// use baton::builtin::auth::Permission;
/// use baton::context_key;
///
/// struct User { roles: Vec<String> }
///
/// #[context_key]
/// struct Editor;
/// impl Permission for Editor {
///     type Identity = User;
///     fn granted(user: &User) -> bool { user.roles.iter().any(|role| role == "editor") }
/// }
/// assert!(Editor::granted(&User { roles: vec!["editor".into()] }));
/// ```
pub trait Permission: ContextKey {
    /// The identity type the permission is decided on.
    type Identity: Send + Sync + 'static;
    /// Whether `identity` holds the permission.
    fn granted(identity: &Self::Identity) -> bool;
}

/// Proof that the request's identity holds `P`, provided by [`require::<P>()`](super::require()).
///
/// ```
/// use baton::builtin::auth::{Granted, Permission};
/// # #[baton::context_key] struct Admin;
/// # impl Permission for Admin { type Identity = (); fn granted(_: &()) -> bool { true } }
/// let _proof: Granted<Admin> = Granted::for_test(); // a test kit
/// ```
pub struct Granted<P> {
    permission: PhantomData<fn() -> P>,
}

impl<P> Granted<P> {
    /// The proof, for unit tests of handlers. In an app only [`require::<P>()`](super::require())
    /// provides it.
    ///
    /// ```
    /// use baton::builtin::auth::{Granted, Permission};
    ///
    /// #[baton::context_key]
    /// struct Admin;
    /// impl Permission for Admin {
    ///     type Identity = String;
    ///     fn granted(name: &String) -> bool { name == "root" }
    /// }
    ///
    /// /// Only callable with the proof in hand.
    /// fn purge_cache(_proof: &Granted<Admin>) -> &'static str { "purged" }
    /// assert_eq!(purge_cache(&Granted::for_test()), "purged");
    /// ```
    pub fn for_test() -> Self {
        Granted {
            permission: PhantomData,
        }
    }
}

impl<P> fmt::Debug for Granted<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Granted<{}>", std::any::type_name::<P>())
    }
}

// Kept out of rustc's "other types implement `ContextKey`" lists under a non-key error.
#[diagnostic::do_not_recommend]
impl<P: Permission> ContextKey for Granted<P>
where
    P::Id: FlipFirst,
{
    type Value = Granted<P>;
    // The permission's own fingerprint with its first bit flipped: `Granted<Admin>` and
    // `Granted<Editor>` are distinct keys on one route, and neither is `Admin` itself.
    type Id = <P::Id as FlipFirst>::Flipped;
}

/// A fingerprint differing from `Self` in its first bit.
#[doc(hidden)]
pub trait FlipFirst {
    /// The flipped fingerprint.
    type Flipped: KeyId;
}
impl<T: KeyId> FlipFirst for (B0, T) {
    type Flipped = (B1, T);
}
impl<T: KeyId> FlipFirst for (B1, T) {
    type Flipped = (B0, T);
}

//! Authentication and authorization whose narrowing the compiler checks.
//!
//! Three middleware, each a step of proof:
//!
//! 1. [`auth::<I>()`](auth()) tries its schemes in order (the session, a bearer token, an API key) and
//!    provides [`Auth<I>`]: the identity, *if* a scheme recognised the request.
//! 2. [`require_auth::<I>()`](require_auth()) requires `Auth<I>` and provides [`Identity<I>`]: past it,
//!    the request *is* authenticated (otherwise a 401 with `WWW-Authenticate`, or a redirect to the
//!    login page with a same-origin `?next=`).
//! 3. [`require::<Perm>()`](require()) requires `Identity<Perm::Identity>` and provides
//!    [`Granted<Perm>`]: past it, the identity holds the [`Permission`] (otherwise a 403).
//!
//! A handler that reads `Identity<User>` or `Granted<Admin>` does not compile on a route that lacks
//! the step providing it, so an admin page cannot be mounted outside the admin scope by mistake.
//!
//! ```
//! use baton::builtin::auth::{Granted, Identity, Permission, auth, require, require_auth};
//! use baton::builtin::cookies::{Key, KeyRing, cookies};
//! use baton::builtin::session::{MemoryStore, session};
//! use baton::{Context, Router, context_key, get, handler};
//!
//! #[derive(Clone)]
//! struct User { name: String, admin: bool }
//!
//! #[context_key]
//! struct Admin;
//! impl Permission for Admin {
//!     type Identity = User;
//!     fn granted(user: &User) -> bool { user.admin }
//! }
//!
//! async fn find_user(id: String) -> Option<User> {
//!     (id == "1").then(|| User { name: "ada".into(), admin: true })
//! }
//!
//! #[handler]
//! async fn dashboard(ctx: Context) -> String {
//!     format!("hello {}", ctx.get::<Identity<User>>().name)
//! }
//!
//! #[handler]
//! async fn admin_page(ctx: Context) -> &'static str {
//!     let _proof: &Granted<Admin> = ctx.get::<Granted<Admin>>();
//!     "admins only"
//! }
//!
//! let app = Router::new()
//!     .with(cookies(KeyRing::new(Key::generate())))
//!     .with(session(MemoryStore::default()))
//!     .with(auth::<User>().session(find_user))
//!     .with(require_auth::<User>().redirect_to("/login"))
//!     .route("/dashboard", get(dashboard))
//!     .scope("/admin", |admin| admin.with(require::<Admin>()).route("/", get(admin_page)));
//! # let _ = app;
//! ```
//!
//! Log a user in with [`login`] (it rotates the session id, against fixation) and out with [`logout`].

mod identity;
mod middleware;
mod require;
mod scheme;

pub use identity::{Auth, Granted, Identity, Permission};
pub use middleware::{AuthMiddleware, Stateless, WithSession, auth};
pub use require::{RequireAuth, RequirePermission, require, require_auth, same_origin_path};
pub use scheme::{Verified, login, logout};

//! The router: global middleware, method routing, nested scopes, path parameters, fallback.
//!
//! ```
//! use baton::{Context, Router, get};
//!
//! async fn hello(_ctx: Context) -> &'static str {
//!     "hello"
//! }
//!
//! let app: Router<_, _> = Router::new()
//!     .route("/", get(hello))
//!     .scope("/api", |api| api.route("/users/{id}", get(|ctx: Context| async move {
//!         let id: u64 = ctx.path()?;
//!         Ok::<_, baton::PathRejection>(format!("user {id}"))
//!     })));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
//! let response = app.call_request(get("/api/users/7")).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "user 7");
//! assert_eq!(app.call_request(get("/api/users/seven")).await.status(), 400);
//! assert_eq!(app.call_request(get("/nothing")).await.status(), 404);
//! # });
//! ```
//!
//! # Order is proof
//!
//! A route is checked against the middleware declared *before* it, and runs exactly those: global
//! middleware (`Router::with`) first, then each enclosing scope's middleware from outer to inner, then the
//! handler; responses unwind in reverse. To keep the declaration order and the run order the same thing,
//! `with` is only available before the first route of a router or scope — calling it later is a compile
//! error — and global middleware run for every request, 404s and 405s included.
//!
//! Values provided in a scope exist only for that scope's routes: a sibling scope's handler reading them
//! does not compile.

use crate::body::{Body, BoxError};
use crate::catch::{Catch, ErrorKind, Failure, mark};
use crate::context::Context;
use crate::method::MethodRouter;
use crate::middleware::{
    Chain, ErasedEndpoint, ErasedStage, Handler, Middleware, ProvidesNothing, Start, Then,
    handler_stage,
};
use crate::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{Method, StatusCode};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tower_layer::Layer;
use tower_service::Service;

mod app;
mod service;
mod table;
pub use app::App;
use table::{Absorb, Allow, LayerFn, Route, Table, dispatch};
pub use table::{RouteService, RouterFuture};

/// Router state before its first route: middleware may still be added with [`Router::with`].
///
/// The first [`route`](Router::route), [`scope`](Router::scope) or [`fallback`](Router::fallback)
/// turns it into [`Routed`]; see [`MiddlewareBeforeRoutes`] for what that forbids.
///
/// You name the state in the signature of a function that takes a router to configure:
///
/// ```
/// use baton::{Chain, Context, Next, Open, Response, Router, Then, get, middleware};
///
/// #[middleware]
/// async fn no_store(ctx: Context, next: Next) -> Response {
///     let mut response = next.run(ctx).await;
///     response.headers_mut().insert("cache-control", "no-store".parse().unwrap());
///     response
/// }
///
/// // Takes an open router: middleware can still be added.
/// fn private<L: Chain>(router: Router<L, Open>) -> Router<Then<L, no_store, L::Out>, Open> {
///     router.with(no_store)
/// }
///
/// let app = private(Router::new()).route("/", get(|_: Context| async { "secret" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["cache-control"], "no-store");
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Open;
/// Router state once it has routes: its middleware stack is fixed (see [`MiddlewareBeforeRoutes`]).
///
/// What [`route`](Router::route), [`scope`](Router::scope) and [`fallback`](Router::fallback)
/// return, and what a route group hands back to its parent:
///
/// ```
/// use baton::{Context, Routed, Router, Scope, get};
///
/// // A group mounted where nothing is provided: its scope starts from `()`.
/// fn health(scope: Scope<()>) -> Scope<(), Routed> {
///     scope.route("/", get(|_: Context| async { "ok" }))
/// }
///
/// let app: Router<_, Routed> = Router::new()
///     .route("/", get(|_: Context| async { "home" }))
///     .scope("/health", health);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/health").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ok");
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Routed;

/// A router that starts from the context `P` provided above it: what a route group written in its own
/// function or module receives and returns.
///
/// A group states the keys it needs as bounds on the (non-empty) key list it is mounted on, and the
/// parent mounts it with [`Router::scope`]; mounting it where a needed key is missing is a compile error
/// naming the key, at the mount.
///
/// ```
/// use baton::{Context, Has, Routed, Router, Scope, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct User(String);
///
/// mod account {
///     use super::*;
///
///     #[handler]
///     async fn me(ctx: Context) -> String {
///         ctx.get::<User>().0.clone()
///     }
///
///     /// The account pages: need a `User` from above.
///     pub fn routes<H, T>(account: Scope<(H, T)>) -> Scope<(H, T), Routed>
///     where
///         (H, T): Has<User>,
///     {
///         account.route("/me", get(me))
///     }
/// }
///
/// #[middleware(provides = User)]
/// async fn user(_ctx: &Context) -> User {
///     User("ada".into())
/// }
///
/// fn main() {
///     let app = Router::new().with(user).scope("/account", account::routes);
///     # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
///     let response = app.call_request(http::Request::get("/account/me").body(baton::Body::empty()).unwrap()).await;
///     assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada");
///     # });
/// }
/// ```
pub type Scope<P, S = Open> = Router<Start<P>, S>;

/// The router. See the [module docs](self).
///
/// `L` is the stack of global (or scope) middleware and `S` is [`Open`] until the first route, then
/// [`Routed`]. You rarely write either: build the router with method chains and hand it to
/// [`serve`](crate::serve()) or call it as a [`tower::Service`](tower_service::Service).
///
/// ```
/// use baton::{Context, Router, get};
/// use tower::ServiceExt; // `oneshot`
///
/// let app = Router::new().route("/", get(|_: Context| async { "hello" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::get("/").body(baton::Body::empty()).unwrap();
/// let response = app.oneshot(request).await.unwrap(); // the error type is `Infallible`
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "hello");
/// # });
/// ```
pub struct Router<L = Start, S = Open> {
    // One `Arc`, so cloning a router (hyper-util's `TowerToHyperService` does it for every request) is
    // one reference-count bump; every atomic counts at this rate.
    shared: Arc<Shared<L>>,
    _state: std::marker::PhantomData<S>,
}

/// What a router holds: its middleware, the path prefix of its scope, its routes, and how its routes
/// reach the enclosing routers' middleware.
///
/// Neither this nor [`Router`] bounds `L` by [`Chain`]: a bound on a struct makes the compiler prove
/// it wherever it checks that the type is well-formed, and a router's type is checked once a
/// `.with(..)` and again in the borrow checker, each time over the whole chain. On a 64-middleware
/// router that was a third of `cargo check`. Only `mount` needed it (its type names `L::In`), so it
/// is kept erased, as the [`Mount`] of the chain's input.
struct Shared<L> {
    layers: L,
    prefix: Arc<str>,
    table: Arc<Table>,
    mount: ErasedMount,
}

/// A [`Mount`] of some key list, behind `Any`.
type ErasedMount = Arc<dyn std::any::Any + Send + Sync>;

impl<L: Chain> Shared<L> {
    fn mount(&self) -> &Mount<L::In> {
        // Every router's mount is made by `with_layers` for its chain's input, and `with` keeps it
        // only on a chain with the same input.
        self.mount
            .downcast_ref()
            .expect("a router's mount is a `Mount` of its chain's input")
    }
}

impl<L: Chain> Clone for Shared<L> {
    fn clone(&self) -> Self {
        Shared {
            layers: self.layers.clone(),
            prefix: self.prefix.clone(),
            table: self.table.clone(),
            mount: self.mount.clone(),
        }
    }
}

/// Turns a stage that starts from a router's input context into a whole route, by putting the
/// enclosing routers' middleware in front of it. The identity for a top-level router.
type Mount<P> = Arc<dyn Fn(ErasedStage<P>) -> ErasedEndpoint + Send + Sync>;

impl<L: Chain, S> Clone for Router<L, S> {
    fn clone(&self) -> Self {
        Router {
            shared: self.shared.clone(),
            _state: std::marker::PhantomData,
        }
    }
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// A router with no middleware and no routes (everything answers 404).
    ///
    /// ```
    /// use baton::{Context, Router, get};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let empty = Router::new();
    /// let response = empty.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.status(), 404);
    ///
    /// let app = Router::new().route("/", get(|_: Context| async { "home" }));
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.status(), 200);
    /// # });
    /// ```
    pub fn new() -> Self {
        Router::with_layers(Start::new(), "".into(), Arc::new(|stage| stage))
    }
}

async fn not_found<P: crate::KeyList>(_ctx: Context<P>) -> Response {
    mark(StatusCode::NOT_FOUND.into_response(), ErrorKind::NotFound)
}

async fn method_not_allowed<P: crate::KeyList>(ctx: Context<P>) -> Response {
    let mut response = mark(
        StatusCode::METHOD_NOT_ALLOWED.into_response(),
        ErrorKind::MethodNotAllowed,
    );
    if let Some(Allow(allow)) = ctx.extensions().get::<Allow>() {
        response
            .headers_mut()
            .insert(http::header::ALLOW, allow.clone());
    }
    response
}

impl<L: Chain, S> Router<L, S> {
    /// A whole route for `stage` (a handler reached through this router's middleware).
    fn endpoint(&self, stage: ErasedStage<L::Out>) -> Route {
        Route::Endpoint((self.shared.mount())(self.shared.layers.segment(stage)))
    }

    /// The routes, to change (copied first if a clone of this router shares them).
    fn table_mut(&mut self) -> &mut Table {
        Arc::make_mut(&mut Arc::make_mut(&mut self.shared).table)
    }

    /// The same router in another build state.
    fn into_state<S2>(self) -> Router<L, S2> {
        Router {
            shared: self.shared,
            _state: std::marker::PhantomData,
        }
    }
}

impl<L: Chain> Router<L, Open> {
    fn with_layers(layers: L, prefix: Arc<str>, mount: Mount<L::In>) -> Self {
        Self::with_erased_mount(layers, prefix, Arc::new(mount))
    }

    fn with_erased_mount(layers: L, prefix: Arc<str>, mount: ErasedMount) -> Self {
        let table = Table {
            matcher: matchit::Router::new(),
            entries: Vec::new(),
            by_path: HashMap::new(),
            fallback: None,
            fallback_for_scope: false,
            not_allowed: None,
            layers: Vec::new(),
        };
        Router {
            shared: Arc::new(Shared {
                layers,
                prefix,
                table: Arc::new(table),
                mount,
            }),
            _state: std::marker::PhantomData,
        }
    }

    /// Adds a middleware that runs for every request of this router (or scope), 404s included, after
    /// the middleware added before it.
    ///
    /// Only available before the first route: a route is proven against, and runs, exactly the
    /// middleware declared above it.
    ///
    /// ```
    /// use baton::{Context, Next, Response, Router, context_key, get, handler, middleware};
    ///
    /// #[context_key]
    /// struct Tenant(String);
    ///
    /// #[middleware(provides = Tenant)]
    /// async fn tenant(ctx: &Context) -> Tenant {
    ///     Tenant(ctx.uri().host().unwrap_or("default").to_string())
    /// }
    ///
    /// #[middleware]
    /// async fn server_header(ctx: Context, next: Next) -> Response {
    ///     let mut response = next.run(ctx).await;
    ///     response.headers_mut().insert("server", "baton".parse().unwrap());
    ///     response
    /// }
    ///
    /// #[handler]
    /// async fn home(ctx: Context) -> String {
    ///     format!("tenant {}", ctx.get::<Tenant>().0)
    /// }
    ///
    /// let app = Router::new().with(server_header).with(tenant).route("/", get(home));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.headers()["server"], "baton");
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "tenant default");
    /// # });
    /// ```
    pub fn with<M: Middleware<L::Out>>(self, middleware: M) -> Router<Then<L, M, M::Out>, Open> {
        let Shared {
            layers,
            prefix,
            table: old,
            mount,
        } = Arc::unwrap_or_clone(self.shared);
        let mut router = Router::with_erased_mount(Then::new(layers, middleware), prefix, mount);
        let table = router.table_mut();
        table.layers = old.layers.clone();
        table.fallback_for_scope = old.fallback_for_scope;
        router
    }
}

impl<L: Chain> Router<L, Open> {
    /// Adds `middleware` only when `condition` holds: a request logger in development, say.
    ///
    /// Only for middleware that provide nothing (see [`ProvidesNothing`]): a route after a middleware
    /// that may be missing could not rely on its keys. Same as `.with(condition.then_some(middleware))`.
    ///
    /// ```
    /// use baton::{Context, Next, Response, Router, get, middleware};
    ///
    /// #[middleware]
    /// async fn log_requests(ctx: Context, next: Next) -> Response {
    ///     eprintln!("{} {}", ctx.method(), ctx.uri());
    ///     next.run(ctx).await
    /// }
    ///
    /// let development = cfg!(debug_assertions);
    /// let app = Router::new()
    ///     .with_if(development, log_requests)
    ///     .route("/", get(|_: Context| async { "hello" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "hello"); // logged or not
    /// # });
    /// ```
    pub fn with_if<M: ProvidesNothing<L::Out>>(
        self,
        condition: bool,
        middleware: M,
    ) -> Router<Then<L, Option<M>, L::Out>, Open> {
        self.with(condition.then_some(middleware))
    }

    /// Installs an error boundary: `render` turns the errors of the routes after it (404, 405, a
    /// handler's `Err`, a panic) into responses, with the request's values at hand. See
    /// [`catch`](crate::catch) for an example with HTML pages and a JSON API.
    ///
    /// On a scope, paths under its prefix that match no route are answered by the scope (after its
    /// middleware and renderer) rather than by the router's global 404.
    ///
    /// Like [`with`](Router::with), it is only available before the first route of the router or
    /// scope, and it sees the errors of the routes declared after it.
    ///
    /// ```
    /// use baton::{Context, Failure, IntoResponse, Json, Response, Router, StatusCode, get};
    ///
    /// fn json_error(failure: Failure) -> Response {
    ///     let body = serde_json::json!({ "error": failure.message() });
    ///     (failure.status(), Json(body)).into_response()
    /// }
    ///
    /// let app = Router::new()
    ///     .route("/", get(|_: Context| async { "home" }))
    ///     .scope("/api", |api| {
    ///         api.catch(json_error)
    ///             .route("/tasks", get(|_: Context| async { Err::<(), _>((StatusCode::CONFLICT, "locked")) }))
    ///     });
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
    ///
    /// let response = app.call_request(get("/api/tasks")).await; // a handler's `Err`
    /// assert_eq!(response.status(), 409);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), r#"{"error":"locked"}"#);
    ///
    /// let response = app.call_request(get("/api/nothing")).await; // a 404 under the scope
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), r#"{"error":"Not Found"}"#);
    ///
    /// let response = app.call_request(get("/nothing")).await; // outside it: the plain 404
    /// assert_eq!(response.status(), 404);
    /// assert!(response.into_body().collect_bytes().await.unwrap().is_empty());
    /// # });
    /// ```
    pub fn catch<F>(self, render: F) -> Router<Then<L, Catch<F>, L::Out>, Open>
    where
        F: Fn(Failure) -> Response + Send + Sync + 'static,
    {
        let mut router = self.with(Catch(render));
        // Unmatched paths under a scope's prefix reach this scope (and its renderer), not the
        // router's global 404.
        if !router.shared.prefix.is_empty() {
            router.table_mut().fallback_for_scope = true;
        }
        router
    }
}

/// Explains why `with` cannot follow a route.
///
/// Never implemented: it is the bound of `with` on a [`Routed`] router, so that the mistake is
/// reported with this explanation rather than as a missing method.
///
/// ```compile_fail
/// use baton::{Context, Next, Response, Router, get, middleware};
///
/// #[middleware]
/// async fn log(ctx: Context, next: Next) -> Response {
///     next.run(ctx).await
/// }
///
/// let app = Router::new()
///     .route("/", get(|_: Context| async { "home" }))
///     .with(log); // error: middleware must be declared before the routes of a router or scope
/// ```
///
/// Declare it above the routes, or mount the routes that need it in a scope:
///
/// ```
/// # use baton::{Context, Next, Response, Router, get, middleware};
/// # #[middleware]
/// # async fn log(ctx: Context, next: Next) -> Response {
/// #     next.run(ctx).await
/// # }
/// let app = Router::new()
///     .route("/", get(|_: Context| async { "home" }))
///     .scope("/admin", |admin| admin.with(log).route("/", get(|_: Context| async { "admin" })));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/admin").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "admin");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "middleware must be declared before the routes of a router or scope",
    label = "`.with(...)` after a route",
    note = "move this `.with(...)` above the first `.route(...)`, or put the routes that need it in a `.scope(...)`: a route is checked against, and runs, the middleware declared above it"
)]
pub trait MiddlewareBeforeRoutes<M> {}

impl<L: Chain> Router<L, Routed> {
    /// Not available once routes exist; see [`Router::with`] on an open router. Calling it is a compile
    /// error that explains the fix: see [`MiddlewareBeforeRoutes`].
    ///
    /// ```compile_fail,E0277
    /// # use baton::{Context, Next, Response, Router, get, middleware};
    /// # #[middleware]
    /// # async fn log(ctx: Context, next: Next) -> Response { next.run(ctx).await }
    /// let _ = Router::new()
    ///     .route("/", get(|_: Context| async { "home" }))
    ///     .with(log); // error: middleware must be declared before the routes of a router or scope
    /// ```
    ///
    /// The fix: declare it first, or give the routes that need it a scope of their own.
    ///
    /// ```
    /// # use baton::{Context, Next, Response, Router, get, middleware};
    /// #[middleware]
    /// async fn log(ctx: Context, next: Next) -> Response {
    ///     let mut response = next.run(ctx).await;
    ///     response.headers_mut().insert("x-logged", "1".parse().unwrap());
    ///     response
    /// }
    ///
    /// let app = Router::new()
    ///     .route("/", get(|_: Context| async { "home" }))
    ///     .scope("/admin", |admin| admin.with(log).route("/", get(|_: Context| async { "admin" })));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
    /// assert!(!app.call_request(get("/")).await.headers().contains_key("x-logged"));
    /// assert!(app.call_request(get("/admin")).await.headers().contains_key("x-logged"));
    /// # });
    /// ```
    pub fn with<M>(self, _middleware: M) -> Self
    where
        Routed: MiddlewareBeforeRoutes<M>,
    {
        self
    }
}

impl<L: Chain, S> Router<L, S> {
    fn seal(self) -> Router<L, Routed> {
        let mut router = self.into_state();
        router.build_defaults();
        router
    }

    /// Builds the default 404 and 405 routes for this router's middleware, if not built yet.
    // Inlined: after the first call it is two checks, cheaper than the call.
    #[inline]
    fn build_defaults(&mut self) {
        if self.shared.table.fallback.is_none() || self.shared.table.not_allowed.is_none() {
            self.build_missing_defaults();
        }
    }

    #[cold]
    fn build_missing_defaults(&mut self) {
        let fallback = self
            .shared
            .table
            .fallback
            .is_none()
            .then(|| self.endpoint(handler_stage(not_found::<L::Out>)));
        let not_allowed = self
            .shared
            .table
            .not_allowed
            .is_none()
            .then(|| self.endpoint(handler_stage(method_not_allowed::<L::Out>)));
        let table = self.table_mut();
        if let Some(route) = fallback {
            table.fallback = Some(route.layered(&table.layers));
        }
        if let Some(route) = not_allowed {
            table.not_allowed = Some(route.layered(&table.layers));
        }
    }

    /// Mounts `methods` at `path` (matchit syntax: `/users/{id}`, `/files/{*rest}`).
    ///
    /// Each handler is checked against the middleware declared above this route: reading a key that none
    /// of them provides is a compile error on this line.
    ///
    /// ```
    /// use baton::{Context, Router, get, post};
    ///
    /// async fn show(ctx: Context) -> String {
    ///     format!("user {}", ctx.param("id").unwrap_or("?"))
    /// }
    ///
    /// async fn file(ctx: Context) -> String {
    ///     format!("file {}", ctx.param("path").unwrap_or("?"))
    /// }
    ///
    /// let app = Router::new()
    ///     .route("/users/{id}", get(show).post(|_: Context| async { "updated" }))
    ///     .route("/files/{*path}", get(file)); // `{*path}` takes the rest of the path
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = |method: &str, path: &str| {
    ///     http::Request::builder().method(method).uri(path).body(baton::Body::empty()).unwrap()
    /// };
    /// let response = app.call_request(request("GET", "/users/7")).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "user 7");
    /// let response = app.call_request(request("POST", "/users/7")).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "updated");
    /// let response = app.call_request(request("GET", "/files/docs/a.txt")).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "file docs/a.txt");
    /// # });
    /// ```
    ///
    /// # Panics
    /// If the path is invalid or conflicts with another route, names a parameter twice (scope prefixes
    /// included), or a method is mounted twice on it (programming errors, reported when the router is
    /// built; see `docs/errors.md`).
    pub fn route(self, path: &str, methods: MethodRouter<L>) -> Router<L, Routed> {
        let mut router = self.seal();
        let full = join(&router.shared.prefix, path);
        let built: Vec<(Method, Route)> = methods
            .methods
            .iter()
            .map(|(method, stage)| {
                let stage = crate::method::stage_for(method, stage, &methods.methods);
                (method.clone(), router.endpoint(stage))
            })
            .collect();
        let any = methods.any.map(|stage| router.endpoint(stage));
        router.table_mut().insert(full, built, any);
        router
    }

    /// Groups routes under `prefix` with their own middleware.
    ///
    /// The closure receives a router whose routes already run this router's middleware (its context
    /// starts from this router's output); middleware it adds run only for its routes, after the outer
    /// ones. Values they provide are invisible to sibling scopes.
    ///
    /// ```
    /// use baton::{Context, Router, get};
    /// let app = Router::new()
    ///     .scope("/admin", |admin| admin.route("/", get(|_: Context| async { "admin" })))
    ///     .route("/", get(|_: Context| async { "home" }));
    /// ```
    pub fn scope<L2: Chain, S2>(
        self,
        prefix: &str,
        build: impl FnOnce(Router<Start<L::Out>, Open>) -> Router<L2, S2>,
    ) -> Router<L, Routed> {
        let mut router = self.seal();
        // The scope's routes reach the outside through this router's middleware, compiled once here
        // (for the scope's whole subtree), not once per route of the scope.
        let layers = router.shared.layers.clone();
        let outer = Arc::clone(router.shared.mount());
        let mount: Mount<L::Out> = Arc::new(move |stage| outer(layers.segment(stage)));
        let child = Router::with_layers(
            Start::new(),
            join(&router.shared.prefix, prefix).into(),
            mount,
        );
        let mut child = build(child);
        if child.shared.table.fallback_for_scope {
            child = child.scope_not_found();
        }
        let child_table = Arc::unwrap_or_clone(Arc::unwrap_or_clone(child.shared).table);
        let table = router.table_mut();
        for entry in child_table.entries {
            table.insert_entry(entry);
        }
        router
    }

    /// The scope's own 404 for unmatched paths under its prefix, unless it set a fallback.
    fn scope_not_found<S2>(self) -> Router<L, S2> {
        let mut router: Router<L, Routed> = self.seal();
        let path = join(&router.shared.prefix, "/{*__baton_fallback}");
        if !router.shared.table.by_path.contains_key(&path) {
            let route = router.endpoint(handler_stage(not_found::<L::Out>));
            router.table_mut().insert(path, Vec::new(), Some(route));
        }
        router.into_state()
    }

    /// Answers requests no route matched (default: an empty 404). Global middleware run for it.
    ///
    /// On a scope, it answers the unmatched paths under the scope's prefix, after the scope's middleware.
    ///
    /// ```
    /// use baton::{Context, Router, StatusCode, get};
    ///
    /// async fn not_found(ctx: Context) -> (StatusCode, String) {
    ///     (StatusCode::NOT_FOUND, format!("no page at {}", ctx.uri().path()))
    /// }
    ///
    /// let app = Router::new()
    ///     .route("/", get(|_: Context| async { "home" }))
    ///     .fallback(not_found);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/nope").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.status(), 404);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "no page at /nope");
    /// # });
    /// ```
    pub fn fallback<H: Handler<L::Out, M>, M: 'static>(self, handler: H) -> Router<L, Routed> {
        let mut router = self.seal();
        let route = router.endpoint(handler_stage(handler));
        if router.shared.prefix.is_empty() {
            let table = router.table_mut();
            table.fallback = Some(route.layered(&table.layers));
        } else {
            let full = join(&router.shared.prefix, "/{*__baton_fallback}");
            router.table_mut().insert(full, Vec::new(), Some(route));
        }
        router
    }

    /// Wraps every route of this router or scope (those declared before *and* after this call, and at
    /// the top level the fallback) in a tower layer.
    ///
    /// Tower layers see plain HTTP requests and run outside baton's middleware chain of the routes they
    /// wrap. Errors from the layered service become `500` responses.
    ///
    /// ```
    /// use baton::{Context, Router, get};
    /// use http::{HeaderValue, header::X_CONTENT_TYPE_OPTIONS};
    /// use tower_http::set_header::SetResponseHeaderLayer;
    ///
    /// let app = Router::new()
    ///     .route("/", get(|_: Context| async { "home" }))
    ///     .layer(SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    /// # });
    /// ```
    pub fn layer<La, Svc, B>(self, layer: La) -> Self
    where
        La: Layer<RouteService, Service = Svc> + Send + Sync + 'static,
        Svc: Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        Svc::Future: Send + 'static,
        Svc::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut router = self;
        let layer_fn: LayerFn =
            Arc::new(move |service: RouteService| RouteService::new(Absorb(layer.layer(service))));
        let table = router.table_mut();
        for entry in &mut table.entries {
            for (_, route) in &mut entry.methods {
                *route = route.clone().layered(std::slice::from_ref(&layer_fn));
            }
            if let Some(route) = &mut entry.any {
                *route = route.clone().layered(std::slice::from_ref(&layer_fn));
            }
        }
        for route in [&mut table.fallback, &mut table.not_allowed]
            .into_iter()
            .flatten()
        {
            *route = route.clone().layered(std::slice::from_ref(&layer_fn));
        }
        table.layers.push(layer_fn);
        router
    }

    /// Serves one request in process, without a socket (for tests and embedding): the same routing,
    /// middleware, error boundaries and tower layers as a served request.
    ///
    /// ```
    /// use baton::{Context, Router, get};
    ///
    /// let app = Router::new().route("/users/{id}", get(|ctx: Context| async move {
    ///     format!("user {}", ctx.param("id").unwrap_or("?"))
    /// }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/users/42").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "user 42");
    /// # });
    /// ```
    pub async fn call_request<B>(&self, request: http::Request<B>) -> Response
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        if self.shared.table.fallback.is_none() {
            // A router without routes: build its 404 for this call.
            let mut router = self.clone();
            router.build_defaults();
            return match dispatch(&router.shared.table, request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
        }
        match dispatch(&self.shared.table, request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

fn join(prefix: &str, path: &str) -> String {
    let path = if path.starts_with('/') || path.is_empty() {
        path.to_string()
    } else {
        format!("/{path}")
    };
    match (prefix.trim_end_matches('/'), path.as_str()) {
        ("", "") => "/".to_string(),
        ("", path) => path.to_string(),
        (prefix, "" | "/") => prefix.to_string(),
        (prefix, path) => format!("{prefix}{path}"),
    }
}

impl<L: Chain, S, B> Service<http::Request<B>> for Router<L, S>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = RouterFuture;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> RouterFuture {
        self.build_defaults();
        dispatch(&self.shared.table, request)
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn join_paths() {
        assert_eq!(join("", "/"), "/");
        assert_eq!(join("", "/a"), "/a");
        assert_eq!(join("/api", "/"), "/api");
        assert_eq!(join("/api/", "/users"), "/api/users");
        assert_eq!(join("/api", "users"), "/api/users");
    }
}

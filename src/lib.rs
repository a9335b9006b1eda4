#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// Lets code in this crate use the macros, whose output names `::baton::...`.
extern crate self as baton;

pub use baton_core::*;

pub mod connection;
/// Request ids and W3C trace context; lives in `baton-middleware` so that its `logger()` can require
/// `RequestId`.
pub use baton_middleware::request_id;

/// Makes a struct or enum a typed session key: stored in the
/// [`Session`](builtin::session::Session) under its name (the type's name, or `name = ".."`), read and
/// written as the type. Two keys of one crate with the same name do not compile. Needs the `sessions`
/// feature.
///
/// ```
/// use baton::builtin::session::Session;
/// use baton::session_key;
///
/// #[session_key(name = "cart")]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Cart(Vec<u32>);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let session = Session::for_test();
/// session.insert(Cart(vec![7])).await.unwrap();
/// assert_eq!(session.get::<Cart>().await.unwrap().unwrap().0, [7]);
/// # });
/// ```
#[cfg(feature = "sessions")]
pub use baton_macros::session_key;

/// The built-in middleware (forms, cookies, sessions, CSRF, auth, logger, transport), one cargo feature
/// each.
pub use baton_middleware as builtin;

#[doc = include_str!("../docs/guide.md")]
pub mod guide {}

/// Makes a struct or enum a context key.
///
/// * `#[context_key] struct RequestId(String);` — a newtype key: `get::<RequestId>()` returns `&RequestId`.
/// * `#[context_key(value = Pool)] struct Database;` — a marker key: `get::<Database>()` returns `&Pool`.
/// * `#[context_key(default = Locale("en"))]` — a key with a default, readable on every route.
/// * `#[context_key(id = "myapp.tenant")]` — an explicit identity (see below).
/// * `#[context_key(crate = "my_framework::baton")]` — for crates that re-export baton: the path the
///   generated code names instead of `::baton`.
///
/// ```
/// use baton::{Context, context_key};
///
/// #[context_key(default = Locale("en"))]
/// struct Locale(&'static str);
///
/// assert_eq!(Context::default().get::<Locale>().0, "en");
/// ```
///
/// # Identity
///
/// Each key has a type-level fingerprint that lets the compiler prove a key is not provided twice on a
/// route. It is derived from the crate (name and version), the file, line and column of the
/// declaration, the type's name and the rank of the expansion, so two keys declared by one
/// `macro_rules!` in two modules, or one file `include!`d twice, are two keys. With `id = ".."` the fingerprint is the crate and that id
/// alone, stable when the key moves. The fingerprint only guides the search: a read or a replace also
/// proves that the key found *is* the key asked for, so two keys that share a fingerprint (two equal
/// ids) are a compile error where they meet, never one key read under the other's name.
///
/// ```
/// use baton::{Context, context_key};
///
/// macro_rules! name_key {
///     () => {
///         #[baton::context_key(value = String)]
///         pub struct Name;
///     };
/// }
/// mod user { name_key!(); }
/// mod org { name_key!(); }
///
/// let ctx = Context::default().provide_as::<user::Name>("ada".to_string());
/// assert!(ctx.try_get::<org::Name>().is_none());
/// let ctx = ctx.provide_as::<org::Name>("acme".to_string()); // two keys: both can be provided
/// assert_eq!((ctx.get::<user::Name>().as_str(), ctx.get::<org::Name>().as_str()), ("ada", "acme"));
/// ```
pub use baton_macros::context_key;

/// A key's type-level fingerprint, for `ContextKey` impls written by hand: `type Id = baton::key_id!();`.
///
/// It hashes where it is written (crate name and version, file, line, column), its input and the rank of
/// the expansion in the compilation, so every key gets its own, also when one `macro_rules!` declares
/// keys in several modules. Passing the key's name (`key_id!(Database)`) makes the input readable.
///
/// All instances of a generic key type written with one `key_id!()` share its fingerprint. That is
/// never an alias: reading `Wrapper<A>` on a route that provides `Wrapper<B>` is a compile error, as is
/// providing both on one route; declare one key type per value instead.
pub use baton_macros::key_id;

// --- macros (context-macros): #[middleware], #[handler] re-exports go here ---

/// Turns an async fn into a middleware: `#[middleware(provides = A, B, requires = C, uses = helper)]`.
///
/// All options are optional. `provides` lists the keys the middleware adds to the context, `requires`
/// the keys it needs from upstream (keys read with `ctx.get::<K>()` in the body are found without being
/// listed), `uses` the [`#[handler]`](macro@handler) helpers whose keys it needs. `context = Alias` and
/// `crate = "path"` work as on [`#[handler]`](macro@handler#which-parameter-is-the-context), where the
/// rules for finding the context parameter and its reads are described.
///
/// # Two forms
///
/// **Around**: takes `ctx: Context` and `next: Next`, returns a response (`Response` or
/// `impl IntoResponse`). It runs code before and after the rest of the route, may change the response
/// or answer early without running `next`. `next` is typed with the context *after* the provided keys,
/// so `next.run(ctx)` does not compile until the body has provided them (in `provides` order), and
/// `run` consumes `next`: it runs at most once.
///
/// ```
/// use baton::{Context, Next, Response, Router, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// #[middleware(provides = RequestId)]
/// async fn request_id(ctx: Context, next: Next) -> Response {
///     let mut response = next.run(ctx.provide(RequestId(7))).await;
///     response.headers_mut().insert("x-request-id", 7.into());
///     response
/// }
///
/// #[handler]
/// async fn show(ctx: Context) -> String {
///     format!("request {}", ctx.get::<RequestId>().0)
/// }
///
/// let app = Router::new().with(request_id).route("/", get(show));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["x-request-id"], "7");
/// # });
/// ```
///
/// **Provider**: takes `ctx: &Context` (or `&mut Context`, e.g. to read the body), returns the value of
/// the provided key (a tuple of values, in `provides` order, for several keys), or
/// `Result<value, E>` where `E: IntoResponse` answers the request early. The chain continues by itself.
/// For a marker key (`#[context_key(value = T)]`) the value is a `T`. With no `provides`, a provider
/// returning `Result<(), E>` is a guard.
///
/// ```
/// use baton::{Context, Router, StatusCode, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct User(String);
///
/// #[middleware(provides = User)]
/// async fn current_user(ctx: &Context) -> Result<User, StatusCode> {
///     let name = ctx.headers().get("x-user").ok_or(StatusCode::UNAUTHORIZED)?;
///     Ok(User(name.to_str().map_err(|_| StatusCode::BAD_REQUEST)?.to_string()))
/// }
///
/// /// A guard: reads `User` (so it must come after `current_user`), provides nothing.
/// #[middleware]
/// async fn no_guests(ctx: &Context) -> Result<(), StatusCode> {
///     if ctx.get::<User>().0 == "guest" { Err(StatusCode::FORBIDDEN) } else { Ok(()) }
/// }
///
/// #[handler]
/// async fn hello(ctx: Context) -> String {
///     format!("hello {}", ctx.get::<User>().0)
/// }
///
/// let app = Router::new().with(current_user).with(no_guests).route("/", get(hello));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = |user: &str| http::Request::get("/").header("x-user", user).body(baton::Body::empty()).unwrap();
/// assert_eq!(app.call_request(request("ada")).await.status(), 200);
/// assert_eq!(app.call_request(request("guest")).await.status(), 403);
/// # });
/// ```
///
/// # Configuration
///
/// Parameters before `ctx` configure the middleware. Without any, the macro emits a unit struct of the
/// fn's name, mounted as `.with(name)`; with some, a struct holding them and a fn of the same name that
/// builds it, mounted as `.with(name(args))`. A parameter taken by value is cloned for each request
/// (so it must be `Clone`: wrap shared state in an `Arc`); one taken by reference (`limits: &Limits`)
/// is stored by value and borrowed for each request.
///
/// ```
/// use baton::{Context, Router, context_key, get, handler, middleware};
///
/// #[derive(Clone)]
/// struct Pool { url: String }
///
/// #[context_key(value = Pool)]
/// struct Database;
///
/// #[middleware(provides = Database)]
/// async fn database(pool: Pool, _ctx: &Context) -> Pool {
///     pool
/// }
///
/// #[handler]
/// async fn show(ctx: Context) -> String {
///     ctx.get::<Database>().url.clone()
/// }
///
/// let pool = Pool { url: "sqlite::memory:".into() };
/// let app = Router::new().with(database(pool)).route("/", get(show));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "sqlite::memory:");
/// # });
/// ```
///
/// # Checked where it is mounted
///
/// The generated type implements [`Middleware<P>`](Middleware) only for key lists `P` that lack every
/// provided key and hold every required one, so mounting it before the middleware providing what it
/// needs, or after another provider of the same key, is a compile error naming the key. Each mistake
/// and its fix is listed in `docs/errors.md`.
///
/// ```compile_fail
/// use baton::{Context, Next, Response, Router, context_key, get, middleware};
///
/// #[context_key]
/// struct FormData(String);
///
/// #[middleware(provides = FormData)]
/// async fn form_data(ctx: &mut Context) -> FormData {
///     FormData(ctx.text().await.unwrap_or_default())
/// }
///
/// #[middleware(requires = FormData)]
/// async fn method_override(ctx: Context, next: Next) -> Response {
///     next.run(ctx).await
/// }
///
/// // error: no upstream middleware provides `FormData` on this route
/// let _app = Router::new().with(method_override).with(form_data);
/// ```
pub use baton_macros::middleware;

/// Makes a handler, or a helper taking a context, generic over the route's keys.
///
/// `#[handler] async fn show(ctx: Context) -> impl IntoResponse` becomes
/// `async fn show<P>(ctx: Context<P>) -> impl IntoResponse where P: KeyList + Has<K> + ...`, one
/// `Has<K>` for each `ctx.get::<K>()` in the body (reads inside macros such as `format!` included). The
/// route that mounts the handler is then checked: mounting it where a key it reads is not provided is a
/// compile error naming the key, on the route's line.
///
/// * Helpers taking `ctx: &Context` (or `&mut Context`) are annotated the same way and may be sync.
///   A free, non-generic helper also gets a hidden trait of its own name standing for its keys: a
///   handler (or middleware, or helper) that calls it writes `#[handler(uses = helper)]` to inherit
///   them. The body scan sees only the function's own body, never inside the functions it calls.
/// * Handlers may also be associated functions of an impl block.
/// * `#[handler(requires = K1, K2)]` states reads the scan cannot see (a generic helper written by
///   hand, a read through a variable holding a reference to the context, a read inside a
///   `macro_rules!` of your own: the scan sees the tokens passed to a macro, not what it expands to).
/// * A handler may return anything that implements [`IntoResponse`], `Result<T, E>` included.
///
/// ```
/// use baton::{Context, Router, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct User(String);
///
/// #[context_key(default = Theme("light"))]
/// struct Theme(&'static str);
///
/// #[middleware(provides = User)]
/// async fn guest(_ctx: &Context) -> User {
///     User("guest".into())
/// }
///
/// /// A helper: reads `User` and `Theme`.
/// #[handler]
/// fn banner(ctx: &Context) -> String {
///     format!("[{}] hello {}", ctx.get::<Theme>().0, ctx.get::<User>().0)
/// }
///
/// /// Inherits `banner`'s keys.
/// #[handler(uses = banner)]
/// async fn home(ctx: Context) -> String {
///     banner(&ctx)
/// }
///
/// let app = Router::new().with(guest).route("/", get(home));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use http_body_util::BodyExt;
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(&body[..], b"[light] hello guest");
/// # });
/// ```
///
/// Mounting it on a route without `guest` does not compile:
///
/// ```compile_fail
/// # use baton::{Context, Router, context_key, get, handler};
/// # #[context_key]
/// # struct User(String);
/// #[handler]
/// async fn home(ctx: Context) -> String {
///     ctx.get::<User>().0.clone()
/// }
///
/// // error[E0277]: no upstream middleware provides `User` on this route
/// let _app = Router::new().route("/", get(home));
/// ```
///
/// # Which parameter is the context
///
/// The context parameter is the one whose type is `Context`, `baton::Context` or a `&`/`&mut`
/// reference to one of these. A path with another prefix (`tera::Context`, `minijinja::Context`) is
/// never the request context: such a parameter is an ordinary one. For an alias, name it with
/// `context = Alias`. Only calls on that parameter are reads: `ctx.get::<K>()`,
/// `ctx.replace::<K>(value)` and `Context::get::<K>(&ctx)`. `ctx.extensions().get::<T>()` or
/// `map.get::<T>()` are not, and `ctx.try_get::<K>()` needs no proof.
///
/// ```
/// use baton::{Context as Ctx, context_key, handler};
///
/// mod tera {
///     pub struct Context { pub title: &'static str }
/// }
///
/// #[context_key]
/// struct User(String);
///
/// #[handler(context = Ctx)]
/// fn render(tpl: &tera::Context, ctx: &Ctx) -> String {
///     let peer = ctx.extensions().get::<std::net::SocketAddr>(); // not a key read
///     format!("{}: {} {peer:?}", tpl.title, ctx.get::<User>().0)
/// }
///
/// let ctx = Ctx::default().provide(User("ada".into()));
/// assert_eq!(render(&tera::Context { title: "hi" }, &ctx), "hi: ada None");
/// ```
///
/// # Re-exported baton
///
/// The generated code names `::baton`. A crate that re-exports baton under another path (a framework
/// built on it) points the macros there, as with serde: `#[handler(crate = "my_framework::web")]`,
/// `#[middleware(crate = "my_framework::web", provides = User)]`.
pub use baton_macros::handler;

// --- ambient context (context-async) re-exports go here ---

#[doc(inline)]
pub use baton_async as ambient;
pub use baton_async::{
    AmbientContext, InContextExt, Snapshot, async_context, async_context_for, get_context, spawn,
    spawn_blocking, try_get_context, try_with_context, with_context,
};

/// Declares the app's typed ambient context: the keys every request carries, read anywhere without
/// `Option`.
///
/// ```text
/// baton::app_context!(pub struct AppContext: RequestId, CurrentUser, Database);
/// ```
///
/// generates the marker type `AppContext` with
///
/// * `AppContext::current()` / `AppContext::with(|ctx| ..)`: the current request's context, on which
///   `get::<K>()` reads a declared key without `Option` (and `try_current` / `try_with` for code that may
///   run outside a request);
/// * `AppContext::async_context()`: the middleware entering its scope, same as
///   `baton::async_context_for::<AppContext>()`.
///
/// Two compile-time checks make the typed read infallible: reading a key the declaration does not list
/// is an error (`` `Database` is not declared in the app context `AppContext` ``), and the scope can only
/// be entered on routes whose upstream middleware provide every declared key (the error names the
/// missing one). See the [`ambient`] module for the whole picture.
///
/// ```
/// use baton::{Context, ambient::Snapshot, context_key};
///
/// #[context_key]
/// pub struct RequestId(u64);
/// #[context_key(value = String)]
/// pub struct CurrentUser;
///
/// // A `pub` app context needs keys at least as visible as itself.
/// baton::app_context! {
///     /// What every request of this app carries.
///     pub struct AppContext: RequestId, CurrentUser;
/// }
///
/// fn who() -> String {
///     AppContext::with(|ctx| format!("{} #{}", ctx.get::<CurrentUser>(), ctx.get::<RequestId>().0))
/// }
///
/// let ctx = Context::default().provide(RequestId(1)).provide_as::<CurrentUser>("ada".to_string());
/// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(who), "ada #1");
/// ```
pub use baton_macros::app_context;

#[doc(hidden)]
pub mod __private_0_1 {
    //! Support for the code the macros generate. Not a public API. The name carries the version so
    //! that macros of one baton release never silently bind to another release's internals.

    use baton_core::ContextKey;
    pub use baton_core::key::{B0, B1};
    #[cfg(feature = "sessions")]
    pub use baton_middleware::session::{SessionKey, StoredInSession};

    /// Holds for every key list; naming `K` in it checks that `K` is a key, where the user listed it
    /// (`requires = K`).
    pub trait IsKey<K: ContextKey> {}
    impl<P, K: ContextKey> IsKey<K> for P {}
}

//! Ambient request context for [baton](https://docs.rs/baton): the current request's context, readable
//! anywhere in its async call stack without passing `ctx` down.
//!
//! Use it through the `baton` crate (`baton::get_context`, `baton::async_context`, `baton::spawn`, the
//! rest under `baton::ambient`).
//!
//! # Why
//!
//! A service function that needs the request id for a log line, the tenant for a query or the current
//! user for an audit record would otherwise take a `ctx` parameter, and so would every function between
//! it and the handler. The ambient context keeps those signatures about the domain: the request's
//! context sits in tokio task-local storage for as long as the request's task runs, and any code on
//! that task can ask for it.
//!
//! # Entering the scope
//!
//! Mount [`async_context()`] as a middleware. Every request that passes through it gets a *scope*: a
//! task-local slot holding one pointer-sized handle to the request's live context (its value store,
//! plus a copy of the method, URI and path parameters).
//!
//! ```
//! use baton::{Context, Router, get};
//!
//! let app = Router::new()
//!     .with(baton::async_context()) // first: everything below can read the context
//!     .route("/users/{id}", get(|_: Context| async { load_current_user().await }));
//!
//! async fn load_current_user() -> String {
//!     let ctx = baton::get_context();
//!     format!("user {}", ctx.param("id").unwrap_or("?"))
//! }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/users/42").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "user 42");
//! # });
//! ```
//!
//! The store is shared, not copied: a value that a middleware *below* `async_context()` provides is
//! visible through the ambient context as soon as it is provided. Provided values are immutable, and
//! each request has its own store, so nothing bleeds from one request into another.
//!
//! # Reading
//!
//! * [`get_context()`] returns an [`AmbientContext`] (an `Arc` clone; the values are never cloned) and
//!   panics outside a request with a message that names the cause and the fix. It is `#[track_caller]`,
//!   so the panic points at your call.
//! * [`try_get_context()`] returns `None` outside a request: use it in code that also runs at startup,
//!   in background jobs or in CLI tools (a logging helper, for example).
//! * [`with_context(|ctx| ..)`](with_context) lends the context to a closure without cloning the
//!   handle: the cheapest read, for hot paths.
//!
//! An untyped read, [`AmbientContext::try_get::<K>()`](AmbientContext::try_get), returns an `Option`:
//! nothing proves that the request passing through this code provided `K`. For the keys every request
//! of an app carries, declare a typed app context.
//!
//! # Typed app context
//!
//! Declare once which keys every request of the app carries (the analogue of Remix's
//! `RouterTypes.context`):
//!
//! ```
//! use baton::{Context, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};
//!
//! #[context_key]
//! struct RequestId(String);
//! #[context_key(value = String)]
//! struct CurrentUser;
//!
//! baton::app_context!(struct AppContext: RequestId, CurrentUser);
//!
//! // Deep in the app, no ctx: a declared key reads without `Option` ...
//! fn audit(action: &str) -> String {
//!     let ctx = AppContext::current();
//!     format!("{} did {action} (request {})", ctx.get::<CurrentUser>(), ctx.get::<RequestId>().0)
//! }
//! // ... and a key that is not declared does not compile:
//! // ctx.get::<Database>()  // error: `Database` is not declared in the app context `AppContext`
//!
//! struct Ids;
//! impl<P: KeyList + Lacks<RequestId> + Lacks<CurrentUser>> Provider<P> for Ids {
//!     type Provides = (RequestId, CurrentUser);
//!     async fn provide(&self, _: &Context<P>) -> Result<(RequestId, String), Response> {
//!         Ok((RequestId("r-1".into()), "ada".into()))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let app = Router::new()
//!     .with(ProviderMiddleware(Ids))
//!     // Entered after the providers of every declared key: checked by the compiler.
//!     .with(baton::async_context_for::<AppContext>())
//!     .route("/", get(|_: Context<(CurrentUser, (RequestId, ()))>| async { audit("login") }));
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada did login (request r-1)");
//! # }
//! ```
//!
//! The proof sits where the scope is entered: `async_context_for::<AppContext>()` compiles only on a
//! route whose upstream middleware provide every key `AppContext` declares, and the error names the
//! missing key. In exchange, `AppContext::current().get::<K>()` cannot fail inside the scope, and it is
//! an index into the request's store (the position of each declared key is recorded when the scope is
//! entered), not a search.
//!
//! # What a task-local does not reach, and the helpers that carry it
//!
//! A tokio task-local belongs to one task. It is **not** inherited by:
//!
//! | work | inherits the context? | use instead |
//! |---|---|---|
//! | `tokio::spawn(fut)` | no: a new task starts empty | [`baton::spawn(fut)`](spawn) or `tokio::spawn(fut.in_context())` |
//! | `tokio::task::spawn_blocking(f)` | no | [`baton::spawn_blocking(f)`](spawn_blocking) |
//! | `JoinSet::spawn`, `FuturesUnordered` on another task | no | [`.in_context()`](InContextExt::in_context) |
//! | `std::thread::spawn(f)` | no | capture a [`Snapshot`], then `snapshot.sync_scope(f)` on the thread |
//! | a response body streamed after the handler returned | no: polled by the server, outside the chain | nothing: `async_context()` wraps the body for you |
//!
//! tokio cannot make task-locals inheritable (tokio-rs/tokio#6659), so these helpers capture the
//! handle where the context is current and re-enter it where the work runs:
//!
//! ```
//! use baton::{Context, ambient::{InContextExt, Snapshot}, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//!
//! fn request_id() -> Option<u64> {
//!     baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0)
//! }
//!
//! # #[tokio::main] async fn main() {
//! # let ctx = Context::default().provide(RequestId(7));
//! # Snapshot::of(&ctx).scope(async {
//! // inside a request:
//! assert_eq!(baton::spawn(async { request_id() }).await.unwrap(), Some(7));
//! assert_eq!(baton::spawn_blocking(request_id).await.unwrap(), Some(7));
//! assert_eq!(tokio::spawn(async { request_id() }.in_context()).await.unwrap(), Some(7));
//! assert_eq!(tokio::spawn(async { request_id() }).await.unwrap(), None); // the bare form sees nothing
//!
//! let snapshot = Snapshot::capture();
//! let thread = std::thread::spawn(move || snapshot.sync_scope(request_id));
//! assert_eq!(thread.join().unwrap(), Some(7));
//! # }).await;
//! # }
//! ```
//!
//! # Testing
//!
//! Code that reads the ambient context can be tested without a server: build a [`Context`](baton_core::Context)
//! with the values you want and run the code in a [`Snapshot`] scope.
//!
//! ```
//! use baton::{Context, ambient::Snapshot, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//!
//! fn log_prefix() -> String {
//!     baton::try_get_context()
//!         .and_then(|ctx| ctx.try_get::<RequestId>().map(|id| format!("[{}]", id.0)))
//!         .unwrap_or_else(|| "[-]".to_string())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let ctx = Context::default().provide(RequestId(12));
//! assert_eq!(Snapshot::of(&ctx).sync_scope(log_prefix), "[12]");          // closures
//! assert_eq!(Snapshot::of(&ctx).scope(async { log_prefix() }).await, "[12]"); // futures
//! assert_eq!(log_prefix(), "[-]");                                          // no request
//! # }
//! ```
//!
//! For a typed app context use [`Snapshot::of_app::<AppContext>(&ctx)`](Snapshot::of_app), which, like
//! the middleware, only compiles if `ctx` provides every declared key.
//!
//! # Pitfalls
//!
//! * **Bare `tokio::spawn`.** The spawned task has no context; `get_context()` there panics. Use
//!   [`spawn`] or [`.in_context()`](InContextExt::in_context).
//! * **Mutable state in the context.** Provided values are shared by everything the request spawns;
//!   keep them immutable (or use your own synchronisation) and store identifiers and handles rather
//!   than large domain objects.
//! * **Hot loops.** Every read goes through a thread-local; read once before a tight loop and pass the
//!   value in.
//!
//! # Cost
//!
//! The slot is one pointer per thread: each poll of the request's task lends the scope's handle to it
//! and puts the previous pointer back afterwards (no reference count is touched). Entering the scope
//! allocates one small block per request (the handle). A typed read is a thread-local load, a branch
//! and an index; [`get_context()`] adds one reference-count increment (and a decrement when the handle
//! is dropped). See the "Ambient context" section of `BENCHMARKS.md` for measured figures.
#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod app;
mod middleware;
mod propagate;
mod scope;
mod slot;

#[doc(hidden)]
pub use app::Table;
pub use app::{AppView, DeclaredContext, DeclaredIn, Declares, Locate, ProvidesDeclared, Untyped};
pub use middleware::{AsyncContext, async_context, async_context_for};
pub use propagate::{InContext, InContextExt, spawn, spawn_blocking};
pub use scope::{
    AmbientContext, Snapshot, get_context, try_get_context, try_with_context, with_context,
};

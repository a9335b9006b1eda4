//! The handle kept in the ambient slot (see `slot.rs`), snapshots, and the accessors that read it.

use crate::app::{AppView, DeclaredContext, Locate, Table};
use crate::slot;
use baton_core::{Context, ContextKey, KeyList, PathParams, Store};
use http::{Method, Uri};
use std::any::TypeId;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// What a scope holds: the request's live store, a copy of its head, and (for a typed scope) where the
/// app context's keys sit in the store.
pub(crate) struct Inner {
    pub(crate) store: Store,
    method: Method,
    uri: Uri,
    params: PathParams,
    pub(crate) app: Option<AppTag>,
    pub(crate) table: Table,
}

/// Which declared app context a typed scope was entered for.
#[derive(Clone, Copy)]
pub(crate) struct AppTag {
    pub(crate) id: TypeId,
    pub(crate) name: &'static str,
}

/// The request context as seen from anywhere in the request's async call stack.
///
/// Returned by [`get_context`] / [`try_get_context`] and lent by [`with_context`]. It is a handle: one
/// `Arc` to the request's live value store and a copy of the request head taken when the scope was
/// entered. Cloning it clones the `Arc`, never the values; reads borrow from it.
///
/// Values provided by middleware *after* the scope was entered are visible too: the store is shared
/// with the `Context` that travels down the chain.
///
/// ```
/// use baton::{Context, ambient::Snapshot, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// fn current_request_id() -> Option<u64> {
///     baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0)
/// }
///
/// let ctx = Context::default().provide(RequestId(7));
/// let id = Snapshot::of(&ctx).sync_scope(current_request_id);
/// assert_eq!(id, Some(7));
/// assert_eq!(current_request_id(), None); // outside any request
/// ```
#[derive(Clone)]
#[repr(transparent)]
pub struct AmbientContext {
    pub(crate) inner: Arc<Inner>,
}

impl AmbientContext {
    /// A handle for `ctx`, typed for the app context `A` (or untyped when `A` is [`Untyped`](crate::Untyped)).
    pub(crate) fn enter<A, P>(ctx: &Context<P>) -> AmbientContext
    where
        A: DeclaredContext,
        P: Locate<A, A::Keys>,
    {
        let mut table = Table::empty();
        let app = if A::TYPED {
            <P as Locate<A, A::Keys>>::fill(&mut table, 0);
            Some(AppTag {
                id: TypeId::of::<A>(),
                name: A::NAME,
            })
        } else {
            None
        };
        AmbientContext {
            inner: Arc::new(Inner {
                store: ctx.store().clone(),
                method: ctx.method().clone(),
                uri: ctx.uri().clone(),
                params: ctx.params().clone(),
                app,
                table,
            }),
        }
    }

    /// Whether a scope entered with `self` can stand in for a new scope for `ctx` typed as `A`.
    pub(crate) fn covers<A: DeclaredContext, P: KeyList>(&self, ctx: &Context<P>) -> bool {
        self.inner.store.same_as(ctx.store())
            && (!A::TYPED
                || self
                    .inner
                    .app
                    .is_some_and(|app| app.id == TypeId::of::<A>()))
    }

    /// Reads the value of `K` if some middleware provided it: a run-time search of the store by key,
    /// like `Context::try_get`.
    ///
    /// For keys every request is guaranteed to have, declare an app context and read them with
    /// [`AppView::get`]: that read is an index (the position is recorded when the scope is entered) and
    /// needs no `Option`.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key(value = String)]
    /// struct UserName;
    ///
    /// fn log_prefix() -> String {
    ///     let ctx = baton::get_context();
    ///     let id = ctx.try_get::<RequestId>().map_or(0, |id| id.0);
    ///     let user = ctx.try_get::<UserName>().map_or("anonymous", String::as_str);
    ///     format!("[{id} {user}]")
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// assert_eq!(Snapshot::of(&ctx).sync_scope(log_prefix), "[7 anonymous]");
    /// ```
    #[inline]
    pub fn try_get<K: ContextKey>(&self) -> Option<&K::Value> {
        self.inner.store.find_key::<K>()
    }

    /// Whether a value of `K` was provided.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key(value = String)]
    /// struct UserName;
    ///
    /// fn signed_in() -> bool {
    ///     baton::get_context().has::<UserName>()
    /// }
    ///
    /// let guest = Context::default();
    /// let member = Context::default().provide_as::<UserName>("ada".to_string());
    /// assert!(!Snapshot::of(&guest).sync_scope(signed_in));
    /// assert!(Snapshot::of(&member).sync_scope(signed_in));
    /// ```
    #[inline]
    pub fn has<K: ContextKey>(&self) -> bool {
        self.try_get::<K>().is_some()
    }

    /// The request method.
    ///
    /// ```
    /// use baton::{Body, Context, ambient::Snapshot};
    ///
    /// let ctx = Context::from_request(http::Request::delete("/tasks/3").body(Body::empty()).unwrap());
    /// let method = Snapshot::of(&ctx).sync_scope(|| baton::get_context().method().clone());
    /// assert_eq!(method, http::Method::DELETE);
    /// ```
    #[inline]
    pub fn method(&self) -> &Method {
        &self.inner.method
    }

    /// The request URI, as it was when the scope was entered.
    ///
    /// ```
    /// use baton::{Body, Context, ambient::Snapshot};
    ///
    /// let ctx = Context::from_request(http::Request::get("/tasks?page=2").body(Body::empty()).unwrap());
    /// let query = Snapshot::of(&ctx).sync_scope(|| baton::get_context().uri().query().map(str::to_string));
    /// assert_eq!(query.as_deref(), Some("page=2"));
    /// ```
    #[inline]
    pub fn uri(&self) -> &Uri {
        &self.inner.uri
    }

    /// The matched route's raw path parameters.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot};
    ///
    /// let ctx = Context::default().with_params([("org", "acme"), ("user", "ada")]);
    /// let count = Snapshot::of(&ctx).sync_scope(|| baton::get_context().params().len());
    /// assert_eq!(count, 2);
    /// ```
    #[inline]
    pub fn params(&self) -> &PathParams {
        &self.inner.params
    }

    /// One raw path parameter by name (`/users/{id}` → `param("id")`).
    ///
    /// ```
    /// use baton::{Context, Router, get};
    ///
    /// async fn load_user() -> String {
    ///     format!("user {}", baton::get_context().param("id").unwrap_or("?"))
    /// }
    ///
    /// let app = Router::new()
    ///     .with(baton::async_context())
    ///     .route("/users/{id}", get(|_: Context| async { load_user().await }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/users/42").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "user 42");
    /// # });
    /// ```
    #[inline]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.inner.params.get(name)
    }

    /// The request's shared value store.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// let provided = Snapshot::of(&ctx).sync_scope(|| baton::get_context().store().len());
    /// assert_eq!(provided, 1);
    /// assert!(Snapshot::of(&ctx).context().store().same_as(ctx.store())); // the same store, not a copy
    /// ```
    #[inline]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// This context as the typed app context `A`, if the scope was entered for `A`.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// baton::app_context!(struct AppContext: RequestId);
    ///
    /// fn request_id() -> Option<u64> {
    ///     let ctx = baton::get_context();
    ///     ctx.app::<AppContext>().map(|app| app.get::<RequestId>().0)
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(request_id), Some(7));
    /// assert_eq!(Snapshot::of(&ctx).sync_scope(request_id), None); // an untyped scope
    /// ```
    #[inline]
    pub fn app<A: DeclaredContext>(&self) -> Option<&AppView<A>> {
        match self.inner.app {
            Some(app) if app.id == TypeId::of::<A>() => Some(AppView::from_ambient(self)),
            _ => None,
        }
    }

    /// The name of the app context the scope was entered for, if it is typed.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// baton::app_context!(struct AppContext: RequestId);
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// let name = || baton::get_context().app_name();
    /// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(name), Some("AppContext"));
    /// assert_eq!(Snapshot::of(&ctx).sync_scope(name), None);
    /// ```
    #[inline]
    pub fn app_name(&self) -> Option<&'static str> {
        self.inner.app.map(|app| app.name)
    }

    /// A [`Snapshot`] of this context, to re-enter it on another task or thread.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// fn request_id() -> Option<u64> {
    ///     baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0)
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// let id = Snapshot::of(&ctx).sync_scope(|| {
    ///     let snapshot = baton::get_context().snapshot();
    ///     std::thread::spawn(move || snapshot.sync_scope(request_id)).join().unwrap()
    /// });
    /// assert_eq!(id, Some(7));
    /// ```
    #[inline]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot { ctx: self.clone() }
    }

    /// Whether both handles belong to the same request.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot};
    ///
    /// let (one, other) = (Context::default(), Context::default());
    /// let handle = Snapshot::of(&one).sync_scope(baton::get_context);
    /// assert!(handle.same_request(Snapshot::of(&one).context()));
    /// assert!(!handle.same_request(Snapshot::of(&other).context()));
    /// ```
    pub fn same_request(&self, other: &AmbientContext) -> bool {
        self.inner.store.same_as(&other.inner.store)
    }
}

impl fmt::Debug for AmbientContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmbientContext")
            .field("method", &self.inner.method)
            .field("uri", &self.inner.uri)
            .field("app", &self.app_name())
            .field("provided", &self.inner.store.len())
            .finish()
    }
}

/// A captured request context that can be entered again on another task, a blocking thread or a std
/// thread. `Send + Sync + Clone`; cloning it clones one `Arc`.
///
/// Task-locals are not inherited by `tokio::spawn`, `spawn_blocking` or threads. Capture a snapshot
/// where the context is current and enter it where the work runs:
///
/// ```
/// use baton::{Context, ambient::Snapshot, context_key};
///
/// #[context_key]
/// struct TenantId(u32);
///
/// fn tenant() -> Option<u32> {
///     baton::try_get_context()?.try_get::<TenantId>().map(|t| t.0)
/// }
///
/// let ctx = Context::default().provide(TenantId(3));
/// Snapshot::of(&ctx).sync_scope(|| {
///     // inside the request: capture ...
///     let snapshot = Snapshot::capture();
///     let worker = std::thread::spawn(move || {
///         // ... and re-enter on the other thread.
///         snapshot.sync_scope(tenant)
///     });
///     assert_eq!(worker.join().unwrap(), Some(3));
/// });
/// ```
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub(crate) ctx: AmbientContext,
}

impl Snapshot {
    /// The current request's context, if this code runs inside a request scope.
    ///
    /// For code that also runs outside requests (a job queue fed both by handlers and by a timer):
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot};
    ///
    /// fn enqueue(jobs: &mut Vec<Option<Snapshot>>) {
    ///     jobs.push(Snapshot::current()); // `None` when not called from a request
    /// }
    ///
    /// let mut jobs = Vec::new();
    /// enqueue(&mut jobs);
    /// Snapshot::of(&Context::default()).sync_scope(|| enqueue(&mut jobs));
    /// assert!(jobs[0].is_none());
    /// assert!(jobs[1].is_some());
    /// ```
    pub fn current() -> Option<Snapshot> {
        try_get_context().map(|ctx| Snapshot { ctx })
    }

    /// The current request's context.
    ///
    /// # Panics
    /// Outside a request scope, with a message naming the cause and the fix.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// // Called from a handler: hand the request's context to a worker thread.
    /// fn render_report() -> std::thread::JoinHandle<u64> {
    ///     let snapshot = Snapshot::capture();
    ///     std::thread::spawn(move || {
    ///         snapshot.sync_scope(|| baton::get_context().try_get::<RequestId>().map_or(0, |id| id.0))
    ///     })
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// let worker = Snapshot::of(&ctx).sync_scope(render_report);
    /// assert_eq!(worker.join().unwrap(), 7);
    /// ```
    #[track_caller]
    pub fn capture() -> Snapshot {
        match try_get_context() {
            Some(ctx) => Snapshot { ctx },
            None => outside_scope("Snapshot::capture()"),
        }
    }

    /// An untyped snapshot of `ctx`, for tests and for code that runs a context outside the router.
    ///
    /// It shares `ctx`'s store: values provided to `ctx` later are visible through it.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// // The code under test reads the ambient context.
    /// fn request_id() -> Option<u64> {
    ///     baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0)
    /// }
    ///
    /// let ctx = Context::default();
    /// let snapshot = Snapshot::of(&ctx);
    /// assert_eq!(snapshot.sync_scope(request_id), None);
    /// let _ctx = ctx.provide(RequestId(7)); // provided after the snapshot was taken ...
    /// assert_eq!(snapshot.sync_scope(request_id), Some(7)); // ... and visible through it
    /// ```
    pub fn of<P: KeyList>(ctx: &Context<P>) -> Snapshot {
        Snapshot {
            ctx: AmbientContext::enter::<crate::Untyped, P>(ctx),
        }
    }

    /// A snapshot of `ctx` typed as the app context `A`; compiles only if `ctx` provides every key `A`
    /// declares.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// baton::app_context!(struct App: RequestId);
    ///
    /// let ctx = Context::default().provide(RequestId(9));
    /// let id = Snapshot::of_app::<App>(&ctx).sync_scope(|| App::current().get::<RequestId>().0);
    /// assert_eq!(id, 9);
    /// ```
    pub fn of_app<A: DeclaredContext>(ctx: &Context<impl Locate<A, A::Keys>>) -> Snapshot {
        Snapshot {
            ctx: AmbientContext::enter::<A, _>(ctx),
        }
    }

    /// The captured context.
    ///
    /// Reads it without entering a scope:
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// let snapshot = Snapshot::of(&Context::default().provide(RequestId(7)));
    /// assert_eq!(snapshot.context().try_get::<RequestId>().map(|id| id.0), Some(7));
    /// assert!(baton::try_get_context().is_none()); // no scope was entered
    /// ```
    #[inline]
    pub fn context(&self) -> &AmbientContext {
        &self.ctx
    }

    /// Runs `future` with this context as its ambient context, on whatever task polls it.
    ///
    /// ```
    /// # use baton::{Context, ambient::Snapshot, context_key};
    /// # #[context_key] struct RequestId(u64);
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let ctx = Context::default().provide(RequestId(5));
    /// let id = Snapshot::of(&ctx)
    ///     .scope(async {
    ///         tokio::task::yield_now().await;
    ///         baton::get_context().try_get::<RequestId>().map(|id| id.0)
    ///     })
    ///     .await;
    /// assert_eq!(id, Some(5));
    /// # }
    /// ```
    pub fn scope<F: Future>(&self, future: F) -> impl Future<Output = F::Output> + use<F> {
        scope_with(self.ctx.clone(), future)
    }

    /// Runs `f` with this context as the ambient context of the current thread (std threads, blocking
    /// code, synchronous tests). Scopes nest: the previous context is current again when `f` returns.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// // Blocking code that reads the ambient context, run on a thread of its own.
    /// fn write_audit_line() -> String {
    ///     format!("audit: request {}", baton::get_context().try_get::<RequestId>().map_or(0, |id| id.0))
    /// }
    ///
    /// let snapshot = Snapshot::of(&Context::default().provide(RequestId(7)));
    /// let line = std::thread::spawn(move || snapshot.sync_scope(write_audit_line)).join().unwrap();
    /// assert_eq!(line, "audit: request 7");
    /// assert!(baton::try_get_context().is_none()); // the scope ended with `f`
    /// ```
    pub fn sync_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        slot::enter(&self.ctx, f)
    }
}

impl From<AmbientContext> for Snapshot {
    fn from(ctx: AmbientContext) -> Self {
        Snapshot { ctx }
    }
}

/// Polls `f` with `ctx` (if any) as the ambient context.
#[inline]
pub(crate) fn enter_for_poll<R>(ctx: Option<&AmbientContext>, f: impl FnOnce() -> R) -> R {
    match ctx {
        Some(ctx) => slot::enter(ctx, f),
        None => f(),
    }
}

/// Runs `future` in a scope holding `ctx` (used by the middleware and `spawn`).
pub(crate) fn scope_with<F: Future>(
    ctx: AmbientContext,
    future: F,
) -> impl Future<Output = F::Output> {
    crate::propagate::InContext::new(future, Some(ctx))
}

/// Runs `f` in a scope holding `ctx` on the current thread.
pub(crate) fn sync_scope_with<R>(ctx: AmbientContext, f: impl FnOnce() -> R) -> R {
    slot::enter(&ctx, f)
}

/// The current request's context.
///
/// Works anywhere in the async call stack of a request that passed through
/// [`async_context()`](crate::async_context) (or inside a [`Snapshot`] scope), however deep, across
/// `.await`s. The handle is an `Arc` clone; the values are not cloned, reads borrow from the handle.
///
/// ```
/// # use baton::{Context, ambient::Snapshot, context_key};
/// #[context_key]
/// struct RequestId(u64);
///
/// fn audit(action: &str) -> String {
///     let ctx = baton::get_context();
///     format!("{} {} by request {}", action, ctx.uri(), ctx.try_get::<RequestId>().map_or(0, |id| id.0))
/// }
///
/// let ctx = Context::from_request(http::Request::get("/orders").body(baton::Body::empty()).unwrap())
///     .provide(RequestId(11));
/// assert_eq!(Snapshot::of(&ctx).sync_scope(|| audit("list")), "list /orders by request 11");
/// ```
///
/// # Panics
/// Outside a request scope, with a message naming the cause and the fix:
///
/// ```should_panic
/// baton::get_context(); // panics: "baton::get_context() was called outside a request scope ..."
/// ```
///
/// Use [`try_get_context`] where running outside a request is expected (startup code, background jobs,
/// CLI tools).
#[track_caller]
#[inline]
pub fn get_context() -> AmbientContext {
    match try_get_context() {
        Some(ctx) => ctx,
        None => outside_scope("baton::get_context()"),
    }
}

/// The current request's context, or `None` outside a request scope.
///
/// ```
/// assert!(baton::try_get_context().is_none());
/// ```
#[inline]
pub fn try_get_context() -> Option<AmbientContext> {
    slot::with_current(AmbientContext::clone)
}

/// Lends the current request's context to `f`: no handle is cloned, so this is the cheapest read.
///
/// ```
/// # use baton::{Context, ambient::Snapshot, context_key};
/// #[context_key]
/// struct RequestId(u64);
///
/// let ctx = Context::default().provide(RequestId(3));
/// let id = Snapshot::of(&ctx).sync_scope(|| {
///     baton::with_context(|ctx| ctx.try_get::<RequestId>().map(|id| id.0))
/// });
/// assert_eq!(id, Some(3));
/// ```
///
/// # Panics
/// Outside a request scope (see [`get_context`]). Scopes entered inside `f` ([`Snapshot::sync_scope`])
/// nest: `f`'s handle stays the one it was lent.
#[track_caller]
#[inline]
pub fn with_context<R>(f: impl FnOnce(&AmbientContext) -> R) -> R {
    match slot::with_current(f) {
        Some(result) => result,
        None => outside_scope("baton::with_context()"),
    }
}

/// Lends the current request's context to `f`, or returns `None` outside a request scope.
///
/// The cheapest read for code that also runs outside requests, such as a logging helper:
///
/// ```
/// use baton::{Context, ambient::Snapshot, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// fn log_line(message: &str) -> String {
///     match baton::try_with_context(|ctx| ctx.try_get::<RequestId>().map(|id| id.0)) {
///         Some(Some(id)) => format!("[request {id}] {message}"),
///         Some(None) => format!("[request] {message}"),
///         None => format!("[startup] {message}"),
///     }
/// }
///
/// assert_eq!(log_line("ready"), "[startup] ready");
/// let ctx = Context::default().provide(RequestId(7));
/// assert_eq!(Snapshot::of(&ctx).sync_scope(|| log_line("saved")), "[request 7] saved");
/// ```
#[inline]
pub fn try_with_context<R>(f: impl FnOnce(&AmbientContext) -> R) -> Option<R> {
    slot::with_current(f)
}

/// The strict accessors' panic.
#[cold]
#[track_caller]
pub(crate) fn outside_scope(what: &str) -> ! {
    panic!(
        "{what} was called outside a request scope: no baton ambient context is set on this task or thread.\n\
         fix: mount `baton::async_context()` (or `baton::async_context_for::<YourAppContext>()`) with `.with(...)` \
         above the routes that reach this code; carry the context into spawned work with `baton::spawn`, \
         `baton::spawn_blocking`, `.in_context()` or `Snapshot::sync_scope` (a bare `tokio::spawn` or \
         `std::thread::spawn` does not inherit it); in tests, wrap the code in `Snapshot::of(&ctx).scope(..)`. \
         Where running outside a request is expected, use `baton::try_get_context()`."
    )
}

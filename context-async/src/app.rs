//! The typed app context: keys declared once, read without `Option`, proven where the scope is entered.

use crate::scope::{AmbientContext, outside_scope, try_with_context};
use baton_core::proof::Unit;
use baton_core::{Also, ContextKey, KeyList, Position};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// An app context declared with [`app_context!`](crate#typed-app-context): the keys every request of
/// the app carries, readable anywhere without `Option`.
///
/// Written by the macro; you name it as a type parameter (`async_context_for::<AppContext>()`).
///
/// ```
/// use baton::{ambient::DeclaredContext, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key]
/// struct Tenant(String);
///
/// baton::app_context!(struct AppContext: RequestId, Tenant);
///
/// assert_eq!(<AppContext as DeclaredContext>::NAME, "AppContext");
/// ```
pub trait DeclaredContext: Send + Sync + 'static {
    /// The declared keys, in declaration order: `(RequestId, (Tenant, ()))`.
    type Keys: KeyList;
    /// The app context's name, for messages.
    const NAME: &'static str;
    #[doc(hidden)]
    const TYPED: bool = true;
}

/// Proof that the app context `Self` declares `K`; written by `app_context!` for each declared key.
///
/// [`AppView::get`] asks for it, so reading a key the app context does not declare is a compile error.
/// Code that works with any app context carrying a key states it as a bound:
///
/// ```
/// use baton::ambient::{AppView, Declares, Snapshot};
/// use baton::{Context, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct Tenant;
///
/// baton::app_context!(struct Api: RequestId);
/// baton::app_context!(struct Admin: RequestId, Tenant);
///
/// // A library helper: any app context that declares `RequestId`.
/// fn log_prefix<A: Declares<RequestId>>() -> String {
///     format!("[request {}]", AppView::<A>::current().get::<RequestId>().0)
/// }
///
/// let ctx = Context::default().provide(RequestId(7)).provide_as::<Tenant>("acme".to_string());
/// assert_eq!(Snapshot::of_app::<Api>(&ctx).sync_scope(log_prefix::<Api>), "[request 7]");
/// assert_eq!(Snapshot::of_app::<Admin>(&ctx).sync_scope(log_prefix::<Admin>), "[request 7]");
/// assert_eq!(<Admin as Declares<Tenant>>::INDEX, 1); // its place in the declaration
/// ```
#[diagnostic::on_unimplemented(
    message = "`{K}` is not declared in the app context `{Self}`",
    label = "`{K}` is read through `{Self}`, which does not declare it",
    note = "add `{K}` to the `app_context!` declaration of `{Self}` (every route that enters `{Self}`'s scope must then provide it); to read a key that only some requests carry, use `.try_get::<{K}>()`, which returns an `Option`"
)]
pub trait Declares<K: ContextKey>: DeclaredContext {
    /// The key's place in the declaration (first is 0).
    const INDEX: usize;
}

/// `Self` is declared by the app context `A`: [`Declares`] seen from the key, the bound
/// [`AppView::get`] states. Implemented for every key `A` declares; name [`Declares`] in your own
/// bounds.
///
/// ```
/// use baton::ambient::DeclaredIn;
/// use baton::context_key;
///
/// #[context_key]
/// struct RequestId(u64);
/// baton::app_context!(struct Api: RequestId);
///
/// fn index_of<K: DeclaredIn<Api>>() -> usize {
///     K::INDEX
/// }
/// assert_eq!(index_of::<RequestId>(), 0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not declared in the app context `{A}`",
    label = "`{Self}` is read through `{A}`, which does not declare it",
    note = "add `{Self}` to the `app_context!` declaration of `{A}` (every route that enters `{A}`'s scope must then provide it); to read a key that only some requests carry, use `.try_get::<{Self}>()`, which returns an `Option`"
)]
pub trait DeclaredIn<A: DeclaredContext>: ContextKey {
    /// The key's place in `A`'s declaration (first is 0).
    const INDEX: usize;
}

// Hidden from errors: an undeclared key is reported as `DeclaredIn`, once, without rustc's list of
// the keys `A` does declare.
#[diagnostic::do_not_recommend]
impl<A: Declares<K>, K: ContextKey> DeclaredIn<A> for K {
    const INDEX: usize = <A as Declares<K>>::INDEX;
}

/// The app context of an untyped scope (`async_context()`): declares nothing.
///
/// ```
/// use baton::ambient::{AsyncContext, DeclaredContext, Snapshot, Untyped};
/// use baton::Context;
///
/// let _middleware: AsyncContext<Untyped> = baton::async_context(); // `AsyncContext`'s default
/// assert_eq!(<Untyped as DeclaredContext>::NAME, "untyped");
///
/// // In an untyped scope only the untyped reads (`try_get`, `uri`, ...) are there.
/// let name = Snapshot::of(&Context::default()).sync_scope(|| baton::get_context().app_name());
/// assert_eq!(name, None);
/// ```
#[derive(Debug)]
pub enum Untyped {}

impl DeclaredContext for Untyped {
    type Keys = ();
    const NAME: &'static str = "untyped";
    const TYPED: bool = false;
}

/// Proof, at the point where the scope of the app context `A` is entered, that the route provides `K`.
///
/// Holds wherever `K` is in the key list (it is [`Position<K>`](baton_core::Position) under another
/// name); [`POSITION`](Self::POSITION) is where `K`'s value sits in the request's store. Its message
/// is what `.with(async_context_for::<A>())` reports on a router whose key list is a type parameter
/// (see [`Locate`] for the bound that fixes it).
///
/// ```
/// use baton::ambient::ProvidesDeclared;
/// use baton::{Context, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
/// baton::app_context!(struct AppContext: RequestId, UserName);
///
/// fn stored_at<P: ProvidesDeclared<AppContext, UserName>>(_ctx: &Context<P>) -> usize {
///     P::POSITION
/// }
///
/// let ctx = Context::default().provide(RequestId(7)).provide_as::<UserName>("ada".to_string());
/// assert_eq!(stored_at(&ctx), 1); // the second value provided
/// ```
#[diagnostic::on_unimplemented(
    message = "the app context `{A}` declares `{K}`, but no middleware before this point provides it",
    label = "`{A}`'s scope is entered here, before anything provides `{K}`",
    note = "mount the middleware that provides `{K}` above `async_context_for::<{A}>()`: the scope of a typed app context can only be entered where every key it declares is already provided",
    note = "or remove `{K}` from the `app_context!` declaration of `{A}` and read it with `.try_get::<{K}>()`"
)]
pub trait ProvidesDeclared<A, K: ContextKey>: KeyList {
    /// `()` where `K` is provided, no type where it is not (see `Also` in `baton::proof`).
    #[doc(hidden)]
    type Proof: Unit;
    /// The store position of `K`'s value.
    const POSITION: usize;
}

#[diagnostic::do_not_recommend]
impl<A, K: ContextKey, P: Position<K>> ProvidesDeclared<A, K> for P {
    type Proof = <P as Position<K>>::Proof;
    const POSITION: usize = <P as Position<K>>::POSITION;
}

/// Proof that a route with key list `Self` provides every key of `Keys` (declared by `A`); records
/// where each one sits in the store.
///
/// `async_context_for::<A>()` and [`Snapshot::of_app`](crate::Snapshot::of_app) ask for
/// `P: Locate<A, A::Keys>`. Code generic over a router or a context states the same bound to enter
/// the typed scope:
///
/// ```
/// use baton::ambient::{DeclaredContext, Locate, Snapshot};
/// use baton::{Chain, Context, Router, Routed, Scope, context_key, get, middleware};
///
/// #[context_key]
/// struct RequestId(u64);
/// baton::app_context!(struct AppContext: RequestId);
///
/// #[middleware(provides = RequestId)]
/// async fn request_id(_ctx: &Context) -> RequestId {
///     RequestId(7)
/// }
///
/// // A route group that enters `AppContext`'s scope wherever it is mounted.
/// fn audited<H, T>(scope: Scope<(H, T)>) -> Router<impl Chain, Routed>
/// where
///     (H, T): Locate<AppContext, <AppContext as DeclaredContext>::Keys>,
/// {
///     scope
///         .with(baton::async_context_for::<AppContext>())
///         .route("/", get(|_: Context| async { AppContext::current().get::<RequestId>().0.to_string() }))
/// }
///
/// // The same bound on a context: a test helper running code in the app context.
/// fn in_app<P, R>(ctx: &Context<P>, f: impl FnOnce() -> R) -> R
/// where
///     P: Locate<AppContext, <AppContext as DeclaredContext>::Keys>,
/// {
///     Snapshot::of_app::<AppContext>(ctx).sync_scope(f)
/// }
///
/// let read = || AppContext::current().get::<RequestId>().0;
/// assert_eq!(in_app(&Context::default().provide(RequestId(3)), read), 3);
///
/// let app = Router::new().with(request_id).scope("/audit", audited);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/audit").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "7");
/// # });
/// ```
///
/// Without the bound, the `.with(..)` in `audited` reports, for each declared key, ``no upstream
/// middleware provides `RequestId` on this route``; in a function generic over the chain
/// (`router: Router<L, Open>` with `L: Chain`), the bound is `L::Out: Locate<..>` and its absence reads
/// ``the app context `AppContext` declares `RequestId`, but no middleware before this point provides
/// it`` (the message of [`ProvidesDeclared`]).
pub trait Locate<A, Keys>: KeyList {
    /// `()` where every key of `Keys` is provided, no type where one is not.
    #[doc(hidden)]
    type Proof: Unit;
    #[doc(hidden)]
    fn fill(table: &mut Table, index: usize);
}

impl<P: KeyList, A> Locate<A, ()> for P {
    type Proof = ();
    #[inline(always)]
    fn fill(_: &mut Table, _: usize) {}
}

impl<P, A, K, Rest> Locate<A, (K, Rest)> for P
where
    K: ContextKey,
    P: ProvidesDeclared<A, K> + Locate<A, Rest>,
{
    type Proof = <<P as ProvidesDeclared<A, K>>::Proof as Also<<P as Locate<A, Rest>>::Proof>>::Out;
    #[inline(always)]
    fn fill(table: &mut Table, index: usize) {
        table.set(index, <P as ProvidesDeclared<A, K>>::POSITION);
        <P as Locate<A, Rest>>::fill(table, index + 1);
    }
}

/// Declared keys whose positions are kept inline; further ones go to a heap table.
const INLINE: usize = 8;

/// Where each declared key's value sits in the store, by declaration index.
#[doc(hidden)]
pub struct Table {
    inline: [usize; INLINE],
    spill: Vec<usize>,
}

impl Table {
    pub(crate) fn empty() -> Table {
        Table {
            inline: [usize::MAX; INLINE],
            spill: Vec::new(),
        }
    }

    fn set(&mut self, index: usize, position: usize) {
        if index < INLINE {
            self.inline[index] = position;
        } else {
            let index = index - INLINE;
            if self.spill.len() <= index {
                self.spill.resize(index + 1, usize::MAX);
            }
            self.spill[index] = position;
        }
    }

    #[inline(always)]
    fn get(&self, index: usize) -> usize {
        if index < INLINE {
            self.inline[index]
        } else {
            self.spill
                .get(index - INLINE)
                .copied()
                .unwrap_or(usize::MAX)
        }
    }
}

/// The ambient context seen through a declared app context `A`: [`get`](Self::get) reads every declared
/// key without `Option`.
///
/// Obtained with `A::current()`, `A::with(..)` (methods the `app_context!` macro writes) or
/// [`AmbientContext::app`]. It dereferences to [`AmbientContext`] for the untyped reads (`uri()`,
/// `try_get`, ...).
///
/// ```
/// use baton::{Context, ambient::Snapshot, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
///
/// baton::app_context!(struct AppContext: RequestId, UserName);
///
/// fn greeting() -> String {
///     let ctx = AppContext::current();
///     format!("hello {} (request {})", ctx.get::<UserName>(), ctx.get::<RequestId>().0)
/// }
///
/// let ctx = Context::default()
///     .provide(RequestId(1))
///     .provide_as::<UserName>("ada".to_string());
/// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(greeting), "hello ada (request 1)");
/// ```
#[repr(transparent)]
pub struct AppView<A> {
    ctx: AmbientContext,
    _app: PhantomData<fn() -> A>,
}

impl<A> Clone for AppView<A> {
    fn clone(&self) -> Self {
        AppView {
            ctx: self.ctx.clone(),
            _app: PhantomData,
        }
    }
}

impl<A: DeclaredContext> AppView<A> {
    #[inline]
    pub(crate) fn from_ambient(ctx: &AmbientContext) -> &AppView<A> {
        // SAFETY: `AppView<A>` is `repr(transparent)` over `AmbientContext` (the other field is a ZST).
        unsafe { &*(ctx as *const AmbientContext).cast::<AppView<A>>() }
    }

    /// The current request's context, typed as `A`.
    ///
    /// # Panics
    /// Outside a request scope, or in a scope that was not entered for `A`
    /// (`async_context()` instead of `async_context_for::<A>()`), with a message naming the fix.
    ///
    /// `app_context!` writes `A::current()` for it:
    ///
    /// ```
    /// use baton::ambient::{AppView, Snapshot};
    /// use baton::{Context, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// baton::app_context!(struct AppContext: RequestId);
    ///
    /// fn request_id() -> u64 {
    ///     let ctx: AppView<AppContext> = AppContext::current(); // = AppView::<AppContext>::current()
    ///     ctx.get::<RequestId>().0
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(request_id), 7);
    /// ```
    ///
    /// ```should_panic
    /// # use baton::{Context, ambient::Snapshot, context_key};
    /// # #[context_key] struct RequestId(u64);
    /// # baton::app_context!(struct AppContext: RequestId);
    /// // An untyped scope: panics, naming `async_context_for::<AppContext>()` as the fix.
    /// Snapshot::of(&Context::default()).sync_scope(|| AppContext::current());
    /// ```
    #[track_caller]
    #[inline]
    pub fn current() -> AppView<A> {
        match try_with_context(|ctx| ctx.app::<A>().cloned().ok_or(ctx.app_name())) {
            Some(Ok(view)) => view,
            Some(Err(entered)) => wrong_scope::<A>(entered),
            None => outside_scope(&format!("{}::current()", A::NAME)),
        }
    }

    /// The current request's context typed as `A`, or `None` outside a scope entered for `A`.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// baton::app_context!(struct AppContext: RequestId);
    ///
    /// // Runs in requests and at startup alike.
    /// fn request_id() -> Option<u64> {
    ///     AppContext::try_current().map(|ctx| ctx.get::<RequestId>().0)
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7));
    /// assert_eq!(request_id(), None);
    /// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(request_id), Some(7));
    /// assert_eq!(Snapshot::of(&ctx).sync_scope(request_id), None); // untyped scope
    /// ```
    #[inline]
    pub fn try_current() -> Option<AppView<A>> {
        try_with_context(|ctx| ctx.app::<A>().cloned()).flatten()
    }

    /// Lends the current request's context, typed as `A`, to `f` (no handle is cloned).
    ///
    /// # Panics
    /// Like [`current`](Self::current).
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key(value = String)]
    /// struct UserName;
    /// baton::app_context!(struct AppContext: RequestId, UserName);
    ///
    /// fn audit(action: &str) -> String {
    ///     AppContext::with(|ctx| format!("{} {action} (request {})", ctx.get::<UserName>(), ctx.get::<RequestId>().0))
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7)).provide_as::<UserName>("ada".to_string());
    /// let line = Snapshot::of_app::<AppContext>(&ctx).sync_scope(|| audit("signed in"));
    /// assert_eq!(line, "ada signed in (request 7)");
    /// ```
    #[track_caller]
    #[inline]
    pub fn with<R>(f: impl FnOnce(&AppView<A>) -> R) -> R {
        match try_with_context(|ctx| match ctx.app::<A>() {
            Some(view) => Ok(f(view)),
            None => Err(ctx.app_name()),
        }) {
            Some(Ok(result)) => result,
            Some(Err(entered)) => wrong_scope::<A>(entered),
            None => outside_scope(&format!("{}::with()", A::NAME)),
        }
    }

    /// Lends the current request's context, typed as `A`, to `f`; `None` outside a scope entered for `A`.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// baton::app_context!(struct AppContext: RequestId);
    ///
    /// fn log_line(message: &str) -> String {
    ///     match AppContext::try_with(|ctx| ctx.get::<RequestId>().0) {
    ///         Some(id) => format!("[request {id}] {message}"),
    ///         None => format!("[no request] {message}"),
    ///     }
    /// }
    ///
    /// assert_eq!(log_line("starting"), "[no request] starting");
    /// let ctx = Context::default().provide(RequestId(7));
    /// assert_eq!(Snapshot::of_app::<AppContext>(&ctx).sync_scope(|| log_line("saved")), "[request 7] saved");
    /// ```
    #[inline]
    pub fn try_with<R>(f: impl FnOnce(&AppView<A>) -> R) -> Option<R> {
        try_with_context(|ctx| ctx.app::<A>().map(f)).flatten()
    }

    /// Reads the value of the declared key `K`: an index into the request's store, never `None`.
    ///
    /// Reading a key that `A` does not declare is a compile error.
    ///
    /// ```
    /// use baton::{Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key(value = String)]
    /// struct UserName;
    /// baton::app_context!(struct AppContext: RequestId, UserName);
    ///
    /// let ctx = Context::default().provide(RequestId(7)).provide_as::<UserName>("ada".to_string());
    /// let (id, user) = Snapshot::of_app::<AppContext>(&ctx).sync_scope(|| {
    ///     let ctx = AppContext::current();
    ///     (ctx.get::<RequestId>().0, ctx.get::<UserName>().clone()) // no `Option`
    /// });
    /// assert_eq!((id, user.as_str()), (7, "ada"));
    /// ```
    ///
    /// ```compile_fail,E0277
    /// # use baton::{Context, ambient::Snapshot, context_key};
    /// # #[context_key] struct RequestId(u64);
    /// # #[context_key] struct Tenant(u64);
    /// # baton::app_context!(struct AppContext: RequestId);
    /// AppContext::current().get::<Tenant>(); // error: `Tenant` is not declared in the app context `AppContext`
    /// ```
    #[inline]
    pub fn get<K: DeclaredIn<A>>(&self) -> &K::Value {
        let inner = &*self.ctx.inner;
        let position = inner.table.get(K::INDEX);
        match inner.store.get_key_at::<K>(position) {
            Some(value) => value,
            None => declared_value_missing::<A, K>(),
        }
    }

    /// The untyped view (also reachable through `Deref`).
    ///
    /// For code that takes an [`AmbientContext`], or reads a key the app context does not declare:
    ///
    /// ```
    /// use baton::{AmbientContext, Context, ambient::Snapshot, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key]
    /// struct Tenant(u64);
    /// baton::app_context!(struct AppContext: RequestId);
    ///
    /// fn tenant(ctx: &AmbientContext) -> Option<u64> {
    ///     ctx.try_get::<Tenant>().map(|tenant| tenant.0)
    /// }
    ///
    /// let ctx = Context::default().provide(RequestId(7)).provide(Tenant(3));
    /// let found = Snapshot::of_app::<AppContext>(&ctx).sync_scope(|| tenant(AppContext::current().ambient()));
    /// assert_eq!(found, Some(3));
    /// ```
    #[inline]
    pub fn ambient(&self) -> &AmbientContext {
        &self.ctx
    }
}

impl<A> Deref for AppView<A> {
    type Target = AmbientContext;
    #[inline]
    fn deref(&self) -> &AmbientContext {
        &self.ctx
    }
}

impl<A: DeclaredContext> fmt::Debug for AppView<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple(A::NAME).field(&self.ctx).finish()
    }
}

#[cold]
#[track_caller]
fn wrong_scope<A: DeclaredContext>(entered: Option<&'static str>) -> ! {
    let name = A::NAME;
    match entered {
        None => panic!(
            "{name}::current() was called in a request scope entered by `async_context()`, which is untyped.\n\
             fix: mount `baton::async_context_for::<{name}>()` with `.with(...)` (after the middleware that provide \
             {name}'s keys) on the routes that reach this code, or read with `baton::get_context().try_get::<K>()`."
        ),
        Some(other) => panic!(
            "{name}::current() was called in a request scope entered for the app context `{other}`, not `{name}`.\n\
             fix: read through `{other}`, or mount `baton::async_context_for::<{name}>()` on the routes that reach this code."
        ),
    }
}

#[cold]
#[track_caller]
fn declared_value_missing<A: DeclaredContext, K: ContextKey>() -> ! {
    panic!(
        "the value of `{}` declared in `{}` is not in the request store: the `DeclaredContext`/`Declares` impls \
         of `{}` disagree (they are meant to be written by `app_context!`)",
        std::any::type_name::<K>(),
        A::NAME,
        A::NAME
    )
}

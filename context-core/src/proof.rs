//! The type-level proof that a key was provided upstream.
//!
//! A route's context type is `Context<P>` where `P` lists the keys provided so far, newest first:
//! `(User, (Database, ()))`. The list is a phantom: it exists only for the compiler.
//!
//! * [`Has<K>`] holds when `K` is in `P`, or when `K` has a [`DefaultKey`] and is
//!   absent. `ctx.get::<K>()` asks for it.
//! * [`Lacks<K>`] holds when `K` is not in `P`. `ctx.provide(..)` asks for it, so a key is never in a list
//!   twice and every read has exactly one answer.
//! * [`HasAll<Keys>`] holds when every key of the list `Keys` is readable.
//!
//! The search compares the keys' type-level fingerprints ([`ContextKey::Id`]), so no index parameter
//! ever appears in user code: a handler that reads `Database` is bounded by `P: Has<Database>`.
//!
//! Because the proof is built from the middleware *declared before* a route, moving a middleware below the
//! route that needs it is a compile error, never a silent runtime bug.
//!
//! You meet these traits as bounds: a helper that reads a key states `P: Has<K>`, one that provides a
//! key states `P: Lacks<K>` and names the grown list `(K, P)`. The caller's list is checked where the
//! helper is called.
//!
//! ```
//! use baton::{Context, Has, Lacks, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//! #[context_key(value = String)]
//! struct UserName;
//!
//! fn log_line<P: Has<RequestId>>(ctx: &Context<P>) -> String {
//!     format!("request {}", ctx.get::<RequestId>().0)
//! }
//!
//! fn sign_in<P: Lacks<UserName>>(ctx: Context<P>) -> Context<(UserName, P)> {
//!     ctx.provide_as::<UserName>("ada".to_string())
//! }
//!
//! let ctx: Context<(RequestId, ())> = Context::default().provide(RequestId(7));
//! let ctx: Context<(UserName, (RequestId, ()))> = sign_in(ctx);
//! assert_eq!(log_line(&ctx), "request 7");
//! assert_eq!(ctx.get::<UserName>(), "ada");
//! ```
//!
//! Called where the key is missing, the helper does not compile:
//!
//! ```compile_fail,E0277
//! # use baton::{Context, Has, context_key};
//! # #[context_key] struct RequestId(u64);
//! # fn log_line<P: Has<RequestId>>(ctx: &Context<P>) -> String { format!("{}", ctx.get::<RequestId>().0) }
//! log_line(&Context::default()); // error: no upstream middleware provides `RequestId` on this route
//! ```

use crate::key::{ContextKey, DefaultKey, False, SameId, SameKey, True};
use crate::sealed::Seal;
use crate::store::Store;

/// A type-level list of provided keys: `()` or `(K, Rest)`.
///
/// Sealed, like every trait of this module: baton implements them all, and the unchecked reads of the
/// store trust their answers (`LEN`, positions). They are public so that generic code can state them
/// as bounds (`P: Has<User>`), never to be implemented. `P: KeyList` is the bound of code generic over
/// any context, whatever it holds:
///
/// ```
/// use baton::{Context, KeyList, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
///
/// fn proven_keys<P: KeyList>(_ctx: &Context<P>) -> usize {
///     P::LEN
/// }
///
/// let ctx = Context::default().provide(RequestId(7));
/// assert_eq!(proven_keys(&ctx), 1);
/// assert_eq!(<(UserName, (RequestId, ())) as KeyList>::LEN, 2);
/// ```
pub trait KeyList: Send + Sync + 'static {
    /// How many keys the list holds; the store holds exactly as many values.
    const LEN: usize;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

impl KeyList for () {
    const LEN: usize = 0;
    fn __sealed(_: Seal) {}
}

impl<K: ContextKey, T: KeyList> KeyList for (K, T) {
    const LEN: usize = T::LEN + 1;
    fn __sealed(_: Seal) {}
}

/// The key list of a route with no middleware, as a `#[handler]` sees it.
///
/// `#[handler]` makes a handler generic over a non-empty list `(H, T)` (so it can be told apart from a
/// plain `Context` handler); on a route where nothing is provided it is mounted with
/// `(NothingProvided, ())`, which holds no value: only keys with a default can be read from it, and
/// reading another names the key in the usual "no upstream middleware provides" error.
///
/// ```
/// use baton::{Context, Has, NothingProvided, Router, context_key, get, handler};
///
/// #[context_key(default = Locale("en"))]
/// struct Locale(&'static str);
///
/// #[handler]
/// async fn greet(ctx: Context) -> String {
///     format!("locale {}", ctx.get::<Locale>().0)
/// }
///
/// // What `#[handler]` writes, by hand: a non-empty list, which a bare route fills with `NothingProvided`.
/// async fn greet_by_hand<H, T>(ctx: Context<(H, T)>) -> String
/// where
///     (H, T): Has<Locale>,
/// {
///     format!("locale {}", ctx.get::<Locale>().0)
/// }
///
/// let app = Router::new().route("/", get(greet)).route("/by-hand", get(greet_by_hand));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// for path in ["/", "/by-hand"] {
///     let response = app.call_request(http::Request::get(path).body(baton::Body::empty()).unwrap()).await;
///     assert_eq!(response.into_body().collect_bytes().await.unwrap(), "locale en");
/// }
/// # });
/// assert_eq!(<(NothingProvided, ()) as baton::KeyList>::LEN, 0); // it holds no value
/// ```
#[derive(Debug)]
pub enum NothingProvided {}

impl KeyList for (NothingProvided, ()) {
    const LEN: usize = 0;
    fn __sealed(_: Seal) {}
}

#[diagnostic::do_not_recommend]
impl<K: DefaultKey> Has<K> for (NothingProvided, ()) {
    type Proof = K::Proof;
    #[inline(always)]
    fn fetch(store: &Store, _: Seal) -> &K::Value {
        provided_or_default::<K>(store)
    }
}

/// Proof that a context with key list `Self` can read `K`.
///
/// In a generic function, state the need as `P: Has<K>` (the `#[handler]` macro writes these bounds).
///
/// ```
/// use baton::{Context, Has, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// fn log_line<P: Has<RequestId>>(ctx: &Context<P>) -> String {
///     format!("request {}", ctx.get::<RequestId>().0)
/// }
///
/// let ctx = Context::default().provide(RequestId(7));
/// assert_eq!(log_line(&ctx), "request 7");
/// ```
#[diagnostic::on_unimplemented(
    message = "no upstream middleware provides `{K}` on this route",
    label = "`{K}` is read here, but nothing before this point provides it",
    note = "add a middleware that provides `{K}` (e.g. `#[middleware(provides = {K})]`) with `.with(...)` above this route or in its scope: a route is checked against the middleware declared before it. If `{K}` is optional here, read it with `ctx.try_get::<{K}>()`. In a helper fn taking `&Context`, mark the helper `#[handler]` and name it in its callers' `uses = ..`; in a macro of yours inside a `#[handler]`/`#[middleware]` body, declare the key with `requires = {K}`"
)]
// `K` is not bounded by `ContextKey` here (only `fetch` is), so a generated bound `P: Has<NotAKey>` is
// well-formed: the read `ctx.get::<NotAKey>()` then reports "`NotAKey` is not a context key" once.
pub trait Has<K>: KeyList {
    /// `()` where `K` is found; no type at all where it is missing (see [`Also`]).
    #[doc(hidden)]
    type Proof: Unit;
    #[doc(hidden)]
    fn fetch(store: &Store, _: Seal) -> &K::Value
    where
        K: ContextKey;
}

/// One step of the search: `Found` tells whether the head of `Self` is `K` ([`True`], [`False`], or
/// [`End`] for the empty list).
#[doc(hidden)]
pub trait HasStep<K: ContextKey, Found>: KeyList {
    type Proof: Unit;
    fn fetch(store: &Store, _: Seal) -> &K::Value;
}

/// The end of a key list, as seen by a search.
#[doc(hidden)]
pub struct End;

/// Compares the head of a key list with `K`: `Found` is [`True`], [`False`] or [`End`].
///
/// Each search step asks the *next* step directly (`T: HasStep<K, T::Found>`), not `T: Has<K>`, so a
/// search costs one level of trait recursion per key: reading the oldest of 64 keys stays within rustc's
/// default recursion limit.
#[doc(hidden)]
pub trait Probe<K: ContextKey>: KeyList {
    type Found;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

impl<K: ContextKey> Probe<K> for () {
    type Found = End;
    fn __sealed(_: Seal) {}
}

impl<K: ContextKey, H: ContextKey, T: KeyList> Probe<K> for (H, T)
where
    H::Id: SameId<K::Id>,
{
    type Found = <H::Id as SameId<K::Id>>::Output;
    fn __sealed(_: Seal) {}
}

#[diagnostic::do_not_recommend]
impl<K: DefaultKey> Has<K> for () {
    type Proof = K::Proof;
    #[inline(always)]
    fn fetch(store: &Store, _: Seal) -> &K::Value {
        provided_or_default::<K>(store)
    }
}

/// A key with a default that the proof did not find: the value provided at run time if any (a plain
/// handler's `Context` does not know what its route provides), the default otherwise.
#[inline]
fn provided_or_default<K: DefaultKey>(store: &Store) -> &K::Value {
    store.find_key::<K>().unwrap_or_else(|| K::default_value())
}

#[diagnostic::do_not_recommend]
impl<K, H, T> Has<K> for (H, T)
where
    K: ContextKey,
    H: ContextKey,
    T: KeyList,
    H::Id: SameId<K::Id>,
    (H, T): HasStep<K, <H::Id as SameId<K::Id>>::Output>,
    (H, T): Search<K, <H::Id as SameId<K::Id>>::Output>,
{
    // Computed by `Search`, not by `HasStep`: where `K` is missing, the search ends at `()` and its
    // proof is `()`'s own, so the error names `Has<K>`, not a search step.
    type Proof = <(H, T) as Search<K, <H::Id as SameId<K::Id>>::Output>>::Proof;
    #[inline(always)]
    fn fetch(store: &Store, seal: Seal) -> &K::Value {
        <(H, T) as HasStep<K, <H::Id as SameId<K::Id>>::Output>>::fetch(store, seal)
    }
}

#[diagnostic::do_not_recommend]
impl<K, H, T> HasStep<K, True> for (H, T)
where
    K: ContextKey,
    // Equal fingerprints only suggest the same key; `SameKey` proves it (a fingerprint collision is a
    // compile error here, never a read of another key's value).
    H: ContextKey + SameKey<K>,
    T: KeyList,
{
    type Proof = ();
    #[inline(always)]
    fn fetch(store: &Store, _: Seal) -> &K::Value {
        // SAFETY: a `Context<(H, T)>` is only made by `Context::provide_as`, which pushed an `H::Value`
        // at position `T::LEN` of a store that held `T::LEN` values (`Context<P>` keeps
        // `store.len() == P::LEN`, values in list order; values are never removed). `H` is `K`
        // (`SameKey`), so that value is a `K::Value`. `KeyList` is sealed, so `T::LEN` is baton's count.
        unsafe { store.get_unchecked::<K::Value>(T::LEN) }
    }
}

#[diagnostic::do_not_recommend]
impl<K, H, T> HasStep<K, False> for (H, T)
where
    K: ContextKey,
    H: ContextKey,
    T: Probe<K> + HasStep<K, <T as Probe<K>>::Found>,
{
    type Proof = <T as HasStep<K, <T as Probe<K>>::Found>>::Proof;
    #[inline(always)]
    fn fetch(store: &Store, seal: Seal) -> &K::Value {
        <T as HasStep<K, <T as Probe<K>>::Found>>::fetch(store, seal)
    }
}

#[diagnostic::do_not_recommend]
impl<K: DefaultKey> HasStep<K, End> for () {
    type Proof = K::Proof;
    #[inline(always)]
    fn fetch(store: &Store, _: Seal) -> &K::Value {
        provided_or_default::<K>(store)
    }
}

/// The proof of a search for `K` (`Found` as in [`HasStep`]): `()` where `K` is in the list, and where it
/// is not, the empty list's proof of [`Has<K>`] (or of [`Position<K>`] for `Search<K, _, Positioned>`),
/// which has no type unless `K` has a default. It has no bounds to fail on the way, so a missing key
/// is reported as that one `Has<K>` (or `Position<K>`) error.
#[doc(hidden)]
pub trait Search<K, Found, Kind = Read> {
    type Proof: Unit;
}

/// A search for a read ([`Has`]).
#[doc(hidden)]
pub enum Read {}

/// A search for a store position ([`Position`]).
#[doc(hidden)]
pub enum Positioned {}

impl<K, H, T, Kind> Search<K, True, Kind> for (H, T) {
    type Proof = ();
}

impl<K: ContextKey, H, T: Probe<K> + Search<K, <T as Probe<K>>::Found, Kind>, Kind>
    Search<K, False, Kind> for (H, T)
{
    type Proof = <T as Search<K, <T as Probe<K>>::Found, Kind>>::Proof;
}

impl<K> Search<K, End, Read> for ()
where
    (): Has<K>,
{
    type Proof = <() as Has<K>>::Proof;
}

impl<K: ContextKey> Search<K, End, Positioned> for ()
where
    (): Position<K>,
{
    type Proof = <() as Position<K>>::Proof;
}

/// The store position of `K` in a list that holds it, known at compile time.
///
/// Used by `replace` and by the ambient context to remember where declared keys live. A helper that
/// replaces a value states it as its bound:
///
/// ```
/// use baton::{Context, Position, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key]
/// struct Locale(&'static str);
///
/// fn translate<P: Position<Locale>>(ctx: Context<P>) -> Context<P> {
///     ctx.replace::<Locale>(Locale("fr"))
/// }
///
/// let ctx = Context::default().provide(RequestId(1)).provide(Locale("en"));
/// assert_eq!(translate(ctx).get::<Locale>().0, "fr");
///
/// // Positions count in provision order, oldest first.
/// type Provided = (Locale, (RequestId, ()));
/// assert_eq!(<Provided as Position<RequestId>>::POSITION, 0);
/// assert_eq!(<Provided as Position<Locale>>::POSITION, 1);
/// ```
#[diagnostic::on_unimplemented(
    message = "no upstream middleware provides `{K}` on this route",
    label = "`{K}` must be provided before this point",
    note = "add a middleware that provides `{K}` above this point: a route is checked against the middleware declared before it"
)]
pub trait Position<K: ContextKey>: KeyList {
    /// `()` where `K` is found; no type at all where it is missing (see [`Also`]).
    #[doc(hidden)]
    type Proof: Unit;
    /// The index of `K`'s value in the store (provision order, first is 0).
    const POSITION: usize;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

/// No key has a position in the empty list. This impl never applies (nothing implements `Unplaced`);
/// it is here so that a missing key is reported as "`Position<K>` is not implemented for `()`" alone,
/// not with a list of the impls that do exist.
#[diagnostic::do_not_recommend]
impl<K: ContextKey + Unplaced> Position<K> for () {
    type Proof = <K as Unplaced>::Proof;
    const POSITION: usize = 0;
    fn __sealed(_: Seal) {}
}

/// Implemented by no type (sealed): see `Position<K> for ()`.
#[doc(hidden)]
pub trait Unplaced {
    type Proof: Unit;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

#[doc(hidden)]
pub trait PositionStep<K: ContextKey, Found>: KeyList {
    type Proof: Unit;
    const POSITION: usize;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

#[diagnostic::do_not_recommend]
impl<K, H, T> Position<K> for (H, T)
where
    K: ContextKey,
    H: ContextKey,
    T: KeyList,
    H::Id: SameId<K::Id>,
    (H, T): PositionStep<K, <H::Id as SameId<K::Id>>::Output>,
    (H, T): Search<K, <H::Id as SameId<K::Id>>::Output, Positioned>,
{
    // As for `Has`: a missing key is reported as the empty list's `Position<K>`.
    type Proof = <(H, T) as Search<K, <H::Id as SameId<K::Id>>::Output, Positioned>>::Proof;
    const POSITION: usize = <(H, T) as PositionStep<K, <H::Id as SameId<K::Id>>::Output>>::POSITION;
    fn __sealed(_: Seal) {}
}

#[diagnostic::do_not_recommend]
impl<K: ContextKey, H: ContextKey + SameKey<K>, T: KeyList> PositionStep<K, True> for (H, T) {
    type Proof = ();
    const POSITION: usize = T::LEN;
    fn __sealed(_: Seal) {}
}

#[diagnostic::do_not_recommend]
impl<K, H, T> PositionStep<K, False> for (H, T)
where
    K: ContextKey,
    H: ContextKey,
    T: Probe<K> + PositionStep<K, <T as Probe<K>>::Found>,
{
    type Proof = <T as PositionStep<K, <T as Probe<K>>::Found>>::Proof;
    const POSITION: usize = <T as PositionStep<K, <T as Probe<K>>::Found>>::POSITION;
    fn __sealed(_: Seal) {}
}

// The search ran off the end: `K` is not provided. Stated as `(): Position<K>` (which never holds) so
// that errors name `Position<K>`, not this step.
impl<K: ContextKey> PositionStep<K, End> for ()
where
    (): Position<K>,
{
    type Proof = <() as Position<K>>::Proof;
    const POSITION: usize = <() as Position<K>>::POSITION;
    fn __sealed(_: Seal) {}
}

/// Proof that `K` is not yet provided in the key list `Self`.
///
/// [`Context::provide`](crate::Context::provide) asks for it, so code that provides a key for any
/// list states it: a hand-written [`Provider`](crate::Provider) does so in its impl.
///
/// ```
/// use baton::{Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// struct AssignRequestId;
///
/// impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
///     type Provides = RequestId;
///     async fn provide(&self, _ctx: &Context<P>) -> Result<RequestId, Response> {
///         Ok(RequestId(7))
///     }
/// }
///
/// let app = Router::new().with(ProviderMiddleware(AssignRequestId)).route(
///     "/",
///     get(|ctx: Context<(RequestId, ())>| async move { format!("request {}", ctx.get::<RequestId>().0) }),
/// );
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "request 7");
/// # });
/// ```
///
/// Mounting it twice on one route is refused, since the second `Lacks<RequestId>` fails:
///
/// ```compile_fail,E0277
/// # use baton::{Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, context_key};
/// # #[context_key] struct RequestId(u64);
/// # struct AssignRequestId;
/// # impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
/// #     type Provides = RequestId;
/// #     async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> { Ok(RequestId(7)) }
/// # }
/// let _ = Router::new()
///     .with(ProviderMiddleware(AssignRequestId))
///     .with(ProviderMiddleware(AssignRequestId)); // error: `RequestId` is already provided upstream
/// ```
#[diagnostic::on_unimplemented(
    message = "`{K}` is already provided upstream on this route",
    label = "`{K}` is provided a second time here",
    note = "a key is provided once per route: to change its value use `ctx.replace::<{K}>(..)`, to narrow it define a new key. If nothing above provides `{K}`, another key shares its identity (two `#[context_key(id = ..)]` alike, or instances of one generic key): give each key its own"
)]
pub trait Lacks<K: ContextKey>: KeyList {
    /// `()` where `K` is absent; no type at all where it is present (see [`Also`]).
    #[doc(hidden)]
    type Proof: Unit;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

// Hidden from errors: "`Lacks<K>` is implemented for `()`" only adds noise to a duplicate-key error.
#[diagnostic::do_not_recommend]
impl<K: ContextKey> Lacks<K> for () {
    type Proof = ();
    fn __sealed(_: Seal) {}
}

#[diagnostic::do_not_recommend]
impl<K: ContextKey, H: ContextKey, T: Lacks<K>> Lacks<K> for (H, T)
where
    H::Id: SameId<K::Id>,
    <H::Id as SameId<K::Id>>::Output: Absent<K>,
{
    // The rest's proof is only named here, never in a bound: a bound on it would make each step
    // prove the whole rest of the list again.
    type Proof = <<<H::Id as SameId<K::Id>>::Output as Absent<K>>::Proof as Also<T::Proof>>::Out;
    fn __sealed(_: Seal) {}
}

/// One step of [`Lacks`]: `Self` tells whether the head of the list has `K`'s fingerprint, and only
/// [`False`] passes. Where it is [`True`] no impl matches, so the proof of the whole list has no type
/// (a refused `.with(..)` is reported once) and the error names `K`.
#[diagnostic::on_unimplemented(
    message = "`{K}` is already provided upstream on this route",
    label = "`{K}` is provided a second time here",
    note = "a key is provided once per route: to change its value use `ctx.replace::<{K}>(..)`, to narrow it define a new key. If nothing above provides `{K}`, another key shares its identity (two `#[context_key(id = ..)]` alike, or instances of one generic key): give each key its own"
)]
#[doc(hidden)]
pub trait Absent<K> {
    type Proof: Unit;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

impl<K> Absent<K> for False {
    type Proof = ();
    fn __sealed(_: Seal) {}
}

/// Proof that every key of the list `Keys` is readable from `Self`.
///
/// Used where a whole set of keys must be present, such as a typed app context. A generic function
/// can state a whole set at once, for instance to check in a test that a route's context carries
/// the keys a part of the app needs (a key with a default counts as present):
///
/// ```
/// use baton::{Context, HasAll, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
/// #[context_key(default = Locale("en"))]
/// struct Locale(&'static str);
///
/// type AuditKeys = (RequestId, (UserName, (Locale, ())));
///
/// fn audit_ready<P: HasAll<AuditKeys>>(ctx: &Context<P>) -> usize {
///     ctx.store().len()
/// }
///
/// let ctx = Context::default()
///     .provide_as::<UserName>("ada".to_string())
///     .provide(RequestId(7)); // any order
/// assert_eq!(audit_ready(&ctx), 2);
/// ```
///
/// ```compile_fail,E0277
/// # use baton::{Context, HasAll, context_key};
/// # #[context_key] struct RequestId(u64);
/// # #[context_key(value = String)] struct UserName;
/// # fn audit_ready<P: HasAll<(RequestId, (UserName, ()))>>(_: &Context<P>) {}
/// audit_ready(&Context::default().provide(RequestId(7))); // error: ... every key of `(RequestId, (UserName, ()))`
/// ```
#[diagnostic::on_unimplemented(
    message = "this route does not provide every key of `{Keys}`",
    label = "a key of `{Keys}` is not provided before this point",
    note = "add the middleware that provide the missing keys above this point"
)]
pub trait HasAll<Keys>: KeyList {
    #[doc(hidden)]
    fn __sealed(_: Seal);
}

impl<P: KeyList> HasAll<()> for P {
    fn __sealed(_: Seal) {}
}

#[diagnostic::do_not_recommend]
impl<P, K, Rest> HasAll<(K, Rest)> for P
where
    K: ContextKey,
    P: Has<K> + HasAll<Rest>,
{
    fn __sealed(_: Seal) {}
}

/// `X`, once the proof `Self` holds: `()` is the only proof there is, so `<Proof as Also<X>>::Out` is
/// `X` where the proof holds and has no type where it fails.
///
/// Why: a middleware's output key list is gated on the proofs of its requirements (`#[middleware]`
/// writes `type Out = <<P as Has<K>>::Proof as Also<P>>::Out`). Where a requirement fails, `.with(m)`
/// reports it once and the router it returns has no known key list, so the calls after it (the next
/// `.with`, `.route`) raise no second error about the same mistake.
#[doc(hidden)]
pub trait Also<X> {
    type Out;
}

impl<U: Unit, X> Also<X> for U {
    type Out = X;
}

/// The type of a proof that holds: `()`. Every proof trait bounds its `Proof` by it, so in generic
/// code (`P: Has<K>`) `<P::Proof as Also<X>>::Out` is plainly `X`.
#[doc(hidden)]
pub trait Unit {}

impl Unit for () {}

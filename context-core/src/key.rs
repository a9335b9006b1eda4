//! Context keys: the names under which middleware provide values.
//!
//! A key is a type. Its [`ContextKey::Value`] is what `ctx.get::<K>()` returns. Two forms are common:
//!
//! * a **newtype key** is its own value: `struct RequestId(String)` with `Value = RequestId`;
//! * a **marker key** names a value of another type: `struct Database;` with `Value = Pool`.
//!
//! `#[context_key]` writes the impl for you. By hand it looks like this:
//!
//! ```
//! use baton::{ContextKey, key_id};
//!
//! struct Database;
//! struct Pool { url: String }
//!
//! impl ContextKey for Database {
//!     type Value = Pool;
//!     type Id = key_id!();
//! }
//!
//! let ctx = baton::Context::default().provide_as::<Database>(Pool { url: "sqlite::memory:".into() });
//! assert_eq!(ctx.get::<Database>().url, "sqlite::memory:"); // a `&Pool`, read under `Database`
//! ```
//!
//! Every key carries a type-level [`ContextKey::Id`]: a 64-bit fingerprint spelled in types, which lets
//! the compiler prove that a key is *not* already provided on a route (see [`Lacks`](crate::Lacks)).
//! `key_id!()` derives it from the crate, the place it is written and the expansion, so each key gets
//! its own. The fingerprint only guides the search: once it matches, the proof also requires the two key
//! *types* to be the same, so two keys that happened to share a fingerprint (a generic key type, or two
//! explicit `#[context_key(id = "..")]` alike) are a compile error, never a value read under another
//! key's name.

use crate::sealed::Seal;

/// A type under which a value can be provided to a request context.
///
/// See the [module docs](self) for the two forms and a hand-written impl. You rarely implement it:
/// `#[context_key]` does, and you meet the trait as the bound of code that works for any key.
///
/// ```
/// use baton::{Context, ContextKey, KeyList, context_key};
///
/// #[context_key]
/// #[derive(Debug)]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
///
/// // Generic over any key: the value a key stands for is `K::Value`.
/// fn describe<K: ContextKey, P: KeyList>(ctx: &Context<P>) -> String
/// where
///     K::Value: std::fmt::Debug,
/// {
///     match ctx.try_get::<K>() {
///         Some(value) => format!("{value:?}"),
///         None => "missing".to_string(),
///     }
/// }
///
/// let ctx = Context::default().provide_as::<UserName>("ada".to_string());
/// assert_eq!(describe::<UserName, _>(&ctx), r#""ada""#);
/// assert_eq!(describe::<RequestId, _>(&ctx), "missing");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a context key",
    label = "not a context key",
    note = "mark the type with `#[baton::context_key]` (or `#[context_key(value = T)]` for a marker key)"
)]
pub trait ContextKey: Send + Sync + 'static {
    /// The type of the value stored under this key.
    type Value: Send + Sync + 'static;
    /// The key's type-level fingerprint; write `baton::key_id!()`.
    type Id: KeyId;
}

/// A key whose value exists even when no middleware provided it.
///
/// `ctx.get::<K>()` compiles on every route for such a key: it returns the provided value if an upstream
/// middleware provided one, and the default otherwise.
///
/// ```
/// use baton::{ContextKey, DefaultKey, key_id};
///
/// struct Locale(&'static str);
/// impl ContextKey for Locale { type Value = Locale; type Id = key_id!(); }
/// impl DefaultKey for Locale {
///     type Proof = ();
///     fn default_value() -> &'static Locale {
///         static EN: Locale = Locale("en");
///         &EN
///     }
/// }
///
/// let ctx = baton::Context::default();
/// assert_eq!(ctx.get::<Locale>().0, "en");
/// ```
pub trait DefaultKey: ContextKey {
    /// Always `()`. The proofs read it where a key is missing from a route, so that only a key with a
    /// default stands in for a provided one; `#[context_key(default = ..)]` writes it.
    type Proof: crate::proof::Unit;
    /// The value read when no middleware provided one.
    fn default_value() -> &'static Self::Value;
}

/// Bit zero of a type-level key fingerprint.
#[doc(hidden)]
pub struct B0;
/// Bit one of a type-level key fingerprint.
#[doc(hidden)]
pub struct B1;

/// A type-level fingerprint: a cons list of [`B0`]/[`B1`] ending in `()`.
///
/// Sealed: only baton's bit lists are fingerprints.
#[doc(hidden)]
pub trait KeyId: 'static {
    #[doc(hidden)]
    fn __sealed(_: Seal);
}
impl KeyId for () {
    fn __sealed(_: Seal) {}
}
impl<T: KeyId> KeyId for (B0, T) {
    fn __sealed(_: Seal) {}
}
impl<T: KeyId> KeyId for (B1, T) {
    fn __sealed(_: Seal) {}
}

/// Type-level `true`.
#[doc(hidden)]
pub struct True;
/// Type-level `false`.
#[doc(hidden)]
pub struct False;

/// Type-level comparison of two fingerprints: `Output` is [`True`] or [`False`]. Sealed.
///
/// Compares two bits per step, so proving two keys equal (which walks the whole fingerprint) costs 32
/// levels of trait recursion, not 64: a key read deep in a long key list stays within rustc's default
/// recursion limit. Fingerprints have an even number of bits (`key_id!` makes 64).
///
/// Equal fingerprints are a hint, not a proof: the proof steps that act on a match also require
/// [`SameKey`], so two keys that happen to share a fingerprint are a compile error, never an alias.
#[doc(hidden)]
pub trait SameId<Other> {
    type Output;
    #[doc(hidden)]
    fn __sealed(_: Seal);
}
impl SameId<()> for () {
    type Output = True;
    fn __sealed(_: Seal) {}
}
// Same two bits: compare the rest.
impl<X, Y, A: SameId<B>, B> SameId<(X, (Y, B))> for (X, (Y, A)) {
    type Output = A::Output;
    fn __sealed(_: Seal) {}
}
macro_rules! different_bits {
    ($(($a:ident, $b:ident) != ($c:ident, $d:ident)),* $(,)?) => {$(
        impl<A, B> SameId<($c, ($d, B))> for ($a, ($b, A)) {
            type Output = False;
            fn __sealed(_: Seal) {}
        }
    )*};
}
different_bits!(
    (B0, B0) != (B0, B1),
    (B0, B0) != (B1, B0),
    (B0, B0) != (B1, B1),
    (B0, B1) != (B0, B0),
    (B0, B1) != (B1, B0),
    (B0, B1) != (B1, B1),
    (B1, B0) != (B0, B0),
    (B1, B0) != (B0, B1),
    (B1, B0) != (B1, B1),
    (B1, B1) != (B0, B0),
    (B1, B1) != (B0, B1),
    (B1, B1) != (B1, B0),
);

/// Proof that `Self` and `K` are the same type. Sealed: its one impl is reflexive.
///
/// The proof steps that read or replace a value once the fingerprints match require it, so the
/// fingerprint only guides the search and never decides whose value is read.
#[diagnostic::on_unimplemented(
    message = "the keys `{Self}` and `{K}` share one identity",
    label = "`{K}` is read here, but the value found under its identity belongs to `{Self}`",
    note = "two key types have the same fingerprint: a generic key type, or two `#[context_key(id = \"..\")]` with the same id",
    note = "give one of them its own `#[context_key(id = \"...\")]`, or declare one key type per value"
)]
#[doc(hidden)]
pub trait SameKey<K: ?Sized> {
    #[doc(hidden)]
    fn __sealed(_: Seal);
}
impl<K: ?Sized> SameKey<K> for K {
    fn __sealed(_: Seal) {}
}

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
//! # let _ = Pool { url: String::new() }.url;
//! ```
//!
//! Every key carries a type-level [`ContextKey::Id`]: a 64-bit fingerprint spelled in types, which lets
//! the compiler prove that a key is *not* already provided on a route (see [`Lacks`](crate::Lacks)).
//! `key_id!()` derives it from the place it is written, so each key gets its own.

/// A type under which a value can be provided to a request context.
///
/// See the [module docs](self) for the two forms and a hand-written impl.
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
#[doc(hidden)]
pub trait KeyId: 'static {}
impl KeyId for () {}
impl<T: KeyId> KeyId for (B0, T) {}
impl<T: KeyId> KeyId for (B1, T) {}

/// Proof that two fingerprints differ in at least one bit.
#[doc(hidden)]
pub trait Distinct<Other> {}
impl<A, B> Distinct<(B1, B)> for (B0, A) {}
impl<A, B> Distinct<(B0, B)> for (B1, A) {}
impl<A: Distinct<B>, B> Distinct<(B0, B)> for (B0, A) {}
impl<A: Distinct<B>, B> Distinct<(B1, B)> for (B1, A) {}

/// Type-level `true`.
#[doc(hidden)]
pub struct True;
/// Type-level `false`.
#[doc(hidden)]
pub struct False;

/// Type-level comparison of two fingerprints: `Output` is [`True`] or [`False`].
///
/// Compares two bits per step, so proving two keys equal (which walks the whole fingerprint) costs 32
/// levels of trait recursion, not 64: a key read deep in a long key list stays within rustc's default
/// recursion limit. Fingerprints have an even number of bits (`key_id!` makes 64).
#[doc(hidden)]
pub trait SameId<Other> {
    type Output;
}
impl SameId<()> for () {
    type Output = True;
}
// Same two bits: compare the rest.
impl<X, Y, A: SameId<B>, B> SameId<(X, (Y, B))> for (X, (Y, A)) {
    type Output = A::Output;
}
macro_rules! different_bits {
    ($(($a:ident, $b:ident) != ($c:ident, $d:ident)),* $(,)?) => {$(
        impl<A, B> SameId<($c, ($d, B))> for ($a, ($b, A)) {
            type Output = False;
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

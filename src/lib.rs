//! # baton
//!
//! Typed request context for HTTP services. Middleware *provide* typed values to a request; handlers and
//! other middleware *read* them; the compiler proves, route by route, that every value read was provided
//! upstream.
//!
//! ```
//! use baton::{Context, Router, context_key, get};
//!
//! #[context_key]
//! struct RequestId(u64);
//!
//! let ctx = Context::default().provide(RequestId(1));
//! assert_eq!(ctx.get::<RequestId>().0, 1);
//! # let _app = Router::new().route("/", get(|_: Context| async { "hi" }));
//! ```
#![warn(missing_docs)]

// Lets code in this crate use the macros, whose output names `::baton::...`.
extern crate self as baton;

pub use baton_core::*;

pub mod request_id;

/// Makes a struct or enum a context key.
///
/// * `#[context_key] struct RequestId(String);` — a newtype key: `get::<RequestId>()` returns `&RequestId`.
/// * `#[context_key(value = Pool)] struct Database;` — a marker key: `get::<Database>()` returns `&Pool`.
/// * `#[context_key(default = Locale("en"))]` — a key with a default, readable on every route.
///
/// ```
/// use baton::{Context, context_key};
///
/// #[context_key(default = Locale("en"))]
/// struct Locale(&'static str);
///
/// assert_eq!(Context::default().get::<Locale>().0, "en");
/// ```
pub use baton_macros::context_key;

/// A key's type-level fingerprint, for `ContextKey` impls written by hand: `type Id = baton::key_id!();`.
///
/// It hashes the place it is written (crate, file, line, column) and its input, so every key gets its
/// own. Inside a `macro_rules!` that declares several keys, pass the key's name: `key_id!(Database)`.
pub use baton_macros::key_id;

// --- macros (context-macros): #[middleware], #[handler] re-exports go here ---

// --- ambient context (context-async) re-exports go here ---

#[doc(hidden)]
pub mod __private {
    pub use baton_core::key::{B0, B1};
}

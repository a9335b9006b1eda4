//! The built-in middleware of [baton](https://docs.rs/baton): the seeds' middleware set, each an
//! ordinary `#[middleware]` whose ordering rules (method override after form data, CSRF after the
//! session) are compile errors. Use them through the facade, `baton::builtin`, one cargo feature each.
#![warn(missing_docs)]
// No `unsafe` here: the built-ins stand on the core's checked API.
#![forbid(unsafe_code)]

#[cfg(feature = "auth")]
pub mod auth;
#[cfg(feature = "cookies")]
pub mod cookies;
#[cfg(feature = "cop")]
pub mod cop;
#[cfg(feature = "logger")]
pub mod logger;
#[cfg(feature = "request-id")]
pub mod request_id;
#[cfg(feature = "security-headers")]
pub mod security_headers;
#[cfg(feature = "sessions")]
pub mod session;
#[cfg(feature = "static-files")]
pub mod static_files;
#[cfg(any(feature = "compression", feature = "cors", feature = "timeout"))]
pub mod transport;

#[cfg(feature = "cookies")]
pub use cookies::{Cookies, KeyRing, cookies};
#[cfg(feature = "cop")]
pub use cop::cop;
#[cfg(feature = "logger")]
pub use logger::{Logger, logger};
#[cfg(feature = "security-headers")]
pub use security_headers::{CspNonce, security_headers};
#[cfg(feature = "static-files")]
pub use static_files::static_files;
#[cfg(feature = "compression")]
pub use transport::compression;
#[cfg(feature = "cors")]
pub use transport::cors;
#[cfg(feature = "timeout")]
pub use transport::timeout;
#[cfg(feature = "csrf")]
pub mod csrf;
#[cfg(feature = "flash")]
pub mod flash;
#[cfg(feature = "forms")]
pub mod form;
#[cfg(feature = "method-override")]
pub mod method_override;

/// The paths the macros' generated code names, for use inside this crate (the facade re-exports
/// this crate, so it cannot be named `baton` here): `#[middleware(crate = "crate::__baton")]`.
#[doc(hidden)]
pub mod __baton {
    pub use baton_core::*;

    pub mod __private_0_1 {
        pub use baton_core::key::{B0, B1};

        /// Holds for every key list; naming `K` in it checks that `K` is a key.
        pub trait IsKey<K: baton_core::ContextKey> {}
        impl<P, K: baton_core::ContextKey> IsKey<K> for P {}
    }
}

/// A middleware's output list `$out`, gated on each proof its impl rests on, as `#[middleware]` writes
/// it: where a proof fails (a required key is missing, a provided one is already there) the output has
/// no type, so `.with(..)` reports the mistake once and the calls after it raise nothing more. In the
/// impl itself, and in any generic code, it is plainly `$out` (see `baton::Also`).
macro_rules! gated {
    ($list:ty => $out:ty;) => { $out };
    ($list:ty => $out:ty; $proof:ident<$key:ty> $(, $more:ident<$more_key:ty>)*) => {
        <<$list as $crate::__baton::$proof<$key>>::Proof as $crate::__baton::Also<
            $crate::gated!($list => $out; $($more<$more_key>),*)
        >>::Out
    };
}
pub(crate) use gated;

/// A fixed type-level key fingerprint, for the built-ins' generic keys (`Flash<M>`, `Identity<I>`),
/// which `#[context_key]` does not take: 64 bits spelled as `B0`/`B1`, one literal per key.
#[cfg(any(feature = "flash", feature = "auth"))]
macro_rules! fixed_key_id {
    () => { () };
    (0 $($rest:tt)*) => { ($crate::__baton::key::B0, $crate::fixed_key_id!($($rest)*)) };
    (1 $($rest:tt)*) => { ($crate::__baton::key::B1, $crate::fixed_key_id!($($rest)*)) };
}
#[cfg(any(feature = "flash", feature = "auth"))]
pub(crate) use fixed_key_id;

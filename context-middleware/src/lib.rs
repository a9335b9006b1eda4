//! The built-in middleware of [baton](https://docs.rs/baton): the seeds' middleware set, each an
//! ordinary `#[middleware]` whose ordering rules (method override after form data, CSRF after the
//! session) are compile errors. Use them through the facade, `baton::builtin`, one cargo feature each.
#![warn(missing_docs)]

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

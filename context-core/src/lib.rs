//! Core of [baton](https://docs.rs/baton): typed request context with a compile-time provision proof.
//!
//! Use it through the `baton` facade crate, which re-exports everything here with the macros.
#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod body;
pub mod catch;
pub mod connection;
pub mod context;
pub mod key;
pub mod limit;
pub mod method;
pub mod middleware;
pub mod path;
pub mod proof;
pub mod query;
pub mod response;
pub mod router;
pub mod serve;
pub mod store;

mod sealed {
    /// Named in a hidden method of every proof trait. No code outside baton-core can name it, so no
    /// code outside can implement those traits: the `unsafe` reads in `proof.rs` and `store.rs` rely
    /// on every impl being one of baton's.
    ///
    /// So an impl of a proof trait outside baton-core does not compile:
    ///
    /// ```compile_fail,E0046
    /// #[baton::context_key]
    /// struct Evil(String);
    ///
    /// impl baton::Position<Evil> for () {
    ///     type Proof = ();
    ///     const POSITION: usize = 3; // would send `replace` to a slot that does not exist
    /// } // error: missing `__sealed`, whose parameter type no code outside baton-core can name
    /// ```
    pub struct Seal;
}

pub use body::{Body, BoxError};
pub use catch::{ErrorKind, Failure};
pub use connection::ConnectInfo;
pub use context::{BodyRejection, Context};
pub use key::{ContextKey, DefaultKey};
pub use limit::{BodyLimit, body_limit};
pub use method::{MethodRouter, any, delete, get, head, options, patch, post, put};
pub use middleware::{
    Chain, Endpoint, Exact, Handler, KeySet, Middleware, Next, Plain, Provider, ProviderMiddleware,
    ProvidesNothing, Start, Then,
};
pub use path::{PathParams, PathRejection};
#[doc(hidden)]
pub use proof::Also;
pub use proof::{Has, HasAll, KeyList, Lacks, NothingProvided, Position};
pub use query::QueryRejection;
pub use response::{AppendHeaders, Html, IntoResponse, InvalidRedirect, Json, Redirect, Response};
pub use router::{App, Open, Routed, Router, Scope};
pub use serve::{Serve, serve};
pub use store::Store;

pub use http::{HeaderMap, Method, StatusCode};

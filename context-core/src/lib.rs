//! Core of [baton](https://docs.rs/baton): typed request context with a compile-time provision proof.
//!
//! Use it through the `baton` facade crate, which re-exports everything here with the macros.
#![warn(missing_docs)]

pub mod body;
pub mod context;
pub mod key;
pub mod limit;
pub mod method;
pub mod middleware;
pub mod path;
pub mod proof;
pub mod response;
pub mod router;
pub mod serve;
pub mod store;

pub use body::{Body, BoxError};
pub use context::{BodyRejection, Context};
pub use key::{ContextKey, DefaultKey};
pub use limit::{BodyLimit, body_limit};
pub use method::{MethodRouter, any, delete, get, head, options, patch, post, put};
pub use middleware::{
    Endpoint, Handler, Identity, Layers, Middleware, Next, Provide, Provider, Provision, Then,
};
pub use path::{PathParams, PathRejection};
pub use proof::{Has, HasAll, KeyList, Lacks, Position};
pub use response::{Html, IntoResponse, Json, Response};
pub use router::{Open, Router, Sealed};
pub use serve::{Serve, serve};
pub use store::Store;

pub use http::{HeaderMap, Method, StatusCode};

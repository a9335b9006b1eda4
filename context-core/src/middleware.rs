//! Middleware: code that runs around the rest of a route and may provide values to it.
//!
//! Two forms, both checked by the compiler:
//!
//! * **around** ([`Middleware`]): receives the context and a [`Next`], may run code before and after,
//!   change the response or short-circuit by not calling `next`. `Next` is typed with the context it must
//!   be given (`Next<'_, Out, E>`), so a middleware that declares `Out = (Database, P)` cannot continue the
//!   chain without providing `Database`, and `next.run` takes `next` by value, so it runs at most once.
//! * **provider** ([`Provider`]): returns the value(s) to provide or an early response; the chain
//!   continues by itself. Wrap it in [`ProviderMiddleware`] to mount it.
//!
//! Requirements on upstream keys are ordinary bounds (`P: Has<Session>`): mounting such a middleware before
//! the one that provides `Session` is a compile error.
//!
//! `#[middleware]` writes these impls for you; by hand an around middleware looks like this:
//!
//! ```
//! use baton::{Context, Endpoint, KeyList, Lacks, Middleware, Next, Response, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//!
//! struct AssignRequestId;
//!
//! impl<P: KeyList + Lacks<RequestId>> Middleware<P> for AssignRequestId {
//!     type Out = (RequestId, P);
//!
//!     async fn call<E: Endpoint<Self::Out>>(&self, ctx: Context<P>, next: Next<'_, Self::Out, E>) -> Response {
//!         let mut response = next.run(ctx.provide(RequestId(7))).await;
//!         response.headers_mut().insert("x-request-id", "7".parse().unwrap());
//!         response
//!     }
//! }
//! ```

mod chain;
mod group;
mod handler;
mod next;
mod provider;

pub(crate) use chain::{BoxFuture, ErasedEndpoint, handler_stage};
pub use chain::{
    Chain, ErasedStage, Mounts, PHASES, Phase, Phase0, Phase1, Phase2, Phase3, Phase4, Phase5,
    Phase6, Phase7, Same, Stack, Stage, Start, Tail, Then,
};
pub use group::ProvidesNothing;
pub use handler::{Exact, Handler, HandlerEndpoint, MarkedHandler, Plain, Rooted};
pub(crate) use next::panic_response;
pub use next::{Endpoint, Guarded, Next};
pub use provider::{KeySet, Provider, ProviderMiddleware};

use crate::context::Context;
use crate::proof::KeyList;
use crate::response::Response;
use std::future::Future;

/// An around middleware: runs with the context and the rest of the chain.
///
/// `P` is what is provided upstream; [`Middleware::Out`] is the context type the middleware hands to
/// `next` (for a middleware that provides `K`, `(K, P)`). See the [module docs](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be mounted here: it is not a middleware for this point of the chain",
    label = "not a middleware for this route",
    note = "a middleware that requires keys must be mounted after the middleware providing them; check its `requires`",
    note = "use `#[middleware]` on an async fn, or implement `baton::Middleware<P>`"
)]
pub trait Middleware<P: KeyList>: Send + Sync + 'static {
    /// The key list the rest of the chain receives.
    type Out: KeyList;

    /// Runs the middleware.
    fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> impl Future<Output = Response> + Send;
}

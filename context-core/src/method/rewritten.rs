//! A POST whose method a middleware rewrote (`method_override`: an HTML form's `_method=DELETE`)
//! reaches the handler of its new method, when the same `route` names one.
//!
//! The router picks a route's chain by the method the request arrives with, before any middleware
//! runs; every handler of one `route` call is proven against the same middleware, so the choice among
//! them can wait until the end of the chain, where the rewritten method is known.

use crate::context::Context;
use crate::middleware::{Endpoint, ErasedStage};
use crate::proof::KeyList;
use crate::response::Response;
use http::Method;
use std::future::Future;
use std::sync::Arc;

/// The methods a POST may be rewritten into and still be routed by its new method.
const REWRITES: [Method; 3] = [Method::PUT, Method::PATCH, Method::DELETE];

/// The POST handler of a path, and the handlers a rewritten POST goes to instead.
struct PostOrRewritten<P> {
    post: ErasedStage<P>,
    rewritten: Vec<(Method, ErasedStage<P>)>,
}

impl<P: KeyList> PostOrRewritten<P> {
    #[inline]
    fn pick(&self, method: &Method) -> &ErasedStage<P> {
        if *method != Method::POST {
            for (candidate, stage) in &self.rewritten {
                if candidate == method {
                    return stage;
                }
            }
        }
        &self.post
    }
}

impl<P: KeyList> Endpoint<P> for PostOrRewritten<P> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        self.pick(ctx.method()).run_in(ctx, None)
    }
}

/// The stage to mount for `method` among `methods` (the handlers of one `route` call): for a POST on a
/// path that also has PUT, PATCH or DELETE handlers, one that follows a rewritten method; otherwise the
/// method's own handler.
pub(crate) fn stage_for<P: KeyList>(
    method: &Method,
    stage: &ErasedStage<P>,
    methods: &[(Method, ErasedStage<P>)],
) -> ErasedStage<P> {
    if *method != Method::POST {
        return stage.clone();
    }
    let rewritten: Vec<(Method, ErasedStage<P>)> = methods
        .iter()
        .filter(|(other, _)| REWRITES.contains(other))
        .map(|(other, stage)| (other.clone(), stage.clone()))
        .collect();
    if rewritten.is_empty() {
        return stage.clone();
    }
    Arc::new(PostOrRewritten {
        post: stage.clone(),
        rewritten,
    })
}

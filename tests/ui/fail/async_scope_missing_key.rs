// Entering the typed app context's scope on a route that does not provide every declared key.

use baton::{Context, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};

#[context_key]
struct RequestId(u64);

#[context_key(value = String)]
struct CurrentUser;

baton::app_context!(struct AppContext: RequestId, CurrentUser);

struct AssignRequestId;

impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
    type Provides = RequestId;
    async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> {
        Ok(RequestId(1))
    }
}

fn main() {
    // Only `RequestId` is provided above the scope entry: `CurrentUser` is missing.
    let _app = Router::new()
        .with(ProviderMiddleware(AssignRequestId))
        .with(baton::async_context_for::<AppContext>())
        .route("/", get(|_: Context<(RequestId, ())>| async { "hi" }));
}

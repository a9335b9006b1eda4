// A typed app context entered after the providers of all its keys, read in helpers without `ctx`.

use baton::{Context, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};

#[context_key]
pub struct RequestId(pub u64);

#[context_key(value = String)]
pub struct CurrentUser;

baton::app_context! {
    /// Everything every request of this app carries.
    pub struct AppContext: RequestId, CurrentUser,
}

struct Identify;

impl<P: KeyList + Lacks<RequestId> + Lacks<CurrentUser>> Provider<P> for Identify {
    type Provides = (RequestId, CurrentUser);
    async fn provide(&self, _: &Context<P>) -> Result<(RequestId, String), Response> {
        Ok((RequestId(1), "ada".to_string()))
    }
}

fn audit(action: &str) -> String {
    let ctx = AppContext::current();
    format!(
        "{} {action} #{}",
        ctx.get::<CurrentUser>(),
        ctx.get::<RequestId>().0
    )
}

fn main() {
    let _app = Router::new()
        .with(baton::async_context())
        .with(ProviderMiddleware(Identify))
        .with(AppContext::async_context())
        .route(
            "/",
            get(|_: Context<(CurrentUser, (RequestId, ()))>| async { audit("read") }),
        );
}

// A middleware that promises `CurrentUser` cannot continue the chain without providing it.
use baton::{Context, Endpoint, KeyList, Lacks, Middleware, Next, Response, context_key};

#[context_key]
struct CurrentUser(String);

struct LoadUser;

impl<P: KeyList + Lacks<CurrentUser>> Middleware<P> for LoadUser {
    type Out = (CurrentUser, P);

    async fn call<E: Endpoint<Self::Out>>(&self, ctx: Context<P>, next: Next<'_, Self::Out, E>) -> Response {
        next.run(ctx).await
    }
}

fn main() {}

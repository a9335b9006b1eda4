// Middleware must be declared before the routes it guards: `with` after `route` does not compile.
use baton::{Context, Endpoint, KeyList, Middleware, Next, Response, Router, get};

struct Log;

impl<P: KeyList> Middleware<P> for Log {
    type Out = P;
    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        next.run(ctx).await
    }
}

async fn index(_ctx: Context) -> &'static str {
    "index"
}

fn main() {
    let _app = Router::new().route("/", get(index)).with(Log);
}

// `next` runs the rest of the chain at most once: a second call does not compile
// (the JavaScript systems throw at run time instead).
use baton::{Context, Endpoint, Middleware, Next, Response};

struct RetryOnError;

impl Middleware<()> for RetryOnError {
    type Out = ();

    async fn call<E: Endpoint<()>>(&self, ctx: Context, next: Next<'_, (), E>) -> Response {
        let first = next.run(ctx).await;
        if first.status().is_server_error() {
            return next.run(Context::default()).await;
        }
        first
    }
}

fn main() {}

// `next` runs the rest of the route at most once: it is consumed by `run`.
use baton::{Context, Next, Response, middleware};

#[middleware]
async fn retry(ctx: Context, next: Next) -> Response {
    let first = next.run(ctx).await;
    if first.status().is_server_error() {
        return next.run(ctx).await;
    }
    first
}

fn main() {}

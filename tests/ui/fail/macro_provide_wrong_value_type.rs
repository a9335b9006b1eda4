// `RequestId` holds a `RequestId`, not a string.
use baton::{Context, Next, Response, context_key, middleware};

#[context_key]
struct RequestId(u64);

#[middleware(provides = RequestId)]
async fn request_id(ctx: Context, next: Next) -> Response {
    next.run(ctx.provide_as::<RequestId>("req-1")).await
}

fn main() {}

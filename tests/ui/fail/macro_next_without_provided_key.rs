// The middleware promises `RequestId` but hands `next` the context without providing it.
use baton::{Context, Next, Response, context_key, middleware};

#[context_key]
struct RequestId(u64);

#[middleware(provides = RequestId)]
async fn request_id(ctx: Context, next: Next) -> Response {
    next.run(ctx).await
}

fn main() {}

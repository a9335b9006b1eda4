// A provider (no `next`) borrows the context: the chain goes on with it after the provider returns.
use baton::{Context, context_key, middleware};

#[context_key]
struct RequestId(u64);

#[middleware(provides = RequestId)]
async fn request_id(_ctx: Context) -> RequestId {
    RequestId(7)
}

fn main() {}

// Middleware are async fns.
use baton::{Context, context_key, middleware};

#[context_key]
struct RequestId(u64);

#[middleware(provides = RequestId)]
fn request_id(_ctx: &Context) -> RequestId {
    RequestId(7)
}

fn main() {}

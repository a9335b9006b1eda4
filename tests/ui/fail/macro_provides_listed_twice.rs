// Each key is provided once.
use baton::{Context, context_key, middleware};

#[context_key]
struct RequestId(u64);
#[context_key]
struct TraceId(u64);

#[middleware(provides = RequestId, TraceId, RequestId)]
async fn ids(_ctx: &Context) -> (RequestId, TraceId, RequestId) {
    (RequestId(1), TraceId(2), RequestId(3))
}

fn main() {}

// A key is provided once per route; providing it again is a clear error, not "type annotations needed".
use baton::{Context, context_key};

#[context_key]
struct RequestId(u64);

fn main() {
    let ctx = Context::default().provide(RequestId(1));
    let ctx = ctx.provide(RequestId(2));
    let _ = ctx.get::<RequestId>();
}

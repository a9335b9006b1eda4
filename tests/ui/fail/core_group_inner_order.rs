// Inside a middleware group the order is checked like any chain: `user` reads `RequestId`, so it
// must come after `request_id` in the tuple.
use baton::{Context, Router, context_key, middleware};

#[context_key]
struct RequestId(u64);
#[context_key]
struct User(String);

#[middleware(provides = RequestId)]
async fn request_id(_ctx: &Context) -> RequestId {
    RequestId(7)
}

#[middleware(provides = User)]
async fn user(ctx: &Context) -> User {
    User(format!("guest-{}", ctx.get::<RequestId>().0))
}

fn main() {
    let _ = Router::new().with((user, request_id));
}

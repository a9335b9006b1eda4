// A handler reads `Database`, but no middleware above the route provides it.
use baton::{Context, Has, Router, context_key, get};

#[context_key(value = String)]
struct Database;

// Written by hand, a handler is generic over the route's non-empty key list `(H, T)`: what
// `#[handler]` writes for you.
async fn list_users<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<Database>,
{
    ctx.get::<Database>().clone()
}

fn main() {
    let _app = Router::new().route("/users", get(list_users));
}

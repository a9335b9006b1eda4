// A handler reads `Database`, but no middleware above the route provides it.
use baton::{Context, Has, Router, context_key, get};

#[context_key(value = String)]
struct Database;

async fn list_users<P: Has<Database>>(ctx: Context<P>) -> String {
    ctx.get::<Database>().clone()
}

fn main() {
    let _app = Router::new().route("/users", get(list_users));
}

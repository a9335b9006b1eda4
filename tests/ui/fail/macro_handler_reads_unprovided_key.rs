// A handler reads `User`, but no middleware above the route provides it.
use baton::{Context, Router, context_key, get, handler};

#[context_key]
struct User(String);

#[handler]
async fn profile(ctx: Context) -> String {
    ctx.get::<User>().0.clone()
}

fn main() {
    let _app = Router::new().route("/profile", get(profile));
}

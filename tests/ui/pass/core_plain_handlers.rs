// A handler that reads nothing typed (no macro, no bounds) mounts on any route: the empty root router
// and after any providing middleware; `try_get` still works in it.
use baton::{Context, Router, context_key, get, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn user(_ctx: &Context) -> User {
    User("ada".into())
}

async fn health(_: Context) -> &'static str {
    "ok"
}

async fn who(ctx: Context) -> String {
    ctx.try_get::<User>().map_or("nobody".into(), |found| found.0.clone())
}

fn main() {
    let _root = Router::new().route("/health", get(health));
    let _after = Router::new()
        .with(user)
        .route("/health", get(health))
        .route("/who", get(who))
        .fallback(health);
}

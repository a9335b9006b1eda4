// A middleware with configuration is mounted by calling it: `.with(database(url))`.
use baton::{Context, Router, context_key, get, middleware};

#[context_key(value = String)]
struct DatabaseUrl;

#[middleware(provides = DatabaseUrl)]
async fn database(url: String, _ctx: &Context) -> String {
    url
}

fn main() {
    let _app = Router::new()
        .with(database)
        .route("/", get(|_: Context<_>| async { "ok" }));
}

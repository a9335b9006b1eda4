// Inside a scope too, middleware come before the scope's routes.
use baton::{Context, Next, Response, Router, get, middleware};

#[middleware]
async fn log(ctx: Context, next: Next) -> Response {
    next.run(ctx).await
}

async fn index(_ctx: Context) -> &'static str {
    "index"
}

fn main() {
    let _app = Router::new().scope("/admin", |admin| admin.route("/", get(index)).with(log));
}

// A crate that re-exports baton under another path points the macros at it with `crate = "..."`, as
// with serde: the generated code then names that path instead of `::baton`.
mod reexport {
    pub use baton as inner;
}

use reexport::inner::{Next, Response, Router, context_key, get, handler, middleware};

#[context_key]
struct User(String);

#[middleware(crate = "reexport::inner", provides = User)]
async fn current_user(_ctx: &reexport::inner::Context) -> User {
    User("ada".to_string())
}

#[middleware(crate = "reexport::inner", requires = User)]
async fn audit(ctx: reexport::inner::Context, next: Next) -> Response {
    next.run(ctx).await
}

#[handler(crate = "reexport::inner")]
fn name(ctx: &reexport::inner::Context) -> String {
    ctx.get::<User>().0.clone()
}

#[handler(crate = "reexport::inner", uses = name)]
async fn show(ctx: reexport::inner::Context) -> String {
    name(&ctx)
}

fn main() {
    let _app = Router::new()
        .with(current_user)
        .with(audit)
        .route("/", get(show));
}

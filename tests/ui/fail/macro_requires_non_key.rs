// `requires` names keys; `String` is not one.
use baton::{Context, Next, Response, middleware};

#[middleware(requires = String)]
async fn audit(ctx: Context, next: Next) -> Response {
    next.run(ctx).await
}

fn main() {}

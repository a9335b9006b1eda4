// A middleware without configuration is a unit struct named like the fn: elsewhere in that module, a
// `let` of the same name is a pattern matching that struct, not a new variable.
use baton::{Context, Next, Response, handler, middleware};

#[middleware]
async fn timing(ctx: Context, next: Next) -> Response {
    next.run(ctx).await
}

#[handler]
async fn report(_ctx: Context) -> String {
    let timing = std::time::Duration::from_millis(5);
    format!("{timing:?}")
}

fn main() {}

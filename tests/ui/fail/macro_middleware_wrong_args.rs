// The parameter after the context must be `next: Next`.
use baton::{Context, Response, middleware};

#[middleware]
async fn timing(ctx: Context, next: String) -> Response {
    let _ = (ctx, next);
    todo!()
}

fn main() {}

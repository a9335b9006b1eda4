// A handler that calls a #[handler] helper inherits the helper's keys only with `uses = user_name`:
// the scan sees only the handler's own body.
use baton::{Context, context_key, handler};

#[context_key]
struct User(String);

#[handler]
fn user_name(ctx: &Context) -> String {
    ctx.get::<User>().0.clone()
}

#[handler]
async fn greet(ctx: Context) -> String {
    format!("hello {}", user_name(&ctx))
}

fn main() {}

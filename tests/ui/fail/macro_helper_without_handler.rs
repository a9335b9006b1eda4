// A helper that reads keys needs `#[handler]` too: without it, its `&Context` is a context where
// nothing is proven, and the read does not compile.
use baton::{Context, context_key, handler};

#[context_key]
struct User(String);

fn user_name(ctx: &Context) -> String {
    ctx.get::<User>().0.clone()
}

#[handler]
async fn greet(ctx: Context) -> String {
    format!("hello {}", user_name(&ctx))
}

fn main() {}

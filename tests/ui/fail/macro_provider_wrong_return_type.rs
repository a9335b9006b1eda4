// The provider declares `provides = User` but returns a `String`.
use baton::{Context, Response, context_key, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn current_user(ctx: &Context) -> Result<String, Response> {
    Ok(ctx.uri().path().to_string())
}

fn main() {}

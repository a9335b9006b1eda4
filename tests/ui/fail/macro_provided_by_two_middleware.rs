// Two different middleware provide `User` on one route: the second is refused where it is mounted.
use baton::{Context, Router, context_key, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn guest(_ctx: &Context) -> User {
    User("guest".to_string())
}

#[middleware(provides = User)]
async fn login(ctx: &Context) -> User {
    User(ctx.headers().get("x-user").map_or("anonymous", |v| v.to_str().unwrap_or("?")).to_string())
}

fn main() {
    let _app = Router::new().with(guest).with(login);
}

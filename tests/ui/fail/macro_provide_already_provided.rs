// `User` is provided twice on the same route.
use baton::{Context, Router, context_key, get, handler, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn guest(_ctx: &Context) -> User {
    User("guest".to_string())
}

#[handler]
async fn whoami(ctx: Context) -> String {
    ctx.get::<User>().0.clone()
}

fn main() {
    let _app = Router::new()
        .with(guest)
        .with(guest)
        .route("/", get(whoami));
}

// Keys are compared as keys, not as spelled: `provides = keys::User` and a read of `User` in the same
// middleware name one key, which the middleware provides (so it is not also required from upstream).
use baton::{Context, Next, Response, Router, get, handler, middleware};

mod keys {
    #[baton::context_key]
    pub struct User(pub String);
}

use keys::User;

#[middleware(provides = keys::User)]
async fn current_user(ctx: Context, next: Next) -> Response {
    let ctx = ctx.provide(User("ada".to_string()));
    let name = ctx.get::<User>().0.clone();
    let mut response = next.run(ctx).await;
    response
        .headers_mut()
        .insert("x-user", name.parse().unwrap());
    response
}

#[handler]
async fn show(ctx: Context) -> String {
    ctx.get::<crate::keys::User>().0.clone()
}

fn main() {
    let _app = Router::new().with(current_user).route("/", get(show));
}

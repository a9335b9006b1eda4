// `provide` is not an option of #[middleware] (it is `provides`).
use baton::{Context, context_key, middleware};

#[context_key]
struct User(String);

#[middleware(provide = User)]
async fn guest(_ctx: &Context) -> User {
    User("guest".to_string())
}

fn main() {}

// A middleware that provides a key cannot be mounted conditionally: the routes after it would read
// a key that may be missing.
use baton::{Context, Router, context_key, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn user(_ctx: &Context) -> User {
    User("ada".into())
}

fn main() {
    let development = true;
    let _ = Router::new().with_if(development, user);
}

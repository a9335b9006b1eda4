// A key spelled two ways is still one key: it cannot be both provided and required.
use baton::{Context, context_key, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User, requires = crate::User)]
async fn current_user(_ctx: &Context) -> User {
    User("ada".to_string())
}

fn main() {}

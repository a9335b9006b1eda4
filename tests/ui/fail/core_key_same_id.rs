// Two keys given the same explicit id share an identity: where they meet on a route, the compiler
// refuses, rather than reading one under the other's name.
use baton::{Context, context_key};

#[context_key(id = "app.user")]
struct User(String);

mod legacy {
    #[baton::context_key(id = "app.user")]
    pub struct User(pub String);
}

fn main() {
    let _ = Context::default()
        .provide(User("ada".into()))
        .provide(legacy::User("grace".into()));
}

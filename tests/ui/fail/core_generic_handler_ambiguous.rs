// A hand-written handler generic over *any* key list, mounted on a route that provides keys: it could
// also be read as a plain handler, and rustc cannot choose. Write the list as non-empty, `(H, T)`, or
// use `#[handler]`.
use baton::{Context, Has, Router, context_key, get, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn user(_ctx: &mut Context) -> User {
    User("ada".into())
}

async fn list_users<P: Has<User>>(ctx: Context<P>) -> String {
    ctx.get::<User>().0.clone()
}

fn main() {
    let _app = Router::new().with(user).route("/users", get(list_users));
}

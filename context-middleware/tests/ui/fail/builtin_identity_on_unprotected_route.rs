// `auth()` only says who the request *might* be; `Identity<User>` is provided by `require_auth`.
use baton::builtin::auth::{Identity, auth};
use baton::{Context, Router, get, handler};

struct User(String);

#[handler]
async fn profile(ctx: Context) -> String {
    ctx.get::<Identity<User>>().0.clone()
}

fn main() {
    let _ = Router::new()
        .with(auth::<User>().bearer(|token: String| async move { Some(User(token)) }))
        .route("/profile", get(profile));
}

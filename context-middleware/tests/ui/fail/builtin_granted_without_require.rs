// An admin page mounted on a route that authenticates but never checks the permission.
use baton::builtin::auth::{Granted, Permission, auth, require_auth};
use baton::{Context, Router, context_key, get, handler};

struct User {
    admin: bool,
}

#[context_key]
struct Admin;
impl Permission for Admin {
    type Identity = User;
    fn granted(user: &User) -> bool {
        user.admin
    }
}

#[handler]
async fn admin_page(ctx: Context) -> &'static str {
    let _: &Granted<Admin> = ctx.get::<Granted<Admin>>();
    "secret"
}

fn main() {
    let _ = Router::new()
        .with(auth::<User>().bearer(|_: String| async move { Some(User { admin: false }) }))
        .with(require_auth::<User>())
        .route("/admin", get(admin_page));
}

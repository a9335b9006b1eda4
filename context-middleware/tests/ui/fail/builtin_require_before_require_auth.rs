// A permission is decided on an identity, which only `require_auth` provides.
use baton::builtin::auth::{Permission, auth, require};
use baton::{Router, context_key};

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

fn main() {
    let _ = Router::new()
        .with(auth::<User>().bearer(|_: String| async move { Some(User { admin: true }) }))
        .with(require::<Admin>());
}

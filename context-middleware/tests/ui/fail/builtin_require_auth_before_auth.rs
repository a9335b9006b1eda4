// `require_auth` narrows what `auth()` found; without `auth()` there is nothing to narrow.
use baton::builtin::auth::require_auth;
use baton::Router;

fn main() {
    let _ = Router::new().with(require_auth::<String>().redirect_to("/login"));
}

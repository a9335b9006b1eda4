// The session scheme reads the login from the session, so `auth().session(..)` needs `session()`.
use baton::builtin::auth::auth;
use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::Router;

fn main() {
    let _ = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .with(auth::<String>().session(|id: String| async move { Some(id) }));
}

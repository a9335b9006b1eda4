// `csrf()` reads the `_csrf` form field, so it needs `form_data` above it (or use `csrf_header()`).
use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::csrf::csrf;
use baton::builtin::session::{MemoryStore, session};
use baton::Router;

fn main() {
    let _ = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .with(session(MemoryStore::default()))
        .with(csrf());
}

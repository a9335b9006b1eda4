// The session id travels in a signed cookie: `session()` reads `Cookies`, so `cookies()` comes first.
use baton::builtin::session::{MemoryStore, session};
use baton::Router;

fn main() {
    let _ = Router::new().with(session(MemoryStore::default()));
}

// Seed 001 lists `csrf()` before `session()`, and its framework throws at run time; here the token's
// home, the session, must be provided first.
use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::csrf::csrf;
use baton::builtin::form::{FormLimits, form_data};
use baton::Router;

fn main() {
    let _ = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .with(form_data(FormLimits::default()))
        .with(csrf());
}

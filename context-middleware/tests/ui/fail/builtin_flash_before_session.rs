// A flash message waits in the session between two requests.
use baton::builtin::flash::flash;
use baton::{Router, session_key};

#[session_key]
#[derive(serde::Serialize, serde::Deserialize)]
struct Notice(String);

fn main() {
    let _ = Router::new().with(flash::<Notice>());
}

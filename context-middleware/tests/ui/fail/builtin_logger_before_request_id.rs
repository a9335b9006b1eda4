// `logger()` requires `RequestId`: mounted before `request_id()`, nothing upstream provides it.
use baton::builtin::logger::logger;
use baton::request_id::request_id;
use baton::{Context, Router, get};

fn main() {
    let _app = Router::new()
        .with(logger())
        .with(request_id())
        .route("/", get(|_: Context| async { "hi" }));
}

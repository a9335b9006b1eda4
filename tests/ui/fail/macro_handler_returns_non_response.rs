// A handler's result must become an HTTP response; `Vec<u32>` does not.
use baton::{Context, Router, get, handler};

struct Count(u32);

#[handler]
async fn count(_ctx: Context) -> Count {
    Count(3)
}

fn main() {
    let _app = Router::new().route("/count", get(count));
}

// Handlers are async.
use baton::{Context, handler};

#[handler]
fn hello(_ctx: Context) -> &'static str {
    "hello"
}

fn main() {}

// Only context keys can be read from a context.
use baton::Context;

fn main() {
    let ctx = Context::default();
    let _ = ctx.get::<String>();
}

// `String` is not a context key: reads name keys, not value types.
use baton::{Context, handler};

#[handler]
async fn show(ctx: Context) -> String {
    ctx.get::<String>().clone()
}

fn main() {}

// `requires` names keys; `u64` is a value type, not a key.
use baton::{Context, handler};

#[handler(requires = u64)]
async fn show(ctx: Context) -> String {
    ctx.uri().to_string()
}

fn main() {}

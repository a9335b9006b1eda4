// A read hidden in a macro of the user's is not seen by #[handler]: the error names the key and how
// to declare it.
use baton::{Context, context_key, handler};

#[context_key]
struct User(String);

macro_rules! user_name {
    ($ctx:ident) => {
        $ctx.get::<User>().0.clone()
    };
}

#[handler]
async fn profile(ctx: Context) -> String {
    user_name!(ctx)
}

fn main() {}

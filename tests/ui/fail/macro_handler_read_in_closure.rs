// `#[handler]` sees reads inside closures of its body too: `User` is required by `greet`, and the
// route without a provider does not compile.
use baton::{Context, Router, context_key, get, handler};

#[context_key]
struct User(String);

#[handler]
async fn greet(ctx: Context) -> String {
    let name = || ctx.get::<User>().0.clone();
    format!("hello {}", name())
}

fn main() {
    let _app = Router::new().route("/", get(greet));
}

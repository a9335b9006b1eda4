// A parameter of another crate's `Context` type is not the request context.
use baton::handler;

mod tera {
    pub struct Context;
}

#[handler]
async fn render(tpl: tera::Context) -> String {
    let _ = tpl;
    String::new()
}

fn main() {}

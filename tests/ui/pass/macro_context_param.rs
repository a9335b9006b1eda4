// The context parameter is the one typed `Context` / `baton::Context` (or a reference to it), or the
// alias named with `context = ..`. Another crate's `Context` (a template engine's, say) is an ordinary
// parameter.
use baton::{Context as Ctx, Next, Response, Router, context_key, get, handler, middleware};

/// Stands for `tera::Context` / `minijinja::Context`.
mod tera {
    #[derive(Clone, Default)]
    pub struct Context {
        pub title: String,
    }
}

#[context_key]
struct User(String);

#[middleware(provides = User, context = Ctx)]
async fn current_user(ctx: &Ctx) -> User {
    User(ctx.uri().path().to_string())
}

// A configuration parameter of another crate's `Context` type, before baton's.
#[middleware]
async fn layout(tpl: tera::Context, ctx: baton::Context, next: Next) -> Response {
    let _ = tpl.title;
    next.run(ctx).await
}

#[handler(context = Ctx)]
async fn show(ctx: Ctx) -> String {
    ctx.get::<User>().0.clone()
}

#[handler]
fn render(tpl: &tera::Context, ctx: &baton::Context) -> String {
    format!("{} {}", tpl.title, ctx.get::<User>().0)
}

#[handler(uses = render)]
async fn page(ctx: baton::Context) -> String {
    render(&tera::Context::default(), &ctx)
}

fn main() {
    let _app = Router::new()
        .with(layout(tera::Context::default()))
        .with(current_user)
        .route("/", get(show))
        .route("/page", get(page));
}

// `csrf` requires `Session`, which only the sibling `/app` scope provides: mounting it in `/api`
// does not compile.
use baton::{Context, Next, Response, Router, context_key, get, middleware};

#[context_key]
struct Session(u64);

#[middleware(provides = Session)]
async fn session(_ctx: &Context) -> Session {
    Session(1)
}

#[middleware(requires = Session)]
async fn csrf(ctx: Context, next: Next) -> Response {
    next.run(ctx).await
}

async fn index(_ctx: Context) -> &'static str {
    "index"
}

fn main() {
    let _app = Router::new()
        .scope("/app", |app| app.with(session).route("/", get(index)))
        .scope("/api", |api| api.with(csrf));
}

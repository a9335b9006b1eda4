// Only reads on the context parameter itself are keys the route must provide: `get::<T>()` on the
// request's extensions, on another value or on a map is not a read of the context.
use std::collections::HashMap;

use baton::{Context, Next, Response, Router, context_key, get, handler, middleware};

#[derive(Clone, Debug)]
struct Peer(String);

#[context_key]
struct User(String);

struct Registry;
impl Registry {
    fn get<T: Default>(&self) -> T {
        T::default()
    }
}

#[middleware(provides = User)]
async fn current_user(ctx: &Context) -> User {
    let peer = ctx.extensions().get::<Peer>().cloned();
    User(format!("{peer:?}"))
}

#[middleware]
async fn audit(ctx: Context, next: Next) -> Response {
    let other = Registry;
    let _: u8 = other.get::<u8>();
    println!("{:?}", ctx.extensions().get::<Peer>());
    next.run(ctx).await
}

#[handler]
async fn show(ctx: Context) -> String {
    let map: HashMap<&str, Peer> = HashMap::new();
    let _ = map.get("peer");
    let peer = ctx.extensions().get::<Peer>().map(|peer| peer.0.clone());
    // The path form of a read counts like the method form.
    let user = Context::get::<User>(&ctx);
    format!("{} {peer:?} {:?}", user.0, ctx.extensions().get::<Peer>())
}

#[handler]
async fn anyone(ctx: Context) -> String {
    format!("{:?}", ctx.extensions().get::<Peer>())
}

fn main() {
    let _app = Router::new()
        .with(audit)
        .route("/anyone", get(anyone))
        .scope("/me", |me| me.with(current_user).route("/", get(show)));
}

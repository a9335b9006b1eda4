// The macros' generated generics and locals do not capture the user's names: a type `P` or
// `Downstream` and constants named like the generated variables stay the user's.
#![allow(non_upper_case_globals, dead_code)]

use baton::{Context, Next, Response, Router, context_key, get, handler, middleware};

#[derive(Clone, Debug, Default)]
struct P(u8);

#[derive(Clone, Debug, Default)]
struct Downstream;

const values: u8 = 1;
const value: u8 = 2;
const response: u8 = 3;
const error: u8 = 4;

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn current_user(start: P, ctx: &Context) -> Result<User, Response> {
    let _ = ctx;
    Ok(User(format!("{:?} {:?}", P::default(), start)))
}

#[middleware]
async fn around(ctx: Context, next: Next) -> Response {
    let _ = (P::default(), Downstream, values, value, response, error);
    next.run(ctx).await
}

#[handler]
async fn show(ctx: Context) -> String {
    let p: P = P::default();
    format!("{} {:?} {:?}", ctx.get::<User>().0, p, Downstream)
}

#[handler]
fn helper(ctx: &Context, p: P) -> String {
    format!("{} {:?}", ctx.get::<User>().0, p)
}

fn main() {
    let _app = Router::new()
        .with(around)
        .with(current_user(P(1)))
        .route("/", get(show));
    let ctx = Context::default().provide(User("grace".to_string()));
    let _ = helper(&ctx, P(2));
}

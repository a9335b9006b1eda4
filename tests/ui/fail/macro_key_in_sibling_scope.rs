// `User` is provided in the `/admin` scope only; the `/public` scope's route cannot read it.
use baton::{Context, Router, StatusCode, context_key, get, handler, middleware};

#[context_key]
struct User(String);

#[middleware(provides = User)]
async fn auth(ctx: &Context) -> Result<User, StatusCode> {
    let name = ctx
        .headers()
        .get("x-user")
        .ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(User(name.to_str().unwrap_or_default().to_string()))
}

#[handler]
async fn whoami(ctx: Context) -> String {
    ctx.get::<User>().0.clone()
}

fn main() {
    let _app = Router::new()
        .scope("/admin", |admin| admin.with(auth).route("/me", get(whoami)))
        .scope("/public", |public| public.route("/me", get(whoami)));
}

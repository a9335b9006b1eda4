// Nested scopes: each adds its own middleware; values provided in a scope are visible to its routes
// and nested scopes, never to siblings; order is global, outer scope, inner scope, handler.
use baton::{Context, Next, Response, Router, StatusCode, context_key, get, handler, middleware};
use http_body_util::BodyExt;

#[context_key]
struct Trail(Vec<&'static str>);

#[context_key]
struct User(String);

#[context_key]
struct Admin(bool);

#[middleware(provides = Trail)]
async fn trail(ctx: Context, next: Next) -> Response {
    let mut response = next.run(ctx.provide(Trail(vec!["global"]))).await;
    response
        .headers_mut()
        .append("x-unwound", "global".parse().unwrap());
    response
}

#[middleware(provides = User)]
async fn auth(ctx: &Context) -> Result<User, StatusCode> {
    let user = ctx
        .headers()
        .get("x-user")
        .ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(User(
        user.to_str()
            .map_err(|_| StatusCode::BAD_REQUEST)?
            .to_string(),
    ))
}

#[middleware(provides = Admin)]
async fn admin_only(ctx: &Context) -> Result<Admin, StatusCode> {
    if ctx.get::<User>().0 == "root" {
        Ok(Admin(true))
    } else {
        Err(StatusCode::FORBIDDEN)
    }
}

#[handler]
async fn public(ctx: Context) -> String {
    ctx.get::<Trail>().0.join(">")
}

#[handler]
async fn me(ctx: Context) -> String {
    format!("{} {}", ctx.get::<Trail>().0.join(">"), ctx.get::<User>().0)
}

#[handler]
async fn panel(ctx: Context) -> String {
    format!("{} admin={}", ctx.get::<User>().0, ctx.get::<Admin>().0)
}

async fn call<L: baton::Chain, S>(
    app: &Router<L, S>,
    path: &str,
    user: Option<&str>,
) -> (u16, String) {
    let mut request = http::Request::get(path);
    if let Some(user) = user {
        request = request.header("x-user", user);
    }
    let response = app.call_request(request.body(String::new()).unwrap()).await;
    assert_eq!(response.headers()["x-unwound"], "global");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn main() {
    let app = Router::new()
        .with(trail)
        .route("/", get(public))
        .scope("/account", |account| {
            account
                .with(auth)
                .route("/me", get(me))
                .scope("/admin", |admin| {
                    admin.with(admin_only).route("/", get(panel))
                })
        })
        .scope("/docs", |docs| docs.route("/", get(public)));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            assert_eq!(call(&app, "/", None).await, (200, "global".to_string()));
            assert_eq!(call(&app, "/docs", None).await, (200, "global".to_string()));
            assert_eq!(call(&app, "/account/me", None).await.0, 401);
            assert_eq!(
                call(&app, "/account/me", Some("ada")).await,
                (200, "global ada".to_string())
            );
            assert_eq!(call(&app, "/account/admin", Some("ada")).await.0, 403);
            assert_eq!(
                call(&app, "/account/admin", Some("root")).await,
                (200, "root admin=true".to_string())
            );
            assert_eq!(call(&app, "/nowhere", None).await.0, 404);
        });
}

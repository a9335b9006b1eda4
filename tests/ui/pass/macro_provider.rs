// Provider middleware: return the value (or an early response) and the chain continues by itself.
use baton::{
    Context, IntoResponse, Response, Router, StatusCode, context_key, get, handler, middleware,
};
use http_body_util::BodyExt;

#[context_key]
struct User(String);

#[context_key(value = String)]
struct Tenant;

/// Fallible: an `Err` answers the request without running the rest of the route.
#[middleware(provides = User)]
async fn current_user(ctx: &Context) -> Result<User, Response> {
    match ctx
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
    {
        Some(token) => Ok(User(token.trim_start_matches("Bearer ").to_string())),
        None => Err((StatusCode::UNAUTHORIZED, "who are you?").into_response()),
    }
}

/// Infallible, for a marker key: returns the key's value type.
#[middleware(provides = Tenant)]
async fn tenant(ctx: &Context) -> String {
    ctx.uri().host().unwrap_or("default").to_string()
}

/// A guard: provides nothing, may stop the request; its requirement is inferred from the body.
#[middleware]
async fn no_mallory(ctx: &Context) -> Result<(), StatusCode> {
    if ctx.get::<User>().0 == "mallory" {
        Err(StatusCode::FORBIDDEN)
    } else {
        Ok(())
    }
}

#[handler]
async fn hello(ctx: Context) -> impl IntoResponse {
    format!("hello {} of {}", ctx.get::<User>().0, ctx.get::<Tenant>())
}

async fn call<L: baton::Chain, S>(app: &Router<L, S>, token: Option<&str>) -> (u16, String) {
    let mut request = http::Request::get("http://acme.test/");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app.call_request(request.body(String::new()).unwrap()).await;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn main() {
    let app = Router::new()
        .with(tenant)
        .with(current_user)
        .with(no_mallory)
        .route("/", get(hello));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            assert_eq!(
                call(&app, Some("ada")).await,
                (200, "hello ada of acme.test".to_string())
            );
            assert_eq!(call(&app, None).await, (401, "who are you?".to_string()));
            assert_eq!(call(&app, Some("mallory")).await, (403, String::new()));
        });
}

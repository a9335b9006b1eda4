// Both key forms and default keys: a newtype key is its own value, a marker key names another type,
// a key with a default is readable on every route.
use baton::{Context, Next, Response, Router, context_key, get, handler, middleware};
use http_body_util::BodyExt;

/// A newtype key: `get::<RequestId>()` returns `&RequestId`.
#[context_key]
struct RequestId(u64);

/// A marker key: `get::<Greeting>()` returns `&String`.
#[context_key(value = String)]
struct Greeting;

/// Keys may be enums too.
#[context_key]
#[derive(Debug, PartialEq)]
enum Role {
    Admin,
    Guest,
}

/// A key with a default: readable without a provider.
#[context_key(default = Locale("en"))]
struct Locale(&'static str);

/// A marker key with a default value.
#[context_key(value = u32, default = 3)]
struct Retries;

#[middleware(provides = RequestId, Greeting, Role)]
async fn identify(ctx: Context, next: Next) -> Response {
    let role = if ctx.headers().contains_key("x-admin") {
        Role::Admin
    } else {
        Role::Guest
    };
    let ctx = ctx
        .provide(RequestId(42))
        .provide_as::<Greeting>("hello".to_string())
        .provide(role);
    next.run(ctx).await
}

#[handler]
async fn show(ctx: Context) -> String {
    format!(
        "{} #{} {:?} {} {}",
        ctx.get::<Greeting>(),
        ctx.get::<RequestId>().0,
        ctx.get::<Role>(),
        ctx.get::<Locale>().0,
        ctx.get::<Retries>(),
    )
}

#[handler]
async fn defaults_only(ctx: Context) -> String {
    format!("{} {}", ctx.get::<Locale>().0, ctx.get::<Retries>())
}

async fn call<L: baton::Chain, S>(app: &Router<L, S>, request: http::Request<String>) -> String {
    let response = app.call_request(request).await;
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

fn main() {
    let app = Router::new()
        .route("/defaults", get(defaults_only))
        .scope("/app", |app| app.with(identify).route("/", get(show)));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let request = http::Request::get("/defaults").body(String::new()).unwrap();
            assert_eq!(call(&app, request).await, "en 3");
            let request = http::Request::get("/app").body(String::new()).unwrap();
            assert_eq!(call(&app, request).await, "hello #42 Guest en 3");
            let request = http::Request::get("/app")
                .header("x-admin", "1")
                .body(String::new())
                .unwrap();
            assert_eq!(call(&app, request).await, "hello #42 Admin en 3");
        });
    // Keys also work on a context built by hand.
    let ctx = Context::default().provide(Locale("fr"));
    assert_eq!(ctx.get::<Locale>().0, "fr");
    assert_eq!(*Context::default().get::<Retries>(), 3);
}

//! The smallest example: `cargo run --example hello`, then open http://127.0.0.1:3000/ (the README's first
//! command runs the full app, `cargo run -p board`).
//!
//! Middleware provide typed values (a request id, the visitor's name); handlers read them, and the
//! compiler checks every read against the middleware declared above the route. Try moving
//! `.with(identify_visitor)` below `.route("/", get(hello))`: the program stops compiling, and the error
//! names `Visitor`.

use baton::request_id::{RequestId, request_id};
use baton::{
    App, Context, Json, Next, PathRejection, QueryRejection, Response, Router, context_key, get,
    handler, middleware,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who is visiting, from `?name=` (a marker key: the value is a `String`).
#[context_key(value = String)]
struct Visitor;

/// How many requests this server has answered (a newtype key: the value is the key itself).
#[context_key]
struct Visits(u64);

/// What `?name=` carries; `ctx.query()` decodes it (`?name=Zo%C3%AB+Ada` is "Zoë Ada").
#[derive(serde::Deserialize)]
struct Greeting {
    name: Option<String>,
}

/// Provider form: return the value (or an early response); the chain continues by itself.
#[middleware(provides = Visitor)]
async fn identify_visitor(ctx: &Context) -> Result<String, QueryRejection> {
    let greeting: Greeting = ctx.query()?;
    Ok(greeting.name.unwrap_or_else(|| "world".to_string()))
}

/// Around form with configuration: `counter` is built once, borrowed by every request.
#[middleware(provides = Visits)]
async fn count_visits(counter: &AtomicU64, ctx: Context, next: Next) -> Response {
    let visits = counter.fetch_add(1, Ordering::Relaxed) + 1;
    let mut response = next.run(ctx.provide(Visits(visits))).await;
    response.headers_mut().insert("x-visits", visits.into());
    response
}

#[handler]
async fn hello(ctx: Context) -> String {
    format!(
        "hello, {}! (visit #{}, request {})\n",
        ctx.get::<Visitor>(),
        ctx.get::<Visits>().0,
        ctx.get::<RequestId>()
    )
}

#[handler]
async fn user(ctx: Context) -> Result<Json<serde_json::Value>, PathRejection> {
    let id: u64 = ctx.path()?;
    Ok(Json(
        serde_json::json!({ "user": id, "request": ctx.get::<RequestId>().as_str() }),
    ))
}

/// Every route proven when the app is built; `App` is the one type that is left.
fn app() -> App {
    Router::new()
        .with(request_id())
        .with(count_visits(AtomicU64::new(0)))
        .route("/users/{id}", get(user))
        .scope("/", |greeting| {
            greeting.with(identify_visitor).route("/", get(hello))
        })
        .into()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::var("BATON_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("baton hello listening on {url}/");
    println!("try: curl -i '{url}/?name=ada'   curl {url}/users/42   curl -i {url}/users/x");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    baton::serve(listener, app())
        .with_graceful_shutdown(shutdown)
        .await
}

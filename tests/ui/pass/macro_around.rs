// Around middleware: code before and after `next`, changing the response, short-circuiting.
use baton::{
    Context, IntoResponse, Next, Response, Router, StatusCode, context_key, get, handler,
    middleware,
};
use http_body_util::BodyExt;
use std::time::Instant;

#[context_key]
struct RequestId(u64);

/// Provides a key, then decorates the response on the way back.
#[middleware(provides = RequestId)]
async fn request_id(ctx: Context, next: Next) -> Response {
    let id = ctx
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok()?.parse().ok())
        .unwrap_or(1);
    let mut response = next.run(ctx.provide(RequestId(id))).await;
    response.headers_mut().insert("x-request-id", id.into());
    response
}

/// Provides nothing, reads a key provided upstream (inferred requirement), returns `impl IntoResponse`.
#[middleware]
async fn timing(ctx: Context, next: Next) -> impl IntoResponse {
    let started = Instant::now();
    let id = ctx.get::<RequestId>().0;
    let response = next.run(ctx).await;
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 60);
    ([("x-traced", id.to_string())], response)
}

/// Short-circuits: `next` is never run for blocked paths.
#[middleware]
async fn block_admin(ctx: Context, next: Next) -> Response {
    if ctx.uri().path().starts_with("/admin") {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(ctx).await
}

#[handler]
async fn show(ctx: Context) -> String {
    format!("request {}", ctx.get::<RequestId>().0)
}

fn main() {
    let app = Router::new()
        .with(request_id)
        .with(timing)
        .with(block_admin)
        .route("/", get(show))
        .route("/admin", get(show));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let request = http::Request::get("/")
                .header("x-request-id", "9")
                .body(String::new())
                .unwrap();
            let response = app.call_request(request).await;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["x-request-id"], "9");
            assert_eq!(response.headers()["x-traced"], "9");
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"request 9");

            let request = http::Request::get("/admin").body(String::new()).unwrap();
            let response = app.call_request(request).await;
            assert_eq!(response.status(), 404);
            assert_eq!(response.headers()["x-request-id"], "1");
        });
}

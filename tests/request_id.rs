//! The request-id middleware honours incoming ids and trace context and passes them on.

use baton::request_id::{RequestId, TraceContext, inject, request_id};
use baton::{Body, Context, Has, Router, get};

async fn echo<P: Has<RequestId> + Has<TraceContext>>(ctx: Context<P>) -> String {
    let mut outgoing = http::HeaderMap::new();
    inject(&ctx, &mut outgoing);
    format!(
        "{} {}",
        outgoing["x-request-id"].to_str().unwrap(),
        outgoing["traceparent"].to_str().unwrap()
    )
}

async fn body_text(response: baton::Response) -> String {
    String::from_utf8(response.into_body().collect_bytes().await.unwrap().to_vec()).unwrap()
}

#[tokio::test]
async fn honours_incoming_ids_and_continues_the_trace() {
    let app = Router::new().with(request_id()).route("/", get(echo));
    let request = http::Request::get("/")
        .header("x-request-id", "req-42")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(request).await;
    assert_eq!(response.headers()["x-request-id"], "req-42");
    let text = body_text(response).await;
    let (id, traceparent) = text.split_once(' ').unwrap();
    assert_eq!(id, "req-42");
    let fields: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(fields[1], "4bf92f3577b34da6a3ce929d0e0e4736", "same trace");
    assert_ne!(
        fields[2], "00f067aa0ba902b7",
        "our own span becomes the parent"
    );
    assert_eq!(fields[3], "01");
}

#[tokio::test]
async fn generates_ids_when_missing_or_unusable() {
    let app = Router::new().with(request_id()).route("/", get(echo));
    let request = http::Request::get("/")
        .header("x-request-id", "has spaces in it")
        .header("traceparent", "garbage")
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(request).await;
    let echoed = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(echoed.len(), 32);
    let text = body_text(response).await;
    assert!(text.starts_with(&echoed));
    // 404s get an id too: global middleware run for every request.
    let missing = app
        .call_request(http::Request::get("/nope").body(Body::empty()).unwrap())
        .await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().contains_key("x-request-id"));
}

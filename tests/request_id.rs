//! The request-id middleware honours incoming ids and trace context and passes them on.

use baton::request_id::{RequestId, TraceContext, inject, request_id};
use baton::{Body, Context, Has, Router, get};

async fn echo<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<RequestId> + Has<TraceContext>,
{
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

/// The id the app answers with, and the one its handler saw, for one incoming `x-request-id`.
async fn ids_for(incoming: http::HeaderValue) -> (String, String) {
    let app = Router::new().with(request_id()).route("/", get(echo));
    let request = http::Request::get("/")
        .header("x-request-id", incoming)
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(request).await;
    let answered = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let text = body_text(response).await;
    let (seen, _) = text.split_once(' ').unwrap();
    (answered, seen.to_string())
}

#[tokio::test]
async fn an_incoming_id_of_128_allowed_characters_is_kept() {
    let id = "Az09._:-".repeat(16);
    assert_eq!(id.len(), 128);
    let (answered, seen) = ids_for(http::HeaderValue::from_str(&id).unwrap()).await;
    assert_eq!(answered, id);
    assert_eq!(seen, id);
}

#[tokio::test]
async fn incoming_ids_outside_the_allowed_set_are_replaced() {
    let rejected = [
        http::HeaderValue::from_static("<script>alert(1)</script>"),
        http::HeaderValue::from_str(&"a".repeat(129)).unwrap(),
        http::HeaderValue::from_static(""),
        http::HeaderValue::from_bytes("caf\u{e9}".as_bytes()).unwrap(),
        http::HeaderValue::from_static("a\"b"),
        http::HeaderValue::from_static("id;drop"),
        http::HeaderValue::from_static("a/b"),
    ];
    for incoming in rejected {
        let (answered, seen) = ids_for(incoming.clone()).await;
        assert_ne!(
            answered.as_bytes(),
            incoming.as_bytes(),
            "{incoming:?} was echoed"
        );
        assert_eq!(answered.len(), 32, "{incoming:?} -> {answered}");
        assert!(answered.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_eq!(seen, answered, "the handler sees the minted id");
    }
}

async fn trace_for(traceparent: &str) -> String {
    let app = Router::new().with(request_id()).route("/", get(echo));
    let request = http::Request::get("/")
        .header("traceparent", traceparent)
        .body(Body::empty())
        .unwrap();
    let text = body_text(app.call_request(request).await).await;
    let (_, traceparent) = text.split_once(' ').unwrap();
    traceparent.split('-').nth(1).unwrap().to_string()
}

#[tokio::test]
async fn only_a_well_formed_traceparent_is_continued() {
    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    let continued = [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        // A later version may append fields after a dash; its first four fields are read as version 00.
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds",
    ];
    for value in continued {
        assert_eq!(trace_for(value).await, TRACE, "{value}");
    }
    let restarted = [
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0G",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01extra",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ];
    for value in restarted {
        let trace = trace_for(value).await;
        assert_ne!(trace, TRACE, "{value:?} was continued");
        assert_eq!(trace.len(), 32);
    }
}

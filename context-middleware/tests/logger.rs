//! `logger()`: one line per request with its fields, and a span carrying the request id into the
//! handler's events.
//!
//! Alone in its test binary: tracing caches per-callsite interest process-wide, so a subscriber set for
//! one test races with other tests hitting the same callsite on other threads.

use baton::builtin::logger::{Logger, logger};
use baton::request_id::request_id;
use baton::{Body, Context, Router, get, handler};
use std::sync::{Arc, Mutex};
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[handler]
async fn user(ctx: Context) -> String {
    tracing::info!("loading the user");
    let span = ctx.get::<Logger>().span();
    span.metadata().map_or("", |meta| meta.name()).to_string()
}

#[tokio::test]
async fn one_line_per_request_and_the_span_reaches_the_handler() {
    let captured = Captured::default();
    let writer = captured.clone();
    let _subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .set_default();

    let app = Router::new()
        .with(request_id())
        .with(logger())
        .route("/users/{id}", get(user));
    let request = http::Request::get("/users/42")
        .header("x-request-id", "req-7")
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(request).await;
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(body, "http", "the provided `Logger` is the request's span");
    let missing = http::Request::get("/nowhere")
        .header("x-request-id", "req-8")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call_request(missing).await.status(), 404);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = logs.lines().collect();
    let handler_line = lines
        .iter()
        .find(|line| line.contains("loading the user"))
        .expect(&logs);
    assert!(
        handler_line.contains("request_id=\"req-7\""),
        "{handler_line}"
    );
    assert!(
        handler_line.contains("http{"),
        "inside the logger's span: {handler_line}"
    );

    let request_lines: Vec<&&str> = lines
        .iter()
        .filter(|line| line.contains(" request "))
        .collect();
    assert_eq!(request_lines.len(), 2, "{logs}");
    let line = request_lines[0];
    for field in [
        "method=GET",
        "route=\"/users/{id}\"",
        "status=200",
        "latency_us=",
        "request_id=\"req-7\"",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    let line = request_lines[1];
    for field in ["route=\"-\"", "status=404", "request_id=\"req-8\""] {
        assert!(line.contains(field), "{field} in {line}");
    }
}

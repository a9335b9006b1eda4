//! A panic turned into a 500 is logged with `tracing`, message included.
//!
//! Alone in its test binary: tracing caches per-callsite interest process-wide, so a subscriber set for
//! one test races with other tests hitting the same callsite on other threads.

use baton::{Body, Context, Router, StatusCode, get};
use std::sync::{Arc, Mutex};
use tracing_subscriber::util::SubscriberInitExt;

/// Collects formatted tracing output in memory.
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

#[tokio::test]
async fn a_handler_panic_is_logged_as_an_error_with_its_message() {
    let captured = Captured::default();
    let writer = captured.clone();
    // The default current-thread test runtime polls the handler on this thread.
    let _subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .set_default();

    let app = Router::new().route(
        "/boom",
        get(|_: Context| async {
            if true {
                panic!("handler exploded");
            }
            "unreachable"
        }),
    );
    let request = http::Request::get("/boom").body(Body::empty()).unwrap();
    let response = app.call_request(request).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("ERROR"), "{logs}");
    assert!(logs.contains("handler exploded"), "{logs}");
}

//! `x-request-id` and `traceparent` handling, through the public `request_id` middleware on a router:
//! any header value gets a 200 whose echoed id is short visible ASCII, and a parsed trace context
//! round-trips through the `traceparent` it would send on.

#![no_main]

use baton::request_id::{RequestId, TraceContext, request_id};
use baton::{Context, Router, get};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

async fn show(ctx: Context<(TraceContext, (RequestId, ()))>) -> String {
    let trace = ctx.get::<TraceContext>();
    format!(
        "{} {} {:?}",
        ctx.get::<RequestId>(),
        trace.traceparent(),
        trace.parent_id()
    )
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fuzz_target!(|data: &[u8]| {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    });

    // First byte: where the request id ends and the traceparent starts.
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(split).min(rest.len());
    let (id, traceparent) = rest.split_at(split);

    // The parser directly, on any text.
    let text = String::from_utf8_lossy(traceparent);
    if let Some(trace) = TraceContext::from_traceparent(&text) {
        let outgoing = trace.traceparent();
        let again = TraceContext::from_traceparent(&outgoing).expect("our own traceparent parses");
        assert_eq!(again.trace_id(), trace.trace_id());
        assert_eq!(again.parent_id(), Some(trace.span_id()));
        assert!(is_lower_hex(&trace.trace_id(), 32));
        assert_ne!(trace.trace_id(), "0".repeat(32));
    }

    // Through the middleware, when the bytes make valid header values.
    let mut request = http::Request::get("/");
    if let Ok(value) = http::HeaderValue::from_bytes(id) {
        request = request.header("x-request-id", value);
    }
    if let Ok(value) = http::HeaderValue::from_bytes(traceparent) {
        request = request.header("traceparent", value);
    }
    let request = request.body(baton::Body::empty()).expect("request");
    let sent_id = request.headers().get("x-request-id").cloned();
    let app = Router::new().with(request_id()).route("/", get(show));
    let response = runtime.block_on(app.call_request(request));
    assert_eq!(response.status(), 200);
    let echoed = response.headers().get("x-request-id").expect("echoed id");
    let echoed = echoed.as_bytes();
    assert!(!echoed.is_empty() && echoed.len() <= 128);
    assert!(echoed.iter().all(u8::is_ascii_graphic), "{echoed:?}");
    if let Some(sent) = sent_id {
        let usable = !sent.is_empty()
            && sent.len() <= 128
            && sent.as_bytes().iter().all(u8::is_ascii_graphic);
        assert_eq!(usable, sent.as_bytes() == echoed, "{sent:?} -> {echoed:?}");
    }
});

//! Property tests of the request parsers on the stable toolchain (the `fuzz/` targets run the same
//! properties under libFuzzer on nightly): any path gets a 200, 400, 404 or 405 from the router, never a
//! panic; any `x-request-id`/`traceparent` gets a 200 with a safe echoed id, and a parsed trace context
//! round-trips.

use baton::request_id::{RequestId, TraceContext, request_id};
use baton::{Body, Context, PathRejection, Routed, Router, Start, get};
use proptest::prelude::*;
use serde::Deserialize;

#[derive(Deserialize, Debug)]
struct Named {
    #[allow(dead_code)]
    name: String,
    #[allow(dead_code)]
    n: u8,
}

fn show<T: std::fmt::Debug + serde::de::DeserializeOwned>(
    ctx: &Context,
) -> Result<String, PathRejection> {
    Ok(format!("{:?}", ctx.path::<T>()?))
}

fn paths() -> Router<Start, Routed> {
    Router::new()
        .route(
            "/users/{id}",
            get(|ctx: Context| async move { show::<u32>(&ctx) }),
        )
        .route(
            "/pair/{a}/{b}",
            get(|ctx: Context| async move { show::<(String, i64)>(&ctx) }),
        )
        .route(
            "/named/{name}/{n}",
            get(|ctx: Context| async move { show::<Named>(&ctx) }),
        )
        .route(
            "/files/{*rest}",
            get(|ctx: Context| async move { show::<String>(&ctx) }),
        )
        .route(
            "/float/{x}",
            get(|ctx: Context| async move { show::<f64>(&ctx) }),
        )
        .route(
            "/char/{c}",
            get(|ctx: Context| async move { show::<char>(&ctx) }),
        )
        .route(
            "/wrong/{id}",
            get(|ctx: Context| async move { show::<(u32, u32)>(&ctx) }),
        )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Percent-encodes what a request target may not hold, keeping `%` so malformed escapes get through.
fn to_path(raw: &str) -> String {
    let mut path = String::from("/");
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte) {
            path.push(byte as char);
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("users".to_string()),
        Just("pair".to_string()),
        Just("named".to_string()),
        Just("files".to_string()),
        Just("float".to_string()),
        Just("char".to_string()),
        Just("wrong".to_string()),
        "[0-9]{1,12}",
        "-?[0-9]{1,20}",
        "%[0-9A-Fa-f]{0,2}",
        "(%[0-9A-Fa-f]{2}){1,4}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_path_is_answered_without_a_panic(segments in prop::collection::vec(segment(), 0..5)) {
        let app = paths();
        let path = to_path(&segments.join("/"));
        let request = http::Request::get(path.as_str()).body(Body::empty()).unwrap();
        let status = runtime().block_on(app.call_request(request)).status().as_u16();
        prop_assert!(matches!(status, 200 | 400 | 404 | 405), "{path:?} answered {status}");
    }

    #[test]
    fn any_raw_parameters_deserialize_or_reject(a in any::<String>(), b in any::<String>()) {
        let ctx = Context::default().with_params([("name", a.as_str()), ("n", b.as_str())]);
        let _ = ctx.path::<Named>();
        let _ = ctx.path::<(String, i64)>();
        let _ = ctx.path::<(u8, u8, u8)>();
        let _ = ctx.path::<Vec<f32>>();
        let _ = ctx.path::<Option<u16>>();
        let _ = ctx.path::<std::collections::HashMap<String, String>>();
        if let Ok((first, _)) = ctx.path::<(String, String)>() {
            prop_assert_eq!(first, a);
        }
    }

    #[test]
    fn any_request_id_and_traceparent_get_a_safe_answer(
        id in prop_oneof![any::<Vec<u8>>(), "[ -~]{0,200}".prop_map(String::into_bytes)],
        traceparent in prop_oneof![
            any::<Vec<u8>>().prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
            "[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}",
            "[0-9a-fA-F-]{50,60}",
        ],
    ) {
        if let Some(trace) = TraceContext::from_traceparent(&traceparent) {
            let again = TraceContext::from_traceparent(&trace.traceparent()).unwrap();
            prop_assert_eq!(again.trace_id(), trace.trace_id());
            prop_assert_eq!(again.parent_id(), Some(trace.span_id()));
            prop_assert_ne!(trace.trace_id(), "0".repeat(32));
        }
        let mut request = http::Request::get("/");
        if let Ok(value) = http::HeaderValue::from_bytes(&id) {
            request = request.header("x-request-id", value);
        }
        if let Ok(value) = http::HeaderValue::from_str(&traceparent) {
            request = request.header("traceparent", value);
        }
        let request = request.body(Body::empty()).unwrap();
        let app = Router::new().with(request_id()).route(
            "/",
            get(|ctx: Context<(TraceContext, (RequestId, ()))>| async move {
                ctx.get::<TraceContext>().traceparent()
            }),
        );
        let response = runtime().block_on(app.call_request(request));
        prop_assert_eq!(response.status(), 200);
        let echoed = response.headers()["x-request-id"].as_bytes();
        prop_assert!(!echoed.is_empty() && echoed.len() <= 128);
        prop_assert!(echoed.iter().all(u8::is_ascii_graphic));
    }
}

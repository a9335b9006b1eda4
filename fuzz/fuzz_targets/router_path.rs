//! The path matcher and the parameter deserializer, through the public router: any request path gets
//! a 200, 400, 404 or 405 with a message, never a panic (which the router would turn into a 500).

#![no_main]

use baton::{App, Context, PathRejection, Router, get};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Deserialize, Debug)]
struct Named {
    name: String,
    n: u8,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Color {
    Red,
    Green,
}

fn show<T: std::fmt::Debug + serde::de::DeserializeOwned>(
    ctx: &Context,
) -> Result<String, PathRejection> {
    let value: T = ctx.path()?;
    Ok(format!("{value:?}"))
}

fn app() -> App {
    Router::new()
        .route("/users/{id}", get(|ctx: Context| async move { show::<u32>(&ctx) }))
        .route(
            "/pair/{a}/{b}",
            get(|ctx: Context| async move { show::<(String, i64)>(&ctx) }),
        )
        .route(
            "/named/{name}/{n}",
            get(|ctx: Context| async move { show::<Named>(&ctx) }),
        )
        .route("/files/{*rest}", get(|ctx: Context| async move { show::<String>(&ctx) }))
        .route("/flag/{on}", get(|ctx: Context| async move { show::<bool>(&ctx) }))
        .route("/float/{x}", get(|ctx: Context| async move { show::<f64>(&ctx) }))
        .route("/char/{c}", get(|ctx: Context| async move { show::<char>(&ctx) }))
        .route("/color/{c}", get(|ctx: Context| async move { show::<Color>(&ctx) }))
        .route(
            "/wrong/{id}",
            get(|ctx: Context| async move { show::<(u32, u32)>(&ctx) }),
        )
        .route(
            "/many/{a}/{b}/{c}/{d}/{e}/{f}",
            get(|ctx: Context| async move { show::<Vec<String>>(&ctx) }),
        )
        .scope("/api", |api| {
            api.route("/{version}/items/{id}", get(|ctx: Context| async move {
                show::<(u8, u64)>(&ctx)
            }))
        })
        .into()
}

/// Keeps the fuzzer's bytes but makes them a valid request target: bytes a path may hold stay as they
/// are (`%` included, so malformed escapes reach the decoder), the others are percent-encoded.
fn to_path(data: &[u8]) -> String {
    let mut path = String::from("/");
    for &byte in data {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte) {
            path.push(byte as char);
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

fuzz_target!(|data: &[u8]| {
    static APP: OnceLock<App> = OnceLock::new();
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let app = APP.get_or_init(app);
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    });

    let path = to_path(data);
    let Ok(request) = http::Request::get(path.as_str()).body(baton::Body::empty()) else {
        return;
    };
    let response = runtime.block_on(app.call_request(request));
    let status = response.status().as_u16();
    assert!(
        matches!(status, 200 | 400 | 404 | 405),
        "{path:?} answered {status}"
    );

    // The deserializer directly, with raw (already decoded) values split from the input.
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{0}');
    let a = parts.next().unwrap_or_default().to_string();
    let b = parts.next().unwrap_or_default().to_string();
    let ctx = Context::default().with_params([("name", a.as_str()), ("n", b.as_str())]);
    let _ = ctx.path::<Named>();
    let _ = ctx.path::<(String, i64)>();
    let _ = ctx.path::<(u8, u8, u8)>();
    let _ = ctx.path::<Vec<f32>>();
    let _ = ctx.path::<std::collections::HashMap<String, String>>();
    let _ = ctx.path::<Color>();
    let _ = ctx.path::<Option<u16>>();
    let _ = ctx.path::<()>();
});

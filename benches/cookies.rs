//! Signed cookies, baton's `cookies(keys)` beside axum-extra's `SignedCookieJar`, in one criterion run:
//! one in-process `GET /` through each framework's router, with the same key and the same signed
//! cookie (both sign with cookie-rs, so one value verifies in both).
//!
//! * `signed_cookie/read`: the handler verifies and reads the signed cookie `session`;
//! * `signed_cookie/write`: the handler reads it and sets a new signed cookie (one `Set-Cookie`).
//!
//! Run: `cargo bench -p baton-benches --bench cookies -- --warm-up-time 1 --measurement-time 3`

use baton::builtin::cookies::{Cookie, Cookies, KeyRing, cookies};
use baton::{Context, handler};
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

const SECRET: [u8; 64] = [42; 64];

/// The `name=value` pair a browser sends back, signed with `SECRET`.
fn signed_cookie() -> String {
    let keys = KeyRing::from_secrets(&[&SECRET[..]]).expect("64-byte secret");
    let jar = Cookies::from_headers(&http::HeaderMap::new(), keys);
    jar.signed().add(Cookie::new("session", "user-42"));
    let header = jar.set_cookie_headers().remove(0);
    header
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[handler]
async fn baton_read(ctx: Context) -> String {
    let jar = ctx.get::<Cookies>();
    jar.signed()
        .get("session")
        .map(|c| c.value().to_string())
        .unwrap_or_default()
}

#[handler]
async fn baton_write(ctx: Context) -> String {
    let jar = ctx.get::<Cookies>();
    let user = jar
        .signed()
        .get("session")
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    jar.signed().add(Cookie::new("seen", "1"));
    user
}

mod axum_app {
    use axum_extra::extract::cookie::{Cookie, Key, SignedCookieJar};

    pub async fn read(jar: SignedCookieJar) -> String {
        jar.get("session")
            .map(|c| c.value().to_string())
            .unwrap_or_default()
    }

    pub async fn write(jar: SignedCookieJar) -> (SignedCookieJar, String) {
        let user = jar
            .get("session")
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        (jar.add(Cookie::new("seen", "1")), user)
    }

    pub fn key() -> Key {
        Key::from(&super::SECRET[..])
    }
}

fn request(cookie: &str) -> Request<baton::Body> {
    Request::get("/")
        .header("cookie", cookie)
        .body(baton::Body::empty())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cookie = signed_cookie();
    let keys = KeyRing::from_secrets(&[&SECRET[..]]).expect("64-byte secret");
    let baton_reader = baton::Router::new()
        .with(cookies(keys.clone()))
        .route("/", baton::get(baton_read));
    let baton_writer = baton::Router::new()
        .with(cookies(keys))
        .route("/", baton::get(baton_write));
    let axum_reader = axum::Router::new()
        .route("/", axum::routing::get(axum_app::read))
        .with_state(axum_app::key());
    let axum_writer = axum::Router::new()
        .route("/", axum::routing::get(axum_app::write))
        .with_state(axum_app::key());

    // Both read the same cookie and answer alike, so the figures compare the same work.
    runtime.block_on(async {
        for (name, response) in [
            (
                "baton read",
                baton_reader.call_request(request(&cookie)).await,
            ),
            (
                "baton write",
                baton_writer.call_request(request(&cookie)).await,
            ),
            (
                "axum read",
                axum_reader
                    .clone()
                    .oneshot(request(&cookie))
                    .await
                    .unwrap()
                    .map(baton::Body::new),
            ),
            (
                "axum write",
                axum_writer
                    .clone()
                    .oneshot(request(&cookie))
                    .await
                    .unwrap()
                    .map(baton::Body::new),
            ),
        ] {
            let set_cookies = response.headers().get_all("set-cookie").iter().count();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, "user-42", "{name}");
            assert_eq!(set_cookies, usize::from(name.ends_with("write")), "{name}");
        }
    });

    let mut group = c.benchmark_group("signed_cookie/read");
    group.bench_function("baton", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = baton_reader.call_request(request(&cookie)).await;
            response.into_body().collect().await.unwrap().to_bytes()
        })
    });
    group.bench_function("axum-extra", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = axum_reader.clone().oneshot(request(&cookie)).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("signed_cookie/write");
    group.bench_function("baton", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = baton_writer.call_request(request(&cookie)).await;
            response.into_body().collect().await.unwrap().to_bytes()
        })
    });
    group.bench_function("axum-extra", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = axum_writer.clone().oneshot(request(&cookie)).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

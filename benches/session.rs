//! A realistic form POST through the session stack, baton beside axum + tower-sessions in one
//! criterion run (issue 13's bar: baton 1.5x faster).
//!
//! Both stacks do the same work per request: verify the signed session cookie, load the session from
//! the in-memory store, parse the urlencoded body, compare its `_csrf` field with the session's token
//! in constant time, and answer with the session's user and the form's title:
//!
//! * baton: `cookies(keys)` -> `session(MemoryStore)` -> `form_data(..)` -> `csrf()` -> handler;
//! * axum: tower-sessions' `SessionManagerLayer` (signed cookie, its `MemoryStore`) -> a
//!   `from_fn` middleware that buffers and parses the form and checks the token (axum has no CSRF
//!   built-in; this is the check users write) -> handler.
//!
//! Run: `cargo bench -p baton-benches --bench session -- --warm-up-time 1 --measurement-time 3`

use baton::builtin::cookies::{Key as BatonKey, KeyRing, cookies};
use baton::builtin::csrf::{CsrfToken, csrf};
use baton::builtin::form::{FormData, FormLimits, form_data};
use baton::builtin::session::{MemoryStore, Session, SessionError, session};
use baton::{Context, handler, session_key};
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

const SECRET: [u8; 64] = [7; 64];

#[session_key]
#[derive(Serialize, Deserialize)]
struct User(String);

#[handler]
async fn baton_setup(ctx: Context) -> Result<String, SessionError> {
    ctx.get::<Session>().insert(User("ada".into())).await?;
    Ok(ctx.get::<CsrfToken>().as_str().to_string())
}

#[handler]
async fn baton_create(ctx: Context) -> Result<String, SessionError> {
    let user = ctx
        .get::<Session>()
        .get::<User>()
        .await?
        .map(|User(name)| name);
    let title = ctx.get::<FormData>().get("title").unwrap_or_default();
    Ok(format!("{} created {title}", user.unwrap_or_default()))
}

mod axum_app {
    use axum::Extension;
    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::middleware::Next;
    use axum::response::{IntoResponse, Response};
    use std::collections::HashMap;
    use std::sync::Arc;
    use subtle::ConstantTimeEq;
    use tower_sessions::Session;

    pub type Fields = Arc<HashMap<String, String>>;

    pub async fn setup(session: Session) -> Result<String, StatusCode> {
        let token = "t".repeat(43);
        session
            .insert("user", "ada")
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        session
            .insert("csrf", &token)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        Ok(token)
    }

    /// Buffers and parses the form, checks `_csrf` against the session's token on unsafe methods.
    pub async fn csrf(session: Session, request: Request, next: Next) -> Response {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 2 * 1024 * 1024).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let fields: HashMap<String, String> = if parts.method == "POST" {
            match serde_html_form::from_bytes(&bytes) {
                Ok(fields) => fields,
                Err(_) => return StatusCode::BAD_REQUEST.into_response(),
            }
        } else {
            HashMap::new()
        };
        if parts.method == "POST" {
            let Ok(Some(token)) = session.get::<String>("csrf").await else {
                return StatusCode::FORBIDDEN.into_response();
            };
            let sent = fields.get("_csrf").map(String::as_str).unwrap_or_default();
            if !bool::from(sent.as_bytes().ct_eq(token.as_bytes())) {
                return StatusCode::FORBIDDEN.into_response();
            }
        }
        let mut request = Request::from_parts(parts, Body::from(bytes));
        request.extensions_mut().insert(Arc::new(fields));
        next.run(request).await
    }

    pub async fn create(
        session: Session,
        Extension(fields): Extension<Fields>,
    ) -> Result<String, StatusCode> {
        let user: Option<String> = session
            .get("user")
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        let title = fields.get("title").cloned().unwrap_or_default();
        Ok(format!("{} created {title}", user.unwrap_or_default()))
    }
}

fn cookie_pair(response: &http::Response<baton::Body>) -> String {
    let header = response.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().to_string()
}

fn post(cookie: &str, token: &str) -> Request<baton::Body> {
    Request::post("/tasks")
        .header("host", "localhost")
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(baton::Body::from(format!("title=groceries&_csrf={token}")))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let keys = KeyRing::new(BatonKey::from(&SECRET[..]));
    let baton_app: baton::App = baton::Router::new()
        .with(cookies(keys))
        .with(session(MemoryStore::default()))
        .with(form_data(FormLimits::default()))
        .with(csrf())
        .route("/setup", baton::get(baton_setup))
        .route("/tasks", baton::post(baton_create))
        .into();
    let layer = tower_sessions::SessionManagerLayer::new(tower_sessions::MemoryStore::default())
        .with_secure(false)
        .with_signed(tower_sessions::cookie::Key::from(&SECRET[..]));
    let axum_app = axum::Router::new()
        .route("/setup", axum::routing::get(axum_app::setup))
        .route("/tasks", axum::routing::post(axum_app::create))
        .layer(axum::middleware::from_fn(axum_app::csrf))
        .layer(layer);

    let get = |path: &str| {
        Request::get(path)
            .header("host", "localhost")
            .body(baton::Body::empty())
            .unwrap()
    };
    let (baton_cookie, baton_token, axum_cookie, axum_token) = runtime.block_on(async {
        let response = baton_app.call_request(get("/setup")).await;
        let baton_cookie = cookie_pair(&response);
        let baton_token = response.into_body().collect().await.unwrap().to_bytes();
        let response = axum_app
            .clone()
            .oneshot(get("/setup"))
            .await
            .unwrap()
            .map(baton::Body::new);
        let axum_cookie = cookie_pair(&response);
        let axum_token = response.into_body().collect().await.unwrap().to_bytes();
        (
            baton_cookie,
            String::from_utf8(baton_token.to_vec()).unwrap(),
            axum_cookie,
            String::from_utf8(axum_token.to_vec()).unwrap(),
        )
    });

    // Same answer from both, and a wrong token refused by both: the figures compare the same work.
    runtime.block_on(async {
        let baton = baton_app
            .call_request(post(&baton_cookie, &baton_token))
            .await;
        let axum = axum_app
            .clone()
            .oneshot(post(&axum_cookie, &axum_token))
            .await
            .unwrap();
        assert_eq!(baton.status(), 200);
        assert_eq!(axum.status(), 200);
        let baton = baton.into_body().collect().await.unwrap().to_bytes();
        let axum = axum.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(baton, "ada created groceries");
        assert_eq!(baton, axum);
        let forged = baton_app.call_request(post(&baton_cookie, "forged")).await;
        assert_eq!(forged.status(), 403);
        let forged = axum_app
            .clone()
            .oneshot(post(&axum_cookie, "forged"))
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
    });

    let mut group = c.benchmark_group("session_form_post");
    group.bench_function("baton", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = baton_app
                .call_request(post(&baton_cookie, &baton_token))
                .await;
            response.into_body().collect().await.unwrap().to_bytes()
        })
    });
    group.bench_function("axum+tower-sessions", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = axum_app
                .clone()
                .oneshot(post(&axum_cookie, &axum_token))
                .await
                .unwrap();
            response.into_body().collect().await.unwrap().to_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

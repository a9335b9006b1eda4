// Middleware with configuration: parameters before `ctx`, mounted as `.with(name(args))`.
// By-value configuration is cloned for each request; by-reference configuration is borrowed.
use baton::{
    Context, IntoResponse, Next, Response, Router, StatusCode, context_key, get, handler,
    middleware,
};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[derive(Clone)]
struct Pool {
    url: String,
}

struct Limits {
    max: u32,
    served: AtomicU32,
}

#[context_key(value = Pool)]
struct Database;

#[context_key]
struct Quota(u32);

/// Provides a clone of the pool it was built with.
#[middleware(provides = Database)]
async fn database(pool: Pool, _ctx: &Context) -> Pool {
    pool
}

/// Several configuration values, one borrowed (shared state across requests), one copied.
#[middleware(provides = Quota)]
async fn rate_limit(limits: &Limits, window: Duration, ctx: Context, next: Next) -> Response {
    assert_eq!(window, Duration::from_secs(30));
    let served = limits.served.fetch_add(1, Ordering::SeqCst) + 1;
    if served > limits.max {
        return (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
    }
    next.run(ctx.provide(Quota(limits.max - served))).await
}

/// Configuration in an `Arc`, shared with the test.
#[middleware]
async fn count(counter: Arc<AtomicU32>, ctx: Context, next: Next) -> Response {
    counter.fetch_add(1, Ordering::SeqCst);
    next.run(ctx).await
}

#[handler]
async fn show(ctx: Context) -> String {
    format!(
        "{} left={}",
        ctx.get::<Database>().url,
        ctx.get::<Quota>().0
    )
}

fn main() {
    let counter = Arc::new(AtomicU32::new(0));
    let limits = Limits {
        max: 2,
        served: AtomicU32::new(0),
    };
    let app = Router::new()
        .with(count(counter.clone()))
        .with(database(Pool {
            url: "sqlite::memory:".to_string(),
        }))
        .with(rate_limit(limits, Duration::from_secs(30)))
        .route("/", get(show));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            for expected in ["sqlite::memory: left=1", "sqlite::memory: left=0"] {
                let response = app
                    .call_request(http::Request::get("/").body(String::new()).unwrap())
                    .await;
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(&body[..], expected.as_bytes());
            }
            let response = app
                .call_request(http::Request::get("/").body(String::new()).unwrap())
                .await;
            assert_eq!(response.status(), 429);
        });
    assert_eq!(counter.load(Ordering::SeqCst), 3);
}

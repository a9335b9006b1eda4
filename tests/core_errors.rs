//! Errors, panics and cancellation, driven in process: whatever happens downstream, `next(..).await`
//! yields a response and the after-code of the middleware above runs; a dropped request drops its chain.

use baton::{
    Body, Context, Endpoint, IntoResponse, KeyList, Lacks, Middleware, Next, Response, Router,
    StatusCode, context_key, get,
};
use http::{HeaderValue, Method, Request};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

fn request(uri: &str) -> Request<Body> {
    Request::builder()
        .method(Method::GET)
        .uri(uri)
        .body(Body::empty())
        .unwrap()
}

async fn text(response: Response) -> String {
    let bytes = response.into_body().collect_bytes().await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Outer middleware whose after-code must always run: it stamps every response and counts them.
struct Stamp(Arc<AtomicUsize>);

impl<P: KeyList> Middleware<P> for Stamp {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        let mut response = next.run(ctx).await;
        self.0.fetch_add(1, Ordering::SeqCst);
        response
            .headers_mut()
            .insert("x-after", HeaderValue::from_static("ran"));
        response
    }
}

/// An inner middleware that panics before calling `next` when the path asks for it.
struct PanicOnQuery;

impl<P: KeyList> Middleware<P> for PanicOnQuery {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        if ctx.uri().query() == Some("middleware-panics") {
            panic!("middleware exploded");
        }
        next.run(ctx).await
    }
}

#[derive(Debug)]
struct Teapot(&'static str);

impl IntoResponse for Teapot {
    fn into_response(self) -> Response {
        (StatusCode::IM_A_TEAPOT, format!("teapot: {}", self.0)).into_response()
    }
}

async fn fallible(ctx: Context) -> Result<&'static str, Teapot> {
    match ctx.uri().query() {
        Some("fail") => Err(Teapot("short and stout")),
        _ => Ok("brewed"),
    }
}

async fn explodes(_ctx: Context) -> &'static str {
    panic!("handler exploded")
}

fn app(after: &Arc<AtomicUsize>) -> Router<impl baton::Chain, baton::Routed> {
    Router::new()
        .with(Stamp(after.clone()))
        .with(PanicOnQuery)
        .route("/tea", get(fallible))
        .route("/boom", get(explodes))
        .route("/ok", get(|_: Context| async { "fine" }))
}

#[tokio::test]
async fn a_handler_err_becomes_its_response_and_the_outer_after_code_runs() {
    let after = Arc::new(AtomicUsize::new(0));
    let app = app(&after);

    let response = app.call_request(request("/tea?fail")).await;
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(response.headers()["x-after"], "ran");
    assert_eq!(text(response).await, "teapot: short and stout");

    let response = app.call_request(request("/tea")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-after"], "ran");
    assert_eq!(text(response).await, "brewed");
    assert_eq!(after.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_handler_panic_becomes_a_500_the_outer_after_code_runs_and_the_next_request_succeeds() {
    let after = Arc::new(AtomicUsize::new(0));
    let app = app(&after);

    let response = app.call_request(request("/boom")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["x-after"], "ran");
    let body = text(response).await;
    assert!(
        !body.contains("exploded"),
        "panic messages stay in the logs: {body}"
    );
    assert_eq!(after.load(Ordering::SeqCst), 1);

    // The same router (and the same handler) keeps serving.
    let response = app.call_request(request("/ok")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "fine");
    let response = app.call_request(request("/boom")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(after.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_middleware_panic_becomes_a_500_before_the_middleware_above_sees_it() {
    let after = Arc::new(AtomicUsize::new(0));
    let app = app(&after);

    let response = app.call_request(request("/ok?middleware-panics")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["x-after"], "ran");
    assert_eq!(after.load(Ordering::SeqCst), 1);

    let response = app.call_request(request("/ok")).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_panic_in_the_outermost_middleware_is_still_a_500() {
    struct Explode;
    impl<P: KeyList> Middleware<P> for Explode {
        type Out = P;
        async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
            let response = next.run(ctx).await;
            if response.status() == StatusCode::OK {
                panic!("after-code exploded");
            }
            response
        }
    }
    let app = Router::new()
        .with(Explode)
        .route("/", get(|_: Context| async { "fine" }));
    let response = app.call_request(request("/")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let response = app.call_request(request("/missing")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_panicking_handler_served_as_a_tower_service_is_a_500_too() {
    use tower::ServiceExt;
    let after = Arc::new(AtomicUsize::new(0));
    let response = app(&after).oneshot(request("/boom")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["x-after"], "ran");
}

// ---------------------------------------------------------------------------------------------------
// cancellation

/// Flips its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[context_key]
struct Held(DropFlag);

/// Provides a value that must be dropped with the request, and itself holds a guard across `next`.
struct HoldGuards {
    value_dropped: Arc<AtomicBool>,
    middleware_guard_dropped: Arc<AtomicBool>,
    after_ran: Arc<AtomicBool>,
}

impl<P: KeyList + Lacks<Held>> Middleware<P> for HoldGuards {
    type Out = (Held, P);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let _guard = DropFlag(self.middleware_guard_dropped.clone());
        let response = next
            .run(ctx.provide(Held(DropFlag(self.value_dropped.clone()))))
            .await;
        self.after_ran.store(true, Ordering::SeqCst);
        response
    }
}

#[tokio::test]
async fn dropping_the_request_future_drops_the_whole_chain() {
    let value_dropped = Arc::new(AtomicBool::new(false));
    let middleware_guard_dropped = Arc::new(AtomicBool::new(false));
    let handler_guard_dropped = Arc::new(AtomicBool::new(false));
    let after_ran = Arc::new(AtomicBool::new(false));
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
    let entered_tx = Arc::new(std::sync::Mutex::new(Some(entered_tx)));

    let handler_flag = handler_guard_dropped.clone();
    let app = Router::new()
        .with(HoldGuards {
            value_dropped: value_dropped.clone(),
            middleware_guard_dropped: middleware_guard_dropped.clone(),
            after_ran: after_ran.clone(),
        })
        .route(
            "/slow",
            get(move |ctx: Context<(Held, ())>| {
                let flag = handler_flag.clone();
                let entered = entered_tx.lock().unwrap().take();
                async move {
                    let _guard = DropFlag(flag);
                    assert!(!ctx.get::<Held>().0.0.load(Ordering::SeqCst));
                    if let Some(entered) = entered {
                        let _ = entered.send(());
                    }
                    // A client that never gets an answer: only cancellation ends this.
                    std::future::pending::<()>().await;
                    "unreachable"
                }
            }),
        );

    let request_future = tokio::spawn({
        let app = app.clone();
        async move { app.call_request(request("/slow")).await }
    });
    tokio::time::timeout(Duration::from_secs(5), entered_rx)
        .await
        .expect("the handler started")
        .unwrap();
    assert!(!handler_guard_dropped.load(Ordering::SeqCst));
    assert!(!value_dropped.load(Ordering::SeqCst));

    request_future.abort();
    let joined = request_future.await;
    assert!(joined.unwrap_err().is_cancelled());
    assert!(
        handler_guard_dropped.load(Ordering::SeqCst),
        "handler state dropped"
    );
    assert!(
        middleware_guard_dropped.load(Ordering::SeqCst),
        "middleware state dropped"
    );
    assert!(
        value_dropped.load(Ordering::SeqCst),
        "provided values dropped"
    );
    assert!(
        !after_ran.load(Ordering::SeqCst),
        "a cancelled chain does not run after-code"
    );
}

#[tokio::test]
async fn a_timed_out_in_process_call_drops_its_chain() {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = dropped.clone();
    let app = Router::new().route(
        "/hang",
        get(move |_: Context| {
            let flag = flag.clone();
            async move {
                let _guard = DropFlag(flag);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "late"
            }
        }),
    );
    let outcome = tokio::time::timeout(
        Duration::from_millis(20),
        app.call_request(request("/hang")),
    )
    .await;
    assert!(outcome.is_err(), "the call did not finish");
    assert!(dropped.load(Ordering::SeqCst));
}

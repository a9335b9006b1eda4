//! A route's handler future shares its chain's allocation (the frame's spare room): every way the
//! handler's future can end (completed, cancelled with the request, panicking) drops it exactly once,
//! a future leaked by a middleware is never dropped nor its memory freed, and handlers of any size and
//! alignment still run. Also run under valgrind memcheck by `.ci/run`.

use baton::{Body, Context, Endpoint, KeyList, Middleware, Next, Response, Router, get};
use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};
use tower::Service;

/// Counts its drops.
struct Guard(Arc<AtomicUsize>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A middleware that does nothing but pass the request on: gives the route a chain, so the handler
/// runs behind the chain's tail.
struct Pass;

impl<P: KeyList> Middleware<P> for Pass {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        next.run(ctx).await
    }
}

static LEAKED: AtomicUsize = AtomicUsize::new(0);

/// Polls the rest of the chain once, then leaks it (`mem::forget`) and answers by itself.
struct Forget;

impl<P: KeyList> Middleware<P> for Forget {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        let mut rest = Box::pin(next.run(ctx));
        let polled = poll_fn(|cx| Poll::Ready(rest.as_mut().poll(cx))).await;
        assert!(polled.is_pending(), "the handler waits forever");
        // Keeps the box's address, so valgrind sees the leak as this test's own, on purpose.
        LEAKED.store(&*rest as *const _ as usize, Ordering::SeqCst);
        std::mem::forget(rest);
        Response::new(Body::from("answered without the handler"))
    }
}

fn request(path: &str) -> http::Request<Body> {
    http::Request::get(path).body(Body::empty()).unwrap()
}

async fn body_of(response: Response) -> String {
    let bytes = response.into_body().collect_bytes().await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// How a [`guarded`] handler ends.
#[derive(Clone, Copy)]
enum Ending {
    Answer,
    Panic,
    Never,
}

/// A handler whose future holds a `Guard` across an await, then ends as `ending` says.
fn guarded(
    drops: Arc<AtomicUsize>,
    ending: Ending,
) -> impl Fn(Context) -> std::pin::Pin<Box<dyn Future<Output = &'static str> + Send>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |_ctx: Context| {
        let guard = Guard(drops.clone());
        Box::pin(async move {
            let _guard = guard;
            tokio::task::yield_now().await;
            match ending {
                Ending::Answer => "done",
                Ending::Panic => panic!("handler bug"),
                Ending::Never => std::future::pending().await,
            }
        })
    }
}

#[tokio::test]
async fn handlers_of_every_size_and_alignment_run_behind_middleware() {
    #[repr(align(64))]
    struct Aligned([u8; 64]);

    let app = Router::new()
        .with(Pass)
        .route("/small", get(|_: Context| async { "small" }))
        .route(
            "/large",
            get(|_: Context| async {
                let buffer = [7u8; 4096];
                tokio::task::yield_now().await; // the buffer lives across an await: in the future
                format!(
                    "large {}",
                    buffer.iter().map(|&b| usize::from(b)).sum::<usize>()
                )
            }),
        )
        .route(
            "/aligned",
            get(|_: Context| async {
                let value = Aligned([1; 64]);
                tokio::task::yield_now().await;
                let address = &value as *const Aligned as usize;
                format!("aligned {} {}", address % 64, value.0[63])
            }),
        );
    assert_eq!(
        body_of(app.call_request(request("/small")).await).await,
        "small"
    );
    assert_eq!(
        body_of(app.call_request(request("/large")).await).await,
        format!("large {}", 7 * 4096)
    );
    assert_eq!(
        body_of(app.call_request(request("/aligned")).await).await,
        "aligned 0 1"
    );
}

#[tokio::test]
async fn a_completed_handler_future_is_dropped_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .with(Pass)
        .route("/", get(guarded(drops.clone(), Ending::Answer)));
    assert_eq!(body_of(app.call_request(request("/")).await).await, "done");
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_cancelled_request_drops_the_handler_future_in_the_room() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut app = Router::new()
        .with(Pass)
        .route("/", get(guarded(drops.clone(), Ending::Never)));
    let mut future = Box::pin(Service::call(&mut app, request("/")));
    let mut cx = TaskContext::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_pending());
    assert_eq!(drops.load(Ordering::SeqCst), 0, "still running");
    // Dropping the router's future (the client went away) drops the handler's, once.
    drop(future);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_handler_future_leaked_by_a_middleware_keeps_its_memory_and_is_never_dropped() {
    let drops = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .with(Forget)
        .route("/", get(guarded(drops.clone(), Ending::Never)));
    let response = app.call_request(request("/")).await;
    assert_eq!(body_of(response).await, "answered without the handler");
    // The middleware forgot the handler's future after it was pinned and polled: as with any leaked
    // value, it is never dropped, and the frame's memory it lives in is never freed (under valgrind,
    // the requests below, whose frames have the same size, would show a reuse).
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    let other = Router::new()
        .with(Pass)
        .route("/", get(|_: Context| async { "fine" }));
    for _ in 0..3 {
        assert_eq!(
            body_of(other.call_request(request("/")).await).await,
            "fine"
        );
    }
    assert_eq!(drops.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_panicking_handler_behind_middleware_is_a_500_and_its_future_is_dropped() {
    let drops = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .with(Pass)
        .route("/", get(guarded(drops.clone(), Ending::Panic)));
    let response = app.call_request(request("/")).await;
    assert_eq!(response.status(), 500);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn nested_routers_and_requests_inside_handlers_each_use_their_own_frame() {
    // A scope with middleware of its own: two tails on the way to the handler.
    let outer = Router::new().with(Pass).scope("/api", |api| {
        api.with(Pass)
            .route("/leaf", get(|_: Context| async { "leaf" }))
    });
    let outer_for_handler = outer.clone();
    let app = Router::new().with(Pass).route(
        "/proxy",
        get(move |_: Context| {
            let outer = outer_for_handler.clone();
            async move {
                // A request served by another router from inside this handler's future.
                let response = outer.call_request(request("/api/leaf")).await;
                format!("proxied {}", body_of(response).await)
            }
        }),
    );
    assert_eq!(
        body_of(outer.call_request(request("/api/leaf")).await).await,
        "leaf"
    );
    assert_eq!(
        body_of(app.call_request(request("/proxy")).await).await,
        "proxied leaf"
    );
}

/// Panics while building its future (in `call` itself, before any `async` block): the frame's
/// allocation, made before the future is built in place, is freed on the way out (valgrind's leak
/// check in CI would see it otherwise).
struct PanicsEagerly;

impl<P: KeyList> Middleware<P> for PanicsEagerly {
    type Out = P;

    #[allow(clippy::manual_async_fn)]
    fn call<E: Endpoint<P>>(
        &self,
        _ctx: Context<P>,
        _next: Next<'_, P, E>,
    ) -> impl Future<Output = Response> + Send {
        if true {
            panic!("broken middleware");
        }
        async { Response::new(Body::empty()) }
    }
}

#[test]
fn a_middleware_panicking_while_its_future_is_built_leaks_nothing() {
    let mut app = Router::new()
        .with(PanicsEagerly)
        .route("/", get(|_: Context| async { "never" }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        drop(Service::call(&mut app, request("/")));
    }));
    assert!(outcome.is_err(), "the panic reaches the caller of `call`");
}

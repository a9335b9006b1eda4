//! The ambient context's costs, in one criterion run:
//!
//! * `ambient_read`: reading a key through the ambient context (typed app context, owned handle and
//!   borrowed), beside `ctx.get` on the context in hand and beside a raw `tokio::task_local!` read;
//!   the untyped run-time search for comparison.
//! * `scope_per_poll`: what the scope adds to each poll of a future and of a response body.
//! * `per_request`: one in-process request through a router, with and without `async_context()`.
//!
//! Run: `cargo bench -p baton-benches --bench ambient -- --warm-up-time 1 --measurement-time 3`.

use baton::ambient::{InContextExt, Snapshot};
use baton::{
    Body, Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, context_key, get,
};
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};
use http_body_util::BodyExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};

#[context_key]
struct RequestId(u64);
#[context_key]
struct K1;
#[context_key]
struct K2;
#[context_key]
struct K3;
#[context_key]
struct K4;
#[context_key]
struct K5;
#[context_key]
struct K6;
#[context_key]
struct K7;

baton::app_context!(struct AppContext: RequestId, K7);

tokio::task_local! {
    static RAW: Arc<u64>;
}

/// A context with 8 keys; `RequestId` is provided first, so an untyped search visits all 8.
fn eight_keys()
-> Context<impl baton::Has<RequestId> + baton::Position<RequestId> + baton::Position<K7>> {
    Context::default()
        .provide(RequestId(7))
        .provide(K1)
        .provide(K2)
        .provide(K3)
        .provide(K4)
        .provide(K5)
        .provide(K6)
        .provide(K7)
}

fn ambient_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("ambient_read");
    let ctx = eight_keys();

    group.bench_function("ctx.get (context in hand)", |b| {
        b.iter(|| black_box(&ctx).get::<RequestId>().0)
    });

    RAW.sync_scope(Arc::new(7), || {
        group.bench_function("raw tokio::task_local! read", |b| {
            b.iter(|| RAW.with(|value| **black_box(value)))
        });
    });

    let typed = Snapshot::of_app::<AppContext>(&ctx);
    typed.sync_scope(|| {
        group.bench_function("AppContext::current().get (typed, owned handle)", |b| {
            b.iter(|| AppContext::current().get::<RequestId>().0)
        });
        group.bench_function("AppContext::with(|c| c.get) (typed, borrowed)", |b| {
            b.iter(|| AppContext::with(|ctx| ctx.get::<RequestId>().0))
        });
        group.bench_function("get_context() (handle only)", |b| {
            b.iter(|| black_box(baton::get_context()))
        });
        group.bench_function("get_context().try_get (untyped search, 8 keys)", |b| {
            b.iter(|| baton::get_context().try_get::<RequestId>().map(|id| id.0))
        });
        group.bench_function(
            "with_context(|c| c.try_get) (untyped search, 8 keys)",
            |b| b.iter(|| baton::with_context(|ctx| ctx.try_get::<RequestId>().map(|id| id.0))),
        );
    });
    group.finish();
}

/// A future that is never ready: each poll does nothing but return `Pending`.
struct Idle;

impl Future for Idle {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<()> {
        Poll::Pending
    }
}

/// A body that yields the same small frame forever.
struct Endless;

impl hyper::body::Body for Endless {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Ok(hyper::body::Frame::data(Bytes::from_static(b"x")))))
    }
}

fn scope_per_poll(c: &mut Criterion) {
    let mut group = c.benchmark_group("scope_per_poll");
    let ctx = eight_keys();
    let snapshot = Snapshot::of(&ctx);
    let mut cx = TaskContext::from_waker(Waker::noop());

    let mut bare = std::pin::pin!(Idle);
    group.bench_function("future: bare poll", |b| {
        b.iter(|| black_box(bare.as_mut().poll(&mut cx)))
    });
    let mut scoped = std::pin::pin!(snapshot.scope(Idle));
    group.bench_function("future: Snapshot::scope (task-local swap)", |b| {
        b.iter(|| black_box(scoped.as_mut().poll(&mut cx)))
    });
    let mut carried = std::pin::pin!(Idle.with_context(snapshot.clone()));
    group.bench_function("future: .with_context(snapshot) (InContext)", |b| {
        b.iter(|| black_box(carried.as_mut().poll(&mut cx)))
    });

    let mut bare_body = std::pin::pin!(Endless);
    group.bench_function("body: bare poll_frame", |b| {
        b.iter(|| black_box(hyper::body::Body::poll_frame(bare_body.as_mut(), &mut cx)))
    });
    let mut scoped_body = std::pin::pin!(Endless.with_context(snapshot.clone()));
    group.bench_function("body: in scope poll_frame (InContext)", |b| {
        b.iter(|| black_box(hyper::body::Body::poll_frame(scoped_body.as_mut(), &mut cx)))
    });
    group.finish();
}

struct AssignId;

impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignId {
    type Provides = RequestId;
    async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> {
        Ok(RequestId(7))
    }
}

async fn read_in_hand(ctx: Context<(RequestId, ())>) -> String {
    ctx.get::<RequestId>().0.to_string()
}

baton::app_context!(struct IdOnly: RequestId);

async fn read_ambient_id_only(_: Context<(RequestId, ())>) -> String {
    IdOnly::with(|ctx| ctx.get::<RequestId>().0).to_string()
}

fn per_request(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("per_request");
    let without = Router::new()
        .with(ProviderMiddleware(AssignId))
        .route("/", get(read_in_hand));
    let untyped = Router::new()
        .with(baton::async_context())
        .with(ProviderMiddleware(AssignId))
        .route("/", get(read_in_hand));
    let typed = Router::new()
        .with(ProviderMiddleware(AssignId))
        .with(baton::async_context_for::<IdOnly>())
        .route("/", get(read_ambient_id_only));

    async fn call<S>(router: &S) -> Bytes
    where
        S: CallRequest + ?Sized,
    {
        let response = router
            .call(http::Request::get("/").body(Body::empty()).unwrap())
            .await;
        response.into_body().collect().await.unwrap().to_bytes()
    }

    for (name, router) in [
        ("provider + handler, no scope", &without as &dyn CallRequest),
        ("async_context() + provider + handler", &untyped),
        ("provider + async_context_for::<App>() + typed read", &typed),
    ] {
        group.bench_with_input(
            BenchmarkId::new("in process", name),
            &router,
            |b, router| b.to_async(&runtime).iter(|| call(*router)),
        );
    }
    group.finish();
}

/// Lets routers of different types sit in one list.
trait CallRequest {
    fn call(&self, request: http::Request<Body>) -> Pin<Box<dyn Future<Output = Response> + '_>>;
}

impl<L: baton::Chain> CallRequest for Router<L, baton::Routed> {
    fn call(&self, request: http::Request<Body>) -> Pin<Box<dyn Future<Output = Response> + '_>> {
        Box::pin(self.call_request(request))
    }
}

criterion_group!(benches, ambient_read, scope_per_poll, per_request);
criterion_main!(benches);

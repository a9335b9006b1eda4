//! Memory: serving many requests leaves nothing behind, and a request's own allocations stay small.
//!
//! A counting global allocator tracks live bytes; this file is its own test binary so nothing else
//! allocates concurrently while it measures.

use baton::{
    Body, Context, Has, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router,
    context_key, get,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[context_key]
struct RequestNumber(u64);

#[context_key(value = String)]
struct Tenant;

struct Number;
impl<P: KeyList + Lacks<RequestNumber>> Provider<P> for Number {
    type Provides = RequestNumber;
    async fn provide(&self, ctx: &Context<P>) -> Result<RequestNumber, Response> {
        Ok(RequestNumber(ctx.uri().path().len() as u64))
    }
}

struct TenantOf;
impl<P: KeyList + Lacks<Tenant>> Provider<P> for TenantOf {
    type Provides = Tenant;
    async fn provide(&self, _ctx: &Context<P>) -> Result<String, Response> {
        Ok("acme".repeat(8))
    }
}

async fn show<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<RequestNumber> + Has<Tenant>,
{
    let id: u64 = ctx.path().unwrap_or_default();
    format!(
        "{id} {} {}",
        ctx.get::<RequestNumber>().0,
        ctx.get::<Tenant>()
    )
}

#[test]
fn no_growth_across_many_requests() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let app = Router::new()
        .with(ProviderMiddleware(Number))
        .with(ProviderMiddleware(TenantOf))
        .route("/users/{id}", get(show));
    let one = |path: &'static str| {
        let app = &app;
        async move {
            let response = app
                .call_request(http::Request::get(path).body(Body::empty()).unwrap())
                .await;
            response.into_body().collect_bytes().await.unwrap()
        }
    };
    // Warm up lazily initialised state (tracing callsites, runtime internals).
    for _ in 0..1_000 {
        runtime.block_on(one("/users/7"));
        runtime.block_on(one("/nope"));
    }
    let before = LIVE_BYTES.load(Ordering::SeqCst);
    LARGEST.store(0, Ordering::SeqCst);
    for _ in 0..100_000 {
        assert_eq!(
            runtime.block_on(one("/users/7")),
            "7 8 acmeacmeacmeacmeacmeacmeacmeacme"
        );
        runtime.block_on(one("/nope"));
    }
    let after = LIVE_BYTES.load(Ordering::SeqCst);
    assert_eq!(
        after - before,
        0,
        "live heap grew by {} bytes over 200 000 requests",
        after - before
    );
    // The request's own allocations (head + value slots in one block, the chain's future, the body)
    // stay small; the largest is the context's block.
    let largest = LARGEST.load(Ordering::SeqCst);
    assert!(
        largest < 1024,
        "largest allocation per request: {largest} bytes"
    );
}

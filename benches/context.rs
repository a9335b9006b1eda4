//! Side-by-side benchmarks for the bars of DESIGN.md, in one criterion run:
//!
//! * `get`: `ctx.get::<K>()` with 1, 8 and 64 keys provided, beside `http::Extensions::get` holding the
//!   same values;
//! * `request`: one in-process `GET /users/42` through baton (5 providing middleware + a handler reading
//!   all 5), the same app in axum 0.8 (`from_fn` + `Extension`) and a hand-written hyper `service_fn`.
//!   Two `request/diag_*` entries are diagnostics, not bars: baton through `Router::call_request` (no
//!   per-request router clone) and baton's router with the work done inline in the handler.
//!
//! The three stacks live in `workload.rs`, shared with `examples/instructions.rs`, which counts the
//! same requests' instructions under callgrind (`bash benches/instructions.sh`).
//!
//! Run: `cargo bench -p baton-benches --bench context -- --warm-up-time 1 --measurement-time 3`
//!
//! Before the `request` group the bench prints how many heap allocations one request makes in each stack
//! (a counting global allocator, switched on only for that count).

use baton::{Context, ContextKey};
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use http::{Extensions, Request};
use http_body_util::{BodyExt, Empty, Full};
use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tower::ServiceExt;

// ---------------------------------------------------------------------------------------------------
// Allocation counting (off except while `allocations` counts; then one relaxed load per allocation).
// ---------------------------------------------------------------------------------------------------

struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn count(size: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(size, Ordering::Relaxed);
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

// ---------------------------------------------------------------------------------------------------
// `get`: typed reads vs. `http::Extensions`
// ---------------------------------------------------------------------------------------------------

/// Reads a key's payload (used to check the setup; keeps the fields live for the compiler's lints).
trait Payload {
    fn payload(&self) -> u64;
}

macro_rules! keys {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Debug)]
        struct $name(u64);

        impl ContextKey for $name {
            type Value = $name;
            type Id = baton::key_id!($name);
        }

        impl Payload for $name {
            fn payload(&self) -> u64 {
                self.0
            }
        }
    )*};
}

keys!(
    K00, K01, K02, K03, K04, K05, K06, K07, K08, K09, K10, K11, K12, K13, K14, K15, K16, K17, K18,
    K19, K20, K21, K22, K23, K24, K25, K26, K27, K28, K29, K30, K31, K32, K33, K34, K35, K36, K37,
    K38, K39, K40, K41, K42, K43, K44, K45, K46, K47, K48, K49, K50, K51, K52, K53, K54, K55, K56,
    K57, K58, K59, K60, K61, K62, K63,
);

/// Provides `K(i)` for each listed key, in order, and inserts the same values in `Extensions`.
macro_rules! filled {
    ($($name:ident),* $(,)?) => {{
        let ctx = Context::default();
        let mut extensions = Extensions::new();
        let mut next = 0u64;
        $(
            // The values come through `black_box` so the compiler cannot know them.
            let value = black_box(next);
            next += 1;
            let ctx = ctx.provide($name(value));
            extensions.insert($name(value));
        )*
        let _ = next;
        (ctx, extensions)
    }};
}

/// Benchmarks reading `$key` from `$ctx` and from `$ext`, under `$label` / `$keys`.
macro_rules! bench_read {
    ($group:expr, $ctx:expr, $ext:expr, $keys:expr, $label:literal, $key:ident, $expected:expr) => {{
        assert_eq!($ctx.get::<$key>().payload(), $expected);
        assert_eq!($ext.get::<$key>().map(Payload::payload), Some($expected));
        $group.bench_with_input(
            BenchmarkId::new(concat!("baton/", $label), $keys),
            &$ctx,
            |b, ctx| b.iter(|| black_box(black_box(ctx).get::<$key>())),
        );
        $group.bench_with_input(
            BenchmarkId::new(concat!("extensions/", $label), $keys),
            &$ext,
            |b, ext| b.iter(|| black_box(black_box(ext).get::<$key>())),
        );
    }};
}

fn get(c: &mut Criterion) {
    let mut group = c.benchmark_group("get");

    let (ctx, ext) = filled!(K00);
    bench_read!(group, ctx, ext, 1, "first", K00, 0);

    let (ctx, ext) = filled!(K00, K01, K02, K03, K04, K05, K06, K07);
    bench_read!(group, ctx, ext, 8, "first", K00, 0);
    bench_read!(group, ctx, ext, 8, "last", K07, 7);

    let (ctx, ext) = filled!(
        K00, K01, K02, K03, K04, K05, K06, K07, K08, K09, K10, K11, K12, K13, K14, K15, K16, K17,
        K18, K19, K20, K21, K22, K23, K24, K25, K26, K27, K28, K29, K30, K31, K32, K33, K34, K35,
        K36, K37, K38, K39, K40, K41, K42, K43, K44, K45, K46, K47, K48, K49, K50, K51, K52, K53,
        K54, K55, K56, K57, K58, K59, K60, K61, K62, K63,
    );
    bench_read!(group, ctx, ext, 64, "first", K00, 0);
    bench_read!(group, ctx, ext, 64, "middle", K31, 31);
    bench_read!(group, ctx, ext, 64, "last", K63, 63);

    group.finish();
}

// ---------------------------------------------------------------------------------------------------
// `request`: the same app in baton, axum and hand-written hyper (the three stacks: `workload.rs`)
// ---------------------------------------------------------------------------------------------------

mod workload;

use workload::*;

/// Diagnostic, not a bar: baton's router with no middleware and a handler doing the five values'
/// work inline (as the hyper service does), to split router cost from middleware cost.
fn baton_inline_app(pool: Arc<DbPool>) -> baton::Router<impl baton::Chain, baton::Routed> {
    baton::Router::new().route(
        "/users/{id}",
        baton::get(move |ctx: Context| {
            let db = pool.clone();
            async move {
                let id: u64 = ctx.path()?;
                let request_id = next_request_id();
                let user = current_user();
                let tenant = tenant_of(ctx.headers());
                let locale = locale_of(ctx.headers());
                Ok::<_, baton::PathRejection>(render(id, request_id, &user, tenant, &db, locale))
            }
        }),
    )
}

// --- the harness shared by the three -----------------------------------------------------------------

async fn via_baton<L: baton::Chain>(app: &baton::Router<L, baton::Routed>) -> Bytes {
    let response = app
        .clone()
        .oneshot(request())
        .await
        .unwrap_or_else(|never| match never {});
    response
        .into_body()
        .collect()
        .await
        .expect("baton body")
        .to_bytes()
}

/// Like `via_baton`, through `Router::call_request` (no per-request clone of the router).
async fn via_baton_call_request<L: baton::Chain>(app: &baton::Router<L, baton::Routed>) -> Bytes {
    let response = app.call_request(request()).await;
    response
        .into_body()
        .collect()
        .await
        .expect("baton body")
        .to_bytes()
}

async fn via_axum(app: &axum::Router) -> Bytes {
    let response = app
        .clone()
        .oneshot(request())
        .await
        .unwrap_or_else(|never| match never {});
    response
        .into_body()
        .collect()
        .await
        .expect("axum body")
        .to_bytes()
}

async fn via_hyper<S>(service: &S) -> Bytes
where
    S: hyper::service::Service<
            Request<Empty<Bytes>>,
            Response = http::Response<Full<Bytes>>,
            Error = Infallible,
        >,
{
    let response = service
        .call(request())
        .await
        .unwrap_or_else(|never| match never {});
    response
        .into_body()
        .collect()
        .await
        .unwrap_or_else(|never| match never {})
        .to_bytes()
}

/// Counts the allocations of `runs` calls of `one` (request building and body collection included).
fn count_allocations<F: Future<Output = Bytes>>(
    runtime: &tokio::runtime::Runtime,
    runs: usize,
    mut one: impl FnMut() -> F,
) -> (f64, f64, usize) {
    // Warm up lazily initialised state (runtime, statics) before counting.
    for _ in 0..10 {
        black_box(runtime.block_on(one()));
    }
    ALLOCATIONS.store(0, Ordering::Relaxed);
    ALLOCATED_BYTES.store(0, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::SeqCst);
    for _ in 0..runs {
        black_box(runtime.block_on(one()));
    }
    COUNTING.store(false, Ordering::SeqCst);
    (
        ALLOCATIONS.load(Ordering::Relaxed) as f64 / runs as f64,
        ALLOCATED_BYTES.load(Ordering::Relaxed) as f64 / runs as f64,
        LARGEST.load(Ordering::Relaxed),
    )
}

/// Prints the heap allocations per request of each stack (not a timing; see the `request` group).
fn allocations(_: &mut Criterion) {
    let runtime = runtime();
    let pool = pool();
    let baton = baton_app(pool.clone());
    let axum = axum_app::app(pool.clone());
    let hyper = hyper_app(pool.clone());
    let bare =
        baton::Router::new().route("/users/{id}", baton::get(|_: Context| async { "hello" }));

    let inline = baton_inline_app(pool.clone());

    let runs = 10_000;
    let rows = [
        (
            "request construction only",
            count_allocations(&runtime, runs, || async {
                black_box(request());
                Bytes::new()
            }),
        ),
        (
            "hyper service_fn",
            count_allocations(&runtime, runs, || via_hyper(&hyper)),
        ),
        (
            "baton, no middleware, static str",
            count_allocations(&runtime, runs, || via_baton(&bare)),
        ),
        (
            "baton, handler does the work inline",
            count_allocations(&runtime, runs, || via_baton(&inline)),
        ),
        (
            "baton, 5 providers",
            count_allocations(&runtime, runs, || via_baton(&baton)),
        ),
        (
            "axum, 5 from_fn + Extension",
            count_allocations(&runtime, runs, || via_axum(&axum)),
        ),
    ];
    println!("\nheap allocations per request (build + call + collect, {runs} runs each):");
    for (name, (count, bytes, largest)) in rows {
        println!(
            "  {name:<36} {count:>6.2} allocations {bytes:>8.1} bytes (largest {largest} bytes)"
        );
    }
    println!(
        "size_of: Context<_> {} bytes (request head {} bytes)\n",
        std::mem::size_of::<Context>(),
        std::mem::size_of::<http::request::Parts>(),
    );
}

fn requests(c: &mut Criterion) {
    let runtime = runtime();
    let pool = pool();
    let baton = baton_app(pool.clone());
    let axum = axum_app::app(pool.clone());
    let hyper = hyper_app(pool.clone());
    let inline = baton_inline_app(pool.clone());

    // The three answer the same bytes (up to the request id, which counts requests).
    let strip_id = |bytes: Bytes| {
        let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
        text.rsplit_once(" request ")
            .expect("request id")
            .0
            .to_string()
    };
    let expected = strip_id(runtime.block_on(via_hyper(&hyper)));
    assert_eq!(expected, EXPECTED);
    assert_eq!(strip_id(runtime.block_on(via_baton(&baton))), expected);
    assert_eq!(strip_id(runtime.block_on(via_axum(&axum))), expected);
    assert_eq!(strip_id(runtime.block_on(via_baton(&inline))), expected);
    assert_eq!(
        strip_id(runtime.block_on(via_baton_call_request(&baton))),
        expected
    );

    let mut group = c.benchmark_group("request");
    group.bench_function("baton", |b| b.to_async(&runtime).iter(|| via_baton(&baton)));
    group.bench_function("axum", |b| b.to_async(&runtime).iter(|| via_axum(&axum)));
    group.bench_function("hyper", |b| b.to_async(&runtime).iter(|| via_hyper(&hyper)));
    // Diagnostics (no bar): where baton's time goes.
    group.bench_function("diag_baton_call_request", |b| {
        b.to_async(&runtime).iter(|| via_baton_call_request(&baton))
    });
    group.bench_function("diag_baton_inline_no_middleware", |b| {
        b.to_async(&runtime).iter(|| via_baton(&inline))
    });
    group.finish();
}

criterion_group!(benches, get, allocations, requests);
criterion_main!(benches);

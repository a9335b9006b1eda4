//! A route behind 64 providing middleware compiles (without raising `recursion_limit`) and runs: the
//! proof has no arity limit, a read of the oldest key is proven, and the request's future stays small.

use baton::{
    Body, Context, Endpoint, Has, KeyList, Lacks, Middleware, Next, Position, Response, Router,
    StatusCode, context_key, get,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Declares, per entry, a key `K(usize)` and an around middleware `M` that checks it runs after every
/// lower-numbered one and provides `K(n)`; and the macro `$mount`, which adds them to a router in order.
macro_rules! providers {
    ($mount:ident; $($key:ident $middleware:ident $n:literal),* $(,)?) => {
        $(
            #[context_key]
            struct $key(usize);

            struct $middleware;

            impl<P: KeyList + Lacks<$key>> Middleware<P> for $middleware {
                type Out = ($key, P);

                async fn call<E: Endpoint<Self::Out>>(
                    &self,
                    ctx: Context<P>,
                    next: Next<'_, Self::Out, E>,
                ) -> Response {
                    CALLS.fetch_add(1, Ordering::SeqCst);
                    // Every earlier middleware already provided its key.
                    assert_eq!(ctx.store().len(), $n);
                    next.run(ctx.provide($key($n))).await
                }
            }
        )*

        macro_rules! $mount {
            ($router:expr) => { $router $(.with($middleware))* };
        }
    };
}

/// How many providing middleware ran, over all tests of this binary.
static CALLS: AtomicUsize = AtomicUsize::new(0);

providers!(
    mount_low;
    K0 M0 0,
    K1 M1 1,
    K2 M2 2,
    K3 M3 3,
    K4 M4 4,
    K5 M5 5,
    K6 M6 6,
    K7 M7 7,
    K8 M8 8,
    K9 M9 9,
    K10 M10 10,
    K11 M11 11,
    K12 M12 12,
    K13 M13 13,
    K14 M14 14,
    K15 M15 15,
    K16 M16 16,
    K17 M17 17,
    K18 M18 18,
    K19 M19 19,
    K20 M20 20,
    K21 M21 21,
    K22 M22 22,
    K23 M23 23,
    K24 M24 24,
    K25 M25 25,
    K26 M26 26,
    K27 M27 27,
    K28 M28 28,
    K29 M29 29,
    K30 M30 30,
    K31 M31 31
);

providers!(
    mount_high;
    K32 M32 32,
    K33 M33 33,
    K34 M34 34,
    K35 M35 35,
    K36 M36 36,
    K37 M37 37,
    K38 M38 38,
    K39 M39 39,
    K40 M40 40,
    K41 M41 41,
    K42 M42 42,
    K43 M43 43,
    K44 M44 44,
    K45 M45 45,
    K46 M46 46,
    K47 M47 47,
    K48 M48 48,
    K49 M49 49,
    K50 M50 50,
    K51 M51 51,
    K52 M52 52,
    K53 M53 53,
    K54 M54 54,
    K55 M55 55,
    K56 M56 56,
    K57 M57 57,
    K58 M58 58,
    K59 M59 59,
    K60 M60 60,
    K61 M61 61,
    K62 M62 62,
    K63 M63 63
);

/// Every key's value as seen at run time (`usize::MAX` for a key not provided).
fn read_all<P: KeyList>(ctx: &Context<P>) -> Vec<usize> {
    macro_rules! all {
        ($($key:ident),*) => { vec![$(ctx.try_get::<$key>().map_or(usize::MAX, |key| key.0)),*] };
    }
    all!(
        K0, K1, K2, K3, K4, K5, K6, K7, K8, K9, K10, K11, K12, K13, K14, K15, K16, K17, K18, K19,
        K20, K21, K22, K23, K24, K25, K26, K27, K28, K29, K30, K31, K32, K33, K34, K35, K36, K37,
        K38, K39, K40, K41, K42, K43, K44, K45, K46, K47, K48, K49, K50, K51, K52, K53, K54, K55,
        K56, K57, K58, K59, K60, K61, K62, K63
    )
}

async fn first_middle_last<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<K0> + Has<K31> + Has<K63>,
{
    assert_eq!(read_all(&ctx), (0..64).collect::<Vec<_>>());
    format!(
        "{} {} {} of {}",
        ctx.get::<K0>().0,
        ctx.get::<K31>().0,
        ctx.get::<K63>().0,
        ctx.store().len()
    )
}

async fn body(response: Response) -> String {
    let bytes = response.into_body().collect_bytes().await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn get_request(uri: &str) -> http::Request<Body> {
    http::Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn a_route_behind_64_providing_middleware_reads_the_first_and_the_64th_key() {
    let app = mount_high!(mount_low!(Router::new())).route("/deep", get(first_middle_last));

    let response = app.call_request(get_request("/deep")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, "0 31 63 of 64");

    // The 404 runs the same 64 middleware (global middleware run for every request).
    let before = CALLS.load(Ordering::SeqCst);
    let response = app.call_request(get_request("/missing")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(CALLS.load(Ordering::SeqCst) - before >= 64);
}

// Generic over the route's (non-empty) key list: a closure `|ctx: Context<_>|` cannot be told apart
// from a plain `Context` handler, so a handler that reads keys names its list or uses `#[handler]`.
async fn low_half<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<K31>,
{
    assert!(!ctx.has::<K32>() && !ctx.has::<K63>());
    format!("{} of {}", ctx.get::<K31>().0, ctx.store().len())
}

async fn read_last_and_first<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<K63> + Has<K0>,
{
    let _: &K63 = ctx.get::<K63>();
    ctx.get::<K0>().0.to_string()
}

#[tokio::test]
async fn sixty_four_keys_split_between_global_middleware_and_a_scope_stay_in_the_scope() {
    let app = mount_low!(Router::new())
        .scope("/api", |api| {
            mount_high!(api).route("/", get(first_middle_last))
        })
        .route("/", get(low_half));

    let response = app.call_request(get_request("/api")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, "0 31 63 of 64");
    let response = app.call_request(get_request("/")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, "31 of 32");
}

/// Replaces the oldest key, 64 keys down the list.
struct ReplaceFirst;

impl<P: Position<K0>> Middleware<P> for ReplaceFirst {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        next.run(ctx.replace::<K0>(K0(1000))).await
    }
}

#[tokio::test]
async fn the_oldest_of_64_keys_can_be_replaced() {
    let app = mount_high!(mount_low!(Router::new()))
        .with(ReplaceFirst)
        .route("/", get(read_last_and_first));
    let response = app.call_request(get_request("/")).await;
    assert_eq!(body(response).await, "1000");
}

// ---------------------------------------------------------------------------------------------------
// the request's future stays small

/// Records the largest allocation made on a thread while it measures.
struct LargestAllocation;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = MEASURING.try_with(|measuring| {
            if measuring.get() {
                LARGEST.with(|largest| largest.set(largest.get().max(layout.size())));
            }
        });
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

#[tokio::test]
async fn the_future_of_a_request_through_64_middleware_stays_small() {
    let app = mount_high!(mount_low!(Router::new())).route("/deep", get(first_middle_last));

    // The current-thread test runtime polls the whole request on this thread.
    MEASURING.with(|measuring| measuring.set(true));
    let response = app.call_request(get_request("/deep")).await;
    MEASURING.with(|measuring| measuring.set(false));
    assert_eq!(response.status(), StatusCode::OK);

    // Each middleware adds its own state once (not a copy of everything below it), and every eighth
    // middleware's future is boxed: the largest single allocation is a few KiB, whatever the count.
    let largest = LARGEST.with(Cell::get);
    assert!(largest < 8 * 1024, "largest allocation: {largest} bytes");
}

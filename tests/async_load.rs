//! The ambient context under load: 10 000 requests, at least 500 in flight at once, through a real
//! `baton::serve` on 127.0.0.1 and a real HTTP client. Each request carries its own random id; the
//! handler reads it back through `get_context()` (and the typed app context) at the bottom of an async
//! call chain that yields at every level, and both the server and the client compare it with the id the
//! request was sent with. Zero mismatches are allowed.

use baton::{
    Body, Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, StatusCode,
    context_key, get,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

const REQUESTS: usize = 10_000;
const IN_FLIGHT: usize = 500;
/// Client-side concurrency: above `IN_FLIGHT` so the server can see that many at once.
const CLIENT_CONCURRENCY: usize = 600;

#[context_key]
struct RequestId(u64);

baton::app_context!(struct LoadContext: RequestId);

/// Provides `RequestId` from the `x-request-id` header (400 without one).
struct IdFromHeader;

impl<P: KeyList + Lacks<RequestId>> Provider<P> for IdFromHeader {
    type Provides = RequestId;

    async fn provide(&self, ctx: &Context<P>) -> Result<RequestId, Response> {
        // Yield before providing, so the value lands in the store while the scope is already entered.
        tokio::task::yield_now().await;
        ctx.headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .map(RequestId)
            .ok_or_else(|| {
                use baton::IntoResponse;
                (StatusCode::BAD_REQUEST, "missing x-request-id").into_response()
            })
    }
}

/// Counts requests in flight and holds the first ones until `IN_FLIGHT` are in flight at once.
#[derive(Default)]
struct Stats {
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    gate_open: AtomicBool,
    gate: Notify,
    server_mismatches: AtomicUsize,
    handled: AtomicUsize,
}

impl Stats {
    async fn enter(&self) {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        if now >= IN_FLIGHT {
            self.gate_open.store(true, Ordering::SeqCst);
            self.gate.notify_waiters();
        }
        let wait = async {
            loop {
                let notified = self.gate.notified();
                if self.gate_open.load(Ordering::SeqCst) {
                    return;
                }
                notified.await;
            }
        };
        // Bounded: if the client never reaches `IN_FLIGHT` the peak assertion below fails instead.
        let _ = tokio::time::timeout(Duration::from_secs(30), wait).await;
    }

    fn leave(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The "service layer": three levels of async calls, each yielding, none receiving `ctx`.
mod service {
    use super::{LoadContext, RequestId};
    use std::time::Duration;

    /// Every id this request saw: before the awaits, three reads at the bottom, one after.
    pub async fn handle_order() -> [u64; 5] {
        let before = baton::get_context()
            .try_get::<RequestId>()
            .map_or(0, |id| id.0);
        tokio::task::yield_now().await;
        let [untyped, borrowed, typed] = load_customer().await;
        tokio::task::yield_now().await;
        let after = LoadContext::current().get::<RequestId>().0;
        [before, untyped, borrowed, typed, after]
    }

    async fn load_customer() -> [u64; 3] {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_micros(200)).await;
        query_database().await
    }

    async fn query_database() -> [u64; 3] {
        tokio::task::yield_now().await;
        // Deepest level: untyped handle, borrowed read, typed app context.
        let ctx = baton::get_context();
        let untyped = ctx.try_get::<RequestId>().map_or(0, |id| id.0);
        tokio::task::yield_now().await;
        let borrowed = baton::with_context(|ctx| ctx.try_get::<RequestId>().map_or(0, |id| id.0));
        let typed = LoadContext::with(|ctx| ctx.get::<RequestId>().0);
        [untyped, borrowed, typed]
    }
}

fn app(stats: Arc<Stats>) -> Router<impl baton::Chain, baton::Routed> {
    Router::new()
        .with(baton::async_context()) // entered before the id exists ...
        .with(ProviderMiddleware(IdFromHeader)) // ... which is provided afterwards
        .with(baton::async_context_for::<LoadContext>())
        .route(
            "/order",
            get(move |ctx: Context<(RequestId, ())>| {
                let stats = stats.clone();
                async move {
                    let expected = ctx.get::<RequestId>().0;
                    stats.enter().await;
                    let seen = service::handle_order().await;
                    stats.leave();
                    stats.handled.fetch_add(1, Ordering::SeqCst);
                    if seen.iter().any(|&id| id != expected) {
                        stats.server_mismatches.fetch_add(1, Ordering::SeqCst);
                    }
                    Body::from(seen[0].to_string())
                }
            }),
        )
}

fn unique_random_ids(count: usize) -> Vec<u64> {
    let state = RandomState::new();
    let mut seen = HashSet::with_capacity(count);
    let mut ids = Vec::with_capacity(count);
    let mut counter = 0u64;
    while ids.len() < count {
        let mut hasher = state.build_hasher();
        hasher.write_u64(counter);
        counter += 1;
        // Non-zero, so that "no value" (read as 0 above) is never a match.
        let id = hasher.finish() | 1;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_each_read_their_own_id_back() {
    let stats = Arc::new(Stats::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server_stats = stats.clone();
    let server = tokio::spawn(async move {
        baton::serve(listener, app(server_stats))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<HttpConnector, Empty<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CLIENT_CONCURRENCY)
        .build(connector);

    let ids = unique_random_ids(REQUESTS);
    let permits = Arc::new(Semaphore::new(CLIENT_CONCURRENCY));
    let run = async {
        let mut requests = tokio::task::JoinSet::new();
        for id in ids {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let client = client.clone();
            requests.spawn(async move {
                let request = http::Request::get(format!("http://{address}/order"))
                    .header("x-request-id", id.to_string())
                    .body(Empty::<Bytes>::new())
                    .unwrap();
                let response = client.request(request).await.expect("request failed");
                let status = response.status();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                drop(permit);
                (id, status, body)
            });
        }
        let mut client_mismatches = 0usize;
        let mut answered = 0usize;
        while let Some(result) = requests.join_next().await {
            let (id, status, body) = result.expect("client task panicked");
            assert_eq!(status, StatusCode::OK, "request {id} failed: {body:?}");
            answered += 1;
            if body != id.to_string().as_bytes() {
                client_mismatches += 1;
            }
        }
        (answered, client_mismatches)
    };
    let (answered, client_mismatches) = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("10 000 requests did not finish within 180 s");

    drop(client);
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("server did not shut down")
        .unwrap()
        .unwrap();

    let peak = stats.peak.load(Ordering::SeqCst);
    println!(
        "answered {answered}, handled {}, peak in flight {peak}, client mismatches {client_mismatches}, server mismatches {}",
        stats.handled.load(Ordering::SeqCst),
        stats.server_mismatches.load(Ordering::SeqCst)
    );
    assert_eq!(answered, REQUESTS);
    assert_eq!(stats.handled.load(Ordering::SeqCst), REQUESTS);
    assert!(
        peak >= IN_FLIGHT,
        "only {peak} requests were in flight at once"
    );
    assert_eq!(
        client_mismatches, 0,
        "responses carried another request's id"
    );
    assert_eq!(
        stats.server_mismatches.load(Ordering::SeqCst),
        0,
        "get_context() returned another request's id"
    );
}

//! Request context without passing `ctx` around: a correlation id and client info, set by middleware,
//! read in a service module and by a logging helper that never receives the context.
//!
//! `cargo run --example async_context` runs a short demo against itself on 127.0.0.1 and exits;
//! `cargo run --example async_context -- --serve` serves on 127.0.0.1:3000 (or `BATON_ADDR`), then try
//! `curl -i -H 'x-correlation-id: abc-123' http://127.0.0.1:3000/api/inventory`.
//!
//! What it shows (the Express + `AsyncLocalStorage` pattern, typed):
//!
//! * `AssignCorrelationId` honours `x-correlation-id` or generates one; `CaptureClientInfo` records the
//!   client's address and user agent. Both are providers: the compiler knows every request has them.
//! * `AppContext` declares those two keys once; `AppContext::async_context()` enters its scope after
//!   them (mounting it above them would not compile).
//! * `inventory::fetch_active()` and `log::info()` read the context with no `ctx` parameter, across
//!   `.await`s, in a `baton::spawn`ed audit task and on the blocking pool.
//! * The strict accessor (`AppContext::current()`) is used where a request is guaranteed; the safe one
//!   (`AppContext::try_current()`) in the logger, which also runs at startup.

use baton::{
    Context, Endpoint, Json, KeyList, Lacks, Middleware, Next, Provider, ProviderMiddleware,
    Response, Router, context_key, get,
};
use std::hash::{BuildHasher, RandomState};
use std::time::Instant;

/// The id that ties together every log line of one request (and of the services it calls).
#[context_key]
#[derive(Debug)]
pub struct CorrelationId(pub String);

/// Who is calling, captured once at the edge.
#[context_key]
#[derive(Debug)]
pub struct ClientInfo {
    pub address: String,
    pub user_agent: String,
}

baton::app_context! {
    /// What every request of this app carries, readable anywhere during the request.
    pub struct AppContext: CorrelationId, ClientInfo;
}

/// Takes `x-correlation-id` from the request or generates one.
struct AssignCorrelationId;

impl<P: KeyList + Lacks<CorrelationId>> Provider<P> for AssignCorrelationId {
    type Provides = CorrelationId;

    async fn provide(&self, ctx: &Context<P>) -> Result<CorrelationId, Response> {
        let incoming = ctx
            .headers()
            .get("x-correlation-id")
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.is_empty() && value.len() <= 128);
        Ok(CorrelationId(match incoming {
            Some(id) => id.to_string(),
            None => format!("{:016x}", RandomState::new().hash_one(Instant::now())),
        }))
    }
}

/// Captures the client's address (from `x-forwarded-for`, as behind a proxy) and user agent.
struct CaptureClientInfo;

impl<P: KeyList + Lacks<ClientInfo>> Provider<P> for CaptureClientInfo {
    type Provides = ClientInfo;

    async fn provide(&self, ctx: &Context<P>) -> Result<ClientInfo, Response> {
        let header = |name: &str| {
            ctx.headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        Ok(ClientInfo {
            address: header("x-forwarded-for")
                .and_then(|list| list.split(',').next().map(|first| first.trim().to_string()))
                .unwrap_or_else(|| "unknown".to_string()),
            user_agent: header("user-agent").unwrap_or_default(),
        })
    }
}

/// Echoes the correlation id in the response and logs the request's outcome; runs inside the scope, so
/// the logger finds the id by itself.
struct AccessLog;

impl<P: KeyList> Middleware<P> for AccessLog {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        let started = Instant::now();
        let (method, path) = (ctx.method().clone(), ctx.uri().path().to_string());
        let mut response = next.run(ctx).await;
        let id = AppContext::current().get::<CorrelationId>().0.clone();
        if let Ok(value) = id.parse() {
            response.headers_mut().insert("x-correlation-id", value);
        }
        log::info(&format!(
            "{method} {path} -> {} in {:?}",
            response.status(),
            started.elapsed()
        ));
        response
    }
}

/// A structured-ish logger that adds the correlation id on its own. It never receives a context.
mod log {
    use super::{AppContext, ClientInfo, CorrelationId};

    pub fn info(message: &str) {
        // The safe accessor: the logger also runs outside requests (startup, background jobs).
        match AppContext::try_current() {
            Some(ctx) => println!(
                "INFO correlation_id={} client={} {message}",
                ctx.get::<CorrelationId>().0,
                ctx.get::<ClientInfo>().address
            ),
            None => println!("INFO correlation_id=- {message}"),
        }
    }
}

/// The service layer: domain parameters only, no request object.
mod inventory {
    use super::{AppContext, ClientInfo, log};
    use serde::Serialize;

    #[derive(Serialize)]
    pub struct Item {
        pub sku: &'static str,
        pub quantity: u32,
    }

    pub async fn fetch_active() -> Vec<Item> {
        log::info("fetching active inventory");
        // An audit record written by a background task: `baton::spawn` carries the context into it.
        let audit = baton::spawn(async {
            tokio::task::yield_now().await;
            let ctx = AppContext::current();
            log::info(&format!(
                "audit: inventory read by {:?}",
                ctx.get::<ClientInfo>().user_agent
            ));
        });
        // A blocking "database" call on tokio's blocking pool: `baton::spawn_blocking` carries it too.
        let items = baton::spawn_blocking(|| {
            log::info("querying the database");
            vec![
                Item {
                    sku: "apple",
                    quantity: 12,
                },
                Item {
                    sku: "pear",
                    quantity: 3,
                },
            ]
        })
        .await
        .expect("the database task panicked");
        audit.await.expect("the audit task panicked");
        log::info(&format!("found {} items", items.len()));
        items
    }
}

async fn list_inventory(
    _ctx: Context<(ClientInfo, (CorrelationId, ()))>,
) -> Json<Vec<inventory::Item>> {
    Json(inventory::fetch_active().await)
}

fn app() -> Router<impl baton::Chain, baton::Routed> {
    Router::new()
        .with(ProviderMiddleware(AssignCorrelationId))
        .with(ProviderMiddleware(CaptureClientInfo))
        .with(AppContext::async_context()) // after the providers of every declared key
        .with(AccessLog)
        .route("/api/inventory", get(list_inventory))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    log::info("starting"); // outside any request: the logger prints `-`
    if std::env::args().any(|arg| arg == "--serve") {
        let address = std::env::var("BATON_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
        let listener = tokio::net::TcpListener::bind(&address).await?;
        log::info(&format!(
            "listening on http://{}/api/inventory",
            listener.local_addr()?
        ));
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        return baton::serve(listener, app())
            .with_graceful_shutdown(shutdown)
            .await;
    }
    demo().await
}

/// Serves on an ephemeral port, sends two requests (with and without a correlation id) and stops.
async fn demo() -> std::io::Result<()> {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        baton::serve(listener, app())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    for correlation_id in [Some("abc-123"), None] {
        let mut request = http::Request::get(format!("http://{address}/api/inventory"))
            .header("user-agent", "demo-client/1.0")
            .header("x-forwarded-for", "203.0.113.7");
        if let Some(id) = correlation_id {
            request = request.header("x-correlation-id", id);
        }
        let response = client
            .request(request.body(Empty::new()).expect("valid request"))
            .await
            .map_err(std::io::Error::other)?;
        let echoed = response.headers().get("x-correlation-id").cloned();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(std::io::Error::other)?
            .to_bytes();
        println!(
            "-> response x-correlation-id={echoed:?} body={}\n",
            String::from_utf8_lossy(&body)
        );
    }

    drop(client);
    let _ = stop.send(());
    server.await.map_err(std::io::Error::other)??;
    log::info("stopped");
    Ok(())
}

//! The main example: `cargo run --example hello`, then open http://127.0.0.1:3000/.
//!
//! Two middleware provide typed values (a request id and the visitor's name); handlers read them, and
//! the compiler checks every read against the middleware declared above the route.

use baton::{
    Context, Endpoint, Has, Json, KeyList, Lacks, Middleware, Next, Provide, Provider, Response,
    Router, context_key, get,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// A request id: a newtype key (its own value).
#[context_key]
struct RequestId(u64);

/// Who is visiting, from `?name=` (marker key: the value is a `String`).
#[context_key(value = String)]
struct Visitor;

/// Provides `RequestId` and echoes it in `x-request-id` on the way out.
struct AssignRequestId {
    next_id: AtomicU64,
}

impl<P: KeyList + Lacks<RequestId>> Middleware<P> for AssignRequestId {
    type Out = (RequestId, P);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut response = next.run(ctx.provide(RequestId(id))).await;
        response.headers_mut().insert("x-request-id", id.into());
        response
    }
}

/// Provides `Visitor` from the query string, defaulting to "world".
struct IdentifyVisitor;

impl<P: KeyList + Lacks<Visitor>> Provider<P> for IdentifyVisitor {
    type Provides = Visitor;

    async fn provide(&self, ctx: &Context<P>) -> Result<String, Response> {
        let name = ctx
            .uri()
            .query()
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("name=")))
            .unwrap_or("world");
        Ok(name.to_string())
    }
}

async fn hello<P: Has<RequestId> + Has<Visitor>>(ctx: Context<P>) -> String {
    format!(
        "hello, {}! (request #{})\n",
        ctx.get::<Visitor>(),
        ctx.get::<RequestId>().0
    )
}

async fn user<P: Has<RequestId>>(ctx: Context<P>) -> Result<Json<serde_json::Value>, baton::PathRejection> {
    let id: u64 = ctx.path()?;
    Ok(Json(serde_json::json!({ "user": id, "request": ctx.get::<RequestId>().0 })))
}

fn app() -> Router<impl baton::Layers, baton::Sealed> {
    Router::new()
        .with(AssignRequestId { next_id: AtomicU64::new(1) })
        .route("/users/{id}", get(user))
        .scope("/", |greeting| {
            greeting
                .with(Provide(IdentifyVisitor))
                .route("/", get(hello))
        })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::var("BATON_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("baton hello listening on http://{}/", listener.local_addr()?);
    println!("try: curl -i 'http://{}/?name=ada'  or  /users/42", listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    baton::serve(listener, app()).with_graceful_shutdown(shutdown).await
}

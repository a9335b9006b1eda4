//! Loopback benchmark server, baton side: one `get` route answering `"hello world"`, served by
//! `baton::serve`. Used by `benches/loopback.sh`, side by side with `bench_hello_hyper`.
//!
//! The address comes from the first argument, else `BENCH_ADDR`, else `127.0.0.1:0`; the bound address
//! is printed on stdout as `listening on <addr>`.

use baton::{Context, Router, get, handler};

#[handler]
async fn hello(_ctx: Context) -> &'static str {
    "hello world"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("BENCH_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("listening on {}", listener.local_addr()?);
    let app = Router::new().route("/", get(hello));
    baton::serve(listener, app).await
}

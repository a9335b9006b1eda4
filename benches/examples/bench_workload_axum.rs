//! Loopback benchmark server, axum side of the 5-middleware workload (`benches/workload.rs`: five
//! `from_fn` middleware inserting `Extension`s and a handler extracting them), served by `axum::serve`.
//! Used by `benches/loopback_workload.sh`, side by side with `bench_workload_baton`.
//!
//! The address comes from the first argument, else `127.0.0.1:0`; the bound address is printed on
//! stdout as `listening on <addr>`.

// The module is shared with the criterion bench and the callgrind driver; this server uses axum's half.
#[allow(dead_code)]
#[path = "../workload.rs"]
mod workload;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, workload::axum_app::app(workload::pool())).await
}

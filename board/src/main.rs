//! `cargo run -p board`: serves the board on http://127.0.0.1:3000/ (or `BATON_ADDR`).
//! See `board::config` for the other settings (`BOARD_DB`, `BOARD_REDIS`, `BOARD_SECRET`).

use std::str::FromStr;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Request logs (`logger()`) and errors to stderr; `RUST_LOG=debug` (or `info,sqlx=warn`) to change.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| Targets::from_str(&spec).ok())
        .unwrap_or_else(|| Targets::from_str("info,sqlx=warn").expect("a valid filter"));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();

    let config = board::Config::from_env();
    let app = board::build(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.address).await?;
    println!(
        "board listening on http://{}/ (database {})",
        listener.local_addr()?,
        config.database
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    baton::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

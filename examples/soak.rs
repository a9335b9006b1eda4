//! Soak run (not a test): 1 000 000 requests over 256 kept-alive connections through `baton::serve`,
//! sampling the server's resident memory every 100 000 requests.
//!
//! ```sh
//! cargo run --release --example soak             # 1 000 000 requests
//! cargo run --release --example soak -- 200000   # fewer
//! ```
//!
//! The server runs in a child process (this binary with `serve`), so the samples are its memory alone,
//! read from `/proc/<pid>/status` (Linux).

use baton::request_id::request_id;
use baton::{Context, IntoResponse, Router, get, post};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CONNECTIONS: u64 = 256;
const SAMPLE_EVERY: u64 = 100_000;

async fn hello(_ctx: Context) -> &'static str {
    "hello"
}

async fn user(ctx: Context) -> Result<String, baton::PathRejection> {
    let id: u64 = ctx.path()?;
    Ok(format!("user {id}"))
}

async fn echo(mut ctx: Context) -> impl IntoResponse {
    match ctx.json::<serde_json::Value>().await {
        Ok(value) => baton::Json(value).into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

async fn serve() -> std::io::Result<()> {
    let app = Router::new()
        .with(request_id())
        .route("/hello", get(hello))
        .route("/users/{id}", get(user))
        .route("/echo", post(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    // Ends when the driver closes our stdin.
    let stdin_closed = tokio::task::spawn_blocking(|| {
        let _ = std::io::stdin().lines().count();
    });
    baton::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stdin_closed.await;
        })
        .await
}

fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn request(addr: &str, n: u64) -> http::Request<Full<Bytes>> {
    let builder = http::Request::builder().header("host", addr);
    match n % 3 {
        0 => builder.uri("/hello").body(Full::default()),
        1 => builder.uri(format!("/users/{n}")).body(Full::default()),
        _ => builder
            .method("POST")
            .uri("/echo")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(format!(
                r#"{{"n":{n},"text":"soak"}}"#
            )))),
    }
    .expect("request")
}

async fn drive(total: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut addr = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut addr)?;
    let addr = addr.trim().to_string();
    let idle_rss = resident_kib(pid);
    println!("server pid {pid} on {addr}; resident memory before load: {idle_rss} KiB");
    println!("{:>9}  {:>12}  {:>9}", "requests", "VmRSS (KiB)", "req/s");

    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let per_connection = total / CONNECTIONS;
    let mut workers = Vec::new();
    for worker in 0..CONNECTIONS {
        let (addr, done) = (addr.clone(), done.clone());
        let count = per_connection + u64::from(worker < total % CONNECTIONS);
        workers.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(&addr).await?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            for n in 0..count {
                sender.ready().await?;
                let response = sender.send_request(request(&addr, worker + n)).await?;
                assert!(response.status().is_success(), "{}", response.status());
                response.into_body().collect().await?;
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if finished % SAMPLE_EVERY == 0 {
                    let rate = finished as f64 / started.elapsed().as_secs_f64();
                    println!("{finished:>9}  {:>12}  {rate:>9.0}", resident_kib(pid));
                }
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        }));
    }
    for worker in workers {
        worker.await?.map_err(|error| error.to_string())?;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!(
        "{} requests in {:.1} s ({:.0} req/s); resident memory after load: {} KiB",
        done.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        done.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        resident_kib(pid)
    );
    drop(child.stdin.take());
    child.wait()?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("serve") => Ok(serve().await?),
        total => drive(total.map_or(Ok(1_000_000), str::parse)?).await,
    }
}

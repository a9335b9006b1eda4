//! `baton::serve` facing misbehaving clients, over real loopback sockets: slowloris, idle and queued
//! connections, running out of file descriptors, shutdown with half-sent requests, and bodies over the
//! limit (a 500 MB upload included). Timeouts are set to a second or two; every wait is bounded.

use baton::request_id::request_id;
use baton::{App, BodyLimit, Context, Router, Serve, body_limit, get, post};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{RwLock, oneshot};
use tokio::time::timeout;

/// The memory test measures the whole process: it runs alone, the others share.
static MEASURING: RwLock<()> = RwLock::const_new(());

const SECOND: Duration = Duration::from_secs(1);

async fn upload(mut ctx: Context) -> Result<String, baton::BodyRejection> {
    Ok(format!("{} bytes", ctx.bytes().await?.len()))
}

async fn hello(_ctx: Context) -> &'static str {
    "hello"
}

async fn sleep(_ctx: Context) -> &'static str {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    "slept"
}

fn app() -> App {
    Router::new()
        .with(request_id())
        .route("/hello", get(hello))
        .route("/sleep", get(sleep))
        .route("/upload", post(upload))
        .scope("/big", |big| {
            big.with(body_limit(8 << 20)).route("/", post(upload))
        })
        .scope("/tiny", |tiny| {
            tiny.route("/", post(upload)).layer(BodyLimit::new(16))
        })
        .into()
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(configure: impl FnOnce(Serve<App>) -> Serve<App>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serve = configure(baton::serve(listener, app()));
    let task = tokio::spawn(
        serve
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .into_future(),
    );
    Server {
        addr,
        stop: Some(stop),
        task,
    }
}

impl Server {
    async fn connect(&self) -> TcpStream {
        timeout(SECOND, TcpStream::connect(self.addr))
            .await
            .unwrap()
            .unwrap()
    }

    /// Signals shutdown and returns how long `serve` took to return.
    async fn stop(mut self) -> Duration {
        let started = Instant::now();
        self.stop.take().unwrap().send(()).unwrap();
        timeout(10 * SECOND, self.task)
            .await
            .expect("serve returns")
            .unwrap()
            .unwrap();
        started.elapsed()
    }
}

/// Reads one HTTP/1 response: status, head (lowercase) and body (by `content-length`).
async fn read_response(stream: &mut (impl AsyncRead + Unpin)) -> (u16, String, Vec<u8>) {
    let mut raw = Vec::new();
    let head_end = loop {
        if let Some(end) = raw.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0; 4096];
        let read = stream.read(&mut chunk).await.expect("response");
        assert!(read > 0, "connection closed mid-response: {raw:?}");
        raw.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map_or(0, |value| value.trim().parse().unwrap());
    let mut body = raw[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0; 4096];
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0);
        body.extend_from_slice(&chunk[..read]);
    }
    (status, head, body)
}

/// Waits for the server to close `stream` (EOF or reset), returning after how long.
async fn closed_after(stream: &mut (impl AsyncRead + Unpin), limit: Duration) -> Duration {
    let started = Instant::now();
    let mut buf = [0; 1024];
    timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the server closes the connection");
    started.elapsed()
}

const GET_HELLO: &[u8] = b"GET /hello HTTP/1.1\r\nhost: localhost\r\n\r\n";

/// Sends `bytes` one every 300 ms until the connection fails.
fn trickle(mut writer: tokio::net::tcp::OwnedWriteHalf, bytes: &'static [u8]) {
    tokio::spawn(async move {
        for byte in bytes.iter().cycle() {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_client_is_dropped_within_the_header_timeout() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| serve.header_read_timeout(SECOND).idle_timeout(30 * SECOND)).await;

    // HTTP/1, the first request of a connection.
    let (mut reader, writer) = server.connect().await.into_split();
    trickle(
        writer,
        b"GET /hello HTTP/1.1\r\nhost: localhost\r\nx-slow: ",
    );
    let elapsed = closed_after(&mut reader, 4 * SECOND).await;
    assert!(elapsed < 2 * SECOND, "dropped after {elapsed:?}");

    // The HTTP/2 preface, before hyper's parsers even start.
    let (mut reader, writer) = server.connect().await.into_split();
    trickle(writer, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    let elapsed = closed_after(&mut reader, 4 * SECOND).await;
    assert!(elapsed < 2 * SECOND, "dropped after {elapsed:?}");

    // The second request of a kept-alive connection: the header clock starts at its first byte.
    let mut stream = server.connect().await;
    stream.write_all(GET_HELLO).await.unwrap();
    let (status, _, body) = read_response(&mut stream).await;
    assert_eq!((status, &body[..]), (200, &b"hello"[..]));
    let (mut reader, writer) = stream.into_split();
    trickle(
        writer,
        b"GET /hello HTTP/1.1\r\nhost: localhost\r\nx-slow: ",
    );
    let elapsed = closed_after(&mut reader, 4 * SECOND).await;
    assert!(elapsed < 2 * SECOND, "dropped after {elapsed:?}");

    // The server is fine.
    let mut stream = server.connect().await;
    stream.write_all(GET_HELLO).await.unwrap();
    assert_eq!(read_response(&mut stream).await.0, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_dropped_and_busy_ones_are_not() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| serve.header_read_timeout(SECOND).idle_timeout(SECOND)).await;

    // A connection that never sends anything.
    let mut silent = server.connect().await;
    let elapsed = closed_after(&mut silent, 4 * SECOND).await;
    assert!(elapsed < 2 * SECOND, "dropped after {elapsed:?}");

    // A kept-alive connection after its response.
    let mut kept = server.connect().await;
    kept.write_all(GET_HELLO).await.unwrap();
    assert_eq!(read_response(&mut kept).await.0, 200);
    let elapsed = closed_after(&mut kept, 4 * SECOND).await;
    assert!(
        elapsed > SECOND / 2 && elapsed < 2 * SECOND,
        "dropped after {elapsed:?}"
    );

    // A handler running longer than the idle timeout is not cut.
    let mut busy = server.connect().await;
    busy.write_all(b"GET /sleep HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let (status, _, body) = timeout(4 * SECOND, read_response(&mut busy)).await.unwrap();
    assert_eq!((status, &body[..]), (200, &b"slept"[..]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_time_out_over_http2_too() {
    use http_body_util::{BodyExt, Empty};
    let _shared = MEASURING.read().await;
    let server = start(|serve| serve.header_read_timeout(SECOND).idle_timeout(SECOND)).await;
    let io = hyper_util::rt::TokioIo::new(server.connect().await);
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io)
            .await
            .unwrap();
    let connection = tokio::spawn(connection);
    let request = http::Request::get(format!("http://{}/hello", server.addr))
        .body(Empty::<bytes::Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "hello"
    );
    // The server sends GOAWAY after the idle timeout and the client's connection task ends.
    let started = Instant::now();
    let _ = timeout(4 * SECOND, connection)
        .await
        .expect("HTTP/2 connection closed");
    assert!(started.elapsed() < 3 * SECOND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_cap_a_new_client_waits_until_one_frees() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| {
        serve
            .max_connections(8)
            .header_read_timeout(30 * SECOND)
            .idle_timeout(30 * SECOND)
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(server.connect().await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    // The ninth connects (the kernel's backlog) but is not served while all eight are open...
    let mut ninth = server.connect().await;
    ninth
        .write_all(b"GET /hello HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(
        timeout(Duration::from_millis(500), read_response(&mut ninth))
            .await
            .is_err(),
        "served past the cap"
    );
    // ...and is served as soon as one closes.
    drop(idle.pop());
    let (status, _, body) = timeout(2 * SECOND, read_response(&mut ninth))
        .await
        .unwrap();
    assert_eq!((status, &body[..]), (200, &b"hello"[..]));

    // The server keeps accepting within the cap.
    let mut next = server.connect().await;
    next.write_all(GET_HELLO).await.unwrap();
    assert_eq!(
        timeout(2 * SECOND, read_response(&mut next))
            .await
            .unwrap()
            .0,
        200
    );
    drop(idle);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_clients_filling_the_cap_time_out_and_new_requests_are_answered() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| serve.max_connections(8).header_read_timeout(SECOND)).await;
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(server.connect().await);
    }
    let mut late = server.connect().await;
    late.write_all(GET_HELLO).await.unwrap();
    let (status, _, _) = timeout(4 * SECOND, read_response(&mut late)).await.unwrap();
    assert_eq!(status, 200);
    for stream in &mut idle {
        closed_after(stream, SECOND).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_with_a_half_sent_request_returns_within_the_deadline() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| {
        serve
            .header_read_timeout(30 * SECOND)
            .idle_timeout(30 * SECOND)
            .shutdown_deadline(SECOND)
    })
    .await;
    let mut half_sent = server.connect().await;
    half_sent
        .write_all(b"GET /hello HTTP/1.1\r\nhost: loc")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let elapsed = server.stop().await;
    assert!(
        elapsed > SECOND / 2 && elapsed < 3 * SECOND,
        "serve returned after {elapsed:?}"
    );
    closed_after(&mut half_sent, SECOND).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_time_and_closes_idle_connections_at_once() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| serve.shutdown_deadline(5 * SECOND)).await;
    let mut idle = server.connect().await;
    idle.write_all(GET_HELLO).await.unwrap();
    assert_eq!(read_response(&mut idle).await.0, 200);
    let mut busy = server.connect().await;
    busy.write_all(b"GET /sleep HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answered = tokio::spawn(async move { read_response(&mut busy).await });
    let elapsed = server.stop().await;
    // Waited for the sleeping handler (1.5 s), not for the deadline (5 s).
    assert!(elapsed > SECOND && elapsed < 3 * SECOND, "{elapsed:?}");
    assert_eq!(answered.await.unwrap().0, 200);
    closed_after(&mut idle, SECOND).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_a_413_through_the_middleware() {
    let _shared = MEASURING.read().await;
    let server = start(|serve| serve).await;

    // A `Content-Length` over the limit: answered before a byte of the body is sent.
    let mut stream = server.connect().await;
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nhost: localhost\r\ncontent-length: 3145728\r\n\r\n")
        .await
        .unwrap();
    let (status, head, body) = timeout(2 * SECOND, read_response(&mut stream))
        .await
        .unwrap();
    assert_eq!(status, 413);
    assert!(head.contains("x-request-id: "), "{head}");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "request body is larger than the limit of 2097152 bytes"
    );

    // A chunked body crossing it.
    let mut stream = server.connect().await;
    stream
        .write_all(
            b"POST /upload HTTP/1.1\r\nhost: localhost\r\ntransfer-encoding: chunked\r\n\r\n",
        )
        .await
        .unwrap();
    let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
    let (mut reader, mut writer) = stream.into_split();
    tokio::spawn(async move {
        for _ in 0..64 {
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let (status, head, _) = timeout(2 * SECOND, read_response(&mut reader))
        .await
        .unwrap();
    assert_eq!(status, 413);
    assert!(head.contains("x-request-id: "), "{head}");

    // Raised in one scope, lowered in another.
    for (path, size, expected) in [
        ("/big", 3 << 20, 200),
        ("/tiny", 16, 200),
        ("/tiny", 17, 413),
        ("/upload", 2 << 20, 200),
    ] {
        let mut stream = server.connect().await;
        let head =
            format!("POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-length: {size}\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        // The writer is kept open: hyper treats a client's half-close mid-request as an abort.
        let sender = tokio::spawn(async move {
            let _ = writer.write_all(&vec![b'x'; size]).await;
            writer
        });
        let (status, _, _) = timeout(4 * SECOND, read_response(&mut reader))
            .await
            .unwrap();
        drop(sender);
        assert_eq!(status, expected, "{path} with {size} bytes");
    }
    server.stop().await;
}

fn resident_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Streams a 500 MB body (chunked, or with its `Content-Length`) from one reused 64 KiB buffer until
/// the server answers or closes; returns the status.
async fn upload_500_mb(server: &Server, chunked: bool) -> u16 {
    const TOTAL: usize = 500 * 1024 * 1024;
    const CHUNK: usize = 64 * 1024;
    let stream = server.connect().await;
    let (mut reader, mut writer) = stream.into_split();
    let head = if chunked {
        "POST /upload HTTP/1.1\r\nhost: localhost\r\ntransfer-encoding: chunked\r\n\r\n".to_string()
    } else {
        format!("POST /upload HTTP/1.1\r\nhost: localhost\r\ncontent-length: {TOTAL}\r\n\r\n")
    };
    let sender = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let data = vec![b'x'; CHUNK];
        let mut frame = format!("{CHUNK:x}\r\n").into_bytes();
        frame.extend_from_slice(&data);
        frame.extend_from_slice(b"\r\n");
        for _ in 0..TOTAL / CHUNK {
            writer
                .write_all(if chunked { &frame } else { &data })
                .await?;
        }
        std::io::Result::Ok(())
    });
    let (status, _, _) = timeout(20 * SECOND, read_response(&mut reader))
        .await
        .expect("answered");
    // The server stops reading: the upload fails long before 500 MB.
    let sent = timeout(20 * SECOND, sender)
        .await
        .expect("upload ends")
        .unwrap();
    assert!(sent.is_err(), "the whole 500 MB went through");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_mb_upload_is_a_413_and_memory_stays_under_twice_the_limit() {
    let _alone = MEASURING.write().await;
    let server = start(|serve| serve).await;
    // Warm up: the runtime, hyper's buffers and one body at the limit.
    let mut stream = server.connect().await;
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nhost: localhost\r\ncontent-length: 5\r\n\r\nhello")
        .await
        .unwrap();
    assert_eq!(read_response(&mut stream).await.0, 200);
    let before = resident_kib("VmHWM:");
    assert_eq!(upload_500_mb(&server, true).await, 413);
    assert_eq!(upload_500_mb(&server, false).await, 413);
    let peak = resident_kib("VmHWM:");
    let growth = (peak.saturating_sub(before)) * 1024;
    println!("peak resident memory grew by {growth} bytes");
    assert!(
        growth < 2 * BodyLimit::DEFAULT as u64,
        "peak resident memory grew by {growth} bytes"
    );
    server.stop().await;
}

/// Runs in a child process whose file-descriptor limit the parent lowered: fills the descriptor table
/// so `accept` fails with EMFILE, then frees some and expects the queued client to be served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_survives_running_out_of_file_descriptors() {
    if std::env::var_os("BATON_EMFILE_CHILD").is_none() {
        let _shared = MEASURING.read().await;
        run_in_child_with_few_descriptors("accept_survives_running_out_of_file_descriptors");
        return;
    }
    let server = start(|serve| serve.max_connections(100_000)).await;
    let mut fillers = Vec::new();
    while let Ok(file) = std::fs::File::open("/dev/null") {
        fillers.push(file);
    }
    // One descriptor for the client's socket, none left for the server's accept.
    drop(fillers.pop());
    let mut client = server.connect().await;
    client.write_all(GET_HELLO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!server.task.is_finished(), "serve ended on EMFILE");
    drop(fillers.drain(..8));
    let (status, _, _) = timeout(2 * SECOND, read_response(&mut client))
        .await
        .unwrap();
    assert_eq!(status, 200);
    drop(fillers);
    server.stop().await;
}

fn run_in_child_with_few_descriptors(test: &str) {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("BATON_EMFILE_CHILD", "1");
    // SAFETY: `setrlimit` is async-signal-safe and touches only the child about to exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256,
                rlim_max: 256,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

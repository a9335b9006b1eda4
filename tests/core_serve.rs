//! Real loopback requests through `baton::serve` with hyper-util's client (HTTP/1 and HTTP/2), every
//! step bounded by a timeout; graceful shutdown; a client that disconnects cancels its chain.

use baton::{
    Context, Endpoint, IntoResponse, Json, KeyList, Lacks, Middleware, Next, Provider,
    ProviderMiddleware, Response, Router, StatusCode, context_key, get, post,
};
use bytes::Bytes;
use http::{HeaderValue, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn bounded<F: Future>(future: F) -> F::Output {
    timeout(LIMIT, future).await.expect("timed out")
}

#[context_key]
struct RequestNumber(u64);

/// Provides a request number from `x-request-number` (default 0).
struct Number;

impl<P: KeyList + Lacks<RequestNumber>> Provider<P> for Number {
    type Provides = RequestNumber;

    async fn provide(&self, ctx: &Context<P>) -> Result<RequestNumber, Response> {
        match ctx.headers().get("x-request-number") {
            None => Ok(RequestNumber(0)),
            Some(value) => value
                .to_str()
                .ok()
                .and_then(|text| text.parse().ok())
                .map(RequestNumber)
                .ok_or_else(|| (StatusCode::BAD_REQUEST, "bad request number").into_response()),
        }
    }
}

/// Tags every response, 404s included.
struct Served;

impl<P: KeyList> Middleware<P> for Served {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        let mut response = next.run(ctx).await;
        response
            .headers_mut()
            .insert("x-served-by", HeaderValue::from_static("baton"));
        response
    }
}

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Echo {
    text: String,
}

/// What the slow routes share with the test.
#[derive(Default)]
struct Hooks {
    entered: Notify,
    release: Notify,
    dropped: Arc<AtomicBool>,
}

fn app(hooks: Arc<Hooks>) -> Router<impl baton::Chain, baton::Routed> {
    let hang = hooks.clone();
    Router::new()
        .with(Served)
        .route("/hello", get(|_: Context| async { "hello, world" }))
        .scope("/numbered", |numbered| {
            numbered.with(ProviderMiddleware(Number)).route(
                "/{name}",
                get(|ctx: Context<(RequestNumber, ())>| async move {
                    let name: String = ctx.path()?;
                    Ok::<_, baton::PathRejection>(format!(
                        "{name} #{}",
                        ctx.get::<RequestNumber>().0
                    ))
                }),
            )
        })
        .route(
            "/echo",
            post(|mut ctx: Context| async move {
                let echo: Echo = ctx.json().await?;
                Ok::<_, baton::BodyRejection>(Json(Echo {
                    text: echo.text.to_uppercase(),
                }))
            }),
        )
        .route("/boom", get(|_: Context| async { boom() }))
        .route(
            "/slow",
            get(move |_: Context| {
                let hooks = hooks.clone();
                async move {
                    hooks.entered.notify_one();
                    hooks.release.notified().await;
                    "finally"
                }
            }),
        )
        .route(
            "/hang",
            get(move |_: Context| {
                let hooks = hang.clone();
                async move {
                    let _guard = DropFlag(hooks.dropped.clone());
                    hooks.entered.notify_one();
                    std::future::pending::<()>().await;
                    "never"
                }
            }),
        )
}

fn boom() -> &'static str {
    panic!("handler exploded over the wire")
}

struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(hooks: Arc<Hooks>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(
        baton::serve(listener, app(hooks))
            .with_graceful_shutdown(async move {
                let _ = signal.await;
            })
            .into_future(),
    );
    Server {
        addr,
        shutdown: Some(shutdown),
        task,
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn stop(mut self) {
        self.shutdown.take().unwrap().send(()).unwrap();
        bounded(self.task).await.unwrap().unwrap();
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn http1_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

fn http2_client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

async fn send(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
) -> (http::response::Parts, Bytes) {
    let response = bounded(client.request(request)).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = bounded(body.collect()).await.unwrap().to_bytes();
    (parts, body)
}

fn request(method: Method, url: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(url)
        .body(Full::default())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_loopback_request_is_served_and_graceful_shutdown_completes() {
    let server = start(Arc::default()).await;
    let client = http1_client();

    let (parts, body) = send(&client, request(Method::GET, &server.url("/hello"))).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(parts.version, http::Version::HTTP_11);
    assert_eq!(parts.headers["x-served-by"], "baton");
    assert_eq!(parts.headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(body, "hello, world");

    // A provider and a path parameter over the wire, and the provider's early return.
    let mut numbered = request(Method::GET, &server.url("/numbered/ada%20l"));
    numbered
        .headers_mut()
        .insert("x-request-number", HeaderValue::from_static("42"));
    let (parts, body) = send(&client, numbered).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(body, "ada l #42");
    let mut bad = request(Method::GET, &server.url("/numbered/ada"));
    bad.headers_mut()
        .insert("x-request-number", HeaderValue::from_static("forty-two"));
    let (parts, body) = send(&client, bad).await;
    assert_eq!(parts.status, StatusCode::BAD_REQUEST);
    assert_eq!(parts.headers["x-served-by"], "baton");
    assert_eq!(body, "bad request number");

    // A JSON body in and out.
    let echo = Request::post(server.url("/echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"text":"quiet"}"#)))
        .unwrap();
    let (parts, body) = send(&client, echo).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(parts.headers["content-type"], "application/json");
    assert_eq!(body, r#"{"text":"QUIET"}"#);

    // 404 and 405 over the wire, with the global middleware's header.
    let (parts, _) = send(&client, request(Method::GET, &server.url("/nope"))).await;
    assert_eq!(parts.status, StatusCode::NOT_FOUND);
    assert_eq!(parts.headers["x-served-by"], "baton");
    let (parts, _) = send(&client, request(Method::DELETE, &server.url("/hello"))).await;
    assert_eq!(parts.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(parts.headers["allow"], "GET, HEAD");

    let addr = server.addr;
    server.stop().await;
    // The listener is closed: a new connection is refused.
    assert!(bounded(TcpStream::connect(addr)).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_requests_are_served_on_the_same_port() {
    let server = start(Arc::default()).await;
    let client = http2_client();
    for _ in 0..3 {
        let (parts, body) = send(&client, request(Method::GET, &server.url("/hello"))).await;
        assert_eq!(parts.status, StatusCode::OK);
        assert_eq!(parts.version, http::Version::HTTP_2);
        assert_eq!(parts.headers["x-served-by"], "baton");
        assert_eq!(body, "hello, world");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_over_the_wire_has_the_get_headers_and_no_body() {
    let server = start(Arc::default()).await;
    let client = http1_client();
    let (get_parts, get_body) = send(&client, request(Method::GET, &server.url("/hello"))).await;
    let (head_parts, head_body) = send(&client, request(Method::HEAD, &server.url("/hello"))).await;
    assert_eq!(head_parts.status, StatusCode::OK);
    assert!(head_body.is_empty());
    assert_eq!(head_parts.headers["x-served-by"], "baton");
    assert_eq!(
        head_parts.headers["content-type"],
        get_parts.headers["content-type"]
    );
    assert_eq!(get_parts.headers["content-length"], "12");
    assert_eq!(get_body.len(), 12);
    // HEAD announces the length GET would send (RFC 9110 §9.3.2), not 0.
    assert_eq!(
        head_parts.headers.get("content-length"),
        get_parts.headers.get("content-length")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_over_the_wire_is_a_500_and_the_server_keeps_serving() {
    let server = start(Arc::default()).await;
    let client = http1_client();
    let (parts, _) = send(&client, request(Method::GET, &server.url("/boom"))).await;
    assert_eq!(parts.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(parts.headers["x-served-by"], "baton");
    // Same client (likely the same kept-alive connection) and a fresh one.
    let (parts, body) = send(&client, request(Method::GET, &server.url("/hello"))).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(body, "hello, world");
    let (parts, _) = send(&http1_client(), request(Method::GET, &server.url("/hello"))).await;
    assert_eq!(parts.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_lets_an_in_flight_request_finish() {
    let hooks: Arc<Hooks> = Arc::default();
    let server = start(hooks.clone()).await;
    let client = http1_client();

    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = server.url("/slow");
        async move { send(&client, request(Method::GET, &url)).await }
    });
    bounded(hooks.entered.notified()).await;

    let Server {
        addr,
        shutdown,
        task,
    } = server;
    shutdown.unwrap().send(()).unwrap();
    // The server waits for the request in flight...
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!task.is_finished(), "shutdown waits for open requests");
    // ...which completes normally once its handler is released.
    hooks.release.notify_one();
    let (parts, body) = bounded(in_flight).await.unwrap();
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(body, "finally");
    bounded(task).await.unwrap().unwrap();
    assert!(bounded(TcpStream::connect(addr)).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_cancels_its_chain() {
    let hooks: Arc<Hooks> = Arc::default();
    let server = start(hooks.clone()).await;

    let mut stream = bounded(TcpStream::connect(server.addr)).await.unwrap();
    stream
        .write_all(b"GET /hang HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    bounded(hooks.entered.notified()).await;
    assert!(!hooks.dropped.load(Ordering::SeqCst));

    drop(stream);
    bounded(async {
        while !hooks.dropped.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;

    // The server is unaffected; shutdown does not wait for the cancelled request.
    let (parts, _) = send(&http1_client(), request(Method::GET, &server.url("/hello"))).await;
    assert_eq!(parts.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_http1_exchange_is_well_formed() {
    let server = start(Arc::default()).await;
    let mut stream = bounded(TcpStream::connect(server.addr)).await.unwrap();
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    bounded(stream.read_to_end(&mut raw)).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(raw.contains("x-served-by: baton\r\n"), "{raw}");
    assert!(raw.ends_with("\r\n\r\nhello, world"), "{raw}");
    server.stop().await;
}

/// A service that is not ready on its first `poll_ready`, as a concurrency limit at capacity is.
#[derive(Clone)]
struct NotReadyAtFirst {
    asked: Arc<AtomicBool>,
}

impl tower::Service<http::Request<hyper::body::Incoming>> for NotReadyAtFirst {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Response, std::convert::Infallible>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        if self.asked.swap(true, Ordering::SeqCst) {
            std::task::Poll::Ready(Ok(()))
        } else {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }

    fn call(&mut self, _request: http::Request<hyper::body::Incoming>) -> Self::Future {
        std::future::ready(Ok("ready now".into_response()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_is_not_ready_yet_is_waited_for() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = NotReadyAtFirst {
        asked: Arc::default(),
    };
    tokio::spawn(baton::serve(listener, service).into_future());
    let (parts, body) = send(
        &http1_client(),
        request(Method::GET, &format!("http://{addr}/")),
    )
    .await;
    assert_eq!(parts.status, 200);
    assert_eq!(body, "ready now");
}

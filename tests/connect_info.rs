//! The connection's addresses reach the request over real loopback connections: `ctx.connect_info()`
//! and the `connection_info()` key, on HTTP/1.1 and HTTP/2, directly and behind a layer that calls the
//! router only from its own future. Every step is bounded by a timeout.

use baton::connection::{Connection, connection_info};
use baton::{Body, Context, Response, Router, get, handler};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tower::{Service, ServiceExt};

async fn bounded<F: Future>(future: F) -> F::Output {
    timeout(Duration::from_secs(10), future)
        .await
        .expect("timed out")
}

#[handler]
async fn untyped(ctx: Context) -> String {
    match ctx.connect_info() {
        Some(info) => format!("{} {}", info.peer, info.local),
        None => "none".to_string(),
    }
}

#[handler]
async fn typed(ctx: Context) -> String {
    let connection = ctx.get::<Connection>();
    format!("{} {}", connection.peer, connection.local)
}

fn app() -> Router<impl baton::Chain, baton::Routed> {
    Router::new()
        .route("/untyped", get(untyped))
        .scope("/typed", |scope| {
            scope.with(connection_info()).route("/", get(typed))
        })
}

/// A layer that calls its inner service only when its own future is first polled, as a tower
/// `Oneshot` inside another framework's router does.
#[derive(Clone)]
struct Deferred<S>(S);

impl<S> Service<http::Request<hyper::body::Incoming>> for Deferred<S>
where
    S: Service<http::Request<hyper::body::Incoming>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<hyper::body::Incoming>) -> Self::Future {
        let inner = self.0.clone();
        Box::pin(async move {
            tokio::task::yield_now().await;
            inner.oneshot(request).await
        })
    }
}

async fn start<S>(service: S) -> SocketAddr
where
    S: Service<http::Request<hyper::body::Incoming>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(baton::serve(listener, service).into_future());
    address
}

/// One GET on a fresh connection; the body, and the client's own address.
async fn get_over(http2: bool, server: SocketAddr, path: &str) -> (String, SocketAddr) {
    let stream = bounded(TcpStream::connect(server)).await.unwrap();
    let client = stream.local_addr().unwrap();
    let request = http::Request::get(path)
        .header("host", "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = if http2 {
        let (mut sender, connection) = bounded(hyper::client::conn::http2::handshake(
            TokioExecutor::new(),
            TokioIo::new(stream),
        ))
        .await
        .unwrap();
        tokio::spawn(connection);
        bounded(sender.send_request(request)).await.unwrap()
    } else {
        let (mut sender, connection) =
            bounded(hyper::client::conn::http1::handshake(TokioIo::new(stream)))
                .await
                .unwrap();
        tokio::spawn(connection);
        bounded(sender.send_request(request)).await.unwrap()
    };
    assert_eq!(response.status(), 200);
    let body = bounded(response.into_body().collect())
        .await
        .unwrap()
        .to_bytes();
    (String::from_utf8(body.to_vec()).unwrap(), client)
}

async fn check(server: SocketAddr) {
    for http2 in [false, true] {
        for path in ["/untyped", "/typed"] {
            let (body, client) = get_over(http2, server, path).await;
            assert_eq!(
                body,
                format!("{client} {server}"),
                "{path} over HTTP/{}",
                if http2 { 2 } else { 1 }
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_request_knows_its_connection() {
    check(start(app()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_called_from_a_layers_future_knows_its_connection_too() {
    check(start(Deferred(app())).await).await;
}

#[tokio::test(flavor = "current_thread")]
async fn an_in_process_request_has_none_unless_the_test_sets_one() {
    let app = app();
    let request = http::Request::get("/untyped").body(Body::empty()).unwrap();
    let body = app.call_request(request).await.into_body();
    assert_eq!(body.collect_bytes().await.unwrap(), "none");

    let mut request = http::Request::get("/untyped").body(Body::empty()).unwrap();
    request.extensions_mut().insert(baton::ConnectInfo {
        peer: "203.0.113.7:52100".parse().unwrap(),
        local: "127.0.0.1:3000".parse().unwrap(),
    });
    let body = app.call_request(request).await.into_body();
    assert_eq!(
        body.collect_bytes().await.unwrap(),
        "203.0.113.7:52100 127.0.0.1:3000"
    );

    // Without `serve` and without a `ConnectInfo`, the key's middleware answers 500.
    let request = http::Request::get("/typed").body(Body::empty()).unwrap();
    assert_eq!(app.call_request(request).await.status(), 500);
}

//! The request body limit in process: the default, scopes and handlers changing it, every reader
//! honouring it, and another layer's length limit answered with a 413 too.

use baton::{Body, BodyLimit, BodyRejection, Context, IntoResponse, Router, body_limit, post};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as HttpBody, Frame};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

async fn length(mut ctx: Context) -> Result<String, BodyRejection> {
    Ok(ctx.bytes().await?.len().to_string())
}

/// A body in 1 KiB frames with no announced length, like a chunked upload.
struct Chunked(usize);

impl HttpBody for Chunked {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let size = self.0.min(1024);
        self.0 -= size;
        Poll::Ready((size > 0).then(|| Ok(Frame::data(Bytes::from(vec![b'x'; size])))))
    }
}

async fn call(
    app: &Router<impl baton::Chain, baton::Routed>,
    path: &str,
    body: Body,
) -> (u16, String) {
    let response = app
        .call_request(http::Request::post(path).body(body).unwrap())
        .await;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_default_applies_without_mounting_anything() {
    let app = Router::new().route("/", post(length));
    let limit = BodyLimit::DEFAULT;
    assert_eq!(call(&app, "/", Body::from(vec![0; limit])).await.0, 200);
    let (status, message) = call(&app, "/", Body::from(vec![0; limit + 1])).await;
    assert_eq!(status, 413);
    assert_eq!(
        message,
        "request body is larger than the limit of 2097152 bytes"
    );
    assert_eq!(call(&app, "/", Body::new(Chunked(limit))).await.0, 200);
    assert_eq!(call(&app, "/", Body::new(Chunked(limit + 1))).await.0, 413);
}

#[tokio::test]
async fn the_innermost_limit_wins() {
    let app = Router::new()
        .with(body_limit(100))
        .route("/outer", post(length))
        .scope("/raised", |raised| {
            raised.with(body_limit(1000)).route("/", post(length))
        })
        .scope("/lowered", |lowered| {
            lowered.with(body_limit(10)).route("/", post(length))
        })
        .route(
            "/handler",
            post(|mut ctx: Context| async move {
                ctx.extensions_mut().insert(BodyLimit::new(5));
                ctx.text().await
            }),
        );
    for (path, size, expected) in [
        ("/outer", 100, 200),
        ("/outer", 101, 413),
        ("/raised", 1000, 200),
        ("/raised", 1001, 413),
        ("/lowered", 10, 200),
        ("/lowered", 11, 413),
        ("/handler", 5, 200),
        ("/handler", 6, 413),
    ] {
        let (status, _) = call(&app, path, Body::new(Chunked(size))).await;
        assert_eq!(status, expected, "{path} {size}");
    }
}

#[tokio::test]
async fn as_a_tower_layer_it_sets_the_limit_before_baton_middleware_run() {
    // Tower layers run outside the routes' baton middleware: a layer sets the limit for routes whose
    // chain does not set one, and a `body_limit` middleware on the route's path, the router's global
    // one included, runs later and wins.
    let app = Router::new()
        .route("/", post(length))
        .scope("/tiny", |tiny| {
            tiny.route("/", post(length)).layer(BodyLimit::new(10))
        })
        .layer(BodyLimit::new(100));
    for (path, size, expected) in [
        ("/", 100, 200),
        ("/", 101, 413),
        ("/tiny", 10, 200),
        ("/tiny", 11, 413),
    ] {
        let (status, _) = call(&app, path, Body::new(Chunked(size))).await;
        assert_eq!(status, expected, "{path} {size}");
    }
    let app = Router::new().with(body_limit(100)).scope("/tiny", |tiny| {
        tiny.route("/", post(length)).layer(BodyLimit::new(10))
    });
    assert_eq!(call(&app, "/tiny", Body::new(Chunked(50))).await.0, 200);
}

#[tokio::test]
async fn every_reader_honours_the_limit() {
    let request = |size: usize| {
        let mut ctx = Context::from_request(
            http::Request::post("/")
                .header("content-type", "application/json")
                .body(Body::new(Chunked(size)))
                .unwrap(),
        );
        ctx.extensions_mut().insert(BodyLimit::new(2048));
        ctx
    };
    assert!(matches!(
        request(4096).text().await,
        Err(BodyRejection::TooLarge { limit: 2048 })
    ));
    assert!(matches!(
        request(4096).json::<serde_json::Value>().await,
        Err(BodyRejection::TooLarge { limit: 2048 })
    ));
    // A parser of its own reading `take_body` frame by frame is cut off too.
    let mut body = request(4096).take_body();
    let mut seen = 0;
    let error = loop {
        match body.frame().await {
            Some(Ok(frame)) => seen += frame.into_data().map_or(0, |data| data.len()),
            Some(Err(error)) => break error,
            None => panic!("read past the limit"),
        }
    };
    assert!(seen <= 2048);
    assert!(matches!(
        BodyRejection::from_read_error(error),
        BodyRejection::TooLarge { limit: 2048 }
    ));
}

#[tokio::test]
async fn another_layers_length_limit_is_a_413_too() {
    let limited = http_body_util::Limited::new(Chunked(4096), 1000);
    let mut ctx = Context::from_request(http::Request::post("/").body(Body::new(limited)).unwrap());
    let rejection = ctx.bytes().await.unwrap_err();
    assert!(matches!(rejection, BodyRejection::Read(_)));
    assert_eq!(rejection.into_response().status(), 413);
}

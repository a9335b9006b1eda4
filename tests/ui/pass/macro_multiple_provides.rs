// One middleware providing several keys, in both forms: a provider returns a tuple in `provides`
// order, an around middleware provides them in that order before calling `next`.
use baton::{Context, Next, Response, Router, StatusCode, context_key, get, handler, middleware};
use http_body_util::BodyExt;

#[context_key]
struct TraceId(u64);
#[context_key]
struct SpanId(u64);
#[context_key(value = bool)]
struct Sampled;

#[context_key]
struct Session(String);
#[context_key(value = Vec<String>)]
struct Roles;

#[middleware(provides = TraceId, SpanId, Sampled)]
async fn trace(ctx: &Context) -> Result<(TraceId, SpanId, bool), StatusCode> {
    let header = ctx
        .headers()
        .get("traceparent")
        .ok_or(StatusCode::BAD_REQUEST)?;
    let text = header.to_str().map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut parts = text.split('-');
    let trace = parts
        .next()
        .and_then(|part| part.parse().ok())
        .ok_or(StatusCode::BAD_REQUEST)?;
    let span = parts
        .next()
        .and_then(|part| part.parse().ok())
        .ok_or(StatusCode::BAD_REQUEST)?;
    Ok((TraceId(trace), SpanId(span), parts.next() == Some("1")))
}

#[middleware(provides = Session, Roles)]
async fn session(ctx: Context, next: Next) -> Response {
    let session = Session(format!("s-{}", ctx.get::<TraceId>().0));
    let ctx = ctx.provide(session);
    let ctx = ctx.provide_as::<Roles>(vec!["reader".to_string(), "writer".to_string()]);
    next.run(ctx).await
}

#[handler]
async fn show(ctx: Context) -> String {
    format!(
        "{}/{} sampled={} {} {}",
        ctx.get::<TraceId>().0,
        ctx.get::<SpanId>().0,
        ctx.get::<Sampled>(),
        ctx.get::<Session>().0,
        ctx.get::<Roles>().join(","),
    )
}

fn main() {
    let app = Router::new()
        .with(trace)
        .with(session)
        .route("/", get(show));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let request = http::Request::get("/")
                .header("traceparent", "7-8-1")
                .body(String::new())
                .unwrap();
            let response = app.call_request(request).await;
            assert_eq!(response.status(), 200);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"7/8 sampled=true s-7 reader,writer");

            let request = http::Request::get("/").body(String::new()).unwrap();
            assert_eq!(app.call_request(request).await.status(), 400);
        });
}

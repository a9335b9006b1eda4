//! `method_override`: POST may become PUT, PATCH or DELETE from `_method`; nothing else changes.

use baton::builtin::form::{FormLimits, form_data};
use baton::builtin::method_override::{MethodOverride, method_override};
use baton::{App, Body, Context, Router, get, handler, post};
use http_body_util::BodyExt;

#[handler]
async fn seen(ctx: Context) -> String {
    let record = ctx.get::<MethodOverride>();
    format!(
        "{} from {} changed={}",
        ctx.method(),
        record.original(),
        record.changed(ctx.method())
    )
}

fn app() -> App {
    Router::new()
        .with(form_data(FormLimits::default()))
        .with(method_override)
        .route("/", get(seen).post(seen))
        .into()
}

async fn send(method: &str, uri: &str, body: &str) -> String {
    let request = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app().call_request(request).await;
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test]
async fn post_becomes_put_patch_or_delete() {
    assert_eq!(
        send("POST", "/", "_method=PUT").await,
        "PUT from POST changed=true"
    );
    assert_eq!(
        send("POST", "/", "a=1&_method=delete").await,
        "DELETE from POST changed=true"
    );
    assert_eq!(
        send("POST", "/", "_method=Patch").await,
        "PATCH from POST changed=true"
    );
}

#[tokio::test]
async fn anything_else_is_ignored() {
    assert_eq!(
        send("POST", "/", "a=1").await,
        "POST from POST changed=false"
    );
    for refused in [
        "GET", "HEAD", "CONNECT", "OPTIONS", "TRACE", "POST", "", "PUTX",
    ] {
        let body = format!("_method={refused}");
        assert_eq!(
            send("POST", "/", &body).await,
            "POST from POST changed=false",
            "{refused}"
        );
    }
    // A GET is never changed, whether `_method` is in its query or in a body it should not have.
    assert_eq!(
        send("GET", "/?_method=DELETE", "_method=DELETE").await,
        "GET from GET changed=false"
    );
}

#[tokio::test]
async fn multipart_forms_override_too() {
    let body = "--B\r\ncontent-disposition: form-data; name=\"_method\"\r\n\r\nDELETE\r\n--B--\r\n";
    let request = http::Request::post("/")
        .header("content-type", "multipart/form-data; boundary=B")
        .body(Body::from(body))
        .unwrap();
    let response = app().call_request(request).await;
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "DELETE from POST changed=true");
}

#[tokio::test]
async fn the_post_route_dispatches_on_the_overridden_method() {
    #[handler]
    async fn update(_ctx: Context) -> &'static str {
        "update"
    }
    #[handler]
    async fn form_entry(ctx: Context) -> &'static str {
        match *ctx.method() {
            http::Method::PUT => update(ctx).await,
            _ => "create",
        }
    }
    let app: App = Router::new()
        .with(form_data(FormLimits::default()))
        .with(method_override)
        .route("/notes", post(form_entry).put(update))
        .into();
    let request = |method: &str, body: &'static str| {
        http::Request::builder()
            .method(method)
            .uri("/notes")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    for (method, body, expected) in [
        ("POST", "_method=PUT", "update"),
        ("PUT", "", "update"),
        ("POST", "", "create"),
    ] {
        let response = app.call_request(request(method, body)).await;
        let text = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, expected, "{method} {body}");
    }
}

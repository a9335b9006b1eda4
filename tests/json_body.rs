//! `ctx.json()`: the content type is checked (415), malformed JSON is a 400, JSON of the wrong shape a
//! 422 naming the field, and nothing of the input is echoed unbounded.

use baton::{App, BodyRejection, Context, IntoResponse, Router, post};
use http_body_util::BodyExt;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Order {
    customer: String,
    items: Vec<Item>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Item {
    sku: String,
    quantity: u32,
}

async fn create(mut ctx: Context) -> Result<String, BodyRejection> {
    let order: Order = ctx.json().await?;
    Ok(format!("{} items", order.items.len()))
}

fn app() -> App {
    Router::new().route("/orders", post(create)).into()
}

async fn send(content_type: Option<&str>, body: &str) -> (u16, String) {
    let mut request = http::Request::post("/orders");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = app()
        .call_request(request.body(baton::Body::from(body.to_string())).unwrap())
        .await;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

const ORDER: &str = r#"{"customer": "ada", "items": [{"sku": "a", "quantity": 1}]}"#;

#[tokio::test]
async fn a_json_body_with_its_content_type_is_read() {
    assert_eq!(
        send(Some("application/json"), ORDER).await,
        (200, "1 items".into())
    );
    assert_eq!(
        send(Some("application/json; charset=utf-8"), ORDER).await.0,
        200
    );
    assert_eq!(send(Some("application/vnd.api+json"), ORDER).await.0, 200);
}

#[tokio::test]
async fn another_content_type_is_a_415() {
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let (status, body) = send(content_type, ORDER).await;
        assert_eq!(status, 415, "{content_type:?}");
        assert!(body.contains("application/json"), "{body}");
    }
}

#[tokio::test]
async fn malformed_json_is_a_400() {
    let (status, body) = send(Some("application/json"), r#"{"customer": "ada""#).await;
    assert_eq!(status, 400);
    assert!(body.starts_with("invalid JSON body"), "{body}");
    let trailing = r#"{"customer": "ada", "items": []} trailing"#;
    assert_eq!(send(Some("application/json"), trailing).await.0, 400);
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_naming_the_field() {
    let wrong = r#"{"customer": "ada", "items": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": "two"}]}"#;
    let (status, body) = send(Some("application/json"), wrong).await;
    assert_eq!(status, 422);
    assert!(body.contains("`items[1].quantity`"), "{body}");
    let (status, body) = send(Some("application/json"), r#"{"items": []}"#).await;
    assert_eq!(status, 422);
    assert!(body.contains("customer"), "{body}");
}

#[tokio::test]
async fn a_long_bad_value_is_not_echoed_whole() {
    let long = format!(
        r#"{{"customer": 1, "items": [{{"sku": {{"{}": 1}}, "quantity": 1}}]}}"#,
        "x".repeat(10_000)
    );
    let (status, body) = send(Some("application/json"), &long).await;
    assert_eq!(status, 422);
    assert!(body.len() < 600, "{} bytes", body.len());
    let rejection = BodyRejection::UnsupportedMediaType.into_response();
    assert_eq!(rejection.status(), 415);
}

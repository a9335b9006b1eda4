//! `ctx.query::<T>()` through a router: decoded values, repeated keys, and the 400 naming the field.

use baton::{App, Body, Context, QueryRejection, Router, get};
use http_body_util::BodyExt;

#[derive(serde::Deserialize)]
struct Search {
    q: String,
    #[serde(default)]
    tag: Vec<String>,
    page: Option<u32>,
}

async fn search(ctx: Context) -> Result<String, QueryRejection> {
    let search: Search = ctx.query()?;
    Ok(format!(
        "{}|{}|{:?}",
        search.q,
        search.tag.join(","),
        search.page
    ))
}

async fn send(uri: &str) -> (u16, String) {
    let app: App = Router::new().route("/", get(search)).into();
    let response = app
        .call_request(http::Request::get(uri).body(Body::empty()).unwrap())
        .await;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn decodes_and_collects_repeated_keys() {
    assert_eq!(
        send("/?q=Zo%C3%AB%20Ada").await,
        (200, "Zoë Ada||None".into())
    );
    assert_eq!(
        send("/?q=a+b&tag=x&tag=y&page=2").await,
        (200, "a b|x,y|Some(2)".into())
    );
}

#[tokio::test]
async fn a_bad_field_is_a_400_naming_it() {
    let (status, body) = send("/?q=x&page=two").await;
    assert_eq!(status, 400);
    assert!(
        body.starts_with("invalid query parameter `page`: "),
        "{body}"
    );

    let (status, body) = send("/").await;
    assert_eq!(status, 400);
    assert!(body.contains("missing field `q`"), "{body}");
}

#[tokio::test]
async fn the_echo_is_bounded() {
    let (status, body) = send(&format!("/?q=x&page={}", "9".repeat(5000))).await;
    assert_eq!(status, 400);
    assert!(body.len() < 200, "{body}");
}

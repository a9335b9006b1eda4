//! `static_files(dir)`: hits with ETag and 304, ranges, index.html, misses falling through to the
//! routes, traversal refused.

use baton::builtin::static_files::static_files;
use baton::{Body, Context, Response, Router, get};
use http_body_util::BodyExt;
use std::path::PathBuf;

/// A fresh directory per test, removed when the test ends: `public/` with files, and a secret beside
/// it.
struct Site {
    _root: tempfile::TempDir,
    public: PathBuf,
}

fn site(name: &str) -> Site {
    let root = tempfile::Builder::new()
        .prefix(&format!("baton-static-{name}-"))
        .tempdir()
        .unwrap();
    let public = root.path().join("public");
    std::fs::create_dir_all(public.join("docs")).unwrap();
    std::fs::write(public.join("app.css"), "body { color: teal }").unwrap();
    std::fs::write(public.join("docs/index.html"), "<h1>docs</h1>").unwrap();
    std::fs::write(root.path().join("secret.txt"), "password").unwrap();
    Site {
        _root: root,
        public,
    }
}

fn app(public: &PathBuf) -> baton::App {
    Router::new()
        .with(static_files(public))
        .route("/", get(|_: Context| async { "home" }))
        .route("/app", get(|_: Context| async { "the app route" }))
        .into()
}

async fn call(app: &baton::App, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = http::Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.call_request(request.body(Body::empty()).unwrap()).await
}

async fn text(response: Response) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_hit_has_an_etag_and_a_matching_if_none_match_gets_304() {
    let site = site("etag");
    let app = app(&site.public);
    let response = call(&app, "/app.css", &[]).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(text(response).await, "body { color: teal }");

    let response = call(&app, "/app.css", &[("if-none-match", &etag)]).await;
    assert_eq!(response.status(), 304);
    assert_eq!(response.headers()["etag"], etag.as_str());
    assert_eq!(text(response).await, "");

    let response = call(&app, "/app.css", &[("if-none-match", "\"other\"")]).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_range_request_gets_206_with_the_bytes_asked_for() {
    let site = site("range");
    let app = app(&site.public);
    let response = call(&app, "/app.css", &[("range", "bytes=0-3")]).await;
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], "bytes 0-3/20");
    assert_eq!(text(response).await, "body");
}

#[tokio::test]
async fn a_directory_serves_its_index_html() {
    let site = site("index");
    let app = app(&site.public);
    let response = call(&app, "/docs/", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(text(response).await, "<h1>docs</h1>");
}

#[tokio::test]
async fn a_miss_falls_through_to_the_routes() {
    let site = site("miss");
    let app = app(&site.public);
    assert_eq!(text(call(&app, "/app", &[]).await).await, "the app route");
    assert_eq!(text(call(&app, "/", &[]).await).await, "home");
    assert_eq!(call(&app, "/nothing.js", &[]).await.status(), 404);
    // Other methods never reach the files.
    let post = http::Request::post("/app.css").body(Body::empty()).unwrap();
    assert_eq!(app.call_request(post).await.status(), 404);
}

#[tokio::test]
async fn traversal_out_of_the_directory_is_refused() {
    let site = site("traversal");
    let app = app(&site.public);
    for path in [
        "/../secret.txt",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
    ] {
        let response = call(&app, path, &[]).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(!text(response).await.contains("password"), "{path}");
    }
}

#[tokio::test]
async fn files_can_live_under_a_prefix() {
    let site = site("prefix");
    let app: baton::App = Router::new()
        .with(static_files(&site.public).at("/assets"))
        .route("/app.css", get(|_: Context| async { "a route" }))
        .into();
    assert_eq!(
        text(call(&app, "/assets/app.css", &[]).await).await,
        "body { color: teal }"
    );
    assert_eq!(text(call(&app, "/app.css", &[]).await).await, "a route");
    let redirect = call(&app, "/assets/docs", &[]).await;
    assert!(redirect.status().is_redirection());
    assert_eq!(redirect.headers()["location"], "/assets/docs/");
}

#[tokio::test]
async fn a_head_request_gets_the_headers_of_the_file_and_no_body() {
    let site = site("head");
    let app = app(&site.public);
    let get = call(&app, "/app.css", &[]).await;
    let head = app
        .call_request(http::Request::head("/app.css").body(Body::empty()).unwrap())
        .await;
    assert_eq!(head.status(), 200);
    for name in ["content-length", "content-type", "etag", "last-modified"] {
        assert_eq!(head.headers().get(name), get.headers().get(name), "{name}");
    }
    assert_eq!(head.headers()["content-length"], "20");
    assert!(
        head.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(text(head).await, "", "HEAD sends no body");

    // The validators work for HEAD too, and a miss still falls through.
    let etag = get.headers()["etag"].to_str().unwrap().to_string();
    let revalidate = http::Request::head("/app.css")
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call_request(revalidate).await.status(), 304);
    let route = app
        .call_request(http::Request::head("/app").body(Body::empty()).unwrap())
        .await;
    assert_eq!(route.status(), 200);
    assert_eq!(route.headers()["content-length"], "13"); // "the app route"
    assert_eq!(text(route).await, "");
}

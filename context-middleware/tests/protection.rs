//! `cop()`, `security_headers()` and the tower-http transport layers.

use baton::builtin::cop::cop;
use baton::builtin::security_headers::{CspNonce, security_headers};
use baton::builtin::transport::{compression, cors, timeout};
use baton::{Body, Context, Router, get, handler, post};
use http_body_util::BodyExt;
use std::time::Duration;

fn form_post(headers: &[(&str, &str)]) -> http::Request<Body> {
    let mut request = http::Request::post("/transfer").header("host", "bank.example");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn cop_refuses_cross_site_posts_with_the_reason_and_allows_same_origin() {
    let app = Router::new().with(cop()).route(
        "/transfer",
        post(|_: Context| async { "sent" }).get(|_: Context| async { "form" }),
    );

    let forged = app
        .call_request(form_post(&[("sec-fetch-site", "cross-site")]))
        .await;
    assert_eq!(forged.status(), 403);
    let reason = forged.into_body().collect().await.unwrap().to_bytes();
    assert!(
        std::str::from_utf8(&reason)
            .unwrap()
            .contains("Sec-Fetch-Site")
    );

    let old_browser = app
        .call_request(form_post(&[("origin", "https://evil.example")]))
        .await;
    assert_eq!(old_browser.status(), 403);

    for allowed in [
        &[("sec-fetch-site", "same-origin")][..],
        &[("origin", "https://bank.example")][..],
        &[][..], // not a browser: curl, another service
    ] {
        assert_eq!(
            app.call_request(form_post(allowed)).await.status(),
            200,
            "{allowed:?}"
        );
    }
    let cross_site_get = http::Request::get("/transfer")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call_request(cross_site_get).await.status(), 200);
}

#[handler]
async fn page(ctx: Context) -> String {
    ctx.get::<CspNonce>().to_string()
}

#[tokio::test]
async fn security_headers_are_set_and_the_nonce_is_new_per_request_and_readable() {
    let app = Router::new().with(security_headers()).route("/", get(page));
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = app
            .call_request(http::Request::get("/").body(Body::empty()).unwrap())
            .await;
        let headers = response.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(
            headers["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let nonce = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(nonce.len(), 24, "16 bytes in base64");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1]);
}

#[tokio::test]
async fn a_header_set_by_the_handler_is_kept() {
    let app = Router::new().with(security_headers()).route(
        "/embed",
        get(|_: Context| async { ([("x-frame-options", "SAMEORIGIN")], "embeddable") }),
    );
    let response = app
        .call_request(http::Request::get("/embed").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.headers()["x-frame-options"], "SAMEORIGIN");
}

#[tokio::test]
async fn transport_layers_wrap_the_routes() {
    let app = Router::new()
        .route("/big", get(|_: Context| async { "baton ".repeat(200) }))
        .route(
            "/slow",
            get(|_: Context| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .layer(compression())
        .layer(cors(["https://app.example", "bad\norigin"]))
        .layer(timeout(Duration::from_millis(20)));

    let request = http::Request::get("/big")
        .header("accept-encoding", "br")
        .header("origin", "https://app.example")
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(request).await;
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example"
    );

    let preflight = http::Request::options("/big")
        .header("origin", "https://app.example")
        .header("access-control-request-method", "PUT")
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(preflight).await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(response.headers()["access-control-allow-methods"], "PUT");

    let slow = http::Request::get("/slow").body(Body::empty()).unwrap();
    assert_eq!(app.call_request(slow).await.status(), 408);
}

#[tokio::test]
async fn cop_lets_a_trusted_origin_through_and_only_that_one() {
    let app = Router::new()
        .with(cop().allow_origin("https://admin.example/"))
        .route("/transfer", post(|_: Context| async { "sent" }));
    // Trusted: even when the browser calls it cross-site (another domain is another site).
    let admin = form_post(&[
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://admin.example"),
    ]);
    assert_eq!(
        app.call_request(admin).await.status(),
        200,
        "a trailing `/` is ignored"
    );
    let old_browser = form_post(&[("origin", "https://admin.example")]);
    assert_eq!(app.call_request(old_browser).await.status(), 200);
    // The trust is exact: another scheme, port or subdomain is another origin.
    for origin in [
        "http://admin.example",
        "https://admin.example:8443",
        "https://evil.admin.example",
        "null",
    ] {
        let request = form_post(&[("sec-fetch-site", "cross-site"), ("origin", origin)]);
        assert_eq!(app.call_request(request).await.status(), 403, "{origin}");
    }
    // Without an `Origin`, the trust has nothing to match: Sec-Fetch-Site decides.
    let anonymous = form_post(&[("sec-fetch-site", "cross-site")]);
    assert_eq!(app.call_request(anonymous).await.status(), 403);
}

#[tokio::test]
async fn cop_compares_the_origin_with_the_http2_authority_when_there_is_no_host_header() {
    let app = Router::new()
        .with(cop())
        .route("/transfer", post(|_: Context| async { "sent" }));
    // HTTP/2 carries the host in the `:authority` pseudo-header: the request's URI, no `Host`.
    let h2_post = |origin: &str| {
        http::Request::post("https://bank.example/transfer")
            .version(http::Version::HTTP_2)
            .header("origin", origin)
            .body(Body::empty())
            .unwrap()
    };
    let same = h2_post("https://bank.example");
    assert!(same.headers().get("host").is_none());
    let response = app.call_request(same).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "sent"
    );

    let forged = app.call_request(h2_post("https://evil.example")).await;
    assert_eq!(forged.status(), 403);
    let reason = forged.into_body().collect().await.unwrap().to_bytes();
    assert!(
        std::str::from_utf8(&reason)
            .unwrap()
            .contains("Origin does not match Host"),
        "{reason:?}"
    );
    // The port is part of the authority.
    let other_port = http::Request::post("https://bank.example:8443/transfer")
        .version(http::Version::HTTP_2)
        .header("origin", "https://bank.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call_request(other_port).await.status(), 403);
}

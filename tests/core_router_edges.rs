//! Router and input edge cases: duplicate parameter names are rejected when the router is built, and a
//! rejected path parameter is echoed only in part, however long the request made it.
//!
//! Kept apart from `core_router.rs`, which already holds the router's main behaviour.

use baton::{Body, Context, PathRejection, Router, StatusCode, get};
use http::Request;

async fn show_id(ctx: Context) -> Result<String, PathRejection> {
    let id: u32 = ctx.path()?;
    Ok(format!("{id}"))
}

// ---------------------------------------------------------------------------------------------------
// duplicate parameter names

#[test]
#[should_panic(expected = "route `/x/{id}/y/{id}`: path parameter `id` is declared twice")]
fn a_route_repeating_its_scopes_parameter_is_rejected() {
    let _ = Router::new().scope("/x/{id}", |x| x.route("/y/{id}", get(show_id)));
}

#[test]
#[should_panic(expected = "route `/a/{id}/b/{id}`: path parameter `id` is declared twice")]
fn a_route_repeating_a_parameter_is_rejected() {
    let _ = Router::new().route("/a/{id}/b/{id}", get(show_id));
}

#[test]
#[should_panic(
    expected = "route `/o/{org}/t/{team}/m/{org}`: path parameter `org` is declared twice"
)]
fn a_parameter_repeated_across_nested_scopes_is_rejected() {
    let _ = Router::new().scope("/o/{org}", |o| {
        o.scope("/t/{team}", |t| t.route("/m/{org}", get(show_id)))
    });
}

#[test]
#[should_panic(expected = "route `/f/{rest}/{*rest}`: path parameter `rest` is declared twice")]
fn a_catch_all_named_like_another_parameter_is_rejected() {
    let _ = Router::new().route("/f/{rest}/{*rest}", get(show_id));
}

#[test]
#[should_panic(expected = "route `/s/{id}/{*id}`: path parameter `id` is declared twice")]
fn a_catch_all_repeating_a_scope_parameter_is_rejected() {
    let _ = Router::new().scope("/s/{id}", |s| s.route("/{*id}", get(show_id)));
}

#[tokio::test]
async fn distinct_names_across_scopes_still_route_and_a_scope_fallback_is_not_a_parameter() {
    let app = Router::new().scope("/x/{outer}", |x| {
        x.route(
            "/y/{inner}",
            get(|ctx: Context| async move {
                let (outer, inner): (String, u32) = ctx.path()?;
                Ok::<_, PathRejection>(format!("{outer} {inner}"))
            }),
        )
        .fallback(|ctx: Context| async move { format!("fallback {:?}", ctx.param("outer")) })
    });
    let response = app.call_request(get_request("/x/a/y/7")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "a 7");
    let response = app.call_request(get_request("/x/a/elsewhere")).await;
    assert_eq!(text(response).await, r#"fallback Some("a")"#);
}

// ---------------------------------------------------------------------------------------------------
// bounded echoes of request input

fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

async fn text(response: baton::Response) -> String {
    let bytes = response.into_body().collect_bytes().await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Fails with the body's start only: printing a 10 KB body would bury the report.
fn assert_short(body: &str, max: usize) {
    let start: String = body.chars().take(200).collect();
    assert!(body.len() < max, "{} bytes: {start}…", body.len());
}

#[tokio::test]
async fn a_10_kb_parameter_gives_a_short_400_naming_the_parameter() {
    let app = Router::new().route("/users/{id}", get(show_id));
    let long = "a".repeat(10 * 1024);
    let response = app
        .call_request(get_request(&format!("/users/{long}")))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = text(response).await;
    assert_short(&body, 300);
    assert!(body.contains("`id`"), "{body}");
    assert!(
        body.contains(&format!("got \"{}…\" (10240 bytes)", "a".repeat(64))),
        "{body}"
    );
}

#[tokio::test]
async fn a_long_multibyte_parameter_is_cut_on_a_character_boundary() {
    let app = Router::new().route("/users/{id}", get(show_id));
    // Percent-encoded `é` (two bytes each), decoded before parsing.
    let long = "%C3%A9".repeat(3000);
    let response = app
        .call_request(get_request(&format!("/users/{long}")))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = text(response).await;
    assert_short(&body, 300);
    assert!(body.contains(&format!("\"{}…\"", "é".repeat(64))), "{body}");
    assert!(body.contains("6000 bytes"), "{body}");
}

#[derive(serde::Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Open,
    Closed,
}

#[tokio::test]
async fn an_unknown_enum_variant_is_echoed_in_part_and_names_the_parameter() {
    let app = Router::new().route(
        "/issues/{kind}",
        get(|ctx: Context| async move {
            let kind: Kind = ctx.path()?;
            Ok::<_, PathRejection>(format!("{kind:?}"))
        }),
    );
    let response = app.call_request(get_request("/issues/open")).await;
    assert_eq!(text(response).await, "Open");
    let long = "x".repeat(10 * 1024);
    let response = app
        .call_request(get_request(&format!("/issues/{long}")))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = text(response).await;
    assert_short(&body, 300);
    assert!(body.contains("`kind`"), "{body}");
    assert!(body.contains("`open`, `closed`"), "{body}");
}

/// A type whose own `Deserialize` puts the whole input in its error, as hand-written impls often do.
#[derive(Debug)]
struct Slug(#[allow(dead_code)] String);

impl<'de> serde::Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.bytes().all(|byte| byte.is_ascii_lowercase()) {
            Ok(Slug(text))
        } else {
            Err(serde::de::Error::custom(format!("not a slug: {text}")))
        }
    }
}

#[tokio::test]
async fn a_custom_error_from_a_users_type_is_bounded_too() {
    let app = Router::new().route(
        "/posts/{slug}",
        get(|ctx: Context| async move {
            let slug: Slug = ctx.path()?;
            Ok::<_, PathRejection>(format!("{slug:?}"))
        }),
    );
    let long = "X".repeat(10 * 1024);
    let response = app
        .call_request(get_request(&format!("/posts/{long}")))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = text(response).await;
    assert_short(&body, 300);
    assert!(body.contains("`slug`"), "{body}");
}

// ---------------------------------------------------------------------------------------------------
// a POST rewritten by a middleware (method override) reaches the handler of its new method

/// What `method_override` does for an HTML form, from a header here: POST becomes the named method.
#[baton::middleware]
async fn rewrite_post(mut ctx: Context, next: baton::Next) -> baton::Response {
    let wanted = ctx
        .headers()
        .get("x-method")
        .and_then(|value| http::Method::from_bytes(value.as_bytes()).ok());
    if let (true, Some(method)) = (ctx.method() == http::Method::POST, wanted) {
        ctx.parts_mut().method = method;
    }
    next.run(ctx).await
}

async fn answer(ctx: Context, handler: &str) -> String {
    format!("{handler} saw {}", ctx.method())
}

fn rewritten_app() -> baton::App {
    Router::new()
        .with(rewrite_post)
        .route(
            "/notes/{id}",
            baton::post(|ctx: Context| answer(ctx, "post"))
                .put(|ctx: Context| answer(ctx, "put"))
                .delete(|ctx: Context| answer(ctx, "delete")),
        )
        .route(
            "/only-post",
            baton::post(|ctx: Context| answer(ctx, "post")),
        )
        .into()
}

async fn send(app: &baton::App, method: &str, path: &str, rewrite: Option<&str>) -> String {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(rewrite) = rewrite {
        request = request.header("x-method", rewrite);
    }
    let response = app.call_request(request.body(Body::empty()).unwrap()).await;
    String::from_utf8(response.into_body().collect_bytes().await.unwrap().to_vec()).unwrap()
}

#[tokio::test]
async fn a_rewritten_post_reaches_the_handler_of_its_new_method() {
    let app = rewritten_app();
    assert_eq!(
        send(&app, "POST", "/notes/1", Some("DELETE")).await,
        "delete saw DELETE"
    );
    assert_eq!(
        send(&app, "POST", "/notes/1", Some("PUT")).await,
        "put saw PUT"
    );
    // Not rewritten: the POST handler, as always.
    assert_eq!(send(&app, "POST", "/notes/1", None).await, "post saw POST");
    // Direct PUT and DELETE requests are routed as before.
    assert_eq!(
        send(&app, "DELETE", "/notes/1", None).await,
        "delete saw DELETE"
    );
}

#[tokio::test]
async fn a_rewritten_post_without_a_handler_for_its_method_stays_with_the_post_handler() {
    let app = rewritten_app();
    // The path names no PATCH: the POST handler answers, seeing the rewritten method.
    assert_eq!(
        send(&app, "POST", "/notes/1", Some("PATCH")).await,
        "post saw PATCH"
    );
    assert_eq!(
        send(&app, "POST", "/only-post", Some("DELETE")).await,
        "post saw DELETE"
    );
    // The path's methods are unchanged for the 405: GET has no handler here.
    let response = app
        .call_request(Request::get("/notes/1").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST, PUT, DELETE");
}

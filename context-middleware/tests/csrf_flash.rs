//! `csrf()` and `flash::<M>()` through a real router with sessions and form data.

mod support;

use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::csrf::{CsrfToken, csrf, csrf_header};
use baton::builtin::flash::{Flash, flash};
use baton::builtin::form::{FormLimits, form_data};
use baton::builtin::session::{MemoryStore, SessionError, session};
use baton::{App, Body, Context, Redirect, Router, get, handler, session_key};
use serde::{Deserialize, Serialize};
use support::client::{Client, text};

#[session_key]
#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Notice {
    Created(String),
    Deleted,
}

#[handler]
async fn show_form(ctx: Context) -> String {
    ctx.get::<CsrfToken>().as_str().to_string()
}

#[handler]
async fn create(ctx: Context) -> Result<Redirect, SessionError> {
    ctx.get::<Flash<Notice>>()
        .set(Notice::Created("groceries".into()))
        .await?;
    Ok(Redirect::to("/tasks"))
}

#[handler]
async fn list(ctx: Context) -> String {
    format!("{:?}", ctx.get::<Flash<Notice>>().message())
}

fn app() -> App {
    Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .with(session(MemoryStore::default()))
        .with(form_data(FormLimits::default()))
        .with(csrf())
        .with(flash::<Notice>())
        .route("/tasks", get(list).post(create))
        .route("/form", get(show_form))
        .into()
}

#[tokio::test]
async fn a_form_post_needs_the_sessions_token() {
    let browser = Client::new(app());
    let token = text(browser.get("/form").await).await;
    assert_eq!(token.len(), 43, "32 bytes, base64url: {token}");
    // The token is stable for the session.
    assert_eq!(text(browser.get("/form").await).await, token);

    let missing = browser.post_form("/tasks", "title=x").await;
    assert_eq!(missing.status(), 403);
    assert!(text(missing).await.contains("CSRF token missing"));

    let wrong = browser.post_form("/tasks", "title=x&_csrf=AAAA").await;
    assert_eq!(wrong.status(), 403);
    assert!(text(wrong).await.contains("does not match"));

    let accepted = browser
        .post_form("/tasks", &format!("title=x&_csrf={token}"))
        .await;
    assert_eq!(accepted.status(), 303);

    // The header works too (scripts), as does a multipart form's field.
    let by_header = browser
        .send(
            http::Request::post("/tasks").header("x-csrf-token", &token),
            Body::empty(),
        )
        .await;
    assert_eq!(by_header.status(), 303);
    let boundary = "XyZ";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n--{boundary}--\r\n"
    );
    let by_multipart = browser
        .send(
            http::Request::post("/tasks").header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ),
            Body::from(multipart),
        )
        .await;
    assert_eq!(by_multipart.status(), 303);
}

#[tokio::test]
async fn another_sessions_token_is_refused() {
    let alice = Client::new(app());
    let mallory = alice.fresh();
    let malloys_token = text(mallory.get("/form").await).await;
    alice.get("/form").await;
    let forged = alice
        .post_form("/tasks", &format!("_csrf={malloys_token}"))
        .await;
    assert_eq!(forged.status(), 403);
    // A visitor with no session at all cannot post either.
    let stranger = alice.fresh();
    assert_eq!(stranger.post_form("/tasks", "_csrf=").await.status(), 403);
}

#[tokio::test]
async fn safe_methods_pass_without_a_token() {
    let browser = Client::new(app());
    assert_eq!(browser.get("/tasks").await.status(), 200);
    let head = browser
        .send(http::Request::head("/tasks"), Body::empty())
        .await;
    assert_eq!(head.status(), 200);
}

#[tokio::test]
async fn a_flash_is_shown_on_the_next_request_only() {
    let browser = Client::new(app());
    let token = text(browser.get("/form").await).await;
    assert_eq!(text(browser.get("/tasks").await).await, "None");
    let created = browser.post_form("/tasks", &format!("_csrf={token}")).await;
    assert_eq!(created.status(), 303);
    assert_eq!(
        text(browser.get("/tasks").await).await,
        r#"Some(Created("groceries"))"#
    );
    assert_eq!(
        text(browser.get("/tasks").await).await,
        "None",
        "shown once"
    );
    // Another browser never sees it.
    let other = browser.fresh();
    assert_eq!(text(other.get("/tasks").await).await, "None");
}

#[tokio::test]
async fn header_only_csrf_needs_no_form_data() {
    let app: App = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .with(session(MemoryStore::default()))
        .with(csrf_header())
        .route("/token", get(show_form))
        .route("/api", baton::post(|_: Context| async { "ok" }))
        .into();
    let browser = Client::new(app);
    let token = text(browser.get("/token").await).await;
    // The form field is not a source here.
    assert_eq!(
        browser
            .post_form("/api", &format!("_csrf={token}"))
            .await
            .status(),
        403
    );
    let ok = browser
        .send(
            http::Request::post("/api").header("x-csrf-token", &token),
            Body::empty(),
        )
        .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn flash_kit_for_unit_tests() {
    let ctx = Context::default().provide(Flash::for_test(Some(Notice::Deleted)));
    assert_eq!(list(ctx).await, "Some(Deleted)");
}

//! The seeds' "common ordering" (seed 001), with every built-in it names: in the right order it
//! compiles and runs. The orders the seed only *advises* against are compile errors here, each with its
//! trybuild case under `tests/ui/fail/`:
//!
//! | wrong order                                      | case                                            |
//! |--------------------------------------------------|-------------------------------------------------|
//! | `method_override` before `form_data`             | `builtin_method_override_before_form_data`      |
//! | `logger` before `request_id`                     | `builtin_logger_before_request_id`              |
//! | `session` before `cookies`                       | `builtin_session_before_cookies`                |
//! | `csrf` before `session` (the seed's own order)   | `builtin_csrf_before_session`                   |
//! | `csrf` without `form_data` above it              | `builtin_csrf_without_form_data`                |
//! | `auth().session(..)` before `session`            | `builtin_auth_session_scheme_without_session`   |
//! | `require_auth` before `auth`                     | `builtin_require_auth_before_auth`              |
//! | `require::<P>()` before `require_auth`           | `builtin_require_before_require_auth`           |
//!
//! The seed lists `csrf()` fourth, before `formData()` and `session()`: its token lives in the session
//! and is read from the form, so here it comes after both. `compression()` is a tower layer around the
//! whole app rather than a link of the chain, so its place in the list does not matter.

mod support;

use baton::builtin::auth::{Identity, auth, login, require_auth};
use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::csrf::{CsrfToken, csrf};
use baton::builtin::form::{FormData, FormLimits, form_data};
use baton::builtin::method_override::{MethodOverride, method_override};
use baton::builtin::session::{MemoryStore, Session, SessionError, session};
use baton::builtin::{compression, logger, static_files};
use baton::request_id::request_id;
use baton::{App, Body, Context, Router, get, handler, post};
use support::client::{Client, text};

#[derive(Clone, Debug)]
struct User {
    name: &'static str,
}

async fn by_id(id: String) -> Option<User> {
    (id == "1").then_some(User { name: "ada" })
}

/// The login form: hands out the CSRF token the next POSTs must carry.
#[handler]
async fn login_form(ctx: Context) -> String {
    ctx.get::<CsrfToken>().as_str().to_string()
}

#[handler]
async fn sign_in(ctx: Context) -> Result<&'static str, SessionError> {
    let id = ctx.get::<FormData>().get("user").unwrap_or_default();
    login(ctx.get::<Session>(), id).await?;
    Ok("signed in")
}

#[handler]
async fn save(ctx: Context) -> String {
    format!(
        "{} as {} (sent {}) by {}",
        ctx.get::<FormData>().get("title").unwrap_or_default(),
        ctx.method(),
        ctx.get::<MethodOverride>().original(),
        ctx.get::<Identity<User>>().name,
    )
}

fn app(public: &std::path::Path) -> App {
    Router::new()
        .with(request_id()) // the seed's logger needs the id: `logger()` requires it
        .with(logger()) // 1. log every request
        .with(static_files(public)) // 3. serve static files, falling through on a miss
        .with(cookies(KeyRing::new(Key::generate()))) // the session's cookie jar
        .with(session(MemoryStore::default())) // 7. load the session (needs the cookies)
        .with(form_data(FormLimits::default())) // 5. parse form data
        .with(method_override) // 6. after form data, or it does not compile
        .with(csrf()) // 4. after the session and the form data, or it does not compile
        .with(auth::<User>().session(by_id)) // 8. auth state from the session
        .route("/login", get(login_form).post(sign_in))
        .scope("/notes", |notes| {
            notes
                .with(require_auth::<User>())
                .route("/{id}", post(save).put(save))
        })
        .layer(compression()) // 2. compress responses (a tower layer, outside the chain)
        .into()
}

fn form(path: &str, body: &str) -> (http::request::Builder, Body) {
    (
        http::Request::post(path).header("content-type", "application/x-www-form-urlencoded"),
        Body::from(body.to_string()),
    )
}

#[tokio::test]
async fn the_seeds_common_ordering_compiles_and_runs() {
    let public = std::env::temp_dir().join(format!("baton-ordering-{}", std::process::id()));
    std::fs::create_dir_all(&public).unwrap();
    std::fs::write(public.join("app.css"), "body {}").unwrap();
    let browser = Client::new(app(&public));

    // Static files are answered before the session is loaded: no cookie is set for them.
    let css = browser.get("/app.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers().contains_key("x-request-id"));
    assert!(!css.headers().contains_key("set-cookie"));

    let token = text(browser.get("/login").await).await;
    assert!(browser.cookie("session").is_some());

    // A POST without the token is refused by `csrf`, before auth or the handler.
    let (request, body) = form("/login", "user=1");
    assert_eq!(browser.send(request, body).await.status(), 403);

    let (request, body) = form("/login", &format!("user=1&_csrf={token}"));
    assert_eq!(text(browser.send(request, body).await).await, "signed in");

    // The form's `_method` is applied before the route is run, the token is checked, the user is known.
    let (request, body) = form("/notes/1", &format!("title=milk&_method=PUT&_csrf={token}"));
    assert_eq!(
        text(browser.send(request, body).await).await,
        "milk as PUT (sent POST) by ada"
    );

    // Another browser: a token of its own, but nobody signed in.
    let stranger = browser.fresh();
    let their_token = text(stranger.get("/login").await).await;
    let (request, body) = form("/notes/1", &format!("title=x&_csrf={their_token}"));
    assert_eq!(stranger.send(request, body).await.status(), 401);
    std::fs::remove_dir_all(&public).unwrap();
}

//! `auth()`, `require_auth()`, `require()`, `login`/`logout` through a real router.

mod support;

use baton::builtin::auth::{
    Auth, Granted, Identity, Permission, auth, login, logout, require, require_auth,
    same_origin_path,
};
use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::session::{MemoryStore, Session, SessionError, session};
use baton::{App, Body, Context, Router, context_key, get, handler, post};
use support::client::{Client, text};

#[derive(Clone, Debug)]
struct User {
    id: u32,
    name: &'static str,
    admin: bool,
}

const USERS: [User; 2] = [
    User {
        id: 1,
        name: "ada",
        admin: true,
    },
    User {
        id: 2,
        name: "bob",
        admin: false,
    },
];

async fn by_id(id: String) -> Option<User> {
    USERS.iter().find(|user| user.id.to_string() == id).cloned()
}

async fn by_token(token: String) -> Option<User> {
    USERS
        .iter()
        .find(|user| format!("token-{}", user.name) == token)
        .cloned()
}

async fn by_key(key: String) -> Result<Option<User>, String> {
    match key.as_str() {
        "broken" => Err("the key database is down".to_string()),
        "key-bob" => Ok(Some(USERS[1].clone())),
        _ => Ok(None),
    }
}

#[context_key]
struct Admin;

impl Permission for Admin {
    type Identity = User;
    fn granted(user: &User) -> bool {
        user.admin
    }
}

#[handler]
async fn sign_in(ctx: Context) -> Result<&'static str, SessionError> {
    let id = ctx.headers()["x-user"].to_str().unwrap().to_string();
    login(ctx.get::<Session>(), id).await?;
    Ok("signed in")
}

#[handler]
async fn sign_out(ctx: Context) -> &'static str {
    logout(ctx.get::<Session>()).await;
    "signed out"
}

#[handler]
async fn whoami(ctx: Context) -> String {
    let auth = ctx.get::<Auth<User>>();
    match auth.identity() {
        Some(user) => format!("{} via {}", user.name, auth.scheme().unwrap()),
        None => "anonymous".to_string(),
    }
}

#[handler]
async fn me(ctx: Context) -> String {
    ctx.get::<Identity<User>>().name.to_string()
}

#[handler]
async fn admin_page(ctx: Context) -> String {
    let _: &Granted<Admin> = ctx.get::<Granted<Admin>>();
    format!("admin {}", ctx.get::<Identity<User>>().name)
}

fn app() -> App {
    Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .with(session(MemoryStore::default()))
        .with(
            auth::<User>()
                .session(by_id)
                .bearer(by_token)
                .api_key(http::HeaderName::from_static("x-api-key"), by_key),
        )
        .route("/login", post(sign_in))
        .route("/logout", post(sign_out))
        .route("/whoami", get(whoami))
        .scope("/pages", |pages| {
            pages
                .with(require_auth::<User>().redirect_to("/login"))
                .route("/me", get(me))
                .scope("/admin", |admin| {
                    admin.with(require::<Admin>()).route("/", get(admin_page))
                })
        })
        .scope("/api", |api| {
            api.with(require_auth::<User>()).route("/me", get(me))
        })
        .into()
}

async fn sign_in_as(browser: &Client, id: &str) {
    let response = browser
        .send(
            http::Request::post("/login").header("x-user", id),
            Body::empty(),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_session_scheme_follows_login_and_logout() {
    let browser = Client::new(app());
    assert_eq!(text(browser.get("/whoami").await).await, "anonymous");
    browser.get("/whoami").await;
    sign_in_as(&browser, "1").await;
    assert_eq!(text(browser.get("/whoami").await).await, "ada via session");
    assert_eq!(text(browser.get("/pages/me").await).await, "ada");
    let before_logout = browser.cookie("session").unwrap();
    browser
        .send(http::Request::post("/logout"), Body::empty())
        .await;
    assert_eq!(text(browser.get("/whoami").await).await, "anonymous");
    // Replaying the old cookie after logout does not log in.
    let replay = browser.fresh();
    replay.set_cookie("session", &before_logout);
    assert_eq!(text(replay.get("/whoami").await).await, "anonymous");
}

#[tokio::test]
async fn login_rotates_the_session_id() {
    let browser = Client::new(app());
    // An attacker plants a session id (their own, valid one) before the victim logs in.
    let attacker = browser.fresh();
    sign_in_as(&attacker, "2").await;
    let planted = attacker.cookie("session").unwrap();
    browser.set_cookie("session", &planted);
    sign_in_as(&browser, "1").await;
    assert_ne!(browser.cookie("session").unwrap(), planted);
    // The planted id does not carry the victim's login.
    let replay = browser.fresh();
    replay.set_cookie("session", &planted);
    assert_eq!(text(replay.get("/whoami").await).await, "anonymous");
}

#[tokio::test]
async fn bearer_and_api_key_schemes_in_order() {
    let browser = Client::new(app());
    let bearer = browser
        .send(
            http::Request::get("/whoami").header("authorization", "bearer token-bob"),
            Body::empty(),
        )
        .await;
    assert_eq!(text(bearer).await, "bob via bearer");
    let key = browser
        .send(
            http::Request::get("/whoami").header("x-api-key", "key-bob"),
            Body::empty(),
        )
        .await;
    assert_eq!(text(key).await, "bob via api-key");
    // The session scheme comes first.
    sign_in_as(&browser, "1").await;
    let both = browser
        .send(
            http::Request::get("/whoami").header("authorization", "Bearer token-bob"),
            Body::empty(),
        )
        .await;
    assert_eq!(text(both).await, "ada via session");
    // A wrong token is anonymous, not an error.
    let wrong = browser
        .fresh()
        .send(
            http::Request::get("/whoami").header("authorization", "Bearer nope"),
            Body::empty(),
        )
        .await;
    assert_eq!(text(wrong).await, "anonymous");
}

#[tokio::test]
async fn a_failing_lookup_is_a_500() {
    let browser = Client::new(app());
    let response = browser
        .send(
            http::Request::get("/whoami").header("x-api-key", "broken"),
            Body::empty(),
        )
        .await;
    assert_eq!(response.status(), 500);
}

#[tokio::test]
async fn require_auth_redirects_pages_with_a_same_origin_next() {
    let browser = Client::new(app());
    let response = browser.get("/pages/me?tab=2&x=%2F%2Fevil").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/login?next=/pages/me%3Ftab%3D2%26x%3D%252F%252Fevil"
    );
    // An absolute-form request target still redirects to a path on this site.
    let absolute = browser.get("http://evil.example/pages/me").await;
    assert_eq!(absolute.headers()["location"], "/login?next=/pages/me");
}

#[tokio::test]
async fn require_auth_answers_apis_with_401() {
    let browser = Client::new(app());
    let response = browser.get("/api/me").await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let ok = browser
        .send(
            http::Request::get("/api/me").header("authorization", "Bearer token-ada"),
            Body::empty(),
        )
        .await;
    assert_eq!(text(ok).await, "ada");
}

#[tokio::test]
async fn require_checks_the_permission() {
    let browser = Client::new(app());
    sign_in_as(&browser, "2").await;
    assert_eq!(browser.get("/pages/admin").await.status(), 403);
    let admin = browser.fresh();
    sign_in_as(&admin, "1").await;
    let response = admin.get("/pages/admin").await;
    assert_eq!(response.status(), 200);
    assert_eq!(text(response).await, "admin ada");
    // Anonymous: the login redirect comes first.
    assert_eq!(browser.fresh().get("/pages/admin").await.status(), 303);
}

#[tokio::test]
async fn next_parameters_are_checked() {
    assert_eq!(same_origin_path("/tasks"), Some("/tasks"));
    for hostile in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "",
        "javascript:x",
        "/\t/evil",
    ] {
        assert_eq!(same_origin_path(hostile), None, "{hostile:?}");
    }
}

#[tokio::test]
async fn identity_kits_for_unit_tests() {
    let ctx = Context::default()
        .provide(Identity::new(USERS[0].clone()))
        .provide(Granted::<Admin>::for_test());
    assert_eq!(admin_page(ctx).await, "admin ada");
    let ctx = Context::default().provide(Auth::authenticated(USERS[1].clone(), "bearer"));
    assert_eq!(whoami(ctx).await, "bob via bearer");
}

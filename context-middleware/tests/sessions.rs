//! `session(store)`: typed values across requests, lazy loading, saving rules, failures, id rotation
//! and concurrent requests, through a real router and the signed cookie.

mod support;

use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::session::{
    Id, MemoryStore, Record, Session, SessionConfig, SessionError, SessionStore, StoreError,
    session,
};
use baton::{App, Context, Router, get, handler, post, session_key};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use support::client::{Client, set_cookies, text};

#[session_key]
#[derive(Serialize, Deserialize)]
struct Visits(u32);

#[session_key(name = "left")]
#[derive(Serialize, Deserialize)]
struct Left(String);

#[session_key(name = "right")]
#[derive(Serialize, Deserialize)]
struct Right(String);

/// A memory store that counts its calls and can be made to fail.
#[derive(Debug, Default)]
struct Counting {
    inner: MemoryStore,
    loads: AtomicUsize,
    writes: AtomicUsize,
    deletes: AtomicUsize,
    failing: AtomicBool,
}

impl Counting {
    fn check(&self) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Backend("connection refused".into()));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SessionStore for Counting {
    async fn create(&self, record: &mut Record) -> Result<(), StoreError> {
        self.check()?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.create(record).await
    }
    async fn save(&self, record: &Record) -> Result<(), StoreError> {
        self.check()?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.save(record).await
    }
    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        self.check()?;
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(id).await
    }
    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.check()?;
        self.deletes.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(id).await
    }
}

/// Lets tests share one counting store with the app.
#[derive(Debug, Clone)]
struct Shared(Arc<Counting>);

#[async_trait::async_trait]
impl SessionStore for Shared {
    async fn create(&self, record: &mut Record) -> Result<(), StoreError> {
        self.0.create(record).await
    }
    async fn save(&self, record: &Record) -> Result<(), StoreError> {
        self.0.save(record).await
    }
    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        self.0.load(id).await
    }
    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.0.delete(id).await
    }
}

#[handler]
async fn count(ctx: Context) -> Result<String, SessionError> {
    let session = ctx.get::<Session>();
    let Visits(seen) = session.get::<Visits>().await?.unwrap_or(Visits(0));
    session.insert(Visits(seen + 1)).await?;
    Ok((seen + 1).to_string())
}

#[handler]
async fn peek(ctx: Context) -> Result<String, SessionError> {
    let visits = ctx.get::<Session>().get::<Visits>().await?;
    Ok(visits.map_or("none".to_string(), |Visits(n)| n.to_string()))
}

#[handler]
async fn count_then_panic(ctx: Context) -> String {
    let session = ctx.get::<Session>();
    session.insert(Visits(100)).await.unwrap();
    panic!("the handler failed after writing the session");
}

#[handler]
async fn rotate(ctx: Context) -> Result<&'static str, SessionError> {
    ctx.get::<Session>().cycle_id().await?;
    Ok("rotated")
}

#[handler]
async fn end(ctx: Context) -> &'static str {
    ctx.get::<Session>().destroy().await;
    "bye"
}

static BARRIER: std::sync::LazyLock<tokio::sync::Barrier> =
    std::sync::LazyLock::new(|| tokio::sync::Barrier::new(2));

#[handler]
async fn write_left(ctx: Context) -> Result<&'static str, SessionError> {
    let session = ctx.get::<Session>();
    let _ = session.get::<Left>().await?;
    BARRIER.wait().await; // both requests have loaded the same record
    session.insert(Left("from the left".into())).await?;
    Ok("left")
}

#[handler]
async fn write_right(ctx: Context) -> Result<&'static str, SessionError> {
    let session = ctx.get::<Session>();
    let _ = session.get::<Right>().await?;
    BARRIER.wait().await;
    session.insert(Right("from the right".into())).await?;
    Ok("right")
}

#[handler]
async fn both(ctx: Context) -> Result<String, SessionError> {
    let session = ctx.get::<Session>();
    let left = session.get::<Left>().await?.map(|Left(text)| text);
    let right = session.get::<Right>().await?.map(|Right(text)| text);
    Ok(format!("{left:?} {right:?}"))
}

fn app(store: Arc<Counting>, keys: KeyRing) -> App {
    Router::new()
        .with(cookies(keys))
        .with(session(Shared(store)))
        .route("/count", get(count))
        .route("/peek", get(peek))
        .route(
            "/untouched",
            get(|_: Context| async { "no session needed" }),
        )
        .route("/panic", get(count_then_panic))
        .route("/rotate", post(rotate))
        .route("/end", post(end))
        .route("/left", post(write_left))
        .route("/right", post(write_right))
        .route("/both", get(both))
        .into()
}

fn keys() -> KeyRing {
    KeyRing::new(Key::generate())
}

#[tokio::test]
async fn values_survive_between_requests_under_a_signed_cookie() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    let first = browser.get("/count").await;
    let cookie = set_cookies(&first);
    assert_eq!(text(first).await, "1");
    assert_eq!(cookie.len(), 1, "{cookie:?}");
    let attributes = &cookie[0];
    assert!(attributes.starts_with("session="), "{attributes}");
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(
            attributes.contains(expected),
            "{expected} missing: {attributes}"
        );
    }
    assert!(
        !attributes.contains("Secure"),
        "localhost gets no Secure: {attributes}"
    );
    assert_eq!(text(browser.get("/count").await).await, "2");
    assert_eq!(text(browser.get("/count").await).await, "3");
    // Another browser has its own session.
    assert_eq!(text(browser.fresh().get("/count").await).await, "1");
}

#[tokio::test]
async fn a_session_cookie_from_a_retired_key_is_reissued_with_its_attributes() {
    let store = Arc::new(Counting::default());
    let old = Key::generate();
    let before = Client::new(app(store.clone(), KeyRing::new(old.clone())));
    assert_eq!(text(before.get("/count").await).await, "1");
    let signed_with_old = before.cookie("session").expect("a session cookie");

    // The secret rotates: the old key is retired, the browser still holds its cookie.
    let rotated = KeyRing::new(Key::generate()).with_retired(old);
    let after = Client::new(app(store.clone(), rotated));
    after.set_cookie("session", &signed_with_old);
    let response = after.get("/peek").await;
    let set = set_cookies(&response);
    assert_eq!(
        text(response).await,
        "1",
        "the session survives the rotation"
    );
    assert_eq!(set.len(), 1, "one Set-Cookie for the session: {set:?}");
    for expected in [
        "session=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=1209600",
    ] {
        assert!(set[0].contains(expected), "{expected} missing: {}", set[0]);
    }
    assert_ne!(after.cookie("session").unwrap(), signed_with_old);
    // The re-issued cookie needs the current key only.
    assert_eq!(text(after.get("/count").await).await, "2");
}

#[tokio::test]
async fn public_hosts_get_secure_cookies() {
    let browser = Client::new(app(Arc::default(), keys())).with_host("board.example.com");
    let response = browser.get("/count").await;
    assert!(set_cookies(&response)[0].contains("Secure"));
}

#[tokio::test]
async fn config_renames_the_cookie() {
    let app: App = Router::new()
        .with(cookies(keys()))
        .with(session(MemoryStore::default()).config(SessionConfig::default().cookie_name("sid")))
        .route("/count", get(count))
        .into();
    let response = Client::new(app).get("/count").await;
    assert!(set_cookies(&response)[0].starts_with("sid="));
}

#[tokio::test]
async fn an_untouched_session_costs_nothing() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    let (loads, writes) = (
        store.loads.load(Ordering::SeqCst),
        store.writes.load(Ordering::SeqCst),
    );
    let response = browser.get("/untouched").await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(
        store.loads.load(Ordering::SeqCst),
        loads,
        "not loaded when not used"
    );
    assert_eq!(store.writes.load(Ordering::SeqCst), writes);
}

#[tokio::test]
async fn reading_does_not_save() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    let writes = store.writes.load(Ordering::SeqCst);
    let response = browser.get("/peek").await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(text(response).await, "1");
    assert_eq!(store.writes.load(Ordering::SeqCst), writes);
    // An anonymous read creates nothing either.
    let anonymous = browser.fresh();
    let response = anonymous.get("/peek").await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(text(response).await, "none");
    assert_eq!(store.writes.load(Ordering::SeqCst), writes);
}

#[tokio::test]
async fn a_tampered_or_unsigned_cookie_is_a_new_session() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    browser.get("/count").await;
    let signed = browser.cookie("session").unwrap();
    // Flip one character of the signature.
    let mut tampered = signed.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    browser.set_cookie("session", std::str::from_utf8(&tampered).unwrap());
    assert_eq!(text(browser.get("/count").await).await, "1");
    browser.set_cookie("session", "not-even-base64");
    assert_eq!(text(browser.get("/count").await).await, "1");
    // A session id signed with another app's key is not ours.
    let other = Client::new(app(Arc::default(), keys()));
    other.get("/count").await;
    browser.set_cookie("session", &other.cookie("session").unwrap());
    assert_eq!(text(browser.get("/count").await).await, "1");
}

#[tokio::test]
async fn a_panicking_handler_still_saves_what_it_wrote() {
    let browser = Client::new(app(Arc::default(), keys()));
    browser.get("/count").await;
    let response = browser.get("/panic").await;
    assert_eq!(response.status(), 500);
    assert_eq!(text(browser.get("/peek").await).await, "100");
}

#[tokio::test]
async fn store_failures_are_500s_never_silent() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    store.failing.store(true, Ordering::SeqCst);
    // Loading fails: the handler's `?` answers 500.
    assert_eq!(browser.get("/peek").await.status(), 500);
    // A new session whose save fails: the handler succeeded, but its write is not stored.
    let response = browser.fresh().get("/count").await;
    assert_eq!(response.status(), 500);
    assert!(set_cookies(&response).is_empty());
    // The store comes back: the session is intact.
    store.failing.store(false, Ordering::SeqCst);
    assert_eq!(text(browser.get("/count").await).await, "2");
}

#[tokio::test]
async fn cycle_id_moves_the_data_to_a_new_id_and_deletes_the_old() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    let before = browser.cookie("session").unwrap();
    let response = browser
        .send(http::Request::post("/rotate"), baton::Body::empty())
        .await;
    assert_eq!(response.status(), 200);
    let after = browser.cookie("session").unwrap();
    assert_ne!(before, after);
    assert_eq!(store.deletes.load(Ordering::SeqCst), 1);
    assert_eq!(
        text(browser.get("/count").await).await,
        "2",
        "the data moved"
    );
    // The planted (old) id is worthless now.
    let attacker = browser.fresh();
    attacker.set_cookie("session", &before);
    assert_eq!(text(attacker.get("/peek").await).await, "none");
}

#[tokio::test]
async fn destroy_deletes_the_record_and_the_cookie() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    let old = browser.cookie("session").unwrap();
    let response = browser
        .send(http::Request::post("/end"), baton::Body::empty())
        .await;
    let removal = set_cookies(&response);
    assert!(removal[0].starts_with("session=;"), "{removal:?}");
    assert!(removal[0].contains("Max-Age=0"), "{removal:?}");
    assert_eq!(store.deletes.load(Ordering::SeqCst), 1);
    assert!(browser.cookie("session").is_none());
    let replay = browser.fresh();
    replay.set_cookie("session", &old);
    assert_eq!(text(replay.get("/peek").await).await, "none");
}

#[tokio::test]
async fn parallel_writes_to_different_keys_are_both_kept() {
    let store = Arc::new(Counting::default());
    let browser = Client::new(app(store.clone(), keys()));
    browser.get("/count").await;
    let (left, right) = tokio::join!(
        browser.send(http::Request::post("/left"), baton::Body::empty()),
        browser.send(http::Request::post("/right"), baton::Body::empty()),
    );
    assert_eq!(
        (left.status().as_u16(), right.status().as_u16()),
        (200, 200)
    );
    assert_eq!(
        text(browser.get("/both").await).await,
        r#"Some("from the left") Some("from the right")"#
    );
    assert_eq!(
        text(browser.get("/peek").await).await,
        "1",
        "untouched keys kept"
    );
}

#[tokio::test]
async fn session_kit_for_unit_tests() {
    // A handler's session logic, tested without cookies, signing or a router.
    let session = Session::for_test();
    session.insert(Visits(41)).await.unwrap();
    let ctx = Context::default().provide(session.clone());
    assert_eq!(count(ctx).await.unwrap(), "42");
    assert_eq!(session.get::<Visits>().await.unwrap().unwrap().0, 42);
}

//! The SQLite (sqlx) and Redis stores behind `session()`, against real databases: a SQLite file and
//! a `redis-server` started on a free port.

mod support;

use baton::builtin::auth::{Auth, auth, login};
use baton::builtin::cookies::{Key, KeyRing, cookies};
use baton::builtin::session::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use baton::builtin::session::{
    Session, SessionError, SessionStore, SqliteStore, redis_store, session,
};
use baton::{App, Body, Context, Router, get, handler, post, session_key};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::sync::{Arc, Mutex};
use support::client::{Client, text};
use support::redis::RedisServer;

#[session_key]
#[derive(Serialize, Deserialize)]
struct Visits(u32);

#[handler]
async fn count(ctx: Context) -> Result<String, SessionError> {
    let session = ctx.get::<Session>();
    let Visits(seen) = session.get::<Visits>().await?.unwrap_or(Visits(0));
    session.insert(Visits(seen + 1)).await?;
    Ok((seen + 1).to_string())
}

#[handler]
async fn sign_in(ctx: Context) -> Result<&'static str, SessionError> {
    login(ctx.get::<Session>(), "ada").await?;
    Ok("in")
}

#[handler]
async fn whoami(ctx: Context) -> String {
    ctx.get::<Auth<String>>()
        .identity()
        .cloned()
        .unwrap_or_else(|| "anonymous".into())
}

fn app(store: impl SessionStore, keys: KeyRing) -> App {
    Router::new()
        .with(cookies(keys))
        .with(session(store))
        .with(auth::<String>().session(|id: String| async move { Some(id) }))
        .route("/count", get(count))
        .route("/login", post(sign_in))
        .route("/whoami", get(whoami))
        .into()
}

#[tokio::test]
async fn sqlite_store_keeps_sessions_across_app_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("sessions.db"))
        .create_if_missing(true);
    let keys = KeyRing::new(Key::generate());
    let pool = SqlitePoolOptions::new()
        .connect_with(options.clone())
        .await
        .unwrap();
    let store = SqliteStore::new(pool);
    store.migrate().await.unwrap();
    let browser = Client::new(app(store, keys.clone()));
    assert_eq!(text(browser.get("/count").await).await, "1");
    assert_eq!(text(browser.get("/count").await).await, "2");
    let cookie = browser.cookie("session").unwrap();

    // A new process: a new pool on the same file, the same keys.
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .unwrap();
    let restarted = Client::new(app(SqliteStore::new(pool), keys));
    restarted.set_cookie("session", &cookie);
    assert_eq!(text(restarted.get("/count").await).await, "3");
}

/// Log lines, captured for assertions.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn redis_store_against_a_real_server() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let keys = KeyRing::new(Key::generate());
    // Two app instances (two processes behind a balancer), one Redis.
    let first = app(redis_store(&server.url(), 2).await.unwrap(), keys.clone());
    let second = app(redis_store(&server.url(), 2).await.unwrap(), keys);
    let browser = Client::new(first);
    assert_eq!(text(browser.get("/count").await).await, "1");
    assert_eq!(text(browser.get("/count").await).await, "2");
    let response = browser
        .send(http::Request::post("/login"), Body::empty())
        .await;
    assert_eq!(response.status(), 200);

    // The next request lands on the other instance: still logged in, same data.
    let on_second = Client::new(second.clone());
    on_second.set_cookie("session", &browser.cookie("session").unwrap());
    assert_eq!(text(on_second.get("/whoami").await).await, "ada");
    assert_eq!(text(on_second.get("/count").await).await, "3");

    // Redis dies: requests that need the session are 500s with a log line, not hangs.
    server.kill();
    let started = std::time::Instant::now();
    let response = on_second.get("/count").await;
    assert_eq!(response.status(), 500);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("ERROR"), "{logged}");
    assert!(logged.contains("session store failed"), "{logged}");
    // Redis comes back (empty: it kept nothing on disk): the app recovers by itself.
    server.restart();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let response = on_second.fresh().get("/count").await;
        if response.status() == 200 {
            assert_eq!(text(response).await, "1");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "did not recover");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

//! `cookies(keys)`: plain, signed and private cookies through a real router, key rotation, tampering.

use baton::builtin::cookies::{Cookie, Cookies, Key, KeyRing, cookies};
use baton::{Body, Context, Response, Router, get, handler};
use http_body_util::BodyExt;

fn request(cookie: Option<&str>) -> http::Request<Body> {
    let mut builder = http::Request::get("/");
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    builder.body(Body::empty()).unwrap()
}

fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .collect()
}

/// `name=value` of a `Set-Cookie`, as a browser would send it back.
fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
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

#[handler]
async fn signed_counter(ctx: Context) -> String {
    let jar = ctx.get::<Cookies>();
    let count: u32 = jar
        .signed()
        .get("count")
        .and_then(|cookie| cookie.value().parse().ok())
        .unwrap_or(0);
    jar.signed()
        .add(Cookie::new("count", (count + 1).to_string()));
    format!("{count}")
}

fn counter_app(keys: KeyRing) -> baton::App {
    Router::new()
        .with(cookies(keys))
        .route("/", get(signed_counter))
        .into()
}

#[tokio::test]
async fn plain_cookies_round_trip() {
    #[handler]
    async fn lang(ctx: Context) -> String {
        let jar = ctx.get::<Cookies>();
        let seen = jar
            .get("lang")
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        jar.add(Cookie::new("lang", "fr"));
        seen
    }
    let app = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .route("/", get(lang));
    let first = app.call_request(request(None)).await;
    let set = set_cookies(&first);
    assert_eq!(set, ["lang=fr; Path=/"]);
    assert_eq!(text(first).await, "");
    let second = app.call_request(request(Some(pair(&set[0])))).await;
    assert_eq!(text(second).await, "fr");
}

#[tokio::test]
async fn signed_cookies_are_written_and_read_back() {
    let app = counter_app(KeyRing::new(Key::generate()));
    let first = app.call_request(request(None)).await;
    let set = set_cookies(&first);
    assert_eq!(set.len(), 1);
    assert!(
        pair(&set[0]).ends_with('1') && pair(&set[0]).len() > "count=1".len(),
        "{set:?}"
    );
    assert_eq!(text(first).await, "0");
    let second = app.call_request(request(Some(pair(&set[0])))).await;
    assert_eq!(text(second).await, "1");
}

#[tokio::test]
async fn a_cookie_signed_with_a_retired_key_is_accepted_and_reissued_with_the_current_key() {
    let old = Key::generate();
    let new = Key::generate();
    // A client still holding a cookie from before the rotation.
    let issued = set_cookies(
        &counter_app(KeyRing::new(old.clone()))
            .call_request(request(None))
            .await,
    );
    let old_cookie = pair(&issued[0]).to_string();

    #[handler]
    async fn read_only(ctx: Context) -> String {
        ctx.get::<Cookies>()
            .signed()
            .get("count")
            .map(|c| c.value().to_string())
            .unwrap_or_default()
    }
    let rotated = KeyRing::new(new.clone()).with_retired(old);
    let app = Router::new()
        .with(cookies(rotated))
        .route("/", get(read_only));
    let response = app.call_request(request(Some(&old_cookie))).await;
    let reissued = set_cookies(&response);
    assert_eq!(text(response).await, "1", "verified with the retired key");
    assert_eq!(reissued.len(), 1, "re-issued: {reissued:?}");
    assert_ne!(pair(&reissued[0]), old_cookie);
    // The client never sent the attributes: the re-issue gets the safe defaults, not none.
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            reissued[0].contains(expected),
            "{expected} missing: {}",
            reissued[0]
        );
    }

    // The re-issued cookie verifies with the new key alone: the old one can now be dropped.
    let only_new = counter_app(KeyRing::new(new));
    let response = only_new
        .call_request(request(Some(pair(&reissued[0]))))
        .await;
    assert_eq!(text(response).await, "1");
    // While the old cookie no longer does.
    let response = only_new.call_request(request(Some(&old_cookie))).await;
    assert_eq!(text(response).await, "0");
}

#[tokio::test]
async fn tampered_unsigned_and_garbage_signed_cookies_read_as_absent() {
    let keys = KeyRing::new(Key::generate());
    let app = counter_app(keys);
    let issued = set_cookies(&app.call_request(request(None)).await);
    let good = pair(&issued[0]).to_string();
    let tampered = format!("{}9", &good[..good.len() - 1]);
    for cookie in [
        tampered.as_str(),
        "count=5",
        "count=",
        "count=%ff%fe%00",
        "count=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA5",
        "=; ;;count",
    ] {
        let response = app.call_request(request(Some(cookie))).await;
        assert_eq!(response.status(), 200, "{cookie}");
        assert_eq!(text(response).await, "0", "{cookie}");
    }
}

#[tokio::test]
async fn private_cookies_hide_their_value_and_refuse_tampering() {
    #[handler]
    async fn token(ctx: Context) -> String {
        let jar = ctx.get::<Cookies>();
        let seen = jar
            .private()
            .get("token")
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        jar.private().add(Cookie::new("token", "s3cret"));
        seen
    }
    let app = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .route("/", get(token));
    let set = set_cookies(&app.call_request(request(None)).await);
    assert!(!set[0].contains("s3cret"));
    let response = app.call_request(request(Some(pair(&set[0])))).await;
    assert_eq!(text(response).await, "s3cret");
    let tampered = pair(&set[0]).replacen('=', "=A", 1);
    let response = app.call_request(request(Some(&tampered))).await;
    assert_eq!(text(response).await, "");
}

#[tokio::test]
async fn every_changed_cookie_is_its_own_set_cookie_header() {
    #[handler]
    async fn two(ctx: Context) -> &'static str {
        let jar = ctx.get::<Cookies>();
        jar.add(Cookie::new("a", "1"));
        jar.signed().add(Cookie::new("b", "2"));
        jar.remove("gone");
        "ok"
    }
    let app = Router::new()
        .with(cookies(KeyRing::new(Key::generate())))
        .route("/", get(two));
    let response = app.call_request(request(Some("gone=x; kept=y"))).await;
    let mut set = set_cookies(&response);
    set.sort();
    assert_eq!(set.len(), 3, "{set:?}");
    assert!(set[0].starts_with("a=1"));
    assert!(set[1].starts_with("b="));
    assert!(
        set[2].starts_with("gone=;") && set[2].contains("Max-Age=0"),
        "{set:?}"
    );
}

#[tokio::test]
async fn a_private_cookie_encrypted_with_a_retired_key_is_decrypted_and_reissued() {
    #[handler]
    async fn token(ctx: Context) -> String {
        let jar = ctx.get::<Cookies>();
        let seen = jar.private().get("token").map(|c| c.value().to_string());
        if seen.is_none() {
            jar.private().add(Cookie::new("token", "s3cret"));
        }
        seen.unwrap_or_default()
    }
    let app = |keys: KeyRing| -> baton::App {
        Router::new()
            .with(cookies(keys))
            .route("/", get(token))
            .into()
    };
    let (old, new) = (Key::generate(), Key::generate());
    let issued = set_cookies(
        &app(KeyRing::new(old.clone()))
            .call_request(request(None))
            .await,
    );
    let old_cookie = pair(&issued[0]).to_string();
    assert!(!old_cookie.contains("s3cret"));

    // The secret rotates; the browser still holds the cookie encrypted with the old key.
    let rotated = app(KeyRing::new(new.clone()).with_retired(old));
    let response = rotated.call_request(request(Some(&old_cookie))).await;
    let reissued = set_cookies(&response);
    assert_eq!(
        text(response).await,
        "s3cret",
        "decrypted with the retired key"
    );
    assert_eq!(reissued.len(), 1, "re-issued: {reissued:?}");
    assert_ne!(pair(&reissued[0]), old_cookie);
    assert!(!reissued[0].contains("s3cret"), "still encrypted");
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            reissued[0].contains(expected),
            "{expected} missing: {}",
            reissued[0]
        );
    }

    // The re-issue is encrypted with the current key: the new key alone reads it, not the old cookie.
    let only_new = app(KeyRing::new(new));
    let response = only_new
        .call_request(request(Some(pair(&reissued[0]))))
        .await;
    assert!(set_cookies(&response).is_empty(), "nothing to re-issue");
    assert_eq!(text(response).await, "s3cret");
    let response = only_new.call_request(request(Some(&old_cookie))).await;
    assert_eq!(
        text(response).await,
        "",
        "unreadable without the retired key"
    );
}

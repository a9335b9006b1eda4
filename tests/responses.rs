//! Redirects (checked `Location`, same-origin `next` targets) and repeated headers.

use baton::{
    AppendHeaders, Body, Context, IntoResponse, Redirect, Response, Router, StatusCode, get,
};
use http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use http_body_util::BodyExt;

async fn body_text(response: Response) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn location(response: &Response) -> Option<&str> {
    response
        .headers()
        .get(LOCATION)
        .map(|value| value.to_str().unwrap())
}

fn cookies(response: &Response) -> Vec<&str> {
    let all = response.headers().get_all(SET_COOKIE);
    all.iter().map(|value| value.to_str().unwrap()).collect()
}

#[test]
fn each_constructor_answers_its_status_with_the_location() {
    let cases = [
        (Redirect::to("/a"), StatusCode::SEE_OTHER),
        (Redirect::temporary("/a"), StatusCode::TEMPORARY_REDIRECT),
        (Redirect::permanent("/a"), StatusCode::PERMANENT_REDIRECT),
        (Redirect::try_to("/a").unwrap(), StatusCode::SEE_OTHER),
        (
            Redirect::try_temporary("/a").unwrap(),
            StatusCode::TEMPORARY_REDIRECT,
        ),
        (
            Redirect::try_permanent("/a").unwrap(),
            StatusCode::PERMANENT_REDIRECT,
        ),
    ];
    for (redirect, status) in cases {
        assert_eq!(redirect.status(), status);
        let response = redirect.into_response();
        assert_eq!(response.status(), status);
        assert_eq!(location(&response), Some("/a"));
    }
}

#[test]
fn absolute_and_relative_targets_are_accepted_as_given() {
    for target in [
        "https://example.com/a?b=c#d",
        "mailto:someone@example.com",
        "../up",
        "?page=2",
        "/caf%C3%A9",
    ] {
        let response = Redirect::to(target).into_response();
        assert_eq!(location(&response), Some(target), "{target}");
    }
}

/// Targets that are not a safe header value: header injection (CR/LF), bytes browsers strip (tab,
/// leading space), non-ASCII, and nothing at all.
const INVALID: &[&str] = &[
    "",
    "/\r\nset-cookie: admin=1",
    "/\nlocation: https://evil.example",
    "/\r",
    "/a\0b",
    "/a\tb",
    " /a",
    "/a b",
    "/a\u{7f}",
    "/caf\u{e9}",
    "/\u{2028}",
];

#[tokio::test]
async fn an_invalid_target_answers_500_without_echoing_it() {
    for target in INVALID {
        for redirect in [
            Redirect::to(target),
            Redirect::temporary(target),
            Redirect::permanent(target),
        ] {
            assert!(redirect.location().is_none(), "{target:?}");
            let response = redirect.into_response();
            assert_eq!(response.status(), 500, "{target:?}");
            assert!(location(&response).is_none(), "{target:?}");
            assert!(response.headers().get(SET_COOKIE).is_none(), "{target:?}");
            assert_eq!(body_text(response).await, "invalid redirect target");
        }
    }
}

#[test]
fn an_invalid_target_is_an_error_from_the_try_constructors() {
    for target in INVALID {
        let errors = [
            Redirect::try_to(target).unwrap_err(),
            Redirect::try_temporary(target).unwrap_err(),
            Redirect::try_permanent(target).unwrap_err(),
            Redirect::try_to_local(target).unwrap_err(),
        ];
        for error in errors {
            assert!(!error.is_not_local(), "{target:?}");
            let message = error.to_string();
            assert!(message.starts_with("redirect target "), "{message}");
            // The message never quotes the target: it is safe to log and to show.
            assert!(!message.contains("set-cookie") && !message.contains("evil"));
        }
    }
    assert_eq!(
        Redirect::try_to("/a\r\nb").unwrap_err().to_string(),
        "redirect target has a control, space or non-ASCII byte at offset 2"
    );
}

#[test]
fn every_byte_in_every_position_is_either_refused_or_sent_verbatim() {
    for byte in 0..=u8::MAX {
        let character = char::from(byte);
        for target in [
            format!("{character}"),
            format!("/{character}"),
            format!("/a{character}b"),
            format!("{character}/a"),
        ] {
            let local = Redirect::is_local(&target);
            match Redirect::try_to(&target) {
                Ok(redirect) => {
                    assert!(byte.is_ascii_graphic(), "{target:?} accepted");
                    assert_eq!(location(&redirect.into_response()), Some(target.as_str()));
                }
                Err(_) => assert!(!local, "{target:?} local but refused"),
            }
            let response = Redirect::to_local(&target).into_response();
            let sent = location(&response).unwrap();
            assert!(sent == target || sent == "/", "{target:?} sent as {sent:?}");
            assert_eq!(sent == target, local, "{target:?}");
        }
    }
}

/// `next` values seen in open-redirect reports: each one leaves the site in some browser (or is a
/// script), so `to_local` must send `/` instead.
const OFF_SITE: &[&str] = &[
    "//evil.example",
    "//evil.example/login",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/a\\..\\..\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "@evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\u{0}//evil.example",
    "/\u{ff0f}evil.example",
    "/\u{3002}evil.example",
    "",
];

#[test]
fn to_local_refuses_targets_that_leave_the_site() {
    for next in OFF_SITE {
        assert!(!Redirect::is_local(next), "{next:?}");
        let response = Redirect::to_local(next).into_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&response), Some("/"), "{next:?}");
        assert!(Redirect::try_to_local(next).is_err(), "{next:?}");
    }
    let error = Redirect::try_to_local("https://evil.example").unwrap_err();
    assert!(error.is_not_local());
    assert_eq!(
        error.to_string(),
        "redirect target is not a path on this site"
    );
}

#[test]
fn to_local_keeps_paths_on_this_site() {
    for next in [
        "/",
        "/dashboard",
        "/orders/7?tab=items#top",
        "/search?q=a%20b&next=%2F%2Fevil.example",
        "/@user",
        "/a//b",
        "/a/./b",
        "/%2F%2Fevil.example",
        "/evil.example",
    ] {
        assert!(Redirect::is_local(next), "{next:?}");
        let response = Redirect::to_local(next).into_response();
        assert_eq!(location(&response), Some(next));
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
}

#[test]
fn append_headers_keeps_every_pair() {
    let response = (
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, "a=1"), (SET_COOKIE, "b=2")]),
        "made",
    )
        .into_response();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(cookies(&response), ["a=1", "b=2"]);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );

    let alone =
        AppendHeaders(vec![("x-tag", "a"), ("x-tag", "b"), ("x-other", "c")]).into_response();
    assert_eq!(alone.status(), StatusCode::OK);
    assert_eq!(alone.headers().get_all("x-tag").iter().count(), 2);
    assert_eq!(alone.headers()["x-other"], "c");

    let from_iter = (
        AppendHeaders((1..=3).map(|n| (SET_COOKIE, format!("c{n}=v")))),
        (),
    )
        .into_response();
    assert_eq!(cookies(&from_iter), ["c1=v", "c2=v", "c3=v"]);
}

#[test]
fn append_headers_adds_to_the_bodys_headers_where_the_array_form_replaces_them() {
    let appended = (AppendHeaders([(CONTENT_TYPE, "text/csv")]), "a,b").into_response();
    let types: Vec<_> = appended.headers().get_all(CONTENT_TYPE).iter().collect();
    assert_eq!(types, ["text/plain; charset=utf-8", "text/csv"]);

    let replaced = ([(CONTENT_TYPE, "text/csv")], "a,b").into_response();
    let types: Vec<_> = replaced.headers().get_all(CONTENT_TYPE).iter().collect();
    assert_eq!(types, ["text/csv"]);

    // Inside one array, a later pair of the same name replaces the earlier one.
    let array = ([(SET_COOKIE, "a=1"), (SET_COOKIE, "b=2")], ()).into_response();
    assert_eq!(cookies(&array), ["b=2"]);
}

#[tokio::test]
async fn an_invalid_header_answers_500_even_with_a_status_given() {
    let appended = (
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, "a=1"), (SET_COOKIE, "b=\r\n2")]),
        "made",
    )
        .into_response();
    assert_eq!(appended.status(), 500);
    assert!(appended.headers().get(SET_COOKIE).is_none());
    assert!(
        body_text(appended)
            .await
            .starts_with("invalid header value")
    );

    let bad_name = (AppendHeaders([("bad name", "x")]), "made").into_response();
    assert_eq!(bad_name.status(), 500);
    assert!(body_text(bad_name).await.starts_with("invalid header name"));

    let array = (StatusCode::CREATED, [("x-a", "\n")], "made").into_response();
    assert_eq!(array.status(), 500);
}

/// The login flow the issue is about: set two cookies and send the user to a `?next=` they supplied.
async fn login(ctx: Context) -> impl IntoResponse {
    let next = ctx
        .uri()
        .query()
        .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("next=")))
        .unwrap_or("/");
    (
        AppendHeaders([
            (SET_COOKIE, "session=s3cr3t; HttpOnly; Secure; SameSite=Lax"),
            (SET_COOKIE, "flash=welcome; Path=/"),
        ]),
        Redirect::to_local(next),
    )
}

#[tokio::test]
async fn a_login_route_sets_both_cookies_and_redirects_only_on_site() {
    let app = Router::new().route("/login", get(login));
    let call = |uri: &str| {
        let request = http::Request::get(uri).body(Body::empty()).unwrap();
        app.call_request(request)
    };

    let response = call("/login?next=/orders/7").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), Some("/orders/7"));
    assert_eq!(
        cookies(&response),
        [
            "session=s3cr3t; HttpOnly; Secure; SameSite=Lax",
            "flash=welcome; Path=/"
        ]
    );

    for next in ["//evil.example", "https://evil.example", "/%5Cevil.example"] {
        let response = call(&format!("/login?next={next}")).await;
        let expected = if next.starts_with("/%") { next } else { "/" };
        assert_eq!(location(&response), Some(expected), "{next}");
        assert_eq!(cookies(&response).len(), 2);
    }
}

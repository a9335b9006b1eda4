//! `form_data`: urlencoded and multipart bodies, their limits, malformed input and the typed view.

use baton::builtin::form::{FormData, FormLimits, FormRejection, form_data};
use baton::{App, Body, Context, Router, StatusCode, body_limit, get, handler, post};
use http_body_util::BodyExt;

const BOUNDARY: &str = "XyZ";

/// A multipart body: `(field, file name, content)` per part, closed.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = multipart_open(parts);
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The same, never closed.
fn multipart_open(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(file) => format!(
                "content-disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 content-type: application/octet-stream\r\n"
            ),
            None => format!("content-disposition: form-data; name=\"{name}\"\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body
}

fn multipart_request(body: Vec<u8>) -> http::Request<Body> {
    http::Request::post("/")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap()
}

fn urlencoded_request(body: &str) -> http::Request<Body> {
    http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Describes the form: its fields, then each file with its size and where it is kept.
#[handler]
async fn describe(ctx: Context) -> String {
    let form = ctx.get::<FormData>();
    let mut out: Vec<String> = form
        .fields()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    for file in form.files() {
        let place = if file.path().is_some() {
            "disk"
        } else {
            "memory"
        };
        let content = file.bytes().await.unwrap();
        assert_eq!(content.len() as u64, file.len());
        out.push(format!(
            "{}:{}:{}:{place}",
            file.name(),
            file.file_name().unwrap_or("-"),
            file.len()
        ));
    }
    out.join(",")
}

fn app(limits: FormLimits) -> App {
    Router::new()
        .with(form_data(limits))
        .route("/", get(describe).post(describe))
        .into()
}

async fn send(app: &App, request: http::Request<Body>) -> (StatusCode, String) {
    let response = app.call_request(request).await;
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn urlencoded_fields() {
    let (status, body) = send(
        &app(FormLimits::default()),
        urlencoded_request("title=Zo%C3%AB+Ada&tag=a&tag=b&empty="),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "title=Zoë Ada,tag=a,tag=b,empty=");
}

#[tokio::test]
async fn urlencoded_not_utf8_is_400() {
    let (status, body) = send(&app(FormLimits::default()), urlencoded_request("a=%FF%FE")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("UTF-8"), "{body}");
}

#[tokio::test]
async fn multipart_fields_and_files() {
    let big = vec![b'z'; 100 * 1024]; // over the 64 KiB spool threshold
    let body = multipart(&[
        ("title", None, "Zoë".as_bytes()),
        ("small", Some("a.txt"), b"hello"),
        ("big", Some("b.bin"), &big),
    ]);
    let (status, body) = send(&app(FormLimits::default()), multipart_request(body)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "title=Zoë,small:a.txt:5:memory,big:b.bin:102400:disk");
}

#[tokio::test]
async fn spooled_files_are_deleted_with_the_request() {
    #[handler]
    async fn where_is_it(ctx: Context) -> String {
        let file = ctx.get::<FormData>().file("f").unwrap();
        file.path().unwrap().display().to_string()
    }
    let app: App = Router::new()
        .with(form_data(FormLimits::default().spool_threshold(0)))
        .route("/", post(where_is_it))
        .into();
    let (status, path) = send(
        &app,
        multipart_request(multipart(&[("f", Some("x"), b"abc")])),
    )
    .await;
    assert_eq!(status, 200, "{path}");
    assert!(
        !std::path::Path::new(&path).exists(),
        "{path} outlived the request"
    );
}

#[tokio::test]
async fn malformed_multipart_is_400() {
    let mut body = format!("--{BOUNDARY}\r\nthis is not a header line\r\n\r\nx\r\n").into_bytes();
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let (status, text) = send(&app(FormLimits::default()), multipart_request(body)).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.starts_with("malformed form body"), "{text}");

    let field_not_utf8 = multipart(&[("name", None, &[0xff, 0xfe])]);
    let (status, text) = send(
        &app(FormLimits::default()),
        multipart_request(field_not_utf8),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("`name` is not UTF-8"), "{text}");
}

#[tokio::test]
async fn multipart_without_boundary_is_400() {
    let request = http::Request::post("/")
        .header("content-type", "multipart/form-data")
        .body(Body::from("x"))
        .unwrap();
    let (status, text) = send(&app(FormLimits::default()), request).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("boundary"), "{text}");
}

#[tokio::test]
async fn boundary_never_closed_is_400() {
    let body = multipart_open(&[("a", None, b"1"), ("f", Some("x.bin"), b"data")]);
    let (status, text) = send(&app(FormLimits::default()), multipart_request(body)).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("closing boundary"), "{text}");
}

#[tokio::test]
async fn ten_thousand_tiny_parts_hit_max_parts() {
    let parts: Vec<(String, Option<&str>, &[u8])> = (0..10_000)
        .map(|i| (format!("p{i}"), None, &b"x"[..]))
        .collect();
    let parts: Vec<(&str, Option<&str>, &[u8])> = parts
        .iter()
        .map(|(name, file, content)| (name.as_str(), *file, *content))
        .collect();
    let body = multipart(&parts);
    assert!(
        body.len() < 2 << 20,
        "stays under the body limit: the count is what is hit"
    );
    let (status, text) = send(&app(FormLimits::default()), multipart_request(body)).await;
    assert_eq!(status, 413, "{text}");
    assert!(
        text.contains("`max_parts`") && text.contains("1000"),
        "{text}"
    );

    let pairs = vec!["a=1"; 10_000].join("&");
    let (status, text) = send(&app(FormLimits::default()), urlencoded_request(&pairs)).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("`max_parts`"), "{text}");
}

#[tokio::test]
async fn file_count_and_sizes_are_limited() {
    let limits = FormLimits::default()
        .max_files(2)
        .max_file_size(10)
        .max_field_size(4);
    let three_files = multipart(&[
        ("a", Some("1"), b"1"),
        ("b", Some("2"), b"2"),
        ("c", Some("3"), b"3"),
    ]);
    let (status, text) = send(&app(limits.clone()), multipart_request(three_files)).await;
    assert_eq!(
        (status, text.contains("`max_files`")),
        (StatusCode::PAYLOAD_TOO_LARGE, true),
        "{text}"
    );

    let big_file = multipart(&[("a", Some("1"), b"eleven byte")]);
    let (status, text) = send(&app(limits.clone()), multipart_request(big_file)).await;
    assert_eq!(
        (status, text.contains("`max_file_size`")),
        (StatusCode::PAYLOAD_TOO_LARGE, true),
        "{text}"
    );

    let big_field = multipart(&[("a", None, b"12345")]);
    let (status, text) = send(&app(limits.clone()), multipart_request(big_field)).await;
    assert_eq!(
        (status, text.contains("`max_field_size`")),
        (StatusCode::PAYLOAD_TOO_LARGE, true),
        "{text}"
    );

    let (status, text) = send(&app(limits), urlencoded_request("a=12345")).await;
    assert_eq!(
        (status, text.contains("`max_field_size`")),
        (StatusCode::PAYLOAD_TOO_LARGE, true),
        "{text}"
    );
}

#[tokio::test]
async fn over_the_body_limit_is_413() {
    let app: App = Router::new()
        .with(body_limit(1024))
        .with(form_data(FormLimits::default()))
        .route("/", post(describe))
        .into();
    let body = multipart(&[("f", Some("x"), &[b'x'; 4096])]);
    let (status, text) = send(&app, multipart_request(body)).await;
    assert_eq!(status, 413, "{text}");
    assert!(
        text.contains("`body_limit`") && text.contains("1024"),
        "{text}"
    );

    // Chunked (no length announced): stopped by the limited body as it streams.
    let chunks = (0..8).map(|_| {
        Ok::<_, std::io::Error>(http_body::Frame::data(bytes::Bytes::from(vec![b'x'; 512])))
    });
    let mut head = multipart_open(&[]);
    head.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n"
        )
        .as_bytes(),
    );
    let stream = futures_util::stream::iter(
        std::iter::once(Ok(http_body::Frame::data(bytes::Bytes::from(head)))).chain(chunks),
    );
    let request = http::Request::post("/")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::new(http_body_util::StreamBody::new(stream)))
        .unwrap();
    let (status, text) = send(&app, request).await;
    assert_eq!(status, 413, "{text}");

    let (status, text) = send(&app, urlencoded_request(&"a".repeat(2000))).await;
    assert_eq!(status, 413, "{text}");
}

/// Whether the form was empty, then the body as the handler could still read it.
#[handler]
async fn empty_then_body(mut ctx: Context) -> String {
    let empty = ctx.get::<FormData>().is_empty();
    format!("{empty}:{}", ctx.text().await.unwrap_or_default())
}

#[tokio::test]
async fn get_head_and_other_types_give_an_empty_form() {
    let app: App = Router::new()
        .with(form_data(FormLimits::default()))
        .route("/", get(empty_then_body).post(empty_then_body))
        .into();
    let get = http::Request::get("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("a=1"))
        .unwrap();
    assert_eq!(send(&app, get).await.1, "true:a=1");
    let json = http::Request::post("/")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        send(&app, json).await.1,
        "true:{}",
        "the body is left for the handler"
    );
    let none = http::Request::post("/").body(Body::from("x")).unwrap();
    assert_eq!(send(&app, none).await.1, "true:x");
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Signup {
    name: String,
    age: u8,
    #[serde(default)]
    tags: Vec<String>,
}

#[handler]
async fn signup(ctx: Context) -> Result<String, FormRejection> {
    let signup: Signup = ctx.get::<FormData>().parse()?;
    Ok(format!("{} {} {:?}", signup.name, signup.age, signup.tags))
}

#[tokio::test]
async fn typed_view_and_its_422() {
    let app: App = Router::new()
        .with(form_data(FormLimits::default()))
        .route("/", post(signup))
        .into();
    let (status, text) = send(&app, urlencoded_request("name=Ada&age=36&tags=x&tags=y")).await;
    assert_eq!(
        (status.as_u16(), text.as_str()),
        (200, "Ada 36 [\"x\", \"y\"]")
    );

    let multipart_body = multipart(&[("name", None, b"Ada"), ("age", None, b"36")]);
    let (status, text) = send(&app, multipart_request(multipart_body)).await;
    assert_eq!((status.as_u16(), text.as_str()), (200, "Ada 36 []"));

    let (status, text) = send(&app, urlencoded_request("name=Ada&age=300")).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.starts_with("invalid form field `age`: "), "{text}");

    let (status, text) = send(&app, urlencoded_request("age=3")).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("missing field `name`"), "{text}");

    let huge = format!("name=Ada&age={}", "9".repeat(10_000));
    let (status, text) = send(&app, urlencoded_request(&huge)).await;
    assert_eq!(status, 422);
    assert!(text.len() < 300, "the echo is bounded: {text}");
}

#[tokio::test]
async fn field_names_are_bounded_like_values() {
    let limits = FormLimits::default().max_field_size(8);
    let long = "n".repeat(9);
    for body in [
        format!("{long}=1"),
        long.clone(),               // a name without a value
        format!("a=1&{long}=&b=2"), // an empty value
        "%6E".repeat(9) + "=1",     // counted decoded: nine bytes
    ] {
        let (status, text) = send(&app(limits.clone()), urlencoded_request(&body)).await;
        assert_eq!(status, 413, "{body}: {text}");
        assert!(
            text.contains("`max_field_size`") && text.contains("more than 8 bytes"),
            "{text}"
        );
    }
    let (status, text) = send(&app(limits.clone()), urlencoded_request("nnnnnnnn=1")).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "nnnnnnnn=1"));

    // Multipart names, of fields and of files, and the client's file names.
    for parts in [
        [(long.as_str(), None, &b"1"[..])],
        [(long.as_str(), Some("f.txt"), &b"1"[..])],
        [("f", Some(long.as_str()), &b"1"[..])],
    ] {
        let (status, text) = send(&app(limits.clone()), multipart_request(multipart(&parts))).await;
        assert_eq!(status, 413, "{parts:?}: {text}");
        assert!(text.contains("`max_field_size`"), "{text}");
    }
}

#[tokio::test]
async fn another_layers_length_limit_is_a_413_without_a_made_up_number() {
    // What tower-http's `RequestBodyLimitLayer` hands on for a chunked body: an
    // `http_body_util::Limited` whose error does not carry its limit.
    let limited = |body: &'static str| {
        http_body_util::Limited::new(http_body_util::Full::new(bytes::Bytes::from(body)), 4)
    };
    let urlencoded = http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::new(limited("a=1&b=2&c=3")))
        .unwrap();
    let multipart = http::Request::post("/")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::new(limited(
            "--XyZ\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--\r\n",
        )))
        .unwrap();
    for request in [urlencoded, multipart] {
        let (status, text) = send(&app(FormLimits::default()), request).await;
        assert_eq!(status, 413, "{text}");
        assert!(text.contains("length limit"), "{text}");
        assert!(!text.contains("more than 0"), "no bogus limit: {text}");
        assert!(!text.contains(char::is_numeric), "no number at all: {text}");
    }
}

#[tokio::test]
async fn head_requests_give_an_empty_form_and_leave_the_body_unread() {
    let app: App = Router::new()
        .with(form_data(FormLimits::default()))
        .route("/", get(empty_then_body))
        .into();
    for content_type in [
        "application/x-www-form-urlencoded".to_string(),
        format!("multipart/form-data; boundary={BOUNDARY}"),
    ] {
        // A body that would be malformed (multipart) or over the field limit (urlencoded) if read.
        let body = format!("not a form {}", "x".repeat(200 * 1024));
        let head = http::Request::head("/")
            .header("content-type", content_type.as_str())
            .body(Body::from(body.clone()))
            .unwrap();
        let response = app.call_request(head).await;
        assert_eq!(response.status(), 200, "{content_type}");
        // The handler answered `true:<the whole body>`: HEAD keeps its length, not its bytes.
        let announced = format!("{}", "true:".len() + body.len());
        assert_eq!(response.headers()["content-length"], announced.as_str());
        let sent = response.into_body().collect().await.unwrap().to_bytes();
        assert!(sent.is_empty(), "{content_type}");
    }
}

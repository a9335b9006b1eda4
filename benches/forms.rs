//! Form parsing, baton's `form_data` beside axum's `Form` and `Multipart`, in one criterion run:
//!
//! * `urlencoded_1k`: a 1 KB urlencoded body deserialized into a struct (baton: `form_data` then
//!   `FormData::parse`; axum: `Form<T>`);
//! * `multipart_1m`: a multipart body with a text field and a 1 MB file, read whole (baton: `form_data`,
//!   once with the default 64 KiB spool threshold, so the file goes to a temporary file, and once with
//!   the file kept in memory; axum: `Multipart`, each field read into `Bytes`).
//!
//! Run: `cargo bench -p baton-benches --bench forms -- --warm-up-time 1 --measurement-time 3`

use baton::builtin::form::{FormData, FormLimits, FormRejection, form_data};
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use std::hint::black_box;
use tower::ServiceExt;

#[derive(serde::Deserialize)]
struct Note {
    title: String,
    body: String,
    priority: u32,
}

fn urlencoded_body() -> Bytes {
    let body = format!(
        "title=Benchmark+note&priority=3&body={}",
        "lorem%20ipsum+dolor+sit+amet%2C+".repeat(30)
    );
    assert!((950..1100).contains(&body.len()), "{}", body.len());
    Bytes::from(body)
}

fn multipart_body() -> Bytes {
    let mut body =
        b"--B\r\ncontent-disposition: form-data; name=\"title\"\r\n\r\nupload\r\n".to_vec();
    body.extend_from_slice(
        b"--B\r\ncontent-disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\r\n",
    );
    body.extend(std::iter::repeat_n(b'f', 1 << 20));
    body.extend_from_slice(b"\r\n--B--\r\n");
    Bytes::from(body)
}

fn request(content_type: &str, body: &Bytes) -> Request<baton::Body> {
    Request::post("/")
        .header("content-type", content_type)
        .body(baton::Body::from(body.clone()))
        .unwrap()
}

#[baton::handler]
async fn baton_note(ctx: baton::Context) -> Result<String, FormRejection> {
    let note: Note = ctx.get::<FormData>().parse()?;
    Ok(format!(
        "{}{}{}",
        note.title.len(),
        note.body.len(),
        note.priority
    ))
}

#[baton::handler]
async fn baton_upload(ctx: baton::Context) -> String {
    let form = ctx.get::<FormData>();
    let file = form.file("file").expect("file");
    format!("{}{}", form.get("title").unwrap_or_default(), file.len())
}

async fn axum_note(axum::Form(note): axum::Form<Note>) -> String {
    format!("{}{}{}", note.title.len(), note.body.len(), note.priority)
}

async fn axum_upload(mut multipart: axum::extract::Multipart) -> String {
    let mut sizes = 0;
    while let Some(field) = multipart.next_field().await.unwrap() {
        sizes += field.bytes().await.unwrap().len();
    }
    sizes.to_string()
}

fn forms(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let urlencoded = urlencoded_body();
    let multipart = multipart_body();
    const URLENCODED: &str = "application/x-www-form-urlencoded";
    const MULTIPART: &str = "multipart/form-data; boundary=B";

    let baton_app: baton::App = baton::Router::new()
        .with(baton::body_limit(4 << 20))
        .with(form_data(FormLimits::default()))
        .route("/", baton::post(baton_note))
        .scope("/upload", |upload| {
            upload.route("/", baton::post(baton_upload))
        })
        .into();
    let baton_in_memory: baton::App = baton::Router::new()
        .with(baton::body_limit(4 << 20))
        .with(form_data(FormLimits::default().spool_threshold(4 << 20)))
        .route("/", baton::post(baton_upload))
        .into();
    let axum_app = axum::Router::new()
        .route("/", axum::routing::post(axum_note))
        .route("/upload", axum::routing::post(axum_upload))
        .layer(axum::extract::DefaultBodyLimit::max(4 << 20));

    let mut group = c.benchmark_group("urlencoded_1k");
    group.bench_function("baton", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = baton_app
                .call_request(request(URLENCODED, &urlencoded))
                .await;
            assert_eq!(response.status(), 200);
            black_box(response)
        })
    });
    group.bench_function("axum", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = axum_app
                .clone()
                .oneshot(request(URLENCODED, &urlencoded))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            black_box(response)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("multipart_1m");
    let upload = |body: &Bytes| {
        let mut request = request(MULTIPART, body);
        *request.uri_mut() = "/upload".parse().unwrap();
        request
    };
    group.bench_function("baton_spooled", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = baton_app.call_request(upload(&multipart)).await;
            assert_eq!(response.status(), 200);
            black_box(response)
        })
    });
    group.bench_function("baton_in_memory", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = baton_in_memory
                .call_request(request(MULTIPART, &multipart))
                .await;
            assert_eq!(response.status(), 200);
            black_box(response)
        })
    });
    group.bench_function("axum", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = axum_app.clone().oneshot(upload(&multipart)).await.unwrap();
            assert_eq!(response.status(), 200);
            black_box(response)
        })
    });
    group.finish();
}

criterion_group!(benches, forms);
criterion_main!(benches);

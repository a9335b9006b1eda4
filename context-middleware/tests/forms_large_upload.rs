//! A 50 MB upload streams through `form_data` to a temporary file with bounded memory. Its own test
//! binary: the counting allocator sees this test only.

use baton::builtin::form::{FormData, FormLimits, form_data};
use baton::{App, Body, Context, Router, body_limit, handler, post};
use bytes::Bytes;
use http_body_util::BodyExt;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZE: usize = 50 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

#[handler]
async fn stored(ctx: Context) -> String {
    let file = ctx.get::<FormData>().file("video").unwrap();
    let path = file.path().expect("spooled to disk");
    let on_disk = std::fs::metadata(path).unwrap().len();
    format!("{}:{on_disk}", file.len())
}

#[tokio::test(flavor = "current_thread")]
async fn fifty_megabytes_spool_to_disk_in_bounded_memory() {
    let app: App = Router::new()
        .with(body_limit(64 * 1024 * 1024))
        .with(form_data(FormLimits::default().max_file_size(SIZE)))
        .route("/", post(stored))
        .into();
    let head = Bytes::from(
        "--B\r\ncontent-disposition: form-data; name=\"video\"; filename=\"v.bin\"\r\n\r\n",
    );
    let tail = Bytes::from_static(b"\r\n--B--\r\n");
    // Generated chunk by chunk: the test never holds the upload either.
    let chunks = (0..SIZE / CHUNK).map(|_| Bytes::from(vec![b'v'; CHUNK]));
    let frames = std::iter::once(head)
        .chain(chunks)
        .chain(std::iter::once(tail))
        .map(|bytes| Ok::<_, std::io::Error>(http_body::Frame::data(bytes)));
    let request = http::Request::post("/")
        .header("content-type", "multipart/form-data; boundary=B")
        .body(Body::new(http_body_util::StreamBody::new(
            futures_util::stream::iter(frames),
        )))
        .unwrap();

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let response = app.call_request(request).await;
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let peak = PEAK.load(Ordering::Relaxed) - before;

    eprintln!("peak heap growth: {peak} bytes");
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body, format!("{SIZE}:{SIZE}"));
    assert!(
        peak < 8 * 1024 * 1024,
        "peak heap growth {peak} bytes for a {SIZE}-byte upload"
    );
}

//! Large uploads through `form_data`: 1 GiB refused by the default limits after a little more than
//! the limit was read, and 1 GiB accepted with raised limits, spooled to a temporary file, in bounded
//! memory. Its own test binary: the counting allocator sees these tests only, one at a time.

use baton::builtin::form::{FormData, FormLimits, form_data};
use baton::{App, Body, Context, Router, body_limit, handler, post};
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use std::alloc::{GlobalAlloc, Layout, System};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

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

const GIB: usize = 1 << 30;
const CHUNK: usize = 64 * 1024;
/// The default `BodyLimit` (2 MiB).
const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// What the middleware may hold at once whatever the upload's size.
const MEMORY_BOUND: usize = 8 * 1024 * 1024;

/// The content of every generated chunk: handed out by reference, never allocated.
static CHUNK_BYTES: [u8; CHUNK] = [b'v'; CHUNK];

/// One test at a time: the allocator's counts are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

fn run<F: Future>(test: F) -> F::Output {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test)
}

/// A multipart body with one file of `size` bytes (a multiple of [`CHUNK`]), generated lazily chunk
/// by chunk as it is polled: the test never holds the upload either. `pulled` counts the bytes
/// handed out; `announce` gives the exact length in the size hint, as a `Content-Length` does.
struct Upload {
    head: Option<Bytes>,
    chunks_left: usize,
    tail: Option<Bytes>,
    pulled: Arc<AtomicUsize>,
    announce: bool,
}

const HEAD: &str =
    "--B\r\ncontent-disposition: form-data; name=\"video\"; filename=\"v.bin\"\r\n\r\n";
const TAIL: &[u8] = b"\r\n--B--\r\n";

impl Upload {
    fn new(size: usize, announce: bool) -> (Self, Arc<AtomicUsize>) {
        assert_eq!(size % CHUNK, 0);
        let pulled = Arc::new(AtomicUsize::new(0));
        let upload = Upload {
            head: Some(Bytes::from_static(HEAD.as_bytes())),
            chunks_left: size / CHUNK,
            tail: Some(Bytes::from_static(TAIL)),
            pulled: pulled.clone(),
            announce,
        };
        (upload, pulled)
    }

    fn remaining(&self) -> u64 {
        let head = self.head.as_ref().map_or(0, Bytes::len);
        let tail = self.tail.as_ref().map_or(0, Bytes::len);
        (head + self.chunks_left * CHUNK + tail) as u64
    }

    fn request(self) -> http::Request<Body> {
        http::Request::post("/")
            .header("content-type", "multipart/form-data; boundary=B")
            .body(Body::new(self))
            .unwrap()
    }
}

impl http_body::Body for Upload {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let next = if let Some(head) = self.head.take() {
            Some(head)
        } else if self.chunks_left > 0 {
            self.chunks_left -= 1;
            Some(Bytes::from_static(&CHUNK_BYTES))
        } else {
            self.tail.take()
        };
        if let Some(bytes) = &next {
            self.pulled.fetch_add(bytes.len(), Ordering::Relaxed);
        }
        Poll::Ready(next.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.tail.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        if self.announce {
            SizeHint::with_exact(self.remaining())
        } else {
            SizeHint::default()
        }
    }
}

#[handler]
async fn stored(ctx: Context) -> String {
    let file = ctx.get::<FormData>().file("video").unwrap();
    let path = file.path().expect("spooled to disk");
    let on_disk = std::fs::metadata(path).unwrap().len();
    format!("{}:{on_disk}", file.len())
}

/// Sends `request`, measuring the heap growth while the app answers it.
async fn send(app: &App, request: http::Request<Body>) -> (http::StatusCode, String, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let response = app.call_request(request).await;
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (status, String::from_utf8_lossy(&body).into_owned(), peak)
}

#[test]
fn a_gigabyte_upload_under_the_default_limits_is_refused_after_reading_little_more_than_the_limit()
{
    run(async {
        let app: App = Router::new()
            .with(form_data(FormLimits::default()))
            .route("/", post(stored))
            .into();

        // Chunked: no length announced, so the limit is found by counting what streams in.
        let (upload, pulled) = Upload::new(GIB, false);
        let started = Instant::now();
        let (status, text, peak) = send(&app, upload.request()).await;
        let elapsed = started.elapsed();
        let pulled = pulled.load(Ordering::Relaxed);
        eprintln!("chunked: {pulled} bytes pulled, peak heap growth {peak} bytes, {elapsed:?}");
        assert_eq!(status, 413, "{text}");
        assert!(
            text.contains("`body_limit`") && text.contains(&DEFAULT_BODY_LIMIT.to_string()),
            "names the limit: {text}"
        );
        assert!(
            pulled > DEFAULT_BODY_LIMIT && pulled <= DEFAULT_BODY_LIMIT + 2 * CHUNK,
            "{pulled} bytes pulled of a {GIB}-byte upload under a {DEFAULT_BODY_LIMIT}-byte limit"
        );
        assert!(peak < MEMORY_BOUND, "peak heap growth {peak} bytes");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");

        // Announced (`Content-Length`): refused before a byte is read.
        let (upload, pulled) = Upload::new(GIB, true);
        let (status, text, _) = send(&app, upload.request()).await;
        assert_eq!(status, 413, "{text}");
        assert!(text.contains("`body_limit`"), "{text}");
        assert_eq!(pulled.load(Ordering::Relaxed), 0, "nothing read");
    });
}

/// The whole gigabyte goes through multer and into the temporary file: about 10 s in a debug build
/// on two shared cores (100 MB/s), measured when it was written; release builds are several times faster.
#[test]
fn a_gigabyte_upload_with_raised_limits_spools_to_disk_in_bounded_memory() {
    run(async {
        let app: App = Router::new()
            .with(body_limit(GIB + CHUNK))
            .with(form_data(FormLimits::default().max_file_size(GIB)))
            .route("/", post(stored))
            .into();
        let (upload, pulled) = Upload::new(GIB, false);
        let started = Instant::now();
        let (status, text, peak) = send(&app, upload.request()).await;
        let elapsed = started.elapsed();
        eprintln!("1 GiB accepted: peak heap growth {peak} bytes, {elapsed:?}");
        assert_eq!(status, 200, "{text}");
        assert_eq!(text, format!("{GIB}:{GIB}"), "size reported and on disk");
        assert_eq!(
            pulled.load(Ordering::Relaxed),
            HEAD.len() + GIB + TAIL.len()
        );
        assert!(
            peak < MEMORY_BOUND,
            "peak heap growth {peak} bytes for a {GIB}-byte upload"
        );
    });
}

//! Reading a body allocates it once: `text()` on a 1 MiB body makes at most one allocation of 1 MiB or
//! more, whether the body came in one piece, in chunks, or announced its length.
//!
//! A counting global allocator; this file is its own test binary so nothing else allocates meanwhile.

use baton::Context;
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll};

const MIB: usize = 1024 * 1024;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LARGE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= MIB && COUNTING.load(Ordering::Relaxed) {
            LARGE.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A body arriving in 64 KiB frames, with or without its length announced.
struct Chunks {
    frames: VecDeque<Bytes>,
    announced: bool,
}

impl Chunks {
    fn new(total: usize, announced: bool) -> Self {
        let frames = (0..total / (64 * 1024))
            .map(|_| Bytes::from(vec![b'a'; 64 * 1024]))
            .collect();
        Chunks { frames, announced }
    }
}

impl HttpBody for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.frames.pop_front().map(|data| Ok(Frame::data(data))))
    }

    fn size_hint(&self) -> SizeHint {
        if self.announced {
            SizeHint::with_exact(self.frames.iter().map(|frame| frame.len() as u64).sum())
        } else {
            SizeHint::default()
        }
    }
}

/// Large allocations made by `text()` on a request with `body`.
async fn large_allocations_of_text(body: baton::Body) -> usize {
    let mut ctx = Context::from_request(http::Request::post("/").body(body).unwrap());
    LARGE.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let text = ctx.text().await.unwrap();
    COUNTING.store(false, Ordering::Relaxed);
    assert_eq!(text.len(), MIB);
    LARGE.load(Ordering::Relaxed)
}

#[tokio::test]
async fn text_on_a_1_mib_body_allocates_it_at_most_once() {
    let in_one_piece = large_allocations_of_text(baton::Body::from(vec![b'a'; MIB])).await;
    assert_eq!(in_one_piece, 0, "a body already in memory is not copied");

    let chunked = large_allocations_of_text(baton::Body::new(Chunks::new(MIB, false))).await;
    assert!(chunked <= 1, "{chunked} allocations of 1 MiB or more");

    let announced = large_allocations_of_text(baton::Body::new(Chunks::new(MIB, true))).await;
    assert_eq!(announced, 1, "{announced} allocations of 1 MiB or more");
}

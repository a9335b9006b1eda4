//! [`Body`]: the body of requests and responses, held in memory or streamed.
//!
//! One type serves both directions. A handler reads the request's body, and whatever it answers (a
//! `String`, [`Json`](crate::Json), a [`Response`](crate::Response)) carries one. A `Body` is an
//! [`http_body::Body`] of [`Bytes`] chunks whose errors are [`BoxError`]s, so it goes to and from
//! hyper, tower and the `http-body-util` combinators as it is.
//!
//! # In memory or streamed
//!
//! A body is one of two kinds:
//!
//! * **in memory**: [`Body::empty()`], [`Body::full(bytes)`](Body::full), or a `From` conversion
//!   (`String`, `&'static str`, `Vec<u8>`, `&'static [u8]`, [`Bytes`]). The bytes are already there:
//!   nothing is boxed, polling runs no code, and they are handed over in one frame. Most responses
//!   are this kind.
//! * **streamed**: [`Body::new(body)`](Body::new) boxes any other `http_body::Body` whose data is
//!   `Bytes`: hyper's incoming request body, a file read chunk by chunk, a channel, a proxied
//!   upstream response. Its chunks arrive as they are produced, and reading it can fail.
//!
//! [`is_in_memory`](Body::is_in_memory) tells the two apart, and [`collect_bytes`](Body::collect_bytes)
//! reads either kind into one buffer:
//!
//! ```
//! use baton::Body;
//! use bytes::Bytes;
//! use http_body::Frame;
//! use http_body_util::StreamBody;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let greeting = Body::from("hello world");
//! assert!(greeting.is_in_memory());
//! assert_eq!(greeting.collect_bytes().await.unwrap(), "hello world");
//!
//! // Three chunks, produced one at a time (here by an iterator; often by a socket or a file).
//! let chunks = ["hello", " ", "world"].map(|chunk| Ok::<_, std::io::Error>(Frame::data(Bytes::from(chunk))));
//! let streamed = Body::new(StreamBody::new(futures_util::stream::iter(chunks)));
//! assert!(!streamed.is_in_memory());
//! assert_eq!(streamed.collect_bytes().await.unwrap(), "hello world");
//! # }
//! ```
//!
//! # Reading a whole body, within a limit
//!
//! [`collect_bytes`](Body::collect_bytes) reads *everything* the body holds. For a body whose size you
//! do not control (anything a client sends), put a bound on it first with [`limited`](Body::limited):
//! the limited body fails with a [`LimitExceeded`] error as soon as more than the limit goes through
//! it, or before reading anything when its `Content-Length` already says it will.
//!
//! ```
//! use baton::{Body, body::LimitExceeded};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let error = Body::from("far too long").limited(8).collect_bytes().await.unwrap_err();
//! let exceeded = error.downcast_ref::<LimitExceeded>().unwrap();
//! assert_eq!(exceeded.limit(), 8);
//! assert_eq!(exceeded.to_string(), "the request body is larger than the limit of 8 bytes");
//! # }
//! ```
//!
//! # The request body in a handler
//!
//! A handler rarely calls these itself: [`Context`](crate::Context) reads the request body for it,
//! already limited to the [`BodyLimit`](crate::BodyLimit) in effect (2 MiB unless a
//! [`body_limit`](crate::body_limit()) middleware on the route says otherwise):
//!
//! | to get | call | when the body is over the limit |
//! |---|---|---|
//! | the bytes | [`ctx.bytes()`](crate::Context::bytes) | [`BodyRejection::TooLarge`](crate::BodyRejection::TooLarge), a 413 |
//! | UTF-8 text | [`ctx.text()`](crate::Context::text) | the same |
//! | a JSON value | [`ctx.json::<T>()`](crate::Context::json) | the same |
//! | the stream itself, to parse or forward it chunk by chunk | [`ctx.take_body()`](crate::Context::take_body) | the stream fails with [`LimitExceeded`] |
//!
//! The failures are [`BodyRejection`](crate::BodyRejection)s, which answer with the right status, so
//! a handler can pass them on with `?`. A body is read once: each of these takes it out of the
//! context and leaves an empty one behind.
//!
//! ```
//! use baton::{Body, BodyRejection, Context, Router, body_limit, post};
//! use http_body_util::BodyExt; // for `frame()`
//!
//! async fn echo(mut ctx: Context) -> Result<String, BodyRejection> {
//!     let text = ctx.text().await?;
//!     assert_eq!(ctx.text().await?, ""); // already taken
//!     Ok(text)
//! }
//!
//! // Streams the body instead of buffering it: each chunk is seen as it arrives.
//! async fn count(mut ctx: Context) -> Result<String, BodyRejection> {
//!     let mut body = ctx.take_body();
//!     let mut bytes = 0;
//!     while let Some(frame) = body.frame().await {
//!         let frame = frame.map_err(BodyRejection::from_read_error)?; // `LimitExceeded` becomes a 413
//!         bytes += frame.data_ref().map_or(0, |data| data.len());
//!     }
//!     Ok(format!("{bytes} bytes"))
//! }
//!
//! let app = Router::new()
//!     .with(body_limit(16))
//!     .route("/echo", post(echo))
//!     .route("/count", post(count));
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = |path: &str, body: &'static str| http::Request::post(path).body(Body::from(body)).unwrap();
//! let response = app.call_request(request("/echo", "hello")).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "hello");
//! let response = app.call_request(request("/count", "hello")).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "5 bytes");
//! assert_eq!(app.call_request(request("/echo", "seventeen bytes!!")).await.status(), 413);
//! assert_eq!(app.call_request(request("/count", "seventeen bytes!!")).await.status(), 413);
//! # });
//! ```
//!
//! # Answering with a body
//!
//! A `Body` is itself a response ([`IntoResponse`](crate::IntoResponse)): a handler that returns
//! `Body::new(stream)` streams its answer, each chunk sent as the stream yields it. (A handler that
//! returns a `String` answers with an in-memory body, sent with its `Content-Length`.)
//!
//! ```
//! use baton::{Body, Context, Router, get};
//! use bytes::Bytes;
//! use http_body::Frame;
//!
//! async fn countdown(_ctx: Context) -> Body {
//!     let lines = (1..=3).rev().map(|n| Ok::<_, std::io::Error>(Frame::data(Bytes::from(format!("{n}\n")))));
//!     Body::new(http_body_util::StreamBody::new(futures_util::stream::iter(lines)))
//! }
//!
//! let app = Router::new().route("/countdown", get(countdown));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/countdown").body(Body::empty()).unwrap()).await;
//! let body = response.into_body();
//! assert!(!body.is_in_memory());
//! assert_eq!(body.collect_bytes().await.unwrap(), "3\n2\n1\n");
//! # });
//! ```

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// A boxed error, as carried by bodies and services.
///
/// Any error converts into one with `?` or `.into()`; find out what it is with `downcast_ref`:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use baton::{BoxError, body::LimitExceeded};
///
/// let error: BoxError = std::io::Error::other("connection reset").into();
/// assert_eq!(error.to_string(), "connection reset");
///
/// let error: BoxError = baton::Body::from("12345").limited(2).collect_bytes().await.unwrap_err();
/// assert!(error.is::<LimitExceeded>());
/// # }
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An HTTP body: any `http_body::Body` of `Bytes`, boxed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let body = baton::Body::from("hello");
/// assert_eq!(body.collect_bytes().await.unwrap(), "hello");
/// # }
/// ```
#[must_use]
pub struct Body(Kind);

/// Empty and in-memory bodies, the common case for responses, are kept unboxed.
enum Kind {
    Full(Option<Bytes>),
    Boxed(UnsyncBoxBody<Bytes, BoxError>),
}

impl Body {
    /// Boxes any body whose data is `Bytes`: a streamed body (see the [module docs](self)).
    ///
    /// A `Body` given to it is returned as it is, not boxed a second time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::Body;
    /// use http_body_util::Full;
    ///
    /// // Any `http_body::Body<Data = Bytes>` whose error converts into a `BoxError`.
    /// let body = Body::new(Full::new(bytes::Bytes::from("boxed")));
    /// assert!(!body.is_in_memory());
    /// assert_eq!(body.collect_bytes().await.unwrap(), "boxed");
    ///
    /// assert!(Body::new(Body::from("kept")).is_in_memory()); // already a `Body`: unchanged
    /// assert!(Body::new(http_body_util::Empty::<bytes::Bytes>::new()).is_in_memory()); // at its end: empty
    /// # }
    /// ```
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut slot = Some(body);
        if let Some(body) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Body>>() {
            return body.take().unwrap_or_default();
        }
        // A body already at its end yields nothing, so it is an empty one: no box. This is most
        // requests' (a `GET`: hyper's `Incoming` with no data to come, `Empty`).
        if slot.as_ref().is_some_and(http_body::Body::is_end_stream) {
            return Body::empty();
        }
        match slot {
            Some(body) => Body(Kind::Boxed(body.map_err(Into::into).boxed_unsync())),
            None => Body::empty(),
        }
    }

    /// Whether the body is held in memory (empty or [`full`](Body::full)): polling it runs no code of
    /// its own, so wrappers that set up state per poll (e.g. the ambient context) can skip it.
    ///
    /// ```
    /// use baton::Body;
    ///
    /// assert!(Body::empty().is_in_memory());
    /// assert!(Body::from("hello").is_in_memory());
    /// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(http_body::Frame::data(bytes::Bytes::from("hi")))]);
    /// let streamed = Body::new(http_body_util::StreamBody::new(chunks));
    /// assert!(!streamed.is_in_memory());
    /// ```
    pub fn is_in_memory(&self) -> bool {
        matches!(self.0, Kind::Full(_))
    }

    /// A body with no bytes (also `Body::default()`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use http_body::Body as _; // `is_end_stream`, `size_hint`
    ///
    /// let body = baton::Body::empty();
    /// assert!(body.is_end_stream());
    /// assert_eq!(body.size_hint().exact(), Some(0));
    /// assert!(body.collect_bytes().await.unwrap().is_empty());
    /// # }
    /// ```
    pub fn empty() -> Self {
        Body(Kind::Full(None))
    }

    /// A body holding `bytes`, in memory: what the `From` conversions (`String`, `&'static str`,
    /// `Vec<u8>`, `&'static [u8]`, `Bytes`) build. Its size hint is exact, so a response with it gets
    /// a `Content-Length`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use http_body::Body as _; // `size_hint`
    ///
    /// let body = baton::Body::full(vec![1, 2, 3]);
    /// assert_eq!(body.size_hint().exact(), Some(3));
    /// assert_eq!(body.collect_bytes().await.unwrap(), [1, 2, 3].as_slice());
    /// # }
    /// ```
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Body(Kind::Full((!bytes.is_empty()).then_some(bytes)))
    }

    /// Reads the whole body into memory, without a size limit: see [`limited`](Body::limited).
    ///
    /// The chunks are copied into one buffer sized from the body's size hint; a body of one chunk (an
    /// in-memory body, say) is returned without a copy. A chunk that fails to arrive fails the whole
    /// read with its error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::Body;
    /// use bytes::Bytes;
    /// use http_body::Frame;
    ///
    /// let chunks = ["con", "cat"].map(|chunk| Ok::<_, std::io::Error>(Frame::data(Bytes::from(chunk))));
    /// let body = Body::new(http_body_util::StreamBody::new(futures_util::stream::iter(chunks)));
    /// assert_eq!(body.collect_bytes().await.unwrap(), "concat");
    ///
    /// let broken = [Err(std::io::Error::other("connection reset"))];
    /// let body = Body::new(http_body_util::StreamBody::new(futures_util::stream::iter(broken)));
    /// assert_eq!(body.collect_bytes().await.unwrap_err().to_string(), "connection reset");
    /// # }
    /// ```
    pub async fn collect_bytes(self) -> Result<Bytes, BoxError> {
        // Up front, reserve at most what a default-limited body may hold: a client's `Content-Length`
        // is a claim, not a promise.
        self.collect_reserving(crate::limit::BodyLimit::DEFAULT)
            .await
    }

    /// Collects into one buffer, sized from the size hint (at most `reserve_cap`) so a body announced
    /// with `Content-Length` is copied once; a single-frame body is returned without a copy.
    pub(crate) async fn collect_reserving(self, reserve_cap: usize) -> Result<Bytes, BoxError> {
        let mut body = match self.0 {
            Kind::Full(bytes) => return Ok(bytes.unwrap_or_default()),
            Kind::Boxed(body) => body,
        };
        let mut first: Option<Bytes> = None;
        let mut joined: Option<BytesMut> = None;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else {
                continue; // trailers
            };
            if data.is_empty() {
                continue;
            }
            if let Some(buffer) = &mut joined {
                buffer.extend_from_slice(&data);
            } else if let Some(head) = first.take() {
                let rest = usize::try_from(http_body::Body::size_hint(&body).lower())
                    .unwrap_or(usize::MAX);
                let wanted = head.len().saturating_add(data.len()).saturating_add(rest);
                let mut buffer = BytesMut::with_capacity(wanted.min(reserve_cap.max(head.len())));
                buffer.extend_from_slice(&head);
                buffer.extend_from_slice(&data);
                joined = Some(buffer);
            } else {
                first = Some(data);
            }
        }
        Ok(match (joined, first) {
            (Some(buffer), _) => buffer.freeze(),
            (None, first) => first.unwrap_or_default(),
        })
    }

    /// This body, failing with [`LimitExceeded`] once more than `limit` bytes of data go through it,
    /// or at the first poll when its size hint (a `Content-Length`) already says it will.
    ///
    /// Request bodies are limited this way before any reader sees them: see
    /// [`BodyLimit`](crate::BodyLimit).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::body::LimitExceeded;
    ///
    /// let error = baton::Body::from("too long").limited(4).collect_bytes().await.unwrap_err();
    /// assert_eq!(error.downcast_ref::<LimitExceeded>().unwrap().limit(), 4);
    /// assert_eq!(baton::Body::from("fits").limited(4).collect_bytes().await.unwrap(), "fits");
    /// # }
    /// ```
    pub fn limited(self, limit: usize) -> Body {
        if limit == usize::MAX {
            return self;
        }
        if let Kind::Full(bytes) = &self.0 {
            // In memory already: nothing to guard while reading, only the verdict to give.
            if bytes.as_ref().is_none_or(|bytes| bytes.len() <= limit) {
                return self;
            }
        }
        Body::new(Limited {
            inner: self,
            remaining: limit,
            limit,
        })
    }
}

/// The error of a [`limited`](Body::limited) body that went over its limit; request body readers
/// answer it with `413 Payload Too Large`.
///
/// It reaches you boxed in a [`BoxError`]: `downcast_ref` finds it, and
/// [`BodyRejection::from_read_error`](crate::BodyRejection::from_read_error) turns it into the 413.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use baton::{BodyLimit, BodyRejection, Context, IntoResponse, body::LimitExceeded};
///
/// let request = http::Request::post("/upload").body(baton::Body::from("0123456789")).unwrap();
/// let mut ctx = Context::from_request(request);
/// ctx.extensions_mut().insert(BodyLimit::new(4)); // what a `body_limit(4)` middleware does
///
/// // The body handed out by `take_body` is limited: reading it past 4 bytes fails.
/// let error = ctx.take_body().collect_bytes().await.unwrap_err();
/// assert_eq!(error.downcast_ref::<LimitExceeded>().map(LimitExceeded::limit), Some(4));
/// assert_eq!(BodyRejection::from_read_error(error).into_response().status(), 413);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitExceeded {
    limit: usize,
}

impl LimitExceeded {
    /// The limit, in bytes, that the body went over.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let error = baton::Body::from("12345").limited(3).collect_bytes().await.unwrap_err();
    /// let exceeded = error.downcast_ref::<baton::body::LimitExceeded>().unwrap();
    /// assert_eq!(exceeded.limit(), 3);
    /// # }
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request body is larger than the limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for LimitExceeded {}

struct Limited {
    inner: Body,
    remaining: usize,
    limit: usize,
}

impl Limited {
    fn exceeded(&self) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Poll::Ready(Some(Err(Box::new(LimitExceeded { limit: self.limit }))))
    }
}

impl http_body::Body for Limited {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        // A `Content-Length` over the limit fails before a byte is read.
        if self.inner.size_hint().lower() > self.remaining as u64 {
            return self.exceeded();
        }
        let frame = std::task::ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &frame
            && let Some(data) = frame.data_ref()
        {
            match self.remaining.checked_sub(data.len()) {
                Some(remaining) => self.remaining = remaining,
                None => return self.exceeded(),
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Body")
    }
}

macro_rules! body_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Body {
            fn from(value: $ty) -> Self {
                Body::full(value)
            }
        }
    )*};
}
body_from!(String, &'static str, Vec<u8>, &'static [u8], Bytes);

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    // Inlined (the three): an in-memory body is a branch and a move, less than a call.
    #[inline]
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.0 {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            Kind::Boxed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    #[inline]
    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Boxed(body) => body.is_end_stream(),
        }
    }

    #[inline]
    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |bytes| bytes.len() as u64))
            }
            Kind::Boxed(body) => body.size_hint(),
        }
    }
}

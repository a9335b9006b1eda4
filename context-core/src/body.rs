//! The body type shared by requests and responses.

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// A boxed error, as carried by bodies and services.
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
    /// Boxes any body whose data is `Bytes`.
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut slot = Some(body);
        if let Some(body) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Body>>() {
            return body.take().unwrap_or_default();
        }
        match slot {
            Some(body) => Body(Kind::Boxed(body.map_err(Into::into).boxed_unsync())),
            None => Body::empty(),
        }
    }

    /// Whether the body is held in memory (empty or [`full`](Body::full)): polling it runs no code of
    /// its own, so wrappers that set up state per poll (e.g. the ambient context) can skip it.
    pub fn is_in_memory(&self) -> bool {
        matches!(self.0, Kind::Full(_))
    }

    /// A body with no bytes.
    pub fn empty() -> Self {
        Body(Kind::Full(None))
    }

    /// A body holding `bytes`, in memory.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Body(Kind::Full((!bytes.is_empty()).then_some(bytes)))
    }

    /// Reads the whole body into memory, without a size limit: see [`limited`](Body::limited).
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

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.0 {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            Kind::Boxed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |bytes| bytes.len() as u64))
            }
            Kind::Boxed(body) => body.size_hint(),
        }
    }
}

//! The body type shared by requests and responses.

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
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

    /// Reads the whole body into memory.
    pub async fn collect_bytes(self) -> Result<Bytes, BoxError> {
        match self.0 {
            Kind::Full(bytes) => Ok(bytes.unwrap_or_default()),
            Kind::Boxed(body) => Ok(body.collect().await?.to_bytes()),
        }
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

//! Carrying the ambient context into work that a task-local does not reach.

use crate::scope::{
    AmbientContext, Snapshot, enter_for_poll, scope_with, sync_scope_with, try_get_context,
};
use futures_util::Stream;
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use tokio::task::JoinHandle;

/// Spawns `future` on the tokio runtime with the current request context (if any) as its ambient
/// context.
///
/// A bare `tokio::spawn` starts a new task with empty task-locals: `get_context()` inside it panics and
/// `try_get_context()` is `None`. Use this instead wherever spawned work should know its request.
/// Outside a request it behaves exactly like `tokio::spawn`.
///
/// ```
/// # use baton::{Context, ambient::Snapshot, context_key};
/// #[context_key]
/// struct RequestId(u64);
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let ctx = Context::default().provide(RequestId(4));
/// Snapshot::of(&ctx).scope(async {
///     let carried = baton::spawn(async { baton::try_get_context().is_some() });
///     let bare = tokio::spawn(async { baton::try_get_context().is_some() });
///     assert!(carried.await.unwrap());
///     assert!(!bare.await.unwrap()); // tokio::spawn does not inherit task-locals
/// }).await;
/// # }
/// ```
///
/// # Panics
/// Like `tokio::spawn`, outside a tokio runtime.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match try_get_context() {
        Some(ctx) => tokio::spawn(scope_with(ctx, future)),
        None => tokio::spawn(future),
    }
}

/// Runs `f` on tokio's blocking pool with the current request context (if any) as its ambient context.
///
/// ```
/// # use baton::{Context, ambient::Snapshot, context_key};
/// # #[context_key] struct RequestId(u64);
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let ctx = Context::default().provide(RequestId(8));
/// let id = Snapshot::of(&ctx).scope(async {
///     baton::spawn_blocking(|| baton::get_context().try_get::<RequestId>().map(|id| id.0)).await.unwrap()
/// }).await;
/// assert_eq!(id, Some(8));
/// # }
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match try_get_context() {
        Some(ctx) => tokio::task::spawn_blocking(move || sync_scope_with(ctx, f)),
        None => tokio::task::spawn_blocking(f),
    }
}

/// Carries a request context into a future, a stream or an HTTP body: each poll runs with it as the
/// ambient context. Implemented for every type, like `tracing::Instrument`.
///
/// ```
/// use baton::{Context, ambient::{InContextExt, Snapshot}, context_key};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// fn request_id() -> Option<u64> {
///     baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0)
/// }
///
/// let ctx = Context::default().provide(RequestId(6));
/// let mut jobs = tokio::task::JoinSet::new();
/// Snapshot::of(&ctx).scope(async {
///     // `.in_context()` captures the current context ...
///     jobs.spawn(async { request_id() }.in_context());
///     // ... a job spawned without it sees none.
///     jobs.spawn(async { request_id() });
/// }).await;
/// // `.with_context(snapshot)` carries a context captured earlier.
/// jobs.spawn(async { request_id() }.with_context(Snapshot::of(&ctx)));
/// let mut results = jobs.join_all().await;
/// results.sort();
/// assert_eq!(results, vec![None, Some(6), Some(6)]);
/// # }
/// ```
pub trait InContextExt: Sized {
    /// Wraps `self` so that every poll runs in the *current* request context (captured now). Outside
    /// a request scope nothing is captured and the wrapper only forwards.
    fn in_context(self) -> InContext<Self> {
        InContext {
            ctx: try_get_context(),
            inner: self,
        }
    }

    /// Wraps `self` so that every poll runs in the context of `snapshot`.
    fn with_context(self, snapshot: Snapshot) -> InContext<Self> {
        InContext {
            ctx: Some(snapshot.ctx),
            inner: self,
        }
    }
}

impl<T> InContextExt for T {}

pin_project! {
    /// A future, stream or body that runs each poll in a request context. See [`InContextExt`].
    ///
    /// The `async_context()` middleware wraps every response body in one, so a body streamed after the
    /// handler returned still sees its request's context.
    ///
    /// You name it where a wrapped value is stored, for instance a queue of jobs that each remember
    /// their request:
    ///
    /// ```
    /// use baton::{Context, ambient::{InContext, InContextExt, Snapshot}, context_key};
    /// use std::{future::Future, pin::Pin};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// type Job = InContext<Pin<Box<dyn Future<Output = Option<u64>> + Send>>>;
    ///
    /// fn job() -> Job {
    ///     let work: Pin<Box<dyn Future<Output = Option<u64>> + Send>> =
    ///         Box::pin(async { baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0) });
    ///     work.in_context() // captures the current request, if any
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let ctx = Context::default().provide(RequestId(7));
    /// let queued: Vec<Job> = vec![Snapshot::of(&ctx).sync_scope(job), job()];
    /// let mut results = Vec::new();
    /// for job in queued {
    ///     results.push(job.await); // run later, outside the request
    /// }
    /// assert_eq!(results, [Some(7), None]);
    /// # }
    /// ```
    #[derive(Debug, Clone)]
    #[must_use = "futures and streams do nothing unless polled"]
    pub struct InContext<T> {
        ctx: Option<AmbientContext>,
        #[pin]
        inner: T,
    }
}

impl<T> InContext<T> {
    /// Wraps `inner` to run in `ctx`.
    ///
    /// The explicit form of [`InContextExt::with_context`], also taking `None` (no context):
    ///
    /// ```
    /// use baton::{Context, ambient::{InContext, Snapshot}, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// async fn request_id() -> Option<u64> {
    ///     baton::try_get_context()?.try_get::<RequestId>().map(|id| id.0)
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let ctx = Snapshot::of(&Context::default().provide(RequestId(7))).context().clone();
    /// assert_eq!(InContext::new(request_id(), Some(ctx)).await, Some(7));
    /// assert_eq!(InContext::new(request_id(), None).await, None);
    /// # }
    /// ```
    pub fn new(inner: T, ctx: Option<AmbientContext>) -> InContext<T> {
        InContext { ctx, inner }
    }

    /// The carried context, if one was captured.
    ///
    /// ```
    /// use baton::{Context, ambient::{InContextExt, Snapshot}};
    ///
    /// let outside = async {}.in_context();
    /// assert!(outside.context().is_none()); // nothing to capture outside a request
    ///
    /// let ctx = Context::from_request(http::Request::get("/tasks").body(baton::Body::empty()).unwrap());
    /// let inside = Snapshot::of(&ctx).sync_scope(|| async {}.in_context());
    /// assert_eq!(inside.context().map(|ctx| ctx.uri().path()), Some("/tasks"));
    /// ```
    pub fn context(&self) -> Option<&AmbientContext> {
        self.ctx.as_ref()
    }

    /// The wrapped value.
    ///
    /// ```
    /// use baton::{Body, ambient::InContextExt};
    ///
    /// let body = Body::from("hello").in_context();
    /// assert!(body.get_ref().is_in_memory());
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped value, mutably.
    ///
    /// ```
    /// use baton::ambient::InContextExt;
    ///
    /// let (sender, receiver) = tokio::sync::oneshot::channel::<u64>();
    /// let mut waiting = receiver.in_context();
    /// waiting.get_mut().close(); // a method of the wrapped receiver
    /// assert!(sender.send(1).is_err());
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the value.
    ///
    /// ```
    /// use baton::{Body, ambient::InContextExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let body: Body = Body::from("hello").in_context().into_inner(); // the original type again
    /// assert_eq!(body.collect_bytes().await.unwrap(), "hello");
    /// # }
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        enter_for_poll(this.ctx.as_ref(), || this.inner.poll(cx))
    }
}

impl<S: Stream> Stream for InContext<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        enter_for_poll(this.ctx.as_ref(), || this.inner.poll_next(cx))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<B: http_body::Body> http_body::Body for InContext<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        enter_for_poll(this.ctx.as_ref(), || this.inner.poll_frame(cx))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_core::{Context, ContextKey};
    use futures_util::StreamExt;

    struct Id(u32);
    impl ContextKey for Id {
        type Value = Id;
        type Id = baton::key_id!();
    }

    fn ambient_id() -> Option<u32> {
        try_get_context()?.try_get::<Id>().map(|id| id.0)
    }

    #[tokio::test]
    async fn a_stream_polled_outside_the_scope_runs_each_poll_in_its_context() {
        let ctx = Context::default().provide(Id(31));
        let mut yielded = false;
        let stream = futures_util::stream::poll_fn(move |cx| {
            // Pending between items, so every item comes from a separate poll.
            if !yielded {
                yielded = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            yielded = false;
            Poll::Ready(Some(ambient_id()))
        })
        .take(3);
        let carried: Vec<_> = stream.with_context(Snapshot::of(&ctx)).collect().await;
        assert_eq!(carried, vec![Some(31); 3]);
        assert_eq!(ambient_id(), None);
    }

    #[tokio::test]
    async fn in_context_outside_a_scope_captures_nothing_and_only_forwards() {
        let future = async { ambient_id() }.in_context();
        assert!(future.context().is_none());
        assert_eq!(future.await, None);
    }

    #[tokio::test]
    async fn a_wrapped_body_keeps_its_size_hint_and_end_of_stream() {
        let ctx = Context::default().provide(Id(2));
        let body = baton_core::Body::from("hello").with_context(Snapshot::of(&ctx));
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(5));
        assert!(!http_body::Body::is_end_stream(&body));
        assert_eq!(
            baton_core::Body::new(body).collect_bytes().await.unwrap(),
            "hello"
        );
    }
}

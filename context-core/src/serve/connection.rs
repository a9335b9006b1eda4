//! One connection's life: its request-in-flight tracking, its header and idle deadlines, and how it
//! reacts to the server shutting down.
//!
//! hyper's own HTTP/1 `header_read_timeout` is not used: it also runs while a kept-alive connection
//! waits for its next request, so it would cut every idle connection at the header timeout, and it does
//! not cover the HTTP/1-or-2 detection before hyper's parser starts, where a client trickling an HTTP/2
//! preface would sit forever. The deadlines here cover every phase:
//!
//! * until the first request's head is complete: `header_read_timeout` from the accept;
//! * between requests: `idle_timeout` from the end of the last response; on HTTP/1, the first byte of
//!   the next request replaces it with `header_read_timeout` from that byte (HTTP/2 connections carry
//!   pings and window updates while idle, so only the idle deadline applies to them);
//! * while a request is in flight (its handler running or its response body streaming): none.
//!
//! Bytes of a pipelined HTTP/1 request that arrived while the previous one was in flight do not start
//! the header clock; that request's head is then bounded by the idle deadline instead.
//!
//! Requests never wake the watcher, take no lock and read no clock (see [`tracker`](super::tracker)):
//! a request starting or ending is one atomic add to a word that packs the requests in flight with a
//! count of starts and ends, and the first byte of the next request sets a flag. The watcher ticks
//! every quarter of the shortest timeout and counts the ticks the connection stayed unchanged: idle
//! with nothing started or finished, or waiting for a head whose first byte it has seen. A deadline is
//! so enforced at most one tick (a quarter of that timeout) late and never early, and a busy
//! keep-alive connection costs no timer, no extra poll and no clock read per request (waking the
//! watcher on each request cost a quarter of the loopback requests/s; a lock and a clock read per
//! request, about 200 instructions).

use super::Limits;
use super::tracker::{InFlight, Reason, Ticks, Tracker};
use super::woken::WokenOnly;
use crate::body::{Body, BoxError};
use crate::connection::serving;
use crate::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper_util::server::graceful::GracefulConnection;
use std::cell::RefCell;
use std::convert::Infallible;
use std::future::{Future, pending, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::{Instant, sleep_until};
use tower::util::Oneshot;
use tower::util::ServiceExt;
use tower_service::Service;

/// How long a connection closed for idleness gets to finish closing (an HTTP/2 `GOAWAY`) before it is
/// dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// The server's phase, broadcast to every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Serving,
    /// Finish the requests in flight, take no new ones.
    Draining,
    /// The shutdown deadline passed: drop the connection now.
    Closed,
}

/// The socket: notes the first byte of each request, and holds the connection's place under the
/// connection cap for as long as the socket is open (an upgraded connection keeps it).
pub(super) struct Watched<I> {
    io: I,
    tracker: Arc<Tracker>,
    _permit: OwnedSemaphorePermit,
}

impl<I> Watched<I> {
    pub(super) fn new(io: I, tracker: Arc<Tracker>, permit: OwnedSemaphorePermit) -> Self {
        Watched {
            io,
            tracker,
            _permit: permit,
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Watched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.io).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.tracker.on_read();
        }
        Poll::Ready(Ok(()))
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Watched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

/// The service hyper calls: the user's service, with each request counted in flight until its response
/// body is dropped.
pub(super) struct Tracked<S> {
    // Called in place: hyper calls a connection's service from the connection's own task, one call at a
    // time, so the borrow never meets another (cloning a router per request cost two atomic
    // reference-count operations).
    service: RefCell<S>,
    tracker: Arc<Tracker>,
}

impl<S> Tracked<S> {
    pub(super) fn new(service: S, tracker: Arc<Tracker>) -> Self {
        Tracked {
            service: RefCell::new(service),
            tracker,
        }
    }
}

impl<S, B> hyper::service::Service<http::Request<B>> for Tracked<S>
where
    S: Service<http::Request<B>, Response = Response, Error = Infallible> + Clone,
{
    type Response = http::Response<TrackedBody>;
    type Error = Infallible;
    type Future = TrackedFuture<S, http::Request<B>>;

    fn call(&self, request: http::Request<B>) -> Self::Future {
        let in_flight = self.tracker.start(request.version());
        let mut service = self.service.borrow_mut();
        // A router is always ready: calling it here saves `Oneshot`'s moves of the request and of its
        // state. A service that is not ready yet is driven by `Oneshot`, with the task's waker.
        let call = match service.poll_ready(&mut TaskContext::from_waker(Waker::noop())) {
            Poll::Ready(Ok(())) => Call::Called {
                future: serving(self.tracker.connection(), || service.call(request)),
            },
            Poll::Ready(Err(never)) => match never {},
            // Boxed: this rare case would otherwise make every request's future as large as a request.
            Poll::Pending => Call::Waiting {
                oneshot: Box::pin(service.clone().oneshot(request)),
            },
        };
        TrackedFuture {
            call,
            in_flight: Some(in_flight),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of a [`Tracked`] call.
    pub(super) struct TrackedFuture<S: Service<R>, R> {
        #[pin]
        call: Call<S, R>,
        // Until the response: its tracker's addresses are lent to the polls too, since a service may
        // build its context there (behind a layer that calls its inner service from its future).
        in_flight: Option<InFlight>,
    }
}

pin_project_lite::pin_project! {
    #[project = CallProjection]
    enum Call<S: Service<R>, R> {
        Called { #[pin] future: S::Future },
        Waiting { oneshot: Pin<Box<Oneshot<S, R>>> },
    }
}

impl<S, R> Future for TrackedFuture<S, R>
where
    S: Service<R, Response = Response, Error = Infallible>,
{
    type Output = Result<http::Response<TrackedBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let connection = this.in_flight.as_ref().and_then(InFlight::connection);
        let result = ready!(serving(connection, || {
            match this.call.project() {
                CallProjection::Called { future } => future.poll(cx),
                CallProjection::Waiting { oneshot } => oneshot.as_mut().poll(cx),
            }
        }));
        let response = match result {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let in_flight = this.in_flight.take();
        Poll::Ready(Ok(response.map(|body| TrackedBody {
            body,
            _in_flight: in_flight,
        })))
    }
}

/// A response body that keeps its request in flight until hyper is done with it.
pub(super) struct TrackedBody {
    body: Body,
    _in_flight: Option<InFlight>,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// What ended a wait of `drive`.
enum Event<E> {
    /// The connection ended, with hyper's result.
    Ended(Result<(), E>),
    /// The watcher's timer fired.
    Timer,
    /// The phase channel changed (`true`) or its sender is gone (`false`).
    Phase(bool),
}

/// Drives `connection` to its end, enforcing the deadlines of the [module docs](self) and the server's
/// [`Phase`].
pub(super) async fn drive<C>(
    connection: C,
    tracker: Arc<Tracker>,
    limits: Arc<Limits>,
    mut phase: watch::Receiver<Phase>,
) where
    C: GracefulConnection,
    C::Error: std::fmt::Display,
{
    let mut connection = pin!(connection);
    let mut ticks = Ticks::new(&limits);
    let mut closing: Option<Instant> = None;
    let mut asked_to_close = false;
    // Stops when the server future is dropped without a shutdown: connections then run on, as before.
    let mut server_alive = true;
    let mut woken = WokenOnly::new();
    loop {
        let wake_at = [ticks.as_ref().map(Ticks::due), closing]
            .into_iter()
            .flatten()
            .min();
        // The watcher: the tick timer and the server's phase. Polled only when one of them woke the
        // task (see `woken`), not on every wake of the connection.
        let alive = server_alive;
        let watcher = async {
            let timer = async {
                match wake_at {
                    Some(at) => sleep_until(at).await,
                    None => pending().await,
                }
            };
            tokio::select! {
                () = timer => Event::Timer,
                changed = phase.changed(), if alive => Event::Phase(changed.is_ok()),
            }
        };
        let event = {
            let mut watcher = pin!(watcher);
            woken.reset();
            poll_fn(|cx| {
                if let Poll::Ready(result) = connection.as_mut().poll(cx) {
                    return Poll::Ready(Event::Ended(result));
                }
                woken.poll(watcher.as_mut(), cx)
            })
            .await
        };
        match event {
            Event::Ended(result) => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            Event::Timer => {
                let now = Instant::now();
                if closing.is_some_and(|at| at <= now) {
                    return;
                }
                let Some(ticks) = ticks.as_mut() else {
                    continue;
                };
                match ticks.tick_if_due(&tracker, now) {
                    Some(Reason::Header) => {
                        tracing::debug!(
                            "request head not received in time; closing the connection"
                        );
                        return;
                    }
                    Some(Reason::Idle) if closing.is_none() => {
                        tracing::trace!("idle connection; closing it");
                        if !asked_to_close {
                            asked_to_close = true;
                            connection.as_mut().graceful_shutdown();
                        }
                        closing = Some(now + CLOSE_GRACE);
                    }
                    Some(Reason::Idle) | None => {}
                }
            }
            Event::Phase(false) => server_alive = false,
            Event::Phase(true) => match *phase.borrow_and_update() {
                Phase::Serving => {}
                Phase::Draining => {
                    if !asked_to_close {
                        asked_to_close = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
                Phase::Closed => return,
            },
        }
    }
}

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
//! Requests never wake the watcher, take no lock and read no clock: a request starting or ending is
//! one atomic add to a word that packs the requests in flight with a count of starts and ends, and the
//! first byte of the next request sets a flag. The watcher ticks every quarter of the shortest timeout
//! and counts the ticks the connection stayed unchanged: idle with nothing started or finished, or
//! waiting for a head whose first byte it has seen. A deadline is so enforced at most one tick (a
//! quarter of that timeout) late and never early, and a busy keep-alive connection costs no timer, no
//! extra poll and no clock read per request (waking the watcher on each request cost a quarter of the
//! loopback requests/s; a lock and a clock read per request, about 200 instructions).

use super::Limits;
use super::woken::WokenOnly;
use crate::body::{Body, BoxError};
use crate::connection::{ConnectInfo, serving};
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

/// Added to [`Tracker::requests`] when a request starts: one more in flight (low half), one more
/// event (high half).
const STARTED: u64 = (1 << 32) + 1;
/// Added when a request ends: one less in flight, one more event (in flight is at least one, so the
/// low half does not borrow from the high one).
const FINISHED: u64 = (1 << 32) - 1;

/// What one connection is doing, shared by its socket, its requests and its watcher.
pub(super) struct Tracker {
    /// Requests in flight (low 32 bits) and a wrapping count of requests started and ended (high 32
    /// bits): one atomic add per start or end, and the watcher sees any change in one load.
    requests: AtomicU64,
    /// Set while an HTTP/1 connection waits for its next request: the first byte read then starts the
    /// header clock. Checked on every read, so it is read before it is swapped.
    awaiting_first_byte: AtomicBool,
    /// The first byte of the next request's head has arrived (set from `awaiting_first_byte`).
    first_byte: AtomicBool,
    http2: AtomicBool,
    /// The connection's addresses, lent to every call and poll of the service for
    /// `Context::connect_info`. Here, where each request's `InFlight` already holds a handle, rather
    /// than in a handle of its own per request (two atomic operations).
    connection: Option<Arc<ConnectInfo>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// A request's head did not arrive in time.
    Header,
    /// No request for the idle timeout.
    Idle,
}

impl Tracker {
    pub(super) fn new(connection: Option<Arc<ConnectInfo>>) -> Arc<Self> {
        Arc::new(Tracker {
            requests: AtomicU64::new(0),
            awaiting_first_byte: AtomicBool::new(false),
            first_byte: AtomicBool::new(false),
            http2: AtomicBool::new(false),
            connection,
        })
    }

    fn start(self: &Arc<Self>, version: http::Version) -> InFlight {
        self.requests.fetch_add(STARTED, Ordering::Release);
        // Plain stores: the flags only steer the watcher's next tick, which also sees the start.
        self.awaiting_first_byte.store(false, Ordering::Relaxed);
        self.first_byte.store(false, Ordering::Relaxed);
        if version == http::Version::HTTP_2 {
            self.http2.store(true, Ordering::Relaxed);
        }
        InFlight(self.clone())
    }

    fn finish(&self) {
        let before = self.requests.fetch_add(FINISHED, Ordering::Release);
        if before as u32 == 1 {
            self.first_byte.store(false, Ordering::Relaxed);
            self.awaiting_first_byte
                .store(!self.http2.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }

    fn on_read(&self) {
        // A plain load first: on the hot path (no wait in progress) a read costs no atomic write.
        if self.awaiting_first_byte.load(Ordering::Relaxed)
            && self.awaiting_first_byte.swap(false, Ordering::Relaxed)
        {
            self.first_byte.store(true, Ordering::Relaxed);
        }
    }
}

/// The watcher's view of a connection between ticks: what it saw last and for how many ticks
/// nothing changed.
struct Ticks {
    /// Ticks per timeout (rounded up), for the header and idle timeouts.
    header_timeout: Option<u32>,
    idle_timeout: Option<u32>,
    /// [`Tracker::requests`] at the last tick.
    last: u64,
    /// Whether a request has started since the accept.
    served: bool,
    /// Ticks with no request in flight and nothing started or ended since the previous one: the
    /// connection has been idle for at least this many ticks (counted from the accept before the
    /// first request).
    idle: u32,
    /// Ticks that found the first byte of the next head: it arrived at least this many ticks, less
    /// one, ago.
    waiting_for_head: u32,
}

impl Ticks {
    fn new(limits: &Limits, interval: Duration) -> Self {
        let ticks = |timeout: Duration| {
            u32::try_from(timeout.as_nanos().div_ceil(interval.as_nanos())).unwrap_or(u32::MAX)
        };
        Ticks {
            header_timeout: limits.header_read_timeout.map(ticks),
            idle_timeout: limits.idle_timeout.map(ticks),
            last: 0,
            served: false,
            idle: 0,
            waiting_for_head: 0,
        }
    }

    /// Takes one tick's look at `tracker`: the deadline that passed, if one did.
    fn tick(&mut self, tracker: &Tracker) -> Option<Reason> {
        let now = tracker.requests.load(Ordering::Acquire);
        if now as u32 > 0 || now != self.last {
            // Busy, or a request started or ended since the last tick: every clock starts again.
            self.served |= now != 0;
            self.last = now;
            self.idle = 0;
            self.waiting_for_head = 0;
            return None;
        }
        self.idle = self.idle.saturating_add(1);
        if !self.served {
            // Nothing useful has come yet: the first request's head is due within the header timeout
            // of the accept, which was the ticks' start.
            return match (self.header_timeout, self.idle_timeout) {
                (Some(ticks), _) => (self.idle >= ticks).then_some(Reason::Header),
                (None, Some(ticks)) => (self.idle >= ticks).then_some(Reason::Idle),
                (None, None) => None,
            };
        }
        if let Some(ticks) = self.header_timeout
            && tracker.first_byte.load(Ordering::Relaxed)
        {
            // The byte came at some point during the tick before the first one that saw it.
            self.waiting_for_head = self.waiting_for_head.saturating_add(1);
            return (self.waiting_for_head > ticks).then_some(Reason::Header);
        }
        self.idle_timeout
            .and_then(|ticks| (self.idle >= ticks).then_some(Reason::Idle))
    }
}

/// A request in flight; the connection is busy until it (and so the response body) is dropped.
struct InFlight(Arc<Tracker>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.finish();
    }
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
                future: serving(self.tracker.connection.as_ref(), || service.call(request)),
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
        let connection = this
            .in_flight
            .as_ref()
            .and_then(|in_flight| in_flight.0.connection.as_ref());
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

/// How often the watcher looks at the connection: a quarter of the shortest timeout, at least 10 ms
/// (`None` when no timeout is set).
fn tick_interval(limits: &Limits) -> Option<Duration> {
    let shortest = [limits.header_read_timeout, limits.idle_timeout]
        .into_iter()
        .flatten()
        .min();
    shortest.map(|timeout| (timeout / 4).max(Duration::from_millis(10)))
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
    let interval = tick_interval(&limits);
    let mut ticks = interval.map(|interval| Ticks::new(&limits, interval));
    let mut next_tick = interval.map(|interval| Instant::now() + interval);
    let mut closing: Option<Instant> = None;
    let mut asked_to_close = false;
    // Stops when the server future is dropped without a shutdown: connections then run on, as before.
    let mut server_alive = true;
    let mut woken = WokenOnly::new();
    loop {
        let wake_at = [next_tick, closing].into_iter().flatten().min();
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
                let (Some(ticks), Some(interval)) = (ticks.as_mut(), interval) else {
                    continue;
                };
                if next_tick.is_some_and(|at| at > now) {
                    continue;
                }
                // From now, not from the tick's due time: ticks stay at least an interval apart even
                // when one ran late, so counting them never overstates how long nothing happened.
                next_tick = Some(now + interval);
                match ticks.tick(&tracker) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const TICK: Duration = Duration::from_millis(250);

    /// A header timeout of 1 s and an idle timeout of 2 s: 4 and 8 ticks of 250 ms.
    fn watched() -> (Arc<Tracker>, Ticks) {
        let limits = Limits {
            header_read_timeout: Some(Duration::from_secs(1)),
            idle_timeout: Some(Duration::from_secs(2)),
            ..Limits::default()
        };
        assert_eq!(tick_interval(&limits), Some(TICK));
        (Tracker::new(None), Ticks::new(&limits, TICK))
    }

    /// The tick (counted from 1) at which `ticks` first reports a deadline, within `most` ticks.
    fn deadline_tick(tracker: &Tracker, ticks: &mut Ticks, most: u32) -> Option<(u32, Reason)> {
        (1..=most).find_map(|n| ticks.tick(tracker).map(|reason| (n, reason)))
    }

    #[test]
    fn the_first_head_is_due_within_the_header_timeout_of_the_accept() {
        let (tracker, mut ticks) = watched();
        // Ticks start at the accept, so 4 ticks of 250 ms are exactly the 1 s.
        assert_eq!(
            deadline_tick(&tracker, &mut ticks, 20),
            Some((4, Reason::Header))
        );
    }

    #[test]
    fn a_request_in_flight_is_never_cut() {
        let (tracker, mut ticks) = watched();
        let in_flight = tracker.start(http::Version::HTTP_11);
        assert_eq!(deadline_tick(&tracker, &mut ticks, 1000), None);
        drop(in_flight);
    }

    #[test]
    fn an_idle_connection_times_out_from_its_last_response_never_early() {
        let (tracker, mut ticks) = watched();
        drop(tracker.start(http::Version::HTTP_11));
        // The first tick sees the change and starts the idle clock: the response ended at some point
        // in the tick before, so 8 more ticks (2 s) are at least the idle timeout.
        assert_eq!(
            deadline_tick(&tracker, &mut ticks, 20),
            Some((9, Reason::Idle))
        );
    }

    #[test]
    fn the_next_heads_first_byte_starts_the_header_clock_on_http1() {
        let (tracker, mut ticks) = watched();
        drop(tracker.start(http::Version::HTTP_11));
        assert_eq!(ticks.tick(&tracker), None);
        assert_eq!(ticks.tick(&tracker), None);
        tracker.on_read();
        // The byte came during the tick before the first that saw it: 4 more ticks after that one.
        assert_eq!(
            deadline_tick(&tracker, &mut ticks, 20),
            Some((5, Reason::Header))
        );
    }

    #[test]
    fn http2_connections_only_have_the_idle_deadline() {
        let (tracker, mut ticks) = watched();
        drop(tracker.start(http::Version::HTTP_2));
        tracker.on_read(); // a ping or a window update
        assert_eq!(
            deadline_tick(&tracker, &mut ticks, 20),
            Some((9, Reason::Idle))
        );
    }

    #[test]
    fn activity_between_ticks_restarts_the_clocks() {
        let (tracker, mut ticks) = watched();
        drop(tracker.start(http::Version::HTTP_11));
        for _ in 0..7 {
            assert_eq!(ticks.tick(&tracker), None);
        }
        // A whole request between two ticks: the connection was not idle for the last interval.
        drop(tracker.start(http::Version::HTTP_11));
        assert_eq!(
            deadline_tick(&tracker, &mut ticks, 20),
            Some((9, Reason::Idle))
        );
    }

    #[test]
    fn without_timeouts_nothing_ticks() {
        let limits = Limits {
            header_read_timeout: None,
            idle_timeout: None,
            ..Limits::default()
        };
        assert_eq!(tick_interval(&limits), None);
    }
}

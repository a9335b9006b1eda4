//! How a connection's requests are counted and its deadlines told apart, with no lock and no clock
//! read per request: see the [`connection`](super::connection) docs for the deadlines themselves.
//!
//! A request's start and end are one atomic add each to a word packing the requests in flight with a
//! count of starts and ends; the next head's first byte sets a flag. The watcher ([`Ticks`]) looks at
//! them every tick and counts the ticks in which nothing changed.

use super::Limits;
use crate::connection::ConnectInfo;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

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
pub(super) enum Reason {
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

    pub(super) fn start(self: &Arc<Self>, version: http::Version) -> InFlight {
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

    /// The connection's addresses, lent to every call of the service.
    pub(super) fn connection(&self) -> Option<&Arc<ConnectInfo>> {
        self.connection.as_ref()
    }

    pub(super) fn on_read(&self) {
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
pub(super) struct Ticks {
    /// How often the watcher ticks, and when it ticks next.
    interval: Duration,
    next: Instant,
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
    /// The ticks of a connection accepted now, every [`tick_interval`]; `None` without timeouts.
    pub(super) fn new(limits: &Limits) -> Option<Self> {
        let interval = tick_interval(limits)?;
        let ticks = |timeout: Duration| {
            u32::try_from(timeout.as_nanos().div_ceil(interval.as_nanos())).unwrap_or(u32::MAX)
        };
        Some(Ticks {
            interval,
            next: Instant::now() + interval,
            header_timeout: limits.header_read_timeout.map(ticks),
            idle_timeout: limits.idle_timeout.map(ticks),
            last: 0,
            served: false,
            idle: 0,
            waiting_for_head: 0,
        })
    }

    /// When the next tick is due.
    pub(super) fn due(&self) -> Instant {
        self.next
    }

    /// Ticks if one is due at `now` (the watcher's timer may have fired for another deadline): the
    /// deadline that passed, if one did.
    pub(super) fn tick_if_due(&mut self, tracker: &Tracker, now: Instant) -> Option<Reason> {
        if self.next > now {
            return None;
        }
        // From now, not from the tick's due time: ticks stay at least an interval apart even when one
        // ran late, so counting them never overstates how long nothing happened.
        self.next = now + self.interval;
        self.tick(tracker)
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
pub(super) struct InFlight(Arc<Tracker>);

impl InFlight {
    /// The connection's addresses, lent to the service's polls.
    pub(super) fn connection(&self) -> Option<&Arc<ConnectInfo>> {
        self.0.connection()
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.finish();
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
        (
            Tracker::new(None),
            Ticks::new(&limits).expect("timeouts set"),
        )
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

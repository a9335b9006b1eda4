//! What the accept loop does when `accept` fails: it never ends the server and never spins.

use std::io;
use std::time::Duration;

/// The first pause after a resource error (out of file descriptors, buffers or memory).
const FIRST_PAUSE: Duration = Duration::from_millis(5);
/// The longest pause: a connection freed by a closing client waits at most this long to be accepted.
const MAX_PAUSE: Duration = Duration::from_millis(500);

/// Pauses between failed accepts, doubling while the failures last, and logs once per streak.
#[derive(Debug, Default)]
pub(super) struct Backoff {
    streak: u32,
}

impl Backoff {
    /// What to do after `error`: `None` retries at once, `Some(pause)` waits first.
    pub(super) fn on_error(&mut self, error: &io::Error) -> Option<Duration> {
        if is_connection_error(error) {
            // The failure belongs to one connection that died in the backlog; the next one is fine.
            tracing::debug!(%error, "accept: a connection failed before it was accepted");
            return None;
        }
        self.streak = self.streak.saturating_add(1);
        if self.streak == 1 {
            // EMFILE/ENFILE: the loop keeps retrying; connections queue in the backlog meanwhile.
            tracing::error!(%error, "accept failed; retrying with a backoff until it succeeds");
        } else {
            tracing::debug!(%error, streak = self.streak, "accept failed again");
        }
        let doublings = (self.streak - 1).min(16);
        Some(FIRST_PAUSE.saturating_mul(1 << doublings).min(MAX_PAUSE))
    }

    /// Ends a streak of failures.
    pub(super) fn on_success(&mut self) {
        if self.streak > 0 {
            tracing::warn!(failures = self.streak, "accept recovered");
            self.streak = 0;
        }
    }
}

/// Errors that concern the one connection being accepted, not the listener or the process.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emfile() -> io::Error {
        io::Error::from_raw_os_error(24) // EMFILE on Linux and the BSDs
    }

    #[test]
    fn resource_errors_back_off_up_to_a_cap_and_reset_on_success() {
        let mut backoff = Backoff::default();
        let pauses: Vec<_> = (0..10)
            .map(|_| backoff.on_error(&emfile()).unwrap())
            .collect();
        assert_eq!(pauses[0], Duration::from_millis(5));
        assert_eq!(pauses[1], Duration::from_millis(10));
        assert!(pauses.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(*pauses.last().unwrap(), MAX_PAUSE);
        backoff.on_success();
        assert_eq!(backoff.on_error(&emfile()), Some(FIRST_PAUSE));
    }

    #[test]
    fn a_long_streak_neither_overflows_nor_exceeds_the_cap() {
        let mut backoff = Backoff {
            streak: u32::MAX - 1,
        };
        assert_eq!(backoff.on_error(&emfile()), Some(MAX_PAUSE));
        assert_eq!(backoff.on_error(&emfile()), Some(MAX_PAUSE));
    }

    #[test]
    fn a_connection_that_died_in_the_backlog_is_retried_at_once() {
        let mut backoff = Backoff::default();
        for kind in [
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::ConnectionReset,
        ] {
            assert_eq!(backoff.on_error(&io::Error::from(kind)), None);
        }
        assert_eq!(backoff.streak, 0);
    }
}

//! Serving a router on hyper (HTTP/1 and HTTP/2), with safe defaults for a server facing the internet:
//! header and idle timeouts, a connection cap, a graceful-shutdown deadline and HTTP/2 limits.
//!
//! [`serve(listener, app)`](serve) returns a [`Serve`]: change its limits with the builder methods,
//! give it a shutdown signal with [`with_graceful_shutdown`](Serve::with_graceful_shutdown), and await
//! it. Once the signal fires it stops accepting, lets the open connections finish, and returns
//! `Ok(())`:
//!
//! ```
//! use baton::{Context, Router, get};
//! use std::time::Duration;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let app = Router::new().route("/", get(|_: Context| async { "hello" }));
//!
//! // Port 0: the system picks a free port; `local_addr` says which.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(
//!     baton::serve(listener, app)
//!         .header_read_timeout(Duration::from_secs(5))
//!         .shutdown_deadline(Duration::from_secs(5))
//!         .with_graceful_shutdown(async { stopped.await.ok(); })
//!         .into_future(),
//! );
//!
//! let mut client = tokio::net::TcpStream::connect(address).await?;
//! client.write_all(b"GET / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").await?;
//! let mut response = String::new();
//! client.read_to_string(&mut response).await?;
//! assert!(response.starts_with("HTTP/1.1 200 OK"));
//! assert!(response.ends_with("hello"));
//!
//! stop.send(()).unwrap(); // in a real server: `tokio::signal::ctrl_c().await`
//! assert!(server.await.unwrap().is_ok()); // the server stopped cleanly
//! # Ok(())
//! # }
//! ```
//!
//! Every limit has a builder method on [`Serve`] whose documentation gives the default and why; the
//! defaults are also constants here:
//!
//! ```
//! use baton::serve::{DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT};
//! use std::time::Duration;
//!
//! assert_eq!(DEFAULT_HEADER_READ_TIMEOUT, Duration::from_secs(10));
//! assert_eq!(DEFAULT_IDLE_TIMEOUT, Duration::from_secs(75));
//! ```

use crate::connection::ConnectInfo;
use crate::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::convert::Infallible;
use std::future::{Future, IntoFuture, Pending, pending};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower_service::Service;

mod accept;
mod connection;
mod limits;
mod tracker;
mod woken;

use connection::{Phase, Tracked, Watched};
use limits::Limits;
pub use limits::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL,
    DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT, DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS,
    DEFAULT_HTTP2_MAX_HEADER_LIST_SIZE, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_SHUTDOWN_DEADLINE,
};
use tracker::Tracker;

/// After the shutdown deadline, how long `serve` waits for the dropped connections' tasks to notice.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Serves `service` (usually a [`Router`](crate::Router)) on `listener` until the future is dropped or,
/// with [`Serve::with_graceful_shutdown`], until a signal arrives and open connections finish (within
/// the [shutdown deadline](Serve::shutdown_deadline)).
///
/// The defaults are meant for a server exposed to the internet as it is; every one can be changed on
/// the returned [`Serve`] before awaiting it.
///
/// ```
/// use baton::{Context, Router, get};
/// use std::time::Duration;
///
/// # #[tokio::main] async fn main() -> std::io::Result<()> {
/// let app = Router::new().route("/", get(|_: Context| async { "hello" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// baton::serve(listener, app)
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(1_000)
///     .with_graceful_shutdown(async { /* e.g. tokio::signal::ctrl_c() */ })
///     .await
/// # }
/// ```
pub fn serve<S>(listener: TcpListener, service: S) -> Serve<S> {
    Serve {
        listener,
        service,
        signal: pending(),
        limits: Limits::default(),
    }
}

/// A server future; see [`serve`]. The builder methods set its limits.
///
/// Nothing happens until it is awaited (it is an [`IntoFuture`]). Awaiting it accepts connections
/// until the [graceful shutdown](Serve::with_graceful_shutdown) signal (without one, until the future
/// is dropped), then lets the open connections finish within the
/// [shutdown deadline](Serve::shutdown_deadline), and returns `Ok(())`.
///
/// ```
/// use baton::{Context, Router, get};
/// use std::time::Duration;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let app = Router::new().route("/", get(|_: Context| async { "hello" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let address = listener.local_addr()?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let server = baton::serve(listener, app)
///     .idle_timeout(Duration::from_secs(30))
///     .with_graceful_shutdown(async { stopped.await.ok(); });
/// let server = tokio::spawn(server.into_future());
///
/// // A client on the same runtime: one HTTP/1.1 request.
/// let mut client = tokio::net::TcpStream::connect(address).await?;
/// client.write_all(b"GET / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").await?;
/// let mut response = String::new();
/// client.read_to_string(&mut response).await?;
/// assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(response.ends_with("\r\n\r\nhello"));
///
/// stop.send(()).unwrap();
/// server.await.unwrap() // `Ok(())` once the server has stopped
/// # }
/// ```
#[must_use = "a server does nothing unless awaited"]
pub struct Serve<S, F = Pending<()>> {
    listener: TcpListener,
    service: S,
    signal: F,
    limits: Limits,
}

impl<S> Serve<S> {
    /// Stops accepting when `signal` completes, then lets open connections finish their in-flight
    /// requests, for at most the [shutdown deadline](Serve::shutdown_deadline).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let server = tokio::spawn(
    ///     baton::serve(listener, baton::Router::new())
    ///         .with_graceful_shutdown(async { stopped.await.ok(); })
    ///         .into_future(),
    /// );
    /// stop.send(()).unwrap();
    /// server.await.unwrap()
    /// # }
    /// ```
    pub fn with_graceful_shutdown<F: Future<Output = ()> + Send + 'static>(
        self,
        signal: F,
    ) -> Serve<S, F> {
        Serve {
            listener: self.listener,
            service: self.service,
            signal,
            limits: self.limits,
        }
    }
}

impl<S, F> IntoFuture for Serve<S, F>
where
    S: Service<http::Request<hyper::body::Incoming>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

async fn run<S, F>(serve: Serve<S, F>) -> io::Result<()>
where
    S: Service<http::Request<hyper::body::Incoming>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let Serve {
        listener,
        service,
        signal,
        limits,
    } = serve;
    // `acquire_many` takes a u32, and waiting for every permit is how shutdown knows all are closed.
    let max_connections = limits
        .max_connections
        .unwrap_or_else(default_max_connections)
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let builder = builder(&limits);
    let limits = Arc::new(limits);
    let permits = Arc::new(Semaphore::new(max_connections));
    let (phase, phase_receiver) = watch::channel(Phase::Serving);
    let mut backoff = accept::Backoff::default();
    let mut signal = pin!(signal);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut signal => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    backoff.on_success();
                    (stream, peer)
                }
                Err(error) => {
                    if let Some(pause) = backoff.on_error(&error) {
                        tokio::select! {
                            () = tokio::time::sleep(pause) => {}
                            () = &mut signal => break,
                        }
                    }
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        let addresses = stream
            .local_addr()
            .ok()
            .map(|local| Arc::new(ConnectInfo { peer, local }));
        let tracker = Tracker::new(addresses);
        let io = TokioIo::new(Watched::new(stream, tracker.clone(), permit));
        let connection = builder
            .serve_connection_with_upgrades(io, Tracked::new(service.clone(), tracker.clone()))
            .into_owned();
        tokio::spawn(connection::drive(
            connection,
            tracker,
            limits.clone(),
            phase_receiver.clone(),
        ));
    }
    drop(listener);
    phase.send_replace(Phase::Draining);
    let all_closed = permits.acquire_many(max_connections as u32);
    match limits.shutdown_deadline {
        None => drop(all_closed.await),
        Some(deadline) => {
            if tokio::time::timeout(deadline, all_closed).await.is_err() {
                tracing::warn!(
                    ?deadline,
                    "shutdown deadline passed; dropping the remaining connections"
                );
                phase.send_replace(Phase::Closed);
                // Upgraded connections (WebSockets) are the application's: not waited for long.
                let _ =
                    tokio::time::timeout(CLOSE_WAIT, permits.acquire_many(max_connections as u32))
                        .await;
            }
        }
    }
    Ok(())
}

fn builder(limits: &Limits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    // hyper's HTTP/1 header timer would also cut kept-alive connections at the header timeout: the
    // connection watcher enforces both deadlines instead (see `connection`).
    builder.http1().header_read_timeout(None);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.http2_max_concurrent_streams)
        .keep_alive_interval(limits.http2_keep_alive_interval)
        .keep_alive_timeout(limits.http2_keep_alive_timeout)
        .max_header_list_size(limits.http2_max_header_list_size);
    builder
}

/// Three quarters of the soft file-descriptor limit, at most [`DEFAULT_MAX_CONNECTIONS`].
fn default_max_connections() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` only writes the struct it is given, which lives for the call.
        let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        if status == 0 && limit.rlim_cur != libc::RLIM_INFINITY {
            let descriptors = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            return (descriptors / 4 * 3).clamp(1, DEFAULT_MAX_CONNECTIONS);
        }
    }
    DEFAULT_MAX_CONNECTIONS
}

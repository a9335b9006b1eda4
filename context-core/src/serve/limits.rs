//! The limits of [`Serve`], their defaults and the builder methods that change them.

use super::Serve;
use std::time::Duration;

/// Default of [`Serve::header_read_timeout`]: 10 seconds.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baton::serve::DEFAULT_HEADER_READ_TIMEOUT, Duration::from_secs(10));
/// ```
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`Serve::idle_timeout`]: 75 seconds.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baton::serve::DEFAULT_IDLE_TIMEOUT, Duration::from_secs(75));
/// ```
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(75);
/// Upper bound of the default of [`Serve::max_connections`]: 10 000.
///
/// ```
/// assert_eq!(baton::serve::DEFAULT_MAX_CONNECTIONS, 10_000);
/// ```
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// Default of [`Serve::shutdown_deadline`]: 20 seconds.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baton::serve::DEFAULT_SHUTDOWN_DEADLINE, Duration::from_secs(20));
/// ```
pub const DEFAULT_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(20);
/// Default of [`Serve::http2_max_concurrent_streams`]: 128.
///
/// ```
/// assert_eq!(baton::serve::DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS, 128);
/// ```
pub const DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS: u32 = 128;
/// Default of [`Serve::http2_keep_alive_interval`]: 60 seconds.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baton::serve::DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL, Duration::from_secs(60));
/// ```
pub const DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(60);
/// Default of [`Serve::http2_keep_alive_timeout`]: 20 seconds.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baton::serve::DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT, Duration::from_secs(20));
/// ```
pub const DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// Default of [`Serve::http2_max_header_list_size`]: 32 KiB.
///
/// ```
/// assert_eq!(baton::serve::DEFAULT_HTTP2_MAX_HEADER_LIST_SIZE, 32 * 1024);
/// ```
pub const DEFAULT_HTTP2_MAX_HEADER_LIST_SIZE: u32 = 32 * 1024;

/// The configured limits, shared by every connection.
#[derive(Debug, Clone)]
pub(super) struct Limits {
    pub(super) header_read_timeout: Option<Duration>,
    pub(super) idle_timeout: Option<Duration>,
    /// `None`: derived from the file-descriptor limit when the server starts.
    pub(super) max_connections: Option<usize>,
    pub(super) shutdown_deadline: Option<Duration>,
    pub(super) http2_max_concurrent_streams: Option<u32>,
    pub(super) http2_keep_alive_interval: Option<Duration>,
    pub(super) http2_keep_alive_timeout: Duration,
    pub(super) http2_max_header_list_size: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Some(DEFAULT_HEADER_READ_TIMEOUT),
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            max_connections: None,
            shutdown_deadline: Some(DEFAULT_SHUTDOWN_DEADLINE),
            http2_max_concurrent_streams: Some(DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS),
            http2_keep_alive_interval: Some(DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL),
            http2_keep_alive_timeout: DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT,
            http2_max_header_list_size: DEFAULT_HTTP2_MAX_HEADER_LIST_SIZE,
        }
    }
}

impl<S, F> Serve<S, F> {
    /// How long a client has to send a request's head (request line and headers), counted from the
    /// connection's accept for its first request and from the request's first byte for the next ones;
    /// `None` waits forever. Default: 10 s ([`DEFAULT_HEADER_READ_TIMEOUT`]).
    ///
    /// This is what drops a slowloris client, which trickles a header byte at a time to hold a
    /// connection open. A real client sends its head in one or two packets, well within a second even
    /// on a bad mobile link. The usual advice for Go's `http.Server` is a `ReadHeaderTimeout` of about
    /// 10 s; nginx's `client_header_timeout` is 60 s and hyper's own default 30 s: 10 s frees a
    /// trickling client's slot six times sooner than nginx and is still generous. The
    /// connection is closed without a response, as hyper does (nginx logs a 408 and closes it).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .header_read_timeout(std::time::Duration::from_secs(5))
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn header_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.limits.header_read_timeout = timeout.into();
        self
    }

    /// How long a kept-alive connection may wait, with no request in flight, for its next request;
    /// `None` waits forever. Default: 75 s ([`DEFAULT_IDLE_TIMEOUT`]).
    ///
    /// Idle connections cost a file descriptor and buffers each, so they must not pile up, but closing
    /// them too early races with clients reusing them. nginx's `keepalive_timeout` is 75 s; load
    /// balancers (AWS ALB, GCP) keep idle backend connections for 60 s and advise backends to wait
    /// longer than they do, so that the balancer, not the backend, closes first. A request running
    /// longer than this is not affected: the timer only runs while no request is in flight. On HTTP/2
    /// the connection gets a `GOAWAY` first.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .idle_timeout(std::time::Duration::from_secs(30))
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.limits.idle_timeout = timeout.into();
        self
    }

    /// The most connections open at once (at least 1); past it, the server stops accepting until one
    /// closes, and new connections wait in the kernel's backlog. Default: three quarters of the
    /// process's file-descriptor limit (`RLIMIT_NOFILE`), at most 10 000
    /// ([`DEFAULT_MAX_CONNECTIONS`]).
    ///
    /// Without a cap, enough idle clients exhaust the file descriptors, and then every `accept` fails
    /// and the server answers no one. Staying under the descriptor limit leaves the last quarter for
    /// what handlers open (files, database and upstream connections); 10 000 bounds the memory of
    /// per-connection buffers on large limits (nginx's default is 512 per worker process). A
    /// connection upgraded from HTTP (a WebSocket) keeps its place until it closes.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .max_connections(50_000)
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = Some(max);
        self
    }

    /// Once the shutdown signal arrives, how long in-flight requests get to finish before their
    /// connections are dropped and `serve` returns; `None` waits for them however long they take.
    /// Default: 20 s ([`DEFAULT_SHUTDOWN_DEADLINE`]).
    ///
    /// Without a deadline, one client holding a half-sent request keeps the process alive as long as
    /// it likes. Orchestrators kill a process a fixed time after asking it to stop (Kubernetes: 30 s
    /// after `SIGTERM`); 20 s lets requests finish and leaves the process 10 s to flush logs and close
    /// pools before that.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .shutdown_deadline(std::time::Duration::from_secs(5))
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn shutdown_deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.limits.shutdown_deadline = deadline.into();
        self
    }

    /// How many requests one HTTP/2 connection may have in flight at once (`SETTINGS_MAX_CONCURRENT_
    /// STREAMS`); `None` removes the limit. Default: 128
    /// ([`DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS`]).
    ///
    /// Each stream is a running handler, so this bounds what one connection can make the server do at
    /// once. nginx uses 128 and RFC 9113 advises no less than 100 so as not to limit parallelism;
    /// hyper's 200 is documented as subject to change.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .http2_max_concurrent_streams(256)
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn http2_max_concurrent_streams(mut self, max: impl Into<Option<u32>>) -> Self {
        self.limits.http2_max_concurrent_streams = max.into();
        self
    }

    /// How often an HTTP/2 connection is pinged to check the client is still there; `None` disables
    /// pings. Default: 60 s ([`DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL`]).
    ///
    /// A client that vanished (a phone leaving coverage) sends no TCP reset, so a long response
    /// stream to it would otherwise hold its connection until the kernel gives up, which takes
    /// minutes to hours. A ping a minute is negligible traffic; hyper disables pings by default.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .http2_keep_alive_interval(None)
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn http2_keep_alive_interval(mut self, interval: impl Into<Option<Duration>>) -> Self {
        self.limits.http2_keep_alive_interval = interval.into();
        self
    }

    /// How long an HTTP/2 ping may go unanswered before the connection is closed. Default: 20 s
    /// ([`DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT`], hyper's).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .http2_keep_alive_timeout(std::time::Duration::from_secs(10))
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn http2_keep_alive_timeout(mut self, timeout: Duration) -> Self {
        self.limits.http2_keep_alive_timeout = timeout;
        self
    }

    /// The largest request header block an HTTP/2 client may send, in bytes (`SETTINGS_MAX_HEADER_
    /// LIST_SIZE`, names and values counted uncompressed). Default: 32 KiB
    /// ([`DEFAULT_HTTP2_MAX_HEADER_LIST_SIZE`]).
    ///
    /// HPACK lets a few bytes on the wire expand into large headers, and every header is held in
    /// memory while its request runs. 32 KiB is what nginx accepts by default (four 8 KiB header
    /// buffers) and leaves room for large cookies and tokens; hyper's default is 16 KiB.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// baton::serve(listener, baton::Router::new())
    ///     .http2_max_header_list_size(64 * 1024)
    ///     .with_graceful_shutdown(async {})
    ///     .await
    /// # }
    /// ```
    pub fn http2_max_header_list_size(mut self, bytes: u32) -> Self {
        self.limits.http2_max_header_list_size = bytes;
        self
    }
}

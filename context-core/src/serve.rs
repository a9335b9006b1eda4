//! Serving a router on hyper (HTTP/1 and HTTP/2) with graceful shutdown.

use crate::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::{Future, IntoFuture, Pending, pending};
use std::io;
use std::pin::Pin;
use tokio::net::TcpListener;
use tower_service::Service;

/// Serves `service` (usually a [`Router`](crate::Router)) on `listener` until the future is dropped or,
/// with [`Serve::with_graceful_shutdown`], until a signal arrives and open connections finish.
///
/// ```no_run
/// use baton::{Context, Router, get};
///
/// # #[tokio::main] async fn main() -> std::io::Result<()> {
/// let app = Router::new().route("/", get(|_: Context| async { "hello" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// baton::serve(listener, app).await
/// # }
/// ```
pub fn serve<S>(listener: TcpListener, service: S) -> Serve<S> {
    Serve {
        listener,
        service,
        signal: pending(),
    }
}

/// A server future; see [`serve`].
#[must_use = "a server does nothing unless awaited"]
pub struct Serve<S, F = Pending<()>> {
    listener: TcpListener,
    service: S,
    signal: F,
}

impl<S> Serve<S> {
    /// Stops accepting when `signal` completes, then waits for open connections to finish their
    /// in-flight requests.
    pub fn with_graceful_shutdown<F: Future<Output = ()> + Send + 'static>(
        self,
        signal: F,
    ) -> Serve<S, F> {
        Serve {
            listener: self.listener,
            service: self.service,
            signal,
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
        Box::pin(async move {
            let Serve {
                listener,
                service,
                signal,
            } = self;
            let builder = Builder::new(TokioExecutor::new());
            let graceful = GracefulShutdown::new();
            let mut signal = std::pin::pin!(signal);
            loop {
                let (stream, _peer) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            // Per-connection errors (e.g. too many open files) must not end the server.
                            tracing::warn!(%error, "accept failed");
                            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                            continue;
                        }
                    },
                    () = &mut signal => break,
                };
                let _ = stream.set_nodelay(true);
                let connection = builder
                    .serve_connection_with_upgrades(
                        TokioIo::new(stream),
                        TowerToHyperService::new(service.clone()),
                    )
                    .into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(error = %error, "connection ended with an error");
                    }
                });
            }
            drop(listener);
            graceful.shutdown().await;
            Ok(())
        })
    }
}

//! The connection a request arrived on, as a key: the seeds' "load context" (peer and local address).
//!
//! ```
//! use baton::connection::{Connection, connection_info};
//! use baton::{ConnectInfo, Context, Router, get, handler};
//!
//! #[handler]
//! async fn whoami(ctx: Context) -> String {
//!     format!("you are {}", ctx.get::<Connection>().peer.ip())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let app = Router::new().with(connection_info()).route("/", get(whoami));
//!
//! // Served by `baton::serve`, every request carries its connection's addresses; a test sets them.
//! let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
//! request.extensions_mut().insert(ConnectInfo {
//!     peer: "203.0.113.7:52100".parse().unwrap(),
//!     local: "127.0.0.1:3000".parse().unwrap(),
//! });
//! let response = app.call_request(request).await;
//! assert_eq!(response.status(), 200);
//! # }
//! ```

use crate::{
    Context, Endpoint, IntoResponse, KeyList, Lacks, Middleware, Next, Response, StatusCode,
    context_key,
};
use std::net::SocketAddr;

/// The addresses of the connection the request arrived on.
#[context_key]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    /// The client's address (a proxy's, behind one).
    pub peer: SocketAddr,
    /// The server's address the connection was accepted on.
    pub local: SocketAddr,
}

/// Provides [`Connection`] from what `baton::serve` recorded on the request.
///
/// A request that did not come through `serve` and carries no [`ConnectInfo`](crate::ConnectInfo)
/// (an in-process call that did not set one) is answered `500` with a log line naming the cause.
pub fn connection_info() -> ConnectionInfo {
    ConnectionInfo
}

/// The middleware [`connection_info`] returns.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectionInfo;

impl<P: KeyList + Lacks<Connection>> Middleware<P> for ConnectionInfo {
    type Out = (Connection, P);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        let Some(info) = ctx.connect_info().copied() else {
            tracing::error!(
                "connection_info(): the request carries no ConnectInfo (serve it with baton::serve, \
                 or insert a ConnectInfo into the request in tests); answering 500"
            );
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        next.run(ctx.provide(Connection {
            peer: info.peer,
            local: info.local,
        }))
        .await
    }
}

//! The connection a request arrived on.
//!
//! [`serve`](crate::serve()) records the peer's and the local address of each connection in the
//! request's extensions as a [`ConnectInfo`]; `baton::connection::connection_info()` provides them as a
//! typed key. In a test, insert a `ConnectInfo` into the request to play a client.
//!
//! A handler that needs no key reads it from the extensions; it is absent when the request did not
//! come through `serve` (a test's `call_request`, another server):
//!
//! ```
//! use baton::{ConnectInfo, Context, Router, get};
//!
//! async fn whoami(ctx: Context) -> String {
//!     match ctx.extensions().get::<ConnectInfo>() {
//!         Some(info) => format!("you are {}", info.peer.ip()),
//!         None => "not served over TCP".to_string(),
//!     }
//! }
//!
//! let app = Router::new().route("/", get(whoami));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
//! request.extensions_mut().insert(ConnectInfo {
//!     peer: "203.0.113.7:52100".parse().unwrap(),
//!     local: "127.0.0.1:3000".parse().unwrap(),
//! });
//! let response = app.call_request(request).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "you are 203.0.113.7");
//!
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.into_body().collect_bytes().await.unwrap(), "not served over TCP");
//! # });
//! ```

use std::net::SocketAddr;

/// The addresses of the connection a request arrived on, as `serve` records them.
///
/// ```
/// use baton::ConnectInfo;
///
/// let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
/// request.extensions_mut().insert(ConnectInfo {
///     peer: "203.0.113.7:52100".parse().unwrap(),
///     local: "127.0.0.1:3000".parse().unwrap(),
/// });
/// let info = request.extensions().get::<ConnectInfo>().unwrap();
/// assert_eq!(info.peer.port(), 52100);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectInfo {
    /// The client's address (the peer of the TCP connection; a proxy's, behind one).
    pub peer: SocketAddr,
    /// The server's own address the connection was accepted on.
    pub local: SocketAddr,
}

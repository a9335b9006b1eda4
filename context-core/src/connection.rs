//! The connection a request arrived on.
//!
//! [`serve`](crate::serve()) records the peer's and the local address of each connection in the
//! request's extensions as a [`ConnectInfo`]; `baton::connection::connection_info()` provides them as a
//! typed key. In a test, insert a `ConnectInfo` into the request to play a client.

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
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectInfo {
    /// The client's address (the peer of the TCP connection; a proxy's, behind one).
    pub peer: SocketAddr,
    /// The server's own address the connection was accepted on.
    pub local: SocketAddr,
}

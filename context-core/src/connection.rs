//! The connection a request arrived on.
//!
//! [`serve`](crate::serve()) records the peer's and the local address of each connection; a request's
//! context reads them with [`Context::connect_info`](crate::Context::connect_info), and
//! `baton::connection::connection_info()` provides them as a typed key. In a test, insert a
//! [`ConnectInfo`] into the request's extensions to play a client.
//!
//! A handler that needs no key reads it from the context; it is absent when the request did not
//! come through `serve` (a test's `call_request`, another server):
//!
//! ```
//! use baton::{ConnectInfo, Context, Router, get};
//!
//! async fn whoami(ctx: Context) -> String {
//!     match ctx.connect_info() {
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
//!
//! `serve` does not put the addresses in every request's `http::Extensions`: inserting into an
//! empty `Extensions` allocates a map, its table and the boxed value, which cost a loopback hello
//! world about 650 instructions a request (8 % of a bare hyper server's). It shares one
//! `Arc<ConnectInfo>` per connection instead, lent through a thread-local slot while it calls and
//! polls the service; a context built meanwhile keeps a clone of the `Arc` in its head.

use std::cell::Cell;
use std::net::SocketAddr;
use std::ptr;
use std::sync::Arc;

/// The addresses of the connection a request arrived on, as `serve` records them; read with
/// [`Context::connect_info`](crate::Context::connect_info).
///
/// ```
/// use baton::{ConnectInfo, Context};
///
/// // A test plays a client by inserting one into the request.
/// let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
/// request.extensions_mut().insert(ConnectInfo {
///     peer: "203.0.113.7:52100".parse().unwrap(),
///     local: "127.0.0.1:3000".parse().unwrap(),
/// });
/// let ctx = Context::from_request(request);
/// assert_eq!(ctx.connect_info().map(|info| info.peer.port()), Some(52100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectInfo {
    /// The client's address (the peer of the TCP connection; a proxy's, behind one).
    pub peer: SocketAddr,
    /// The server's own address the connection was accepted on.
    pub local: SocketAddr,
}

thread_local! {
    // A `Cell` of a raw pointer needs no destructor: the access is a plain thread-local load.
    static SERVING: Cell<*const Arc<ConnectInfo>> = const { Cell::new(ptr::null()) };
}

/// Puts back the connection a call replaced, also when the call unwinds.
struct Restore(*const Arc<ConnectInfo>);

impl Drop for Restore {
    #[inline]
    fn drop(&mut self) {
        SERVING.set(self.0);
    }
}

/// Runs `f` with `connection` as the connection being served on this thread (`serve` wraps its calls
/// and polls of the service in this).
#[inline]
pub(crate) fn serving<R>(connection: Option<&Arc<ConnectInfo>>, f: impl FnOnce() -> R) -> R {
    let Some(connection) = connection else {
        return f();
    };
    let _restore = Restore(SERVING.replace(connection));
    f()
}

/// The connection being served on this thread, if any: what a context built now records.
#[inline]
pub(crate) fn current() -> Option<Arc<ConnectInfo>> {
    let current = SERVING.get();
    if current.is_null() {
        return None;
    }
    // SAFETY: a non-null pointer in the slot was put there by `serving`, whose frame is still running
    // on this thread (it restores the previous value when it returns or unwinds, and nothing else
    // writes the slot); `serving` holds the `&Arc` borrow for that whole frame, so the `Arc` is alive.
    Some(unsafe { &*current }.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_current_only_inside_serving_and_nests() {
        let outer = Arc::new(ConnectInfo {
            peer: "203.0.113.7:1".parse().unwrap(),
            local: "127.0.0.1:80".parse().unwrap(),
        });
        let inner = Arc::new(ConnectInfo {
            peer: "203.0.113.8:2".parse().unwrap(),
            local: "127.0.0.1:80".parse().unwrap(),
        });
        assert_eq!(current(), None);
        serving(Some(&outer), || {
            assert_eq!(current().as_deref(), Some(&*outer));
            serving(Some(&inner), || {
                assert_eq!(current().as_deref(), Some(&*inner))
            });
            serving(None, || assert_eq!(current().as_deref(), Some(&*outer)));
            assert_eq!(current().as_deref(), Some(&*outer));
        });
        assert_eq!(current(), None);
        let unwound = std::panic::catch_unwind(|| serving(Some(&outer), || panic!("in a handler")));
        assert!(unwound.is_err());
        assert_eq!(current(), None, "restored when the call unwinds");
    }
}

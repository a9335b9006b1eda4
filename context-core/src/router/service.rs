//! Mounting tower services on a router: [`Router::route_service`] and [`Router::nest_service`].
//!
//! A mounted service is the end of its route, like a handler: the router's middleware run first (a
//! request id, the logger, a session), then the service gets the plain HTTP request.

use super::table::Absorb;
use super::{Routed, Router, join};
use crate::body::{Body, BoxError};
use crate::context::Context;
use crate::middleware::{Chain, Endpoint};
use crate::proof::KeyList;
use crate::response::Response;
use bytes::Bytes;
use http::Uri;
use http::uri::PathAndQuery;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use tower::util::ServiceExt;
use tower_service::Service;

impl<L: Chain, S> Router<L, S> {
    /// Mounts a tower [`Service`] at `path`, for every method, after this router's middleware.
    ///
    /// ```
    /// use baton::{Body, Context, Response, Router};
    /// use std::convert::Infallible;
    ///
    /// let hello = tower::service_fn(|_request: http::Request<Body>| async {
    ///     Ok::<_, Infallible>(Response::new(Body::from("hello from tower")))
    /// });
    /// let app = Router::new().route_service("/hello", hello);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::post("/hello").body(Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "hello from tower"); // any method
    /// # });
    /// ```
    ///
    /// # Panics
    /// As [`Router::route`], for an invalid or conflicting path.
    pub fn route_service<T, B>(self, path: &str, service: T) -> Router<L, Routed>
    where
        T: Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        T::Future: Send + 'static,
        T::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut router = self.seal();
        let full = join(&router.shared.prefix, path);
        let route = router.endpoint(Arc::new(ServiceEndpoint {
            service: Absorb(service),
            strip: None,
        }));
        router.table_mut().insert(full, Vec::new(), Some(route));
        router
    }

    /// Mounts a tower [`Service`] for every path under `prefix`, after this router's middleware; the
    /// service sees the path with the prefix removed (`/static/app.css` reaches it as `/app.css`), as
    /// tower-http's `ServeDir` expects.
    ///
    /// ```
    /// use baton::{Body, Response, Router};
    /// use std::convert::Infallible;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use http_body_util::BodyExt;
    /// let echo_path = tower::service_fn(|request: http::Request<Body>| async move {
    ///     Ok::<_, Infallible>(Response::new(Body::from(request.uri().path().to_string())))
    /// });
    /// let app = Router::new().nest_service("/files", echo_path);
    ///
    /// let response = app
    ///     .call_request(http::Request::get("/files/a/b.txt").body(Body::empty()).unwrap())
    ///     .await;
    /// let body = response.into_body().collect().await.unwrap().to_bytes();
    /// assert_eq!(body, "/a/b.txt");
    /// # }
    /// ```
    ///
    /// # Panics
    /// As [`Router::route`], for an invalid or conflicting prefix.
    pub fn nest_service<T, B>(self, prefix: &str, service: T) -> Router<L, Routed>
    where
        T: Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        T::Future: Send + 'static,
        T::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut router = self.seal();
        let full = join(&router.shared.prefix, prefix);
        let endpoint = Arc::new(ServiceEndpoint {
            service: Absorb(service),
            strip: Some(Arc::from(full.trim_end_matches('/'))),
        });
        let exact = router.endpoint(endpoint.clone());
        let below = router.endpoint(endpoint);
        let table = router.table_mut();
        table.insert(full.clone(), Vec::new(), Some(exact));
        table.insert(join(&full, "/{*__baton_nested}"), Vec::new(), Some(below));
        router
    }
}

/// A tower service as the end of a route.
struct ServiceEndpoint<T> {
    service: T,
    /// The mount prefix `nest_service` removes from the path.
    strip: Option<Arc<str>>,
}

impl<P, T> Endpoint<P> for ServiceEndpoint<T>
where
    P: KeyList,
    T: Service<http::Request<Body>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    T::Future: Send + 'static,
{
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        let mut request = ctx.into_request();
        if let Some(prefix) = &self.strip {
            strip_prefix(&mut request, prefix);
        }
        let service = self.service.clone();
        async move {
            match service.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    }
}

fn strip_prefix(request: &mut http::Request<Body>, prefix: &str) {
    let uri = request.uri();
    let rest = uri.path().strip_prefix(prefix).unwrap_or(uri.path());
    let path = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    };
    // The path came from a valid URI, so the shortened one is valid too; keep the original otherwise.
    if let Ok(path_and_query) = path_and_query.parse::<PathAndQuery>() {
        let mut parts = uri.clone().into_parts();
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
}

//! The route table behind a [`Router`](super::Router): matching a request to a route, the 405 and HEAD
//! rules, tower layers around routes, and the future of one request.

use crate::body::{Body, BoxError};
use crate::context::Context;
use crate::middleware::{ErasedEndpoint, Frame, panic_response};
use crate::path::{PathParams, RouteNames, repeated_name};
use crate::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use tower::util::{BoxCloneSyncService, ServiceExt};
use tower_service::Service;

/// The allowed methods of a path, handed to the 405 handler.
#[derive(Clone)]
pub(super) struct Allow(pub(super) HeaderValue);

/// The HTTP service a route becomes when tower layers wrap it.
///
/// It takes a request with any body type, so a layer that changes the body (tower-http's
/// `RequestBodyLimitLayer` hands on `Limited<B>`) wraps it as it is.
///
/// You name it in a tower layer of your own for [`Router::layer`](super::Router::layer): the layer
/// wraps a `RouteService`.
///
/// ```
/// use baton::router::RouteService;
/// use baton::{Body, Context, Router, get};
/// use std::convert::Infallible;
/// use tower::{ServiceExt, layer::layer_fn, service_fn};
///
/// let app = Router::new()
///     .route("/", get(|_: Context| async { "home" }))
///     .layer(layer_fn(|route: RouteService| {
///         service_fn(move |request: http::Request<Body>| {
///             let route = route.clone();
///             async move {
///                 let mut response = route.oneshot(request).await?;
///                 response.headers_mut().insert("x-layered", "yes".parse().unwrap());
///                 Ok::<_, Infallible>(response)
///             }
///         })
///     }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(Body::empty()).unwrap()).await;
/// assert_eq!(response.headers()["x-layered"], "yes");
/// # });
/// ```
#[derive(Clone)]
pub struct RouteService(BoxCloneSyncService<http::Request<Body>, Response, Infallible>);

impl RouteService {
    pub(super) fn new<S>(service: S) -> Self
    where
        S: Service<http::Request<Body>, Response = Response, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        RouteService(BoxCloneSyncService::new(service))
    }
}

impl<B> Service<http::Request<B>> for RouteService
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = <BoxCloneSyncService<http::Request<Body>, Response, Infallible> as Service<
        http::Request<Body>,
    >>::Future;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        self.0.call(request.map(Body::new))
    }
}

pub(super) type LayerFn = Arc<dyn Fn(RouteService) -> RouteService + Send + Sync>;

#[derive(Clone)]
pub(super) enum Route {
    Endpoint(ErasedEndpoint),
    Service(RouteService),
}

impl Route {
    pub(super) fn into_service(self) -> RouteService {
        match self {
            Route::Service(service) => service,
            Route::Endpoint(endpoint) => RouteService::new(EndpointService(endpoint)),
        }
    }

    pub(super) fn layered(self, layers: &[LayerFn]) -> Route {
        if layers.is_empty() {
            return self;
        }
        let mut service = self.into_service();
        for layer in layers {
            service = layer(service);
        }
        Route::Service(service)
    }
}

#[derive(Clone)]
pub(super) struct PathEntry {
    pub(super) path: String,
    /// `path` and its parameter names, shared with every matching request's [`PathParams`].
    pub(super) names: Arc<RouteNames>,
    pub(super) methods: Vec<(Method, Route)>,
    pub(super) any: Option<Route>,
    pub(super) allow: HeaderValue,
}

impl PathEntry {
    fn compute_allow(&mut self) {
        let mut names: Vec<&str> = self
            .methods
            .iter()
            .map(|(method, _)| method.as_str())
            .collect();
        if names.contains(&"GET") && !names.contains(&"HEAD") {
            names.push("HEAD");
        }
        self.allow =
            HeaderValue::from_str(&names.join(", ")).unwrap_or(HeaderValue::from_static(""));
    }
}

#[derive(Clone)]
pub(super) struct Table {
    pub(super) matcher: matchit::Router<usize>,
    pub(super) entries: Vec<PathEntry>,
    pub(super) by_path: HashMap<String, usize>,
    // The 404 and 405 routes run the router's middleware, so they are built for its final middleware
    // stack, when it gets its first route (or first request): building them at every `with` would
    // compile one chain per prefix of the stack, quadratic in the middleware count.
    pub(super) fallback: Option<Route>,
    /// A scope with an error boundary answers the unmatched paths under its prefix itself.
    pub(super) fallback_for_scope: bool,
    pub(super) not_allowed: Option<Route>,
    pub(super) layers: Vec<LayerFn>,
}

impl Table {
    pub(super) fn insert(
        &mut self,
        path: String,
        methods: Vec<(Method, Route)>,
        any: Option<Route>,
    ) {
        let names = RouteNames::of(&path);
        // matchit accepts a repeated name, but parameters are read by name: the second would be
        // unreachable through `param` and every `ctx.path::<Struct>()` would fail with a duplicate field.
        if let Some(name) = repeated_name(names.names()) {
            panic!(
                "route `{path}`: path parameter `{name}` is declared twice; parameters are read by \
                 name, so give each its own"
            );
        }
        let mut entry = PathEntry {
            names,
            path,
            methods,
            any,
            allow: HeaderValue::from_static(""),
        };
        entry.compute_allow();
        self.insert_entry(entry);
    }

    pub(super) fn insert_entry(&mut self, mut entry: PathEntry) {
        let layers = self.layers.clone();
        for (_, route) in &mut entry.methods {
            *route = route.clone().layered(&layers);
        }
        if let Some(route) = &mut entry.any {
            *route = route.clone().layered(&layers);
        }
        if let Some(&index) = self.by_path.get(&entry.path) {
            let existing = &mut self.entries[index];
            for (method, route) in entry.methods {
                assert!(
                    !existing.methods.iter().any(|(m, _)| *m == method),
                    "route `{}`: a handler for {method} is already set",
                    existing.path
                );
                existing.methods.push((method, route));
            }
            if let Some(any) = entry.any {
                assert!(
                    existing.any.is_none(),
                    "route `{}`: `any` is already set",
                    existing.path
                );
                existing.any = Some(any);
            }
            existing.compute_allow();
            return;
        }
        let index = self.entries.len();
        if let Err(error) = self.matcher.insert(entry.path.clone(), index) {
            panic!("invalid route `{}`: {error}", entry.path);
        }
        self.by_path.insert(entry.path.clone(), index);
        self.entries.push(entry);
    }
}

// Inlined into each caller (a handful): the request is taken apart where it lies rather than first
// copied into this function's argument.
#[inline(always)]
pub(super) fn dispatch<B>(table: &Table, request: http::Request<B>) -> RouterFuture
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    // The head goes into the request block first and the route is matched on it there: matched
    // first and moved in after, the ~220-byte head was copied twice more on the way.
    // `Body::new` does not re-box a body that already is one.
    let mut ctx = Context::from_parts(parts, Body::new(body), PathParams::default());
    let mut strip_body = false;
    let mut not_allowed = None;
    let (route, params) = match table.matcher.at(ctx.uri().path()) {
        Ok(matched) => {
            let entry = &table.entries[*matched.value];
            // Off the path where the pattern allows it: matchit's own values cost a name lookup and a
            // UTF-8 check each.
            let by_name = || {
                // By name rather than through `params.iter()`, which re-validates every key too.
                let names = entry.names.names().iter();
                names.map(|name| matched.params.get(name).unwrap_or(""))
            };
            let params = match PathParams::matched(&entry.names, ctx.uri().path()) {
                Some(params) => {
                    debug_assert_eq!(params, PathParams::decoded(&entry.names, by_name()));
                    params
                }
                None => PathParams::decoded(&entry.names, by_name()),
            };
            let method = ctx.method();
            let route = entry
                .methods
                .iter()
                .find(|(candidate, _)| candidate == method)
                .or_else(|| {
                    (*method == Method::HEAD)
                        .then(|| {
                            entry
                                .methods
                                .iter()
                                .find(|(candidate, _)| *candidate == Method::GET)
                        })
                        .flatten()
                        .inspect(|_| strip_body = true)
                })
                .map(|(_, route)| route)
                .or(entry.any.as_ref());
            match route {
                Some(route) => (route.clone(), params),
                None => {
                    not_allowed = Some(Allow(entry.allow.clone()));
                    (
                        table
                            .not_allowed
                            .clone()
                            .expect("built with the first route"),
                        PathParams::default(),
                    )
                }
            }
        }
        Err(_) => (
            table.fallback.clone().expect("built before the first call"),
            PathParams::default(),
        ),
    };
    if let Some(allow) = not_allowed {
        ctx.extensions_mut().insert(allow);
    }
    let future = match route {
        Route::Endpoint(endpoint) => {
            ctx.set_params(params);
            return RouterFuture::run(endpoint, ctx, strip_body);
        }
        Route::Service(service) => {
            let mut request = ctx.into_request();
            request.extensions_mut().insert(params);
            Frame::build(
                || async move {
                    match service.oneshot(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    }
                },
                None,
            )
        }
    };
    RouterFuture {
        future,
        _endpoint: None,
        strip_body,
    }
}

/// A route's erased chain as a tower service (used beneath tower layers).
#[derive(Clone)]
struct EndpointService(ErasedEndpoint);

impl Service<http::Request<Body>> for EndpointService {
    type Response = Response;
    type Error = Infallible;
    type Future = RouterFuture;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let params = parts.extensions.remove::<PathParams>().unwrap_or_default();
        RouterFuture::run(
            self.0.clone(),
            Context::from_parts(parts, body, params),
            false,
        )
    }
}

/// A layered route: its errors become 500 responses and its body is boxed.
#[derive(Clone)]
pub(super) struct Absorb<S>(pub(super) S);

impl<S, B> Service<http::Request<Body>> for Absorb<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        // Readiness is awaited per call on a clone, so a layer's backpressure (e.g. a concurrency
        // limit) is honoured without storing readiness across calls.
        let service = self.0.clone();
        Box::pin(async move {
            let result = service.oneshot(request).await;
            Ok(match result {
                Ok(response) => response.map(Body::new),
                Err(error) => {
                    let error: BoxError = error.into();
                    tracing::error!(%error, "a tower layer failed; answering 500");
                    (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
                }
            })
        })
    }
}

/// The future of a [`Router`](super::Router) call: the route's chain, boxed once.
///
/// `Router` is a `tower::Service` whose `Future` is this type, so code that stores or wraps the
/// call's future can name it:
///
/// ```
/// use baton::router::RouterFuture;
/// use baton::{Body, Context, Router, get};
/// use tower::{Service, ServiceExt};
///
/// let mut app = Router::new().route("/", get(|_: Context| async { "hello" }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = http::Request::head("/").body(Body::empty()).unwrap();
/// let ready = ServiceExt::<http::Request<Body>>::ready(&mut app).await.unwrap();
/// let future: RouterFuture = ready.call(request);
/// let response = future.await.unwrap(); // never an error: `Infallible`
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-length"], "5"); // a HEAD: GET's length, no body
/// assert!(response.into_body().collect_bytes().await.unwrap().is_empty());
/// # });
/// ```
pub struct RouterFuture {
    // Declared before `_endpoint`, so dropped before it: it may borrow the endpoint (see `run`).
    future: Frame<'static>,
    /// The route whose chain `future` runs, kept alive for as long as the future borrows it.
    _endpoint: Option<ErasedEndpoint>,
    // HEAD answered by a GET route: hyper omits the body on the wire, in-process callers get none either.
    strip_body: bool,
}

impl RouterFuture {
    /// Runs `endpoint`'s chain with `ctx`. The future borrows the endpoint rather than owning a
    /// handle to it: an owning future needs a wrapper of its own around the chain's, one more state
    /// machine polled (and a response moved) on every request.
    #[inline]
    fn run(endpoint: ErasedEndpoint, ctx: Context<()>, strip_body: bool) -> Self {
        let future = endpoint.run_framed(ctx);
        // SAFETY: `future` borrows only the stage behind `endpoint`'s `Arc`, a heap value that does not
        // move when the `Arc` (or this struct) does. The struct keeps that `Arc` in `_endpoint` for as
        // long as it holds `future`, and drops `future` first (field order), so the borrow never
        // outlives the stage. `future` is private, so nothing can take it out and keep it longer.
        let future = unsafe { future.assume_static() };
        RouterFuture {
            future,
            _endpoint: Some(endpoint),
            strip_body,
        }
    }
}

impl Future for RouterFuture {
    type Output = Result<Response, Infallible>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // The route's outermost panic guard (each `next.run` guards what it runs): a panic in the
        // first middleware becomes a 500 here.
        let polled =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.future.poll(cx)));
        let response = match polled {
            Ok(poll) => std::task::ready!(poll),
            Err(panic) => panic_response(panic),
        };
        if self.strip_body {
            let (mut parts, body) = response.into_parts();
            // HEAD announces the length GET would send (RFC 9110 §9.3.2); without the header, hyper
            // would describe the empty body instead.
            if let Some(length) = http_body::Body::size_hint(&body).exact() {
                parts
                    .headers
                    .entry(http::header::CONTENT_LENGTH)
                    .or_insert_with(|| HeaderValue::from(length));
            }
            return Poll::Ready(Ok(Response::from_parts(parts, Body::empty())));
        }
        Poll::Ready(Ok(response))
    }
}

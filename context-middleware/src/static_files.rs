//! Static files from a directory, falling through to the rest of the chain on a miss.
//!
//! [`static_files(dir)`](static_files()) answers a GET or HEAD whose path names a file under `dir`
//! with tower-http's `ServeDir`: ranges, a strong `ETag` from the file's length and modification time
//! and `Last-Modified` (`If-None-Match`/`If-Modified-Since` answered with a `304`), `index.html` for a
//! directory, paths with `..` or other escapes refused.
//! Any other request, and any path with no file behind it, goes on to the routes, so it can be
//! mounted globally in front of them, as in the seeds (`staticFiles('./public')`).
//!
//! ```
//! use baton::builtin::static_files::static_files;
//! use baton::{Context, Router, get};
//!
//! let dir = std::env::temp_dir().join("baton-doc-static");
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("app.css"), "body {}").unwrap();
//!
//! let app = Router::new()
//!     .with(static_files(&dir))
//!     .route("/", get(|_: Context| async { "home" }));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = app.call_request(http::Request::get("/app.css").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.status(), 200);
//! assert!(response.headers().contains_key("etag"));
//! let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
//! assert_eq!(response.status(), 200); // no file `/`: the route answered
//! # });
//! ```

use baton_core::{Body, Context, Endpoint, KeyList, Middleware, Next, Response, StatusCode};
use http::header::LOCATION;
use http::{HeaderMap, HeaderValue, Method};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Serves the files under `dir` at the root of the site; see the [module docs](self).
///
/// ```
/// use baton::builtin::static_files::static_files;
/// use baton::{Context, Router, get};
///
/// let public = tempfile::tempdir().unwrap();
/// std::fs::write(public.path().join("robots.txt"), "User-agent: *").unwrap();
/// std::fs::create_dir(public.path().join("docs")).unwrap();
/// std::fs::write(public.path().join("docs/index.html"), "<h1>docs</h1>").unwrap();
///
/// let app = Router::new()
///     .with(static_files(public.path()))
///     .route("/", get(|_: Context| async { "home" }));
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let get = |path: &str| http::Request::get(path).body(baton::Body::empty()).unwrap();
/// let response = app.call_request(get("/robots.txt")).await;
/// assert_eq!(response.headers()["content-type"], "text/plain");
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "User-agent: *");
/// // A directory serves its index.html.
/// let docs = app.call_request(get("/docs/")).await;
/// assert_eq!(docs.into_body().collect_bytes().await.unwrap(), "<h1>docs</h1>");
/// // No file: the routes answer, and a path out of the directory finds nothing.
/// assert_eq!(app.call_request(get("/")).await.into_body().collect_bytes().await.unwrap(), "home");
/// assert_eq!(app.call_request(get("/../etc/passwd")).await.status(), 404);
/// # });
/// ```
pub fn static_files(dir: impl AsRef<Path>) -> StaticFiles {
    StaticFiles {
        serve: ServeDir::new(dir.as_ref()),
        prefix: None,
    }
}

/// Middleware returned by [`static_files()`]. Its responses carry validators, so a browser asking
/// again with `If-None-Match` gets a `304` without the file.
///
/// ```
/// use baton::builtin::static_files::{StaticFiles, static_files};
/// use baton::Router;
///
/// let public = tempfile::tempdir().unwrap();
/// std::fs::write(public.path().join("app.css"), "body {}").unwrap();
/// let assets: StaticFiles = static_files(public.path());
/// let app = Router::new().with(assets);
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let first = app.call_request(http::Request::get("/app.css").body(baton::Body::empty()).unwrap()).await;
/// let etag = first.headers()["etag"].clone();
/// assert!(first.headers().contains_key("last-modified"));
///
/// let again = http::Request::get("/app.css").header("if-none-match", &etag).body(baton::Body::empty()).unwrap();
/// let response = app.call_request(again).await;
/// assert_eq!(response.status(), 304);
/// assert_eq!(response.headers()["etag"], etag);
/// assert!(response.into_body().collect_bytes().await.unwrap().is_empty());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct StaticFiles {
    serve: ServeDir,
    /// The URL prefix the files live under, without a trailing `/`.
    prefix: Option<Arc<str>>,
}

impl StaticFiles {
    /// Serves the files under a URL prefix instead of the root: `/assets/app.css` is `dir/app.css`.
    ///
    /// ```
    /// use baton::builtin::static_files::static_files;
    /// use baton::{Context, Router, get};
    ///
    /// let dir = std::env::temp_dir().join("baton-doc-static-at");
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("app.js"), "1").unwrap();
    /// let app = Router::new().with(static_files(&dir).at("/assets")).route("/", get(|_: Context| async { "home" }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/assets/app.js").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.status(), 200);
    /// # });
    /// ```
    pub fn at(self, prefix: &str) -> Self {
        let prefix = prefix.trim_end_matches('/');
        StaticFiles {
            prefix: (!prefix.is_empty()).then(|| Arc::from(prefix)),
            ..self
        }
    }

    /// The path inside the directory, or `None` when the request is not for it.
    fn file_path<'a>(&self, path: &'a str) -> Option<&'a str> {
        match &self.prefix {
            None => Some(path),
            Some(prefix) => path
                .strip_prefix(&**prefix)
                .filter(|rest| rest.starts_with('/')),
        }
    }

    /// ServeDir's answer for this request, or `None` when it has no file for it.
    async fn try_serve(
        &self,
        method: &Method,
        uri: &http::Uri,
        headers: &HeaderMap,
    ) -> Option<Response> {
        let path = self.file_path(uri.path())?;
        let mut request = http::Request::new(Body::empty());
        *request.method_mut() = method.clone();
        *request.uri_mut() = path.parse().ok()?;
        *request.headers_mut() = headers.clone();
        let response = match self.serve.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if response.status() == StatusCode::NOT_FOUND {
            return None;
        }
        let (mut parts, body) = response.into_parts();
        if let (Some(prefix), Some(location)) = (&self.prefix, parts.headers.get(LOCATION)) {
            // ServeDir redirects `/dir` to `/dir/` by the path it saw, which lacks the prefix.
            let full = format!("{prefix}{}", location.to_str().unwrap_or_default());
            if let Ok(location) = HeaderValue::from_str(&full) {
                parts.headers.insert(LOCATION, location);
            }
        }
        Some(Response::from_parts(parts, Body::new(body)))
    }
}

impl<P: KeyList> Middleware<P> for StaticFiles {
    type Out = P;

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        if matches!(*ctx.method(), Method::GET | Method::HEAD)
            && let Some(response) = self.try_serve(ctx.method(), ctx.uri(), ctx.headers()).await
        {
            return response;
        }
        next.run(ctx).await
    }
}

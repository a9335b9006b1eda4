//! [`Context<P>`]: one request, its path parameters and the values provided to it.
//!
//! A context owns the request (method, URI, headers, extensions, body), the route's path parameters and
//! the store of provided values. Its type parameter `P` lists the keys provided so far; reading a key is
//! checked against `P` at compile time:
//!
//! ```
//! use baton::{Context, context_key};
//!
//! #[context_key]
//! struct RequestId(u64);
//!
//! let ctx = Context::default();            // Context<()>: nothing provided yet
//! let ctx = ctx.provide(RequestId(42));    // Context<(RequestId, ())>
//! assert_eq!(ctx.get::<RequestId>().0, 42); // proven: cannot fail
//! ```
//!
//! Reading a key that `P` does not hold is a compile error naming the key:
//!
//! ```compile_fail
//! # use baton::{Context, context_key};
//! # #[context_key] struct RequestId(u64);
//! let ctx = Context::default();
//! ctx.get::<RequestId>(); // error: no upstream middleware provides `RequestId` on this route
//! ```

use crate::body::{Body, BoxError, LimitExceeded};
use crate::key::ContextKey;
use crate::limit::BodyLimit;
use crate::path::{PathParams, PathRejection};
use crate::proof::{Has, KeyList, Lacks, Position};
use crate::query::QueryRejection;
use crate::response::{IntoResponse, Response};
use crate::store::{Head, Store};
use bytes::Bytes;
use http::{Extensions, HeaderMap, Method, StatusCode, Uri, Version};
use std::fmt;
use std::marker::PhantomData;

/// A request with its typed, provided values. See the [module docs](self).
///
/// Handlers and middleware receive one; a plain handler takes `Context` (`Context<()>`) and reads the
/// request, a `#[handler]` takes the route's `Context<P>` and also reads the provided keys.
///
/// ```
/// use baton::{Context, Router, get};
///
/// async fn describe(ctx: Context) -> String {
///     format!("{} {} ({} params)", ctx.method(), ctx.uri().path(), ctx.params().len())
/// }
///
/// let app = Router::new().route("/notes/{id}", get(describe));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/notes/1").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "GET /notes/1 (1 params)");
/// # });
/// ```
///
/// A context is one pointer: the request head and the provided values share one allocation, so moving
/// a context through a chain of middleware costs nothing.
pub struct Context<P = ()> {
    // The only owner of the request head in `store`: every head access below goes through `&self` or
    // `&mut self` of this context, which is what makes `Store::head`/`head_mut` sound.
    store: Store,
    _provided: PhantomData<fn() -> P>,
}

impl Context<()> {
    /// A context for `request`, with nothing provided yet.
    ///
    /// ```
    /// let request = http::Request::get("/users/7").body(baton::Body::empty()).unwrap();
    /// let ctx = baton::Context::from_request(request);
    /// assert_eq!(ctx.uri().path(), "/users/7");
    /// ```
    pub fn from_request<B: Into<Body>>(request: http::Request<B>) -> Self {
        let (parts, body) = request.into_parts();
        Context::from_parts(parts, body.into(), PathParams::default())
    }

    #[inline(always)]
    pub(crate) fn from_parts(parts: http::request::Parts, body: Body, params: PathParams) -> Self {
        Context {
            store: Store::with_head(parts, params, Some(body)),
            _provided: PhantomData,
        }
    }

    /// The matched route's parameters, set by the router once the head is in the block.
    #[inline(always)]
    pub(crate) fn set_params(&mut self, params: PathParams) {
        self.head_mut().params = params;
    }

    /// Sets the path parameters (for tests that build a context without a router).
    ///
    /// ```
    /// let ctx = baton::Context::default().with_params([("id", "7"), ("slug", "hello")]);
    /// assert_eq!(ctx.param("slug"), Some("hello"));
    /// assert_eq!(ctx.path::<(u32, String)>().unwrap(), (7, "hello".to_string()));
    /// ```
    pub fn with_params<N: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        self.head_mut().params = params.into_iter().collect();
        self
    }
}

impl Default for Context<()> {
    /// A `GET /` request with an empty body.
    fn default() -> Self {
        Context::from_request(http::Request::new(Body::empty()))
    }
}

impl<P: KeyList> Context<P> {
    /// Reads the value of `K`, proven present by `P`.
    ///
    /// Compiles only when a middleware upstream provides `K` (or `K` has a default); never fails.
    ///
    /// ```
    /// use baton::{Context, Router, context_key, get, handler, middleware};
    ///
    /// #[context_key]
    /// struct User(String);
    ///
    /// #[middleware(provides = User)]
    /// async fn user(_ctx: &Context) -> User {
    ///     User("ada".into())
    /// }
    ///
    /// #[handler]
    /// async fn me(ctx: Context) -> String {
    ///     format!("signed in as {}", ctx.get::<User>().0) // no `Option`: `user` runs above the route
    /// }
    ///
    /// let app = Router::new().with(user).route("/me", get(me));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/me").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "signed in as ada");
    /// # });
    ///
    /// // The same read on a context built by hand:
    /// let ctx = Context::default().provide(User("bob".into()));
    /// assert_eq!(ctx.get::<User>().0, "bob");
    /// ```
    #[inline(always)]
    pub fn get<K: ContextKey>(&self) -> &K::Value
    where
        P: Has<K>,
    {
        P::fetch(&self.store, crate::sealed::Seal)
    }

    /// Reads the value of `K` if some middleware provided it, whatever `P` says.
    ///
    /// ```
    /// # use baton::{Context, context_key};
    /// #[context_key]
    /// struct Session(String);
    /// let ctx = Context::default();
    /// assert!(ctx.try_get::<Session>().is_none());
    /// ```
    pub fn try_get<K: ContextKey>(&self) -> Option<&K::Value> {
        self.store.find_key::<K>()
    }

    /// Whether a value of `K` was provided, whatever `P` says (like [`try_get`](Self::try_get)).
    ///
    /// ```
    /// # use baton::{Context, context_key};
    /// #[context_key]
    /// struct Session(u64);
    ///
    /// let ctx = Context::default();
    /// assert!(!ctx.has::<Session>());
    /// let ctx = ctx.provide(Session(1));
    /// assert!(ctx.has::<Session>());
    /// ```
    pub fn has<K: ContextKey>(&self) -> bool {
        self.try_get::<K>().is_some()
    }

    /// Provides a newtype key (a key that is its own value), returning a context whose type records it.
    ///
    /// Providing a key that is already provided is a compile error; use [`replace`](Self::replace).
    /// A middleware provides a key this way before handing the context to `next` (see
    /// [`Middleware`](crate::Middleware)).
    ///
    /// ```
    /// # use baton::{Context, context_key};
    /// #[context_key]
    /// struct RequestId(u64);
    /// #[context_key]
    /// struct Tenant(&'static str);
    ///
    /// let ctx: Context<(Tenant, (RequestId, ()))> =
    ///     Context::default().provide(RequestId(7)).provide(Tenant("acme"));
    /// assert_eq!((ctx.get::<RequestId>().0, ctx.get::<Tenant>().0), (7, "acme"));
    /// ```
    ///
    /// ```compile_fail
    /// # use baton::{Context, context_key};
    /// # #[context_key] struct RequestId(u64);
    /// let ctx = Context::default().provide(RequestId(7));
    /// ctx.provide(RequestId(8)); // error: `RequestId` is already provided upstream on this route
    /// ```
    pub fn provide<K>(self, value: K) -> Context<(K, P)>
    where
        K: ContextKey<Value = K>,
        P: Lacks<K>,
    {
        self.provide_as::<K>(value)
    }

    /// Provides `value` under the key `K`, named explicitly (for marker keys):
    /// `ctx.provide_as::<Database>(pool)`.
    ///
    /// ```
    /// # use baton::{Context, context_key};
    /// #[context_key(value = String)]
    /// struct DatabaseUrl;
    /// let ctx = Context::default().provide_as::<DatabaseUrl>("sqlite::memory:".to_string());
    /// assert_eq!(ctx.get::<DatabaseUrl>(), "sqlite::memory:");
    /// ```
    #[inline]
    pub fn provide_as<K>(self, value: K::Value) -> Context<(K, P)>
    where
        K: ContextKey,
        P: Lacks<K>,
    {
        // The positional reads of `Has` rely on `store.len() == P::LEN`. Only a context forgotten to
        // `Context<()>` (a plain handler's) can break it, by providing: refuse that here.
        if self.store.len() != P::LEN {
            provide_on_forgotten_context::<K>();
        }
        self.store.push::<K>(value);
        self.retype()
    }

    /// Replaces the value of an already provided key; reads downstream see the new value.
    ///
    /// The old value stays alive until the request ends (another task may still be reading it).
    ///
    /// ```
    /// # use baton::{Context, context_key};
    /// #[context_key]
    /// struct Locale(&'static str);
    /// let ctx = Context::default().provide(Locale("en"));
    /// let ctx = ctx.replace::<Locale>(Locale("fr"));
    /// assert_eq!(ctx.get::<Locale>().0, "fr");
    /// ```
    pub fn replace<K>(self, value: K::Value) -> Self
    where
        K: ContextKey,
        P: Position<K>,
    {
        self.store.replace::<K>(<P as Position<K>>::POSITION, value);
        self
    }

    /// This context as a `#[handler]` on an empty route sees it (no value, same length: sound).
    pub(crate) fn into_nothing_provided(self) -> Context<(crate::proof::NothingProvided, ())> {
        debug_assert_eq!(self.store.len(), 0);
        self.retype()
    }

    /// This context as a plain `Context`: nothing proven, values still reachable with `try_get`.
    pub(crate) fn forget(self) -> Context {
        self.retype()
    }

    fn retype<Q>(self) -> Context<Q> {
        Context {
            store: self.store,
            _provided: PhantomData,
        }
    }

    /// A handle to this request's value store, shared with the ambient context.
    ///
    /// The handle is a cheap clone that outlives the context and sees the values provided later:
    ///
    /// ```
    /// # use baton::{Context, context_key};
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// let ctx = Context::default();
    /// let store = ctx.store().clone();
    /// let ctx = ctx.provide(RequestId(7));
    /// assert_eq!(store.find_key::<RequestId>().map(|id| id.0), Some(7));
    /// drop(ctx);
    /// assert_eq!(store.len(), 1);
    /// ```
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The request method.
    ///
    /// ```
    /// let request = http::Request::delete("/notes/1").body(baton::Body::empty()).unwrap();
    /// let ctx = baton::Context::from_request(request);
    /// assert_eq!(ctx.method(), baton::Method::DELETE);
    /// ```
    pub fn method(&self) -> &Method {
        &self.head().parts.method
    }

    /// The request URI. On a server it is the request target as sent, usually a path and query
    /// (`/search?q=rust`); the host is in the `Host` header (HTTP/1) or the URI (HTTP/2).
    ///
    /// ```
    /// let request = http::Request::get("/search?q=rust").body(baton::Body::empty()).unwrap();
    /// let ctx = baton::Context::from_request(request);
    /// assert_eq!(ctx.uri().path(), "/search");
    /// assert_eq!(ctx.uri().query(), Some("q=rust"));
    /// ```
    pub fn uri(&self) -> &Uri {
        &self.head().parts.uri
    }

    /// The HTTP version.
    ///
    /// ```
    /// let request = http::Request::get("/").version(http::Version::HTTP_2).body(baton::Body::empty()).unwrap();
    /// assert_eq!(baton::Context::from_request(request).version(), http::Version::HTTP_2);
    /// ```
    pub fn version(&self) -> Version {
        self.head().parts.version
    }

    /// The request headers.
    ///
    /// ```
    /// let request = http::Request::get("/")
    ///     .header("accept-language", "fr")
    ///     .body(baton::Body::empty())
    ///     .unwrap();
    /// let ctx = baton::Context::from_request(request);
    /// assert_eq!(ctx.headers()["accept-language"], "fr");
    /// assert!(ctx.headers().get("cookie").is_none());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.head().parts.headers
    }

    /// The request headers, mutably (e.g. for a method-override middleware).
    ///
    /// ```
    /// let mut ctx = baton::Context::default();
    /// ctx.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    /// assert_eq!(ctx.headers()["x-forwarded-proto"], "https");
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head_mut().parts.headers
    }

    /// The addresses of the connection the request arrived on, as [`serve`](crate::serve()) records
    /// them; else a [`ConnectInfo`](crate::ConnectInfo) in the request's extensions (a test playing a
    /// client); else `None` (an in-process call, another server).
    ///
    /// ```
    /// let request = http::Request::get("/").body(baton::Body::empty()).unwrap();
    /// assert_eq!(baton::Context::from_request(request).connect_info(), None);
    ///
    /// let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
    /// let info = baton::ConnectInfo {
    ///     peer: "203.0.113.7:52100".parse().unwrap(),
    ///     local: "127.0.0.1:3000".parse().unwrap(),
    /// };
    /// request.extensions_mut().insert(info);
    /// let ctx = baton::Context::from_request(request);
    /// assert_eq!(ctx.connect_info(), Some(&info));
    /// ```
    pub fn connect_info(&self) -> Option<&crate::ConnectInfo> {
        let head = self.head();
        match &head.connection {
            Some(connection) => Some(connection),
            None => head.parts.extensions.get(),
        }
    }

    /// The request's `http::Extensions` (values from tower layers; baton's own values live in the store).
    ///
    /// ```
    /// let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
    /// request.extensions_mut().insert(baton::BodyLimit::new(64)); // as a tower layer would
    /// let ctx = baton::Context::from_request(request);
    /// assert_eq!(ctx.extensions().get::<baton::BodyLimit>(), Some(&baton::BodyLimit::new(64)));
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.head().parts.extensions
    }

    /// The request's extensions, mutably.
    ///
    /// ```
    /// let mut ctx = baton::Context::default();
    /// ctx.extensions_mut().insert(baton::BodyLimit::new(1024)); // this request's body limit
    /// assert_eq!(baton::BodyLimit::of(ctx.extensions()).get(), 1024);
    /// ```
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.head_mut().parts.extensions
    }

    /// The request head: method, URI, version, headers and extensions together.
    ///
    /// ```
    /// let request = http::Request::post("/notes").body(baton::Body::empty()).unwrap();
    /// let ctx = baton::Context::from_request(request);
    /// let parts = ctx.parts();
    /// assert_eq!((parts.method.as_str(), parts.uri.path()), ("POST", "/notes"));
    /// ```
    pub fn parts(&self) -> &http::request::Parts {
        &self.head().parts
    }

    /// The request head, mutably (method override, URI rewrite before routing-independent logic).
    ///
    /// ```
    /// let request = http::Request::post("/notes/1").body(baton::Body::empty()).unwrap();
    /// let mut ctx = baton::Context::from_request(request);
    /// ctx.parts_mut().method = baton::Method::PUT;
    /// assert_eq!(ctx.method(), baton::Method::PUT);
    /// ```
    pub fn parts_mut(&mut self) -> &mut http::request::Parts {
        &mut self.head_mut().parts
    }

    /// One raw path parameter by name: a string, as matched (percent-decoded). For a typed value,
    /// use [`path`](Self::path).
    ///
    /// ```
    /// use baton::{Context, Router, get};
    ///
    /// let app = Router::new().route("/users/{name}", get(|ctx: Context| async move {
    ///     format!("hello {}", ctx.param("name").unwrap_or("stranger"))
    /// }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/users/Ada%20L").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "hello Ada L");
    /// # });
    /// ```
    pub fn param(&self, name: &str) -> Option<&str> {
        self.head().params.get(name)
    }

    /// The pattern of the route this request matched (`/users/{id}`, scope prefixes included), for
    /// logs and metrics, whose cardinality a raw path would blow up; `None` on a 404.
    ///
    /// ```
    /// use baton::{Context, Router, get};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use http_body_util::BodyExt;
    /// let app = Router::new().route("/users/{id}", get(|ctx: Context| async move {
    ///     ctx.matched_path().unwrap_or("-").to_string()
    /// }));
    /// let request = http::Request::get("/users/7").body(baton::Body::empty()).unwrap();
    /// let response = app.call_request(request).await;
    /// assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "/users/{id}");
    /// # });
    /// ```
    pub fn matched_path(&self) -> Option<&str> {
        self.head().params.pattern()
    }

    /// All raw path parameters of the matched route: see [`PathParams`].
    ///
    /// ```
    /// let ctx = baton::Context::default().with_params([("user", "ada"), ("repo", "notes")]);
    /// let names: Vec<&str> = ctx.params().iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["user", "repo"]);
    /// assert_eq!(ctx.params().get("repo"), Some("notes"));
    /// ```
    pub fn params(&self) -> &PathParams {
        &self.head().params
    }

    /// The path parameters, deserialized: a single value, a tuple in route order, or a struct by name.
    ///
    /// A malformed parameter is a [`PathRejection`], which responds `400 Bad Request` with the reason.
    ///
    /// ```
    /// let ctx = baton::Context::default().with_params([("id", "42")]);
    /// let id: u32 = ctx.path().unwrap();
    /// assert_eq!(id, 42);
    /// ```
    pub fn path<T: serde::de::DeserializeOwned>(&self) -> Result<T, PathRejection> {
        self.head().params.deserialize()
    }

    /// The URI query, deserialized as a form (serde_html_form): a key given several times fills a
    /// `Vec` field, `+` and percent escapes decode to UTF-8. No query is the empty one.
    ///
    /// A query of the wrong shape is a [`QueryRejection`], which responds `400 Bad Request` naming the
    /// field, echoing at most 64 characters of any value.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Hello { name: Option<String>, tag: Vec<String> }
    ///
    /// let request = http::Request::get("/?name=Zo%C3%AB%20Ada&tag=a&tag=b").body(baton::Body::empty()).unwrap();
    /// let hello: Hello = baton::Context::from_request(request).query().unwrap();
    /// assert_eq!(hello.name.as_deref(), Some("Zoë Ada"));
    /// assert_eq!(hello.tag, ["a", "b"]);
    /// ```
    pub fn query<T: serde::de::DeserializeOwned>(&self) -> Result<T, QueryRejection> {
        QueryRejection::parse(self.uri().query().unwrap_or(""))
    }

    /// Takes the request body, leaving an empty one.
    ///
    /// The body is [limited](Body::limited) to the [`BodyLimit`] in effect (2 MiB unless a scope or
    /// route changed it): reading past it fails with [`LimitExceeded`],
    /// which [`BodyRejection::from_read_error`] answers with a 413.
    ///
    /// For a body read chunk by chunk (a parser, an upload written to disk, a proxy); to read all of it,
    /// [`bytes`](Self::bytes), [`text`](Self::text) and [`json`](Self::json) are simpler. See the
    /// [`body` module](crate::body) for more.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::{BodyLimit, BodyRejection, Context};
    /// use http_body_util::BodyExt; // `frame()`
    ///
    /// /// Counts the lines of the body without holding it all in memory.
    /// async fn count_lines(ctx: &mut Context) -> Result<usize, BodyRejection> {
    ///     let mut body = ctx.take_body();
    ///     let mut lines = 0;
    ///     while let Some(frame) = body.frame().await {
    ///         let frame = frame.map_err(BodyRejection::from_read_error)?;
    ///         lines += frame.data_ref().map_or(0, |data| data.iter().filter(|&&byte| byte == b'\n').count());
    ///     }
    ///     Ok(lines)
    /// }
    ///
    /// let request = |body: &'static str| http::Request::post("/").body(baton::Body::from(body)).unwrap();
    /// let mut ctx = Context::from_request(request("a\nb\nc\n"));
    /// assert_eq!(count_lines(&mut ctx).await.unwrap(), 3);
    /// assert_eq!(count_lines(&mut ctx).await.unwrap(), 0); // taken: an empty body is left
    ///
    /// let mut ctx = Context::from_request(request("a\nb\nc\n"));
    /// ctx.extensions_mut().insert(BodyLimit::new(4));
    /// let rejection = count_lines(&mut ctx).await.unwrap_err();
    /// assert!(matches!(rejection, BodyRejection::TooLarge { limit: 4 }));
    /// # }
    /// ```
    pub fn take_body(&mut self) -> Body {
        let limit = BodyLimit::of(self.extensions()).get();
        let body = self.head_mut().body.get_mut().take().unwrap_or_default();
        body.limited(limit)
    }

    /// Reads the whole request body, up to the [`BodyLimit`] in effect.
    ///
    /// A body over the limit is a [`BodyRejection::TooLarge`] (`413 Payload Too Large`): at once when its
    /// `Content-Length` says so, after at most the limit's worth of bytes when it is chunked.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::{BodyLimit, BodyRejection, Context};
    ///
    /// let request = http::Request::post("/").body(baton::Body::from("hello")).unwrap();
    /// let mut ctx = Context::from_request(request);
    /// ctx.extensions_mut().insert(BodyLimit::new(4));
    /// let rejection = ctx.bytes().await.unwrap_err();
    /// assert!(matches!(rejection, BodyRejection::TooLarge { limit: 4 }));
    /// # }
    /// ```
    pub async fn bytes(&mut self) -> Result<Bytes, BodyRejection> {
        let limit = BodyLimit::of(self.extensions()).get();
        self.take_body()
            .collect_reserving(limit)
            .await
            .map_err(BodyRejection::from_read_error)
    }

    /// Reads the whole request body as UTF-8 text, up to the [`BodyLimit`] in effect.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let request = http::Request::post("/").body(baton::Body::from("héllo")).unwrap();
    /// assert_eq!(baton::Context::from_request(request).text().await.unwrap(), "héllo");
    /// # }
    /// ```
    pub async fn text(&mut self) -> Result<String, BodyRejection> {
        let bytes = self.bytes().await?;
        // `Vec::from` reuses the buffer when the body is its only owner (a collected body is).
        String::from_utf8(Vec::from(bytes)).map_err(|_| BodyRejection::NotUtf8)
    }

    /// Reads the request body as JSON, up to the [`BodyLimit`] in effect.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let request = http::Request::post("/")
    ///     .header("content-type", "application/json")
    ///     .body(baton::Body::from("[1, 2]"))
    ///     .unwrap();
    /// let numbers: Vec<u8> = baton::Context::from_request(request).json().await.unwrap();
    /// assert_eq!(numbers, [1, 2]);
    /// # }
    /// ```
    ///
    /// The request must say it is JSON (`Content-Type: application/json`, or `application/*+json`),
    /// or this is [`BodyRejection::UnsupportedMediaType`] (415). Malformed JSON is
    /// [`BodyRejection::Json`] (400); JSON of the wrong shape is [`BodyRejection::InvalidJson`] (422),
    /// naming the field that failed (`items[2].price`).
    pub async fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, BodyRejection> {
        if !is_json(self.headers()) {
            return Err(BodyRejection::UnsupportedMediaType);
        }
        let bytes = self.bytes().await?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let error = error.into_inner();
            match error.classify() {
                serde_json::error::Category::Data => BodyRejection::InvalidJson { path, error },
                _ => BodyRejection::Json(error),
            }
        })?;
        deserializer.end().map_err(BodyRejection::Json)?;
        Ok(value)
    }

    /// Gives the request back (head and body); the provided values stay reachable via [`Store`].
    ///
    /// For handing the request to a tower service or a proxy. The body is the one the request came
    /// with (unless it was taken), without the [`BodyLimit`] that the context's readers apply.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::{Context, context_key};
    ///
    /// #[context_key]
    /// struct RequestId(u64);
    ///
    /// let request = http::Request::post("/upload").body(baton::Body::from("data")).unwrap();
    /// let ctx = Context::from_request(request).provide(RequestId(7));
    /// let values = ctx.store().clone();
    ///
    /// let request = ctx.into_request();
    /// assert_eq!((request.method().as_str(), request.uri().path()), ("POST", "/upload"));
    /// assert_eq!(request.into_body().collect_bytes().await.unwrap(), "data");
    /// assert_eq!(values.find_key::<RequestId>().map(|id| id.0), Some(7));
    /// # }
    /// ```
    pub fn into_request(self) -> http::Request<Body> {
        // SAFETY: this context owns the head and is consumed here.
        let head = unsafe { self.store.take_head() };
        let body = head.body.into_inner().unwrap_or_default();
        let mut parts = head.parts;
        // The request leaves baton (a mounted service, a proxy): its connection goes with it, where
        // a tower service would look for it.
        if let Some(connection) = head.connection {
            parts.extensions.insert(*connection);
        }
        http::Request::from_parts(parts, body)
    }
}

impl<P> Context<P> {
    #[inline(always)]
    fn head(&self) -> &Head {
        // SAFETY: this context is the head's only owner and is borrowed for the result's lifetime.
        unsafe { self.store.head() }
    }

    #[inline(always)]
    fn head_mut(&mut self) -> &mut Head {
        // SAFETY: as above, mutably borrowed.
        unsafe { self.store.head_mut() }
    }
}

impl<P> fmt::Debug for Context<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("method", &self.head().parts.method)
            .field("uri", &self.head().parts.uri)
            .field("params", &self.head().params)
            .field("provided", &self.store.len())
            .finish()
    }
}

#[cold]
#[track_caller]
fn provide_on_forgotten_context<K>() -> ! {
    panic!(
        "baton: `{}` cannot be provided here: this `Context` is a plain handler's view of a route \
         whose keys it does not know. Make the handler generic with `#[handler]` (or take the \
         route's `Context<P>`) to provide keys.",
        std::any::type_name::<K>()
    )
}

/// `application/json`, or a structured `+json` type (`application/problem+json`), parameters allowed.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

/// The most of a parser's message echoed back to the client: serde's messages quote the input.
const ECHO_LIMIT: usize = 200;

fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(ECHO_LIMIT) {
        None => text.into(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()).into(),
    }
}

/// Why a request body could not be read; responds `400 Bad Request`, or `413 Payload Too Large` for a
/// body over its limit, `415` for a body that is not JSON where JSON is read, `422` for JSON of the
/// wrong shape.
///
/// ```
/// use baton::{BodyRejection, IntoResponse};
///
/// let response = BodyRejection::TooLarge { limit: 1024 }.into_response();
/// assert_eq!(response.status(), 413);
/// assert_eq!(BodyRejection::NotUtf8.status(), 400);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyRejection {
    /// The body stream failed.
    Read(BoxError),
    /// The body is not UTF-8.
    NotUtf8,
    /// The body is not valid JSON (a syntax error, or it ends early).
    Json(serde_json::Error),
    /// The body is JSON, but not of the expected shape: `path` names the field (`items[2].price`).
    InvalidJson {
        /// Where in the document the value failed (`.` for the document itself).
        path: String,
        /// What was wrong with it.
        error: serde_json::Error,
    },
    /// The body was read as JSON, but the request does not say it is (`Content-Type`).
    UnsupportedMediaType,
    /// The body is larger than the [`BodyLimit`] in effect, in bytes.
    TooLarge {
        /// The limit that was crossed.
        limit: usize,
    },
}

impl BodyRejection {
    /// Classifies an error from reading a body: going over a [limited](Body::limited) body's limit is
    /// [`TooLarge`](BodyRejection::TooLarge), anything else [`Read`](BodyRejection::Read).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use baton::BodyRejection;
    ///
    /// let error = baton::Body::from("12345").limited(3).collect_bytes().await.unwrap_err();
    /// assert!(matches!(BodyRejection::from_read_error(error), BodyRejection::TooLarge { limit: 3 }));
    /// # }
    /// ```
    pub fn from_read_error(error: BoxError) -> Self {
        match error.downcast::<LimitExceeded>() {
            Ok(exceeded) => BodyRejection::TooLarge {
                limit: exceeded.limit(),
            },
            Err(error) => BodyRejection::Read(error),
        }
    }

    /// The status this rejection answers with.
    ///
    /// A read error caused by another layer's length limit (tower-http's `RequestBodyLimitLayer`) is a
    /// 413 as well.
    ///
    /// ```
    /// assert_eq!(baton::BodyRejection::TooLarge { limit: 1 }.status(), 413);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            BodyRejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyRejection::InvalidJson { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            BodyRejection::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BodyRejection::Read(error) if error.is::<http_body_util::LengthLimitError>() => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for BodyRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyRejection::Read(error) => write!(f, "failed to read the request body: {error}"),
            BodyRejection::NotUtf8 => f.write_str("request body is not valid UTF-8"),
            BodyRejection::Json(error) => {
                write!(f, "invalid JSON body: {}", bounded(&error.to_string()))
            }
            BodyRejection::InvalidJson { path, error } => write!(
                f,
                "invalid JSON body at `{}`: {}",
                bounded(path),
                bounded(&error.to_string())
            ),
            BodyRejection::UnsupportedMediaType => {
                f.write_str("expected a JSON body: send `Content-Type: application/json`")
            }
            BodyRejection::TooLarge { limit } => {
                write!(f, "request body is larger than the limit of {limit} bytes")
            }
        }
    }
}

impl std::error::Error for BodyRejection {}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        (self.status(), self.to_string()).into_response()
    }
}

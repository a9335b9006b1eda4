//! The router driven in process: middleware order, short-circuits, providers, scopes, 404/405/HEAD,
//! fallbacks, typed path parameters, tower layers on one scope, replace/default keys and JSON bodies.
//!
//! Middleware are hand-written `Middleware`/`Provider` impls: these tests cover the core without macros.

use baton::{
    Body, Context, Endpoint, Has, IntoResponse, Json, KeyList, Lacks, Middleware, Next, Provider,
    ProviderMiddleware, Response, Router, StatusCode, context_key, get, post,
};
use http::{HeaderValue, Method, Request};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------------
// helpers

fn request(method: Method, uri: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap()
}

async fn text(response: Response) -> String {
    let bytes = response.into_body().collect_bytes().await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

/// A shared, ordered record of what ran.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// An around middleware that provides nothing: records entry and exit and tags the response.
struct Mark {
    name: &'static str,
    log: Log,
}

impl Mark {
    fn new(name: &'static str, log: &Log) -> Self {
        Mark {
            name,
            log: log.clone(),
        }
    }
}

impl<P: KeyList> Middleware<P> for Mark {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        self.log.push(format!("enter {}", self.name));
        let mut response = next.run(ctx).await;
        self.log.push(format!("leave {}", self.name));
        response
            .headers_mut()
            .append("x-trace", HeaderValue::from_static(self.name));
        response
    }
}

// ---------------------------------------------------------------------------------------------------
// order: global -> outer scope -> inner scope -> handler, and back

#[context_key]
struct Outer(String);

#[context_key]
struct Inner(String);

/// Provides `Outer`, recording entry and exit.
struct ProvideOuter(Log);

impl<P: KeyList + Lacks<Outer>> Middleware<P> for ProvideOuter {
    type Out = (Outer, P);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        self.0.push("enter outer");
        let response = next.run(ctx.provide(Outer("outer".into()))).await;
        self.0.push("leave outer");
        response
    }
}

/// Requires `Outer` (so it must be mounted below `ProvideOuter`) and provides `Inner` built from it.
struct ProvideInner(Log);

impl<P: Has<Outer> + Lacks<Inner>> Middleware<P> for ProvideInner {
    type Out = (Inner, P);

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        self.0.push("enter inner");
        let inner = Inner(format!("{} > inner", ctx.get::<Outer>().0));
        let response = next.run(ctx.provide(inner)).await;
        self.0.push("leave inner");
        response
    }
}

#[tokio::test]
async fn middleware_run_global_then_outer_then_inner_then_handler_and_unwind_in_reverse() {
    let log = Log::default();
    let handler_log = log.clone();
    let app = Router::new()
        .with(Mark::new("global-1", &log))
        .with(Mark::new("global-2", &log))
        .scope("/outer", |outer| {
            outer
                .with(ProvideOuter(log.clone()))
                .scope("/inner", |inner| {
                    inner.with(ProvideInner(log.clone())).route(
                        "/leaf",
                        get(move |ctx: Context<(Inner, (Outer, ()))>| {
                            let log = handler_log.clone();
                            async move {
                                log.push("handler");
                                ctx.get::<Inner>().0.clone()
                            }
                        }),
                    )
                })
        });

    let response = app
        .call_request(request(Method::GET, "/outer/inner/leaf"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let trace: Vec<&str> = response
        .headers()
        .get_all("x-trace")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    // Responses unwind innermost first, so the inner global tags the response before the outer one.
    assert_eq!(trace, ["global-2", "global-1"]);
    assert_eq!(text(response).await, "outer > inner");
    assert_eq!(
        log.take(),
        [
            "enter global-1",
            "enter global-2",
            "enter outer",
            "enter inner",
            "handler",
            "leave inner",
            "leave outer",
            "leave global-2",
            "leave global-1",
        ]
    );

    // The same router, a request that ends in the 404 fallback: only the global middleware run.
    let response = app.call_request(request(Method::GET, "/outer/nope")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        log.take(),
        [
            "enter global-1",
            "enter global-2",
            "leave global-2",
            "leave global-1"
        ]
    );
}

// ---------------------------------------------------------------------------------------------------
// short-circuit and provider early return

/// Answers 401 without calling `next` unless the request carries `authorization`.
struct RequireAuthorization;

impl<P: KeyList> Middleware<P> for RequireAuthorization {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        if ctx.headers().contains_key(http::header::AUTHORIZATION) {
            next.run(ctx).await
        } else {
            drop(next);
            (StatusCode::UNAUTHORIZED, "sign in first").into_response()
        }
    }
}

/// A middleware that only counts how often it ran.
struct Count(Arc<AtomicUsize>);

impl<P: KeyList> Middleware<P> for Count {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(ctx).await
    }
}

#[tokio::test]
async fn an_around_middleware_that_does_not_call_next_short_circuits_the_route() {
    let downstream = Arc::new(AtomicUsize::new(0));
    let handled = Arc::new(AtomicUsize::new(0));
    let handled_in_handler = handled.clone();
    let app = Router::new()
        .with(RequireAuthorization)
        .with(Count(downstream.clone()))
        .route(
            "/secret",
            get(move |_: Context| {
                let handled = handled_in_handler.clone();
                async move {
                    handled.fetch_add(1, Ordering::SeqCst);
                    "the secret"
                }
            }),
        );

    let response = app.call_request(request(Method::GET, "/secret")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(text(response).await, "sign in first");
    assert_eq!(downstream.load(Ordering::SeqCst), 0);
    assert_eq!(handled.load(Ordering::SeqCst), 0);

    let authorized = Request::get("/secret")
        .header("authorization", "Bearer t")
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(authorized).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "the secret");
    assert_eq!(downstream.load(Ordering::SeqCst), 1);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[context_key]
struct User(String);

#[context_key(value = u32)]
struct UserLevel;

/// Provider form: reads `x-user`, provides `User` and `UserLevel`, or answers 403.
struct Authenticate;

impl<P: KeyList + Lacks<User> + Lacks<UserLevel>> Provider<P> for Authenticate
where
    (User, P): Lacks<UserLevel>,
{
    type Provides = (User, UserLevel);

    async fn provide(&self, ctx: &Context<P>) -> Result<(User, u32), Response> {
        match ctx.headers().get("x-user") {
            Some(name) => Ok((User(name.to_str().unwrap().to_string()), 3)),
            None => Err((StatusCode::FORBIDDEN, "who are you?").into_response()),
        }
    }
}

#[tokio::test]
async fn a_provider_returning_err_answers_with_that_response_and_nothing_downstream_runs() {
    let downstream = Arc::new(AtomicUsize::new(0));
    let handled = Arc::new(AtomicUsize::new(0));
    let handled_in_handler = handled.clone();
    let app = Router::new()
        .with(ProviderMiddleware(Authenticate))
        .with(Count(downstream.clone()))
        .route(
            "/me",
            get(move |ctx: Context<(UserLevel, (User, ()))>| {
                let handled = handled_in_handler.clone();
                async move {
                    handled.fetch_add(1, Ordering::SeqCst);
                    format!("{} level {}", ctx.get::<User>().0, ctx.get::<UserLevel>())
                }
            }),
        );

    let response = app.call_request(request(Method::GET, "/me")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(text(response).await, "who are you?");
    assert_eq!(downstream.load(Ordering::SeqCst), 0);
    assert_eq!(handled.load(Ordering::SeqCst), 0);

    let signed_in = Request::get("/me")
        .header("x-user", "ada")
        .body(Body::empty())
        .unwrap();
    let response = app.call_request(signed_in).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ada level 3");
    assert_eq!(downstream.load(Ordering::SeqCst), 1);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------------------
// sibling scopes

// Two marker keys with the same value type: a run-time lookup must tell them apart by key, not by type.
#[context_key(value = String)]
struct AdminName;

#[context_key(value = String)]
struct ShopName;

struct ProvideAdmin;

impl<P: KeyList + Lacks<AdminName>> Provider<P> for ProvideAdmin {
    type Provides = AdminName;

    async fn provide(&self, _ctx: &Context<P>) -> Result<String, Response> {
        Ok("root".to_string())
    }
}

struct ProvideShop;

impl<P: KeyList + Lacks<ShopName>> Provider<P> for ProvideShop {
    type Provides = ShopName;

    async fn provide(&self, _ctx: &Context<P>) -> Result<String, Response> {
        Ok("corner shop".to_string())
    }
}

/// Reports what a route can see at run time, whatever its type says.
fn visibility<P: KeyList>(ctx: &Context<P>) -> String {
    format!(
        "admin={:?} shop={:?} has_admin={} has_shop={}",
        ctx.try_get::<AdminName>(),
        ctx.try_get::<ShopName>(),
        ctx.has::<AdminName>(),
        ctx.has::<ShopName>(),
    )
}

#[tokio::test]
async fn sibling_scopes_do_not_see_each_others_keys_at_run_time() {
    let app = Router::new()
        .scope("/admin", |admin| {
            admin.with(ProviderMiddleware(ProvideAdmin)).route(
                "/",
                get(|ctx: Context<(AdminName, ())>| async move {
                    format!("{} | {}", ctx.get::<AdminName>(), visibility(&ctx))
                }),
            )
        })
        .scope("/shop", |shop| {
            shop.with(ProviderMiddleware(ProvideShop)).route(
                "/",
                get(|ctx: Context<(ShopName, ())>| async move {
                    format!("{} | {}", ctx.get::<ShopName>(), visibility(&ctx))
                }),
            )
        })
        .route("/", get(|ctx: Context| async move { visibility(&ctx) }));

    let admin = text(app.call_request(request(Method::GET, "/admin")).await).await;
    assert_eq!(
        admin,
        r#"root | admin=Some("root") shop=None has_admin=true has_shop=false"#
    );
    let shop = text(app.call_request(request(Method::GET, "/shop")).await).await;
    assert_eq!(
        shop,
        r#"corner shop | admin=None shop=Some("corner shop") has_admin=false has_shop=true"#
    );
    let root = text(app.call_request(request(Method::GET, "/")).await).await;
    assert_eq!(root, "admin=None shop=None has_admin=false has_shop=false");
}

// ---------------------------------------------------------------------------------------------------
// 404, 405, fallback, HEAD

fn allowed(response: &Response) -> Vec<String> {
    let mut methods: Vec<String> = header(response, "allow")
        .expect("a 405 carries Allow")
        .split(',')
        .map(|method| method.trim().to_string())
        .collect();
    methods.sort();
    methods
}

#[tokio::test]
async fn unmatched_paths_answer_404_after_the_global_middleware() {
    let log = Log::default();
    let app = Router::new()
        .with(Mark::new("global", &log))
        .route("/exists", get(|_: Context| async { "here" }));

    let response = app.call_request(request(Method::GET, "/missing")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, "x-trace"), Some("global"));
    assert_eq!(log.take(), ["enter global", "leave global"]);
}

#[tokio::test]
async fn a_known_path_with_an_unrouted_method_answers_405_with_allow() {
    let log = Log::default();
    let app = Router::new()
        .with(Mark::new("global", &log))
        .route(
            "/items",
            get(|_: Context| async { "list" }).post(|_: Context| async { "create" }),
        )
        .route("/items/{id}", get(|_: Context| async { "one" }));

    let response = app.call_request(request(Method::DELETE, "/items")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allowed(&response), ["GET", "HEAD", "POST"]);
    // Global middleware run for 405s too.
    assert_eq!(header(&response, "x-trace"), Some("global"));
    assert_eq!(log.take(), ["enter global", "leave global"]);

    let response = app.call_request(request(Method::PUT, "/items/3")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allowed(&response), ["GET", "HEAD"]);

    // The routed methods still work.
    let response = app.call_request(request(Method::POST, "/items")).await;
    assert_eq!(text(response).await, "create");
}

#[tokio::test]
async fn a_method_added_to_a_path_from_a_second_route_call_is_in_allow() {
    let app = Router::new()
        .route("/things", get(|_: Context| async { "list" }))
        .route("/things", post(|_: Context| async { "create" }));

    let response = app.call_request(request(Method::PATCH, "/things")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allowed(&response), ["GET", "HEAD", "POST"]);
    let response = app.call_request(request(Method::POST, "/things")).await;
    assert_eq!(text(response).await, "create");
}

#[tokio::test]
async fn a_custom_fallback_answers_unmatched_paths_after_the_global_middleware() {
    let log = Log::default();
    let app = Router::new()
        .with(Mark::new("global", &log))
        .scope("/admin", |admin| {
            admin
                .with(Mark::new("admin", &log))
                .route("/", get(|_: Context| async { "dashboard" }))
                .fallback(|ctx: Context| async move {
                    (
                        StatusCode::NOT_FOUND,
                        format!("no admin page at {}", ctx.uri().path()),
                    )
                })
        })
        .route("/", get(|_: Context| async { "home" }))
        .fallback(|ctx: Context| async move {
            (
                StatusCode::NOT_FOUND,
                format!("nothing at {}", ctx.uri().path()),
            )
        });

    let response = app.call_request(request(Method::GET, "/nope")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, "x-trace"), Some("global"));
    assert_eq!(text(response).await, "nothing at /nope");
    assert_eq!(log.take(), ["enter global", "leave global"]);

    // A scope's fallback answers under its prefix, after the scope's middleware.
    let response = app
        .call_request(request(Method::GET, "/admin/users/9"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(text(response).await, "no admin page at /admin/users/9");
    assert_eq!(
        log.take(),
        ["enter global", "enter admin", "leave admin", "leave global"]
    );

    let response = app.call_request(request(Method::GET, "/admin")).await;
    assert_eq!(text(response).await, "dashboard");
}

#[tokio::test]
async fn head_is_answered_by_get_with_the_same_headers_and_no_body() {
    let gets = Arc::new(AtomicUsize::new(0));
    let counted = gets.clone();
    let app = Router::new().route(
        "/page",
        get(move |_: Context| {
            let gets = counted.clone();
            async move {
                gets.fetch_add(1, Ordering::SeqCst);
                ([("x-page", "front")], "<h1>front page</h1>")
            }
        }),
    );

    let got = app.call_request(request(Method::GET, "/page")).await;
    let head = app.call_request(request(Method::HEAD, "/page")).await;
    assert_eq!(gets.load(Ordering::SeqCst), 2, "HEAD ran the GET handler");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(&head, "x-page"), Some("front"));
    assert_eq!(
        header(&head, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    // The length GET would send, although HEAD sends no body.
    assert_eq!(header(&head, "content-length"), Some("19"));
    let mut head_headers = head.headers().clone();
    head_headers.remove("content-length");
    assert_eq!(&head_headers, got.headers());
    assert_eq!(text(got).await, "<h1>front page</h1>");
    assert_eq!(text(head).await, "");
}

#[tokio::test]
async fn an_explicit_head_handler_wins_over_get() {
    let app = Router::new().route(
        "/",
        get(|_: Context| async { "body" }).head(|_: Context| async { [("x-head", "own")] }),
    );
    let response = app.call_request(request(Method::HEAD, "/")).await;
    assert_eq!(header(&response, "x-head"), Some("own"));
}

// ---------------------------------------------------------------------------------------------------
// typed path parameters

#[derive(serde::Deserialize)]
struct RepoPath {
    owner: String,
    repo: String,
    number: u64,
}

fn path_app() -> Router<baton::Start, baton::Routed> {
    Router::new()
        .route(
            "/users/{id}",
            get(|ctx: Context| async move {
                let id: u32 = ctx.path()?;
                Ok::<_, baton::PathRejection>(format!("user {id}"))
            }),
        )
        .route(
            "/posts/{post}/comments/{comment}",
            get(|ctx: Context| async move {
                let (post, comment): (u32, String) = ctx.path()?;
                Ok::<_, baton::PathRejection>(format!("post {post} comment {comment}"))
            }),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}",
            get(|ctx: Context| async move {
                let path: RepoPath = ctx.path()?;
                Ok::<_, baton::PathRejection>(format!(
                    "{}/{}#{}",
                    path.owner, path.repo, path.number
                ))
            }),
        )
        .route(
            "/files/{*rest}",
            get(|ctx: Context| async move { format!("raw {:?}", ctx.param("rest")) }),
        )
}

#[tokio::test]
async fn typed_path_parameters_deserialize_as_a_value_a_tuple_or_a_struct() {
    let app = path_app();
    let cases = [
        ("/users/7", "user 7"),
        ("/posts/12/comments/first", "post 12 comment first"),
        ("/repos/rust-lang/rust/issues/42", "rust-lang/rust#42"),
        ("/files/a/b/c.txt", r#"raw Some("a/b/c.txt")"#),
        // Parameters are percent-decoded, as in axum.
        (
            "/posts/3/comments/hello%20world",
            "post 3 comment hello world",
        ),
        ("/repos/o%C3%A9/r/issues/1", "oé/r#1"),
        ("/files/my%20doc.txt", r#"raw Some("my doc.txt")"#),
    ];
    for (uri, expected) in cases {
        let response = app.call_request(request(Method::GET, uri)).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(text(response).await, expected, "{uri}");
    }
}

#[tokio::test]
async fn a_malformed_path_parameter_is_a_400_naming_the_parameter() {
    let app = path_app();
    let cases = [
        ("/users/seven", "id", "seven"),
        ("/users/-1", "id", "-1"),
        ("/posts/x/comments/first", "post", "x"),
        ("/repos/rust-lang/rust/issues/abc", "number", "abc"),
    ];
    for (uri, param, value) in cases {
        let response = app.call_request(request(Method::GET, uri)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        let body = text(response).await;
        assert!(body.contains(&format!("`{param}`")), "{uri}: {body}");
        assert!(body.contains(value), "{uri}: {body}");
    }
}

// ---------------------------------------------------------------------------------------------------
// a tower layer on one scope

#[tokio::test]
async fn a_tower_layer_on_a_scope_wraps_only_that_scopes_routes() {
    use tower_http::set_header::SetResponseHeaderLayer;

    let app = Router::new()
        .scope("/api", |api| {
            api.route("/a", get(|_: Context| async { "a" }))
                .layer(SetResponseHeaderLayer::overriding(
                    http::header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                // Routes declared after `layer` are wrapped too.
                .route("/b", get(|_: Context| async { "b" }))
        })
        .route("/public", get(|_: Context| async { "public" }));

    for uri in ["/api/a", "/api/b"] {
        let response = app.call_request(request(Method::GET, uri)).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            header(&response, "cache-control"),
            Some("no-store"),
            "{uri}"
        );
    }
    for uri in ["/public", "/elsewhere"] {
        let response = app.call_request(request(Method::GET, uri)).await;
        assert_eq!(header(&response, "cache-control"), None, "{uri}");
    }
    // Path parameters still reach a handler behind a layer.
    let app = Router::new().scope("/v1", |v1| {
        v1.layer(SetResponseHeaderLayer::overriding(
            http::header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=60"),
        ))
        .route(
            "/users/{id}",
            get(|ctx: Context| async move {
                let id: u32 = ctx.path()?;
                Ok::<_, baton::PathRejection>(format!("user {id}"))
            }),
        )
    });
    let response = app.call_request(request(Method::GET, "/v1/users/5")).await;
    assert_eq!(header(&response, "cache-control"), Some("max-age=60"));
    assert_eq!(text(response).await, "user 5");
}

#[tokio::test]
async fn a_tower_layer_on_the_router_wraps_routes_and_the_404() {
    use tower_http::set_header::SetResponseHeaderLayer;

    let app = Router::new()
        .route("/", get(|_: Context| async { "home" }))
        .layer(SetResponseHeaderLayer::if_not_present(
            http::header::SERVER,
            HeaderValue::from_static("baton-test"),
        ));
    for (uri, status) in [("/", StatusCode::OK), ("/missing", StatusCode::NOT_FOUND)] {
        let response = app.call_request(request(Method::GET, uri)).await;
        assert_eq!(response.status(), status, "{uri}");
        assert_eq!(header(&response, "server"), Some("baton-test"), "{uri}");
    }
}

// ---------------------------------------------------------------------------------------------------
// replace, defaults, JSON bodies, tower::Service

#[context_key]
struct Locale(&'static str);

#[context_key(default = Theme("light"))]
struct Theme(&'static str);

struct ProvideLocale;

impl<P: KeyList + Lacks<Locale>> Provider<P> for ProvideLocale {
    type Provides = Locale;

    async fn provide(&self, _ctx: &Context<P>) -> Result<Locale, Response> {
        Ok(Locale("en"))
    }
}

/// Replaces `Locale` with the value of `?lang=`, if any.
struct LocaleFromQuery;

impl<P: baton::Position<Locale>> Middleware<P> for LocaleFromQuery {
    type Out = P;

    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        let ctx = match ctx.uri().query() {
            Some("lang=fr") => ctx.replace::<Locale>(Locale("fr")),
            _ => ctx,
        };
        next.run(ctx).await
    }
}

#[tokio::test]
async fn a_replaced_value_is_what_downstream_reads() {
    let app = Router::new()
        .with(ProviderMiddleware(ProvideLocale))
        .with(LocaleFromQuery)
        .route(
            "/",
            get(|ctx: Context<(Locale, ())>| async move { ctx.get::<Locale>().0 }),
        );
    let response = app.call_request(request(Method::GET, "/?lang=fr")).await;
    assert_eq!(text(response).await, "fr");
    let response = app.call_request(request(Method::GET, "/")).await;
    assert_eq!(text(response).await, "en");
}

struct DarkTheme;

impl<P: KeyList + Lacks<Theme>> Provider<P> for DarkTheme {
    type Provides = Theme;

    async fn provide(&self, _ctx: &Context<P>) -> Result<Theme, Response> {
        Ok(Theme("dark"))
    }
}

#[tokio::test]
async fn a_key_with_a_default_is_readable_without_a_provider_and_a_provider_overrides_it() {
    let app = Router::new()
        .scope("/dark", |dark| {
            dark.with(ProviderMiddleware(DarkTheme)).route(
                "/",
                get(|ctx: Context<(Theme, ())>| async move { ctx.get::<Theme>().0 }),
            )
        })
        .route(
            "/",
            get(|ctx: Context| async move {
                // Readable through the default, yet not provided.
                assert!(!ctx.has::<Theme>());
                ctx.get::<Theme>().0
            }),
        );
    let response = app.call_request(request(Method::GET, "/")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "light");
    let response = app.call_request(request(Method::GET, "/dark")).await;
    assert_eq!(text(response).await, "dark");
}

#[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
struct NewUser {
    name: String,
    age: u8,
}

#[tokio::test]
async fn a_json_body_is_read_with_ctx_json_and_answered_with_json() {
    let app = Router::new().route(
        "/users",
        post(|mut ctx: Context| async move {
            let user: NewUser = ctx.json().await?;
            Ok::<_, baton::BodyRejection>((
                StatusCode::CREATED,
                Json(serde_json::json!({ "created": user.name, "next_age": user.age + 1 })),
            ))
        }),
    );

    let create = Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"ada","age":36}"#))
        .unwrap();
    let response = app.call_request(create).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "created": "ada", "next_age": 37 })
    );

    let broken = Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"ada"}"#))
        .unwrap();
    let response = app.call_request(broken).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(response).await.contains("age"));

    let untyped = Request::post("/users")
        .body(Body::from(r#"{"name":"ada","age":36}"#))
        .unwrap();
    let response = app.call_request(untyped).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn the_router_is_a_tower_service_for_any_bytes_body() {
    use http_body_util::Full;
    use tower::ServiceExt;

    let app = Router::new().route(
        "/echo",
        post(|mut ctx: Context| async move { ctx.text().await }),
    );
    let request = Request::post("/echo")
        .body(Full::new(bytes::Bytes::from_static(b"ping")))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ping");
}

//! The in-process workload, three ways: one `GET /users/42` through baton (5 providing middleware + a
//! handler reading all 5), the same app in axum 0.8 (`from_fn` + `Extension`) and a hand-written hyper
//! `service_fn` doing the same work.
//!
//! Shared by the criterion bench (`context.rs`, group `request`) and the callgrind driver
//! (`examples/instructions.rs`, run by `instructions.sh`), which include it as a module:
//! `#[path = "..."] mod workload;`. It is not part of the package's library because axum and the other
//! dev-dependencies are not available there.
//!
//! Each caller drives a stack the same way: build [`request()`], call baton's and axum's routers
//! through `tower::ServiceExt::oneshot` on a clone (what `hyper_util`'s `TowerToHyperService` does per
//! request) and hyper's service through `Service::call`, then collect the response body to `Bytes`.

use baton::{Context, Has, Lacks, Provider, ProviderMiddleware, Response, context_key};
use bytes::Bytes;
use http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, StatusCode};
use http_body_util::{Empty, Full};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[context_key]
#[derive(Clone, Copy, Debug)]
pub struct RequestId(u64);

#[context_key]
#[derive(Clone, Debug)]
pub struct User {
    id: u64,
    name: String,
}

#[context_key]
#[derive(Clone, Copy, Debug)]
pub struct TenantId(u32);

#[context_key]
#[derive(Clone, Copy, Debug)]
pub struct Locale(&'static str);

/// A stand-in for a connection pool handle: shared, cloned per request as an `Arc`.
#[derive(Debug)]
pub struct DbPool {
    name: String,
    size: u32,
}

#[context_key(value = Arc<DbPool>)]
pub struct Db;

// The per-request work, shared by the three stacks so each does exactly the same.

static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

pub fn next_request_id() -> RequestId {
    RequestId(NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed))
}

pub fn current_user() -> User {
    User {
        id: 7,
        name: String::from("alice"),
    }
}

pub fn tenant_of(headers: &http::HeaderMap) -> TenantId {
    TenantId(
        headers
            .get("x-tenant-id")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .unwrap_or(0),
    )
}

pub fn locale_of(headers: &http::HeaderMap) -> Locale {
    let preferred = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    Locale(if preferred.starts_with("fr") {
        "fr"
    } else {
        "en"
    })
}

pub fn render(
    id: u64,
    request: RequestId,
    user: &User,
    tenant: TenantId,
    db: &DbPool,
    locale: Locale,
) -> String {
    format!(
        "user {id} seen by {} (#{}) in tenant {} via {}/{} [{}] request {}",
        user.name, user.id, tenant.0, db.name, db.size, locale.0, request.0
    )
}

/// What every stack answers to [`request()`], up to the request id: the body is this, then
/// ` request <n>` where `n` counts the requests of the process from 1.
pub const EXPECTED: &str = "user 42 seen by alice (#7) in tenant 3 via primary/16 [fr]";

pub fn pool() -> Arc<DbPool> {
    Arc::new(DbPool {
        name: String::from("primary"),
        size: 16,
    })
}

pub fn request() -> Request<Empty<Bytes>> {
    Request::builder()
        .method(Method::GET)
        .uri("/users/42")
        .header("x-tenant-id", "3")
        .header(ACCEPT_LANGUAGE, "fr-CH, fr;q=0.9")
        .body(Empty::new())
        .expect("valid request")
}

/// The current-thread runtime every caller drives the stacks on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// --- baton: five providers and a handler reading all five --------------------------------------------

struct AssignRequestId;
impl<P: Lacks<RequestId>> Provider<P> for AssignRequestId {
    type Provides = RequestId;
    async fn provide(&self, _ctx: &Context<P>) -> Result<RequestId, Response> {
        Ok(next_request_id())
    }
}

struct Authenticate;
impl<P: Lacks<User>> Provider<P> for Authenticate {
    type Provides = User;
    async fn provide(&self, _ctx: &Context<P>) -> Result<User, Response> {
        Ok(current_user())
    }
}

struct ResolveTenant;
impl<P: Lacks<TenantId>> Provider<P> for ResolveTenant {
    type Provides = TenantId;
    async fn provide(&self, ctx: &Context<P>) -> Result<TenantId, Response> {
        Ok(tenant_of(ctx.headers()))
    }
}

struct Database(Arc<DbPool>);
impl<P: Lacks<Db>> Provider<P> for Database {
    type Provides = Db;
    async fn provide(&self, _ctx: &Context<P>) -> Result<Arc<DbPool>, Response> {
        Ok(self.0.clone())
    }
}

struct Negotiate;
impl<P: Lacks<Locale>> Provider<P> for Negotiate {
    type Provides = Locale;
    async fn provide(&self, ctx: &Context<P>) -> Result<Locale, Response> {
        Ok(locale_of(ctx.headers()))
    }
}

async fn baton_show<H, T>(ctx: Context<(H, T)>) -> Result<String, baton::PathRejection>
where
    (H, T): Has<RequestId> + Has<User> + Has<TenantId> + Has<Db> + Has<Locale>,
{
    let id: u64 = ctx.path()?;
    Ok(render(
        id,
        *ctx.get::<RequestId>(),
        ctx.get::<User>(),
        *ctx.get::<TenantId>(),
        ctx.get::<Db>(),
        *ctx.get::<Locale>(),
    ))
}

pub fn baton_app(pool: Arc<DbPool>) -> baton::Router<impl baton::Chain, baton::Routed> {
    baton::Router::new()
        .with(ProviderMiddleware(AssignRequestId))
        .with(ProviderMiddleware(Authenticate))
        .with(ProviderMiddleware(ResolveTenant))
        .with(ProviderMiddleware(Database(pool)))
        .with(ProviderMiddleware(Negotiate))
        .route("/users/{id}", baton::get(baton_show))
}

// --- axum: `from_fn` middleware inserting `Extension`s, `Extension` extractors ----------------------------

pub mod axum_app {
    use super::*;
    use axum::extract::{Path, Request, State};
    use axum::middleware::{Next, from_fn, from_fn_with_state};
    use axum::{Extension, Router};

    async fn assign_request_id(mut request: Request, next: Next) -> axum::response::Response {
        request.extensions_mut().insert(next_request_id());
        next.run(request).await
    }

    async fn authenticate(mut request: Request, next: Next) -> axum::response::Response {
        request.extensions_mut().insert(current_user());
        next.run(request).await
    }

    async fn resolve_tenant(mut request: Request, next: Next) -> axum::response::Response {
        let tenant = tenant_of(request.headers());
        request.extensions_mut().insert(tenant);
        next.run(request).await
    }

    async fn database(
        State(pool): State<Arc<DbPool>>,
        mut request: Request,
        next: Next,
    ) -> axum::response::Response {
        request.extensions_mut().insert(pool);
        next.run(request).await
    }

    async fn negotiate(mut request: Request, next: Next) -> axum::response::Response {
        let locale = locale_of(request.headers());
        request.extensions_mut().insert(locale);
        next.run(request).await
    }

    async fn show(
        Path(id): Path<u64>,
        Extension(request): Extension<RequestId>,
        Extension(user): Extension<User>,
        Extension(tenant): Extension<TenantId>,
        Extension(db): Extension<Arc<DbPool>>,
        Extension(locale): Extension<Locale>,
    ) -> String {
        render(id, request, &user, tenant, &db, locale)
    }

    /// The layers are listed innermost first: requests run them bottom to top, in the same order as
    /// baton's `with` calls.
    pub fn app(pool: Arc<DbPool>) -> Router {
        Router::new()
            .route("/users/{id}", axum::routing::get(show))
            .layer(from_fn(negotiate))
            .layer(from_fn_with_state(pool, database))
            .layer(from_fn(resolve_tenant))
            .layer(from_fn(authenticate))
            .layer(from_fn(assign_request_id))
    }
}

// --- hyper: a hand-written `service_fn` doing the same work ------------------------------------------------

fn text(status: StatusCode, body: String) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn hyper_handle<B>(request: Request<B>, pool: &Arc<DbPool>) -> http::Response<Full<Bytes>> {
    let request_id = next_request_id();
    let user = current_user();
    let tenant = tenant_of(request.headers());
    let db = pool.clone();
    let locale = locale_of(request.headers());
    let id = match request.uri().path().strip_prefix("/users/") {
        Some(id) if !id.contains('/') => id,
        _ => return text(StatusCode::NOT_FOUND, String::new()),
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, String::new());
    }
    match id.parse::<u64>() {
        Ok(id) => text(
            StatusCode::OK,
            render(id, request_id, &user, tenant, &db, locale),
        ),
        Err(error) => text(
            StatusCode::BAD_REQUEST,
            format!("invalid path parameter: {error}"),
        ),
    }
}

pub fn hyper_app(
    pool: Arc<DbPool>,
) -> impl hyper::service::Service<
    Request<Empty<Bytes>>,
    Response = http::Response<Full<Bytes>>,
    Error = Infallible,
> {
    hyper::service::service_fn(move |request: Request<Empty<Bytes>>| {
        let response = hyper_handle(request, &pool);
        async move { Ok::<_, Infallible>(response) }
    })
}

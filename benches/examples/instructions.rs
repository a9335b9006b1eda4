//! Instructions per in-process request, for callgrind: `valgrind --tool=callgrind` this with two
//! request counts; the difference divided by the count difference is the cost of one request.
//!
//!     cargo build --release -p baton-benches --example instructions
//!     instructions <stack> <count>
//!     bash benches/instructions.sh    # all stacks, with the ratios
//!
//! `<stack>` is one of:
//!
//! * `baton`, `axum`, `hyper`: the workload of the criterion group `request` (`benches/context.rs`),
//!   from the same module (`benches/workload.rs`) and driven the same way: build the request, call the
//!   app (baton and axum: `oneshot` on a clone of the router; hyper: `Service::call`), collect the
//!   body. Each response must be a 200 with the expected body, so no stack can do less work.
//! * `baton-in-place`: the same baton app called the way `baton::serve` calls it: the connection's
//!   router is always ready, so it is called in place (`Service::call` on it), with no `oneshot` on a
//!   clone per request (which is what `hyper_util`'s `TowerToHyperService` does, and what `baton`
//!   measures). axum's own server does clone per request, so `axum` keeps `oneshot`.
//! * `baton-providers`: the older baton-only workload (5 `ProviderMiddleware`s giving constants, a
//!   handler formatting them, `App::call_request`), kept so the figures recorded before the shared
//!   workload stay reproducible.
//!
//! All run `<count>` requests one after the other inside one `block_on` of a current-thread runtime.

use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt;
use hyper::service::Service;
use std::future::Future;
use tower::ServiceExt;

#[path = "../workload.rs"]
mod workload;

use workload::{EXPECTED, axum_app, baton_app, hyper_app, pool, request, runtime};

const USAGE: &str = "usage: instructions <baton|baton-in-place|axum|hyper|baton-providers> <count>";

fn main() {
    let mut args = std::env::args().skip(1);
    let stack = args.next().expect(USAGE);
    let count: u64 = args.next().and_then(|n| n.parse().ok()).expect(USAGE);
    match stack.as_str() {
        "baton" => {
            let app = baton_app(pool());
            let app = &app;
            drive(count, move || async move {
                let response = app
                    .clone()
                    .oneshot(request())
                    .await
                    .unwrap_or_else(|never| match never {});
                let status = response.status();
                let body = response.into_body().collect().await.expect("baton body");
                (status, body.to_bytes())
            });
        }
        "baton-in-place" => {
            // What `baton::serve` does per request: the connection's router is ready (always), so it
            // is called in place, without `oneshot` on a clone (which is what hyper_util's
            // `TowerToHyperService` does, and what the `baton` stack measures).
            let mut app = baton_app(pool());
            drive(count, move || {
                let future = tower::Service::call(&mut app, request());
                async move {
                    let response = future.await.unwrap_or_else(|never| match never {});
                    let status = response.status();
                    let body = response.into_body().collect().await.expect("baton body");
                    (status, body.to_bytes())
                }
            });
        }
        "axum" => {
            let app = axum_app::app(pool());
            let app = &app;
            drive(count, move || async move {
                let response = app
                    .clone()
                    .oneshot(request())
                    .await
                    .unwrap_or_else(|never| match never {});
                let status = response.status();
                let body = response.into_body().collect().await.expect("axum body");
                (status, body.to_bytes())
            });
        }
        "hyper" => {
            let service = hyper_app(pool());
            let service = &service;
            drive(count, move || async move {
                let response = service
                    .call(request())
                    .await
                    .unwrap_or_else(|never| match never {});
                let status = response.status();
                let body = response.into_body().collect().await;
                (
                    status,
                    body.unwrap_or_else(|never| match never {}).to_bytes(),
                )
            });
        }
        "baton-providers" => providers::run(count),
        _ => panic!("unknown stack {stack:?}; {USAGE}"),
    }
}

/// Runs `count` requests through `one`, checking each answer: a 200 whose body is [`EXPECTED`]
/// followed by ` request <n>`, `n` counting the requests from 1.
fn drive<F: Future<Output = (StatusCode, Bytes)>>(count: u64, mut one: impl FnMut() -> F) {
    runtime().block_on(async {
        for n in 1..=count {
            let (status, body) = one().await;
            assert_eq!(status, StatusCode::OK);
            let id = body
                .strip_prefix(EXPECTED.as_bytes())
                .and_then(|rest| rest.strip_prefix(b" request "))
                .and_then(|id| std::str::from_utf8(id).ok())
                .and_then(|id| id.parse::<u64>().ok());
            assert_eq!(id, Some(n), "unexpected body {body:?}");
        }
    });
}

/// The baton-only workload this example counted before the shared one (unchanged).
mod providers {
    use baton::{Context, Has, Lacks, Provider, ProviderMiddleware, Response, context_key};
    use std::sync::Arc;

    #[context_key]
    #[derive(Clone, Copy)]
    struct RequestId(u64);
    #[context_key]
    struct User(String);
    #[context_key]
    #[derive(Clone, Copy)]
    struct TenantId(u32);
    #[context_key(value = Arc<String>)]
    struct Db;
    #[context_key]
    #[derive(Clone, Copy)]
    struct Locale(u8);

    macro_rules! provider {
        ($name:ident, $key:ty, $value:expr) => {
            struct $name;
            impl<P: Lacks<$key>> Provider<P> for $name {
                type Provides = $key;
                async fn provide(
                    &self,
                    _ctx: &Context<P>,
                ) -> Result<<$key as baton::ContextKey>::Value, Response> {
                    Ok($value)
                }
            }
        };
    }
    provider!(AssignRequestId, RequestId, RequestId(7));
    provider!(Authenticate, User, User("ada".to_string()));
    provider!(ResolveTenant, TenantId, TenantId(3));
    provider!(Negotiate, Locale, Locale(1));
    struct Database(Arc<String>);
    impl<P: Lacks<Db>> Provider<P> for Database {
        type Provides = Db;
        async fn provide(&self, _ctx: &Context<P>) -> Result<Arc<String>, Response> {
            Ok(self.0.clone())
        }
    }

    async fn show<H, T>(ctx: Context<(H, T)>) -> Result<String, baton::PathRejection>
    where
        (H, T): Has<RequestId> + Has<User> + Has<TenantId> + Has<Db> + Has<Locale>,
    {
        let id: u64 = ctx.path()?;
        Ok(format!(
            "{id} {} {} {} {} {}",
            ctx.get::<RequestId>().0,
            ctx.get::<User>().0,
            ctx.get::<TenantId>().0,
            ctx.get::<Db>(),
            ctx.get::<Locale>().0
        ))
    }

    pub fn run(count: u64) {
        let app: baton::App = baton::Router::new()
            .with(ProviderMiddleware(AssignRequestId))
            .with(ProviderMiddleware(Authenticate))
            .with(ProviderMiddleware(ResolveTenant))
            .with(ProviderMiddleware(Database(Arc::new("db".into()))))
            .with(ProviderMiddleware(Negotiate))
            .route("/users/{id}", baton::get(show))
            .into();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            for _ in 0..count {
                let request = http::Request::get("/users/42")
                    .body(baton::Body::empty())
                    .unwrap();
                let response = app.call_request(request).await;
                assert_eq!(response.status(), 200);
            }
        });
    }
}

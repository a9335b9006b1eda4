//! Instructions per in-process request, for callgrind: `valgrind --tool=callgrind` this with two
//! request counts; the difference divided by the count difference is the cost of one request.
//!
//!     cargo build --release -p baton-benches --example instructions
//!     bash benches/instructions.sh
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

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
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

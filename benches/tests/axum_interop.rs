//! An axum app can mount a baton router as a service (DESIGN.md, "Interop").

use baton::{Context, Has, KeyList, Lacks, Provider, ProviderMiddleware, Response, context_key};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[context_key]
struct Greeting(&'static str);

struct Greet;
impl<P: KeyList + Lacks<Greeting>> Provider<P> for Greet {
    type Provides = Greeting;
    async fn provide(&self, _ctx: &Context<P>) -> Result<Greeting, Response> {
        Ok(Greeting("hello from baton"))
    }
}

async fn hello<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<Greeting>,
{
    format!("{} at {}", ctx.get::<Greeting>().0, ctx.uri().path())
}

#[tokio::test]
async fn axum_nests_a_baton_router() {
    let inner = baton::Router::new()
        .with(ProviderMiddleware(Greet))
        .route("/hi", baton::get(hello));
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "axum root" }))
        .nest_service("/baton", inner);

    let response = app
        .clone()
        .oneshot(
            http::Request::get("/baton/hi")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    // axum strips the nesting prefix before calling the nested service.
    assert_eq!(body, "hello from baton at /hi");

    let root = app
        .oneshot(
            http::Request::get("/")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        root.into_body().collect().await.unwrap().to_bytes(),
        "axum root"
    );
}

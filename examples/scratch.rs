use baton::*;

#[context_key]
struct RequestId(u64);

#[context_key(value = String)]
struct Database;

#[context_key]
struct User(String);

struct AssignId;
impl<P: Lacks<RequestId>> Provider<P> for AssignId {
    type Provides = RequestId;
    async fn provide(&self, _ctx: &Context<P>) -> Result<RequestId, Response> {
        Ok(RequestId(7))
    }
}
struct Db;
impl<P: Lacks<Database>> Provider<P> for Db {
    type Provides = Database;
    async fn provide(&self, _ctx: &Context<P>) -> Result<String, Response> {
        Ok("db".into())
    }
}

async fn show<P: Has<RequestId> + Has<Database>>(ctx: Context<P>) -> String {
    format!("{} {}", ctx.get::<RequestId>().0, ctx.get::<Database>())
}
#[allow(dead_code)]
async fn needs_user<P: Has<User>>(ctx: Context<P>) -> String {
    ctx.get::<User>().0.clone()
}

#[tokio::main]
async fn main() {
    let app = Router::new()
        .with(Provide(AssignId))
        .with(Provide(Db))
        .route("/", get(show));
    let r = app
        .call_request(http::Request::get("/").body(Body::empty()).unwrap())
        .await;
    println!("{:?}", r.into_body().collect_bytes().await);
}

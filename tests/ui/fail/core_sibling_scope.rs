// `Session` is provided in the `/app` scope only; a handler in the sibling `/api` scope cannot read it.
use baton::{Context, Has, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};

#[context_key]
struct Session(u64);

struct LoadSession;

impl<P: KeyList + Lacks<Session>> Provider<P> for LoadSession {
    type Provides = Session;
    async fn provide(&self, _ctx: &Context<P>) -> Result<Session, Response> {
        Ok(Session(1))
    }
}

async fn dashboard<H, T>(ctx: Context<(H, T)>) -> String
where
    (H, T): Has<Session>,
{
    ctx.get::<Session>().0.to_string()
}

fn main() {
    let _app = Router::new()
        .scope("/app", |app| app.with(ProviderMiddleware(LoadSession)).route("/", get(dashboard)))
        .scope("/api", |api| api.route("/me", get(dashboard)));
}

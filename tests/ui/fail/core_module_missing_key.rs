// Routes in their own function state what they need from above; mounting them where a needed key is
// not provided names the key at the mount.
use baton::{Context, Has, Start, KeyList, Router, Routed, context_key, get, handler};

#[context_key]
struct User(String);

#[handler]
async fn me(ctx: Context) -> String {
    ctx.get::<User>().0.clone()
}

fn account<H, T>(account: Router<Start<(H, T)>>) -> Router<Start<(H, T)>, Routed>
where
    (H, T): KeyList + Has<User>,
{
    account.route("/me", get(me))
}

#[context_key]
struct RequestId(u64);

#[baton::middleware(provides = RequestId)]
async fn request_id(_ctx: &Context) -> RequestId {
    RequestId(1)
}

fn main() {
    let _ = Router::new().with(request_id).scope("/account", account);
}

// `uses` names #[handler] helpers; a plain function has no key list to inherit.
use baton::{Context, Has, KeyList, context_key, handler};

#[context_key]
struct User(String);

fn shout<P: KeyList + Has<User>>(ctx: &Context<P>) -> String {
    ctx.get::<User>().0.to_uppercase()
}

#[handler(uses = shout)]
async fn greet(ctx: Context) -> String {
    shout(&ctx)
}

fn main() {}

// Helper functions annotated with #[handler]: they take `&Context` (sync or async) and state the keys
// they read. A function calling them inherits their keys with `uses = helper` (the scan sees only its
// own body); keys read by other means are listed with `requires`.
use baton::{Context, Has, KeyList, Router, context_key, get, handler, middleware};
use http_body_util::BodyExt;

#[context_key]
struct User(String);

#[context_key(default = Theme("light"))]
struct Theme(&'static str);

#[middleware(provides = User)]
async fn guest(_ctx: &Context) -> User {
    User("ada".to_string())
}

/// A sync helper.
#[handler]
fn user_name(ctx: &Context) -> &str {
    &ctx.get::<User>().0
}

/// An async helper, with its own reads, calling another helper.
#[handler(uses = user_name)]
async fn header(ctx: &Context, title: &str) -> String {
    format!(
        "<h1 class={}>{title}, {}</h1>",
        ctx.get::<Theme>().0,
        user_name(ctx)
    )
}

/// A hand-written generic helper works the same way.
fn shout<P: KeyList + Has<User>>(ctx: &Context<P>) -> String {
    ctx.get::<User>().0.to_uppercase()
}

/// Inherits the reads of `header` (and so of `user_name`); names `shout`'s key with `requires`.
/// `mut ctx` is kept.
#[handler(uses = header, requires = User)]
async fn page(mut ctx: Context) -> String {
    let body = ctx.text().await.unwrap_or_default();
    format!("{}{}{body}", header(&ctx, "hello").await, shout(&ctx))
}

/// Handlers can be associated functions too.
struct Pages;

impl Pages {
    #[handler]
    async fn about(ctx: Context) -> String {
        format!("about {}", ctx.get::<User>().0)
    }
}

fn main() {
    let app = Router::new()
        .with(guest)
        .route("/", get(page))
        .route("/about", get(Pages::about));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let response = app
                .call_request(http::Request::get("/").body("!".to_string()).unwrap())
                .await;
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"<h1 class=light>hello, ada</h1>ADA!");
            let request = http::Request::get("/about").body(String::new()).unwrap();
            let body = app
                .call_request(request)
                .await
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes();
            assert_eq!(&body[..], b"about ada");
        });
    // Helpers can be called directly, on a context built for a unit test.
    let ctx = Context::default().provide(User("grace".to_string()));
    assert_eq!(user_name(&ctx), "grace");
}

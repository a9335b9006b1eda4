// The method-override middleware reads the form data, so it must come after `form_data`.
use baton::{Context, Next, Response, Router, StatusCode, context_key, get, middleware};

#[context_key]
struct FormData(Vec<(String, String)>);

#[middleware(provides = FormData)]
async fn form_data(ctx: &mut Context) -> Result<FormData, StatusCode> {
    let body = ctx.text().await.map_err(|_| StatusCode::BAD_REQUEST)?;
    Ok(FormData(
        body.split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
    ))
}

#[middleware(requires = FormData)]
async fn method_override(mut ctx: Context, next: Next) -> Response {
    let method = ctx
        .get::<FormData>()
        .0
        .iter()
        .find(|(name, _)| name == "_method")
        .cloned();
    if let Some((_, method)) = method {
        ctx.parts_mut().method = method.parse().unwrap_or(baton::Method::POST);
    }
    next.run(ctx).await
}

fn main() {
    let _app = Router::new()
        .with(method_override)
        .with(form_data)
        .route("/", get(|_: Context<_>| async { "ok" }));
}

// Requirements: `requires = ..` and reads found in the body. Form data is parsed by one middleware
// (which reads the body through `&mut Context`); method override needs it and is mounted after it.
// (Routing happens before middleware run, so the override changes `ctx.method()` for the handler.)
use baton::{
    Context, Method, Next, Response, Router, StatusCode, context_key, handler, middleware, post,
};
use http_body_util::BodyExt;

#[context_key]
struct FormData(Vec<(String, String)>);

#[context_key]
struct Csrf(String);

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

/// Reads `FormData` (found in the body) and changes the method.
#[middleware]
async fn method_override(mut ctx: Context, next: Next) -> Response {
    let method = ctx
        .get::<FormData>()
        .0
        .iter()
        .find(|(name, _)| name == "_method")
        .map(|(_, value)| value.clone());
    if let Some(method) = method {
        ctx.parts_mut().method = method.parse().unwrap_or(Method::POST);
    }
    next.run(ctx).await
}

/// Requires `FormData` explicitly: the body reads it through `try_get`, which the scan does not count.
#[middleware(provides = Csrf, requires = FormData)]
async fn csrf(ctx: &Context) -> Result<Csrf, StatusCode> {
    let form = ctx.try_get::<FormData>().expect("required above");
    match form.0.iter().find(|(name, _)| name == "csrf") {
        Some((_, token)) if token == "secret" => Ok(Csrf(token.clone())),
        _ => Err(StatusCode::FORBIDDEN),
    }
}

#[handler]
async fn update(ctx: Context) -> String {
    format!("{} updated (csrf {})", ctx.method(), ctx.get::<Csrf>().0)
}

#[handler]
async fn create(_ctx: Context) -> &'static str {
    "created"
}

fn main() {
    let app = Router::new()
        .with(form_data)
        .with(method_override)
        .with(csrf)
        .route("/item", post(update))
        .route("/new", post(create));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let request = http::Request::post("/item")
                .body("_method=PUT&csrf=secret".to_string())
                .unwrap();
            let response = app.call_request(request).await;
            assert_eq!(response.status(), 200);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"PUT updated (csrf secret)");

            let request = http::Request::post("/new")
                .body("csrf=secret".to_string())
                .unwrap();
            let body = app
                .call_request(request)
                .await
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes();
            assert_eq!(&body[..], b"created");

            let request = http::Request::post("/item")
                .body("_method=PUT".to_string())
                .unwrap();
            assert_eq!(app.call_request(request).await.status(), 403);
        });
}

//! A notes service split over files, as an app grows: `cargo run --example notes`.
//!
//! * `main.rs` (this file) declares the keys, the middleware and builds the [`App`];
//! * `notes.rs` holds the notes routes in a function that states the keys it needs (`Has<Notes> +
//!   Has<Author>`); mounting it where one is missing does not compile, and the error names the key.
//!
//! It also shows a middleware group (`web()`), a middleware mounted only in development, a plain
//! handler and error boundaries (HTML for pages, JSON for the API).
//!
//! ```text
//! curl -i -H 'x-author: ada' -d 'buy milk' http://127.0.0.1:3000/api/notes
//! curl -i -H 'x-author: ada' http://127.0.0.1:3000/api/notes
//! curl -i http://127.0.0.1:3000/api/nothing      # JSON 404 from the API's boundary
//! ```

mod notes;

use baton::request_id::{RequestId, request_id};
use baton::{
    App, Context, ErrorKind, Failure, Html, IntoResponse, Json, Next, Response, Router, StatusCode,
    context_key, get, middleware,
};
use std::sync::{Arc, Mutex};

/// The notes, shared by every request.
#[context_key(value = Arc<Mutex<Vec<notes::Note>>>)]
pub struct Notes;

/// Who writes: from the `x-author` header.
#[context_key]
pub struct Author(pub String);

#[middleware(provides = Notes)]
async fn notes_store(
    store: Arc<Mutex<Vec<notes::Note>>>,
    _ctx: &Context,
) -> Arc<Mutex<Vec<notes::Note>>> {
    store
}

/// Provider form with an early answer: no author, no notes.
#[middleware(provides = Author)]
async fn author(ctx: &Context) -> Result<Author, Response> {
    match ctx
        .headers()
        .get("x-author")
        .and_then(|value| value.to_str().ok())
    {
        Some(name) if !name.is_empty() => Ok(Author(name.to_string())),
        _ => Err((StatusCode::UNAUTHORIZED, "send an x-author header").into_response()),
    }
}

/// Provides nothing, so it can be mounted conditionally.
#[middleware]
async fn log_requests(ctx: Context, next: Next) -> Response {
    let line = format!("{} {}", ctx.method(), ctx.uri());
    let response = next.run(ctx).await;
    eprintln!("{line} -> {}", response.status());
    response
}

/// The middleware every API request runs, as one value.
fn api_stack(store: Arc<Mutex<Vec<notes::Note>>>) -> (notes_store, author) {
    (notes_store(store), author)
}

/// A plain handler: reads nothing by proof, mounts anywhere.
async fn health(ctx: Context) -> String {
    format!(
        "ok (request {})",
        ctx.try_get::<RequestId>().map_or("?", |id| id.as_str())
    )
}

fn page_error(failure: Failure) -> Response {
    let title = match failure.kind() {
        ErrorKind::NotFound => "Nothing here",
        _ => "Something went wrong",
    };
    let id = failure
        .try_get::<RequestId>()
        .map_or("?", |id| id.as_str())
        .to_string();
    let page = format!("<h1>{title}</h1><p>request {id}</p>");
    (failure.status(), Html(page)).into_response()
}

fn api_error(failure: Failure) -> Response {
    let body = serde_json::json!({
        "status": failure.status().as_u16(),
        "error": failure.message(),
        "request": failure.try_get::<RequestId>().map(|id| id.as_str().to_string()),
    });
    (failure.status(), Json(body)).into_response()
}

fn app(development: bool) -> App {
    let store = Arc::new(Mutex::new(Vec::new()));
    Router::new()
        .with(request_id())
        .with_if(development, log_requests)
        .catch(page_error)
        .route("/health", get(health))
        .scope("/api", |api| {
            api.with(api_stack(store))
                .catch(api_error)
                .scope("/notes", notes::routes)
        })
        .into()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::var("BATON_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("notes listening on http://{}/", listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    baton::serve(listener, app(cfg!(debug_assertions)))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn notes_round_trip() {
        let app = super::app(false);
        let post = http::Request::post("/api/notes")
            .header("x-author", "ada")
            .body(baton::Body::from("buy milk"))
            .unwrap();
        assert_eq!(app.call_request(post).await.status(), 201);
        let list = http::Request::get("/api/notes")
            .header("x-author", "ada")
            .body(baton::Body::empty())
            .unwrap();
        assert_eq!(app.call_request(list).await.status(), 200);
    }
}

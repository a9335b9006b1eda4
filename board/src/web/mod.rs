//! The HTTP side: the router, its middleware stack and the error pages.
//!
//! ```text
//! every request   request_id → logger → security_headers (CSP nonce) → static_files(/static) → database
//!                 (compression wraps it all as a tower layer)
//! pages           cookies → session → form_data → method_override → csrf → auth (session) → flash
//!                 → actor → ambient context
//!   /tasks        + require_auth (303 to /login?next=…)
//!   /admin        + require_auth + require::<Admin> (403)
//! /api/tokens     actor (anonymous until the password is checked) → ambient context
//! /api/tasks      auth (bearer) → require_auth (401) → actor → ambient context
//! ```

mod api;
pub mod auth;
mod pages;
pub mod views;

use crate::ambient::{Actor, BoardContext};
use crate::data::Store;
use crate::data::users::User;
use auth::{Admin, Notice, refusals_to_boundary, session_users, token_users};
use baton::builtin::auth::{Auth, require, require_auth};
use baton::builtin::cookies::KeyRing;
use baton::builtin::cookies::cookies;
use baton::builtin::csrf::{CsrfToken, csrf};
use baton::builtin::flash::flash;
use baton::builtin::form::{FormLimits, form_data};
use baton::builtin::method_override::method_override;
use baton::builtin::security_headers::{CspNonce, security_headers};
use baton::builtin::session::SessionMiddleware;
use baton::builtin::{compression, logger, static_files};
use baton::request_id::{RequestId, request_id};
use baton::{
    App, ErrorKind, Failure, IntoResponse, Json, Response, Router, StatusCode, context_key,
    middleware,
};
use baton::{get, post};
use std::path::PathBuf;

/// The database, for handlers and middleware.
#[context_key(value = Store)]
pub struct Db;

#[middleware(provides = Db)]
async fn database(store: &Store, _ctx: &baton::Context) -> Store {
    store.clone()
}

/// What the router needs from the outside.
pub struct Settings {
    pub store: Store,
    pub cookie_keys: KeyRing,
    pub sessions: SessionMiddleware,
    pub static_dir: PathBuf,
}

/// The board's whole app.
pub fn app(settings: Settings) -> App {
    let Settings {
        store,
        cookie_keys,
        sessions,
        static_dir,
    } = settings;
    let (page_store, api_store) = (store.clone(), store.clone());
    Router::new()
        .with(request_id())
        .with(logger())
        .with(security_headers())
        .with(static_files(static_dir).at("/static"))
        .with(database(store))
        .catch(page_error)
        .scope("/api", |api| {
            api.catch(api_error)
                .with(refusals_to_boundary)
                .scope("/tokens", |tokens| {
                    tokens
                        .with(api::anonymous_actor)
                        .with(BoardContext::async_context())
                        .route("/", post(api::issue_token))
                })
                .scope("/tasks", |tasks| {
                    tasks
                        .with(token_users(api_store))
                        .with(require_auth::<User>())
                        .with(api::token_actor)
                        .with(BoardContext::async_context())
                        .route("/", get(api::list_tasks).post(api::create_task))
                })
        })
        .scope("", move |pages| {
            pages
                .with(refusals_to_boundary)
                .with(cookies(cookie_keys))
                .with(sessions)
                .with(form_data(FormLimits::default()))
                .with(method_override)
                .with(csrf())
                .with(session_users(page_store))
                .with(flash::<Notice>())
                .with(page_actor)
                // Entered once the request id and actor exist: the data layer reads both from it.
                .with(BoardContext::async_context())
                .route("/", get(pages::home))
                .route("/signup", get(pages::signup_form).post(pages::signup))
                .route("/login", get(pages::login_form).post(pages::login))
                .route("/logout", post(pages::logout))
                .scope("/tasks", |tasks| {
                    tasks
                        .with(require_auth::<User>().redirect_to("/login"))
                        .route("/", get(pages::tasks).post(pages::create_task))
                        .route("/{id}", post(pages::change_task))
                })
                .scope("/admin", |admin| {
                    admin
                        .with(require_auth::<User>().redirect_to("/login"))
                        .with(require::<Admin>())
                        .route("/", get(pages::admin))
                        .route("/audit", get(pages::audit))
                })
        })
        .layer(compression())
        .into()
}

#[middleware(provides = Actor)]
async fn page_actor(ctx: &baton::Context) -> Actor {
    actor_of(ctx.get::<Auth<User>>().identity())
}

/// Marks a response as an error, so the nearest error boundary renders it (HTML for pages, JSON
/// under `/api`).
pub fn error(status: StatusCode, message: &str) -> Response {
    Err::<(), _>((status, message.to_string())).into_response()
}

/// The pages' error boundary: 404s, 403s, 500s and panics as HTML.
fn page_error(failure: Failure) -> Response {
    let title = match (failure.kind(), failure.status()) {
        (ErrorKind::NotFound, _) | (_, StatusCode::NOT_FOUND) => "Nothing here",
        (_, StatusCode::FORBIDDEN) => "Not allowed",
        (_, status) if status.is_client_error() => "That did not work",
        _ => "Something went wrong",
    };
    // Internal details stay in the log; the page says what a visitor can act on.
    let message = if failure.status().is_server_error() {
        "The server failed to answer. Try again in a moment."
    } else {
        failure.message()
    };
    let frame = views::Frame {
        nonce: failure
            .try_get::<CspNonce>()
            .map(|nonce| nonce.as_str().to_string())
            .unwrap_or_default(),
        request_id: request_id_of(&failure),
        user: failure
            .try_get::<Auth<User>>()
            .and_then(|auth| auth.identity().cloned()),
        csrf: failure
            .try_get::<CsrfToken>()
            .map(|token| token.as_str().to_string())
            .unwrap_or_default(),
        flash: None,
    };
    let page = minijinja::context! { status => failure.status().as_u16(), title, message };
    views::render_with_status(failure.status(), "error.html", &frame, page)
}

/// The API's error boundary: the same errors as JSON.
fn api_error(failure: Failure) -> Response {
    let message = if failure.status().is_server_error() {
        "internal error"
    } else {
        failure.message()
    };
    let body = serde_json::json!({
        "status": failure.status().as_u16(),
        "error": message,
        "request_id": request_id_of(&failure),
    });
    (failure.status(), Json(body)).into_response()
}

fn request_id_of(failure: &Failure) -> String {
    failure
        .try_get::<RequestId>()
        .map_or("-", |id| id.as_str())
        .to_string()
}

/// Who acts, for the audit log: from the signed-in user when there is one.
fn actor_of(user: Option<&User>) -> Actor {
    Actor(user.map(|user| user.actor()))
}

/// Percent-encodes `text` for a query component (`next=/tasks?x=1`).
pub fn encode_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

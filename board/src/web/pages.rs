//! The HTML pages: home, sign-up, log-in, log-out, the task board and the admin pages.

use super::auth::{Admin, Notice};
use super::views::{Frame, render};
use super::{Db, error};
use crate::data::users::{SignupError, User};
use baton::builtin::auth::{Auth, Granted, Identity, login as log_in, logout as log_out};
use baton::builtin::csrf::CsrfToken;
use baton::builtin::flash::Flash;
use baton::builtin::form::FormData;
use baton::builtin::security_headers::CspNonce;
use baton::builtin::session::Session;
use baton::request_id::RequestId;
use baton::{Context, IntoResponse, Method, Redirect, Response, StatusCode, handler};
use minijinja::context;

/// The values the layout shows, read from the request.
#[handler]
fn frame(ctx: &Context) -> Frame {
    Frame {
        user: ctx.get::<Auth<User>>().identity().cloned(),
        csrf: ctx.get::<CsrfToken>().as_str().to_string(),
        nonce: ctx.get::<CspNonce>().as_str().to_string(),
        flash: ctx
            .get::<Flash<Notice>>()
            .message()
            .map(|notice| notice.text().to_string()),
        request_id: ctx.get::<RequestId>().as_str().to_string(),
    }
}

fn server_error(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "request failed");
    error_response(StatusCode::INTERNAL_SERVER_ERROR)
}

fn error_response(status: StatusCode) -> Response {
    error(status, status.canonical_reason().unwrap_or("error"))
}

/// `?next=` when it is a path on this site; anything else (another origin, `//evil`) is dropped.
fn next_target(ctx: &Context<impl baton::KeyList>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Next {
        next: Option<String>,
    }
    let next = ctx.query::<Next>().ok()?.next?;
    Redirect::is_local(&next).then_some(next)
}

/// The `?next=…` to keep on a form's action, so the redirect target survives a failed attempt.
fn next_query(next: Option<&str>) -> String {
    next.map(|next| format!("?next={}", super::encode_component(next)))
        .unwrap_or_default()
}

#[handler(uses = frame)]
pub async fn home(ctx: Context) -> Response {
    render("home.html", &frame(&ctx), context! {})
}

#[handler(uses = frame)]
pub async fn signup_form(ctx: Context) -> Response {
    let page =
        context! { next => next_query(next_target(&ctx).as_deref()), name => "", invite => "" };
    render("signup.html", &frame(&ctx), page)
}

#[handler(uses = frame)]
pub async fn signup(ctx: Context) -> Response {
    let form = ctx.get::<FormData>();
    let name = form.get("name").unwrap_or_default();
    let invite = form.get("invite").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    match ctx.get::<Db>().sign_up(name, password, Some(invite)).await {
        Ok(user) => {
            if let Err(error) = log_in(ctx.get::<Session>(), user.id).await {
                return server_error(error);
            }
            Redirect::to_local(&next_target(&ctx).unwrap_or_else(|| "/tasks".into()))
                .into_response()
        }
        Err(SignupError::Data(error)) => server_error(error),
        Err(refused) => {
            let page = context! {
                next => next_query(next_target(&ctx).as_deref()), name, invite, error => refused.to_string(),
            };
            render("signup.html", &frame(&ctx), page)
        }
    }
}

#[handler(uses = frame)]
pub async fn login_form(ctx: Context) -> Response {
    let page = context! { next => next_query(next_target(&ctx).as_deref()), name => "" };
    render("login.html", &frame(&ctx), page)
}

#[handler(uses = frame)]
pub async fn login(ctx: Context) -> Response {
    let form = ctx.get::<FormData>();
    let name = form.get("name").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    match ctx.get::<Db>().check_password(name, password).await {
        Ok(Some(user)) => {
            if let Err(error) = log_in(ctx.get::<Session>(), user.id).await {
                return server_error(error);
            }
            Redirect::to_local(&next_target(&ctx).unwrap_or_else(|| "/tasks".into()))
                .into_response()
        }
        Ok(None) => {
            let page = context! {
                next => next_query(next_target(&ctx).as_deref()), name, error => "Wrong name or password.",
            };
            render("login.html", &frame(&ctx), page)
        }
        Err(error) => server_error(error),
    }
}

#[handler]
pub async fn logout(ctx: Context) -> Response {
    if let Some(user) = ctx.get::<Auth<User>>().identity()
        && let Err(error) = ctx.get::<Db>().log_event("user.logout", &user.name).await
    {
        return server_error(error);
    }
    log_out(ctx.get::<Session>()).await;
    Redirect::to("/").into_response()
}

#[handler(uses = frame)]
pub async fn tasks(ctx: Context) -> Response {
    match ctx
        .get::<Db>()
        .tasks(ctx.get::<Identity<User>>().team_id)
        .await
    {
        Ok(tasks) => render("tasks.html", &frame(&ctx), context! { tasks }),
        Err(error) => server_error(error),
    }
}

#[handler]
pub async fn create_task(ctx: Context) -> Response {
    let me = ctx.get::<Identity<User>>();
    let title = ctx.get::<FormData>().get("title").unwrap_or_default();
    let notice = match ctx.get::<Db>().create_task(me.team_id, me.id, title).await {
        Ok(Some(_)) => Notice::TaskCreated,
        Ok(None) => Notice::TitleMissing,
        Err(error) => return server_error(error),
    };
    if let Err(error) = ctx.get::<Flash<Notice>>().set(notice).await {
        return server_error(error);
    }
    Redirect::to("/tasks").into_response()
}

/// `POST /tasks/{id}`: the HTML forms' entry point. `method_override` has already turned the method
/// into the form's `_method` (PUT to edit, DELETE to remove); the route is matched as POST.
#[handler]
pub async fn change_task(ctx: Context) -> Response {
    let Ok(id) = ctx.path::<i64>() else {
        return error_response(StatusCode::NOT_FOUND);
    };
    let me = ctx.get::<Identity<User>>();
    let db = ctx.get::<Db>();
    let form = ctx.get::<FormData>();
    let notice = match *ctx.method() {
        Method::PUT => {
            let title = form.get("title").unwrap_or_default();
            let done = matches!(form.get("done"), Some("true" | "on" | "1"));
            match db.update_task(me.team_id, id, title, done).await {
                Ok(Some(_)) => Notice::TaskUpdated,
                Ok(None) => return error(StatusCode::NOT_FOUND, "No such task on your board."),
                Err(error) => return server_error(error),
            }
        }
        Method::DELETE => match db.delete_task(me.team_id, id).await {
            Ok(true) => Notice::TaskDeleted,
            Ok(false) => return error(StatusCode::NOT_FOUND, "No such task on your board."),
            Err(error) => return server_error(error),
        },
        _ => {
            return error(
                StatusCode::METHOD_NOT_ALLOWED,
                "Send _method=PUT or _method=DELETE with this form.",
            );
        }
    };
    if let Err(error) = ctx.get::<Flash<Notice>>().set(notice).await {
        return server_error(error);
    }
    Redirect::to("/tasks").into_response()
}

#[handler(uses = frame)]
pub async fn admin(ctx: Context) -> Response {
    // Reading the proof makes mounting this page outside `require::<Admin>()` a compile error.
    let _admin = ctx.get::<Granted<Admin>>();
    match ctx.get::<Db>().users().await {
        Ok(users) => render("admin.html", &frame(&ctx), context! { users }),
        Err(error) => server_error(error),
    }
}

#[handler(uses = frame)]
pub async fn audit(ctx: Context) -> Response {
    // As for `admin`: only where the permission was checked.
    let _admin = ctx.get::<Granted<Admin>>();
    match ctx.get::<Db>().audit_log(500).await {
        Ok(entries) => render("audit.html", &frame(&ctx), context! { entries }),
        Err(error) => server_error(error),
    }
}

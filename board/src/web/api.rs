//! The JSON API: `POST /api/tokens` trades a name and password for a bearer token; `/api/tasks` reads
//! and adds the caller's team's tasks with `Authorization: Bearer <token>`. No cookies are read here,
//! so there is no session to ride and no CSRF check: a cross-site page cannot make the browser send
//! a bearer token.

use super::{Db, error};
use crate::ambient::Actor;
use crate::data::users::User;
use baton::builtin::auth::Identity;
use baton::builtin::form::{FormData, FormLimits};
use baton::{Context, IntoResponse, Json, Response, StatusCode, handler, middleware};
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};

#[derive(serde::Deserialize)]
struct Credentials {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn unauthorized(message: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, message);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer"));
    response
}

fn is_json(ctx: &Context<impl baton::KeyList>) -> bool {
    ctx.headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"))
}

/// `name` and `password` from a JSON or form body.
async fn read_credentials<P: baton::KeyList>(
    ctx: &mut Context<P>,
) -> Result<Credentials, Response> {
    if is_json(ctx) {
        return ctx
            .json::<Credentials>()
            .await
            .map_err(|rejection| error(StatusCode::BAD_REQUEST, &rejection.to_string()));
    }
    let form = FormData::read(ctx, &FormLimits::default())
        .await
        .map_err(|rejection| error(StatusCode::BAD_REQUEST, &rejection.to_string()))?;
    Ok(Credentials {
        name: form.get("name").unwrap_or_default().to_string(),
        password: form.get("password").unwrap_or_default().to_string(),
    })
}

/// A token request is anonymous until its password is checked, like a log-in form: the audit rows
/// it writes name the account in their detail.
#[middleware(provides = Actor)]
pub async fn anonymous_actor(_ctx: &Context) -> Actor {
    Actor(None)
}

#[middleware(provides = Actor)]
pub async fn token_actor(ctx: &Context) -> Actor {
    super::actor_of(Some(&**ctx.get::<Identity<User>>()))
}

/// `POST /api/tokens`: a name and password (JSON or form) for a new bearer token.
#[handler]
pub async fn issue_token(mut ctx: Context) -> Response {
    let credentials = match read_credentials(&mut ctx).await {
        Ok(credentials) => credentials,
        Err(response) => return response,
    };
    let db = ctx.get::<Db>();
    let issued = match db
        .check_password(&credentials.name, &credentials.password)
        .await
    {
        Ok(Some(user)) => db.issue_token(&user).await,
        Ok(None) => return unauthorized("wrong name or password"),
        Err(data) => Err(data),
    };
    match issued {
        Ok(token) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "token": token })),
        )
            .into_response(),
        Err(data) => {
            tracing::error!(error = %data, "issuing a token failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

#[handler]
pub async fn list_tasks(ctx: Context) -> Response {
    match ctx
        .get::<Db>()
        .tasks(ctx.get::<Identity<User>>().team_id)
        .await
    {
        Ok(tasks) => Json(tasks).into_response(),
        Err(data) => {
            tracing::error!(error = %data, "listing tasks failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

#[derive(serde::Deserialize)]
struct NewTask {
    title: String,
}

#[handler]
pub async fn create_task(mut ctx: Context) -> Response {
    let new: NewTask = match ctx.json().await {
        Ok(new) => new,
        Err(rejection) => return error(StatusCode::BAD_REQUEST, &rejection.to_string()),
    };
    let user = ctx.get::<Identity<User>>();
    match ctx
        .get::<Db>()
        .create_task(user.team_id, user.id, &new.title)
        .await
    {
        Ok(Some(task)) => (StatusCode::CREATED, Json(task)).into_response(),
        Ok(None) => error(StatusCode::UNPROCESSABLE_ENTITY, "a task needs a title"),
        Err(data) => {
            tracing::error!(error = %data, "creating a task failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

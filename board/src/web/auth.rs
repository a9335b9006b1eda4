//! Who is asking, and what they may do: the pieces of baton's session, flash, CSRF and auth
//! built-ins that are the board's own (its flash messages, its admin permission, its session store
//! and the lookups that turn a session or a token into a [`User`]).

use crate::data::Store;
use crate::data::users::User;
use baton::builtin::auth::{AuthMiddleware, Permission, Stateless, WithSession, auth};
use baton::builtin::session::{MemoryStore, SessionConfig, SessionMiddleware, session};
use baton::{Context, IntoResponse, Next, Response, context_key, middleware, session_key};

/// The notices a request leaves for the next page (typed flash messages: no free text to mistype).
#[session_key]
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub enum Notice {
    TaskCreated,
    TaskUpdated,
    TaskDeleted,
    TitleMissing,
}

impl Notice {
    pub fn text(self) -> &'static str {
        match self {
            Notice::TaskCreated => "Task created",
            Notice::TaskUpdated => "Task updated",
            Notice::TaskDeleted => "Task deleted",
            Notice::TitleMissing => "A task needs a title.",
        }
    }
}

/// The admin pages' permission: held by the first account created.
#[context_key]
pub struct Admin;

impl Permission for Admin {
    type Identity = User;
    fn granted(user: &User) -> bool {
        user.is_admin
    }
}

/// Where sessions live: this process's memory, or Redis when `redis_url` is set (instances sharing
/// one Redis, and one `BOARD_SECRET` for the cookie signatures, share log-ins).
pub async fn session_store(
    redis_url: Option<&str>,
) -> Result<SessionMiddleware, Box<dyn std::error::Error + Send + Sync>> {
    let config = SessionConfig::default().cookie_name("board.sid");
    let Some(url) = redis_url else {
        return Ok(session(MemoryStore::default()).config(config));
    };
    #[cfg(feature = "redis")]
    {
        let store = baton::builtin::session::redis_store(url, 4).await?;
        tracing::info!(url, "sessions in Redis");
        Ok(session(store).config(config))
    }
    #[cfg(not(feature = "redis"))]
    {
        Err(format!(
            "BOARD_REDIS is set ({url}) but this build has no Redis support: \
             run `cargo run -p board --features redis`"
        )
        .into())
    }
}

/// The pages' authentication: the user id that `login` put in the session.
pub fn session_users(store: Store) -> AuthMiddleware<User, WithSession> {
    auth::<User>().session(move |id: String| {
        let store = store.clone();
        async move {
            match id.parse::<i64>() {
                Ok(id) => store.user(id).await,
                Err(_) => Ok(None),
            }
        }
    })
}

/// The API's authentication: `Authorization: Bearer <token>`.
pub fn token_users(store: Store) -> AuthMiddleware<User, Stateless> {
    auth::<User>().bearer(move |token: String| {
        let store = store.clone();
        async move { store.token_user(&token).await }
    })
}

/// Hands the built-ins' refusals (403 without a CSRF token, 403 without the permission, 401 without
/// a token) to the error boundary above, so they are rendered like the app's own errors: an HTML
/// page for the pages, JSON under `/api`. A response already marked as an error keeps its mark.
#[middleware]
pub async fn refusals_to_boundary(ctx: Context, next: Next) -> Response {
    let response = next.run(ctx).await;
    if response.status().is_client_error() || response.status().is_server_error() {
        Err::<(), _>(response).into_response()
    } else {
        response
    }
}

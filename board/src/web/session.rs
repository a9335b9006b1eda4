//! TEMPORARY SCAFFOLD until baton's session, flash, CSRF and auth built-ins land (issue 13).
//!
//! Everything the pages need from a signed-in visitor is here and only here, under names close to
//! the built-ins', so that swapping them in touches this file and the mount list in `pages::routes`.
//! Sessions live in one process's memory; ids travel in a signed cookie.

use crate::data::users::{User, random_token};
use crate::web::Db;
use baton::builtin::cookies::{Cookie, Cookies, SameSite};
use baton::builtin::form::FormData;
use baton::{
    Context, IntoResponse, Method, Next, Redirect, Response, StatusCode, context_key, middleware,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const COOKIE: &str = "board.sid";

#[derive(Clone, Debug, Default)]
struct Data {
    user_id: Option<i64>,
    csrf: String,
    flash: Option<String>,
}

/// The sessions of this process.
#[derive(Clone, Default)]
pub struct MemorySessions(Arc<Mutex<HashMap<String, Data>>>);

#[derive(Default)]
struct State {
    /// `None` once destroyed.
    id: Option<String>,
    data: Data,
}

/// This request's session: changed by the handlers, saved after them.
#[context_key]
#[derive(Clone)]
pub struct Session(Arc<Mutex<State>>);

impl Session {
    /// Signs `user` in with a new session id, so an id planted before the login is worth nothing
    /// after it.
    pub async fn login(&self, user: &User) {
        let mut state = self.0.lock().unwrap();
        state.id = Some(random_token(24));
        state.data.user_id = Some(user.id);
        state.data.csrf = random_token(24);
    }

    /// Signs out and forgets the session.
    pub async fn logout(&self) {
        *self.0.lock().unwrap() = State::default();
    }

    /// Shows `message` once, on the next page this visitor loads.
    pub async fn flash(&self, message: &str) {
        self.0.lock().unwrap().data.flash = Some(message.to_string());
    }

    fn user_id(&self) -> Option<i64> {
        self.0.lock().unwrap().data.user_id
    }

    fn csrf(&self) -> String {
        self.0.lock().unwrap().data.csrf.clone()
    }
}

#[middleware(provides = Session)]
pub async fn session(store: &MemorySessions, ctx: Context, next: Next) -> Response {
    let jar = ctx.get::<Cookies>().clone();
    let incoming = jar
        .signed()
        .get(COOKIE)
        .map(|cookie| cookie.value().to_string());
    let known = incoming
        .as_ref()
        .and_then(|id| store.0.lock().unwrap().get(id).cloned());
    let mut data = known.unwrap_or_default();
    if data.csrf.is_empty() {
        data.csrf = random_token(24);
    }
    let id = incoming.clone().unwrap_or_else(|| random_token(24));
    let session = Session(Arc::new(Mutex::new(State { id: Some(id), data })));
    let response = next.run(ctx.provide(session.clone())).await;
    let state = std::mem::take(&mut *session.0.lock().unwrap());
    let mut sessions = store.0.lock().unwrap();
    if let Some(old) = &incoming {
        sessions.remove(old);
    }
    match state.id {
        Some(id) => {
            sessions.insert(id.clone(), state.data);
            let mut cookie = Cookie::new(COOKIE, id);
            cookie.set_http_only(true);
            cookie.set_same_site(SameSite::Lax);
            cookie.set_path("/");
            jar.signed().add(cookie);
        }
        None => jar.remove(COOKIE),
    }
    response
}

/// The token the page's forms send back as `_csrf`.
#[context_key]
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Rejects an unsafe method whose `_csrf` field (or `x-csrf-token` header) is not the session's token.
#[middleware(provides = CsrfToken)]
pub async fn csrf(ctx: &Context) -> Result<CsrfToken, Response> {
    let expected = ctx.get::<Session>().csrf();
    let safe = matches!(*ctx.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = ctx
            .get::<FormData>()
            .get("_csrf")
            .map(str::to_string)
            .or_else(|| {
                ctx.headers()
                    .get("x-csrf-token")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        if sent.len() != expected.len()
            || sent
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                != 0
        {
            return Err(crate::web::error(
                StatusCode::FORBIDDEN,
                "Invalid or missing CSRF token: reload the page and try again.",
            ));
        }
    }
    Ok(CsrfToken(expected))
}

/// The signed-in user, if any.
#[context_key]
pub struct Visitor(pub Option<User>);

#[middleware(provides = Visitor)]
pub async fn current_user(ctx: &Context) -> Result<Visitor, Response> {
    let Some(id) = ctx.get::<Session>().user_id() else {
        return Ok(Visitor(None));
    };
    match ctx.get::<Db>().user(id).await {
        Ok(user) => Ok(Visitor(user)),
        Err(error) => {
            tracing::error!(%error, "loading the session's user failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// The message the previous request left for this one.
#[context_key]
pub struct FlashNotice(pub Option<String>);

#[middleware(provides = FlashNotice)]
pub async fn flash(ctx: &Context) -> FlashNotice {
    FlashNotice(ctx.get::<Session>().0.lock().unwrap().data.flash.take())
}

/// The signed-in user, on routes that need one.
#[context_key]
pub struct Me(pub User);

impl std::ops::Deref for Me {
    type Target = User;
    fn deref(&self) -> &User {
        &self.0
    }
}

/// Anonymous visitors are sent to log in, and brought back here afterwards.
#[middleware(provides = Me)]
pub async fn require_user(ctx: &Context) -> Result<Me, Response> {
    match &ctx.get::<Visitor>().0 {
        Some(user) => Ok(Me(user.clone())),
        None => {
            let here = ctx.uri().path_and_query().map_or("/", |path| path.as_str());
            let target = format!("/login?next={}", crate::web::encode_component(here));
            Err(Redirect::to_local(&target).into_response())
        }
    }
}

/// Proof that the user is an admin.
#[context_key]
pub struct AdminGrant;

#[middleware(provides = AdminGrant)]
pub async fn require_admin(ctx: &Context) -> Result<AdminGrant, Response> {
    if ctx.get::<Me>().is_admin {
        Ok(AdminGrant)
    } else {
        Err(crate::web::error(
            StatusCode::FORBIDDEN,
            "This page is for admins.",
        ))
    }
}

//! What every request of the board carries, readable anywhere below the handlers without a `ctx`
//! parameter: the request id and the acting user. The data layer reads them to write the audit log, so
//! its functions take domain arguments only (`tasks::create(team, title)`), never the request.

use baton::context_key;
use baton::request_id::RequestId;

/// The account a request acts for, as the audit log names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorRef {
    pub id: i64,
    pub name: String,
}

/// Who is acting: the signed-in user (session or bearer token), or nobody (a visitor signing up or
/// logging in).
#[context_key]
#[derive(Clone, Debug)]
pub struct Actor(pub Option<ActorRef>);

baton::app_context! {
    /// The board's typed ambient context: entered after the middleware that provide both keys, so
    /// `BoardContext::current().get::<Actor>()` cannot fail in a request.
    pub struct BoardContext: RequestId, Actor;
}

/// The request id and actor of the current request, or `(None, None)` outside one (startup, tests of
/// the data layer without a request).
pub(crate) fn current_request() -> (Option<String>, Option<ActorRef>) {
    BoardContext::try_with(|ctx| {
        (
            Some(ctx.get::<RequestId>().as_str().to_string()),
            ctx.get::<Actor>().0.clone(),
        )
    })
    .unwrap_or((None, None))
}

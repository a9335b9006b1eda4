//! What can go wrong with a session: the store, or a value that cannot be encoded.

use crate::__baton::{IntoResponse, Response, StatusCode};
use std::fmt;
use tower_sessions_core::session_store::Error as StoreError;

/// A session operation that failed. As a response it is a 500, logged at `ERROR` with its cause (the
/// client sees no detail), so handlers can use `?` on session calls.
///
/// ```
/// use baton::IntoResponse;
/// use baton::builtin::session::{SessionError, StoreError};
///
/// let error = SessionError::from(StoreError::Backend("connection refused".into()));
/// assert_eq!(error.to_string(), "session store failed: connection refused");
/// assert_eq!(error.into_response().status(), 500);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// The store failed to load, save or delete the session.
    Store(StoreError),
    /// A value could not be serialised for the store.
    Encode {
        /// The session key's name.
        key: &'static str,
        /// The serialiser's message.
        message: String,
    },
}

impl From<StoreError> for SessionError {
    fn from(error: StoreError) -> Self {
        SessionError::Store(error)
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Store(error) => write!(f, "session store failed: {error}"),
            SessionError::Encode { key, message } => {
                write!(f, "session value `{key}` cannot be encoded: {message}")
            }
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Store(error) => Some(error),
            SessionError::Encode { .. } => None,
        }
    }
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "session failure; answering 500");
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
    }
}

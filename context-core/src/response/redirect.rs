//! Redirect responses with a checked `Location`.

use super::{IntoResponse, Response};
use http::StatusCode;
use http::header::{HeaderValue, LOCATION};
use std::fmt;

/// A redirect: a 303, 307 or 308 response whose `Location` header is checked before it is sent.
///
/// | constructor | status | the client's next request |
/// |---|---|---|
/// | [`Redirect::to`] | 303 See Other | always a `GET` (after a form `POST`, a login) |
/// | [`Redirect::temporary`] | 307 Temporary Redirect | same method and body, this time only |
/// | [`Redirect::permanent`] | 308 Permanent Redirect | same method and body, and clients may remember it |
///
/// # Invalid targets
///
/// A target is accepted when it is non-empty and made only of printable ASCII without spaces
/// (`!` to `~`): anything else (percent-encode it first) would be either an invalid header, such as a
/// CR/LF that could smuggle in a header of the attacker's choosing, or a character that browsers strip
/// or rewrite before following the link (tabs, newlines, leading spaces), which is how filters are
/// bypassed.
///
/// Each constructor exists twice, and the choice is the caller's:
///
/// * `to`, `temporary`, `permanent` never fail: on an invalid target the redirect answers **500** with a
///   generic body and logs the reason with `tracing::error!`. The target is never echoed, so no part of
///   a bad target reaches the client. These suit targets written in the code, where a bad one is a bug.
/// * `try_to`, `try_temporary`, `try_permanent` return `Err(`[`InvalidRedirect`]`)`, for targets built at
///   run time that the caller wants to handle (answer 400, fall back to a default page).
///
/// Neither form checks *where* a target points: redirecting to a URL taken from the request (a `?next=`
/// after login) lets anyone craft a link to your site that bounces to theirs. Use
/// [`Redirect::to_local`] for those.
///
/// ```
/// use baton::{IntoResponse, Redirect, StatusCode};
///
/// let response = Redirect::to("/dashboard").into_response();
/// assert_eq!(response.status(), StatusCode::SEE_OTHER);
/// assert_eq!(response.headers()["location"], "/dashboard");
///
/// // A CR/LF in the target: no header is injected, the response is a 500.
/// let response = Redirect::to("/\r\nset-cookie: admin=1").into_response();
/// assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// assert!(response.headers().get("set-cookie").is_none());
///
/// assert!(Redirect::try_permanent("/new home").is_err());
/// ```
#[derive(Debug, Clone)]
#[must_use = "a redirect does nothing until it is returned as a response"]
pub struct Redirect {
    status: StatusCode,
    location: Result<HeaderValue, InvalidRedirect>,
}

impl Redirect {
    /// A 303 See Other to `uri`: the client follows with a `GET`. The usual answer to a form `POST`.
    /// An invalid `uri` answers 500 (see [Invalid targets](Redirect#invalid-targets)).
    ///
    /// ```
    /// use baton::{IntoResponse, Redirect};
    /// let response = Redirect::to("https://example.com/docs?page=2").into_response();
    /// assert_eq!(response.status(), 303);
    /// assert_eq!(response.headers()["location"], "https://example.com/docs?page=2");
    /// ```
    pub fn to(uri: &str) -> Self {
        Self::with_status(StatusCode::SEE_OTHER, uri)
    }

    /// A 307 Temporary Redirect to `uri`: the client repeats the same method and body there. An invalid
    /// `uri` answers 500 (see [Invalid targets](Redirect#invalid-targets)).
    ///
    /// ```
    /// use baton::{IntoResponse, Redirect};
    /// assert_eq!(Redirect::temporary("/maintenance").into_response().status(), 307);
    /// ```
    pub fn temporary(uri: &str) -> Self {
        Self::with_status(StatusCode::TEMPORARY_REDIRECT, uri)
    }

    /// A 308 Permanent Redirect to `uri`: same method and body, and clients and caches may remember it.
    /// An invalid `uri` answers 500 (see [Invalid targets](Redirect#invalid-targets)).
    ///
    /// ```
    /// use baton::{IntoResponse, Redirect};
    /// let response = Redirect::permanent("/v2/users").into_response();
    /// assert_eq!(response.status(), 308);
    /// assert_eq!(response.headers()["location"], "/v2/users");
    /// ```
    pub fn permanent(uri: &str) -> Self {
        Self::with_status(StatusCode::PERMANENT_REDIRECT, uri)
    }

    /// Like [`Redirect::to`] (303), but an invalid `uri` is an error instead of a 500.
    ///
    /// ```
    /// use baton::Redirect;
    /// assert!(Redirect::try_to("/ok").is_ok());
    /// assert!(Redirect::try_to("/a\nb").is_err());
    /// assert!(Redirect::try_to("").is_err());
    /// ```
    pub fn try_to(uri: &str) -> Result<Self, InvalidRedirect> {
        Self::try_with_status(StatusCode::SEE_OTHER, uri)
    }

    /// Like [`Redirect::temporary`] (307), but an invalid `uri` is an error instead of a 500.
    ///
    /// ```
    /// use baton::Redirect;
    /// assert!(Redirect::try_temporary("/caf\u{e9}").is_err()); // percent-encode: "/caf%C3%A9"
    /// assert!(Redirect::try_temporary("/caf%C3%A9").is_ok());
    /// ```
    pub fn try_temporary(uri: &str) -> Result<Self, InvalidRedirect> {
        Self::try_with_status(StatusCode::TEMPORARY_REDIRECT, uri)
    }

    /// Like [`Redirect::permanent`] (308), but an invalid `uri` is an error instead of a 500.
    ///
    /// ```
    /// use baton::Redirect;
    /// assert!(Redirect::try_permanent("/new\tplace").is_err());
    /// ```
    pub fn try_permanent(uri: &str) -> Result<Self, InvalidRedirect> {
        Self::try_with_status(StatusCode::PERMANENT_REDIRECT, uri)
    }

    /// A 303 to `next` if it is a path on this site ([`Redirect::is_local`]), else a 303 to `/`.
    ///
    /// For targets that come from the request, such as a login form's `?next=`: a link to
    /// `/login?next=https://evil.example` must not send the user, freshly logged in, to another site.
    /// Pass the decoded value; a still-encoded one (`%2Fhome`) does not start with `/` and falls back.
    ///
    /// ```
    /// use baton::{IntoResponse, Redirect};
    /// let location = |next: &str| Redirect::to_local(next).into_response().headers()["location"].clone();
    ///
    /// assert_eq!(location("/orders/7?tab=items"), "/orders/7?tab=items");
    /// assert_eq!(location("https://evil.example/"), "/");
    /// assert_eq!(location("//evil.example"), "/");
    /// assert_eq!(location("/\\evil.example"), "/");
    /// assert_eq!(location("javascript:alert(1)"), "/");
    /// ```
    pub fn to_local(next: &str) -> Self {
        Self::try_to_local(next).unwrap_or_else(|_| Self {
            status: StatusCode::SEE_OTHER,
            location: Ok(HeaderValue::from_static("/")),
        })
    }

    /// A 303 to `next` if it is a path on this site ([`Redirect::is_local`]), else an error, for callers
    /// that want another fallback than `/` or want to tell the user.
    ///
    /// ```
    /// use baton::Redirect;
    /// assert!(Redirect::try_to_local("/settings").is_ok());
    /// assert!(Redirect::try_to_local("//evil.example/settings").is_err());
    /// ```
    pub fn try_to_local(next: &str) -> Result<Self, InvalidRedirect> {
        let location = check(next)?;
        if !local_shape(next) {
            return Err(InvalidRedirect(Reason::NotLocal));
        }
        Ok(Self {
            status: StatusCode::SEE_OTHER,
            location: Ok(location),
        })
    }

    /// Whether `target` is a path on this site: a `Location` that a browser resolves against the
    /// current page without leaving its origin.
    ///
    /// It must start with a single `/` (so no scheme such as `https:` or `javascript:`, and no `//host`
    /// that browsers read as another host), contain no `\` (browsers read `/\host` as `//host`) and be a
    /// valid target ([Invalid targets](Redirect#invalid-targets)): no control characters, spaces or
    /// non-ASCII, which browsers strip or rewrite before resolving (`/\t/evil.example` becomes
    /// `//evil.example`). Useful to check a `next` before storing it, in a session for instance.
    ///
    /// ```
    /// use baton::Redirect;
    /// assert!(Redirect::is_local("/"));
    /// assert!(Redirect::is_local("/search?q=a%20b#results"));
    /// assert!(!Redirect::is_local("dashboard")); // relative to the current page: not accepted
    /// assert!(!Redirect::is_local("/\t/evil.example"));
    /// ```
    pub fn is_local(target: &str) -> bool {
        local_shape(target) && check(target).is_ok()
    }

    /// The status this redirect answers with (303, 307 or 308).
    ///
    /// ```
    /// use baton::{Redirect, StatusCode};
    /// assert_eq!(Redirect::temporary("/").status(), StatusCode::TEMPORARY_REDIRECT);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The checked `Location`, or `None` when the target was invalid (the redirect then answers 500).
    ///
    /// ```
    /// use baton::Redirect;
    /// assert_eq!(Redirect::to("/home").location().unwrap(), "/home");
    /// assert!(Redirect::to("/a b").location().is_none());
    /// ```
    pub fn location(&self) -> Option<&HeaderValue> {
        self.location.as_ref().ok()
    }

    fn with_status(status: StatusCode, uri: &str) -> Self {
        Self {
            status,
            location: check(uri),
        }
    }

    fn try_with_status(status: StatusCode, uri: &str) -> Result<Self, InvalidRedirect> {
        Ok(Self {
            status,
            location: Ok(check(uri)?),
        })
    }
}

/// A single leading `/` and no `\` anywhere: the shape of a path that stays on this origin, once
/// [`check`] has ruled out the characters browsers strip before looking at the shape.
fn local_shape(target: &str) -> bool {
    let bytes = target.as_bytes();
    bytes.first() == Some(&b'/') && bytes.get(1) != Some(&b'/') && !bytes.contains(&b'\\')
}

/// The one place a target becomes a header value: every constructor goes through it.
fn check(uri: &str) -> Result<HeaderValue, InvalidRedirect> {
    if uri.is_empty() {
        return Err(InvalidRedirect(Reason::Empty));
    }
    if let Some(position) = uri.bytes().position(|byte| !byte.is_ascii_graphic()) {
        return Err(InvalidRedirect(Reason::Character { position }));
    }
    HeaderValue::from_str(uri).map_err(|_| InvalidRedirect(Reason::Character { position: 0 }))
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        match self.location {
            Ok(location) => {
                let mut response = self.status.into_response();
                response.headers_mut().insert(LOCATION, location);
                response
            }
            Err(error) => {
                tracing::error!(%error, status = %self.status, "invalid redirect target; answering 500");
                (StatusCode::INTERNAL_SERVER_ERROR, "invalid redirect target").into_response()
            }
        }
    }
}

/// Why a redirect target was refused. It names the reason and the byte offset of a bad character,
/// never the target itself, so it is safe to log or show.
///
/// ```
/// use baton::Redirect;
/// let error = Redirect::try_to("/a\r\nb").unwrap_err();
/// assert_eq!(error.to_string(), "redirect target has a control, space or non-ASCII byte at offset 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRedirect(Reason);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Empty,
    Character { position: usize },
    NotLocal,
}

impl InvalidRedirect {
    /// Whether the target was refused only for leaving the site: it was a valid target, but not a
    /// path on this site ([`Redirect::try_to_local`]).
    ///
    /// ```
    /// use baton::Redirect;
    /// assert!(Redirect::try_to_local("https://evil.example").unwrap_err().is_not_local());
    /// assert!(!Redirect::try_to("").unwrap_err().is_not_local());
    /// ```
    pub fn is_not_local(&self) -> bool {
        self.0 == Reason::NotLocal
    }
}

impl fmt::Display for InvalidRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Reason::Empty => f.write_str("redirect target is empty"),
            Reason::Character { position } => write!(
                f,
                "redirect target has a control, space or non-ASCII byte at offset {position}"
            ),
            Reason::NotLocal => f.write_str("redirect target is not a path on this site"),
        }
    }
}

impl std::error::Error for InvalidRedirect {}

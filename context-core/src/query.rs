//! The URI query, deserialized: [`Context::query`](crate::Context::query) and its [`QueryRejection`].
//!
//! The query is parsed the way HTML forms encode it (`application/x-www-form-urlencoded`, `+` for a
//! space, percent-decoded UTF-8), with serde_html_form: a key given several times (`?tag=a&tag=b`)
//! fills a `Vec` field, a key given once fills a plain one.
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Search {
//!     q: String,
//!     #[serde(default)]
//!     tag: Vec<String>,
//!     page: Option<u32>,
//! }
//!
//! let request = http::Request::get("/?q=Zo%C3%AB+Ada&tag=a&tag=b").body(baton::Body::empty()).unwrap();
//! let search: Search = baton::Context::from_request(request).query().unwrap();
//! assert_eq!((search.q.as_str(), search.tag.len(), search.page), ("Zoë Ada", 2, None));
//! ```

use crate::response::{IntoResponse, Response};
use http::StatusCode;
use std::fmt;

/// The most of one quoted input value echoed back in an error message: a query is attacker-chosen
/// text, and an error page must not become a reflection of it.
const ECHO_VALUE: usize = 64;

/// Why the query string could not be deserialized: answers `400 Bad Request`, naming the field.
///
/// ```
/// use baton::{IntoResponse, query::QueryRejection};
///
/// let request = http::Request::get("/?page=two").body(baton::Body::empty()).unwrap();
/// #[derive(serde::Deserialize, Debug)]
/// struct Page { page: u32 }
/// let rejection: QueryRejection = baton::Context::from_request(request).query::<Page>().unwrap_err();
/// assert_eq!(rejection.field(), Some("page"));
/// assert!(rejection.to_string().starts_with("invalid query parameter `page`: "));
/// assert_eq!(rejection.into_response().status(), 400);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRejection {
    field: Option<String>,
    message: String,
}

impl QueryRejection {
    /// Deserializes `query` (without the `?`) into `T`.
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, Self> {
        let deserializer = serde_html_form::Deserializer::from_bytes(query.as_bytes());
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            QueryRejection {
                // `.` is serde_path_to_error's name for the whole query (a missing field is reported
                // there, with the field's name in the message).
                field: (path != ".").then(|| bounded_echo(&path, ECHO_VALUE).into_owned()),
                message: bounded_quotes(&error.into_inner().to_string()),
            }
        })
    }

    /// The query parameter that failed, when serde could tell (not for a missing field, which the
    /// message names).
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Page { page: u32 }
    ///
    /// let query = |uri: &str| {
    ///     let request = http::Request::get(uri).body(baton::Body::empty()).unwrap();
    ///     baton::Context::from_request(request).query::<Page>()
    /// };
    /// assert_eq!(query("/?page=two").err().unwrap().field(), Some("page"));
    /// assert_eq!(query("/").err().unwrap().field(), None); // missing: named in the message
    /// ```
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What was wrong, with any echoed input cut to 64 characters. The response body (and `Display`)
    /// puts the [`field`](Self::field) in front of it.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Page { page: u32 }
    ///
    /// let query = |uri: &str| {
    ///     let request = http::Request::get(uri).body(baton::Body::empty()).unwrap();
    ///     baton::Context::from_request(request).query::<Page>()
    /// };
    /// let invalid = query("/?page=two").err().unwrap();
    /// assert_eq!(invalid.message(), "invalid digit found in string");
    /// assert_eq!(invalid.to_string(), "invalid query parameter `page`: invalid digit found in string");
    /// let missing = query("/").err().unwrap();
    /// assert_eq!(missing.message(), "missing field `page`");
    /// assert_eq!(missing.to_string(), "invalid query string: missing field `page`");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for QueryRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "invalid query parameter `{field}`: {}", self.message),
            None => write!(f, "invalid query string: {}", self.message),
        }
    }
}

impl std::error::Error for QueryRejection {}

impl IntoResponse for QueryRejection {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.to_string()).into_response()
    }
}

/// `text` cut to `max` characters, saying how long it was.
fn bounded_echo(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()).into(),
    }
}

/// A serde message with every quoted part (`"…"` or `` `…` ``, where serde quotes the input) cut to
/// [`ECHO_VALUE`] characters; the words around them, which explain the error, are kept.
fn bounded_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        let close = inner.find(quote).unwrap_or(inner.len());
        out.push_str(&bounded_echo(&inner[..close], ECHO_VALUE));
        rest = &inner[close..];
        if let Some(after) = rest.strip_prefix(quote) {
            out.push(quote);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Q {
        #[allow(dead_code)]
        n: u8,
    }

    #[test]
    fn quotes_are_bounded() {
        let long = "x".repeat(10_000);
        let message = bounded_quotes(&format!("invalid value: \"{long}\", expected `u8`"));
        assert!(message.len() < 200, "{message}");
        assert!(message.ends_with("\", expected `u8`"), "{message}");
        assert_eq!(bounded_quotes("no quotes"), "no quotes");
        assert_eq!(bounded_quotes("open \"end"), "open \"end");
    }

    #[test]
    fn missing_and_invalid_fields() {
        let missing = QueryRejection::parse::<Q>("").unwrap_err();
        assert_eq!(missing.field(), None);
        assert!(missing.message().contains("missing field `n`"), "{missing}");
        let invalid = QueryRejection::parse::<Q>(&format!("n={}", "9".repeat(5000))).unwrap_err();
        assert_eq!(invalid.field(), Some("n"));
        assert!(invalid.to_string().len() < 200, "{invalid}");
    }
}

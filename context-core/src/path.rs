//! Path parameters: raw strings from the matched route, deserialized on demand with serde.
//!
//! `/users/{id}` matched against `/users/7` gives `id = "7"`; `ctx.path::<u32>()` parses it, and a
//! malformed value becomes a [`PathRejection`] that answers `400 Bad Request` with the reason.
//!
//! Read one parameter as a scalar, several as a tuple in route order or as a struct whose fields are
//! named like them; `?` in a handler answers with the rejection:
//!
//! ```
//! use baton::{Context, PathRejection, Router, get};
//!
//! #[derive(serde::Deserialize)]
//! struct FileParams {
//!     user: String,
//!     path: String,
//! }
//!
//! async fn user(ctx: Context) -> Result<String, PathRejection> {
//!     let id: u32 = ctx.path()?;
//!     Ok(format!("user {id}"))
//! }
//!
//! async fn comment(ctx: Context) -> Result<String, PathRejection> {
//!     let (post, comment): (u32, u32) = ctx.path()?;
//!     Ok(format!("post {post}, comment {comment}"))
//! }
//!
//! async fn file(ctx: Context) -> Result<String, PathRejection> {
//!     let params: FileParams = ctx.path()?;
//!     Ok(format!("{}: {}", params.user, params.path))
//! }
//!
//! let app = Router::new()
//!     .route("/users/{id}", get(user))
//!     .route("/posts/{post}/comments/{comment}", get(comment))
//!     .route("/files/{user}/{*path}", get(file));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let call = |path: &'static str| {
//!     app.call_request(http::Request::get(path).body(baton::Body::empty()).unwrap())
//! };
//! let text = |response: baton::Response| response.into_body().collect_bytes();
//!
//! assert_eq!(text(call("/users/7").await).await.unwrap(), "user 7");
//! assert_eq!(text(call("/posts/1/comments/2").await).await.unwrap(), "post 1, comment 2");
//! assert_eq!(text(call("/files/ada/notes/a%20b.txt").await).await.unwrap(), "ada: notes/a b.txt");
//!
//! let refused = call("/users/seven").await;
//! assert_eq!(refused.status(), 400);
//! let reason = text(refused).await.unwrap();
//! assert!(std::str::from_utf8(&reason).unwrap().starts_with("invalid path parameter: `id`"));
//! # });
//! ```

use crate::response::{IntoResponse, Response};
use http::StatusCode;
use serde::de::{self, DeserializeOwned};
use std::fmt;
use std::sync::Arc;

mod deserializer;
mod segments;
mod values;
use deserializer::ParamsDeserializer;
use segments::Layout;
use values::Values;

/// The path parameters of a matched route, in route order.
///
/// Names are shared with the route (no copy per request); values sit in one buffer. Read one by name
/// with [`Context::param`](crate::Context::param), all of them with [`Context::params`](crate::Context::params),
/// or typed with [`Context::path`](crate::Context::path).
///
/// ```
/// use baton::{Context, Router, get};
///
/// async fn file(ctx: Context) -> String {
///     let params = ctx.params();
///     format!("{} params, user {:?}", params.len(), params.get("user"))
/// }
///
/// let app = Router::new().route("/users/{user}/files/{*path}", get(file));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/users/ada/files/a/b.txt").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), r#"2 params, user Some("ada")"#);
/// # });
/// ```
#[derive(Clone, Default)]
pub struct PathParams {
    /// The matched route's pattern and parameter names, shared by every request of the route.
    route: Option<Arc<RouteNames>>,
    values: Values,
    /// End offset of each value in `values`.
    ends: Ends,
}

/// What every request of one route shares: its pattern and its parameter names, in order.
pub(crate) struct RouteNames {
    /// `None` for parameters built by hand.
    pattern: Option<Box<str>>,
    names: Box<[Box<str>]>,
    /// Where the parameters sit in a matching path, for reading them without the matcher.
    layout: Option<Layout>,
}

impl RouteNames {
    /// The names of `pattern`'s parameters (see [`parameter_names`]).
    pub(crate) fn of(pattern: &str) -> Arc<RouteNames> {
        let names = parameter_names(pattern);
        Arc::new(RouteNames {
            pattern: Some(pattern.into()),
            layout: Layout::of(pattern, &names),
            names,
        })
    }

    pub(crate) fn names(&self) -> &[Box<str>] {
        &self.names
    }
}

/// Value end offsets, inline for the usual handful of parameters.
#[derive(Clone, Default)]
enum Ends {
    #[default]
    None,
    Inline(u8, [u32; 4]),
    Heap(Vec<u32>),
}

impl Ends {
    // Always inlined, with the move to the heap out of line: a route has a parameter or two, and
    // this runs for each on every request.
    #[inline(always)]
    fn push(&mut self, end: u32) {
        match self {
            Ends::None => *self = Ends::Inline(1, [end, 0, 0, 0]),
            Ends::Inline(len, ends) if usize::from(*len) < ends.len() => {
                ends[usize::from(*len)] = end;
                *len += 1;
            }
            _ => self.push_beyond_inline(end),
        }
    }

    #[cold]
    fn push_beyond_inline(&mut self, end: u32) {
        match self {
            Ends::Heap(heap) => heap.push(end),
            Ends::None | Ends::Inline(..) => {
                let mut heap = self.as_slice().to_vec();
                heap.push(end);
                *self = Ends::Heap(heap);
            }
        }
    }

    #[inline]
    fn as_slice(&self) -> &[u32] {
        match self {
            Ends::None => &[],
            Ends::Inline(len, ends) => &ends[..usize::from(*len)],
            Ends::Heap(heap) => heap,
        }
    }
}

impl PathParams {
    /// The pattern of the route the request matched (`/users/{id}`, scope prefixes included), or
    /// `None` when none did (a 404) or the parameters were built by hand.
    ///
    /// ```
    /// use baton::{Context, PathParams, Router, get};
    ///
    /// let app = Router::new().scope("/api", |api| {
    ///     api.route("/users/{id}", get(|ctx: Context| async move {
    ///         ctx.params().pattern().unwrap_or("-").to_string()
    ///     }))
    /// });
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/api/users/7").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "/api/users/{id}");
    /// # });
    ///
    /// let by_hand: PathParams = [("id", "7")].into_iter().collect();
    /// assert_eq!(by_hand.pattern(), None);
    /// ```
    pub fn pattern(&self) -> Option<&str> {
        self.route.as_ref()?.pattern.as_deref()
    }

    /// The raw value of `name` (a string, not deserialized; percent-decoded when it comes from a matched
    /// route), or `None` if the route has no such parameter. [`Context::param`](crate::Context::param)
    /// is a shortcut for it.
    ///
    /// ```
    /// let params: baton::PathParams = [("user", "ada"), ("repo", "notes")].into_iter().collect();
    /// assert_eq!(params.get("repo"), Some("notes"));
    /// assert_eq!(params.get("branch"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// Parameters in route order, as `(name, value)` pairs.
    ///
    /// ```
    /// let params: baton::PathParams = [("user", "ada"), ("repo", "notes")].into_iter().collect();
    /// let pairs: Vec<(&str, &str)> = params.iter().collect();
    /// assert_eq!(pairs, [("user", "ada"), ("repo", "notes")]);
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            params: self,
            index: 0,
        }
    }

    /// How many parameters the route captured.
    ///
    /// ```
    /// let params: baton::PathParams = [("user", "ada"), ("repo", "notes")].into_iter().collect();
    /// assert_eq!(params.len(), 2);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.as_slice().len()
    }

    /// Whether the route captured none (a route without parameters, or no route: a 404).
    ///
    /// ```
    /// use baton::{Context, Router, get};
    ///
    /// let app = Router::new().route("/", get(|ctx: Context| async move { ctx.params().is_empty().to_string() }));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
    /// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "true");
    /// # });
    /// assert!(!Context::default().with_params([("id", "7")]).params().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn entry(&self, index: usize) -> Option<(&str, &str)> {
        let value = self.value(index)?;
        Some((self.name(index), value))
    }

    /// The value at `index`, without looking up its name (which only errors need).
    #[inline]
    pub(crate) fn value(&self, index: usize) -> Option<&str> {
        let ends = self.ends.as_slice();
        let end = *ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(before) => ends[before] as usize,
            None => 0,
        };
        Some(&self.values.as_str()[start..end])
    }

    /// The name of the parameter at `index` (`""` for one past the route's names).
    pub(crate) fn name(&self, index: usize) -> &str {
        self.route
            .as_ref()
            .and_then(|route| route.names.get(index))
            .map_or("", |name| name)
    }

    /// The parameters of a matched route, percent-decoded (`%20` → space). A value whose decoded bytes
    /// are not UTF-8 is kept as sent. `names` are the route's parameter names, in order.
    #[inline]
    pub(crate) fn decoded<'a>(
        route: &Arc<RouteNames>,
        values: impl Iterator<Item = &'a str>,
    ) -> Self {
        let mut params = PathParams {
            route: Some(route.clone()),
            values: Values::default(),
            ends: Ends::None,
        };
        for value in values.take(route.names.len()) {
            percent_decode_into(value, &mut params.values);
            params.ends.push(params.values.len() as u32);
        }
        params
    }

    /// The parameters of `route` read straight off `path`, a path that matched it (see
    /// `path/segments.rs`), percent-decoded as [`decoded`](Self::decoded) does; `None` when the route's
    /// pattern does not allow it, and the matcher's parameters are to be read instead.
    #[inline]
    pub(crate) fn matched(route: &Arc<RouteNames>, path: &str) -> Option<Self> {
        let layout = route.layout.as_ref()?;
        let mut params = PathParams {
            route: Some(route.clone()),
            values: Values::default(),
            ends: Ends::None,
        };
        for value in layout.values(path) {
            percent_decode_into(value?, &mut params.values);
            params.ends.push(params.values.len() as u32);
        }
        Some(params)
    }

    pub(crate) fn deserialize<T: DeserializeOwned>(&self) -> Result<T, PathRejection> {
        T::deserialize(ParamsDeserializer { params: self }).map_err(|error| {
            // A target's `Deserialize` may reject a value after reading it, outside the deserializer
            // that knows its name; with one parameter there is no doubt which one it was.
            if self.len() == 1 {
                error.in_param(self.name(0))
            } else {
                error
            }
        })
    }
}

/// Iterator over `(name, value)` pairs of [`PathParams`], in route order: see [`PathParams::iter`].
///
/// ```
/// use baton::Context;
///
/// let ctx = Context::default().with_params([("org", "acme"), ("user", "ada")]);
/// let mut params: baton::path::Iter<'_> = ctx.params().iter();
/// assert_eq!(params.next(), Some(("org", "acme")));
/// assert_eq!(params.next(), Some(("user", "ada")));
/// assert_eq!(params.next(), None);
/// ```
#[derive(Clone)]
pub struct Iter<'a> {
    params: &'a PathParams,
    index: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.params.entry(self.index)?;
        self.index += 1;
        Some(entry)
    }
}

impl fmt::Debug for PathParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for PathParams {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for PathParams {}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for PathParams {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut names = Vec::new();
        let mut params = PathParams::default();
        for (name, value) in iter {
            names.push(name.into().into_boxed_str());
            params.values.push_str(&value.into());
            params.ends.push(params.values.len() as u32);
        }
        params.route = Some(Arc::new(RouteNames {
            pattern: None,
            names: names.into(),
            layout: None,
        }));
        params
    }
}

/// The parameter names of a route pattern (`/users/{id}/posts/{*rest}` → `id`, `rest`), in order.
pub(crate) fn parameter_names(pattern: &str) -> Box<[Box<str>]> {
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        // `{{` is an escaped brace in matchit patterns.
        if rest[open + 1..].starts_with('{') {
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = rest[open + 1..open + close].trim_start_matches('*');
        // A scope fallback's catch-all is routing machinery, not a parameter of the user's route.
        if name != "__baton_fallback" {
            names.push(name.into());
        }
        rest = &rest[open + close + 1..];
    }
    names.into()
}

/// The first name that appears twice in a route's parameter names, if any.
pub(crate) fn repeated_name(names: &[Box<str>]) -> Option<&str> {
    // Routes have a handful of parameters and this runs once per route, when the router is built.
    names
        .iter()
        .enumerate()
        .find(|(index, name)| names[..*index].contains(name))
        .map(|(_, name)| &**name)
}

#[inline]
fn percent_decode_into(value: &str, out: &mut Values) {
    // Most values have no escape (`42`, `ada`): kept as they are, no second pass.
    if value.bytes().any(|byte| byte == b'%') {
        percent_decode_slow(value, out);
    } else {
        out.push_str(value);
    }
}

#[cold]
fn percent_decode_slow(value: &str, out: &mut Values) {
    let hex = |byte: u8| (byte as char).to_digit(16).map(|digit| digit as u8);
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(index + 1).copied().and_then(hex),
                bytes.get(index + 2).copied().and_then(hex),
            )
        {
            decoded.push(high << 4 | low);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    match String::from_utf8(decoded) {
        Ok(decoded) => out.push_str(&decoded),
        Err(_) => out.push_str(value),
    }
}

/// A path parameter that could not be deserialized; responds `400 Bad Request`.
///
/// The message names the parameter and quotes at most 64 characters of its value (then `…` and the
/// value's full length), so a long parameter cannot make a long response.
///
/// Returned by [`Context::path`](crate::Context::path); a handler passes it on with `?`.
///
/// ```
/// use baton::{Context, PathRejection, Router, get};
///
/// async fn user(ctx: Context) -> Result<String, PathRejection> {
///     let id: u32 = ctx.path()?;
///     Ok(format!("user {id}"))
/// }
///
/// let app = Router::new().route("/users/{id}", get(user));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/users/seven").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.status(), 400);
/// let text = response.into_body().collect_bytes().await.unwrap();
/// assert_eq!(text, r#"invalid path parameter: `id` must be a non-negative integer (u32), got "seven""#);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRejection {
    message: String,
    /// Whether `message` already says where the error is: which parameter, or the route's count.
    located: bool,
}

impl PathRejection {
    /// What was wrong, in words for the client (the response body is `invalid path parameter: ` and
    /// this).
    ///
    /// ```
    /// let ctx = baton::Context::default().with_params([("id", "seven")]);
    /// let rejection = ctx.path::<u32>().unwrap_err();
    /// assert_eq!(rejection.message(), r#"`id` must be a non-negative integer (u32), got "seven""#);
    ///
    /// let ctx = baton::Context::default().with_params([("user", "ada"), ("id", "7")]);
    /// let rejection = ctx.path::<u32>().unwrap_err(); // one value asked of a route with two
    /// assert_eq!(rejection.message(), "expected 1 parameter, the route has 2");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    fn new(message: String) -> Self {
        PathRejection {
            message,
            located: false,
        }
    }

    /// A rejection whose message already says where the error is.
    pub(crate) fn located(message: String) -> Self {
        PathRejection {
            located: true,
            ..PathRejection::new(message)
        }
    }

    /// Says which parameter an error raised by the target type's own `Deserialize` is about.
    pub(crate) fn in_param(self, name: &str) -> Self {
        if self.located {
            return self;
        }
        PathRejection::located(format!("`{name}`: {}", self.message))
    }
}

impl fmt::Display for PathRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid path parameter: {}", self.message)
    }
}

impl std::error::Error for PathRejection {}

impl de::Error for PathRejection {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        // A type's own `Deserialize` may put the whole value in its message: cap what reaches the client.
        PathRejection::new(bounded(msg.to_string(), MAX_MESSAGE_CHARS))
    }

    // serde's default messages for the next three quote the whole value.
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        PathRejection::new(format!(
            "invalid type: {}, expected {expected}",
            Unexpected(unexpected)
        ))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        PathRejection::new(format!(
            "invalid value: {}, expected {expected}",
            Unexpected(unexpected)
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let expected = expected
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>();
        let expected = match expected.as_slice() {
            [] => "there are no variants".to_string(),
            [only] => format!("expected {only}"),
            [names @ .., last] => format!("expected one of {}, {last}", names.join(", ")),
        };
        PathRejection::new(format!("unknown variant {}, {expected}", Echo(variant)))
    }

    // These are about the route's parameter names, not about one value: the single-parameter case
    // must not blame that parameter for them.
    fn missing_field(field: &'static str) -> Self {
        PathRejection::located(format!("missing parameter `{field}`"))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        PathRejection::located(format!(
            "unexpected parameter `{field}`, expected {}",
            expected
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

impl IntoResponse for PathRejection {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.to_string()).into_response()
    }
}

/// How many characters of a request's value an error quotes.
const ECHO_CHARS: usize = 64;
/// A cap on a whole message, for messages written by a target type's `Deserialize` rather than by us.
const MAX_MESSAGE_CHARS: usize = 192;

/// A value from the request, quoted and escaped like `{:?}`, with at most [`ECHO_CHARS`] characters
/// of escaped text; a longer value is cut on a character boundary and followed by `…` and its length.
pub(crate) struct Echo<'a>(pub(crate) &'a str);

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        let mut shown = 0;
        for c in self.0.chars() {
            // `escape_debug` also escapes `'`, which `{:?}` on a string leaves alone.
            let escape = (c != '\'').then(|| c.escape_debug());
            let width = escape.as_ref().map_or(1, ExactSizeIterator::len);
            if shown + width > ECHO_CHARS {
                return write!(f, "…\" ({} bytes)", self.0.len());
            }
            shown += width;
            match escape {
                Some(escape) => write!(f, "{escape}")?,
                None => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

/// serde's description of an unexpected input, with strings quoted through [`Echo`].
struct Unexpected<'a>(de::Unexpected<'a>);

impl fmt::Display for Unexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            de::Unexpected::Str(text) => write!(f, "string {}", Echo(text)),
            de::Unexpected::Other(text) => f.write_str(&bounded(text.to_string(), ECHO_CHARS)),
            other => other.fmt(f),
        }
    }
}

/// `text` cut to at most `max` characters on a character boundary, marked with `…` and its length.
fn bounded(mut text: String, max: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        let len = text.len();
        text.truncate(cut);
        text.push_str(&format!("… ({len} bytes)"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> PathParams {
        pairs.iter().copied().collect()
    }

    fn percent_decode(value: &str) -> String {
        let mut out = Values::default();
        percent_decode_into(value, &mut out);
        out.as_str().to_string()
    }

    #[test]
    fn parameter_names_follow_the_pattern() {
        let names = parameter_names("/users/{id}/files/{*rest}");
        assert_eq!(&*names, &["id".into(), "rest".into()] as &[Box<str>]);
        assert!(parameter_names("/a/{{literal}}/b").is_empty());
        assert_eq!(parameter_names("/s/{*__baton_fallback}").len(), 0);
    }

    #[test]
    fn matched_params_are_percent_decoded() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("o%C3%A9"), "oé");
        // Not an escape, or not UTF-8 once decoded: kept as sent.
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "%FF");
        let decoded =
            PathParams::decoded(&RouteNames::of("/{name}"), ["ada%20lovelace"].into_iter());
        assert_eq!(decoded.get("name"), Some("ada lovelace"));
    }

    #[test]
    fn single_tuple_and_struct() {
        assert_eq!(params(&[("id", "7")]).deserialize::<u32>().unwrap(), 7);
        let pair: (String, u8) = params(&[("name", "ann"), ("age", "30")])
            .deserialize()
            .unwrap();
        assert_eq!(pair, ("ann".to_string(), 30));

        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct UserPost {
            user: u64,
            slug: String,
        }
        let post: UserPost = params(&[("user", "1"), ("slug", "hi")])
            .deserialize()
            .unwrap();
        assert_eq!(
            post,
            UserPost {
                user: 1,
                slug: "hi".into()
            }
        );
    }

    #[test]
    fn repeated_names_are_found() {
        assert_eq!(
            repeated_name(&parameter_names("/a/{id}/b/{id}")),
            Some("id")
        );
        assert_eq!(
            repeated_name(&parameter_names("/f/{rest}/{*rest}")),
            Some("rest")
        );
        assert_eq!(repeated_name(&parameter_names("/a/{x}/{y}/{z}")), None);
        assert_eq!(
            repeated_name(&parameter_names("/s/{*__baton_fallback}")),
            None
        );
    }

    #[test]
    fn echoed_values_are_quoted_escaped_and_cut() {
        assert_eq!(Echo("it's \"ok\"\n").to_string(), r#""it's \"ok\"\n""#);
        let exact = "a".repeat(ECHO_CHARS);
        assert_eq!(Echo(&exact).to_string(), format!("\"{exact}\""));
        let long = format!("{exact}b");
        assert_eq!(
            Echo(&long).to_string(),
            format!("\"{exact}…\" ({} bytes)", long.len())
        );
        // Cut on a character, never inside a character or an escape.
        let wide = "é".repeat(100);
        assert_eq!(
            Echo(&wide).to_string(),
            format!("\"{}…\" (200 bytes)", "é".repeat(ECHO_CHARS))
        );
        let escapes = "\n".repeat(40);
        assert_eq!(
            Echo(&escapes).to_string(),
            format!("\"{}…\" (40 bytes)", "\\n".repeat(ECHO_CHARS / 2))
        );
        assert_eq!(bounded("abcdef".into(), 3), "abc… (6 bytes)");
        assert_eq!(bounded("abc".into(), 3), "abc");
    }

    #[test]
    fn a_struct_missing_a_parameter_blames_the_route_not_a_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Post {
            user: u64,
        }
        let error = params(&[("id", "1")]).deserialize::<Post>().unwrap_err();
        assert_eq!(error.message(), "missing parameter `user`");
    }

    #[test]
    fn malformed_values_name_the_parameter() {
        let error = params(&[("id", "abc")]).deserialize::<u32>().unwrap_err();
        assert_eq!(
            error.message(),
            "`id` must be a non-negative integer (u32), got \"abc\""
        );
        let error = params(&[("a", "1"), ("b", "2")])
            .deserialize::<u32>()
            .unwrap_err();
        assert!(error.message().contains("expected 1 parameter"));
    }
}

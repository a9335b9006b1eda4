//! Form bodies: [`form_data(limits)`](form_data()) provides [`FormData`], the fields and files of an
//! `application/x-www-form-urlencoded` or `multipart/form-data` request.
//!
//! * GET and HEAD requests, and bodies of any other content type, get an empty [`FormData`] and their
//!   body is left unread (a JSON handler after `form_data` still reads it).
//! * Multipart is parsed by multer while the body streams in. Files up to
//!   [`spool_threshold`](FormLimits::spool_threshold) (64 KiB) stay in memory; larger ones are written
//!   to a temporary file, deleted when the [`FormFile`] is dropped, so a form never holds a large
//!   upload in memory.
//! * Every limit (the [`FormLimits`] defaults are the seeds': 20 files, 2 MiB a file, 1000 parts, and
//!   100 KiB a field name or text value) answers `413 Payload Too Large` naming the limit hit. The
//!   whole body is bounded by the request's [`BodyLimit`](crate::__baton::BodyLimit) (2 MiB unless a
//!   scope raised it with `body_limit(n)`): raise that one too for large uploads.
//! * A malformed body (a boundary never closed, a field that is not UTF-8) is a `400 Bad Request`.
//! * [`FormData::form`] (the typed view [`Form<T>`]) and [`FormData::parse`] deserialize the fields
//!   into your type: a `422` naming the field on failure.
//!
//! ```
//! use baton::builtin::form::{FormData, FormLimits, form_data};
//! use baton::{Context, Router, handler, post};
//!
//! #[derive(serde::Deserialize)]
//! struct NewNote {
//!     title: String,
//!     #[serde(default)]
//!     tags: Vec<String>,
//! }
//!
//! #[handler]
//! async fn create(ctx: Context) -> Result<String, baton::builtin::form::FormRejection> {
//!     let note: NewNote = ctx.get::<FormData>().parse()?;
//!     Ok(format!("{} {:?}", note.title, note.tags))
//! }
//!
//! let app = Router::new()
//!     .with(form_data(FormLimits::default()))
//!     .route("/notes", post(create));
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = http::Request::post("/notes")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body(baton::Body::from("title=Zo%C3%AB&tags=a&tags=b"))
//!     .unwrap();
//! let response = app.call_request(request).await;
//! assert_eq!(response.status(), 200);
//! # });
//! ```

use crate::__baton::{BodyRejection, Context, IntoResponse, KeyList, Response, StatusCode};
use baton_macros::{context_key, middleware};
use bytes::{Bytes, BytesMut};
use http::Method;
use std::fmt;
use std::path::Path;
use tokio::io::AsyncWriteExt;

mod limits;
mod typed;
pub use limits::FormLimits;
pub use typed::Form;

/// The fields and files of a form body, provided by [`form_data()`]. Empty for GET and HEAD requests
/// and for bodies that are not forms.
///
/// ```
/// use baton::builtin::form::FormData;
///
/// let form = FormData::from_fields([("tag", "a"), ("tag", "b"), ("title", "hi")]);
/// assert_eq!(form.get("title"), Some("hi"));
/// assert_eq!(form.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert!(form.files().is_empty());
/// ```
#[context_key(crate = "crate::__baton")]
#[derive(Debug, Default)]
pub struct FormData {
    fields: Vec<(String, String)>,
    files: Vec<FormFile>,
    /// The body of a urlencoded form, already checked against the limits and for UTF-8: `parse`
    /// deserializes it as it came instead of encoding the decoded fields again.
    encoded: Option<Bytes>,
}

impl FormData {
    /// A form of text fields only (for tests and for building one by hand).
    ///
    /// ```
    /// let form = baton::builtin::form::FormData::from_fields([("a", "1")]);
    /// assert_eq!(form.fields().count(), 1);
    /// ```
    pub fn from_fields<N: Into<String>, V: Into<String>>(
        fields: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        FormData {
            fields: fields
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
            files: Vec::new(),
            encoded: None,
        }
    }

    /// Reads the form body of `ctx` under `limits`: what [`form_data()`] provides, for code that reads
    /// a form without the middleware.
    ///
    /// ```
    /// use baton::builtin::form::{FormData, FormLimits};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let request = http::Request::post("/")
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body(baton::Body::from("a=1&b=x+y"))
    ///     .unwrap();
    /// let mut ctx = baton::Context::from_request(request);
    /// let form = FormData::read(&mut ctx, &FormLimits::default()).await.unwrap();
    /// assert_eq!(form.get("b"), Some("x y"));
    /// # });
    /// ```
    pub async fn read<P: KeyList>(
        ctx: &mut Context<P>,
        limits: &FormLimits,
    ) -> Result<FormData, FormRejection> {
        if ctx.method() == Method::GET || ctx.method() == Method::HEAD {
            return Ok(FormData::default());
        }
        let Some(content_type) = ctx
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
        else {
            return Ok(FormData::default());
        };
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            let body = ctx.bytes().await.map_err(FormRejection::from_body)?;
            Ok(FormData {
                fields: limits::urlencoded_fields(&body, limits)?,
                files: Vec::new(),
                encoded: Some(body),
            })
        } else if essence.eq_ignore_ascii_case("multipart/form-data") {
            let boundary = multer::parse_boundary(content_type).map_err(|error| {
                FormRejection::Malformed(format!(
                    "multipart/form-data needs a boundary parameter: {error}"
                ))
            })?;
            read_multipart(ctx.take_body(), boundary, limits).await
        } else {
            Ok(FormData::default())
        }
    }

    /// The first value of the text field `name`.
    ///
    /// ```
    /// let form = baton::builtin::form::FormData::from_fields([("a", "1"), ("a", "2")]);
    /// assert_eq!(form.get("a"), Some("1"));
    /// assert_eq!(form.get("b"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of the text field `name`, in body order.
    ///
    /// ```
    /// let form = baton::builtin::form::FormData::from_fields([("a", "1"), ("b", "x"), ("a", "2")]);
    /// assert_eq!(form.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
    /// ```
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.fields
            .iter()
            .filter(move |(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// All text fields as `(name, value)`, in body order.
    ///
    /// ```
    /// let form = baton::builtin::form::FormData::from_fields([("a", "1")]);
    /// assert_eq!(form.fields().collect::<Vec<_>>(), [("a", "1")]);
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The first file uploaded under the field `name`.
    ///
    /// ```
    /// assert!(baton::builtin::form::FormData::default().file("avatar").is_none());
    /// ```
    pub fn file(&self, name: &str) -> Option<&FormFile> {
        self.files.iter().find(|file| file.name == name)
    }

    /// All uploaded files, in body order.
    ///
    /// ```
    /// assert!(baton::builtin::form::FormData::default().files().is_empty());
    /// ```
    pub fn files(&self) -> &[FormFile] {
        &self.files
    }

    /// Whether the form has neither fields nor files (as for a GET request).
    ///
    /// ```
    /// assert!(baton::builtin::form::FormData::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.files.is_empty()
    }

    /// The text fields deserialized into `T`, the way serde_html_form reads a urlencoded form: a field
    /// given several times fills a `Vec`. Files are not part of it (read them with [`file`](Self::file)).
    ///
    /// A field of the wrong shape is [`FormRejection::Invalid`], a `422` naming the field.
    ///
    /// ```
    /// use baton::builtin::form::{FormData, FormRejection};
    ///
    /// #[derive(serde::Deserialize, Debug)]
    /// struct Signup { name: String, age: u8 }
    ///
    /// let form = FormData::from_fields([("name", "Ada"), ("age", "36")]);
    /// assert_eq!(form.parse::<Signup>().unwrap().age, 36);
    ///
    /// let form = FormData::from_fields([("name", "Ada"), ("age", "old")]);
    /// let FormRejection::Invalid { path, .. } = form.parse::<Signup>().unwrap_err() else { panic!() };
    /// assert_eq!(path, "age");
    /// ```
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, FormRejection> {
        // A urlencoded body is read as it came. Fields that multipart delivered already decoded are
        // encoded again: the simplest exact way to give them serde_html_form's rules (repeated keys,
        // `Vec`, `Option`, numbers from text).
        let reencoded;
        let encoded: &[u8] = match &self.encoded {
            Some(body) => body,
            None => {
                reencoded = serde_html_form::to_string(&self.fields).map_err(|error| {
                    FormRejection::Malformed(format!(
                        "form fields could not be re-encoded: {error}"
                    ))
                })?;
                reencoded.as_bytes()
            }
        };
        let deserializer = serde_html_form::Deserializer::from_bytes(encoded);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            FormRejection::Invalid {
                path: bounded(&path),
                message: bounded(&error.into_inner().to_string()),
            }
        })
    }
}

/// One uploaded file of a multipart form: in memory when small, in a temporary file (deleted when
/// this is dropped) past [`FormLimits::spool_threshold`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use baton::builtin::form::{FormData, FormLimits};
///
/// let body = "--X\r\ncontent-disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n\
///             content-type: text/plain\r\n\r\nhello\r\n--X--\r\n";
/// let request = http::Request::post("/")
///     .header("content-type", "multipart/form-data; boundary=X")
///     .body(baton::Body::from(body))
///     .unwrap();
/// let form = FormData::read(&mut baton::Context::from_request(request), &FormLimits::default())
///     .await
///     .unwrap();
/// let file = form.file("doc").unwrap();
/// assert_eq!((file.file_name(), file.content_type(), file.len()), (Some("a.txt"), Some("text/plain"), 5));
/// assert_eq!(file.bytes().await.unwrap(), "hello");
/// assert!(file.path().is_none()); // small: kept in memory
/// # });
/// ```
#[derive(Debug)]
pub struct FormFile {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    len: u64,
    stored: Stored,
}

#[derive(Debug)]
enum Stored {
    Memory(Bytes),
    // Deleting the file is `TempPath`'s drop: the upload never outlives the request's values.
    Disk(tempfile::TempPath),
}

impl FormFile {
    /// The form field the file was sent under (`<input type="file" name="avatar">`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\ncontent-type: image/png\r\n\r\nPNG!\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default();
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// let file = &form.files()[0];
    /// assert_eq!(file.name(), "avatar");
    /// assert!(form.file("avatar").is_some());
    /// # });
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file name the client gave (untrusted: never use it as a path as it is).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"doc\"; filename=\"../../etc/passwd\"\r\n\r\nx\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default();
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// let file = form.file("doc").unwrap();
    /// assert_eq!(file.file_name(), Some("../../etc/passwd")); // as sent: sanitize before any use
    /// let safe = std::path::Path::new(file.file_name().unwrap()).file_name().unwrap();
    /// assert_eq!(safe, "passwd");
    /// # });
    /// ```
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type the client gave (untrusted: check the content itself before trusting it).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\ncontent-type: image/png\r\n\r\nPNG!\r\n--X\r\ncontent-disposition: form-data; name=\"notes\"; filename=\"n\"\r\n\r\ntext\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default();
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// assert_eq!(form.file("avatar").unwrap().content_type(), Some("image/png"));
    /// assert_eq!(form.file("notes").unwrap().content_type(), None); // the part named none
    /// # });
    /// ```
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The size in bytes, counted as it was received (in memory or on disk alike).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\ncontent-type: image/png\r\n\r\nPNG!\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default();
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// let file = form.file("avatar").unwrap();
    /// assert_eq!(file.len(), 4);
    /// assert_eq!(file.bytes().await.unwrap().len() as u64, file.len());
    /// # });
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty, as when a form's file input was left blank (browsers still send the
    /// part, with an empty file name and no content).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"avatar\"; filename=\"\"\r\ncontent-type: application/octet-stream\r\n\r\n\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default();
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// let file = form.file("avatar").unwrap();
    /// assert!(file.is_empty());
    /// assert_eq!((file.file_name(), file.len()), (Some(""), 0));
    /// # });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The temporary file holding a large upload (`None` when it is in memory): copy or read it from
    /// there; it is deleted when this `FormFile` is dropped.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\ncontent-type: image/png\r\n\r\nPNG!\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default().spool_threshold(2);
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// // Over the spool threshold (2 bytes here, 64 KiB by default): on disk.
    /// let file = form.file("avatar").unwrap();
    /// let path = file.path().unwrap().to_path_buf();
    /// assert_eq!(std::fs::read(&path).unwrap(), b"PNG!");
    /// drop(form);
    /// assert!(!path.exists(), "deleted with the form");
    /// # });
    /// ```
    pub fn path(&self) -> Option<&Path> {
        match &self.stored {
            Stored::Memory(_) => None,
            Stored::Disk(path) => Some(path),
        }
    }

    /// The whole content, read into memory (from the temporary file for a large upload): for large
    /// files prefer reading from [`path`](Self::path) in pieces.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use baton::builtin::form::{FormData, FormLimits};
    /// # let request = http::Request::post("/")
    /// #     .header("content-type", "multipart/form-data; boundary=X")
    /// #     .body(baton::Body::from("--X\r\ncontent-disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\ncontent-type: image/png\r\n\r\nPNG!\r\n--X--\r\n"))
    /// #     .unwrap();
    /// # let limits = FormLimits::default().spool_threshold(0);
    /// # let form = FormData::read(&mut baton::Context::from_request(request), &limits).await.unwrap();
    /// let file = form.file("avatar").unwrap();
    /// assert!(file.path().is_some(), "spooled");
    /// assert_eq!(file.bytes().await.unwrap(), "PNG!");
    /// # });
    /// ```
    pub async fn bytes(&self) -> std::io::Result<Bytes> {
        match &self.stored {
            Stored::Memory(bytes) => Ok(bytes.clone()),
            Stored::Disk(path) => tokio::fs::read(path).await.map(Bytes::from),
        }
    }
}

/// Why a form could not be read or parsed.
///
/// ```
/// use baton::builtin::form::FormRejection;
///
/// let hit = FormRejection::LimitExceeded { limit: "max_files", max: 20 };
/// assert_eq!(hit.status(), 413);
/// assert!(hit.to_string().contains("max_files"));
/// assert_eq!(FormRejection::Malformed("x".into()).status(), 400);
/// // Over another layer's length limit, whose value the error does not carry: no number is made up.
/// assert_eq!(FormRejection::OverLengthLimit.status(), 413);
/// assert!(!FormRejection::OverLengthLimit.to_string().contains(char::is_numeric));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum FormRejection {
    /// A limit was hit (`413`): `limit` is its name in [`FormLimits`] (`max_parts`, `max_files`,
    /// `max_file_size`, `max_field_size`) or `body_limit` for the request's
    /// [`BodyLimit`](crate::__baton::BodyLimit).
    LimitExceeded {
        /// The name of the limit.
        limit: &'static str,
        /// Its value (a count or bytes).
        max: usize,
    },
    /// The body went over a length limit set outside baton's [`BodyLimit`](crate::__baton::BodyLimit)
    /// (tower-http's `RequestBodyLimitLayer`, an `http_body_util::Limited` body), whose error does
    /// not say what the limit is (`413`).
    OverLengthLimit,
    /// The body is not a well-formed form (`400`).
    Malformed(String),
    /// The fields do not have the shape [`FormData::parse`] asked for (`422`).
    Invalid {
        /// The field that failed (`.` for the form itself, as for a missing field).
        path: String,
        /// What was wrong with it.
        message: String,
    },
    /// A large upload could not be written to a temporary file (`500`, logged).
    Storage(std::io::Error),
}

impl FormRejection {
    /// The status this rejection answers with.
    ///
    /// ```
    /// use baton::builtin::form::FormRejection;
    /// let invalid = FormRejection::Invalid { path: "age".into(), message: "not a number".into() };
    /// assert_eq!(invalid.status(), 422);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            FormRejection::LimitExceeded { .. } | FormRejection::OverLengthLimit => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            FormRejection::Malformed(_) => StatusCode::BAD_REQUEST,
            FormRejection::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            FormRejection::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn from_body(rejection: BodyRejection) -> Self {
        match rejection {
            BodyRejection::TooLarge { limit } => FormRejection::LimitExceeded {
                limit: "body_limit",
                max: limit,
            },
            // Another layer's length limit (tower-http's `RequestBodyLimitLayer`, an
            // `http_body_util::Limited` body): its error does not carry the limit's value.
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                FormRejection::OverLengthLimit
            }
            other => FormRejection::Malformed(other.to_string()),
        }
    }

    fn from_multer(error: multer::Error) -> Self {
        match error {
            multer::Error::StreamReadFailed(error) => {
                FormRejection::from_body(BodyRejection::from_read_error(error))
            }
            multer::Error::IncompleteStream
            | multer::Error::IncompleteFieldData { .. }
            | multer::Error::IncompleteHeaders => FormRejection::Malformed(
                "multipart body ended before its closing boundary".to_string(),
            ),
            other => FormRejection::Malformed(format!(
                "malformed multipart body: {}",
                bounded(&other.to_string())
            )),
        }
    }
}

impl fmt::Display for FormRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormRejection::LimitExceeded { limit, max } => {
                let what = match *limit {
                    "max_parts" => "parts",
                    "max_files" => "files",
                    "max_file_size" => "bytes in one file",
                    "max_field_size" => "bytes in one field",
                    _ => "bytes in the body",
                };
                write!(f, "form over the `{limit}` limit: more than {max} {what}")
            }
            FormRejection::OverLengthLimit => {
                f.write_str("form body over the length limit of a body-limit layer")
            }
            FormRejection::Malformed(message) => write!(f, "malformed form body: {message}"),
            FormRejection::Invalid { path, message } if path == "." => {
                write!(f, "invalid form: {message}")
            }
            FormRejection::Invalid { path, message } => {
                write!(f, "invalid form field `{path}`: {message}")
            }
            FormRejection::Storage(_) => f.write_str("the upload could not be stored"),
        }
    }
}

impl std::error::Error for FormRejection {}

impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        if let FormRejection::Storage(error) = &self {
            // The client did nothing wrong: say little to it, and everything to the operator.
            tracing::error!(%error, "form upload could not be spooled to a temporary file");
        }
        (self.status(), self.to_string()).into_response()
    }
}

/// Provides [`FormData`]: the form body read under `limits`. See the [module docs](self).
///
/// ```
/// use baton::builtin::form::{FormData, FormLimits, form_data};
/// use baton::{Context, Router, handler, post};
///
/// #[handler]
/// async fn count(ctx: Context) -> String {
///     ctx.get::<FormData>().fields().count().to_string()
/// }
///
/// let app = Router::new()
///     .with(form_data(FormLimits::default().max_parts(2)))
///     .route("/", post(count));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = |body: &'static str| {
///     http::Request::post("/")
///         .header("content-type", "application/x-www-form-urlencoded")
///         .body(baton::Body::from(body))
///         .unwrap()
/// };
/// assert_eq!(app.call_request(request("a=1&b=2")).await.status(), 200);
/// assert_eq!(app.call_request(request("a=1&b=2&c=3")).await.status(), 413);
/// # });
/// ```
#[middleware(crate = "crate::__baton", provides = FormData)]
pub async fn form_data(limits: &FormLimits, ctx: &mut Context) -> Result<FormData, FormRejection> {
    FormData::read(ctx, limits).await
}

async fn read_multipart(
    body: crate::__baton::Body,
    boundary: String,
    limits: &FormLimits,
) -> Result<FormData, FormRejection> {
    use http_body_util::BodyExt;

    // The body is already limited to the request's `BodyLimit` (by `take_body`), so the total is
    // bounded there; multer has no part or file counts, so they are counted here.
    let stream = OneChunkAtATime {
        inner: body.into_data_stream(),
        yielded: false,
    };
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = FormData::default();
    let mut parts = 0;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(FormRejection::from_multer)?
    {
        parts += 1;
        limits.check_count("max_parts", parts, limits.max_parts)?;
        let name = field.name().unwrap_or_default().to_string();
        // Names come from the part's headers, which multer reads whole: bounded like a value.
        limits.check_size("max_field_size", name.len(), limits.max_field_size)?;
        if let Some(file_name) = field.file_name().map(str::to_string) {
            limits.check_size("max_field_size", file_name.len(), limits.max_field_size)?;
            limits.check_count("max_files", form.files.len() + 1, limits.max_files)?;
            let content_type = field.content_type().map(ToString::to_string);
            let (len, stored) = receive_file(&mut field, limits).await?;
            form.files.push(FormFile {
                name,
                file_name: Some(file_name),
                content_type,
                len,
                stored,
            });
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(FormRejection::from_multer)? {
                limits.check_size(
                    "max_field_size",
                    value.len() + chunk.len(),
                    limits.max_field_size,
                )?;
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value).map_err(|_| {
                FormRejection::Malformed(format!("field `{}` is not UTF-8", bounded(&name)))
            })?;
            form.fields.push((name, value));
        }
    }
    Ok(form)
}

/// Hands multer one chunk per poll. multer's buffer pulls every chunk that is ready at once, so a
/// client faster than the disk (or a body already in memory) would otherwise be buffered whole before
/// a byte of it is spooled: yielding after each chunk bounds what sits in memory to a few chunks.
struct OneChunkAtATime<S> {
    inner: S,
    yielded: bool,
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for OneChunkAtATime<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        use futures_util::StreamExt;
        if std::mem::take(&mut self.yielded) {
            // Pending with an immediate wake-up: multer returns what it has, we are polled again.
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let item = std::task::ready!(self.inner.poll_next_unpin(cx));
        self.yielded = item.is_some();
        std::task::Poll::Ready(item)
    }
}

/// Receives one file part: in memory up to the spool threshold, then in a temporary file.
async fn receive_file(
    field: &mut multer::Field<'_>,
    limits: &FormLimits,
) -> Result<(u64, Stored), FormRejection> {
    let mut memory = BytesMut::new();
    let mut disk: Option<(tokio::fs::File, tempfile::TempPath)> = None;
    let mut len: usize = 0;
    while let Some(chunk) = field.chunk().await.map_err(FormRejection::from_multer)? {
        len = len.saturating_add(chunk.len());
        limits.check_size("max_file_size", len, limits.max_file_size)?;
        if disk.is_none() && len > limits.spool_threshold {
            // Creating the file is blocking I/O: off the runtime's worker threads.
            let (file, path) = tokio::task::spawn_blocking(|| {
                tempfile::NamedTempFile::new().map(tempfile::NamedTempFile::into_parts)
            })
            .await
            .map_err(|error| FormRejection::Storage(std::io::Error::other(error)))?
            .map_err(FormRejection::Storage)?;
            let mut file = tokio::fs::File::from_std(file);
            file.write_all(&memory)
                .await
                .map_err(FormRejection::Storage)?;
            memory = BytesMut::new();
            disk = Some((file, path));
        }
        match &mut disk {
            Some((file, _)) => file
                .write_all(&chunk)
                .await
                .map_err(FormRejection::Storage)?,
            None => memory.extend_from_slice(&chunk),
        }
    }
    let stored = match disk {
        Some((mut file, path)) => {
            file.flush().await.map_err(FormRejection::Storage)?;
            Stored::Disk(path)
        }
        None => Stored::Memory(memory.freeze()),
    };
    Ok((len as u64, stored))
}

/// The most of a message echoed to the client: parser messages quote the input.
fn bounded(text: &str) -> String {
    const ECHO: usize = 64;
    match text.char_indices().nth(ECHO) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

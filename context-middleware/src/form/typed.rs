//! `Form<T>`: the typed view of a [`FormData`].

use super::{FormData, FormRejection};
use std::ops::{Deref, DerefMut};

/// A form's text fields deserialized into `T`, from [`FormData::form`]: the typed view of the fields
/// [`form_data()`](super::form_data()) parsed. A field of the wrong shape is a `422` naming its path.
///
/// ```
/// use baton::builtin::form::{Form, FormData, FormLimits, FormRejection, form_data};
/// use baton::{Context, Router, handler, post};
///
/// #[derive(serde::Deserialize)]
/// struct Signup {
///     name: String,
///     age: u8,
/// }
///
/// #[handler]
/// async fn signup(ctx: Context) -> Result<String, FormRejection> {
///     let Form(signup) = ctx.get::<FormData>().form::<Signup>()?;
///     Ok(format!("{} ({})", signup.name, signup.age))
/// }
///
/// let app = Router::new().with(form_data(FormLimits::default())).route("/", post(signup));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let post = |body: &'static str| {
///     http::Request::post("/")
///         .header("content-type", "application/x-www-form-urlencoded")
///         .body(baton::Body::from(body))
///         .unwrap()
/// };
/// assert_eq!(app.call_request(post("name=Ada&age=36")).await.status(), 200);
/// let refused = app.call_request(post("name=Ada&age=old")).await;
/// assert_eq!(refused.status(), 422);
/// let text = refused.into_body().collect_bytes().await.unwrap();
/// assert!(std::str::from_utf8(&text).unwrap().contains("age"), "names the field");
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

impl<T> Form<T> {
    /// The deserialized value.
    ///
    /// ```
    /// let form = baton::builtin::form::Form(7);
    /// assert_eq!(form.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Form<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl FormData {
    /// The text fields deserialized into `T`, as a [`Form<T>`]: [`parse`](Self::parse) wrapped in
    /// the typed view.
    ///
    /// ```
    /// use baton::builtin::form::{Form, FormData};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Search { q: String, tag: Vec<String> }
    ///
    /// let fields = FormData::from_fields([("q", "rust"), ("tag", "web"), ("tag", "async")]);
    /// let Form(search) = fields.form::<Search>().unwrap();
    /// assert_eq!((search.q.as_str(), search.tag.len()), ("rust", 2));
    /// ```
    pub fn form<T: serde::de::DeserializeOwned>(&self) -> Result<Form<T>, FormRejection> {
        self.parse().map(Form)
    }
}

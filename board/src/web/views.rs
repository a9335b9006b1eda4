//! The HTML templates (minijinja, compiled into the binary with `include_str!`) and the values every
//! page shows: the user, the CSRF token for its forms, the CSP nonce for its inline script, the flash
//! and the request id.

use baton::{Html, IntoResponse, Response, StatusCode};
use minijinja::{Environment, Value, context};
use std::sync::LazyLock;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // `.html` names turn on HTML auto-escaping: a task titled `<script>` shows as text.
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("home.html", include_str!("../../templates/home.html")),
        ("login.html", include_str!("../../templates/login.html")),
        ("signup.html", include_str!("../../templates/signup.html")),
        ("tasks.html", include_str!("../../templates/tasks.html")),
        ("admin.html", include_str!("../../templates/admin.html")),
        ("audit.html", include_str!("../../templates/audit.html")),
        ("error.html", include_str!("../../templates/error.html")),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("template {name} does not parse: {error}"));
    }
    env
});

/// What the layout needs from the request, gathered once per page.
#[derive(Default, serde::Serialize)]
pub struct Frame {
    pub user: Option<crate::data::users::User>,
    pub csrf: String,
    pub nonce: String,
    pub flash: Option<String>,
    pub request_id: String,
}

/// Renders `template` with the frame's values and the page's own.
pub fn render(template: &str, frame: &Frame, page: Value) -> Response {
    render_with_status(StatusCode::OK, template, frame, page)
}

pub fn render_with_status(
    status: StatusCode,
    template: &str,
    frame: &Frame,
    page: Value,
) -> Response {
    let values = context! { ..page, ..Value::from_serialize(frame) };
    match TEMPLATES
        .get_template(template)
        .and_then(|template| template.render(values))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
                .into_response()
        }
    }
}

//! The seeds' "common ordering" (seed 001), for the built-ins that exist: in the right order it
//! compiles and runs; each wrong order the seed only *advises* against is a compile error here
//! (`tests/ui/fail/builtin_method_override_before_form_data.rs`,
//! `tests/ui/fail/builtin_logger_before_request_id.rs`). `csrf`, `session` and `auth` are not built yet.

use baton::builtin::form::{FormData, FormLimits, form_data};
use baton::builtin::method_override::{MethodOverride, method_override};
use baton::builtin::{compression, logger, static_files};
use baton::request_id::request_id;
use baton::{App, Context, Router, handler, post};
use http_body_util::BodyExt;

#[handler(requires = FormData)]
async fn save(ctx: Context) -> String {
    format!(
        "{} as {} (sent {})",
        ctx.get::<FormData>().get("title").unwrap_or_default(),
        ctx.method(),
        ctx.get::<MethodOverride>().original()
    )
}

fn app(public: &std::path::Path) -> App {
    Router::new()
        .with(request_id()) // the seed's logger needs the id: `logger()` requires it
        .with(logger()) // 1. log every request
        .with(static_files(public)) // 3. serve static files, falling through on a miss
        .with(form_data(FormLimits::default())) // 5. parse form data
        .with(method_override) // 6. after form data, or it does not compile
        .route("/notes/{id}", post(save))
        .layer(compression()) // 2. compress responses (a tower layer, outside the chain)
        .into()
}

#[tokio::test]
async fn the_seeds_common_ordering_compiles_and_runs() {
    let public = std::env::temp_dir().join(format!("baton-ordering-{}", std::process::id()));
    std::fs::create_dir_all(&public).unwrap();
    std::fs::write(public.join("app.css"), "body {}").unwrap();
    let app = app(&public);

    let css = app
        .call_request(
            http::Request::get("/app.css")
                .body(baton::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(css.status(), 200);
    assert!(css.headers().contains_key("x-request-id"));

    let form = http::Request::post("/notes/1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(baton::Body::from("title=milk&_method=PUT"))
        .unwrap();
    let response = app.call_request(form).await;
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "milk as PUT (sent POST)");
    std::fs::remove_dir_all(&public).unwrap();
}

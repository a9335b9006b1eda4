// `method_override` reads the `_method` field of the parsed form, so it must be mounted after
// `form_data`: the seeds only advise this order, baton refuses the other one.
use baton::builtin::form::{FormLimits, form_data};
use baton::builtin::method_override::method_override;
use baton::{Context, Router, post};

fn main() {
    let _ = Router::new()
        .with(method_override)
        .with(form_data(FormLimits::default()))
        .route("/", post(|_: Context| async { "ok" }));
}

// Reading, through the typed app context, a key that the app context does not declare.

use baton::context_key;

#[context_key]
struct RequestId(u64);

#[context_key]
struct Tenant(String);

baton::app_context!(struct AppContext: RequestId);

fn tenant_name() -> String {
    AppContext::current().get::<Tenant>().0.clone()
}

fn main() {
    let _ = tenant_name;
}

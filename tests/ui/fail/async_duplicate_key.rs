// Declaring the same key twice in an app context.

use baton::context_key;

#[context_key]
struct RequestId(u64);

baton::app_context!(struct AppContext: RequestId, RequestId);

fn main() {}

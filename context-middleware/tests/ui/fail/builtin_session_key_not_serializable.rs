// Session values go to a store: they must be serde types.
use baton::session_key;

#[session_key]
struct Cart(Vec<u32>);

fn main() {}

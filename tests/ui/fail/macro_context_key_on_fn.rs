// A key is a type; a function cannot be one.
use baton::context_key;

#[context_key]
fn request_id() -> u64 {
    7
}

fn main() {}

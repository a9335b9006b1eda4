// Unions cannot be keys.
use baton::context_key;

#[context_key]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}

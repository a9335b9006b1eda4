// Pulled into two modules with `include!` by `tests/key_identity.rs`: two keys, not one.
#[baton::context_key(value = String)]
pub struct Name;

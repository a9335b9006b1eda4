#[baton::context_key(value = String)]
pub struct Name;

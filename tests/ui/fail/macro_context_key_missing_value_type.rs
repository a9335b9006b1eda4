// A marker key names its value type: `value = Type`.
use baton::context_key;

#[context_key(value)]
struct Database;

fn main() {}

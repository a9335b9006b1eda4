// Every instance of a hand-written generic key shares one fingerprint. Reading one instance where
// another is provided is a compile error, never the other instance's value.
use baton::{Context, ContextKey};

struct Slot<T>(T);

impl<T: Send + Sync + 'static> ContextKey for Slot<T> {
    type Value = u64;
    type Id = baton::key_id!();
}

fn main() {
    let ctx = Context::default().provide_as::<Slot<u8>>(8);
    let _: &u64 = ctx.get::<Slot<u16>>();
}

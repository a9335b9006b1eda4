// A hand-written `Has` would let a route read a key nobody provided.
use baton::{Context, Has, Store, context_key};

#[context_key]
struct Forged(u32);

impl Has<Forged> for () {
    type Proof = ();
    fn fetch(_: &Store) -> &Forged {
        &Forged(7)
    }
}

fn main() {
    let _ = Context::default().get::<Forged>().0;
}

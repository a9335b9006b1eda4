// The proof traits are sealed: a hand-written `Position` could send `replace` to a slot that does not
// exist. It must not compile.
use baton::{Context, Position, context_key};

#[context_key]
struct Evil(String);

impl Position<Evil> for () {
    type Proof = ();
    const POSITION: usize = 3;
}

fn main() {
    let ctx = Context::default().replace::<Evil>(Evil("boom".into()));
    println!("{ctx:?}");
}

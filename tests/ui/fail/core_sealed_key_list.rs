// A hand-written `KeyList` could claim a length its store does not have.
use baton::KeyList;

struct Forged;

impl KeyList for Forged {
    const LEN: usize = 5;
}

fn main() {}

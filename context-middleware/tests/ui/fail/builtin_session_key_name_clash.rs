// Two session keys stored under one name would read each other's values.
use baton::session_key;

#[session_key(name = "cart")]
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Cart(Vec<u32>);

mod legacy {
    #[baton::session_key(name = "cart")]
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct OldCart(String);
}

fn main() {}

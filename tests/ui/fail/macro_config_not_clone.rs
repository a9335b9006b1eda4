// Configuration taken by value is cloned for each request, so it must be `Clone`
// (or take it by reference: `pool: &Pool`).
use baton::{Context, context_key, middleware};

struct Pool {
    url: String,
}

#[context_key(value = String)]
struct DatabaseUrl;

#[middleware(provides = DatabaseUrl)]
async fn database(pool: Pool, _ctx: &Context) -> String {
    pool.url
}

fn main() {}

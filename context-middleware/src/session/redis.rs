//! Connecting the Redis store with timeouts fit for a request path.

use std::time::Duration;
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::error::Error;
use tower_sessions_redis_store::fred::prelude::{
    Builder, ClientLike, Config, Pool, ReconnectPolicy,
};

/// Connects a [`RedisStore`] to `url` (`redis://127.0.0.1:6379`) with a pool of `connections`.
///
/// Unlike the client's defaults, a command fails after a second instead of waiting for Redis to come
/// back, so a Redis outage answers requests with 500s (and an `ERROR` log line) rather than hanging
/// them; the client keeps reconnecting every 100 ms and the app recovers on its own when Redis
/// returns. Fails if Redis cannot be reached at start.
///
/// ```no_run
/// use baton::builtin::session::{redis_store, session};
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = redis_store("redis://127.0.0.1:6379", 4).await?;
/// let _middleware = session(store);
/// # Ok(()) }
/// ```
pub async fn redis_store(url: &str, connections: usize) -> Result<RedisStore<Pool>, Error> {
    let config = Config::from_url(url)?;
    let pool = Builder::from_config(config)
        .with_connection_config(|connection| {
            connection.connection_timeout = Duration::from_secs(1);
            connection.internal_command_timeout = Duration::from_secs(1);
            connection.max_command_attempts = 1;
        })
        .with_performance_config(|performance| {
            performance.default_command_timeout = Duration::from_secs(1);
        })
        .set_policy(ReconnectPolicy::new_constant(0, 100))
        .build_pool(connections.max(1))?;
    pool.init().await?;
    Ok(RedisStore::new(pool))
}

//! **board**: a small team task board on baton, the application `cargo run -p board` starts.
//!
//! Every page uses the system: HTML forms with CSRF tokens and method override, sessions and log-in,
//! typed flash messages, a JSON API with bearer tokens, admin pages behind a permission, an audit log
//! the data layer writes from the ambient request context, static assets with ETags and compression,
//! and request logs. Data lives in SQLite (sqlx), created and migrated on first start.

pub mod ambient;
pub mod config;
pub mod data;
pub mod web;

pub use config::Config;

use baton::App;

/// Opens the database and builds the app for `config`.
pub async fn build(config: &Config) -> Result<App, Box<dyn std::error::Error + Send + Sync>> {
    let store = data::Store::open(&config.database).await?;
    let sessions = web::auth::session_store(config.redis.as_deref()).await?;
    Ok(web::app(web::Settings {
        store,
        cookie_keys: config.cookie_keys.clone(),
        sessions,
        static_dir: config.static_dir.clone(),
    }))
}

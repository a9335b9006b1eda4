//! Settings from the environment, each with a default that runs with no setup.

use baton::builtin::cookies::{Key, KeyRing};
use std::path::PathBuf;

/// How the board runs.
#[derive(Clone)]
pub struct Config {
    /// `BATON_ADDR`, default `127.0.0.1:3000`.
    pub address: String,
    /// `BOARD_DB`: a file path (created and migrated on first start) or `:memory:`; default `./board.db`.
    pub database: String,
    /// `BOARD_REDIS`: a Redis URL to keep sessions in, so several instances share log-ins.
    pub redis: Option<String>,
    /// Signs the session cookie. `BOARD_SECRET` (at least 64 bytes) keeps log-ins across restarts
    /// and instances; without it a key is generated at start.
    pub cookie_keys: KeyRing,
    /// Where `/static/*` is served from.
    pub static_dir: PathBuf,
}

impl Config {
    /// Reads the environment.
    pub fn from_env() -> Config {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let cookie_keys = match var("BOARD_SECRET") {
            Some(secret) if secret.len() >= 64 => KeyRing::new(Key::from(secret.as_bytes())),
            Some(_) => {
                tracing::warn!("BOARD_SECRET is shorter than 64 bytes; using a random key");
                KeyRing::new(Key::generate())
            }
            None => KeyRing::new(Key::generate()),
        };
        Config {
            address: var("BATON_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_string()),
            database: var("BOARD_DB").unwrap_or_else(|| "board.db".to_string()),
            redis: var("BOARD_REDIS"),
            cookie_keys,
            static_dir: var("BOARD_STATIC")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static"))),
        }
    }

    /// A throwaway setup: in-memory database, random key (tests).
    pub fn ephemeral() -> Config {
        Config {
            address: "127.0.0.1:0".to_string(),
            database: ":memory:".to_string(),
            redis: None,
            cookie_keys: KeyRing::new(Key::generate()),
            static_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static")),
        }
    }
}

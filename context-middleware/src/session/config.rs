//! The session cookie's settings.

use cookie::SameSite;
use std::time::Duration;

/// How the session cookie is written and how long an idle session lives.
///
/// The defaults are the safe ones: cookie `session`, `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure`
/// unless the request's host is `localhost` or a loopback address, 14 days of idle expiry.
///
/// ```
/// use baton::builtin::session::{MemoryStore, SessionConfig, session};
/// use std::time::Duration;
///
/// let config = SessionConfig::default()
///     .cookie_name("board.sid")
///     .idle_expiry(Duration::from_secs(60 * 60 * 24));
/// let _middleware = session(MemoryStore::default()).config(config);
/// ```
#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub(crate) cookie_name: String,
    pub(crate) idle_expiry: Duration,
    pub(crate) same_site: SameSite,
    pub(crate) secure: Option<bool>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            cookie_name: "session".to_string(),
            idle_expiry: Duration::from_secs(14 * 24 * 60 * 60),
            same_site: SameSite::Lax,
            secure: None,
        }
    }
}

impl SessionConfig {
    /// The cookie's name (default `session`).
    ///
    /// ```
    /// # use baton::builtin::session::SessionConfig;
    /// let _config = SessionConfig::default().cookie_name("app.sid");
    /// ```
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// How long a session lives without a request (default 14 days). Each save, and a request at
    /// least a day after the last refresh, pushes the expiry back by this much.
    ///
    /// ```
    /// # use baton::builtin::session::SessionConfig;
    /// let _config = SessionConfig::default().idle_expiry(std::time::Duration::from_secs(3600));
    /// ```
    pub fn idle_expiry(mut self, idle: Duration) -> Self {
        self.idle_expiry = idle;
        self
    }

    /// The cookie's `SameSite` (default `Lax`: sent on top-level navigations from other sites, not
    /// on their sub-requests or form posts).
    ///
    /// ```
    /// # use baton::builtin::session::SessionConfig;
    /// use baton::builtin::cookies::SameSite;
    /// let _config = SessionConfig::default().same_site(SameSite::Strict);
    /// ```
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// Forces the `Secure` attribute on or off. By default it is on unless the request's `Host` is
    /// `localhost` or a loopback address, where development runs over plain HTTP.
    ///
    /// ```
    /// # use baton::builtin::session::SessionConfig;
    /// let _config = SessionConfig::default().secure(true);
    /// ```
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = Some(secure);
        self
    }

    /// Whether a request to `host` gets a `Secure` cookie.
    pub(crate) fn secure_for(&self, host: Option<&str>) -> bool {
        self.secure
            .unwrap_or_else(|| !host.is_some_and(is_loopback_host))
    }
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_unless_loopback() {
        let config = SessionConfig::default();
        assert!(!config.secure_for(Some("localhost:3000")));
        assert!(!config.secure_for(Some("127.0.0.1:8080")));
        assert!(!config.secure_for(Some("[::1]:3000")));
        assert!(config.secure_for(Some("example.com")));
        assert!(config.secure_for(Some("localhost.example.com")));
        assert!(config.secure_for(None));
        assert!(!config.clone().secure(false).secure_for(Some("example.com")));
    }
}

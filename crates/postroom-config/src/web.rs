//! The web UI (`[web]`): how long a sign-in lasts and how its cookie is sent.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The web UI served beside the API.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSettings {
    /// Whether `serve` serves the UI at `/` (the API is served either way).
    pub enabled: bool,
    /// How long a sign-in lasts before the person signs in again, e.g. `8h`.
    #[serde(with = "humantime_serde")]
    pub session_lifetime: Duration,
    /// Send the session cookie only over HTTPS (`Secure`). Set it whenever the UI is reached
    /// over TLS (directly or through a proxy that terminates it).
    pub secure_cookies: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self { enabled: true, session_lifetime: Duration::from_secs(8 * 3600), secure_cookies: false }
    }
}

impl WebSettings {
    /// What is wrong with these settings, each a sentence naming the key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let lifetime = self.session_lifetime.as_secs();
        if !(60..=7 * 24 * 3600).contains(&lifetime) {
            return vec![format!("web.session_lifetime ({lifetime} s) must be between 1 minute and 7 days")];
        }
        Vec::new()
    }
}

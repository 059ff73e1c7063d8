//! Bearer tokens and web sessions (`[auth]`): the signing key and how long tokens may live.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{SecretString, serialize_redacted};

/// Bearer-token authentication.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// The HMAC signing key (at least 32 bytes). Without it, a key generated once and kept in
    /// `<data_dir>/auth/token.key` is used.
    #[serde(serialize_with = "serialize_redacted")]
    pub signing_key: Option<SecretString>,
    /// Lifetime of tokens printed by `postroom token`, unless the command says otherwise.
    #[serde(with = "humantime_serde")]
    pub token_lifetime: Option<Duration>,
    /// The longest a signed token may live: `postroom token` refuses longer, and a token valid
    /// for longer is refused whoever signed it (default 90 days).
    #[serde(with = "humantime_serde")]
    pub max_token_lifetime: Option<Duration>,
}

impl AuthSettings {
    /// What is wrong with these settings, each a sentence naming the key: no token, nor a web
    /// session of `session_lifetime`, may outlive `max_token_lifetime`.
    #[must_use]
    pub fn problems(&self, session_lifetime: Duration) -> Vec<String> {
        let mut problems = Vec::new();
        let Some(max) = self.max_token_lifetime else { return problems };
        if max < Duration::from_secs(60) {
            problems.push("auth.max_token_lifetime must be at least 1 minute".to_owned());
        }
        for (key, lifetime) in
            [("auth.token_lifetime", self.token_lifetime), ("web.session_lifetime", Some(session_lifetime))]
        {
            if lifetime.is_some_and(|l| l > max) {
                problems.push(format!("{key} is longer than auth.max_token_lifetime allows"));
            }
        }
        problems
    }
}

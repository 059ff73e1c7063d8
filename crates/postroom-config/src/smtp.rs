//! Outbound mail over SMTP (`[smtp]`): replies are sent through the council's relay when
//! `host` is set; without it the embedded default writes each reply as an `.eml` file.

use std::{path::PathBuf, time::Duration};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The SMTP relay replies are sent through. Sending is by SMTP when `host` is set.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSettings {
    /// The relay's host name (also the name its TLS certificate must carry).
    pub host: Option<String>,
    /// Default by `security`: 587 (`starttls`), 465 (`tls`), 25 (`plain`).
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    /// Extra trusted CA certificates (PEM) for TLS, e.g. the council's own CA.
    pub ca_file: Option<PathBuf>,
    /// Login (AUTH PLAIN or LOGIN); set with `password`, or leave both out.
    pub username: Option<String>,
    #[serde(serialize_with = "super::serialize_redacted")]
    pub password: Option<SecretString>,
    /// Longest wait for each step: connecting, each command, the message data and its answer.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// The name Postroom gives in EHLO (default: this machine's host name).
    pub hello_name: Option<String>,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: None,
            port: None,
            security: SmtpSecurity::Starttls,
            ca_file: None,
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
            hello_name: None,
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// STARTTLS on a plain connection (port 587); a server that does not offer it is not used.
    #[default]
    Starttls,
    /// TLS from the start (port 465).
    Tls,
    /// No encryption (port 25): only for a relay on the same host or network segment, or tests.
    Plain,
}

impl SmtpSettings {
    /// The port to connect to: the configured one, or the usual one for `security`.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Plain => 25,
        })
    }

    /// What is wrong with these settings, each naming its key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.host.as_deref().is_some_and(|h| h.trim().is_empty()) {
            problems.push("smtp.host is empty: name the relay, or leave it out to write .eml files".to_owned());
        }
        if self.port == Some(0) {
            problems.push("smtp.port = 0 is not a port".to_owned());
        }
        match (&self.username, &self.password) {
            (Some(_), None) => {
                problems.push("smtp.username is set without smtp.password: set both or neither".to_owned())
            }
            (None, Some(_)) => {
                problems.push("smtp.password is set without smtp.username: set both or neither".to_owned())
            }
            _ => {}
        }
        if self.timeout.is_zero() {
            problems.push("smtp.timeout must be longer than 0s".to_owned());
        }
        problems
    }
}

#[cfg(test)]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes the closures' error type")]
mod tests {
    use super::*;
    use crate::{ExposeSecret, Settings};

    #[test]
    fn smtp_is_off_by_default_and_the_port_follows_the_security() {
        let s = Settings::default().smtp;
        assert_eq!((s.host.as_deref(), s.security, s.port()), (None, SmtpSecurity::Starttls, 587));
        assert_eq!(s.timeout, Duration::from_secs(30));
        let port = |toml: &str| Settings::from_toml(toml).map(|s| s.smtp.port()).map_err(|e| e.to_string());
        assert_eq!(port("[smtp]\nsecurity = \"tls\""), Ok(465));
        assert_eq!(port("[smtp]\nsecurity = \"plain\""), Ok(25));
        assert_eq!(port("[smtp]\nsecurity = \"plain\"\nport = 2525"), Ok(2525));
    }

    #[test]
    fn smtp_settings_come_from_the_file_and_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "postroom.toml",
                "[smtp]\nhost = \"smtp.council.example\"\nsecurity = \"tls\"\nusername = \"revenues\"\ntimeout = \"10s\"\n",
            )?;
            jail.set_env("POSTROOM_SMTP__PASSWORD", "smtp-hunter2");
            jail.set_env("POSTROOM_SMTP__PORT", "2465");
            let s = Settings::load(None).map_err(|e| e.to_string())?.smtp;
            assert_eq!(s.host.as_deref(), Some("smtp.council.example"));
            assert_eq!((s.security, s.port(), s.timeout), (SmtpSecurity::Tls, 2465, Duration::from_secs(10)));
            assert_eq!(s.password.as_ref().map(|p| p.expose_secret().to_owned()).as_deref(), Some("smtp-hunter2"));
            let shown = format!("{s:?}{}", toml::to_string(&s).map_err(|e| e.to_string())?);
            assert!(!shown.contains("smtp-hunter2"), "{shown}");
            Ok(())
        });
    }

    #[test]
    fn bad_smtp_settings_are_refused_naming_the_key() {
        let cases = [
            ("[smtp]\nusername = \"u\"", "smtp.username is set without smtp.password"),
            ("[smtp]\npassword = \"p\"", "smtp.password is set without smtp.username"),
            ("[smtp]\nhost = \" \"", "smtp.host is empty"),
            ("[smtp]\nport = 0", "smtp.port = 0"),
            ("[smtp]\ntimeout = \"0s\"", "smtp.timeout"),
            ("[smtp]\nsecurity = \"ssl\"", "ssl"),
            ("[smtp]\nhelo = \"x\"", "helo"),
        ];
        for (toml, expected) in cases {
            let err = Settings::from_toml(toml).expect_err(toml).to_string();
            assert!(err.contains(expected), "{toml}\n{err}");
        }
    }
}

//! Sending over SMTP, one connection per message, step by step with lettre's
//! [`AsyncSmtpConnection`], so that every failure is known to have happened before the relay
//! could have the message, or after.

use std::{
    fmt,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use lettre::transport::smtp::{
    authentication::{Credentials, Mechanism},
    client::{AsyncSmtpConnection, Certificate, TlsParameters},
    commands::{Data, Mail, Rcpt},
    extension::{ClientId, Extension, MailBodyParameter, MailParameter},
    response::Response,
};
use postroom_config::{ExposeSecret, SmtpSecurity, SmtpSettings};

use crate::{Built, MailError};

/// What became of one attempt to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The relay answered 2xx to the message data: it has taken responsibility for it.
    Accepted {
        /// The relay's answer, e.g. `250 2.0.0 Ok: queued as 4XyZ`.
        response: String,
    },
    /// Certainly not accepted, and worth trying again later: no connection (refused, name not
    /// found, timeout), TLS or STARTTLS failed, the login was refused, a 4xx answer, or the
    /// connection was lost before the end of the message data was sent.
    Deferred {
        /// What happened, naming the step.
        reason: String,
    },
    /// Certainly not accepted, and trying again will not help: a 5xx answer to MAIL FROM,
    /// RCPT TO, DATA or the message data.
    Refused {
        /// The relay's answer, naming the step.
        reason: String,
    },
    /// The whole message was sent and the connection failed (or the answer did not come in
    /// time) before the relay answered: it may have been accepted. Do not resend unchecked.
    Unknown {
        /// What happened.
        reason: String,
    },
}

/// Longest wait for the answer to QUIT once the outcome is known.
const QUIT_WAIT: Duration = Duration::from_secs(5);

/// Sends messages through the relay in `[smtp]`.
#[derive(Clone)]
pub struct SmtpSender {
    host: String,
    port: u16,
    security: SmtpSecurity,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
}

impl fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSender")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("login", &self.credentials.is_some())
            .field("timeout", &self.timeout)
            .field("hello", &self.hello)
            .finish_non_exhaustive()
    }
}

/// The steps of one SMTP conversation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Connect,
    StartTls,
    Login,
    MailFrom,
    RcptTo,
    Data,
    /// Sending the message data; `true` once its last byte was handed to the connection (the
    /// end-of-data mark follows).
    Message(bool),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connecting",
            Self::StartTls => "STARTTLS",
            Self::Login => "login",
            Self::MailFrom => "MAIL FROM",
            Self::RcptTo => "RCPT TO",
            Self::Data => "DATA",
            Self::Message(false) => "sending the message",
            Self::Message(true) => "waiting for the answer to the message",
        })
    }
}

/// Why a conversation stopped.
enum Failure {
    Smtp(lettre::transport::smtp::Error),
    TimedOut,
    Refused(String),
    Deferred(String),
}

impl SmtpSender {
    /// A sender for `settings`, or `None` when `smtp.host` is not set (the embedded default
    /// writes `.eml` files instead). Reads `smtp.ca_file` now.
    ///
    /// # Errors
    /// An unreadable `ca_file`, or TLS or EHLO settings lettre refuses.
    pub fn new(settings: &SmtpSettings) -> Result<Option<Self>, MailError> {
        let Some(host) = settings.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let invalid = |reason: String| MailError::Settings { host: host.to_owned(), reason };
        let tls = match settings.security {
            SmtpSecurity::Plain => None,
            SmtpSecurity::Starttls | SmtpSecurity::Tls => {
                let mut builder = TlsParameters::builder(host.to_owned());
                if let Some(path) = &settings.ca_file {
                    let ca_error = |reason: String| MailError::CaFile { path: path.clone(), reason };
                    let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
                    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                        return Err(ca_error("no PEM certificate in it".to_owned()));
                    }
                    let certificate = Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?;
                    builder = builder.add_root_certificate(certificate);
                }
                Some(builder.build_rustls().map_err(|e| invalid(e.to_string()))?)
            }
        };
        let credentials = match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.expose_secret().to_owned())),
            _ => None,
        };
        let hello = match settings.hello_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => ClientId::Domain(name.to_owned()),
            _ => ClientId::default(),
        };
        Ok(Some(Self {
            host: host.to_owned(),
            port: settings.port(),
            security: settings.security,
            tls,
            credentials,
            timeout: settings.timeout,
            hello,
        }))
    }

    /// Sends one message on a new connection and says what became of it (see [`SendOutcome`]).
    #[tracing::instrument(skip_all, fields(host = %self.host, port = self.port))]
    pub async fn send(&self, built: &Built) -> SendOutcome {
        let mut connection = None;
        let result = self.converse(built, &mut connection).await;
        let outcome = match result {
            Ok(response) => {
                // Sent: a relay slow to answer QUIT changes nothing, so it is not waited for long.
                if let Some(connection) = connection.as_mut() {
                    let _ = tokio::time::timeout(self.timeout.min(QUIT_WAIT), connection.quit()).await;
                }
                SendOutcome::Accepted { response: describe(&response) }
            }
            Err((step, failure)) => {
                let answered = matches!(&failure, Failure::Smtp(e) if e.status().is_some())
                    || matches!(failure, Failure::Refused(_) | Failure::Deferred(_));
                if answered && let Some(connection) = connection.as_mut() {
                    let _ = tokio::time::timeout(self.timeout.min(QUIT_WAIT), connection.abort()).await;
                }
                classify(step, failure, self.timeout)
            }
        };
        tracing::info!(outcome = outcome.kind(), "SMTP send");
        outcome
    }

    /// The conversation, or the step it stopped at and why; `slot` holds the connection for QUIT.
    async fn converse(
        &self,
        built: &Built,
        slot: &mut Option<AsyncSmtpConnection>,
    ) -> Result<Response, (Step, Failure)> {
        let at = |step: Step| move |failure: Failure| (step, failure);
        let implicit = if self.security == SmtpSecurity::Tls { self.tls.clone() } else { None };
        let connection = self
            .within(AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                implicit,
                None,
            ))
            .await
            .map_err(at(Step::Connect))?;
        let connection = slot.insert(connection);
        if self.security == SmtpSecurity::Starttls {
            if !connection.server_info().supports_feature(Extension::StartTls) {
                return Err((
                    Step::StartTls,
                    Failure::Deferred(format!(
                        "{}:{} does not offer STARTTLS, which smtp.security = \"starttls\" requires",
                        self.host, self.port
                    )),
                ));
            }
            if let Some(tls) = self.tls.clone() {
                self.within(connection.starttls(tls, &self.hello)).await.map_err(at(Step::StartTls))?;
            }
        }
        if let Some(credentials) = &self.credentials {
            let mechanisms = [Mechanism::Plain, Mechanism::Login];
            self.within(connection.auth(&mechanisms, credentials)).await.map_err(at(Step::Login))?;
        }
        let envelope = &built.envelope;
        let mut parameters = Vec::new();
        let non_ascii = |a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii();
        if envelope.from().is_some_and(non_ascii) || envelope.to().iter().any(non_ascii) {
            if !connection.server_info().supports_feature(Extension::SmtpUtfEight) {
                let reason = "an address is not ASCII and the relay does not offer SMTPUTF8";
                return Err((Step::MailFrom, Failure::Refused(reason.to_owned())));
            }
            parameters.push(MailParameter::SmtpUtfEight);
        }
        if !built.eml.is_ascii() {
            if !connection.server_info().supports_feature(Extension::EightBitMime) {
                let reason = "the message is not 7-bit and the relay does not offer 8BITMIME";
                return Err((Step::MailFrom, Failure::Refused(reason.to_owned())));
            }
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mail = Mail::new(envelope.from().cloned(), parameters);
        self.within(connection.command(mail)).await.map_err(at(Step::MailFrom))?;
        for to in envelope.to() {
            self.within(connection.command(Rcpt::new(to.clone(), vec![]))).await.map_err(at(Step::RcptTo))?;
        }
        self.within(connection.command(Data)).await.map_err(at(Step::Data))?;
        // lettre writes each part the iterator yields, asks for the next, and writes the
        // end-of-data mark only once there is none: until then the relay cannot take the message.
        let all_written = AtomicBool::new(false);
        // The mark begins with the CRLF that ends the last line, so the message's own goes.
        let data = built.eml.strip_suffix(b"\r\n").unwrap_or(&built.eml);
        let parts = std::iter::once(data).chain(std::iter::from_fn(|| {
            all_written.store(true, Ordering::SeqCst);
            None
        }));
        let result = self.within(connection.message_iter(parts)).await;
        result.map_err(|failure| (Step::Message(all_written.load(Ordering::SeqCst)), failure))
    }

    async fn within<T>(
        &self,
        future: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
    ) -> Result<T, Failure> {
        match tokio::time::timeout(self.timeout, future).await {
            Ok(result) => result.map_err(Failure::Smtp),
            Err(_) => Err(Failure::TimedOut),
        }
    }
}

/// The outcome of a conversation that stopped at `step`.
fn classify(step: Step, failure: Failure, timeout: Duration) -> SendOutcome {
    let error = match failure {
        Failure::Refused(reason) => return SendOutcome::Refused { reason },
        Failure::Deferred(reason) => return SendOutcome::Deferred { reason },
        Failure::TimedOut if step == Step::Message(true) => {
            return SendOutcome::Unknown { reason: format!("no answer to the message within {timeout:?}") };
        }
        Failure::TimedOut => return SendOutcome::Deferred { reason: format!("{step}: no answer within {timeout:?}") },
        Failure::Smtp(error) => error,
    };
    let reason = format!("{step}: {}", chain(&error));
    let transaction = matches!(step, Step::MailFrom | Step::RcptTo | Step::Data | Step::Message(_));
    if transaction && error.is_permanent() {
        SendOutcome::Refused { reason }
    } else if step == Step::Message(true) && !error.is_transient() {
        SendOutcome::Unknown { reason }
    } else {
        SendOutcome::Deferred { reason }
    }
}

/// An error and those of its sources its message does not already include.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    // lettre nests its own errors: "Connection error: Connection error: refused" says it once.
    let mut parts: Vec<&str> = text.split(": ").collect();
    parts.dedup();
    parts.join(": ")
}

fn describe(response: &Response) -> String {
    let lines: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), lines.join(" ")).trim_end().to_owned()
}

impl SendOutcome {
    /// `accepted`, `deferred`, `refused` or `unknown`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Accepted { .. } => "accepted",
            Self::Deferred { .. } => "deferred",
            Self::Refused { .. } => "refused",
            Self::Unknown { .. } => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_silence_after_the_whole_message_is_unknown() {
        let t = Duration::from_secs(30);
        for step in [Step::Connect, Step::StartTls, Step::Login, Step::MailFrom, Step::RcptTo, Step::Data] {
            assert_eq!(classify(step, Failure::TimedOut, t).kind(), "deferred", "{step}");
        }
        assert_eq!(classify(Step::Message(false), Failure::TimedOut, t).kind(), "deferred");
        assert_eq!(classify(Step::Message(true), Failure::TimedOut, t).kind(), "unknown");
        assert_eq!(classify(Step::MailFrom, Failure::Refused("8BITMIME".into()), t).kind(), "refused");
    }

    #[test]
    fn no_host_means_no_sender_and_a_bad_ca_file_is_named() {
        let mut settings = SmtpSettings::default();
        assert!(matches!(SmtpSender::new(&settings), Ok(None)));
        settings.host = Some("smtp.council.example".to_owned());
        assert!(matches!(SmtpSender::new(&settings), Ok(Some(_))));
        let dir = std::env::temp_dir().join(format!("postroom-mail-ca-{}", uuid::Uuid::new_v4()));
        settings.ca_file = Some(dir.join("missing.pem"));
        let err = SmtpSender::new(&settings).unwrap_err().to_string();
        assert!(err.starts_with("smtp.ca_file") && err.contains("missing.pem"), "{err}");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("not.pem"), "hello").unwrap();
        settings.ca_file = Some(dir.join("not.pem"));
        let err = SmtpSender::new(&settings).unwrap_err().to_string();
        assert!(err.contains("no PEM certificate"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        settings.security = SmtpSecurity::Plain;
        assert!(SmtpSender::new(&settings).is_ok(), "plain reads no CA file");
    }
}

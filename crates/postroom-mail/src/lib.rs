//! Outbound email: building replies as MIME messages and sending them over SMTP with lettre.
//!
//! [`build`] turns an [`Outgoing`] reply into `.eml` bytes (RFC 5322, CRLF) and an envelope;
//! [`SmtpSender::send`] hands them to the relay configured in `[smtp]` and says, in its
//! [`SendOutcome`], whether the relay certainly has the message, certainly has not, or may have
//! it: the step of the SMTP conversation at which a failure happened decides, so that the caller
//! can record the outcome and never send a reply twice by retrying one the relay took.

mod message;
mod smtp;

pub use lettre::address::Envelope;
pub use message::{Built, Outgoing, build, message_id};
pub use smtp::{SendOutcome, SmtpSender};

/// Why a message could not be built, or the SMTP settings not used.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address (From, Reply-To or To) that is not a valid mailbox.
    #[error("the {field} address is not a valid email address: {source}")]
    Address {
        /// Which header: `from`, `reply_to` or `to`.
        field: &'static str,
        source: lettre::address::AddressError,
    },
    /// Our own Message-ID is not `left@right` in printable ASCII without angle brackets.
    #[error("message id {0:?} is not of the form left@right (printable ASCII, no angle brackets)")]
    MessageId(String),
    /// lettre refused to build the message.
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    /// `smtp.ca_file` could not be read or holds no usable certificate.
    #[error("smtp.ca_file {path}: {reason}")]
    CaFile {
        /// The configured path.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS or EHLO settings for the relay could not be set up.
    #[error("SMTP settings for {host}: {reason}")]
    Settings {
        /// `smtp.host`.
        host: String,
        /// What is wrong.
        reason: String,
    },
}

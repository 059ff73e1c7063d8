//! Postroom intake: receive originals, sniff their type from the bytes, store them immutably,
//! and record correspondence, documents and a `correspondence.received` outbox event in one
//! database transaction.
//!
//! Order matters: the original is stored before anything else, so nothing received is lost; a
//! file already recorded (same SHA-256) is reported as a duplicate and nothing new is created.

pub mod attempts;
pub mod email;
pub mod scans;

pub use attempts::{AfterFailure, Attempts, held_against_the_message, services_answer};
pub use email::{EmailError, EmailIntake, EmailLimits, IncomingEmail, OnLimit, ReceivedEmail};
pub use scans::{IntakeError, Received, ScanBatch, ScanFile, ScanIntake};

/// A sender's file name reduced to something safe to display: the last path segment, control
/// characters removed, at most 255 characters. It is never used as a storage path.
#[must_use]
pub fn display_filename(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_never_carry_paths_or_control_characters() {
        assert_eq!(display_filename("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(display_filename("C:\\scans\\letter 1.pdf").as_deref(), Some("letter 1.pdf"));
        assert_eq!(display_filename("bad\u{0}\nname.pdf").as_deref(), Some("badname.pdf"));
        assert_eq!(display_filename("..").as_deref(), None);
        assert_eq!(display_filename("").as_deref(), None);
    }
}

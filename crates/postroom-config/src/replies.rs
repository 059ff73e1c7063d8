//! `[replies]`: who replies are from and what letters and emails are signed with.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Replies to customers: the council's letterhead, the team's sign-off, the addresses emails go
/// out from. The defaults are a labelled **example council**: set your own before replying to
/// anyone.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplySettings {
    /// The council's name, at the head of every letter.
    pub council: String,
    /// The council's postal address lines, on the letterhead.
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// The team replies are signed by.
    pub team: String,
    /// The sign-off under each reply (several lines allowed).
    pub signature: String,
    /// Emails are from this mailbox (`Name <address>`); its domain names our Message-IDs.
    pub from: String,
    /// Where customers' answers go, when not to `from`.
    pub reply_to: Option<String>,
    /// Where emails are written as `.eml` files when no `[smtp] host` is set (the embedded
    /// default; `<data_dir>/outbox` when unset). Each file counts as sent.
    pub outbox_dir: Option<PathBuf>,
    /// How long an attempt to send may hold a reply before another attempt takes it as
    /// interrupted (seconds). One attempt may spend `smtp.timeout` on each of about ten steps,
    /// so it must be at least ten times `smtp.timeout` when SMTP is configured.
    pub sending_lease_secs: u64,
}

/// The example council the default reply settings sign for.
pub const EXAMPLE_COUNCIL_NAME: &str = "Example Council";

impl Default for ReplySettings {
    fn default() -> Self {
        Self {
            council: EXAMPLE_COUNCIL_NAME.to_owned(),
            address: vec![
                "Council Offices".to_owned(),
                "1 High Street".to_owned(),
                "Exampleton".to_owned(),
                "EX1 1AA".to_owned(),
            ],
            phone: Some("01234 567890".to_owned()),
            email: Some("revenues@council.example".to_owned()),
            website: Some("https://www.council.example".to_owned()),
            team: "Revenues Team".to_owned(),
            signature: "Revenues Team".to_owned(),
            from: "Example Council Revenues <revenues@council.example>".to_owned(),
            reply_to: None,
            outbox_dir: None,
            sending_lease_secs: 600,
        }
    }
}

impl ReplySettings {
    /// What is wrong with these settings, each naming its key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.council.trim().is_empty() {
            problems.push("replies.council must name the council replies are from".to_owned());
        }
        if self.team.trim().is_empty() {
            problems.push("replies.team must name the team replies are signed by".to_owned());
        }
        if domain_of(&self.from).is_none() {
            problems.push(format!(
                "replies.from = {:?} is not a mailbox such as \"Revenues <revenues@council.example>\"",
                self.from
            ));
        }
        if let Some(reply_to) = &self.reply_to
            && domain_of(reply_to).is_none()
        {
            problems.push(format!("replies.reply_to = {reply_to:?} is not a mailbox"));
        }
        if self.sending_lease_secs == 0 {
            problems.push("replies.sending_lease_secs must be more than 0".to_owned());
        }
        problems
    }
}

/// The domain of a mailbox written `address` or `Name <address>`, if it looks like one (the
/// mail crate parses it fully when it builds a message).
#[must_use]
pub fn domain_of(mailbox: &str) -> Option<&str> {
    let address = match mailbox.rsplit_once('<') {
        Some((_, rest)) => rest.strip_suffix('>')?,
        None => mailbox,
    }
    .trim();
    let (local, domain) = address.rsplit_once('@')?;
    let plausible = |part: &str| !part.is_empty() && !part.contains(char::is_whitespace);
    (plausible(local) && plausible(domain) && !domain.contains('@')).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_are_checked() {
        assert_eq!(domain_of("Revenues <revenues@council.example>"), Some("council.example"));
        assert_eq!(domain_of("revenues@council.example"), Some("council.example"));
        for bad in ["revenues", "Revenues <revenues>", "<@x>", "a b@c", "Revenues <a@b"] {
            assert_eq!(domain_of(bad), None, "{bad}");
        }
        let mut s = ReplySettings { from: "nobody".to_owned(), ..ReplySettings::default() };
        assert!(s.problems()[0].contains("replies.from"));
        s.from = ReplySettings::default().from;
        assert!(s.problems().is_empty());
    }
}

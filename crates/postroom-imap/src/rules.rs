//! Mail rules: match a message's From, To or Subject with regular expressions and decide what
//! happens to it. The first rule that matches decides; without one the message is received.

use regex::Regex;

/// What a matching rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// Received as usual (a rule that lets some mail past a later `skip`).
    Receive,
    /// Not received: recorded in the ledger with the rule's name and moved to the skipped
    /// folder, never deleted.
    Skip,
}

/// A configured rule that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("mail rule {rule:?}: {field} is not a valid regular expression: {source}")]
    BadRegex { rule: String, field: &'static str, source: regex::Error },
    #[error("mail rule {0:?} has nothing to match: give from, to or subject")]
    Empty(String),
}

/// One rule. Every pattern given must match (case-insensitive).
#[derive(Debug, Clone)]
pub struct MailRule {
    pub name: String,
    from: Option<Regex>,
    to: Option<Regex>,
    subject: Option<Regex>,
    pub action: RuleAction,
}

impl MailRule {
    /// Builds a rule from its patterns.
    ///
    /// # Errors
    /// A pattern that is not a valid regular expression, or no pattern at all.
    pub fn new(
        name: &str,
        from: Option<&str>,
        to: Option<&str>,
        subject: Option<&str>,
        action: RuleAction,
    ) -> Result<Self, RuleError> {
        let compile = |field: &'static str, p: Option<&str>| {
            p.map(|p| {
                regex::RegexBuilder::new(p).case_insensitive(true).build().map_err(|source| RuleError::BadRegex {
                    rule: name.to_owned(),
                    field,
                    source,
                })
            })
            .transpose()
        };
        let rule = Self {
            name: name.to_owned(),
            from: compile("from", from)?,
            to: compile("to", to)?,
            subject: compile("subject", subject)?,
            action,
        };
        if rule.from.is_none() && rule.to.is_none() && rule.subject.is_none() {
            return Err(RuleError::Empty(name.to_owned()));
        }
        Ok(rule)
    }

    pub(crate) fn matches(&self, h: &Headers) -> bool {
        let test = |re: &Option<Regex>, value: &str| re.as_ref().is_none_or(|re| re.is_match(value));
        test(&self.from, &h.from) && test(&self.to, &h.to) && test(&self.subject, &h.subject)
    }
}

/// The headers rules look at (addresses as `Name <addr>`, several joined by `, `).
#[derive(Debug, Default)]
pub(crate) struct Headers {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub message_id: Option<String>,
}

impl Headers {
    pub(crate) fn of(raw: &[u8]) -> Self {
        let Some(msg) = mail_parser::MessageParser::new().parse_headers(raw) else {
            return Self::default();
        };
        let list = |a: Option<&mail_parser::Address<'_>>| {
            a.map(|a| {
                a.iter()
                    .map(|m| match (m.name(), m.address()) {
                        (Some(n), Some(e)) => format!("{n} <{e}>"),
                        (None, Some(e)) => e.to_owned(),
                        (Some(n), None) => n.to_owned(),
                        (None, None) => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
        };
        let mut to = list(msg.to());
        let cc = list(msg.cc());
        if !cc.is_empty() {
            to = if to.is_empty() { cc } else { format!("{to}, {cc}") };
        }
        Self {
            from: list(msg.from()),
            to,
            subject: msg.subject().unwrap_or_default().to_owned(),
            message_id: msg.message_id().map(|m| m.trim_matches(['<', '>']).to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &[u8] = b"From: \"Weekly News\" <news@lists.example.com>\r\nTo: ctax@council.example\r\n\
Cc: Rates <rates@council.example>\r\nSubject: [Newsletter] November\r\nMessage-ID: <n1@lists.example.com>\r\n\r\nhi\r\n";

    #[test]
    fn every_given_pattern_must_match_case_insensitively() {
        let h = Headers::of(RAW);
        assert_eq!(h.message_id.as_deref(), Some("n1@lists.example.com"));
        let skip = |from, to, subject| MailRule::new("news", from, to, subject, RuleAction::Skip);
        assert!(skip(Some("@lists\\.example\\.com>$"), None, Some("^\\[newsletter\\]")).unwrap().matches(&h));
        assert!(skip(None, Some("rates@council"), None).unwrap().matches(&h), "Cc counts as a recipient");
        assert!(!skip(Some("@lists\\.example\\.com"), None, Some("^Re:")).unwrap().matches(&h));
    }

    #[test]
    fn bad_or_empty_rules_are_refused_with_the_rule_named() {
        let bad = MailRule::new("broken", None, None, Some("(unclosed"), RuleAction::Skip).unwrap_err();
        assert!(bad.to_string().contains("\"broken\": subject is not a valid regular expression"), "{bad}");
        assert!(matches!(MailRule::new("none", None, None, None, RuleAction::Skip), Err(RuleError::Empty(_))));
    }
}

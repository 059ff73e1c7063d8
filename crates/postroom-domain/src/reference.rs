//! Human references for work items, e.g. `WI-2026-000042`.

use std::{fmt, str::FromStr};

use crate::ParseError;

/// A work item's human reference: `WI-<year>-<sequence>`, sequence at least 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkItemReference(String);

impl WorkItemReference {
    /// The reference for sequence number `seq` of `year`.
    #[must_use]
    pub fn new(year: i32, seq: i64) -> Self {
        Self(format!("WI-{year}-{seq:06}"))
    }

    /// The text form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Finds the first reference in free text (an email subject, say).
    #[must_use]
    pub fn find_in(text: &str) -> Option<Self> {
        text.match_indices("WI-").find_map(|(i, _)| {
            let candidate: String = text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            candidate.parse().ok()
        })
    }
}

impl fmt::Display for WorkItemReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for WorkItemReference {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseError::new("work item reference", s, "expected WI-YYYY-NNNNNN");
        let rest = s.strip_prefix("WI-").ok_or_else(bad)?;
        let (year, seq) = rest.split_once('-').ok_or_else(bad)?;
        let ok = year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && seq.len() >= 6
            && seq.bytes().all(|b| b.is_ascii_digit());
        if ok { Ok(Self(s.to_owned())) } else { Err(bad()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parses_and_finds_references() {
        let r = WorkItemReference::new(2026, 42);
        assert_eq!(r.as_str(), "WI-2026-000042");
        assert_eq!("WI-2026-000042".parse::<WorkItemReference>(), Ok(r.clone()));
        assert_eq!(WorkItemReference::find_in("Re: your letter [WI-2026-000042] moving"), Some(r));
        assert!("WI-26-1".parse::<WorkItemReference>().is_err());
        assert_eq!(WorkItemReference::find_in("no ref WI- here"), None);
    }
}

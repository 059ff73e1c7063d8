//! The link from a figure to the work-item list it was counted from.

use std::fmt::Write as _;

use chrono::NaiveDate;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The list's path.
const ITEMS: &str = "/api/v1/work-items";

/// Everything but RFC 3986's unreserved characters is encoded.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// A work-item list link, built filter by filter.
#[derive(Debug, Clone, Default)]
pub(crate) struct Link {
    query: String,
}

impl Link {
    /// The list with no filter.
    pub(crate) fn items() -> Self {
        Self::default()
    }

    /// Adds `name=value` (the value percent-encoded).
    #[must_use]
    pub(crate) fn with(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        let sep = if self.query.is_empty() { '?' } else { '&' };
        let value = value.to_string();
        let _ = write!(self.query, "{sep}{name}={}", utf8_percent_encode(&value, VALUE));
        self
    }

    /// Adds `name=day` when there is one.
    #[must_use]
    pub(crate) fn day(self, name: &str, day: Option<NaiveDate>) -> Self {
        match day {
            Some(d) => self.with(name, d),
            None => self,
        }
    }

    /// The link.
    pub(crate) fn build(&self) -> String {
        format!("{ITEMS}{}", self.query)
    }
}

#[cfg(test)]
mod tests {
    use super::Link;

    #[test]
    fn values_are_percent_encoded() {
        let link = Link::items().with("queue", "ct-recovery").with("assignee", "a b&c").build();
        assert_eq!(link, "/api/v1/work-items?queue=ct-recovery&assignee=a%20b%26c");
    }
}

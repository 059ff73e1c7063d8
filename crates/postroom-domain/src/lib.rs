//! Domain types and rules for Postroom, with no I/O: the working-day calendar, priorities,
//! work-item states, roles, intake channels, content hashes and accepted media types.
//!
//! Everything here parses on the way in (`FromStr`/`parse`) so the rest of the system holds only
//! valid values.

pub mod calendar;
pub mod change;
pub mod channel;
#[cfg(feature = "sea-orm")]
mod columns;
pub mod events;
pub mod hash;
pub mod media;
pub mod priority;
pub mod reference;
pub mod role;
pub mod status;
pub mod text;

pub use calendar::{Clock, WorkingCalendar, london_date, london_midnight};
pub use change::ChangeKind;
pub use channel::Channel;
pub use hash::ContentHash;
pub use media::MediaType;
pub use priority::Priority;
pub use reference::WorkItemReference;
pub use role::Role;
pub use status::WorkItemStatus;
pub use text::{TextSource, TextStatus};

/// A value that could not be parsed into a domain type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not valid: {reason}")]
pub struct ParseError {
    /// The kind of value, e.g. "priority".
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
    /// What a valid value looks like.
    pub reason: &'static str,
}

impl ParseError {
    /// `value` is not a valid `what`; `reason` says what a valid one looks like.
    #[must_use]
    pub fn new(what: &'static str, value: &str, reason: &'static str) -> Self {
        Self { what, value: value.to_owned(), reason }
    }
}

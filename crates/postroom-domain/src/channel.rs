//! How a piece of correspondence reached the council.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Intake channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Uploaded by the post room (scanner or upload).
    Scan,
    /// Raw MIME posted by the mail gateway.
    Email,
    /// Fetched from the council mailbox over IMAP.
    Imap,
    /// Picked up from a drop folder in object storage.
    DropFolder,
}

impl Channel {
    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scan => "scan",
            Self::Email => "email",
            Self::Imap => "imap",
            Self::DropFolder => "drop_folder",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Scan, Self::Email, Self::Imap, Self::DropFolder]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseError::new("channel", s, "expected scan, email, imap or drop_folder"))
    }
}

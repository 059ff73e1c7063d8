//! What is known of a document's text.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Where a document's text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextStatus {
    /// Not read yet (waiting for the text-extraction consumer).
    Pending,
    /// Text was read: from an email body, a PDF text layer or OCR.
    Extracted,
    /// The document was read but holds no text (a blank page, a photo, an unreadable scan).
    NoText,
    /// The tools to read it are not installed (no tesseract, no poppler-utils).
    Unavailable,
    /// Reading failed: a corrupt file, a page that timed out.
    Failed,
}

impl TextStatus {
    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Extracted => "extracted",
            Self::NoText => "no_text",
            Self::Unavailable => "unavailable",
            Self::Failed => "failed",
        }
    }

    /// Whether text extraction has finished with this document (successfully or not).
    #[must_use]
    pub fn is_settled(self) -> bool {
        self != Self::Pending
    }
}

impl fmt::Display for TextStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TextStatus {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Extracted, Self::NoText, Self::Unavailable, Self::Failed]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                ParseError::new("text status", s, "expected pending, extracted, no_text, unavailable or failed")
            })
    }
}

/// Where the text of a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The text layer of a born-digital PDF.
    TextLayer,
    /// Optical character recognition of the page image.
    Ocr,
    /// The body of an email.
    Body,
}

impl TextSource {
    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TextLayer => "text_layer",
            Self::Ocr => "ocr",
            Self::Body => "body",
        }
    }
}

impl FromStr for TextSource {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::TextLayer, Self::Ocr, Self::Body]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseError::new("text source", s, "expected text_layer, ocr or body"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_only_pending_is_unsettled() {
        for s in [
            TextStatus::Pending,
            TextStatus::Extracted,
            TextStatus::NoText,
            TextStatus::Unavailable,
            TextStatus::Failed,
        ] {
            assert_eq!(s.as_str().parse::<TextStatus>(), Ok(s));
            assert_eq!(s.is_settled(), s != TextStatus::Pending);
        }
        assert!("done".parse::<TextStatus>().is_err());
        for s in [TextSource::TextLayer, TextSource::Ocr, TextSource::Body] {
            assert_eq!(s.as_str().parse::<TextSource>(), Ok(s));
        }
    }
}

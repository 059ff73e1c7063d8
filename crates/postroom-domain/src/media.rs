//! Media types Postroom accepts, sniffed from the bytes (never from a sender's name or header).

use std::{fmt, str::FromStr};

use crate::ParseError;

/// A media type recognised from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Pdf,
    Tiff,
    Png,
    Jpeg,
}

impl MediaType {
    /// Media types accepted for scans.
    pub const SCANS: [Self; 4] = [Self::Pdf, Self::Tiff, Self::Png, Self::Jpeg];

    /// Sniffs the type from the leading bytes. `None` when it is none of the accepted types.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let kind = infer::get(bytes)?;
        match kind.mime_type() {
            "application/pdf" => Some(Self::Pdf),
            "image/tiff" => Some(Self::Tiff),
            "image/png" => Some(Self::Png),
            "image/jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// What the bytes look like, for an error message ("application/zip", or "unknown").
    #[must_use]
    pub fn describe(bytes: &[u8]) -> &'static str {
        infer::get(bytes).map_or("an unrecognised type", |k| k.mime_type())
    }

    /// The IANA media type.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Tiff => "image/tiff",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MediaType {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::SCANS.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            ParseError::new("media type", s, "expected application/pdf, image/tiff, image/png or image/jpeg")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_accepted_types_from_magic_bytes() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Some(MediaType::Pdf));
        assert_eq!(MediaType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::sniff(b"II*\0\x08\0\0\0\x0e\0\0\x01\x03\0"), Some(MediaType::Tiff));
        assert_eq!(MediaType::sniff(b"MM\0*\0\0\0\x08\0\x0e\x01\0\0\x03"), Some(MediaType::Tiff));
    }

    #[test]
    fn rejects_other_content_whatever_it_claims() {
        assert_eq!(MediaType::sniff(b"PK\x03\x04\x14\0\0\0"), None);
        assert_eq!(MediaType::sniff(b"hello, this is text"), None);
        assert_eq!(MediaType::sniff(b""), None);
    }
}

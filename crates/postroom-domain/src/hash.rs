//! Content hashes: the identity of an original's bytes.

use std::{fmt, str::FromStr};

use sha2::{Digest, Sha256};

use crate::ParseError;

/// The SHA-256 of some bytes, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes `bytes`.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// The hex digest.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The object-storage key for an original with this hash: `originals/sha256/ab/cd/abcd…`.
    /// Derived only from the hash, never from anything a sender chose.
    #[must_use]
    pub fn original_key(&self) -> String {
        format!("originals/sha256/{}/{}/{}", &self.0[0..2], &self.0[2..4], self.0)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ContentHash {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::new("content hash", s, "expected 64 lowercase hex digits (SHA-256)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_and_key_is_sharded() {
        let h = ContentHash::of(b"abc");
        assert_eq!(h.as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            h.original_key(),
            "originals/sha256/ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.as_str().parse::<ContentHash>(), Ok(h));
        assert!("../etc/passwd".parse::<ContentHash>().is_err());
    }
}

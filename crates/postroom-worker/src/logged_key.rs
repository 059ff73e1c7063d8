//! Object keys in logs. Scanner and capture software name files after what is in them (a
//! person's name, an account reference), so a key from a drop folder or a bucket notification is
//! personal data: it is logged as a short digest of the key, never as written.

use postroom_domain::ContentHash;

/// The first 12 hex digits of the SHA-256 of `key`: the same key always gives the same digest,
/// so an operator can follow one file through the logs (and find it by hashing the listed keys).
#[must_use]
pub fn digest(key: &str) -> String {
    ContentHash::of(key.as_bytes()).as_str().chars().take(12).collect()
}

/// `text` (an error or a reason) with the key, and the file name at its end, replaced by
/// `file <digest>`.
#[must_use]
pub fn redact(text: &str, key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let marker = format!("file {}", digest(key));
    let text = text.replace(key, &marker);
    if name.is_empty() { text } else { text.replace(name, &marker) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_becomes_a_stable_digest_and_is_taken_out_of_messages() {
        let key = "inbox/scans/Helen Jones 500000002.pdf";
        assert_eq!(digest(key), digest(key));
        assert_eq!(digest(key).len(), 12);
        assert_ne!(digest(key), digest("inbox/scans/other.pdf"));
        let message =
            redact("file 1 (Helen Jones 500000002.pdf) is empty; reading inbox/scans/Helen Jones 500000002.pdf", key);
        assert!(!message.contains("Helen") && !message.contains("500000002"), "{message}");
        assert!(message.contains(&digest(key)), "{message}");
    }
}

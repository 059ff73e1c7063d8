//! A generated set of hostile email messages (issue 15, point 8): broken and missing MIME
//! boundaries, 8-bit and invalid UTF-8 headers, deep nesting, huge header lines, NUL in every
//! place, encoded-word and RFC 2231 file names with `../`, bounces, auto-replies, bombs, odd
//! line endings, dates and charsets. Built in code, deterministically (the one pseudo-random
//! body has a fixed seed), so a failure names a message anyone can rebuild.
//!
//! Every channel must take each of them: no 5xx, the original kept byte for byte, a work item.

mod automatic;
pub mod check;
mod encoding;
mod headers;
mod names;
mod nul;
mod structure;

/// One hostile message.
#[derive(Debug, Clone)]
pub struct Hostile {
    /// A short unique name, used in failure messages and as a file name.
    pub name: String,
    pub raw: Vec<u8>,
    /// Breaks one of the default intake limits (attachments, nesting): the HTTP intake may refuse
    /// it with a 4xx (the gateway still holds it); channels that cannot refuse keep and triage it.
    pub over_limit: bool,
}

impl Hostile {
    fn new(name: &str, raw: Vec<u8>) -> Self {
        Self { name: name.to_owned(), raw, over_limit: false }
    }

    fn over_limit(name: &str, raw: Vec<u8>) -> Self {
        Self { name: name.to_owned(), raw, over_limit: true }
    }
}

/// Every hostile message, in a fixed order. Names and bytes are unique.
#[must_use]
pub fn messages() -> Vec<Hostile> {
    let mut all = Vec::new();
    all.extend(structure::messages());
    all.extend(headers::messages());
    all.extend(nul::messages());
    all.extend(names::messages());
    all.extend(automatic::messages());
    all.extend(encoding::messages());
    all
}

/// An ordinary letter, sent after the hostile set to show the channel carries on.
#[must_use]
pub fn normal(tag: &str) -> Vec<u8> {
    format!(
        "From: Carol Normal <carol@example.org>\r\nTo: ctax@council.example\r\nSubject: Bailiffs at my door today\r\n\
         Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <normal-{tag}@example.org>\r\n\r\n\
         The bailiffs are at my door today about account 12345678. Please call me.\r\n"
    )
    .into_bytes()
}

/// The usual headers of a message named `name` (its own Message-ID), ending in CRLF, without
/// the blank line.
pub(crate) fn head(name: &str) -> String {
    format!(
        "From: Ann Tester <ann@example.org>\r\nTo: ctax@council.example\r\nSubject: Hostile {name}\r\n\
         Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{name}@hostile.example>\r\n"
    )
}

/// The usual headers plus `extra` (CRLF-terminated header lines), a blank line and `body`.
pub(crate) fn message(name: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = head(name).into_bytes();
    raw.extend_from_slice(extra.as_bytes());
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    raw
}

/// `headers` (raw bytes, each line CRLF-terminated), a blank line and `body`.
pub(crate) fn raw(headers: &[u8], body: &[u8]) -> Vec<u8> {
    let mut raw = headers.to_vec();
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    raw
}

/// A multipart/mixed message named `name` with `parts` (each its headers, blank line and body)
/// under boundary `b`, properly closed.
pub(crate) fn multipart(name: &str, b: &str, parts: &[Vec<u8>]) -> Vec<u8> {
    let extra = format!("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{b}\"\r\n");
    message(name, &extra, &join_parts(b, parts, true))
}

/// The body of a multipart: each part after its delimiter, then the close delimiter if `close`.
pub(crate) fn join_parts(b: &str, parts: &[Vec<u8>], close: bool) -> Vec<u8> {
    let mut body = b"This is a multi-part message in MIME format.\r\n".to_vec();
    for part in parts {
        body.extend_from_slice(format!("--{b}\r\n").as_bytes());
        body.extend_from_slice(part);
        body.extend_from_slice(b"\r\n");
    }
    if close {
        body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    }
    body
}

/// A text/plain part.
pub(crate) fn text_part(text: &str) -> Vec<u8> {
    format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n").into_bytes()
}

/// An attachment part with the raw `disposition` parameters and base64 `content`.
pub(crate) fn attachment(media_type: &str, disposition: &[u8], content: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut part = format!("Content-Type: {media_type}\r\nContent-Transfer-Encoding: base64\r\n").into_bytes();
    part.extend_from_slice(b"Content-Disposition: attachment; ");
    part.extend_from_slice(disposition);
    part.extend_from_slice(b"\r\n\r\n");
    part.extend_from_slice(wrap(&base64::engine::general_purpose::STANDARD.encode(content)).as_bytes());
    part
}

/// Base64 text in 76-character lines.
pub(crate) fn wrap(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38);
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str("\r\n");
    }
    out
}

/// Bytes from a fixed-seed xorshift generator: the same on every run.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn there_are_at_least_sixty_unique_messages_with_unique_names() {
        let all = super::messages();
        assert!(all.len() >= 60, "{}", all.len());
        let names: std::collections::HashSet<&str> = all.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names.len(), all.len(), "names are unique");
        let bytes: std::collections::HashSet<&[u8]> = all.iter().map(|m| m.raw.as_slice()).collect();
        assert_eq!(bytes.len(), all.len(), "bytes are unique");
        assert_eq!(
            super::messages().iter().map(|m| m.raw.clone()).collect::<Vec<_>>(),
            all.iter().map(|m| m.raw.clone()).collect::<Vec<_>>(),
            "deterministic"
        );
    }
}

/// Writes every hostile message up to 64 KiB into the directory named by
/// `POSTROOM_EXPORT_HOSTILE` (e.g. the fuzzer's working corpus), one file per message.
#[cfg(test)]
mod export {
    /// Writes the set (messages up to 64 KiB, one file each) to `POSTROOM_EXPORT_HOSTILE` when it
    /// is set, e.g. the fuzzer's working corpus; otherwise to a temporary directory, checking the
    /// export itself.
    #[test]
    fn export_hostile_set() -> anyhow::Result<()> {
        let temporary = tempfile::tempdir()?;
        let dir = std::env::var_os("POSTROOM_EXPORT_HOSTILE")
            .map_or_else(|| temporary.path().to_path_buf(), std::path::PathBuf::from);
        std::fs::create_dir_all(&dir)?;
        let small: Vec<_> = super::messages().into_iter().filter(|m| m.raw.len() <= 64 * 1024).collect();
        for message in &small {
            std::fs::write(dir.join(format!("hostile-{}.eml", message.name)), &message.raw)?;
        }
        for message in &small {
            let written = std::fs::read(dir.join(format!("hostile-{}.eml", message.name)))?;
            anyhow::ensure!(written == message.raw, "{} was not exported byte for byte", message.name);
        }
        anyhow::ensure!(small.len() >= 60, "only {} messages are small enough to export", small.len());
        Ok(())
    }
}

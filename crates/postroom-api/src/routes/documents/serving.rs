//! How an original is handed to a browser: shown in place only when it is a type the viewer
//! shows (PDF, images, UTF-8 plain text), downloaded otherwise, never rendered as a page of
//! ours (an HTML attachment is a download, not a page on the API's origin), never cached.

use axum::http::{HeaderMap, HeaderValue, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Types the viewer shows in place, as they are.
const SHOWN: [&str; 6] = ["application/pdf", "image/png", "image/jpeg", "image/tiff", "image/gif", "image/webp"];

/// Policy for everything but PDFs: nothing loads, and the document is sandboxed (no scripts, a
/// unique origin) should a browser render it at all.
const SANDBOXED: &str = "default-src 'none'; sandbox";
/// Policy for PDFs: nothing loads. Chromium does not start its PDF viewer in a sandboxed
/// document (a blank page), so PDFs go without `sandbox`; inline styles are allowed for the
/// page the browser wraps the viewer in. The viewer runs PDF content in its own process.
const PDF: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// The `Content-Type`, disposition and policy an original is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation {
    pub content_type: &'static str,
    pub inline: bool,
    pub policy: &'static str,
}

/// Whether the bytes must be read to choose: plain text is shown only when it is UTF-8.
#[must_use]
pub fn needs_bytes(media_type: &str) -> bool {
    essence(media_type) == "text/plain"
}

/// How a document of `media_type` is served; `utf8` says whether its bytes are UTF-8 (asked for
/// plain text only, see [`needs_bytes`]). Anything not shown in place is a download of
/// `application/octet-stream`, whatever it claims to be.
#[must_use]
pub fn presentation(media_type: &str, utf8: bool) -> Presentation {
    let essence = essence(media_type);
    if let Some(shown) = SHOWN.iter().find(|t| **t == essence) {
        let policy = if *shown == "application/pdf" { PDF } else { SANDBOXED };
        return Presentation { content_type: shown, inline: true, policy };
    }
    if essence == "text/plain" && utf8 {
        return Presentation { content_type: "text/plain; charset=utf-8", inline: true, policy: SANDBOXED };
    }
    Presentation { content_type: "application/octet-stream", inline: false, policy: SANDBOXED }
}

/// Sets the headers every original leaves with: type, disposition (with the file name),
/// `nosniff`, the content security policy and `no-store`.
pub fn apply(headers: &mut HeaderMap, presentation: &Presentation, filename: &str) {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(presentation.content_type));
    let disposition = content_disposition(if presentation.inline { "inline" } else { "attachment" }, filename);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(presentation.policy));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
}

/// The name a document is saved under: the one it came with, else `document-<id>` with the
/// extension of its type.
#[must_use]
pub fn filename(stored: Option<&str>, id: uuid::Uuid, media_type: &str) -> String {
    match stored.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_owned(),
        None => format!("document-{id}{}", extension(&essence(media_type))),
    }
}

/// RFC 6266: `filename` as printable ASCII (anything else, quotes and backslashes `_`), and
/// `filename*` (RFC 8187) with the exact name in UTF-8 when the two differ.
#[must_use]
pub fn content_disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    if ascii == filename {
        format!("{kind}; filename=\"{ascii}\"")
    } else {
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(filename, ATTR_CHAR))
    }
}

/// Bytes RFC 8187 lets stand in `filename*` (its `attr-char`): letters, digits and
/// `!#$&+-.^_`|~`; everything else is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The media type without parameters, lower-cased.
fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn extension(essence: &str) -> &'static str {
    match essence {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/tiff" => ".tif",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "text/plain" => ".txt",
        "text/html" => ".html",
        "message/rfc822" => ".eml",
        _ => ".bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_types_the_viewer_shows_are_inline() {
        let pdf = presentation("application/pdf", false);
        assert_eq!((pdf.content_type, pdf.inline, pdf.policy), ("application/pdf", true, PDF));
        assert!(presentation("IMAGE/PNG; x=y", false).inline);
        let text = presentation("text/plain", true);
        assert_eq!((text.content_type, text.inline), ("text/plain; charset=utf-8", true));
        for other in ["text/html", "image/svg+xml", "application/xhtml+xml", "message/rfc822", "text/plain"] {
            let p = presentation(other, false);
            assert_eq!((p.content_type, p.inline, p.policy), ("application/octet-stream", false, SANDBOXED), "{other}");
        }
        assert!(needs_bytes("text/plain; charset=iso-8859-1") && !needs_bytes("text/html"));
    }

    #[test]
    fn file_names_are_quoted_safely_and_given_exactly_in_utf8() {
        assert_eq!(content_disposition("inline", "letter 1.pdf"), "inline; filename=\"letter 1.pdf\"");
        assert_eq!(
            content_disposition("attachment", "a\"b\\c.html"),
            "attachment; filename=\"a_b_c.html\"; filename*=UTF-8''a%22b%5Cc.html"
        );
        assert_eq!(
            content_disposition("attachment", "Zoë résumé.txt"),
            "attachment; filename=\"Zo_ r_sum_.txt\"; filename*=UTF-8''Zo%C3%AB%20r%C3%A9sum%C3%A9.txt"
        );
        assert!(HeaderValue::from_str(&content_disposition("attachment", "x\u{0}\r\ny")).is_ok());
    }

    #[test]
    fn a_document_without_a_name_is_named_by_its_id_and_type() {
        let id = uuid::Uuid::nil();
        assert_eq!(filename(None, id, "message/rfc822"), format!("document-{id}.eml"));
        assert_eq!(filename(Some("  "), id, "application/pdf"), format!("document-{id}.pdf"));
        assert_eq!(filename(Some("a.pdf"), id, "application/pdf"), "a.pdf");
    }
}

//! Reading a parsed message: its headers, its text, its attachments, and whether a person wrote
//! it. Every string read here is made storable: a NUL (U+0000, which PostgreSQL text cannot
//! hold) becomes U+FFFD, and where that happened is noted.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use mail_parser::{Address, Message, MimeHeaders, PartType};

use super::{EmailLimits, MESSAGE_RFC822};
use crate::display_filename;

/// A part pulled out of a parsed message.
pub(super) struct Part {
    pub bytes: Vec<u8>,
    pub part: &'static str,
    pub media_type: String,
    pub filename: Option<String>,
    pub text: Option<String>,
}

/// What was read from the headers.
#[derive(Default)]
pub(super) struct Headers {
    pub message_id: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// The sender's `Date:` claim.
    pub date: Option<DateTime<Utc>>,
    pub recipients: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
}

/// Where NUL characters were found (and replaced) in what was read.
#[derive(Debug, Default)]
pub(super) struct NulNotes(Vec<&'static str>);

impl NulNotes {
    /// `text` with every NUL replaced by U+FFFD, noting `place` when there was one.
    pub fn clean(&mut self, place: &'static str, text: String) -> String {
        if !text.contains('\0') {
            return text;
        }
        if !self.0.contains(&place) {
            self.0.push(place);
        }
        text.replace('\0', "\u{FFFD}")
    }

    /// The note for the record, when anything was replaced.
    pub fn note(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            format!(
                "NUL characters in the {} were replaced by U+FFFD; the stored original is unchanged",
                self.0.join(", ")
            )
        })
    }
}

/// Recognises mail no person wrote: delivery failures (bounces) and auto-replies (out of office).
/// They are recorded as such (status `bounce` / `auto_reply`, with the evidence) and reach
/// triage like any letter; they never resume an item waiting for the customer.
pub(super) fn automatic(msg: &Message<'_>) -> Option<(&'static str, String)> {
    let header = |name: &'static str| msg.header_raw(name).map(str::trim).filter(|v| !v.is_empty());
    if let Some(ct) = msg.content_type()
        && ct.ctype().eq_ignore_ascii_case("multipart")
        && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        && ct.attribute("report-type").is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    {
        return Some(("bounce", "a delivery status notification (multipart/report; delivery-status)".to_owned()));
    }
    let from = msg.from().and_then(first_address).unwrap_or_default().to_ascii_lowercase();
    let subject = msg.subject().unwrap_or_default().to_ascii_lowercase();
    if (from.starts_with("mailer-daemon@") || from.starts_with("postmaster@"))
        && ["undeliver", "delivery status", "failure", "returned mail", "could not be delivered"]
            .iter()
            .any(|w| subject.contains(w))
    {
        return Some(("bounce", format!("a delivery failure from {from}")));
    }
    if let Some(v) = header("Auto-Submitted").filter(|v| !v.eq_ignore_ascii_case("no")) {
        return Some(("auto_reply", format!("an automatic message (Auto-Submitted: {v})")));
    }
    for name in ["X-Autoreply", "X-Autorespond"] {
        if header(name).is_some() {
            return Some(("auto_reply", format!("an automatic reply ({name} header)")));
        }
    }
    if header("Precedence").is_some_and(|v| v.eq_ignore_ascii_case("auto_reply")) {
        return Some(("auto_reply", "an automatic reply (Precedence: auto_reply)".to_owned()));
    }
    if ["automatic reply:", "auto:", "out of office", "autoreply:"].iter().any(|p| subject.starts_with(p)) {
        return Some(("auto_reply", "an automatic reply (by its subject)".to_owned()));
    }
    None
}

pub(super) fn read_headers(msg: &Message<'_>, nul: &mut NulNotes) -> Headers {
    let headers = Headers {
        message_id: msg.message_id().map(normalise_id).filter(|m| !m.is_empty()),
        sender: msg.from().and_then(first_address),
        subject: msg.subject().map(|s| s.trim().to_owned()),
        date: msg.date().and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0)),
        recipients: Some(
            serde_json::json!({
                "to": addresses(msg.to()),
                "cc": addresses(msg.cc()),
                "reply_to": addresses(msg.reply_to()),
            })
            .to_string(),
        ),
        in_reply_to: msg
            .in_reply_to()
            .as_text_list()
            .and_then(|l| l.first().map(|m| normalise_id(m)))
            .or_else(|| msg.in_reply_to().as_text().map(normalise_id)),
        references: {
            let refs: Vec<String> = match msg.references().as_text_list() {
                Some(list) => list.iter().map(|r| normalise_id(r)).collect(),
                None => msg.references().as_text().map(normalise_id).into_iter().collect(),
            };
            (!refs.is_empty()).then(|| refs.join(" "))
        },
    };
    let mut clean = |place, v: Option<String>| v.map(|v| nul.clean(place, v));
    Headers {
        message_id: clean("Message-ID", headers.message_id),
        sender: clean("sender", headers.sender),
        subject: clean("subject", headers.subject),
        date: headers.date,
        recipients: clean("recipients", headers.recipients),
        in_reply_to: clean("In-Reply-To", headers.in_reply_to),
        references: clean("References", headers.references),
    }
}

/// `<abc@example.com>` → `abc@example.com`.
pub(super) fn normalise_id(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

pub(super) fn first_address(a: &Address<'_>) -> Option<String> {
    a.iter().find_map(|addr| addr.address()).map(|s| s.trim().to_ascii_lowercase())
}

fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    a.map(|a| a.iter().filter_map(|x| x.address().map(|s| s.trim().to_ascii_lowercase())).collect()).unwrap_or_default()
}

/// Subject and every body as text (HTML reduced to text), for classification.
pub(super) fn message_text(msg: &Message<'_>, subject: Option<&str>, nul: &mut NulNotes) -> String {
    let mut out = String::new();
    if let Some(s) = subject {
        out.push_str(s);
        out.push_str("\n\n");
    }
    for i in 0..msg.text_body_count().max(msg.html_body_count()) {
        if let Some(body) = msg.body_text(i) {
            out.push_str(body.trim());
            out.push('\n');
        }
    }
    nul.clean("text", out)
}

/// Attachments (recursively through nested messages), within the limits.
pub(super) fn collect_parts(
    msg: &Message<'_>,
    limits: EmailLimits,
    depth: usize,
    out: &mut Vec<Part>,
    nul: &mut NulNotes,
) -> Result<(), String> {
    if depth > limits.max_depth {
        return Err(format!("attachments are nested more than {} levels deep", limits.max_depth));
    }
    for att in msg.attachments() {
        if out.len() >= limits.max_attachments {
            return Err(format!("the message has more than {} attachments", limits.max_attachments));
        }
        let filename = att.attachment_name().and_then(display_filename);
        let declared = att
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                None => ct.ctype().to_ascii_lowercase(),
            })
            .filter(|t| plausible_media_type(t));
        match &att.body {
            PartType::Message(nested) => {
                out.push(Part {
                    bytes: nested.raw_message().to_vec(),
                    part: "message",
                    media_type: MESSAGE_RFC822.to_owned(),
                    filename,
                    text: Some(message_text(nested, nested.subject(), nul)),
                });
                collect_parts(nested, limits, depth + 1, out, nul)?;
            }
            PartType::Text(text) | PartType::Html(text) => {
                let is_html = matches!(att.body, PartType::Html(_));
                let text_value: Cow<'_, str> = if is_html { Cow::Owned(html_to_text(text)) } else { text.clone() };
                out.push(Part {
                    bytes: text.as_bytes().to_vec(),
                    part: "attachment",
                    media_type: declared.unwrap_or_else(|| if is_html { "text/html" } else { "text/plain" }.to_owned()),
                    filename,
                    text: Some(nul.clean("text", text_value.into_owned())),
                });
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                let inline = matches!(att.body, PartType::InlineBinary(_)) || att.content_id().is_some();
                out.push(Part {
                    media_type: sniffed_type(bytes, declared.as_deref()),
                    bytes: bytes.to_vec(),
                    part: if inline { "inline" } else { "attachment" },
                    filename,
                    text: None,
                });
            }
            PartType::Multipart(_) => {}
        }
    }
    Ok(())
}

/// A declared type worth keeping: `type/subtype` in printable ASCII, of a sane length.
fn plausible_media_type(t: &str) -> bool {
    t.len() <= 127
        && t.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        && t.bytes().all(|b| b.is_ascii_graphic())
}

/// The media type from the bytes; the declared one only when the bytes say nothing.
pub(super) fn sniffed_type(bytes: &[u8], declared: Option<&str>) -> String {
    match infer::get(bytes) {
        Some(kind) => kind.mime_type().to_owned(),
        None => match declared {
            Some(d) if d.starts_with("text/") => d.to_owned(),
            _ => "application/octet-stream".to_owned(),
        },
    }
}

/// HTML reduced to text the way mail-parser does for bodies.
fn html_to_text(html: &str) -> String {
    mail_parser::decoders::html::html_to_text(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_angle_brackets() {
        assert_eq!(normalise_id(" <abc@example.com> "), "abc@example.com");
    }

    #[test]
    fn sniffing_prefers_the_bytes_over_the_declared_type() {
        assert_eq!(sniffed_type(b"%PDF-1.7\n", Some("image/png")), "application/pdf");
        assert_eq!(sniffed_type(b"just words", Some("text/csv")), "text/csv");
        assert_eq!(sniffed_type(b"\x00\x01\x02", Some("application/pdf")), "application/octet-stream");
    }
}

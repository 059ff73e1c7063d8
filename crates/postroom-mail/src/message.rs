//! Building a reply: `multipart/alternative` (plain text and HTML) with the headers that thread
//! it under the customer's message.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::{
    Message,
    address::Envelope,
    message::{Mailbox, MultiPart},
};

use crate::MailError;

/// A reply to send. Message ids are given without angle brackets.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The sender, e.g. `Kingsbridge Vale Council Revenues <revenues@kingsbridge-vale.example>`;
    /// also the envelope sender (MAIL FROM).
    pub from: &'a str,
    /// Where the customer's answers should go, when not to `from`.
    pub reply_to: Option<&'a str>,
    /// The customer's address, with or without a display name; the one envelope recipient.
    pub to: &'a str,
    /// Further recipients, each also in To and the envelope (a digest's team leaders); none
    /// for a reply.
    pub also_to: &'a [String],
    pub subject: &'a str,
    /// The plain-text alternative.
    pub text: &'a str,
    /// The HTML alternative.
    pub html: &'a str,
    /// This message's id, e.g. `reply-<uuid>@kingsbridge-vale.example` (see [`message_id`]).
    pub message_id: &'a str,
    /// The customer's Message-ID.
    pub in_reply_to: Option<&'a str>,
    /// The customer's References chain, then their Message-ID.
    pub references: &'a [String],
    pub date: DateTime<Utc>,
}

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Built {
    /// The whole message (RFC 5322, CRLF line ends, 7-bit: non-ASCII text is encoded), as an
    /// `.eml` file holds it.
    pub eml: Vec<u8>,
    /// MAIL FROM (the From address) and RCPT TO (the To address).
    pub envelope: Envelope,
}

/// Builds the `.eml` bytes: `multipart/alternative` with the text and HTML parts, and From,
/// Reply-To, To, Subject, Date, Message-ID, In-Reply-To and References.
///
/// The customer's ids in `in_reply_to` and `references` are written only when they are
/// printable ASCII without spaces or angle brackets (duplicates once): one that is not would
/// break the header, and leaving it out costs only threading.
///
/// # Errors
/// An address that is not a valid mailbox, a `message_id` that is not `left@right`, or a
/// message lettre cannot build.
pub fn build(message: &Outgoing<'_>) -> Result<Built, MailError> {
    if !is_message_id(message.message_id) || !message.message_id.contains('@') {
        return Err(MailError::MessageId(message.message_id.to_owned()));
    }
    let mut builder = Message::builder()
        .from(mailbox("from", message.from)?)
        .to(mailbox("to", message.to)?)
        .subject(message.subject)
        .date(SystemTime::from(message.date))
        .message_id(Some(format!("<{}>", message.message_id)));
    for to in message.also_to {
        builder = builder.to(mailbox("to", to)?);
    }
    if let Some(reply_to) = message.reply_to {
        builder = builder.reply_to(mailbox("reply_to", reply_to)?);
    }
    if let Some(id) = message.in_reply_to.filter(|id| is_message_id(id)) {
        builder = builder.in_reply_to(format!("<{id}>"));
    }
    let mut references: Vec<&str> = Vec::new();
    for id in message.references.iter().map(String::as_str).filter(|id| is_message_id(id)) {
        if !references.contains(&id) {
            references.push(id);
        }
    }
    if !references.is_empty() {
        let ids: Vec<String> = references.iter().map(|id| format!("<{id}>")).collect();
        builder = builder.references(ids.join(" "));
    }
    let built =
        builder.multipart(MultiPart::alternative_plain_html(message.text.to_owned(), message.html.to_owned()))?;
    Ok(Built { eml: built.formatted(), envelope: built.envelope().clone() })
}

/// A new Message-ID for a message from `from`: `reply-<uuid v4>@<the From address's domain>`
/// (without angle brackets).
///
/// # Errors
/// When `from` is not a valid mailbox.
pub fn message_id(from: &str) -> Result<String, MailError> {
    let from = mailbox("from", from)?;
    Ok(format!("reply-{}@{}", uuid::Uuid::new_v4(), from.email.domain()))
}

fn mailbox(field: &'static str, value: &str) -> Result<Mailbox, MailError> {
    value.trim().parse().map_err(|source| MailError::Address { field, source })
}

/// Whether `id` can be written between angle brackets in a header as it is.
fn is_message_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 250 && id.bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing<'a>(references: &'a [String]) -> Outgoing<'a> {
        Outgoing {
            from: "Kingsbridge Vale Council Revenues <revenues@kingsbridge-vale.example>",
            reply_to: None,
            to: "Ms Ada Customer <ada@example.net>",
            also_to: &[],
            subject: "Your Council Tax account 512345678",
            text: "Dear Ms Customer,\n\nThank you.",
            html: "<p>Dear Ms Customer,</p><p>Thank you.</p>",
            message_id: "reply-1@kingsbridge-vale.example",
            in_reply_to: None,
            references,
            date: DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        }
    }

    fn headers(eml: &[u8]) -> String {
        let text = String::from_utf8_lossy(eml);
        text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
    }

    #[test]
    fn message_ids_are_ours_and_new_each_time() {
        let from = "Kingsbridge Vale Council Revenues <revenues@kingsbridge-vale.example>";
        let (a, b) = (message_id(from).unwrap(), message_id(from).unwrap());
        assert!(a.starts_with("reply-") && a.ends_with("@kingsbridge-vale.example"), "{a}");
        assert_ne!(a, b);
        assert!(uuid::Uuid::parse_str(&a["reply-".len()..a.len() - "@kingsbridge-vale.example".len()]).is_ok());
        assert!(matches!(message_id("not an address"), Err(MailError::Address { field: "from", .. })));
    }

    #[test]
    fn bad_addresses_and_ids_are_refused_naming_them() {
        let refs = [];
        let bad_to = Outgoing { to: "ada at example.net", ..outgoing(&refs) };
        assert!(matches!(build(&bad_to), Err(MailError::Address { field: "to", .. })));
        let bad_reply_to = Outgoing { reply_to: Some("@"), ..outgoing(&refs) };
        assert!(matches!(build(&bad_reply_to), Err(MailError::Address { field: "reply_to", .. })));
        for id in ["<reply-1@x.example>", "reply 1@x.example", "no-at-sign", ""] {
            let bad_id = Outgoing { message_id: id, ..outgoing(&refs) };
            assert!(matches!(build(&bad_id), Err(MailError::MessageId(_))), "{id}");
        }
    }

    #[test]
    fn unusable_customer_ids_are_left_out_and_repeated_ones_written_once() {
        let refs = ["a@x.example", "bad id@x", "<b@x.example>", "c@x.example", "a@x.example"].map(str::to_owned);
        let m = Outgoing { in_reply_to: Some("c@x.example"), ..outgoing(&refs) };
        let head = headers(&build(&m).unwrap().eml);
        assert!(head.contains("\r\nReferences: <a@x.example> <c@x.example>\r\n"), "{head}");
        assert!(head.contains("\r\nIn-Reply-To: <c@x.example>\r\n"), "{head}");
        let m = Outgoing { in_reply_to: Some("bad id"), ..outgoing(&refs[1..2]) };
        let head = headers(&build(&m).unwrap().eml);
        assert!(!head.contains("In-Reply-To") && !head.contains("References"), "{head}");
    }

    #[test]
    fn a_subject_cannot_add_headers_and_the_message_is_seven_bit() {
        let refs = [];
        let m = Outgoing {
            subject: "Rates £1,234\r\nBcc: everyone@example.net",
            text: "Caf\u{e9} \u{2014} £5\r\n.\r\nline after a lone dot",
            ..outgoing(&refs)
        };
        let built = build(&m).unwrap();
        assert!(built.eml.is_ascii());
        assert!(!headers(&built.eml).contains("\r\nBcc:"), "{}", headers(&built.eml));
        assert_eq!(built.envelope.to().len(), 1);
        assert_eq!(
            built.envelope.from().map(ToString::to_string).as_deref(),
            Some("revenues@kingsbridge-vale.example")
        );
    }

    #[test]
    fn further_recipients_are_in_to_and_the_envelope() {
        let refs = [];
        let more =
            ["Tess Leader <tess@kingsbridge-vale.example>".to_owned(), "tom@kingsbridge-vale.example".to_owned()];
        let built = build(&Outgoing { also_to: &more, ..outgoing(&refs) }).unwrap();
        assert_eq!(built.envelope.to().len(), 3);
        let head = headers(&built.eml);
        assert!(
            head.contains("tess@kingsbridge-vale.example") && head.contains("tom@kingsbridge-vale.example"),
            "{head}"
        );
        let bad = ["not an address".to_owned()];
        assert!(build(&Outgoing { also_to: &bad, ..outgoing(&refs) }).is_err());
    }
}

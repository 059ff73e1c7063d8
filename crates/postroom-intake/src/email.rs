//! Email: raw RFC 5322 messages (from the mail gateway, IMAP, or a drop folder).
//!
//! The raw message is the original and is always kept. Text and HTML bodies are reduced to
//! text for classification; every attachment (nested messages and inline images included) is
//! stored as a document of its own with its type sniffed from the bytes. The same bytes or the
//! same Message-ID again are recorded once. A message that cannot be parsed, or breaks a limit
//! when it came from a channel that cannot refuse it (IMAP), is still stored and recorded, with
//! the reason, so it lands in triage.

use std::borrow::Cow;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use mail_parser::{Address, Message, MessageParser, MimeHeaders, PartType};
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use postroom_db::{
    correspondence::{self, NewCorrespondence, NewDocument},
    is_unique_violation,
    outbox::{self, NewEvent},
};
use postroom_domain::{
    Channel, ContentHash, TextStatus,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived},
};
use postroom_storage::{ObjectStorage, StorageError};

use crate::display_filename;

/// Media type of a stored email.
pub const MESSAGE_RFC822: &str = "message/rfc822";

/// Limits on one message.
#[derive(Debug, Clone, Copy)]
pub struct EmailLimits {
    pub max_bytes: usize,
    pub max_attachments: usize,
    pub max_depth: usize,
}

/// What to do with a message that breaks a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLimit {
    /// Refuse it (the sender still has it: the API answers 413/422).
    Refuse,
    /// Store it raw and record it for triage with the reason (IMAP: the mailbox cannot be told no).
    Triage,
}

/// One email to receive.
#[derive(Debug, Clone)]
pub struct IncomingEmail {
    pub raw: Bytes,
    pub channel: Channel,
    /// When the council's server received it (IMAP internal date), used when the message has
    /// no usable Date header.
    pub delivered_at: Option<DateTime<Utc>>,
    pub correlation_id: Option<String>,
    pub on_limit: OnLimit,
}

/// A stored part of a received email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailDocument {
    pub id: Uuid,
    pub part: String,
    pub media_type: String,
    pub filename: Option<String>,
    pub size_bytes: u64,
}

/// What was recorded for an email.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    pub correspondence_id: Uuid,
    pub duplicate: bool,
    pub message_id: Option<String>,
    /// `received`, or `unparseable` / `over_limit` (recorded for triage with `reason`).
    pub status: String,
    pub reason: Option<String>,
    pub documents: Vec<EmailDocument>,
}

/// Why an email was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    #[error("{0}")]
    OverLimit(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Receives email into storage and the database.
#[derive(Debug, Clone)]
pub struct EmailIntake {
    db: DatabaseConnection,
    storage: ObjectStorage,
    limits: EmailLimits,
}

/// A part pulled out of a parsed message.
struct Part {
    bytes: Vec<u8>,
    part: &'static str,
    media_type: String,
    filename: Option<String>,
    text: Option<String>,
}

/// What was read from the headers.
#[derive(Default)]
struct Headers {
    message_id: Option<String>,
    sender: Option<String>,
    subject: Option<String>,
    date: Option<DateTime<Utc>>,
    recipients: Option<String>,
    in_reply_to: Option<String>,
    references: Option<String>,
}

impl EmailIntake {
    #[must_use]
    pub fn new(db: DatabaseConnection, storage: ObjectStorage, limits: EmailLimits) -> Self {
        Self { db, storage, limits }
    }

    /// Receives one message.
    ///
    /// # Errors
    /// An empty message; with [`OnLimit::Refuse`], a message over a limit; storage or database
    /// failures.
    #[tracing::instrument(skip_all, fields(size = email.raw.len(), channel = %email.channel))]
    pub async fn receive(&self, email: IncomingEmail, now: DateTime<Utc>) -> Result<ReceivedEmail, EmailError> {
        if email.raw.is_empty() {
            return Err(EmailError::Empty);
        }
        let hash = ContentHash::of(&email.raw);
        if let Some(existing) = correspondence::find_by_hash(&self.db, hash.as_str()).await? {
            return self.duplicate(existing).await;
        }
        let mut problem = None;
        if email.raw.len() > self.limits.max_bytes {
            let e = EmailError::TooLarge { size: email.raw.len(), max: self.limits.max_bytes };
            if email.on_limit == OnLimit::Refuse {
                return Err(e);
            }
            problem = Some(("over_limit", e.to_string()));
        }
        let parsed = if problem.is_none() { MessageParser::default().parse(email.raw.as_ref()) } else { None };
        let mut headers = Headers::default();
        let mut parts = Vec::new();
        match &parsed {
            None if problem.is_none() => {
                problem = Some(("unparseable", "the message could not be parsed as RFC 5322 email".to_owned()));
            }
            None => {}
            Some(msg) => {
                headers = read_headers(msg);
                if let Some(mid) = &headers.message_id
                    && let Some(existing) = correspondence::find_by_message_id(&self.db, mid).await?
                {
                    return self.duplicate(existing).await;
                }
                match collect_parts(msg, self.limits, 0, &mut parts) {
                    Ok(()) => {}
                    Err(reason) if email.on_limit == OnLimit::Refuse => return Err(EmailError::OverLimit(reason)),
                    Err(reason) => {
                        parts.clear();
                        problem = Some(("over_limit", reason));
                    }
                }
                if problem.is_none() {
                    problem = automatic(msg);
                }
                if headers.sender.is_none() && problem.is_none() {
                    problem = Some(("received", "the message has no sender address".to_owned()));
                }
            }
        }
        let received_at =
            headers.date.filter(|d| *d <= now + chrono::Duration::days(1)).or(email.delivered_at).unwrap_or(now);
        let body_text = parsed.as_ref().map(|m| message_text(m, headers.subject.as_deref()));
        self.record(email, hash, headers, body_text, parts, problem, received_at, now).await
    }

    #[expect(clippy::too_many_arguments, reason = "one private step with the pieces gathered above")]
    async fn record(
        &self,
        email: IncomingEmail,
        hash: ContentHash,
        headers: Headers,
        body_text: Option<String>,
        parts: Vec<Part>,
        problem: Option<(&'static str, String)>,
        received_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ReceivedEmail, EmailError> {
        // Originals first: nothing is recorded that is not already stored.
        let original_key = hash.original_key();
        self.storage.put_immutable(&original_key, email.raw.clone()).await?;
        let mut docs = vec![NewDocument {
            id: Uuid::now_v7(),
            object_key: original_key,
            media_type: MESSAGE_RFC822.to_owned(),
            size_bytes: i64::try_from(email.raw.len()).unwrap_or(i64::MAX),
            sha256: hash.as_str().to_owned(),
            page_count: None,
            filename: None,
            text_status: if body_text.is_some() { TextStatus::Extracted } else { TextStatus::NoText }
                .as_str()
                .to_owned(),
            extracted_text: body_text,
            part: "original".to_owned(),
        }];
        for p in parts {
            let part_hash = ContentHash::of(&p.bytes);
            let key = part_hash.original_key();
            let size = p.bytes.len();
            self.storage.put_immutable(&key, Bytes::from(p.bytes)).await?;
            docs.push(NewDocument {
                id: Uuid::now_v7(),
                object_key: key,
                media_type: p.media_type,
                size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
                sha256: part_hash.as_str().to_owned(),
                page_count: None,
                filename: p.filename,
                text_status: if p.text.is_some() { TextStatus::Extracted } else { TextStatus::Pending }
                    .as_str()
                    .to_owned(),
                extracted_text: p.text,
                part: p.part.to_owned(),
            });
        }
        let (status, reason) = match problem {
            Some((status, reason)) => (status.to_owned(), Some(reason)),
            None => ("received".to_owned(), None),
        };
        let id = Uuid::now_v7();
        let documents: Vec<EmailDocument> = docs
            .iter()
            .map(|d| EmailDocument {
                id: d.id,
                part: d.part.clone(),
                media_type: d.media_type.clone(),
                filename: d.filename.clone(),
                size_bytes: u64::try_from(d.size_bytes).unwrap_or_default(),
            })
            .collect();
        let new = NewCorrespondence {
            id,
            channel: email.channel,
            received_at,
            sender: headers.sender,
            subject: headers.subject,
            content_hash: hash.as_str().to_owned(),
            message_id: headers.message_id.clone(),
            batch_id: None,
            status: status.clone(),
            status_reason: reason.clone(),
            recipients: headers.recipients,
            in_reply_to: headers.in_reply_to,
            references: headers.references,
        };
        let txn = self.db.begin().await?;
        let written = async {
            correspondence::insert(&txn, new, docs, now).await?;
            let event = NewEvent::new(CORRESPONDENCE_RECEIVED, &CorrespondenceReceived { correspondence_id: id })?
                .correlated(email.correlation_id.clone());
            outbox::enqueue(&txn, event, now).await
        }
        .await;
        match written {
            Ok(_) => txn.commit().await?,
            Err(e) if is_unique_violation(&e) => {
                // The same bytes or Message-ID were recorded meanwhile.
                txn.rollback().await?;
                let existing = match &headers.message_id {
                    Some(mid) => correspondence::find_by_message_id(&self.db, mid).await?,
                    None => None,
                };
                let existing = match existing {
                    Some(c) => Some(c),
                    None => correspondence::find_by_hash(&self.db, hash.as_str()).await?,
                };
                return match existing {
                    Some(c) => self.duplicate(c).await,
                    None => Err(e.into()),
                };
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(correspondence_id = %id, %status, documents = documents.len(), "email received");
        Ok(ReceivedEmail {
            correspondence_id: id,
            duplicate: false,
            message_id: headers.message_id,
            status,
            reason,
            documents,
        })
    }

    async fn duplicate(
        &self,
        existing: postroom_db::entities::correspondence::Model,
    ) -> Result<ReceivedEmail, EmailError> {
        let docs = correspondence::documents_of(&self.db, &[existing.id]).await?;
        Ok(ReceivedEmail {
            correspondence_id: existing.id,
            duplicate: true,
            message_id: existing.message_id,
            status: existing.status,
            reason: existing.status_reason,
            documents: docs
                .into_iter()
                .map(|d| EmailDocument {
                    id: d.id,
                    part: d.part,
                    media_type: d.media_type,
                    filename: d.filename,
                    size_bytes: u64::try_from(d.size_bytes).unwrap_or_default(),
                })
                .collect(),
        })
    }
}

/// Recognises mail no person wrote: delivery failures (bounces) and auto-replies (out of office).
/// They are recorded as such (status `bounce` / `auto_reply`, with the evidence) and reach
/// triage like any letter; they never resume an item waiting for the customer.
fn automatic(msg: &Message<'_>) -> Option<(&'static str, String)> {
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

fn read_headers(msg: &Message<'_>) -> Headers {
    Headers {
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
    }
}

/// `<abc@example.com>` → `abc@example.com`.
fn normalise_id(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

fn first_address(a: &Address<'_>) -> Option<String> {
    a.iter().find_map(|addr| addr.address()).map(|s| s.trim().to_ascii_lowercase())
}

fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    a.map(|a| a.iter().filter_map(|x| x.address().map(|s| s.trim().to_ascii_lowercase())).collect()).unwrap_or_default()
}

/// Subject and every body as text (HTML reduced to text), for classification.
fn message_text(msg: &Message<'_>, subject: Option<&str>) -> String {
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
    out
}

/// Attachments (recursively through nested messages), within the limits.
fn collect_parts(msg: &Message<'_>, limits: EmailLimits, depth: usize, out: &mut Vec<Part>) -> Result<(), String> {
    if depth > limits.max_depth {
        return Err(format!("attachments are nested more than {} levels deep", limits.max_depth));
    }
    for att in msg.attachments() {
        if out.len() >= limits.max_attachments {
            return Err(format!("the message has more than {} attachments", limits.max_attachments));
        }
        let filename = att.attachment_name().and_then(display_filename);
        let declared = att.content_type().map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        });
        match &att.body {
            PartType::Message(nested) => {
                out.push(Part {
                    bytes: nested.raw_message().to_vec(),
                    part: "message",
                    media_type: MESSAGE_RFC822.to_owned(),
                    filename,
                    text: Some(message_text(nested, nested.subject())),
                });
                collect_parts(nested, limits, depth + 1, out)?;
            }
            PartType::Text(text) | PartType::Html(text) => {
                let is_html = matches!(att.body, PartType::Html(_));
                let text_value: Cow<'_, str> = if is_html { Cow::Owned(html_to_text(text)) } else { text.clone() };
                out.push(Part {
                    bytes: text.as_bytes().to_vec(),
                    part: "attachment",
                    media_type: declared.unwrap_or_else(|| if is_html { "text/html" } else { "text/plain" }.to_owned()),
                    filename,
                    text: Some(text_value.into_owned()),
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

/// The media type from the bytes; the declared one only when the bytes say nothing.
fn sniffed_type(bytes: &[u8], declared: Option<&str>) -> String {
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

//! Email: raw RFC 5322 messages (from the mail gateway, IMAP, or a drop folder).
//!
//! The raw message is the original and is always kept. Text and HTML bodies are reduced to
//! text for classification; every attachment (nested messages and inline images included) is
//! stored as a document of its own with its type sniffed from the bytes.
//!
//! Only the same bytes again are a duplicate (recorded once). A *different* message that reuses
//! an earlier Message-ID is stored and recorded too, linked to the earlier one as a possible
//! duplicate for a person to judge. A message that cannot be parsed, breaks a limit when it came
//! from a channel that cannot refuse it (IMAP, drop folder), or holds something the database
//! will not take, is still stored and recorded, with the reason, so it lands in triage.
//!
//! The sender's `Date:` is their claim, kept as `sent_at`; deadlines run from when the council
//! received the message (the IMAP delivery time when plausible, otherwise now).

mod read;
mod record;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use mail_parser::MessageParser;
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use postroom_db::{
    correspondence::{self, NewCorrespondence, NewDocument},
    is_unique_violation,
    outbox::{self, NewEvent},
    refused_the_data,
};
use postroom_domain::{
    Channel, ContentHash, TextStatus,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived},
};
use postroom_storage::{ObjectStorage, StorageError};

use read::{Headers, NulNotes, Part};
use record::{Recording, received};

/// Media type of a stored email.
pub const MESSAGE_RFC822: &str = "message/rfc822";

/// Limits on one message.
#[derive(Debug, Clone, Copy)]
pub struct EmailLimits {
    pub max_bytes: usize,
    pub max_attachments: usize,
    pub max_depth: usize,
    /// A delivery time older than this is not believed (the time of receipt is used instead).
    pub max_date_age: chrono::Duration,
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
    /// When the council's server received it (IMAP internal date, drop-folder file time). Used
    /// as the received time when it is plausible (not in the future, not older than
    /// [`EmailLimits::max_date_age`]); otherwise the time of receipt is.
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
    /// `received`, or `unparseable` / `over_limit` / `bounce` / `auto_reply` /
    /// `possible_duplicate` / `partly_recorded` (recorded for triage with `reason`).
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

/// Everything read from a message before it is stored.
struct Reading {
    headers: Headers,
    body_text: Option<String>,
    parts: Vec<Part>,
    problem: Option<(&'static str, String)>,
    nul: NulNotes,
}

impl EmailIntake {
    #[must_use]
    pub fn new(db: DatabaseConnection, storage: ObjectStorage, limits: EmailLimits) -> Self {
        Self { db, storage, limits }
    }

    /// Whether the database and the object store answer now (see [`crate::services_answer`]).
    pub async fn services_answer(&self) -> bool {
        crate::services_answer(&self.db, &self.storage).await
    }

    /// Receives one message.
    ///
    /// # Errors
    /// An empty message; with [`OnLimit::Refuse`], a message over a limit; storage or database
    /// failures that are not the message's fault (the store or database is unreachable).
    #[tracing::instrument(skip_all, fields(size = email.raw.len(), channel = %email.channel))]
    pub async fn receive(&self, email: IncomingEmail, now: DateTime<Utc>) -> Result<ReceivedEmail, EmailError> {
        if email.raw.is_empty() {
            return Err(EmailError::Empty);
        }
        let hash = ContentHash::of(&email.raw);
        if let Some(existing) = correspondence::find_by_hash(&self.db, hash.as_str()).await? {
            return self.duplicate(existing).await;
        }
        let reading = self.read(&email)?;
        let received_at = self.received_at(email.delivered_at, now);
        let recording = self.store(&email, &hash, reading, received_at).await?;
        self.record(recording, now).await
    }

    /// Parses the message within the limits. `Err` only when the message is refused. Should the
    /// parser panic on some message, the message is recorded as unparseable all the same.
    fn read(&self, email: &IncomingEmail) -> Result<Reading, EmailError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.parse(email))).unwrap_or_else(|_| {
            tracing::error!("the email parser panicked; the message is recorded as unparseable");
            let mut r = Reading::empty();
            r.problem = Some(("unparseable", "the email parser failed on this message".to_owned()));
            Ok(r)
        })
    }

    fn parse(&self, email: &IncomingEmail) -> Result<Reading, EmailError> {
        let mut r = Reading::empty();
        if email.raw.len() > self.limits.max_bytes {
            let e = EmailError::TooLarge { size: email.raw.len(), max: self.limits.max_bytes };
            if email.on_limit == OnLimit::Refuse {
                return Err(e);
            }
            r.problem = Some(("over_limit", e.to_string()));
            return Ok(r);
        }
        let Some(msg) = MessageParser::default().parse(email.raw.as_ref()) else {
            r.problem = Some(("unparseable", "the message could not be parsed as RFC 5322 email".to_owned()));
            return Ok(r);
        };
        r.headers = read::read_headers(&msg, &mut r.nul);
        let long_id = r.headers.message_id.as_ref().is_some_and(|m| m.chars().count() > read::MAX_ID_CHARS);
        if long_id {
            r.headers.message_id = None;
        }
        match read::collect_parts(&msg, self.limits, 0, &mut r.parts, &mut r.nul) {
            Ok(()) => {}
            Err(reason) if email.on_limit == OnLimit::Refuse => return Err(EmailError::OverLimit(reason)),
            Err(reason) => {
                r.parts.clear();
                r.problem = Some(("over_limit", reason));
            }
        }
        if r.problem.is_none() {
            r.problem = read::automatic(&msg);
        }
        if r.headers.sender.is_none() && r.problem.is_none() {
            r.problem = Some(("received", "the message has no sender address".to_owned()));
        }
        if long_id && r.problem.is_none() {
            let max = read::MAX_ID_CHARS;
            r.problem = Some(("received", format!("the Message-ID is longer than {max} characters and was not kept")));
        }
        r.body_text = Some(read::message_text(&msg, r.headers.subject.as_deref(), &mut r.nul));
        Ok(r)
    }

    /// Whether `at` is a plausible time for the council to have received a message: not in the
    /// future (a few minutes of clock skew aside) and no older than the date window.
    #[must_use]
    pub fn plausible_delivery(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        at <= now + chrono::Duration::minutes(5) && now.signed_duration_since(at) <= self.limits.max_date_age
    }

    /// When the council received the message: the delivery time when it is plausible.
    fn received_at(&self, delivered_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
        delivered_at.filter(|d| self.plausible_delivery(*d, now)).map_or(now, |d| d.min(now))
    }

    /// Stores the original and every part (originals first: nothing is recorded that is not
    /// already stored) and builds the rows to record.
    async fn store(
        &self,
        email: &IncomingEmail,
        hash: &ContentHash,
        reading: Reading,
        received_at: DateTime<Utc>,
    ) -> Result<Recording, EmailError> {
        let original_key = hash.original_key();
        self.storage.put_immutable(&original_key, email.raw.clone()).await?;
        let Reading { headers, body_text, parts, problem, nul } = reading;
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
            text_problem: nul.note(),
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
                text_problem: None,
                part: p.part.to_owned(),
            });
        }
        let (status, reason) = match problem {
            Some((status, reason)) => (status.to_owned(), Some(reason)),
            None => ("received".to_owned(), None),
        };
        let new = NewCorrespondence {
            id: Uuid::now_v7(),
            channel: email.channel,
            received_at,
            sent_at: headers.date,
            sender: headers.sender,
            subject: headers.subject,
            content_hash: hash.as_str().to_owned(),
            message_id: headers.message_id,
            possible_duplicate_of: None,
            batch_id: None,
            status,
            status_reason: reason,
            recipients: headers.recipients,
            in_reply_to: headers.in_reply_to,
            references: headers.references,
        };
        Ok(Recording { new, docs, correlation_id: email.correlation_id.clone() })
    }

    /// Records the message with its `correspondence.received` event. A different message
    /// holding an earlier Message-ID is linked to it; what the database refuses (a value it
    /// cannot hold) is left out and the original recorded with the reason.
    async fn record(&self, mut r: Recording, now: DateTime<Utc>) -> Result<ReceivedEmail, EmailError> {
        let mut left_out = false;
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.link_to_earlier(&mut r).await?;
            let Err(e) = self.write(&r, now).await else {
                return Ok(received(r));
            };
            if is_unique_violation(&e) {
                if let Some(c) = correspondence::find_by_hash(&self.db, &r.new.content_hash).await? {
                    return self.duplicate(c).await; // the same bytes, recorded meanwhile
                }
                if r.new.message_id.is_some() && r.new.possible_duplicate_of.is_none() && attempts < 3 {
                    continue; // a different message took the Message-ID meanwhile: link to it
                }
                return Err(e.into());
            }
            if left_out || !refused_the_data(&e) {
                return Err(e.into());
            }
            tracing::warn!(error = %e, "the database refused what was read from an email; recording its original only");
            left_out = true;
            r.only_the_original(&e);
        }
    }

    /// Marks a different message with an earlier message's Message-ID as a possible duplicate.
    async fn link_to_earlier(&self, r: &mut Recording) -> Result<(), EmailError> {
        let Some(mid) = r.new.message_id.as_deref() else { return Ok(()) };
        if r.new.possible_duplicate_of.is_some() {
            return Ok(());
        }
        let Some(earlier) = correspondence::find_by_message_id(&self.db, mid).await? else { return Ok(()) };
        r.new.possible_duplicate_of = Some(earlier.id);
        let reason = format!(
            "a possible duplicate: correspondence {} received {} has the same Message-ID <{mid}> but different content; judge whether this is the same letter",
            earlier.id,
            earlier.received_at.format("%Y-%m-%d %H:%M UTC"),
        );
        if r.new.status == "received" {
            r.new.status = "possible_duplicate".to_owned();
            r.new.status_reason = Some(reason);
        } else {
            let earlier_reason = r.new.status_reason.take().unwrap_or_default();
            r.new.status_reason = Some(format!("{earlier_reason}; {reason}"));
        }
        Ok(())
    }

    async fn write(&self, r: &Recording, now: DateTime<Utc>) -> Result<(), sea_orm::DbErr> {
        let txn = self.db.begin().await?;
        correspondence::insert(&txn, r.new.clone(), r.docs.clone(), now).await?;
        let event = NewEvent::new(CORRESPONDENCE_RECEIVED, &CorrespondenceReceived { correspondence_id: r.new.id })?
            .correlated(r.correlation_id.clone());
        outbox::enqueue(&txn, event, now).await?;
        txn.commit().await
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

impl Reading {
    fn empty() -> Self {
        Self {
            headers: Headers::default(),
            body_text: None,
            parts: Vec::new(),
            problem: None,
            nul: NulNotes::default(),
        }
    }
}

//! `reply.approved` → the reply goes out: an email by SMTP (or, with no mail server configured,
//! as a `.eml` file in the outbox directory), a letter as a PDF into the day's print batch.
//!
//! Exactly once: an email is taken for sending (`sending`, a lease) in its own committed
//! transaction before the mail server is spoken to, and the outcome is recorded in the event's
//! transaction, so the event is acknowledged only after the outcome is stored. An attempt that
//! stopped between the server's answer and that record leaves the reply `sending`; once the
//! lease runs out the next delivery marks it `unconfirmed` (the customer may have it, under the
//! Message-ID recorded at approval) instead of sending it again. A server that is away or
//! answers 4xx certainly did not take it: the reply goes back to `approved` and the event is
//! retried with growing delay, then dead-lettered for an admin to re-drive.

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use async_trait::async_trait;
use bytes::Bytes;
use chrono::Utc;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use postroom_casework::{Begun, Casework, Outcome};
use postroom_db::entities::reply;
use postroom_domain::{
    events::{REPLY_APPROVED, ReplyEvent},
    london_date,
};
use postroom_mail::{Outgoing, SendOutcome, SmtpSender};
use postroom_queue::{Event, EventHandler, Prepared};
use postroom_storage::ObjectStorage;

/// How emails leave.
pub enum Transport {
    /// By SMTP.
    Smtp(Arc<SmtpSender>),
    /// Written as `<Message-ID>.eml` into this directory (the embedded default without a mail
    /// server); each file counts as sent.
    Directory(PathBuf),
}

/// Who emails are from.
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: String,
    pub reply_to: Option<String>,
}

/// Sends approved replies.
pub struct SendReplies {
    casework: Casework,
    storage: ObjectStorage,
    transport: Transport,
    sender: Sender,
    lease: Duration,
}

impl SendReplies {
    #[must_use]
    pub fn new(
        casework: Casework,
        storage: ObjectStorage,
        transport: Transport,
        sender: Sender,
        lease: Duration,
    ) -> Self {
        Self { casework, storage, transport, sender, lease }
    }

    /// The letter as a PDF in object storage, ready for its print batch.
    async fn letter(&self, letter: &reply::Model) -> anyhow::Result<Outcome> {
        let item = self.casework.load(letter.work_item_id).await?;
        let pdf = self.casework.letter_pdf(letter, &item.reference)?;
        let key = format!("replies/{}.pdf", letter.id);
        self.storage.put(&key, Bytes::from(pdf)).await.with_context(|| format!("storing letter {}", letter.id))?;
        Ok(Outcome::Batched { stored_key: key, day: london_date(Utc::now()) })
    }

    /// Builds, stores and sends an email taken for sending; `Err` after giving it back when
    /// it certainly did not go.
    async fn email(&self, email: &reply::Model) -> anyhow::Result<Outcome> {
        match self.try_email(email).await {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                let reason = format!("{e:#}");
                self.casework.defer_sending(email.id, &reason).await?;
                Err(e)
            }
        }
    }

    async fn try_email(&self, email: &reply::Model) -> anyhow::Result<Outcome> {
        let message_id = email
            .message_id
            .as_deref()
            .with_context(|| format!("reply {} was approved without a Message-ID", email.id))?;
        let references: Vec<String> =
            email.references.as_deref().map(|r| r.split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
        let html = postroom_templates::html(&email.body);
        let name: String =
            email.recipient_name.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\\')).collect();
        let to = match name.trim() {
            "" | "Sir or Madam" => email.recipient.clone(),
            name => format!("\"{name}\" <{}>", email.recipient),
        };
        let built = match postroom_mail::build(&Outgoing {
            from: &self.sender.from,
            reply_to: self.sender.reply_to.as_deref(),
            to: &to,
            also_to: &[],
            subject: &email.subject,
            text: &email.body,
            html: &html,
            message_id,
            in_reply_to: email.in_reply_to.as_deref(),
            references: &references,
            date: email.approved_at.unwrap_or_else(Utc::now),
        }) {
            Ok(built) => built,
            // The message itself cannot be made (an address no mail server takes): it will never
            // go, whatever is retried.
            Err(e) => return Ok(Outcome::Failed { reason: format!("the email could not be made: {e}") }),
        };
        let key = format!("replies/{}.eml", email.id);
        self.storage.put(&key, Bytes::from(built.eml.clone())).await.with_context(|| format!("storing {key}"))?;
        let outcome = match &self.transport {
            Transport::Directory(dir) => {
                write_eml(dir, message_id, &built.eml).await?;
                Outcome::Sent { stored_key: key, response: format!("written to {}", dir.display()) }
            }
            Transport::Smtp(smtp) => match smtp.send(&built).await {
                SendOutcome::Accepted { response } => Outcome::Sent { stored_key: key, response },
                SendOutcome::Deferred { reason } => anyhow::bail!("the mail server did not take it: {reason}"),
                SendOutcome::Refused { reason } => {
                    Outcome::Failed { reason: format!("the mail server refused it: {reason}") }
                }
                SendOutcome::Unknown { reason } => Outcome::Unconfirmed {
                    reason: format!(
                        "the connection failed after the message was sent ({reason}): the mail server may have it as \
                         Message-ID <{message_id}>; check the relay's log, and send it again only if it did not arrive"
                    ),
                },
            },
        };
        Ok(outcome)
    }
}

/// Writes `<message-id>.eml` into `dir` atomically (a temporary name, then renamed).
pub(crate) async fn write_eml(dir: &std::path::Path, message_id: &str, eml: &[u8]) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating the outbox directory {}", dir.display()))?;
    let name: String =
        message_id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect();
    let path = dir.join(format!("{name}.eml"));
    let partial = dir.join(format!(".{name}.eml.partial"));
    tokio::fs::write(&partial, eml).await.with_context(|| format!("writing {}", partial.display()))?;
    tokio::fs::rename(&partial, &path).await.with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[async_trait]
impl EventHandler for SendReplies {
    fn consumer(&self) -> &'static str {
        "send-reply"
    }

    fn queue(&self) -> &'static str {
        postroom_queue::amqp::SEND_QUEUE
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[REPLY_APPROVED]
    }

    /// Sends (or stores the letter). Unlike other handlers it writes before `handle`: taking an
    /// email for sending commits on its own, so that a second delivery never sends it again.
    #[tracing::instrument(skip_all, fields(event_id = %event.id))]
    async fn prepare(&self, _db: &DatabaseConnection, event: &Event) -> anyhow::Result<Prepared> {
        let payload: ReplyEvent = serde_json::from_value(event.payload.clone()).context("reply.approved payload")?;
        let current = self.casework.reply(payload.reply_id).await?;
        let outcome = match (current.channel.as_str(), current.status.as_str()) {
            ("letter", "approved") => Some(self.letter(&current).await?),
            ("letter", _) => None,
            _ => match self.casework.begin_sending(current.id, self.lease).await? {
                Begun::Send(taken) => Some(self.email(&taken).await?),
                Begun::Busy(why) => anyhow::bail!("{why}; will try again"),
                Begun::Interrupted(interrupted) => Some(Outcome::Unconfirmed {
                    reason: format!(
                        "an attempt to send it stopped before its outcome was recorded: the mail server may have it as \
                         Message-ID <{}>; check the relay's log, and send it again only if it did not arrive",
                        interrupted.message_id.as_deref().unwrap_or("?")
                    ),
                }),
                Begun::Done(_) => None,
            },
        };
        if let Some(outcome) = &outcome {
            tracing::info!(reply = %current.id, outcome = ?outcome, "reply sending outcome");
        }
        Ok(Prepared::value((current.id, outcome)))
    }

    async fn handle(&self, txn: &DatabaseTransaction, _event: &Event, prepared: Prepared) -> anyhow::Result<()> {
        if let Some((id, Some(outcome))) = prepared.take::<(uuid::Uuid, Option<Outcome>)>() {
            self.casework.record_sending(txn, id, outcome).await?;
        }
        Ok(())
    }
}

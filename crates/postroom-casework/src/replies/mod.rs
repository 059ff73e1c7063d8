//! Replies to the customer: the draft rendered when an item is completed (in the completion's
//! transaction), read, edited and approved by people, then sent by the send worker (email) or
//! collected into the day's print batch (letter).
//!
//! A reply's status moves `draft` → `approved` → `sending` → `sent` (email), or `draft` →
//! `approved` → `batched` → `printed` (letter). An email the mail server refused is `failed`;
//! one whose attempt stopped after the message may have reached the server is `unconfirmed`,
//! and is never sent again unless a team leader decides to (`resend`).

mod draft;
mod fields;
mod preview;
mod printing;
mod sending;

use std::sync::Arc;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, TransactionTrait};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use postroom_accounts::Rates;
use postroom_db::{entities::reply, outbox, replies, work_items};
use postroom_domain::{
    Role,
    events::{REPLY_APPROVED, ReplyEvent},
};
use postroom_templates::Templates;

pub(crate) use draft::{DraftOf, check_reply, draft};
pub use fields::long_date;
pub use preview::ReplyPreview;
pub use printing::{PrintedBatch, PrintedRequest};
pub use sending::{Begun, Outcome, SENDER};

use crate::{Caller, Casework, CaseworkError, text::required};

/// The longest subject a reply may have.
pub const MAX_SUBJECT_CHARS: usize = 300;
/// The longest body a reply may have.
pub const MAX_BODY_CHARS: usize = 50_000;

/// Who replies are from and signed by (from `[replies]`).
#[derive(Debug, Clone)]
pub struct ReplyIdentity {
    pub council: String,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub team: String,
    pub signature: String,
    /// The domain of our Message-IDs (the From address's).
    pub message_id_domain: String,
}

impl ReplyIdentity {
    /// The contact block under the signature: phone, email and website, one a line.
    #[must_use]
    pub fn contact(&self) -> String {
        [
            self.phone.as_ref().map(|p| format!("Telephone: {p}")),
            self.email.as_ref().map(|e| format!("Email: {e}")),
            self.website.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// What drafting a reply needs: the templates, the charge rates, the working-day calendar (a
/// revised Direct Debit collection's advance notice) and who replies are from.
pub struct Replying {
    pub templates: Arc<Templates>,
    pub rates: Arc<Rates>,
    pub calendar: Arc<postroom_domain::WorkingCalendar>,
    pub identity: ReplyIdentity,
}

/// An edit of a draft: its version as read, and the new subject and/or body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyEdit {
    /// The reply's `version` as last read (a stale one gets 409).
    pub version: i32,
    /// At most 300 characters.
    pub subject: Option<String>,
    /// At most 50,000 characters.
    pub body: Option<String>,
}

/// Approving a reply for sending.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyApproval {
    /// The reply's `version` as last read (a stale one gets 409).
    pub version: i32,
}

impl Casework {
    /// The reply `id`, or 404.
    ///
    /// # Errors
    /// 404; the database failing.
    pub async fn reply(&self, id: Uuid) -> Result<reply::Model, CaseworkError> {
        replies::find(&self.db, id).await?.ok_or_else(|| CaseworkError::NotFound(format!("reply {id} does not exist")))
    }

    /// The replies of work item `id`, oldest first.
    ///
    /// # Errors
    /// The database failing.
    pub async fn replies_of(&self, work_item_id: Uuid) -> Result<Vec<reply::Model>, CaseworkError> {
        Ok(replies::for_item(&self.db, work_item_id).await?)
    }

    /// Edits a draft: its author or a team leader, while it is a draft, at the version read.
    ///
    /// # Errors
    /// 403 for anyone else; 409 when it is no longer a draft or was changed meanwhile; 422 for
    /// an empty or too long subject or body.
    #[tracing::instrument(skip_all, fields(reply = %id, user = %caller.user))]
    pub async fn edit_reply(&self, caller: &Caller, id: Uuid, edit: ReplyEdit) -> Result<reply::Model, CaseworkError> {
        let current = self.reply(id).await?;
        if current.author != caller.user && !matches!(caller.role, Role::TeamLeader | Role::Admin) {
            return Err(CaseworkError::Forbidden(format!(
                "only {} (who drafted it) or a team leader may edit reply {id}",
                current.author
            )));
        }
        let subject = edit.subject.as_deref().map(|s| required("subject", s, MAX_SUBJECT_CHARS)).transpose()?;
        let body = edit.body.as_deref().map(|b| required("body", b, MAX_BODY_CHARS)).transpose()?;
        let changes = reply::ActiveModel {
            subject: subject.map_or(sea_orm::ActiveValue::NotSet, Set),
            body: body.map_or(sea_orm::ActiveValue::NotSet, Set),
            version: Set(next_version(&current, edit.version)?),
            updated_at: Set(Utc::now()),
            updated_by: Set(Some(caller.user.clone())),
            ..Default::default()
        };
        if !replies::update_if(&self.db, id, &["draft"], Some(edit.version), changes).await? {
            return Err(moved_on(&self.reply(id).await?, edit.version));
        }
        self.reply(id).await
    }

    /// Approves a draft for sending: its author, or a team leader; a sensitive workflow's reply,
    /// or one from an item a team leader had to approve, needs a team leader other than its
    /// author. Records our Message-ID (email) and queues `reply.approved` in one transaction.
    ///
    /// # Errors
    /// 403 for anyone else; 409 when it is no longer a draft or was changed meanwhile.
    #[tracing::instrument(skip_all, fields(reply = %id, user = %caller.user))]
    pub async fn approve_reply(
        &self,
        caller: &Caller,
        id: Uuid,
        approval: ReplyApproval,
    ) -> Result<reply::Model, CaseworkError> {
        let current = self.reply(id).await?;
        let leader = matches!(caller.role, Role::TeamLeader | Role::Admin);
        if current.needs_team_leader && (!leader || current.author == caller.user) {
            return Err(CaseworkError::Forbidden(format!(
                "reply {id} needs a team leader other than {} (who drafted it) to approve it: its workflow is \
                 sensitive or its item needed a team leader's approval",
                current.author
            )));
        }
        if current.needs_team_leader && current.updated_by.as_deref() == Some(caller.user.as_str()) {
            return Err(CaseworkError::Forbidden(format!(
                "{} last edited reply {id}: another team leader approves it (four-eyes)",
                caller.user
            )));
        }
        if !leader && current.author != caller.user {
            return Err(CaseworkError::Forbidden(format!(
                "only {} (who drafted it) or a team leader may approve reply {id}",
                current.author
            )));
        }
        let item = self.load(current.work_item_id).await?;
        let now = Utc::now();
        let message_id =
            (current.channel == "email").then(|| format!("reply-{id}@{}", self.replying.identity.message_id_domain));
        let changes = reply::ActiveModel {
            status: Set("approved".to_owned()),
            version: Set(next_version(&current, approval.version)?),
            approved_by: Set(Some(caller.user.clone())),
            approved_at: Set(Some(now)),
            message_id: Set(message_id.clone()),
            updated_at: Set(now),
            ..Default::default()
        };
        let txn = self.db.begin().await?;
        if !replies::update_if(&txn, id, &["draft"], Some(approval.version), changes).await? {
            txn.rollback().await?;
            return Err(moved_on(&self.reply(id).await?, approval.version));
        }
        let fresh = replies::find(&txn, id).await?.ok_or_else(|| CaseworkError::NotFound(format!("reply {id}")))?;
        announce(&txn, &fresh, &item, REPLY_APPROVED, &caller.user, None, now).await?;
        txn.commit().await?;
        self.wake();
        Ok(fresh)
    }

    /// Sends again a reply that failed or whose sending is unconfirmed, once a team leader has
    /// checked it did not arrive (an email keeps its Message-ID, so a copy that did arrive
    /// shows as the same message).
    ///
    /// # Errors
    /// 403 for a role other than team leader or admin; 409 unless it failed or is unconfirmed.
    #[tracing::instrument(skip_all, fields(reply = %id, user = %caller.user))]
    pub async fn resend_reply(&self, caller: &Caller, id: Uuid) -> Result<reply::Model, CaseworkError> {
        if !matches!(caller.role, Role::TeamLeader | Role::Admin) {
            return Err(CaseworkError::Forbidden("only a team leader or an admin may send a reply again".to_owned()));
        }
        let current = self.reply(id).await?;
        let item = self.load(current.work_item_id).await?;
        let now = Utc::now();
        let changes = reply::ActiveModel {
            status: Set("approved".to_owned()),
            version: Set(next_version(&current, current.version)?),
            sending_since: Set(None),
            updated_at: Set(now),
            updated_by: Set(Some(caller.user.clone())),
            ..Default::default()
        };
        let txn = self.db.begin().await?;
        if !replies::update_if(&txn, id, &["failed", "unconfirmed"], Some(current.version), changes).await? {
            txn.rollback().await?;
            return Err(CaseworkError::Conflict(format!(
                "reply {id} is {}: only a failed or unconfirmed reply is sent again",
                current.status
            )));
        }
        let fresh = replies::find(&txn, id).await?.ok_or_else(|| CaseworkError::NotFound(format!("reply {id}")))?;
        announce(&txn, &fresh, &item, REPLY_APPROVED, &caller.user, Some("sent again by a team leader"), now).await?;
        txn.commit().await?;
        self.wake();
        Ok(fresh)
    }
}

/// The version after `version` (409 for one that cannot be the reply's).
fn next_version(current: &reply::Model, version: i32) -> Result<i32, CaseworkError> {
    version.checked_add(1).ok_or_else(|| moved_on(current, version))
}

/// 409 for a reply that moved on from `version` or from being a draft.
fn moved_on(current: &reply::Model, version: i32) -> CaseworkError {
    if current.status == "draft" {
        CaseworkError::Conflict(format!(
            "reply {} is at version {}, not {version}: read it again",
            current.id, current.version
        ))
    } else {
        CaseworkError::Conflict(format!("reply {} is {}, no longer a draft", current.id, current.status))
    }
}

/// Writes a `reply.*` event for `reply` and audits it on its item, in `txn`.
pub(crate) async fn announce(
    txn: &sea_orm::DatabaseTransaction,
    reply: &reply::Model,
    item: &postroom_db::entities::work_item::Model,
    event_type: &'static str,
    actor: &str,
    reason: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> Result<(), CaseworkError> {
    let payload = ReplyEvent {
        reply_id: reply.id,
        work_item_id: item.id,
        work_item: item.reference.clone(),
        channel: reply.channel.clone(),
        status: reply.status.clone(),
        actor: actor.to_owned(),
        message_id: reply.message_id.clone(),
        reason: reason.map(str::to_owned),
    };
    let mut event = outbox::NewEvent::new(event_type, &payload)?;
    event.priority = Some(item.priority.rank());
    outbox::enqueue(txn, event, now).await?;
    let audit = work_items::NewEvent {
        actor,
        action: event_type,
        from_status: None,
        to_status: None,
        details: Some(serde_json::to_value(&payload)?),
    };
    work_items::audit(txn, item.id, audit, now).await?;
    Ok(())
}

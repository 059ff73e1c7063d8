//! Print batches: the letters approved on a day, printed together and marked printed.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, TransactionTrait};
use uuid::Uuid;

use postroom_db::{
    entities::{print_batch, reply},
    replies::{self, BatchSummary},
    work_items,
};
use postroom_domain::{Role, events::REPLY_SENT};

use super::announce;
use crate::{Caller, Casework, CaseworkError};

/// A batch marked printed, with its letters.
#[derive(Debug, Clone)]
pub struct PrintedBatch {
    pub batch: print_batch::Model,
    pub letters: Vec<reply::Model>,
}

impl PrintedBatch {
    /// Which letters the batch holds, as a tag: its PDF carries it (`ETag`), and marking the
    /// batch printed needs it, so letters that joined after the PDF was downloaded are never
    /// marked printed unseen.
    #[must_use]
    pub fn version(&self) -> String {
        version_of(&self.letters)
    }
}

fn version_of(letters: &[reply::Model]) -> String {
    let ids: Vec<String> = letters.iter().map(|l| l.id.to_string()).collect();
    let hash = postroom_domain::ContentHash::of(ids.join("\n").as_bytes());
    format!("{}-{}", letters.len(), &hash.as_str()[..16])
}

/// Marking a batch printed: the `version` of the batch (and its PDF) that was printed.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintedRequest {
    /// The batch's `version` as read, or its PDF's `ETag`.
    pub version: String,
}

impl Casework {
    /// Print batches, newest first (at most `limit`).
    ///
    /// # Errors
    /// The database failing.
    pub async fn print_batches(&self, limit: u64) -> Result<Vec<BatchSummary>, CaseworkError> {
        Ok(replies::batches(&self.db, limit).await?)
    }

    /// Print batch `id` and its letters in order, or 404.
    ///
    /// # Errors
    /// 404; the database failing.
    pub async fn print_batch(&self, id: Uuid) -> Result<PrintedBatch, CaseworkError> {
        let batch = replies::find_batch(&self.db, id)
            .await?
            .ok_or_else(|| CaseworkError::NotFound(format!("print batch {id} does not exist")))?;
        let letters = replies::in_batch(&self.db, id).await?;
        Ok(PrintedBatch { batch, letters })
    }

    /// Marks an open batch printed (the post room, a team leader or an admin): each of its
    /// letters is `printed`, with `reply.sent`. Letters approved later go into a new batch. The
    /// caller names the version it printed: letters that joined since are not marked unseen.
    ///
    /// # Errors
    /// 403 for other roles; 404; 409 when it was already printed, or holds letters the given
    /// version did not.
    #[tracing::instrument(skip_all, fields(batch = %id, user = %caller.user))]
    pub async fn mark_printed(
        &self,
        caller: &Caller,
        id: Uuid,
        printed: PrintedRequest,
    ) -> Result<PrintedBatch, CaseworkError> {
        if !matches!(caller.role, Role::PostRoom | Role::TeamLeader | Role::Admin) {
            return Err(CaseworkError::Forbidden(format!(
                "role {} may not mark a print batch printed; allowed: post_room, team_leader, admin",
                caller.role
            )));
        }
        let current = self.print_batch(id).await?;
        let now = Utc::now();
        let txn = self.db.begin().await?;
        replies::lock_batch(&txn, id).await?;
        let letters = replies::in_batch(&txn, id).await?;
        if current.batch.status == replies::BATCH_OPEN && version_of(&letters) != printed.version.trim_matches('"') {
            txn.rollback().await?;
            return Err(CaseworkError::Conflict(format!(
                "print batch {id} now holds {} letter(s), not the ones of version {:?}: letters joined it after its \
                 PDF was downloaded; download it again and print those too",
                letters.len(),
                printed.version
            )));
        }
        if !replies::mark_printed(&txn, id, &caller.user, now).await? {
            txn.rollback().await?;
            return Err(CaseworkError::Conflict(format!(
                "print batch {id} was printed already ({} by {})",
                current.batch.printed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                current.batch.printed_by.unwrap_or_default()
            )));
        }
        for letter in letters {
            let changes = reply::ActiveModel { status: Set("printed".to_owned()), ..Default::default() };
            if !replies::update_if(&txn, letter.id, &["batched"], None, changes).await? {
                continue;
            }
            let fresh = replies::find(&txn, letter.id).await?.unwrap_or(letter);
            let item = work_items::get(&txn, fresh.work_item_id)
                .await?
                .ok_or_else(|| CaseworkError::NotFound(format!("work item {}", fresh.work_item_id)))?;
            announce(&txn, &fresh, &item, REPLY_SENT, &caller.user, None, now).await?;
        }
        txn.commit().await?;
        self.wake();
        self.print_batch(id).await
    }
}

impl Casework {
    /// A letter reply as an A4 PDF: the council's letterhead, the recipient placed for a window
    /// envelope, the date it was approved (today for a draft), our reference and the text.
    ///
    /// # Errors
    /// 409 for an email reply; the PDF failing to render.
    pub fn letter_pdf(&self, letter: &reply::Model, item_reference: &str) -> Result<Vec<u8>, CaseworkError> {
        if letter.channel != "letter" {
            return Err(CaseworkError::Conflict(format!("reply {} is an email, not a letter", letter.id)));
        }
        let identity = &self.replying.identity;
        let letterhead = postroom_pdf::Letterhead {
            council: identity.council.clone(),
            address: identity.address.clone(),
            contact: identity.contact().lines().map(str::to_owned).collect(),
        };
        let mut recipient = vec![letter.recipient_name.clone()];
        recipient.extend(letter.recipient.lines().map(str::to_owned));
        let day = postroom_domain::london_date(letter.approved_at.unwrap_or_else(Utc::now));
        let date = super::long_date(day);
        let pdf = postroom_pdf::letter(&postroom_pdf::Letter {
            letterhead: &letterhead,
            recipient: &recipient,
            date: &date,
            reference: item_reference,
            subject: &letter.subject,
            body: &letter.body,
        })
        .map_err(|e| CaseworkError::Internal(anyhow::anyhow!("letter {} did not render as a PDF: {e}", letter.id)))?;
        Ok(pdf)
    }
}

//! Previewing a reply while the officer writes it: the template rendered for the item as it
//! stands, in a transaction that is rolled back (nothing is stored, no event is written).

use chrono::Utc;
use sea_orm::TransactionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use postroom_db::entities::work_item;

use super::draft::{DraftOf, Rendered, render};
use crate::{Caller, Casework, CaseworkError, FieldError, ReplyChannel, ReplyRequest};

/// A reply as it would be drafted now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyPreview {
    /// How it would go: `email` or `letter`.
    pub channel: ReplyChannel,
    pub recipient_name: String,
    /// The email address, or the postal address lines.
    pub recipient: Vec<String>,
    pub subject: String,
    pub body: String,
}

impl Casework {
    /// Renders `request` for `item` as the completion would draft it, before its account changes
    /// are applied, with `outcome` as what was done. Officers and team leaders.
    ///
    /// # Errors
    /// 403 for other roles; 422 for a template the workflow does not have, or a reply that cannot
    /// go anywhere (a letter with no postal address, an email with no address).
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn preview_reply(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        request: &ReplyRequest,
        outcome: &str,
    ) -> Result<ReplyPreview, CaseworkError> {
        caller.may(crate::Action::Complete)?;
        let workflow = self.workflow_of(item)?;
        if !workflow.templates.contains(&request.template) {
            return Err(CaseworkError::Invalid {
                detail: format!("workflow {} has no template {:?}", workflow.id, request.template),
                errors: vec![FieldError::new("reply.template", format!("choose one of {:?}", workflow.templates))],
            });
        }
        let of = DraftOf { workflow, request, outcome, applied: &[], author: &caller.user, approved: false };
        let txn = self.db.begin().await?;
        let rendered = render(&txn, item, &of, &self.replying, Utc::now()).await;
        txn.rollback().await?;
        let Rendered { recipient, subject, body, .. } = rendered?;
        Ok(ReplyPreview {
            channel: recipient.channel,
            recipient_name: recipient.name,
            recipient: recipient.lines,
            subject,
            body,
        })
    }
}

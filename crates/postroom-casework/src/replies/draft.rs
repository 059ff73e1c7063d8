//! Drafting a reply in the completion's transaction.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use postroom_db::{
    entities::{reply, work_item},
    replies::{self, NewReply},
};
use postroom_domain::{
    events::{AccountChanged, REPLY_DRAFTED},
    london_date,
};
use postroom_templates::Variant;
use postroom_workflows::Workflow;

use super::{
    Replying, announce,
    fields::{Addressee, Recipient, merge_fields},
};
use crate::{CaseworkError, ReplyChannel, ReplyRequest};

/// Refuses (422) a reply that cannot go anywhere: a letter with no postal address, an email
/// with no email address. Checked when the item is completed, before anything is applied.
pub(crate) async fn check_reply(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    request: &ReplyRequest,
    now: DateTime<Utc>,
) -> Result<(), CaseworkError> {
    Addressee::of(txn, item).await?.recipient(request.channel, london_date(now)).map(|_| ())
}

/// What a draft is made from besides the item.
pub(crate) struct DraftOf<'a> {
    pub workflow: &'a Workflow,
    pub request: &'a ReplyRequest,
    pub outcome: &'a str,
    pub applied: &'a [AccountChanged],
    pub author: &'a str,
    /// The completion needed a team leader's approval.
    pub approved: bool,
}

/// A reply rendered for an item, not yet stored.
pub(crate) struct Rendered {
    pub addressee: Addressee,
    pub recipient: Recipient,
    pub subject: String,
    pub body: String,
}

/// Renders the requested template for the item as it stands (after the changes in `of.applied`,
/// which the caller has written in `txn`).
pub(crate) async fn render(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    of: &DraftOf<'_>,
    replying: &Replying,
    now: DateTime<Utc>,
) -> Result<Rendered, CaseworkError> {
    let addressee = Addressee::of(txn, item).await?;
    let recipient = addressee.recipient(of.request.channel, london_date(now))?;
    let fields = merge_fields(txn, item, of, (&addressee, &recipient), replying, now).await?;
    let variant = match recipient.channel {
        ReplyChannel::Email => Variant::Email,
        ReplyChannel::Letter => Variant::Letter,
    };
    let rendered = replying.templates.render(&of.request.template, variant, &fields).map_err(|e| {
        CaseworkError::Internal(anyhow::anyhow!("reply template {:?} did not render: {e}", of.request.template))
    })?;
    Ok(Rendered { addressee, recipient, subject: rendered.subject, body: rendered.body })
}

/// Renders the requested template for the item as it is after the changes just applied, and
/// stores it as a draft with `reply.drafted`, in `txn`.
pub(crate) async fn draft(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    of: DraftOf<'_>,
    replying: &Replying,
    now: DateTime<Utc>,
) -> Result<reply::Model, CaseworkError> {
    let Rendered { addressee, recipient, subject, body } = render(txn, item, &of, replying, now).await?;
    let customer = addressee.correspondence.as_ref().filter(|_| recipient.channel == ReplyChannel::Email);
    let references = customer.map(|c| {
        let mut chain: Vec<&str> = c.references.as_deref().map(|r| r.split_whitespace().collect()).unwrap_or_default();
        chain.extend(c.message_id.as_deref());
        chain.join(" ")
    });
    let new = NewReply {
        work_item_id: item.id,
        correspondence_id: addressee.correspondence.as_ref().map(|c| c.id),
        template: of.request.template.clone(),
        channel: match recipient.channel {
            ReplyChannel::Email => "email",
            ReplyChannel::Letter => "letter",
        }
        .to_owned(),
        recipient_name: recipient.name.clone(),
        recipient: recipient.lines.join("\n"),
        subject,
        body,
        needs_team_leader: of.workflow.sensitive || of.approved,
        author: of.author.to_owned(),
        in_reply_to: customer.and_then(|c| c.message_id.clone()),
        references: references.filter(|r| !r.is_empty()),
    };
    let drafted = replies::insert(txn, new, now).await?;
    announce(txn, &drafted, item, REPLY_DRAFTED, of.author, None, now).await?;
    Ok(drafted)
}

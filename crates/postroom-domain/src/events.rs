//! Event types Postroom writes to its outbox, and their payloads.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `correspondence.received`: an original was stored and recorded.
pub const CORRESPONDENCE_RECEIVED: &str = "correspondence.received";
/// `workitem.created`: a work item was opened.
pub const WORK_ITEM_CREATED: &str = "workitem.created";
/// `workitem.updated`: a work item changed (e.g. a reply from the customer joined it).
pub const WORK_ITEM_UPDATED: &str = "workitem.updated";
/// `correspondence.text_extracted`: every document of the correspondence has been read (or
/// found unreadable); classification starts from here.
pub const TEXT_EXTRACTED: &str = "correspondence.text_extracted";
/// `workitem.completed`: an officer completed a work item (after approval where four-eyes
/// applied); its account changes are in the same transaction.
pub const WORK_ITEM_COMPLETED: &str = "workitem.completed";
/// `reply.drafted`: completing an item drafted a reply to the customer.
pub const REPLY_DRAFTED: &str = "reply.drafted";
/// `reply.approved`: a reply is ready to send (the send worker takes it from here).
pub const REPLY_APPROVED: &str = "reply.approved";
/// `reply.sent`: an email reply was accepted by the mail server (or written to the outbox
/// directory), or a letter's print batch was printed.
pub const REPLY_SENT: &str = "reply.sent";
/// `reply.failed`: a reply could not be sent (refused by the mail server, or an attempt whose
/// outcome is unknown: never sent again without a person deciding).
pub const REPLY_FAILED: &str = "reply.failed";
/// `workitem.safeguarding`: the classifier found that the customer may be at risk (self-harm,
/// domestic abuse, severe hardship, bereavement, mental-health crisis); the item is P1 and cannot
/// be closed without a team leader.
pub const WORK_ITEM_SAFEGUARDING: &str = "workitem.safeguarding";
/// `workitem.breach_warning`: an open item came within the warning window (working days) of its
/// due date; raised once per item and due date.
pub const WORK_ITEM_BREACH_WARNING: &str = "workitem.breach_warning";
/// `workitem.overdue`: an open item passed its due date; raised once per item and due date.
pub const WORK_ITEM_OVERDUE: &str = "workitem.overdue";
/// `account.changed`: a revenues account was changed.
pub const ACCOUNT_CHANGED: &str = "account.changed";

/// Payload of [`CORRESPONDENCE_RECEIVED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrespondenceReceived {
    pub correspondence_id: Uuid,
}

/// Payload of [`WORK_ITEM_BREACH_WARNING`] and [`WORK_ITEM_OVERDUE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub work_item_id: Uuid,
    pub reference: String,
    pub workflow: String,
    pub queue: String,
    /// `P1` to `P4`.
    pub priority: String,
    pub status: String,
    pub due_on: chrono::NaiveDate,
    /// Who holds it, if anyone.
    pub assignee: Option<String>,
    /// `breach_warning` or `overdue`.
    pub threshold: String,
    /// The warning window, in working days.
    pub warning_working_days: u32,
}

/// Payload of [`TEXT_EXTRACTED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextExtracted {
    pub correspondence_id: Uuid,
    /// Whether any document yielded text.
    pub has_text: bool,
    /// Documents whose text could not be read, with the reason.
    pub problems: Vec<String>,
}

/// Payload of [`WORK_ITEM_CREATED`] and [`WORK_ITEM_UPDATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemSummary {
    pub work_item_id: Uuid,
    pub reference: String,
    pub correspondence_id: Option<Uuid>,
    pub queue: String,
    pub status: String,
}

/// Payload of [`WORK_ITEM_SAFEGUARDING`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemSafeguarding {
    pub work_item_id: Uuid,
    pub reference: String,
    pub correspondence_id: Option<Uuid>,
    /// The lexicon's categories found (`suicide_self_harm`, `domestic_abuse`, ...).
    pub categories: Vec<String>,
    /// A reason a person can read, for each category.
    pub reasons: Vec<String>,
}

/// One account change as the back office receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountChanged {
    pub account: String,
    pub account_id: Uuid,
    /// The change kind, e.g. `discount_grant`.
    pub kind: String,
    /// The affected state before (JSON; null when the change adds something new).
    pub before: serde_json::Value,
    /// The affected state after (JSON).
    pub after: serde_json::Value,
    pub work_item_id: Uuid,
    pub work_item: String,
    /// Who applied it, and who approved it where four-eyes applied.
    pub changed_by: String,
    pub approved_by: Option<String>,
}

/// Payload of [`WORK_ITEM_COMPLETED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItemCompleted {
    pub work_item_id: Uuid,
    pub reference: String,
    pub workflow: String,
    pub queue: String,
    pub outcome: String,
    pub completed_by: String,
    pub approved_by: Option<String>,
    /// The reply asked for (template and channel), if any.
    pub reply: Option<serde_json::Value>,
    /// The account changes applied.
    pub changes: Vec<AccountChanged>,
}

/// Payload of the `reply.*` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyEvent {
    pub reply_id: Uuid,
    pub work_item_id: Uuid,
    pub work_item: String,
    /// `email` or `letter`.
    pub channel: String,
    /// `draft`, `approved`, `sent`, `failed`, `unconfirmed`, `batched` or `printed`.
    pub status: String,
    /// Who did it (the send worker is `postroom`).
    pub actor: String,
    /// Our Message-ID (email).
    pub message_id: Option<String>,
    /// Why it failed, for `reply.failed`.
    pub reason: Option<String>,
}

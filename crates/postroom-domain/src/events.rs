//! Event types Postroom writes to its outbox, and their payloads.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `correspondence.received`: an original was stored and recorded.
pub const CORRESPONDENCE_RECEIVED: &str = "correspondence.received";
/// `workitem.created`: a work item was opened.
pub const WORK_ITEM_CREATED: &str = "workitem.created";

/// Payload of [`CORRESPONDENCE_RECEIVED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrespondenceReceived {
    pub correspondence_id: Uuid,
}

/// Payload of [`WORK_ITEM_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemCreated {
    pub work_item_id: Uuid,
    pub reference: String,
    pub correspondence_id: Option<Uuid>,
    pub queue: String,
    pub status: String,
}

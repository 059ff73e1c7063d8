//! The requests of the lifecycle actions, as the API takes them.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::lifecycle::CancelReason;

/// Wait for the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PendRequest {
    pub version: Option<i32>,
    /// What the customer has been asked for.
    pub reason: String,
    /// When the item comes back by itself if the customer has not written (after today, within
    /// a year).
    pub bring_forward_on: NaiveDate,
}

/// Refer to another queue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferRequest {
    pub version: Option<i32>,
    /// The queue to refer to, e.g. `fraud` (a queue of the workflow catalogue).
    pub queue: String,
    pub reason: String,
}

/// Give to a named officer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    pub version: Option<i32>,
    /// The officer's user name; they must work the item's queue.
    pub assignee: String,
    pub reason: Option<String>,
}

/// Close without action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub version: Option<i32>,
    /// `duplicate`, `no_action_needed` or `sent_in_error`.
    pub reason: CancelReason,
    pub note: Option<String>,
}

/// Open a finished item again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub version: Option<i32>,
    /// Why it is opened again (required).
    pub reason: String,
}

/// Move a ready item to another workflow.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RerouteRequest {
    pub version: Option<i32>,
    /// The workflow id, from `GET /api/v1/workflows`.
    pub workflow: String,
    /// Why (required).
    pub reason: String,
}

/// A note on the item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// At most 10,000 characters.
    pub text: String,
}

/// Change an open item's priority.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrioritiseRequest {
    pub version: Option<i32>,
    /// `P1` (urgent) to `P4` (low).
    pub priority: postroom_domain::Priority,
    /// Why (required).
    pub reason: String,
}

/// Give several items to one officer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignManyRequest {
    /// The items, by reference (`WI-2026-000042`) or id; at most 200.
    pub items: Vec<String>,
    /// The officer's user name; they must work each item's queue.
    pub assignee: String,
    pub reason: Option<String>,
}

//! Work-item states.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Where a work item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkItemStatus {
    /// Unclassified or unmatched: post-room staff index it.
    Triage,
    /// Classified and waiting for an officer.
    Ready,
    /// Claimed by an officer.
    InProgress,
    /// Waiting for the customer; the SLA clock is paused.
    AwaitingCustomer,
    /// Referred to another team (e.g. fraud).
    Referred,
    /// Completed by an officer, waiting for a team leader (four-eyes).
    AwaitingApproval,
    /// Finished.
    Done,
    /// Cancelled with a reason.
    Cancelled,
}

impl WorkItemStatus {
    /// Every state, in life-cycle order.
    pub const ALL: [Self; 8] = [
        Self::Triage,
        Self::Ready,
        Self::InProgress,
        Self::AwaitingCustomer,
        Self::Referred,
        Self::AwaitingApproval,
        Self::Done,
        Self::Cancelled,
    ];

    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Triage => "triage",
            Self::Ready => "ready",
            Self::InProgress => "in_progress",
            Self::AwaitingCustomer => "awaiting_customer",
            Self::Referred => "referred",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the item is finished (no more work, no SLA clock).
    #[must_use]
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Cancelled)
    }
}

impl fmt::Display for WorkItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WorkItemStatus {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                ParseError::new(
                    "status",
                    s,
                    "expected triage, ready, in_progress, awaiting_customer, referred, awaiting_approval, done or cancelled",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_name() {
        for st in WorkItemStatus::ALL {
            assert_eq!(st.as_str().parse::<WorkItemStatus>(), Ok(st));
            assert_eq!(serde_json::to_value(st).unwrap(), serde_json::json!(st.as_str()));
        }
        assert!("open".parse::<WorkItemStatus>().is_err());
    }
}

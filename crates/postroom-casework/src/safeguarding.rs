//! A safeguarding item (the classifier found a person at risk: `safeguarding` in its evidence)
//! is never closed without a team leader: an officer's completion waits for approval, and only a
//! team leader cancels it.

use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_db::{
    casework::{ItemPatch, Step},
    entities::work_item,
};
use postroom_domain::{Priority, Role};

use crate::{Caller, Casework, CaseworkError, transition::advance};

/// The approval reason an officer's completion of a safeguarding item gets.
pub(crate) const APPROVAL_REASON: &str = "a safeguarding item: a team leader sees it before it is closed";

/// Whether the item's classification found a person at risk, kept through indexing and
/// re-routing (the classifier's evidence nested under `classifier`).
#[must_use]
pub fn is_safeguarding(item: &work_item::Model) -> bool {
    classified_at_risk(item.classification.as_deref())
}

fn classified_at_risk(classification: Option<&str>) -> bool {
    classification.and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()).is_some_and(|c| found(&c, 0))
}

fn found(c: &serde_json::Value, depth: usize) -> bool {
    c["safeguarding"].as_array().is_some_and(|a| !a.is_empty())
        || (depth < 8 && c["classifier"].is_object() && found(&c["classifier"], depth + 1))
}

/// Why `caller` completing `item` needs a team leader's approval, if it does.
pub(crate) fn approval_reason(caller: &Caller, item: &work_item::Model) -> Option<String> {
    (caller.role != Role::TeamLeader && is_safeguarding(item)).then(|| APPROVAL_REASON.to_owned())
}

impl Casework {
    /// Makes an item already being worked a safeguarding item, in `txn`, because later
    /// correspondence on it (a reply that joined it, a letter read after it was indexed by hand)
    /// shows a person at risk: P1, the hits added to its evidence (so only a team leader closes
    /// it), audited and announced as `workitem.updated`. `hits` is the classifier's
    /// `safeguarding` list for that correspondence; `correspondence_id` names it.
    ///
    /// # Errors
    /// 409 when the item changed meanwhile (the event is retried against it as it now is).
    pub async fn flag_safeguarding(
        &self,
        txn: &DatabaseTransaction,
        item: &work_item::Model,
        hits: serde_json::Value,
        correspondence_id: uuid::Uuid,
        correlation_id: Option<&str>,
    ) -> Result<work_item::Model, CaseworkError> {
        let mut evidence: serde_json::Value = item
            .classification
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        if !evidence.is_object() {
            evidence = serde_json::json!({ "earlier": evidence });
        }
        let mut found: Vec<serde_json::Value> = evidence["safeguarding"].as_array().cloned().unwrap_or_default();
        found.extend(hits.as_array().cloned().unwrap_or_default());
        evidence["safeguarding"] = serde_json::Value::Array(found);
        let patch = ItemPatch {
            priority: Some(Priority::P1),
            classification: Some(evidence.to_string()),
            ..ItemPatch::default()
        };
        let details = serde_json::json!({ "correspondence_id": correspondence_id, "safeguarding": hits });
        let step = Step::new("safeguarding", "classifier", item.status, patch).details(details);
        advance(txn, item, step, correlation_id, Utc::now()).await
    }
}

/// 403 unless a team leader cancels a safeguarding item.
pub(crate) fn may_cancel(caller: &Caller, item: &work_item::Model) -> Result<(), CaseworkError> {
    if caller.role != Role::TeamLeader && is_safeguarding(item) {
        return Err(CaseworkError::Forbidden(format!(
            "work item {} is a safeguarding item: only a team leader cancels it",
            item.reference
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_directly_and_through_indexing() {
        assert!(classified_at_risk(Some(r#"{"safeguarding": [{"category": "domestic_abuse"}]}"#)));
        assert!(classified_at_risk(Some(r#"{"indexed_by": "pat", "classifier": {"safeguarding": [{}]}}"#)));
        assert!(!classified_at_risk(Some(r#"{"safeguarding": []}"#)));
        assert!(!classified_at_risk(Some("{}")));
        assert!(!classified_at_risk(None));
    }
}

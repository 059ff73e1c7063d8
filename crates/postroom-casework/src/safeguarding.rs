//! A safeguarding item (the classifier found a person at risk: `safeguarding` in its evidence)
//! is never closed without a team leader: an officer's completion waits for approval, and only a
//! team leader cancels it.

use postroom_db::entities::work_item;
use postroom_domain::Role;

use crate::{Caller, CaseworkError};

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

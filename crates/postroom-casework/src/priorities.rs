//! Team leaders' levers on deadlines at risk: an item's priority changed with a reason, and
//! several items given to one officer at once.

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use postroom_db::{casework::ItemPatch, casework::Step, entities::work_item, work_items};
use postroom_domain::{Priority, WorkItemReference};

use crate::{
    Caller, Casework, CaseworkError,
    lifecycle::Action,
    requests::{PrioritiseRequest, ReassignManyRequest, ReassignRequest},
    safeguarding::is_safeguarding,
    text::{MAX_REASON_CHARS, required},
};

/// Most items one bulk reassignment takes.
pub const MAX_BULK_ITEMS: usize = 200;

/// What became of one item of a bulk reassignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BulkOutcome {
    /// As the request gave it.
    pub item: String,
    /// The item's reference, when it was found.
    pub reference: Option<String>,
    /// `reassigned`, or why not: `not_found`, `forbidden`, `conflict` or `invalid`.
    pub outcome: String,
    /// The item's new version, when reassigned; else what stopped it.
    pub version: Option<i32>,
    pub detail: Option<String>,
}

impl Casework {
    /// Sets an open item's priority (team leaders, reason required), audited with the priority
    /// before and after. A safeguarding item stays P1.
    ///
    /// # Errors
    /// 403 for other roles; 409 for a closed item or a stale version; 422 without a reason or
    /// lowering a safeguarding item.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn prioritise(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: PrioritiseRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Prioritise, caller, item, req.version)?;
        let reason = required("reason", &req.reason, MAX_REASON_CHARS)?;
        if is_safeguarding(item) && req.priority != Priority::P1 {
            return Err(CaseworkError::invalid(
                "priority",
                format!("work item {} concerns a person at risk and stays P1", item.reference),
                "a safeguarding item stays P1",
            ));
        }
        let patch = ItemPatch { priority: Some(req.priority), ..ItemPatch::default() };
        let step = Step::new("prioritised", &caller.user, to, patch).details(serde_json::json!({
            "priority": { "before": item.priority, "after": req.priority },
            "reason": reason,
        }));
        self.transition(item, step, Utc::now()).await
    }

    /// Gives each listed item to `assignee`, each as [`Casework::reassign`] would, in its own
    /// transaction: one item refused does not stop the others.
    ///
    /// # Errors
    /// 403 for roles other than team leaders; 422 for an empty or too long list, or a missing
    /// assignee. Each item's own refusal is in its outcome.
    #[tracing::instrument(skip_all, fields(user = %caller.user, items = req.items.len()))]
    pub async fn reassign_many(
        &self,
        caller: &Caller,
        req: ReassignManyRequest,
    ) -> Result<Vec<BulkOutcome>, CaseworkError> {
        caller.may(Action::Reassign)?;
        if req.items.is_empty() || req.items.len() > MAX_BULK_ITEMS {
            return Err(CaseworkError::invalid(
                "items",
                format!("give 1 to {MAX_BULK_ITEMS} items"),
                format!("must list 1 to {MAX_BULK_ITEMS} items, not {}", req.items.len()),
            ));
        }
        let assignee = required("assignee", &req.assignee, 255)?;
        let mut outcomes = Vec::with_capacity(req.items.len());
        for given in req.items {
            let found = self.find_item(&given).await?;
            let Some(item) = found else {
                outcomes.push(BulkOutcome {
                    item: given,
                    reference: None,
                    outcome: "not_found".to_owned(),
                    version: None,
                    detail: Some("no such work item".to_owned()),
                });
                continue;
            };
            let one = ReassignRequest { version: None, assignee: assignee.clone(), reason: req.reason.clone() };
            let reference = Some(item.reference.clone());
            outcomes.push(match self.reassign(caller, &item, one).await {
                Ok(fresh) => BulkOutcome {
                    item: given,
                    reference,
                    outcome: "reassigned".to_owned(),
                    version: Some(fresh.version),
                    detail: None,
                },
                Err(e) => {
                    let outcome = match &e {
                        CaseworkError::NotFound(_) => "not_found",
                        CaseworkError::Forbidden(_) => "forbidden",
                        CaseworkError::Conflict(_) => "conflict",
                        CaseworkError::Invalid { .. } => "invalid",
                        CaseworkError::Database(_) | CaseworkError::Internal(_) => return Err(e),
                    };
                    let detail = match &e {
                        CaseworkError::Invalid { errors, .. } => {
                            errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ")
                        }
                        other => other.to_string(),
                    };
                    BulkOutcome {
                        item: given,
                        reference,
                        outcome: outcome.to_owned(),
                        version: None,
                        detail: Some(detail),
                    }
                }
            });
        }
        Ok(outcomes)
    }

    /// An item by id or reference.
    async fn find_item(&self, given: &str) -> Result<Option<work_item::Model>, CaseworkError> {
        let given = given.trim();
        if let Ok(id) = given.parse::<Uuid>() {
            return Ok(work_items::get(&self.db, id).await?);
        }
        let Ok(reference) = given.to_uppercase().parse::<WorkItemReference>() else { return Ok(None) };
        Ok(work_items::find_by_reference(&self.db, reference.as_str()).await?)
    }
}

//! Where an item belongs: opening a triage item, applying the classifier's decision, indexing by
//! hand, re-routing a ready item, merging a duplicate, and the customer writing again.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use postroom_db::{
    accounts,
    casework::{ItemPatch, Step},
    correspondence,
    entities::{account, work_item},
    work_items::{self, Classified, NewWorkItem},
};
use postroom_domain::{Priority, WorkItemStatus, events::WORK_ITEM_CREATED};
use postroom_workflows::{Service, TRIAGE, Workflow};

use crate::{
    Action, Caller, Casework, CaseworkError, FieldError,
    text::{MAX_REASON_CHARS, required},
    transition::{advance, announce, announce_as, reload, stale},
};

/// A decision about a triage item: the workflow, where it goes and the evidence.
pub type Classification = Classified;

/// Manual indexing of a triage item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexRequest {
    /// The item's `version` as last read (a stale one gets 409).
    pub version: i32,
    /// The workflow id, from `GET /api/v1/workflows`.
    pub workflow: String,
    /// References of the accounts it concerns. A Council Tax or Business Rates workflow needs
    /// at least one.
    #[serde(default)]
    pub accounts: Vec<String>,
}

impl Casework {
    /// Opens a work item and announces `workitem.created`, in `txn`.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn open(
        &self,
        txn: &DatabaseTransaction,
        new: NewWorkItem,
        actor: &str,
        correlation_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<work_item::Model, CaseworkError> {
        let item = work_items::create(txn, new, actor, now).await?;
        announce_as(txn, WORK_ITEM_CREATED, &item, correlation_id, now).await?;
        Ok(item)
    }

    /// Applies the classifier's decision to a triage item, in `txn`: workflow, queue, priority,
    /// due date and evidence, the accounts found (account id, how matched), audited as `action`
    /// by the classifier. Announced when the back office can see a change (queue, state or
    /// priority). `false` when the item was indexed or moved meanwhile.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn apply_classification(
        &self,
        txn: &DatabaseTransaction,
        item: &work_item::Model,
        c: Classification,
        found: &[(Uuid, &str)],
        action: &str,
        correlation_id: Option<&str>,
    ) -> Result<bool, CaseworkError> {
        let now = Utc::now();
        if !work_items::assign_workflow(txn, item, c, "classifier", action, now).await? {
            return Ok(false);
        }
        for (account_id, how) in found {
            accounts::link_to_item(txn, item.id, *account_id, how, now).await?;
        }
        let fresh = reload(txn, item).await?;
        if (fresh.status, &fresh.queue, fresh.priority) != (item.status, &item.queue, item.priority) {
            announce(txn, &fresh, correlation_id, now).await?;
        }
        Ok(true)
    }

    /// Cancels `item` as a duplicate merged into `existing`, in `txn` (the classifier).
    ///
    /// # Errors
    /// 409 when the item changed meanwhile.
    pub async fn merge_into(
        &self,
        txn: &DatabaseTransaction,
        item: &work_item::Model,
        existing: &work_item::Model,
        evidence: serde_json::Value,
        correlation_id: Option<&str>,
    ) -> Result<(), CaseworkError> {
        let merged =
            serde_json::json!({ "reason": "duplicate", "linked_to": existing.reference, "classification": evidence });
        let step = Step::new("merged", "classifier", WorkItemStatus::Cancelled, ItemPatch::default()).details(merged);
        advance(txn, item, step, correlation_id, Utc::now()).await.map(|_| ())
    }

    /// Links new correspondence to an open item, in `txn`; if the item was waiting for the
    /// customer (and this is not an auto-reply or a bounce) it resumes: back to its officer, due
    /// date moved on by the working days paused. Audited as `actor`, announced.
    ///
    /// # Errors
    /// 409 when the item changed meanwhile (retry against it as it now is).
    pub async fn customer_wrote(
        &self,
        txn: &DatabaseTransaction,
        item: &work_item::Model,
        corr: &postroom_db::entities::correspondence::Model,
        how: &str,
        actor: &str,
        correlation_id: Option<&str>,
    ) -> Result<(), CaseworkError> {
        let now = Utc::now();
        work_items::link_correspondence(txn, item.id, corr.id, how, now).await?;
        let details = serde_json::json!({ "correspondence_id": corr.id, "matched_by": how });
        let entry = work_items::NewEvent {
            actor,
            action: "correspondence_linked",
            from_status: None,
            to_status: None,
            details: Some(details.clone()),
        };
        work_items::audit(txn, item.id, entry, now).await?;
        // An out-of-office reply or a bounce is not the customer answering: linked, not resumed.
        let automatic = matches!(corr.status.as_str(), "auto_reply" | "bounce");
        if item.status == WorkItemStatus::AwaitingCustomer && !automatic {
            let step = self.resumption(item, "resumed", actor, details, now);
            advance(txn, item, step, correlation_id, now).await?;
        } else {
            announce(txn, item, correlation_id, now).await?;
        }
        Ok(())
    }

    /// Indexes a triage item by hand: sets its workflow and accounts, which moves it to that
    /// workflow's queue as ready, priority and due date recomputed from the original received
    /// date (raises found in its text still apply). A Council Tax or Business Rates workflow
    /// needs an account.
    ///
    /// # Errors
    /// 403 for a role that may not index; 409 when not in triage or stale; 422 for an unknown
    /// workflow, unknown accounts, or a workflow that needs an account and names none.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn index(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: IndexRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        caller.may(Action::Index)?;
        if item.status != WorkItemStatus::Triage {
            return Err(CaseworkError::Conflict(format!(
                "work item {} is {}, not in triage: only triage items are indexed (a team leader re-routes a ready one)",
                item.reference, item.status
            )));
        }
        if item.version != req.version {
            return Err(stale(item, req.version));
        }
        let workflow = self.workflow_named(&req.workflow)?;
        let linked = self.accounts_named(&req.accounts).await?;
        let already = accounts::of_item(&self.db, item.id).await?.len();
        needs_account(workflow, linked.len() + already, "accounts")?;
        let (place, raised) = self.place(item, workflow).await?;
        let now = Utc::now();
        let evidence = serde_json::json!({
            "indexed_by": caller.user,
            "workflow": workflow.id,
            "due": place.due_how,
            "raised_to": raised,
            "classifier": item.classification.as_deref().and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()),
        });
        let indexed = Classified {
            workflow: workflow.id.clone(),
            queue: place.queue,
            priority: place.priority,
            status: WorkItemStatus::Ready,
            due_on: place.due_on,
            classification: evidence,
        };
        let txn = self.db.begin().await?;
        if !work_items::assign_workflow(&txn, item, indexed, &caller.user, "indexed", now).await? {
            txn.rollback().await?;
            return Err(CaseworkError::item_changed(&item.reference));
        }
        for a in &linked {
            accounts::link_to_item(&txn, item.id, a.id, "indexed", now).await?;
        }
        self.teach(&txn, item, &workflow.id, "indexed", &caller.user, now).await?;
        let fresh = reload(&txn, item).await?;
        announce(&txn, &fresh, None, now).await?;
        txn.commit().await?;
        self.wake();
        Ok(fresh)
    }

    /// Moves a ready item to another workflow (team leaders, reason required): its queue,
    /// priority and due date follow the new workflow from the original received date. A Council
    /// Tax or Business Rates workflow needs the item to concern an account.
    ///
    /// # Errors
    /// 403 unless a team leader; 409 when not ready or stale; 422 for an unknown workflow, the
    /// same workflow, or a workflow that needs an account the item does not have.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn reroute(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: crate::RerouteRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Reroute, caller, item, req.version)?;
        let reason = required("reason", &req.reason, MAX_REASON_CHARS)?;
        let workflow = self.workflow_named(&req.workflow)?;
        if workflow.id == item.workflow {
            return Err(CaseworkError::invalid(
                "workflow",
                format!("work item {} is already {}", item.reference, workflow.id),
                "name another workflow",
            ));
        }
        needs_account(workflow, accounts::of_item(&self.db, item.id).await?.len(), "workflow")?;
        let (place, _) = self.place(item, workflow).await?;
        let patch = ItemPatch {
            workflow: Some(workflow.id.clone()),
            queue: Some(place.queue.clone()),
            priority: Some(place.priority),
            due_on: Some(place.due_on),
            ..ItemPatch::default()
        };
        let step = Step::new("rerouted", &caller.user, to, patch).details(serde_json::json!({
            "reason": reason,
            "workflow": { "before": item.workflow, "after": workflow.id },
            "queue": { "before": item.queue, "after": place.queue },
            "priority": { "before": item.priority, "after": place.priority },
            "due_on": { "before": item.due_on, "after": place.due_on },
        }));
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let fresh = advance(&txn, item, step, None, now).await?;
        self.teach(&txn, item, &workflow.id, "rerouted", &caller.user, now).await?;
        txn.commit().await?;
        self.wake();
        Ok(fresh)
    }

    /// Records a person's choice of workflow for `item`'s letters as a labelled example the
    /// classifier's model learns from (`postroom-learn`), in the decision's own transaction.
    async fn teach(
        &self,
        txn: &DatabaseTransaction,
        item: &work_item::Model,
        workflow: &str,
        source: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CaseworkError> {
        // The letter the classifier read: the one that opened the item (later answers it gathered
        // are about the same thing, but are not what was classified).
        let read = match item.correspondence_id {
            Some(id) => vec![id],
            None => work_items::correspondence_of(txn, item.id).await?,
        };
        let docs = correspondence::documents_of(txn, &read).await?;
        let text = correspondence::joined_text(&docs);
        if text.trim().is_empty() {
            return Ok(());
        }
        let example = postroom_db::classifier::NewExample {
            work_item_id: item.id,
            item_version: item.version,
            workflow,
            text: &text,
            source,
            decided_by: user,
            decided_at: now,
        };
        postroom_db::classifier::record_example(txn, example).await?;
        Ok(())
    }

    fn workflow_named(&self, id: &str) -> Result<&Workflow, CaseworkError> {
        self.catalogue.get(id).filter(|w| w.id != TRIAGE).ok_or_else(|| {
            CaseworkError::invalid(
                "workflow",
                format!("there is no workflow {id:?}; GET /api/v1/workflows lists them"),
                "unknown workflow",
            )
        })
    }

    async fn accounts_named(&self, references: &[String]) -> Result<Vec<account::Model>, CaseworkError> {
        let found = accounts::by_references(&self.db, references).await?;
        let unknown: Vec<FieldError> = references
            .iter()
            .enumerate()
            .filter(|(_, r)| !found.iter().any(|a| &a.reference == *r))
            .map(|(i, r)| FieldError::new(format!("accounts[{i}]"), format!("no account has reference {r}")))
            .collect();
        if unknown.is_empty() {
            Ok(found)
        } else {
            Err(CaseworkError::Invalid { detail: "unknown accounts".to_owned(), errors: unknown })
        }
    }

    /// Where `workflow` puts `item`, with the priority raises its classification found.
    async fn place(
        &self,
        item: &work_item::Model,
        workflow: &Workflow,
    ) -> Result<(postroom_workflows::Placement, Option<Priority>), CaseworkError> {
        let gathered = work_items::correspondence_of(&self.db, item.id).await?;
        let docs = correspondence::documents_of(&self.db, &gathered).await?;
        let raised = raised_priority(item.classification.as_deref());
        Ok((workflow.place(&self.calendar, item.received_at, &correspondence::joined_text(&docs), raised), raised))
    }
}

/// A Council Tax or Business Rates workflow changes an account: refuse it with none (422 on
/// `field`), rather than leave an item that refuses every change.
fn needs_account(workflow: &Workflow, accounts: usize, field: &str) -> Result<(), CaseworkError> {
    if workflow.service == Service::Cross || accounts > 0 {
        return Ok(());
    }
    Err(CaseworkError::invalid(
        field,
        format!(
            "workflow {} is a {} workflow and needs the account it concerns; name it in accounts (GET /api/v1/accounts?q= finds it)",
            workflow.id,
            if workflow.service == Service::CouncilTax { "Council Tax" } else { "Business Rates" }
        ),
        "needs an account",
    ))
}

/// The highest priority the item was raised to: by the classifier's escalation words and the
/// account's state (`raises`), kept through a manual indexing (`raised_to`, and the classifier's
/// own evidence under `classifier`).
fn raised_priority(classification: Option<&str>) -> Option<Priority> {
    let c: serde_json::Value = serde_json::from_str(classification?).ok()?;
    let raises = |v: &serde_json::Value| -> Vec<Priority> {
        v["raises"].as_array().into_iter().flatten().filter_map(|r| r["to"].as_str()?.parse().ok()).collect()
    };
    let mut found = raises(&c);
    found.extend(raises(&c["classifier"]));
    found.extend(c["raised_to"].as_str().and_then(|p| p.parse::<Priority>().ok()));
    found.into_iter().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raise_survives_indexing_by_hand() {
        let classified = r#"{"raises": [{"to": "P2"}, {"to": "P1"}]}"#;
        assert_eq!(raised_priority(Some(classified)), Some(Priority::P1));
        let indexed = r#"{"indexed_by": "pat", "raised_to": "P2", "classifier": null}"#;
        assert_eq!(raised_priority(Some(indexed)), Some(Priority::P2));
        let nested = r#"{"raised_to": null, "classifier": {"raises": [{"to": "P1"}]}}"#;
        assert_eq!(raised_priority(Some(nested)), Some(Priority::P1));
        assert_eq!(raised_priority(Some("{}")), None);
    }
}

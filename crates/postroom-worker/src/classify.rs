//! `correspondence.text_extracted` → the triage item gets its workflow, queue, priority and due
//! date from the catalogue's classifier, with the evidence kept on the item; or it stays in
//! triage with the candidates listed. Escalation words raise the priority either way. A Bacs
//! report's lines are placed by the Bacs rule (`report.rs`), and a payment arrangement answering
//! a recovery notice is due before the notice's 7 days run out (`arrangement.rs`).

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use sea_orm::DatabaseTransaction;

use postroom_casework::Casework;
use postroom_db::{
    accounts, correspondence,
    work_items::{self, Classified},
};
use postroom_domain::{
    Priority, WorkItemStatus, WorkingCalendar,
    events::{TEXT_EXTRACTED, TextExtracted},
};
use postroom_queue::{Event, EventHandler, Prepared};
use postroom_workflows::{Catalogue, Evidence, IdentifierFinder, Raise, Service, TRIAGE, Weights};

use crate::{
    Learner,
    matching::{AccountMatch, match_accounts},
    report::{Report, report_lines},
};

/// Classifies triage items once their text has been read.
pub struct Classify {
    pub(crate) casework: Casework,
    pub(crate) catalogue: Arc<Catalogue>,
    pub(crate) calendar: Arc<WorkingCalendar>,
    threshold: f32,
    finder: IdentifierFinder,
    /// The learned model beside the rules (`classifier.model`); none: the rules alone.
    learner: Option<Arc<Learner>>,
}

impl Classify {
    #[must_use]
    pub fn new(
        casework: Casework,
        catalogue: Arc<Catalogue>,
        calendar: Arc<WorkingCalendar>,
        threshold: f32,
        finder: IdentifierFinder,
        learner: Option<Arc<Learner>>,
    ) -> Self {
        Self { casework, catalogue, calendar, threshold, finder, learner }
    }
}

/// Recovery stages at which any letter about the account is at least P2 (`domain.md` section 6).
const URGENT_STAGES: &[&str] =
    &["summons", "liability_order", "enforcement", "committal", "charging_order", "bankruptcy"];

/// Raises from the linked accounts' state: a recovery stage at summons or later → at least P2; a
/// vulnerability flag → P1.
async fn account_raises(txn: &DatabaseTransaction, found: &AccountMatch) -> anyhow::Result<Vec<Raise>> {
    let references: Vec<String> = found.linked.iter().map(|l| l.reference.clone()).collect();
    let mut raises = Vec::new();
    for a in accounts::by_references(txn, &references).await? {
        if a.vulnerable {
            raises.push(Raise {
                to: Priority::P1,
                reason: "the customer is flagged vulnerable".to_owned(),
                word: format!("account {}", a.reference),
            });
        }
        if let Some(stage) = a.recovery_stage.as_deref().filter(|s| URGENT_STAGES.contains(s)) {
            raises.push(Raise {
                to: Priority::P2,
                reason: format!("the account is at recovery stage {stage}"),
                word: format!("account {}", a.reference),
            });
        }
    }
    Ok(raises)
}

impl Classify {
    /// Links the correspondence to `existing` (resuming it if it waits for the customer) and
    /// cancels the triage item opened for it as a duplicate, both audited.
    async fn join_existing(
        &self,
        txn: &DatabaseTransaction,
        item: &postroom_db::entities::work_item::Model,
        existing: &postroom_db::entities::work_item::Model,
        corr: &postroom_db::entities::correspondence::Model,
        evidence: serde_json::Value,
        event: &Event,
    ) -> anyhow::Result<()> {
        let correlation = event.correlation_id.as_deref();
        self.casework
            .customer_wrote(txn, existing, corr, "same_account_and_workflow", "classifier", correlation)
            .await?;
        self.casework.merge_into(txn, item, existing, evidence, correlation).await?;
        tracing::info!(work_item = %existing.reference, duplicate = %item.reference, "related correspondence joined the open item");
        Ok(())
    }
}

#[async_trait]
impl EventHandler for Classify {
    fn consumer(&self) -> &'static str {
        "classify"
    }

    fn queue(&self) -> &'static str {
        postroom_queue::amqp::INTAKE_QUEUE
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[TEXT_EXTRACTED]
    }

    #[tracing::instrument(skip_all, fields(event_id = %event.id))]
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event, _prepared: Prepared) -> anyhow::Result<()> {
        let payload: TextExtracted =
            serde_json::from_value(event.payload.clone()).context("correspondence.text_extracted payload")?;
        let corr = correspondence::get(txn, payload.correspondence_id)
            .await?
            .with_context(|| format!("correspondence {} does not exist", payload.correspondence_id))?;
        let linked = work_items::open_items_for_correspondence(txn, &[corr.id]).await?;
        let correlation = event.correlation_id.as_deref();
        let Some(item) = linked.iter().find(|i| i.correspondence_id == Some(corr.id)) else {
            if linked.is_empty() {
                // Through RabbitMQ the text can be read before the triage item is opened: retry.
                anyhow::bail!("correspondence {} has no work item yet", corr.id);
            }
            tracing::debug!("correspondence joined an existing item; nothing to classify");
            crate::safeguarding::check_joined(txn, &self.casework, &self.catalogue, &corr, &linked, correlation)
                .await?;
            return Ok(());
        };
        if item.status != WorkItemStatus::Triage || item.workflow != TRIAGE {
            // Indexed by hand meanwhile: not classified, but still read for a person at risk.
            let item = std::slice::from_ref(item);
            crate::safeguarding::check_joined(txn, &self.casework, &self.catalogue, &corr, item, correlation).await?;
            return Ok(());
        }
        let docs = correspondence::documents_of(txn, &[corr.id]).await?;
        let text = bounded(correspondence::joined_text(&docs));
        let subject = corr.subject.clone().map(bounded);
        // Accounts first: their service settles the workflow family (CT or BR).
        let found =
            match_accounts(txn, &self.finder, &format!("{}\n{text}", subject.as_deref().unwrap_or_default())).await?;
        let evidence = Evidence {
            sender: corr.sender.clone(),
            subject,
            text,
            attachment_types: docs.iter().filter(|d| d.part != "original").map(|d| d.media_type.clone()).collect(),
            services: found.linked.iter().filter_map(|l| l.service.parse().ok()).collect(),
        };
        let mut c = self.catalogue.classify(&evidence, self.threshold, Weights::default());
        if let Some(learner) = &self.learner {
            let (version, prediction) = learner.predict(evidence.text.clone()).await?;
            postroom_learn::decide(&self.catalogue, &evidence, &mut c, &prediction, version, learner.policy());
        }
        c.raises.extend(account_raises(txn, &found).await?);
        let raised = c.raises.iter().map(|r| r.to).min();
        let current = item.priority;
        let mut chosen = c.workflow.as_deref().and_then(|id| self.catalogue.get(id));
        // A Council Tax or Business Rates workflow needs its account: unknown or ambiguous, the
        // item stays in triage with the candidates.
        let mut held = None;
        if let Some(earlier) = corr.possible_duplicate_of {
            held = Some(format!(
                "a possible duplicate of correspondence {earlier} (the same Message-ID, different content): a person judges"
            ));
            chosen = None;
        }
        if let Some(w) = chosen
            && w.service != Service::Cross
            && found.linked.is_empty()
        {
            held = Some(format!("{} needs an account: {}", w.id, found.problem.clone().unwrap_or_default()));
            chosen = None;
        }
        // A report of one line or more: each line is placed by the Bacs rule; several lines are
        // an item each.
        let mut line = None;
        if let Some(w) = chosen
            && w.per_line
        {
            let mut lines = report_lines(&self.finder, evidence.subject.as_deref(), &evidence.text, &found);
            if lines.len() > 1 {
                let report = Report { lines, unknown_references: &found.unknown_references };
                return self.split_per_line(txn, item, w, &report, raised, event).await;
            }
            line = lines.pop();
        }
        let mut line_evidence = None;
        let (workflow, queue, priority, status, due_on, due_how) = match chosen {
            Some(w) => {
                let place = match &line {
                    Some(line) => {
                        let (place, bacs) = self.place_report_line(txn, w, item.received_at, line, raised).await?;
                        let report_line = serde_json::json!({ "line": line.line, "number": 1, "of": 1, "reference": line.reference, "reason_code": line.reason_code });
                        line_evidence = Some((report_line, bacs));
                        place
                    }
                    None => {
                        let place = w.place(&self.calendar, item.received_at, &evidence.text, raised);
                        self.place_arrangement(txn, w, item.received_at, place, &found).await?
                    }
                };
                (w.id.clone(), place.queue, place.priority, WorkItemStatus::Ready, place.due_on, place.due_how)
            }
            None => {
                let priority = current.raised_to(raised);
                (
                    TRIAGE.to_owned(),
                    item.queue.clone(),
                    priority,
                    WorkItemStatus::Triage,
                    item.due_on,
                    "triage target".to_owned(),
                )
            }
        };
        let mut evidence_json = serde_json::to_value(&c)?;
        if let Some(o) = evidence_json.as_object_mut() {
            o.insert("accounts".to_owned(), serde_json::to_value(&found)?);
            // What the classifier (the rules and the model) chose, before an account was required.
            o.insert("classified_as".to_owned(), serde_json::to_value(&c.workflow)?);
            if let Some(reason) = held {
                o.insert("reason".to_owned(), serde_json::Value::String(reason));
                o.insert("workflow".to_owned(), serde_json::Value::Null);
            }
            o.insert("due".to_owned(), serde_json::Value::String(due_how));
            o.insert("has_text".to_owned(), serde_json::Value::Bool(payload.has_text));
            if let Some((report_line, bacs)) = line_evidence {
                o.insert("report_line".to_owned(), report_line);
                o.insert("bacs".to_owned(), bacs);
            }
        }
        // The same kind of letter about the same account as an open item joins that item; a
        // safeguarding letter stays an item of its own, so it is seen.
        // Nor does an advice that stops collection (ADDACS D, ARUDD 4): it is P1 on its own.
        let stops = line.as_ref().and_then(|l| l.advice.as_ref()).is_some_and(|a| a.stop_collection);
        if let Some(w) = chosen.filter(|_| c.safeguarding.is_empty() && !stops) {
            let ids: Vec<_> = found.linked.iter().map(|a| a.account_id).collect();
            let open = work_items::open_items_for_accounts(txn, &ids, &w.id).await?;
            if let Some(existing) = open.into_iter().find(|i| i.id != item.id) {
                return self.join_existing(txn, item, &existing, &corr, evidence_json, event).await;
            }
        }
        let action = if status == WorkItemStatus::Triage { "unclassified" } else { "classified" };
        let classified = Classified {
            workflow: workflow.clone(),
            queue: queue.clone(),
            priority,
            status,
            due_on,
            classification: evidence_json,
        };
        let found: Vec<(uuid::Uuid, &str)> = found.linked.iter().map(|a| (a.account_id, a.matched_by)).collect();
        if !self.casework.apply_classification(txn, item, classified, &found, action, correlation).await? {
            return Ok(());
        }
        crate::safeguarding::announce(txn, item, &c, correlation).await?;
        tracing::info!(work_item = %item.reference, %workflow, ?priority, %due_on, "item classified");
        Ok(())
    }
}

/// How much of a letter's text the classifier and the account matcher read: far more than any
/// letter, and a bound on the work (and on how long its transaction is held) for a message that
/// is megabytes of text.
pub const MAX_CLASSIFIED_CHARS: usize = 100_000;

/// The first [`MAX_CLASSIFIED_CHARS`] characters of `text`.
pub(crate) fn bounded(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MAX_CLASSIFIED_CHARS) {
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_read_is_bounded_on_a_character_boundary() {
        let long = "é".repeat(MAX_CLASSIFIED_CHARS + 5);
        assert_eq!(bounded(long).chars().count(), MAX_CLASSIFIED_CHARS);
        assert_eq!(bounded("a short letter".to_owned()), "a short letter");
    }
}

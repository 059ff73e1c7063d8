//! `correspondence.text_extracted` → the triage item gets its workflow, queue, priority and due
//! date from the catalogue's classifier, with the evidence kept on the item; or it stays in
//! triage with the candidates listed. Escalation words raise the priority either way.

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
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
};

/// Classifies triage items once their text has been read.
pub struct Classify {
    casework: Casework,
    catalogue: Arc<Catalogue>,
    calendar: Arc<WorkingCalendar>,
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

/// One payer's line of a Bacs report: the account it names and its reason code.
#[derive(Debug, Clone)]
struct ReportLine {
    account_id: uuid::Uuid,
    reference: String,
    /// Its account's service: the line goes to the workflow of that service in the family.
    service: Option<Service>,
    reason_code: Option<String>,
    line: String,
}

/// A report's lines, and the references on it that no account has.
struct Report<'a> {
    lines: Vec<ReportLine>,
    unknown_references: &'a [String],
}

/// The lines of a report that name a linked account, each with its reason code (`reason code 1`,
/// `code: 0C`, or a short code ending the line).
fn report_lines(finder: &IdentifierFinder, text: &str, found: &AccountMatch) -> Vec<ReportLine> {
    static CODE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)(?:reason\s*code|code)\s*[:=]?\s*([0-9A-Z]{1,2})\b|\s([0-9][A-Z]?|[A-Z])\s*$").ok()
    });
    text.lines()
        .filter_map(|line| {
            let reference = finder
                .find(line)
                .references
                .into_iter()
                .find_map(|r| found.linked.iter().find(|l| l.reference == r))?;
            let reason_code = CODE
                .as_ref()
                .and_then(|re| re.captures(line.trim_end()))
                .and_then(|c| c.get(1).or_else(|| c.get(2)))
                .map(|m| m.as_str().to_ascii_uppercase());
            Some(ReportLine {
                account_id: reference.account_id,
                reference: reference.reference.clone(),
                service: reference.service.parse().ok(),
                reason_code,
                line: line.trim().to_owned(),
            })
        })
        .collect()
}

impl Classify {
    /// A report listing several payers: the triage item takes the first line and a new item is
    /// opened for each other line, each ready in the workflow's queue with its own account and
    /// reason code.
    async fn split_per_line(
        &self,
        txn: &DatabaseTransaction,
        item: &postroom_db::entities::work_item::Model,
        w: &postroom_workflows::Workflow,
        report: &Report<'_>,
        raised: Option<Priority>,
        event: &Event,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        let total = report.lines.len();
        let correlation = event.correlation_id.as_deref();
        for (i, line) in report.lines.iter().enumerate() {
            let w = line.service.map_or(w, |s| self.catalogue.for_service(w, s));
            let place = w.place(&self.calendar, item.received_at, "", raised);
            let (priority, due_on, due_how) = (place.priority, place.due_on, place.due_how);
            let mut evidence = serde_json::json!({
                "workflow": w.id,
                "classified_as": w.id,
                "due": due_how,
                "raised_to": raised,
                "report_line": { "line": line.line, "number": i + 1, "of": total, "reference": line.reference, "reason_code": line.reason_code },
            });
            // References on lines no account has are shown on the first item, never dropped.
            if i == 0 && !report.unknown_references.is_empty() {
                evidence["unknown_references"] = serde_json::json!(report.unknown_references);
            }
            let classified = Classified {
                workflow: w.id.clone(),
                queue: w.queue.clone(),
                priority,
                status: WorkItemStatus::Ready,
                due_on,
                classification: evidence,
            };
            let target = if i == 0 {
                item.clone()
            } else {
                let new = work_items::NewWorkItem {
                    correspondence_id: item.correspondence_id,
                    workflow: TRIAGE.to_owned(),
                    queue: TRIAGE.to_owned(),
                    priority,
                    status: WorkItemStatus::Triage,
                    received_at: item.received_at,
                    due_on,
                    reason: Some(format!("line {} of {total} of a report", i + 1)),
                };
                self.casework.open(txn, new, "classifier", correlation, now).await?
            };
            let found = [(line.account_id, "reference")];
            self.casework.apply_classification(txn, &target, classified, &found, "classified", correlation).await?;
        }
        tracing::info!(work_item = %item.reference, lines = total, "report split into one item per line");
        Ok(())
    }

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
        if let Some(w) = chosen
            && w.per_line
        {
            let lines = report_lines(&self.finder, &evidence.text, &found);
            if lines.len() > 1 {
                let report = Report { lines, unknown_references: &found.unknown_references };
                return self.split_per_line(txn, item, w, &report, raised, event).await;
            }
        }
        let (workflow, queue, priority, status, due_on, due_how) = match chosen {
            Some(w) => {
                let place = w.place(&self.calendar, item.received_at, &evidence.text, raised);
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
        }
        // The same kind of letter about the same account as an open item joins that item; a
        // safeguarding letter stays an item of its own, so it is seen.
        if let Some(w) = chosen.filter(|_| c.safeguarding.is_empty()) {
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

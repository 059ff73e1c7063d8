//! `correspondence.received` → a triage work item.

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_casework::Casework;
use postroom_db::{
    correspondence,
    entities::work_item,
    replies,
    work_items::{self, NewWorkItem},
};
use postroom_domain::{
    Priority, WorkItemReference, WorkItemStatus,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived},
    london_date,
};
use postroom_queue::{Event, EventHandler, Prepared};

/// The queue and workflow name of unclassified correspondence.
pub const TRIAGE: &str = "triage";

/// Opens a triage work item for each piece of received correspondence.
pub struct OpenTriageItem {
    casework: Casework,
    target_working_days: u32,
    priority: Priority,
}

impl OpenTriageItem {
    #[must_use]
    pub fn new(casework: Casework, target_working_days: u32) -> Self {
        Self { casework, target_working_days, priority: Priority::P3 }
    }
}

#[async_trait]
impl EventHandler for OpenTriageItem {
    fn consumer(&self) -> &'static str {
        "open-triage-item"
    }

    fn queue(&self) -> &'static str {
        postroom_queue::amqp::INTAKE_QUEUE
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[CORRESPONDENCE_RECEIVED]
    }

    #[tracing::instrument(skip_all, fields(event_id = %event.id))]
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event, _prepared: Prepared) -> anyhow::Result<()> {
        let payload: CorrespondenceReceived =
            serde_json::from_value(event.payload.clone()).context("correspondence.received payload")?;
        let corr = correspondence::get(txn, payload.correspondence_id)
            .await?
            .with_context(|| format!("correspondence {} does not exist", payload.correspondence_id))?;
        let now = Utc::now();
        let correlation = event.correlation_id.as_deref();
        // A possible duplicate is for a person to judge in triage, never joined to an item.
        let thread = if corr.possible_duplicate_of.is_some() { None } else { thread_of(txn, &corr).await? };
        let mut reason = corr.status_reason.clone();
        match thread {
            Some(Thread::Joins(item, how)) => {
                self.casework.customer_wrote(txn, &item, &corr, how, "system", correlation).await?;
                tracing::info!(work_item = %item.reference, matched_by = how, "correspondence joined an open item");
                return Ok(());
            }
            // An answer to our reply on an item now closed: shown in that item's history, and
            // worked as a new item that says what it answers.
            Some(Thread::Answers(earlier)) => {
                self.casework.customer_wrote(txn, &earlier, &corr, "answers_reply", "system", correlation).await?;
                let answers = format!("answers our reply on work item {} (closed)", earlier.reference);
                reason = Some(reason.map_or_else(|| answers.clone(), |r| format!("{r}; {answers}")));
            }
            None => {}
        }
        let due_on = self.casework.calendar().add_working_days(london_date(corr.received_at), self.target_working_days);
        let new = NewWorkItem {
            correspondence_id: Some(corr.id),
            workflow: TRIAGE.to_owned(),
            queue: TRIAGE.to_owned(),
            priority: self.priority,
            status: WorkItemStatus::Triage,
            received_at: corr.received_at,
            due_on,
            reason,
        };
        let item = self.casework.open(txn, new, "system", correlation, now).await?;
        tracing::info!(work_item = %item.reference, %due_on, "triage item opened");
        Ok(())
    }
}

/// What earlier work correspondence continues.
enum Thread {
    /// An open item, and how that was recognised.
    Joins(work_item::Model, &'static str),
    /// A closed item whose reply to the customer this answers.
    Answers(work_item::Model),
}

/// The work item this correspondence continues: an open item named by the reference in the
/// subject, or by In-Reply-To / References naming correspondence it gathers or a reply we sent
/// from it; else a closed item whose reply it answers.
async fn thread_of(
    txn: &DatabaseTransaction,
    corr: &postroom_db::entities::correspondence::Model,
) -> anyhow::Result<Option<Thread>> {
    if let Some(reference) = corr.subject.as_deref().and_then(WorkItemReference::find_in)
        && let Some(item) = work_items::find_by_reference(txn, reference.as_str()).await?
        && !item.status.is_closed()
    {
        return Ok(Some(Thread::Joins(item, "reference_in_subject")));
    }
    // In-Reply-To and the nearest References (intake keeps at most 50), each once.
    let mut ids: Vec<String> = corr.in_reply_to.iter().cloned().collect();
    ids.extend(corr.references.iter().flat_map(|r| r.split_whitespace().rev().take(50).map(str::to_owned)));
    ids.retain(|id| Some(id) != corr.message_id.as_ref());
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(None);
    }
    let earlier: Vec<_> = correspondence::find_by_message_ids(txn, &ids).await?.into_iter().map(|c| c.id).collect();
    let items = work_items::open_items_for_correspondence(txn, &earlier).await?;
    if let Some(item) = items.into_iter().next() {
        return Ok(Some(Thread::Joins(item, "in_reply_to")));
    }
    // Our own replies: the customer answering one threads back to its item.
    let mut answered = Vec::new();
    for reply in replies::by_message_ids(txn, &ids).await? {
        if let Some(item) = work_items::get(txn, reply.work_item_id).await? {
            answered.push(item);
        }
    }
    answered.sort_by_key(|i| i.status.is_closed());
    Ok(answered
        .into_iter()
        .next()
        .map(|item| if item.status.is_closed() { Thread::Answers(item) } else { Thread::Joins(item, "answers_reply") }))
}

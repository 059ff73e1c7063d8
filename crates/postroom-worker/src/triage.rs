//! `correspondence.received` → a triage work item.

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_db::{
    casework, correspondence,
    outbox::{self, NewEvent},
    work_items::{self, NewWorkItem},
};
use postroom_domain::{
    Priority, WorkItemReference, WorkItemStatus, WorkingCalendar,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived, WORK_ITEM_CREATED, WORK_ITEM_UPDATED, WorkItemSummary},
    london_date,
};
use postroom_queue::{Event, EventHandler, Prepared};

/// The queue and workflow name of unclassified correspondence.
pub const TRIAGE: &str = "triage";

/// Opens a triage work item for each piece of received correspondence.
pub struct OpenTriageItem {
    calendar: Arc<WorkingCalendar>,
    target_working_days: u32,
    priority: Priority,
}

impl OpenTriageItem {
    #[must_use]
    pub fn new(calendar: Arc<WorkingCalendar>, target_working_days: u32) -> Self {
        Self { calendar, target_working_days, priority: Priority::P3 }
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
        if let Some((item, how)) = thread_of(txn, &corr).await? {
            let by = JoinedBy { how, actor: "system", calendar: &self.calendar };
            return join_item(txn, &item, &corr, by, event, now).await;
        }
        let due_on = self.calendar.add_working_days(london_date(corr.received_at), self.target_working_days);
        let item = work_items::create(
            txn,
            NewWorkItem {
                correspondence_id: Some(corr.id),
                workflow: TRIAGE.to_owned(),
                queue: TRIAGE.to_owned(),
                priority: self.priority,
                status: WorkItemStatus::Triage,
                received_at: corr.received_at,
                due_on,
                reason: corr.status_reason.clone(),
            },
            "system",
            now,
        )
        .await?;
        let mut created = NewEvent::new(
            WORK_ITEM_CREATED,
            &WorkItemSummary {
                work_item_id: item.id,
                reference: item.reference.clone(),
                correspondence_id: Some(corr.id),
                queue: item.queue.clone(),
                status: item.status.clone(),
            },
        )?
        .correlated(event.correlation_id.clone());
        created.priority = Some(item.priority);
        outbox::enqueue(txn, created, now).await?;
        tracing::info!(work_item = %item.reference, %due_on, "triage item opened");
        Ok(())
    }
}

/// The open work item this correspondence continues, and how that was recognised: the item's
/// reference in the subject, or In-Reply-To / References naming correspondence the item gathers.
async fn thread_of(
    txn: &DatabaseTransaction,
    corr: &postroom_db::entities::correspondence::Model,
) -> anyhow::Result<Option<(postroom_db::entities::work_item::Model, &'static str)>> {
    if let Some(reference) = corr.subject.as_deref().and_then(WorkItemReference::find_in)
        && let Some(item) = work_items::find_by_reference(txn, reference.as_str()).await?
        && !item.status.parse::<WorkItemStatus>().is_ok_and(WorkItemStatus::is_closed)
    {
        return Ok(Some((item, "reference_in_subject")));
    }
    let mut ids: Vec<String> = corr.in_reply_to.iter().cloned().collect();
    ids.extend(corr.references.iter().flat_map(|r| r.split_whitespace().map(str::to_owned)));
    ids.retain(|id| Some(id) != corr.message_id.as_ref());
    if ids.is_empty() {
        return Ok(None);
    }
    let earlier: Vec<_> = correspondence::find_by_message_ids(txn, &ids).await?.into_iter().map(|c| c.id).collect();
    let items = work_items::open_items_for_correspondence(txn, &earlier).await?;
    Ok(items.into_iter().next().map(|item| (item, "in_reply_to")))
}

/// How correspondence joins an open item: the evidence, who did it, and the calendar the SLA
/// pause is counted on.
#[derive(Clone, Copy)]
pub(crate) struct JoinedBy<'a> {
    pub how: &'a str,
    pub actor: &'a str,
    pub calendar: &'a WorkingCalendar,
}

/// Attaches correspondence to an existing item; resumes it if it was waiting for the customer
/// (not for an auto-reply or bounce). Audited as `actor`, announced as `workitem.updated`.
pub(crate) async fn join_item(
    txn: &DatabaseTransaction,
    item: &postroom_db::entities::work_item::Model,
    corr: &postroom_db::entities::correspondence::Model,
    by: JoinedBy<'_>,
    event: &Event,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let JoinedBy { how, actor, calendar } = by;
    work_items::link_correspondence(txn, item.id, corr.id, how, now).await?;
    let details = serde_json::json!({ "correspondence_id": corr.id, "matched_by": how });
    work_items::audit(
        txn,
        item.id,
        work_items::NewEvent {
            actor,
            action: "correspondence_linked",
            from_status: None,
            to_status: None,
            details: Some(details.clone()),
        },
        now,
    )
    .await?;
    // An out-of-office reply or a bounce is not the customer answering: linked, not resumed.
    let automatic = matches!(corr.status.as_str(), "auto_reply" | "bounce");
    let mut status = item.status.clone();
    if item.status == WorkItemStatus::AwaitingCustomer.as_str() && !automatic {
        let step = casework::resume(item, calendar, "resumed", actor, details, now);
        if !casework::advance(txn, item, step, now).await? {
            // Someone changed the item meanwhile: retry the event against it as it now is.
            anyhow::bail!("work item {} changed while the customer's reply was joining it", item.reference);
        }
        status = WorkItemStatus::Ready.as_str().to_owned();
    }
    let mut updated = NewEvent::new(
        WORK_ITEM_UPDATED,
        &WorkItemSummary {
            work_item_id: item.id,
            reference: item.reference.clone(),
            correspondence_id: Some(corr.id),
            queue: item.queue.clone(),
            status,
        },
    )?
    .correlated(event.correlation_id.clone());
    updated.priority = Some(item.priority);
    outbox::enqueue(txn, updated, now).await?;
    tracing::info!(work_item = %item.reference, matched_by = how, "correspondence joined an open item");
    Ok(())
}

//! `correspondence.received` → a triage work item.

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_db::{
    correspondence,
    outbox::{self, NewEvent},
    work_items::{self, NewWorkItem},
};
use postroom_domain::{
    Priority, WorkItemStatus, WorkingCalendar,
    events::{CORRESPONDENCE_RECEIVED, CorrespondenceReceived, WORK_ITEM_CREATED, WorkItemCreated},
    london_date,
};
use postroom_queue::{Event, EventHandler};

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
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        let payload: CorrespondenceReceived =
            serde_json::from_value(event.payload.clone()).context("correspondence.received payload")?;
        let corr = correspondence::get(txn, payload.correspondence_id)
            .await?
            .with_context(|| format!("correspondence {} does not exist", payload.correspondence_id))?;
        let now = Utc::now();
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
            },
            "system",
            now,
        )
        .await?;
        let mut created = NewEvent::new(
            WORK_ITEM_CREATED,
            &WorkItemCreated {
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

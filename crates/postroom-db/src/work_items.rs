//! Queries on work items and their audit trail.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use postroom_domain::{Priority, WorkItemReference, WorkItemStatus, london_date};

use crate::{
    counters,
    entities::{work_item, work_item_event},
};

/// A work item to open.
#[derive(Debug, Clone)]
pub struct NewWorkItem {
    pub correspondence_id: Option<Uuid>,
    pub workflow: String,
    pub queue: String,
    pub priority: Priority,
    pub status: WorkItemStatus,
    pub received_at: DateTime<Utc>,
    pub due_on: NaiveDate,
}

/// An audit entry.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub from_status: Option<WorkItemStatus>,
    pub to_status: Option<WorkItemStatus>,
    pub details: Option<serde_json::Value>,
}

/// Opens a work item with the next human reference of the year, and audits its creation.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip_all, fields(queue = %new.queue, workflow = %new.workflow))]
pub async fn create(
    conn: &impl ConnectionTrait,
    new: NewWorkItem,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<work_item::Model, DbErr> {
    let year = london_date(now).year();
    let seq = counters::next(conn, &format!("work_item:{year}")).await?;
    let reference = WorkItemReference::new(year, seq);
    let model = work_item::Model {
        id: Uuid::now_v7(),
        reference: reference.as_str().to_owned(),
        correspondence_id: new.correspondence_id,
        workflow: new.workflow,
        queue: new.queue,
        priority: new.priority.rank(),
        status: new.status.as_str().to_owned(),
        received_at: new.received_at,
        due_on: new.due_on,
        assignee: None,
        version: 1,
        created_at: now,
        updated_at: now,
        claimed_at: None,
        closed_at: None,
    };
    work_item::Entity::insert(work_item::ActiveModel::from(model.clone())).exec_without_returning(conn).await?;
    audit(
        conn,
        model.id,
        NewEvent {
            actor,
            action: "created",
            from_status: None,
            to_status: Some(new.status),
            details: Some(serde_json::json!({
                "workflow": model.workflow,
                "queue": model.queue,
                "priority": new.priority,
                "due_on": model.due_on,
            })),
        },
        now,
    )
    .await?;
    Ok(model)
}

/// Appends an audit entry for a work item.
///
/// # Errors
/// When the database fails.
pub async fn audit(
    conn: &impl ConnectionTrait,
    work_item_id: Uuid,
    e: NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    work_item_event::Entity::insert(work_item_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        work_item_id: Set(work_item_id),
        occurred_at: Set(now),
        actor: Set(e.actor.to_owned()),
        action: Set(e.action.to_owned()),
        from_status: Set(e.from_status.map(|s| s.as_str().to_owned())),
        to_status: Set(e.to_status.map(|s| s.as_str().to_owned())),
        details: Set(e.details.map(|d| d.to_string())),
    })
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// Filters for listing work items.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: Option<String>,
    pub status: Option<WorkItemStatus>,
    pub correspondence_id: Option<Uuid>,
    pub limit: u64,
    pub offset: u64,
}

/// Work items matching `filter`, most urgent first (priority, due date, receipt).
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn list(conn: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<work_item::Model>, DbErr> {
    let mut q = work_item::Entity::find();
    if let Some(queue) = &filter.queue {
        q = q.filter(work_item::Column::Queue.eq(queue.as_str()));
    }
    if let Some(status) = filter.status {
        q = q.filter(work_item::Column::Status.eq(status.as_str()));
    }
    if let Some(c) = filter.correspondence_id {
        q = q.filter(work_item::Column::CorrespondenceId.eq(c));
    }
    q.order_by_asc(work_item::Column::Priority)
        .order_by_asc(work_item::Column::DueOn)
        .order_by_asc(work_item::Column::ReceivedAt)
        .order_by_asc(work_item::Column::Id)
        .limit(filter.limit)
        .offset(filter.offset)
        .all(conn)
        .await
}

/// One work item by id.
///
/// # Errors
/// When the database fails.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<work_item::Model>, DbErr> {
    work_item::Entity::find_by_id(id).one(conn).await
}

/// A work item's audit trail, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn events(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<work_item_event::Model>, DbErr> {
    work_item_event::Entity::find()
        .filter(work_item_event::Column::WorkItemId.eq(id))
        .order_by_asc(work_item_event::Column::OccurredAt)
        .order_by_asc(work_item_event::Column::Id)
        .all(conn)
        .await
}

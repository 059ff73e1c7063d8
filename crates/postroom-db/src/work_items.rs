//! Queries on work items and their audit trail.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use postroom_domain::{Priority, WorkItemReference, WorkItemStatus, london_date};

use crate::{
    counters,
    entities::{work_item, work_item_correspondence, work_item_event},
};

mod finding;

pub use finding::{Filter, Overdue, list, open_for_account};

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
    /// Why the item is where it is (e.g. why it is in triage), kept in its audit trail.
    pub reason: Option<String>,
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
        priority: new.priority,
        status: new.status,
        received_at: new.received_at,
        due_on: new.due_on,
        assignee: None,
        version: 1,
        created_at: now,
        updated_at: now,
        claimed_at: None,
        closed_at: None,
        classification: None,
        active_at: None,
        paused_on: None,
        bring_forward_on: None,
        home_queue: None,
        pending_completion: None,
        completed_by: None,
        received_on: Some(london_date(new.received_at)),
        closed_on: None,
    };
    work_item::Entity::insert(work_item::ActiveModel::from(model.clone())).exec_without_returning(conn).await?;
    if let Some(c) = model.correspondence_id {
        link_correspondence(conn, model.id, c, "opened", now).await?;
    }
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
                "reason": new.reason,
            })),
        },
        now,
    )
    .await?;
    Ok(model)
}

/// Links correspondence to a work item (idempotent).
///
/// # Errors
/// When the database fails.
pub async fn link_correspondence(
    conn: &impl ConnectionTrait,
    work_item_id: Uuid,
    correspondence_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    work_item_correspondence::Entity::insert(work_item_correspondence::ActiveModel {
        work_item_id: Set(work_item_id),
        correspondence_id: Set(correspondence_id),
        reason: Set(reason.to_owned()),
        linked_at: Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            work_item_correspondence::Column::WorkItemId,
            work_item_correspondence::Column::CorrespondenceId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// The correspondence a work item gathers, in the order it was linked.
///
/// # Errors
/// When the database fails.
pub async fn correspondence_of(conn: &impl ConnectionTrait, work_item_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(work_item_correspondence::Entity::find()
        .filter(work_item_correspondence::Column::WorkItemId.eq(work_item_id))
        .order_by_asc(work_item_correspondence::Column::LinkedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.correspondence_id)
        .collect())
}

/// Open work items that gather any of these correspondence ids.
///
/// # Errors
/// When the database fails.
pub async fn open_items_for_correspondence(
    conn: &impl ConnectionTrait,
    correspondence_ids: &[Uuid],
) -> Result<Vec<work_item::Model>, DbErr> {
    if correspondence_ids.is_empty() {
        return Ok(Vec::new());
    }
    let links = work_item_correspondence::Entity::find()
        .filter(work_item_correspondence::Column::CorrespondenceId.is_in(correspondence_ids.iter().copied()))
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = links.into_iter().map(|l| l.work_item_id).collect();
    open_by_ids(conn, &ids).await
}

/// Open items of `workflow` concerning any of these accounts (oldest first): a new letter of the
/// same kind about the same account joins such an item instead of opening a duplicate.
///
/// # Errors
/// When the database fails.
pub async fn open_items_for_accounts(
    conn: &impl ConnectionTrait,
    account_ids: &[Uuid],
    workflow: &str,
) -> Result<Vec<work_item::Model>, DbErr> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let links = crate::entities::work_item_account::Entity::find()
        .filter(crate::entities::work_item_account::Column::AccountId.is_in(account_ids.iter().copied()))
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = links.into_iter().map(|l| l.work_item_id).collect();
    Ok(open_by_ids(conn, &ids).await?.into_iter().filter(|i| i.workflow == workflow).collect())
}

async fn open_by_ids(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<work_item::Model>, DbErr> {
    let closed = [WorkItemStatus::Done.as_str(), WorkItemStatus::Cancelled.as_str()];
    work_item::Entity::find()
        .filter(work_item::Column::Id.is_in(ids.iter().copied()))
        .filter(work_item::Column::Status.is_not_in(closed))
        .order_by_asc(work_item::Column::CreatedAt)
        .all(conn)
        .await
}

/// A work item by its human reference.
///
/// # Errors
/// When the database fails.
pub async fn find_by_reference(
    conn: &impl ConnectionTrait,
    reference: &str,
) -> Result<Option<work_item::Model>, DbErr> {
    work_item::Entity::find().filter(work_item::Column::Reference.eq(reference)).one(conn).await
}

/// A classification to apply to a triage item.
#[derive(Debug, Clone)]
pub struct Classified {
    pub workflow: String,
    pub queue: String,
    pub priority: Priority,
    pub status: WorkItemStatus,
    pub due_on: chrono::NaiveDate,
    /// The classifier's evidence (JSON), kept on the item.
    pub classification: serde_json::Value,
}

/// Sets a triage item's workflow, queue, priority, due date and status (by the classifier, or by
/// post-room staff indexing it), and audits it as `action` by `actor` with the evidence. Only an
/// item still in triage at its `version` changes: returns `false` when someone has indexed or
/// moved it meanwhile.
///
/// # Errors
/// When the database fails.
pub async fn assign_workflow(
    conn: &impl ConnectionTrait,
    item: &work_item::Model,
    c: Classified,
    actor: &str,
    action: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let updated = work_item::Entity::update_many()
        .col_expr(work_item::Column::Workflow, Expr::value(c.workflow.clone()))
        .col_expr(work_item::Column::Queue, Expr::value(c.queue.clone()))
        .col_expr(work_item::Column::Priority, Expr::value(c.priority.rank()))
        .col_expr(work_item::Column::Status, Expr::value(c.status.as_str()))
        .col_expr(work_item::Column::DueOn, Expr::value(c.due_on))
        .col_expr(work_item::Column::Classification, Expr::value(c.classification.to_string()))
        .col_expr(work_item::Column::Version, Expr::col(work_item::Column::Version).add(1))
        .col_expr(work_item::Column::UpdatedAt, Expr::value(now))
        .filter(work_item::Column::Id.eq(item.id))
        .filter(work_item::Column::Version.eq(item.version))
        .filter(work_item::Column::Status.eq(WorkItemStatus::Triage.as_str()))
        .exec(conn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    let details = serde_json::json!({
        "workflow": c.workflow,
        "queue": c.queue,
        "priority": c.priority,
        "due_on": c.due_on,
        "classification": c.classification,
    });
    audit(
        conn,
        item.id,
        NewEvent { actor, action, from_status: Some(item.status), to_status: Some(c.status), details: Some(details) },
        now,
    )
    .await?;
    Ok(true)
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
        from_status: Set(e.from_status),
        to_status: Set(e.to_status),
        details: Set(e.details.map(|d| d.to_string())),
    })
    .exec_without_returning(conn)
    .await
    .map(|_| ())
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

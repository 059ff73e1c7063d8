//! The queries that move work items through their life: a conditional state change with its
//! audit entry (the rules of who may do what, and when, live in `postroom-casework`), claim next,
//! claim activity, and the items the timers look for.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, Order, Query},
};

use postroom_domain::{Priority, WorkItemStatus};

use crate::{
    entities::work_item::{self, Column},
    work_items::{NewEvent, audit},
};

/// The columns a step sets besides the status, version and timestamps. `None` leaves a column
/// as it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemPatch {
    pub workflow: Option<String>,
    pub queue: Option<String>,
    pub home_queue: Option<Option<String>>,
    pub priority: Option<Priority>,
    pub due_on: Option<NaiveDate>,
    pub assignee: Option<Option<String>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub active_at: Option<DateTime<Utc>>,
    pub paused_on: Option<Option<NaiveDate>>,
    pub bring_forward_on: Option<Option<NaiveDate>>,
    pub pending_completion: Option<Option<String>>,
    pub completed_by: Option<Option<String>>,
    pub classification: Option<String>,
}

/// One change of an item's state: what to set besides the status, and how to audit it.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub action: &'a str,
    pub actor: &'a str,
    pub to: WorkItemStatus,
    pub patch: ItemPatch,
    /// What the audit entry records besides who, when and the states.
    pub details: Option<serde_json::Value>,
    /// Applies only if the claim holder has done nothing since this instant (a note moves
    /// `active_at` without a new version, so an expiring claim checks it again at the update).
    pub idle_before: Option<DateTime<Utc>>,
}

impl<'a> Step<'a> {
    /// A step to `to`, audited as `action` by `actor`, setting `patch`.
    #[must_use]
    pub fn new(action: &'a str, actor: &'a str, to: WorkItemStatus, patch: ItemPatch) -> Self {
        Self { action, actor, to, patch, details: None, idle_before: None }
    }

    /// Records `details` in the audit entry.
    #[must_use]
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// Applies only if the item has been idle since `instant`.
    #[must_use]
    pub fn idle_before(mut self, instant: DateTime<Utc>) -> Self {
        self.idle_before = Some(instant);
        self
    }
}

/// Applies `step` to `item` if nobody changed it since it was read (same version), bumping the
/// version and auditing who, when, the action, the states before and after and the details.
/// Leaving a closed state clears `closed_at`. Returns `false` when the item changed meanwhile
/// (nothing written).
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip_all, fields(work_item = %item.reference, action = step.action))]
pub async fn advance(
    conn: &impl ConnectionTrait,
    item: &work_item::Model,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = work_item::Entity::update_many()
        .col_expr(Column::Status, Expr::value(step.to))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    if step.to.is_closed() {
        update = update.col_expr(Column::ClosedAt, Expr::value(now));
    } else if item.status.is_closed() {
        update = update.col_expr(Column::ClosedAt, Expr::value(Option::<DateTime<Utc>>::None));
    }
    let p = step.patch;
    macro_rules! set {
        ($($field:ident => $column:ident),* $(,)?) => {
            $(if let Some(v) = p.$field { update = update.col_expr(Column::$column, Expr::value(v)); })*
        };
    }
    set!(
        workflow => Workflow, queue => Queue, home_queue => HomeQueue, priority => Priority, due_on => DueOn,
        assignee => Assignee, claimed_at => ClaimedAt, active_at => ActiveAt, paused_on => PausedOn,
        bring_forward_on => BringForwardOn, pending_completion => PendingCompletion, completed_by => CompletedBy,
        classification => Classification,
    );
    if let Some(instant) = step.idle_before {
        update = update.filter(Column::ActiveAt.lt(instant));
    }
    let done =
        update.filter(Column::Id.eq(item.id)).filter(Column::Version.eq(item.version)).exec(conn).await?.rows_affected
            == 1;
    if done {
        let entry = NewEvent {
            actor: step.actor,
            action: step.action,
            from_status: Some(item.status),
            to_status: Some(step.to),
            details: step.details,
        };
        audit(conn, item.id, entry, now).await?;
    }
    Ok(done)
}

/// Claims, for `user`, the most urgent ready item in `queues` (highest priority, then earliest
/// due, then oldest received) in one statement, so two officers never get the same item: on
/// PostgreSQL the candidate row is locked `FOR UPDATE SKIP LOCKED`, so concurrent claims take the
/// next one instead of waiting; SQLite runs one writer at a time. Audited as `claimed`.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn, queues), fields(queues = queues.len()))]
pub async fn claim_next(
    conn: &impl ConnectionTrait,
    user: &str,
    queues: &[String],
    now: DateTime<Utc>,
) -> Result<Option<work_item::Model>, DbErr> {
    if queues.is_empty() {
        return Ok(None);
    }
    let ready = WorkItemStatus::Ready.as_str();
    let backend = conn.get_database_backend();
    let mut candidate = Query::select();
    candidate
        .column(Column::Id)
        .from(work_item::Entity)
        .and_where(Expr::col(Column::Status).eq(ready))
        .and_where(Expr::col(Column::Queue).is_in(queues.iter().cloned()))
        .order_by(Column::Priority, Order::Asc)
        .order_by(Column::DueOn, Order::Asc)
        .order_by(Column::ReceivedAt, Order::Asc)
        .order_by(Column::Id, Order::Asc)
        .limit(1);
    if backend == DbBackend::Postgres {
        candidate.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let claim = Query::update()
        .table(work_item::Entity)
        .value(Column::Status, WorkItemStatus::InProgress.as_str())
        .value(Column::Assignee, user)
        .value(Column::ClaimedAt, now)
        .value(Column::ActiveAt, now)
        .value(Column::UpdatedAt, now)
        .value(Column::Version, Expr::col(Column::Version).add(1))
        .and_where(Expr::col(Column::Id).in_subquery(candidate))
        .and_where(Expr::col(Column::Status).eq(ready))
        .returning_all()
        .to_owned();
    let Some(item) = work_item::Model::find_by_statement(backend.build(&claim)).one(conn).await? else {
        return Ok(None);
    };
    let entry = NewEvent {
        actor: user,
        action: "claimed",
        from_status: Some(WorkItemStatus::Ready),
        to_status: Some(WorkItemStatus::InProgress),
        details: Some(serde_json::json!({ "assignee": user, "by": "next" })),
    };
    audit(conn, item.id, entry, now).await?;
    Ok(Some(item))
}

/// Notes the claim holder's activity, which keeps the claim from expiring.
///
/// # Errors
/// When the database fails.
pub async fn touch(conn: &impl ConnectionTrait, item: &work_item::Model, now: DateTime<Utc>) -> Result<(), DbErr> {
    work_item::Entity::update_many()
        .col_expr(Column::ActiveAt, Expr::value(now))
        .filter(Column::Id.eq(item.id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Claimed items whose holder has done nothing since `idle_since`.
///
/// # Errors
/// When the database fails.
pub async fn expired_claims(
    conn: &impl ConnectionTrait,
    idle_since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<work_item::Model>, DbErr> {
    work_item::Entity::find()
        .filter(Column::Status.eq(WorkItemStatus::InProgress.as_str()))
        .filter(Column::ActiveAt.lt(idle_since))
        .order_by_asc(Column::ActiveAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Items waiting for the customer whose bring-forward date has come.
///
/// # Errors
/// When the database fails.
pub async fn brought_forward(
    conn: &impl ConnectionTrait,
    today: NaiveDate,
    limit: u64,
) -> Result<Vec<work_item::Model>, DbErr> {
    work_item::Entity::find()
        .filter(Column::Status.eq(WorkItemStatus::AwaitingCustomer.as_str()))
        .filter(Column::BringForwardOn.lte(today))
        .order_by_asc(Column::BringForwardOn)
        .limit(limit)
        .all(conn)
        .await
}

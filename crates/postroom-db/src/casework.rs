//! The queries that move work items through their life: a conditional state change with its
//! audit entry (the rules of who may do what, and when, live in `postroom-casework`), claim next,
//! claim activity, and the items the timers look for.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value, sea_query::Expr,
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
        update = update
            .col_expr(Column::ClosedAt, Expr::value(now))
            .col_expr(Column::ClosedOn, Expr::value(postroom_domain::london_date(now)));
    } else if item.status.is_closed() {
        update = update
            .col_expr(Column::ClosedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(Column::ClosedOn, Expr::value(Option::<NaiveDate>::None));
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
/// due, then oldest received), audited as `claimed`. One statement, [`claim_statement`], which
/// can change at most one row whatever plan the database picks.
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
    let Some(claim) = claim_statement(conn.get_database_backend(), user, queues, now) else {
        return Ok(None);
    };
    let Some(item) = work_item::Model::find_by_statement(claim).one(conn).await? else {
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

/// The claim-next statement (`None` when there are no queues).
///
/// The row to claim is chosen by `id = (scalar subquery)`, which both databases evaluate once
/// (PostgreSQL as an InitPlan), so the `UPDATE` touches at most one row under any plan. (An
/// `id IN (… LIMIT 1 FOR UPDATE SKIP LOCKED)` semi-join can be rescanned per outer row under a
/// nested-loop plan, each rescan skipping the row it has just claimed and yielding the next.)
///
/// The candidates are one probe per queue into the partial index `ix_work_items_ready_claim`
/// (`queue, priority, due_on, received_at, id WHERE status = 'ready'`), each already in claim
/// order, merged (PostgreSQL: Merge Append; SQLite: MERGE (UNION ALL)), so the first row comes
/// without reading or sorting the queues. On PostgreSQL each merged candidate is then locked in
/// that order by a lateral `FOR UPDATE SKIP LOCKED` lookup (an item another officer is claiming
/// is skipped, not waited for, and no row is locked that is not taken); the lateral reference
/// also keeps the candidates on the outer side of the join under any statistics. SQLite runs
/// one writer at a time. `status = 'ready'`
/// is written literally, as in the index predicate, so the index applies to generic plans too.
#[must_use]
pub fn claim_statement(backend: DbBackend, user: &str, queues: &[String], now: DateTime<Utc>) -> Option<Statement> {
    let mut queues: Vec<&String> = queues.iter().collect();
    queues.sort();
    queues.dedup();
    if queues.is_empty() {
        return None;
    }
    let ready = WorkItemStatus::Ready.as_str();
    let in_progress = WorkItemStatus::InProgress.as_str();
    let mut values: Vec<Value> = Vec::new();
    // Numbered placeholders (`$n` on PostgreSQL, `?n` on SQLite) so a value can be used twice.
    let mut bind = |v: Value| {
        values.push(v);
        let n = values.len();
        if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") }
    };
    let assignee = bind(user.into());
    let at = bind(now.into());
    let set = format!("assignee = {assignee}, claimed_at = {at}, active_at = {at}, updated_at = {at}");
    let order = "priority, due_on, received_at, id";
    let probe = |q: String| {
        format!("SELECT id, priority, due_on, received_at FROM work_items WHERE status = '{ready}' AND queue = {q}")
    };
    let candidate = if backend == DbBackend::Postgres {
        let probes: Vec<String> =
            queues.iter().map(|q| format!("({} ORDER BY {order})", probe(bind((*q).into())))).collect();
        // The lateral lock makes the merged candidates the outer side of the join, whatever
        // the statistics say: each is locked in turn until one is free and still ready.
        format!(
            "SELECT l.id FROM ({}) c CROSS JOIN LATERAL (SELECT w.id FROM work_items w \
             WHERE w.id = c.id AND w.status = '{ready}' FOR UPDATE SKIP LOCKED) l \
             ORDER BY c.priority, c.due_on, c.received_at, c.id LIMIT 1",
            probes.join(" UNION ALL ")
        )
    } else {
        let probes: Vec<String> = queues.iter().map(|q| probe(bind((*q).into()))).collect();
        format!("SELECT id FROM ({} ORDER BY {order} LIMIT 1)", probes.join(" UNION ALL "))
    };
    let sql = format!(
        "UPDATE work_items SET status = '{in_progress}', {set}, version = version + 1 \
         WHERE id = ({candidate}) AND status = '{ready}' RETURNING *"
    );
    Some(Statement::from_sql_and_values(backend, sql, values))
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

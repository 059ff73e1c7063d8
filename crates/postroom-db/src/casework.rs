//! Moving work items through their life: claim next, conditional state changes with their audit
//! entry, the SLA pause, and the timers (expired claims, bring-forward dates).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value,
    sea_query::{Expr, SimpleExpr},
};

use postroom_domain::{WorkItemStatus, WorkingCalendar, london_date};

use crate::{
    entities::work_item::{self, Column},
    work_items::{NewEvent, audit},
};

/// One change of an item's state: what to set besides the status, and how to audit it.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub action: &'a str,
    pub actor: &'a str,
    pub to: WorkItemStatus,
    /// Other columns to set.
    pub set: Vec<(Column, SimpleExpr)>,
    /// What the audit entry records besides who, when and the states.
    pub details: Option<serde_json::Value>,
    /// A further condition the row must meet at the moment of the update.
    pub only_if: Option<SimpleExpr>,
}

impl<'a> Step<'a> {
    /// A step to `to`, audited as `action` by `actor`.
    #[must_use]
    pub fn new(action: &'a str, actor: &'a str, to: WorkItemStatus) -> Self {
        Self { action, actor, to, set: Vec::new(), details: None, only_if: None }
    }

    /// Also sets `column` to `value`.
    #[must_use]
    pub fn set(mut self, column: Column, value: impl Into<SimpleExpr>) -> Self {
        self.set.push((column, value.into()));
        self
    }

    /// Applies only if `condition` still holds for the row when it is updated.
    #[must_use]
    pub fn only_if(mut self, condition: SimpleExpr) -> Self {
        self.only_if = Some(condition);
        self
    }

    /// Records `details` in the audit entry.
    #[must_use]
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// Applies `step` to `item` if nobody changed it since it was read (same version), bumping the
/// version and auditing who, when, the action, the states before and after and the details.
/// Returns `false` when the item changed meanwhile (nothing written).
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
        .col_expr(Column::Status, Expr::value(step.to.as_str()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    if step.to.is_closed() {
        update = update.col_expr(Column::ClosedAt, Expr::value(now));
    }
    for (column, value) in step.set {
        update = update.col_expr(column, value);
    }
    if let Some(condition) = step.only_if {
        update = update.filter(condition);
    }
    let done =
        update.filter(Column::Id.eq(item.id)).filter(Column::Version.eq(item.version)).exec(conn).await?.rows_affected
            == 1;
    if done {
        let entry = NewEvent {
            actor: step.actor,
            action: step.action,
            from_status: item.status.parse().ok(),
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

/// The step that pends an item for the customer: the SLA clock stops today (London) and it comes
/// back by itself on `bring_forward_on`. The item stays with its officer.
#[must_use]
pub fn pend<'a>(actor: &'a str, reason: &str, bring_forward_on: NaiveDate, now: DateTime<Utc>) -> Step<'a> {
    Step::new("pended", actor, WorkItemStatus::AwaitingCustomer)
        .set(Column::PausedOn, london_date(now))
        .set(Column::BringForwardOn, bring_forward_on)
        .details(serde_json::json!({ "reason": reason, "bring_forward_on": bring_forward_on }))
}

/// The step that resumes an item waiting for the customer: back to ready in its queue, its due
/// date moved on by the working days the clock was paused (the days after the pause up to and
/// including today).
#[must_use]
pub fn resume<'a>(
    item: &work_item::Model,
    calendar: &WorkingCalendar,
    action: &'a str,
    actor: &'a str,
    why: serde_json::Value,
    now: DateTime<Utc>,
) -> Step<'a> {
    let today = london_date(now);
    let paused = item.paused_on.map_or(0, |since| calendar.working_days_between(since, today));
    let due_on = if paused == 0 { item.due_on } else { calendar.add_working_days(item.due_on, paused) };
    Step::new(action, actor, WorkItemStatus::Ready)
        .set(Column::DueOn, due_on)
        .set(Column::PausedOn, Option::<NaiveDate>::None)
        .set(Column::BringForwardOn, Option::<NaiveDate>::None)
        .set(Column::Assignee, Option::<String>::None)
        .details(serde_json::json!({
            "why": why,
            "paused_since": item.paused_on,
            "working_days_paused": paused,
            "due_on": { "before": item.due_on, "after": due_on },
        }))
}

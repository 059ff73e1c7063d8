//! Finding work items: the filtered list and an account's open work.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use postroom_domain::{Priority, WorkItemStatus};

use crate::entities::{work_item, work_item_correspondence};

/// Filters for listing work items; each one set narrows the list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: Option<String>,
    pub status: Option<WorkItemStatus>,
    pub priority: Option<Priority>,
    /// Open (`true`: not done or cancelled) or closed (`false`).
    pub open: Option<bool>,
    /// Open with the SLA clock running (`true`: not closed and not waiting for the customer).
    pub clock_running: Option<bool>,
    pub correspondence_id: Option<Uuid>,
    /// Who holds (or held) the claim.
    pub assignee: Option<String>,
    /// Who completed it.
    pub completed_by: Option<String>,
    /// Items concerning the account with this reference.
    pub account: Option<String>,
    /// Overdue (`true`) or not (`false`), judged against a day.
    pub overdue: Option<Overdue>,
    /// At risk: open, the clock running, and due on or before the last day of the warning window
    /// (overdue included).
    pub at_risk_until: Option<NaiveDate>,
    /// Due before this day.
    pub due_before: Option<NaiveDate>,
    /// Due on or after / on or before these days.
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// Received (UK day) on or after / on or before these days.
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Closed (UK day) on or after / on or before these days.
    pub closed_from: Option<NaiveDate>,
    pub closed_to: Option<NaiveDate>,
    /// Closed on or before the due date (`true`) or after it (`false`).
    pub in_time: Option<bool>,
    /// The item with this human reference (e.g. `WI-2026-000042`).
    pub reference: Option<String>,
    /// Text found, ignoring case, in the item's reference, the reference of an account it
    /// concerns, or the sender of correspondence it gathers.
    pub text: Option<String>,
    /// Earliest due date first (at-risk lists) instead of most urgent first.
    pub by_due_date: bool,
    pub limit: u64,
    pub offset: u64,
}

/// The overdue filter: open, not paused for the customer, and due before `today` (or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub overdue: bool,
    pub today: NaiveDate,
}

/// Work items matching `filter`, most urgent first (priority, due date, receipt).
///
/// # Errors
/// When the database fails.
// Not the filter: its search text is a name, a postcode or an account reference.
#[tracing::instrument(skip_all)]
pub async fn list(conn: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<work_item::Model>, DbErr> {
    use sea_orm::sea_query::{Condition, Expr, Func, LikeExpr, Query};

    use crate::entities::{account, correspondence};
    let mut q = work_item::Entity::find();
    let closed = [WorkItemStatus::Done.as_str(), WorkItemStatus::Cancelled.as_str()];
    let running = || {
        Condition::all()
            .add(work_item::Column::Status.is_not_in(closed))
            .add(work_item::Column::Status.ne(WorkItemStatus::AwaitingCustomer.as_str()))
    };
    if let Some(queue) = &filter.queue {
        q = q.filter(work_item::Column::Queue.eq(queue.as_str()));
    }
    if let Some(status) = filter.status {
        q = q.filter(work_item::Column::Status.eq(status.as_str()));
    }
    if let Some(priority) = filter.priority {
        q = q.filter(work_item::Column::Priority.eq(priority));
    }
    if let Some(open) = filter.open {
        q = q.filter(if open {
            work_item::Column::Status.is_not_in(closed)
        } else {
            work_item::Column::Status.is_in(closed)
        });
    }
    if let Some(r) = filter.clock_running {
        q = q.filter(if r { running() } else { running().not() });
    }
    if let Some(c) = filter.correspondence_id {
        q = q.filter(work_item::Column::CorrespondenceId.eq(c));
    }
    if let Some(assignee) = &filter.assignee {
        q = q.filter(work_item::Column::Assignee.eq(assignee.as_str()));
    }
    if let Some(by) = &filter.completed_by {
        q = q.filter(work_item::Column::CompletedBy.eq(by.as_str()));
    }
    if let Some(reference) = &filter.reference {
        q = q.filter(work_item::Column::Reference.eq(reference.as_str()));
    }
    if let Some(day) = filter.due_before {
        q = q.filter(work_item::Column::DueOn.lt(day));
    }
    for (day, column, from) in [
        (filter.due_from, work_item::Column::DueOn, true),
        (filter.due_to, work_item::Column::DueOn, false),
        (filter.received_from, work_item::Column::ReceivedOn, true),
        (filter.received_to, work_item::Column::ReceivedOn, false),
        (filter.closed_from, work_item::Column::ClosedOn, true),
        (filter.closed_to, work_item::Column::ClosedOn, false),
    ] {
        if let Some(day) = day {
            q = q.filter(if from { column.gte(day) } else { column.lte(day) });
        }
    }
    if let Some(in_time) = filter.in_time {
        let on_time = Expr::col(work_item::Column::ClosedOn).lte(Expr::col(work_item::Column::DueOn));
        q = q.filter(if in_time {
            on_time
        } else {
            Expr::col(work_item::Column::ClosedOn).gt(Expr::col(work_item::Column::DueOn))
        });
    }
    if let Some(Overdue { overdue, today }) = filter.overdue {
        let is_overdue = running().add(work_item::Column::DueOn.lt(today));
        q = q.filter(if overdue { is_overdue } else { is_overdue.not() });
    }
    if let Some(last_day) = filter.at_risk_until {
        q = q.filter(running().add(work_item::Column::DueOn.lte(last_day)));
    }
    if let Some(reference) = &filter.account {
        q = q.filter(work_item::Column::Id.in_subquery(items_of_accounts(account::Column::Reference.eq(reference))));
    }
    if let Some(text) = &filter.text {
        let like = || LikeExpr::new(format!("%{}%", escape_like(&text.to_lowercase()))).escape('\\');
        let lower = |e: Expr| Expr::expr(Func::lower(e));
        let by_sender = Query::select()
            .column((work_item_correspondence::Entity, work_item_correspondence::Column::WorkItemId))
            .from(work_item_correspondence::Entity)
            .inner_join(
                correspondence::Entity,
                Expr::col((correspondence::Entity, correspondence::Column::Id))
                    .equals((work_item_correspondence::Entity, work_item_correspondence::Column::CorrespondenceId)),
            )
            .and_where(lower(Expr::col((correspondence::Entity, correspondence::Column::Sender))).like(like()))
            .to_owned();
        let by_account =
            items_of_accounts(lower(Expr::col((account::Entity, account::Column::Reference))).like(like()));
        q = q.filter(
            Condition::any()
                .add(lower(Expr::col((work_item::Entity, work_item::Column::Reference))).like(like()))
                .add(work_item::Column::Id.in_subquery(by_account))
                .add(work_item::Column::Id.in_subquery(by_sender)),
        );
    }
    let q = if filter.by_due_date {
        q.order_by_asc(work_item::Column::DueOn).order_by_asc(work_item::Column::Priority)
    } else {
        q.order_by_asc(work_item::Column::Priority).order_by_asc(work_item::Column::DueOn)
    };
    q.order_by_asc(work_item::Column::ReceivedAt)
        .order_by_asc(work_item::Column::Id)
        .limit(filter.limit)
        .offset(filter.offset)
        .all(conn)
        .await
}

/// `SELECT work_item_id` of the items linked to accounts meeting `condition`.
fn items_of_accounts(condition: sea_orm::sea_query::SimpleExpr) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Expr, Query};

    use crate::entities::{account, work_item_account};
    Query::select()
        .column((work_item_account::Entity, work_item_account::Column::WorkItemId))
        .from(work_item_account::Entity)
        .inner_join(
            account::Entity,
            Expr::col((account::Entity, account::Column::Id))
                .equals((work_item_account::Entity, work_item_account::Column::AccountId)),
        )
        .and_where(condition)
        .to_owned()
}

/// `text` with the `LIKE` wildcards and the escape character escaped (escape `\`).
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The open work items concerning the account `account_id`, most urgent first.
///
/// # Errors
/// When the database fails.
pub async fn open_for_account(conn: &impl ConnectionTrait, account_id: Uuid) -> Result<Vec<work_item::Model>, DbErr> {
    use crate::entities::work_item_account;
    let closed = [WorkItemStatus::Done.as_str(), WorkItemStatus::Cancelled.as_str()];
    let linked = sea_orm::sea_query::Query::select()
        .column(work_item_account::Column::WorkItemId)
        .from(work_item_account::Entity)
        .and_where(work_item_account::Column::AccountId.eq(account_id))
        .to_owned();
    work_item::Entity::find()
        .filter(work_item::Column::Id.in_subquery(linked))
        .filter(work_item::Column::Status.is_not_in(closed))
        .order_by_asc(work_item::Column::Priority)
        .order_by_asc(work_item::Column::DueOn)
        .order_by_asc(work_item::Column::ReceivedAt)
        .order_by_asc(work_item::Column::Id)
        .all(conn)
        .await
}

//! Finding work items: the filtered list and an account's open work.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use postroom_domain::WorkItemStatus;

use crate::entities::{work_item, work_item_correspondence};

/// Filters for listing work items; each one set narrows the list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: Option<String>,
    pub status: Option<WorkItemStatus>,
    pub correspondence_id: Option<Uuid>,
    /// Who holds (or held) the claim.
    pub assignee: Option<String>,
    /// Items concerning the account with this reference.
    pub account: Option<String>,
    /// Overdue (`true`) or not (`false`), judged against a day.
    pub overdue: Option<Overdue>,
    /// Due before this day.
    pub due_before: Option<NaiveDate>,
    /// The item with this human reference (e.g. `WI-2026-000042`).
    pub reference: Option<String>,
    /// Text found, ignoring case, in the item's reference, the reference of an account it
    /// concerns, or the sender of correspondence it gathers.
    pub text: Option<String>,
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
#[tracing::instrument(skip(conn))]
pub async fn list(conn: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<work_item::Model>, DbErr> {
    use sea_orm::sea_query::{Condition, Expr, Func, LikeExpr, Query};

    use crate::entities::{account, correspondence};
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
    if let Some(assignee) = &filter.assignee {
        q = q.filter(work_item::Column::Assignee.eq(assignee.as_str()));
    }
    if let Some(reference) = &filter.reference {
        q = q.filter(work_item::Column::Reference.eq(reference.as_str()));
    }
    if let Some(day) = filter.due_before {
        q = q.filter(work_item::Column::DueOn.lt(day));
    }
    if let Some(Overdue { overdue, today }) = filter.overdue {
        let closed = [WorkItemStatus::Done.as_str(), WorkItemStatus::Cancelled.as_str()];
        let is_overdue = Condition::all()
            .add(work_item::Column::Status.is_not_in(closed))
            .add(work_item::Column::Status.ne(WorkItemStatus::AwaitingCustomer.as_str()))
            .add(work_item::Column::DueOn.lt(today));
        q = q.filter(if overdue { is_overdue } else { is_overdue.not() });
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
    q.order_by_asc(work_item::Column::Priority)
        .order_by_asc(work_item::Column::DueOn)
        .order_by_asc(work_item::Column::ReceivedAt)
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

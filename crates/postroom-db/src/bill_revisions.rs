//! `bill_revisions`: each account's bill for a year as first issued and every revised or final
//! notice after it (`postroom_accounts::bill::Notice`), so the schedule shown is the first bill
//! revised by each notice in turn.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use postroom_accounts::bill::{Bill, FinancialYear, Notice, Pence, revision_of};

use crate::entities::{account, bill_revision, property};

/// The notices recorded for `account_id`'s `year`, the first bill first.
///
/// # Errors
/// When the database fails.
pub async fn notices(conn: &impl ConnectionTrait, account_id: Uuid, year: FinancialYear) -> Result<Vec<Notice>, DbErr> {
    let rows = bill_revision::Entity::find()
        .filter(bill_revision::Column::AccountId.eq(account_id))
        .filter(bill_revision::Column::Year.eq(year.to_string()))
        .order_by_asc(bill_revision::Column::Seq)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Notice { notice: r.notice, total: Pence::new(r.total_pence), liability_ended: r.liability_ended })
        .collect())
}

/// The billing authority the account's property names, if it names one.
///
/// # Errors
/// When the database fails.
pub async fn billing_authority(conn: &impl ConnectionTrait, account: &account::Model) -> Result<Option<String>, DbErr> {
    let Some(id) = account.property_id else { return Ok(None) };
    Ok(property::Entity::find_by_id(id).one(conn).await?.and_then(|p| p.billing_authority))
}

/// What a completion did to an account's bill for a year.
#[derive(Debug, Clone, Copy)]
pub struct BillChange<'a> {
    pub year: FinancialYear,
    /// The bill before the changes (`None` when it could not be worked out).
    pub before: Option<&'a Bill>,
    /// The bill after them.
    pub after: Option<&'a Bill>,
    /// The day the revised notice is issued.
    pub on: NaiveDate,
    pub work_item_id: Option<Uuid>,
}

/// Records what `change` did to `account_id`'s bill when the charge or the end of liability
/// differs from the last notice: the revised notice, after the first bill (the bill before the
/// changes) if none is recorded yet. Nothing when a bill cannot be worked out. Returns the
/// revised notice recorded, if any.
///
/// # Errors
/// When the database fails (a unique violation when another completion revised it at once).
#[tracing::instrument(skip_all, fields(account = %account_id, year = %change.year))]
pub async fn record(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    change: BillChange<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Notice>, DbErr> {
    let recorded = notices(conn, account_id, change.year).await?;
    let first = match (recorded.first(), change.before) {
        (Some(first), _) => *first,
        (None, Some(before)) => Notice::first(before),
        (None, None) => return Ok(None),
    };
    let last = recorded.last().copied().unwrap_or(first);
    let Some(revision) = change.after.and_then(|after| revision_of(&last, after, change.on)) else { return Ok(None) };
    if recorded.is_empty() {
        insert(conn, account_id, &change, 0, &first, now).await?;
    }
    let seq = i32::try_from(recorded.len().max(1)).map_err(|e| DbErr::Custom(e.to_string()))?;
    insert(conn, account_id, &change, seq, &revision, now).await?;
    Ok(Some(revision))
}

async fn insert(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    change: &BillChange<'_>,
    seq: i32,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    bill_revision::Entity::insert(bill_revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        year: Set(change.year.to_string()),
        seq: Set(seq),
        notice: Set(notice.notice),
        total_pence: Set(notice.total.pence()),
        liability_ended: Set(notice.liability_ended),
        work_item_id: Set(change.work_item_id),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

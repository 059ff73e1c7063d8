//! Applying typed account changes: the state a change is checked against, the change itself,
//! and the append-only history entry with the state before and after.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;

use postroom_accounts::{AccountState, Adjustment, Change};

use crate::entities::{account, account_adjustment, account_history};

/// What one applied change did, for the history and the `account.changed` event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    pub account_id: Uuid,
    pub account: String,
    pub kind: String,
    pub before: Value,
    pub after: Value,
}

/// The state of `account` that changes are checked against.
///
/// # Errors
/// When the database fails or the account's service is not one Postroom knows.
pub async fn state_of(conn: &impl ConnectionTrait, account: &account::Model) -> Result<AccountState, DbErr> {
    let adjustments = adjustments_of(conn, account.id).await?;
    Ok(AccountState {
        reference: account.reference.clone(),
        service: account.service.parse().map_err(DbErr::Custom)?,
        status: account.status.clone(),
        recovery_stage: account.recovery_stage.as_deref().and_then(|s| s.parse().ok()),
        vulnerable: account.vulnerable,
        adjustments: adjustments
            .into_iter()
            .map(|a| Adjustment { category: a.category, code: a.code, from: a.valid_from, to: a.valid_to })
            .collect(),
    })
}

async fn adjustments_of(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<account_adjustment::Model>, DbErr> {
    account_adjustment::Entity::find()
        .filter(account_adjustment::Column::AccountId.eq(account_id))
        .order_by_asc(account_adjustment::Column::ValidFrom)
        .order_by_asc(account_adjustment::Column::Id)
        .all(conn)
        .await
}

fn discounts(adjustments: &[account_adjustment::Model]) -> Value {
    adjustments
        .iter()
        .filter(|a| a.category == "discount")
        .map(|a| json!({ "discount": a.code, "from": a.valid_from, "to": a.valid_to }))
        .collect()
}

/// Applies a validated `change` to `account` and appends its history entry (who, when, which
/// work item, before and after). Run it in the transaction that completes the item.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip_all, fields(account = %account.reference, kind = %change.kind()))]
pub async fn apply(
    conn: &impl ConnectionTrait,
    account: &account::Model,
    change: &Change,
    actor: &str,
    work_item_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Applied, DbErr> {
    let (before, after) = match change {
        Change::Note(c) => (Value::Null, json!({ "note": c.text })),
        Change::DiscountGrant(c) => {
            let before = discounts(&adjustments_of(conn, account.id).await?);
            account_adjustment::Entity::insert(account_adjustment::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(account.id),
                category: Set("discount".to_owned()),
                code: Set(c.discount.as_str().to_owned()),
                valid_from: Set(c.from),
                valid_to: Set(c.to),
                details: Set(None),
                work_item_id: Set(work_item_id),
                created_at: Set(now),
            })
            .exec_without_returning(conn)
            .await?;
            (
                json!({ "discounts": before }),
                json!({ "discounts": discounts(&adjustments_of(conn, account.id).await?) }),
            )
        }
        Change::DiscountEnd(c) => {
            let all = adjustments_of(conn, account.id).await?;
            let before = discounts(&all);
            if let Some(running) = all.iter().find(|a| {
                a.category == "discount"
                    && a.code == c.discount.as_str()
                    && a.valid_from <= c.last_day
                    && a.valid_to.is_none_or(|t| t >= c.last_day)
            }) {
                account_adjustment::Entity::update_many()
                    .col_expr(account_adjustment::Column::ValidTo, Expr::value(c.last_day))
                    .filter(account_adjustment::Column::Id.eq(running.id))
                    .exec(conn)
                    .await?;
            }
            (
                json!({ "discounts": before }),
                json!({ "discounts": discounts(&adjustments_of(conn, account.id).await?) }),
            )
        }
        Change::VulnerabilityFlag(c) => {
            set_account(conn, account, account::Column::Vulnerable, c.vulnerable.into(), now).await?;
            (json!({ "vulnerable": account.vulnerable }), json!({ "vulnerable": c.vulnerable, "reason": c.reason }))
        }
        Change::RecoveryStage(c) => {
            let stage = c.stage.map(|s| s.as_str().to_owned());
            set_account(conn, account, account::Column::RecoveryStage, stage.clone().into(), now).await?;
            (json!({ "recovery_stage": account.recovery_stage }), json!({ "recovery_stage": stage }))
        }
        Change::Refund(c) | Change::WriteOff(c) => {
            (Value::Null, json!({ "amount_pence": c.amount_pence, "reason": c.reason }))
        }
    };
    let kind = change.kind().as_str().to_owned();
    account_history::Entity::insert(account_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        occurred_at: Set(now),
        actor: Set(actor.to_owned()),
        change_kind: Set(kind.clone()),
        before: Set((!before.is_null()).then(|| before.to_string())),
        after: Set(Some(after.to_string())),
        work_item_id: Set(work_item_id),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(Applied { account_id: account.id, account: account.reference.clone(), kind, before, after })
}

async fn set_account(
    conn: &impl ConnectionTrait,
    account: &account::Model,
    column: account::Column,
    value: sea_orm::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    account::Entity::update_many()
        .col_expr(column, Expr::value(value))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account.id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Takes `account` for changing in this transaction: bumps its version if it is still the one
/// read (on PostgreSQL this also locks the row until commit, so a concurrent completion waits and
/// then finds the version moved). Returns the account as it now is, or `None` when someone
/// changed it meanwhile.
///
/// # Errors
/// When the database fails.
pub async fn take(conn: &impl ConnectionTrait, account: &account::Model) -> Result<Option<account::Model>, DbErr> {
    let bumped = account::Entity::update_many()
        .col_expr(account::Column::Version, Expr::col(account::Column::Version).add(1))
        .filter(account::Column::Id.eq(account.id))
        .filter(account::Column::Version.eq(account.version))
        .exec(conn)
        .await?
        .rows_affected;
    if bumped == 0 {
        return Ok(None);
    }
    account::Entity::find_by_id(account.id).one(conn).await
}

/// An account's history, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn history(conn: &impl ConnectionTrait, account_id: Uuid) -> Result<Vec<account_history::Model>, DbErr> {
    account_history::Entity::find()
        .filter(account_history::Column::AccountId.eq(account_id))
        .order_by_asc(account_history::Column::OccurredAt)
        .order_by_asc(account_history::Column::Id)
        .all(conn)
        .await
}

/// An account's discounts, exemptions, premiums and reliefs, by start date.
///
/// # Errors
/// When the database fails.
pub async fn adjustments(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<account_adjustment::Model>, DbErr> {
    adjustments_of(conn, account_id).await
}

//! The revised bill a completion records (SI 1992/613 Sch 1 para 10; SI 1989/1058 Sch 1 para 6):
//! each account the changes touch is billed for the year containing the day before and after
//! them, and when the charge or the end of liability changed the account keeps the notice (and,
//! the first time, the bill as first issued), so its schedule is the first bill revised by each
//! notice in turn.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, EntityTrait};
use uuid::Uuid;

use postroom_accounts::{Bill, Change, Rates, bill::FinancialYear};
use postroom_db::{
    account_changes,
    bill_revisions::{self, BillChange},
    entities::account,
};
use postroom_domain::london_date;

use crate::CaseworkError;

/// The bills of the accounts `changes` touch before they are applied, by account id.
pub(super) struct Before {
    year: Option<FinancialYear>,
    bills: BTreeMap<Uuid, Option<Bill>>,
}

/// The account's bill for `year` as the database has it now; `None` when it cannot be worked
/// out (no band, no Band D configured, nobody liable in the year).
async fn bill_of(
    txn: &DatabaseTransaction,
    account_id: Uuid,
    year: FinancialYear,
    rates: &Rates,
) -> Result<Option<Bill>, CaseworkError> {
    let Some(account) = account::Entity::find_by_id(account_id).one(txn).await? else { return Ok(None) };
    let state = account_changes::state_of(txn, &account).await?;
    let authority = bill_revisions::billing_authority(txn, &account).await?;
    Ok(postroom_accounts::bill(&state, authority.as_deref(), year, None, rates).ok())
}

impl Before {
    /// Bills each account in `accounts` that one of `changes` touches.
    #[tracing::instrument(skip_all)]
    pub(super) async fn bill(
        txn: &DatabaseTransaction,
        changes: &[Change],
        accounts: impl Iterator<Item = &account::Model>,
        rates: &Rates,
        now: DateTime<Utc>,
    ) -> Result<Self, CaseworkError> {
        let year = FinancialYear::containing(london_date(now)).ok();
        let mut bills = BTreeMap::new();
        if let Some(year) = year {
            for account in accounts.filter(|a| changes.iter().any(|c| c.account() == a.reference)) {
                bills.insert(account.id, bill_of(txn, account.id, year, rates).await?);
            }
        }
        Ok(Self { year, bills })
    }

    /// Records the revised notice each account's changed bill needs, issued today.
    #[tracing::instrument(skip_all)]
    pub(super) async fn record_revisions(
        self,
        txn: &DatabaseTransaction,
        work_item_id: Uuid,
        rates: &Rates,
        now: DateTime<Utc>,
    ) -> Result<(), CaseworkError> {
        let Some(year) = self.year else { return Ok(()) };
        for (account_id, before) in self.bills {
            let after = bill_of(txn, account_id, year, rates).await?;
            let change = BillChange {
                year,
                before: before.as_ref(),
                after: after.as_ref(),
                on: london_date(now),
                work_item_id: Some(work_item_id),
            };
            if let Some(notice) = bill_revisions::record(txn, account_id, change, now).await? {
                tracing::info!(account = %account_id, notice = %notice.notice, "revised bill recorded");
            }
        }
        Ok(())
    }
}

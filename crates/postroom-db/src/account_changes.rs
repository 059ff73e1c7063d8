//! Applying typed account changes: the state a change is checked against, the change itself,
//! and the append-only history entry with the state before and after.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;

use postroom_accounts::{AccountState, Adjustment, Change, Mandate, PartyState, PropertyState};

use crate::entities::{account, account_adjustment, account_history, direct_debit_mandate, party, property};

/// What one applied change did, for the history and the `account.changed` event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    pub account_id: Uuid,
    pub account: String,
    pub kind: String,
    pub before: Value,
    pub after: Value,
}

/// The state of `account` that changes are checked against: its property, parties (oldest
/// first), adjustments (by start date), Direct Debit mandate and plan.
///
/// # Errors
/// When the database fails or a stored value is not one Postroom knows.
pub async fn state_of(conn: &impl ConnectionTrait, account: &account::Model) -> Result<AccountState, DbErr> {
    state_from(account, &Loaded::of(conn, account).await?)
}

fn state_from(account: &account::Model, loaded: &Loaded) -> Result<AccountState, DbErr> {
    let bad = |what: &str, e: String| DbErr::Custom(format!("account {}: stored {what}: {e}", account.reference));
    let property = match &loaded.property {
        None => PropertyState::default(),
        Some(p) => PropertyState {
            band: p.council_tax_band.as_deref().map(str::parse).transpose().map_err(|e| bad("band", format!("{e}")))?,
            rateable_value: p
                .rateable_value_pence
                .map(|pence| u32::try_from(pence / 100))
                .transpose()
                .map_err(|e| bad("rateable value", e.to_string()))?,
            retail_hospitality_leisure: p.retail_hospitality_leisure,
        },
    };
    let parties = loaded
        .parties
        .iter()
        .map(|p| {
            Ok(PartyState {
                name: p.name.clone(),
                role: p.party_role.clone(),
                liable_from: p.liable_from,
                liable_to: p.liable_to,
                email: p.email.clone(),
                phone: p.phone.clone(),
                postal_address: p.postal_address.clone(),
                preferred_channel: p
                    .preferred_channel
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|e| bad("channel", e))?,
                forwarding_address: p.forwarding_address.clone(),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    let mandate = match &loaded.mandate {
        None => None,
        Some(m) => Some(Mandate {
            reference: m.reference.clone(),
            payer_name: m.payer_name.clone(),
            sort_code: m.sort_code.clone(),
            account_number: m.account_number.clone(),
            collection_day: u32::try_from(m.collection_day).map_err(|e| bad("collection day", e.to_string()))?,
            status: m.status.parse().map_err(|e| bad("mandate status", e))?,
            lodge: m.lodge.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        }),
    };
    Ok(AccountState {
        reference: account.reference.clone(),
        service: account.service.parse().map_err(|e| bad("service", e))?,
        status: account.status.clone(),
        recovery_stage: account
            .recovery_stage
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| bad("recovery stage", e))?,
        vulnerable: account.vulnerable,
        adjustments: loaded
            .adjustments
            .iter()
            .map(|a| adjustment_state(a).map_err(|e| bad("details", e)))
            .collect::<Result<_, _>>()?,
        property,
        parties,
        mandate,
        instalments: u32::try_from(account.instalments).map_err(|e| bad("instalments", e.to_string()))?,
    })
}

fn adjustment_state(a: &account_adjustment::Model) -> Result<Adjustment, String> {
    let details = match a.details.as_deref() {
        None => Value::Null,
        Some(d) => serde_json::from_str(d).map_err(|e| format!("adjustment {}: {e}", a.id))?,
    };
    Ok(Adjustment { category: a.category.clone(), code: a.code.clone(), from: a.valid_from, to: a.valid_to, details })
}

/// The rows an account's state is made of, in the order the state lists them.
struct Loaded {
    property: Option<property::Model>,
    parties: Vec<party::Model>,
    adjustments: Vec<account_adjustment::Model>,
    mandate: Option<direct_debit_mandate::Model>,
}

impl Loaded {
    async fn of(conn: &impl ConnectionTrait, account: &account::Model) -> Result<Self, DbErr> {
        let property = match account.property_id {
            Some(id) => property::Entity::find_by_id(id).one(conn).await?,
            None => None,
        };
        let parties = party::Entity::find()
            .filter(party::Column::AccountId.eq(account.id))
            .order_by_asc(party::Column::CreatedAt)
            .order_by_asc(party::Column::Id)
            .all(conn)
            .await?;
        let mandate = direct_debit_mandate::Entity::find()
            .filter(direct_debit_mandate::Column::AccountId.eq(account.id))
            .one(conn)
            .await?;
        Ok(Self { property, parties, adjustments: adjustments_of(conn, account.id).await?, mandate })
    }
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

/// Who made a change: the officer, the team leader who approved it (four-eyes) and the work
/// item it was made on.
#[derive(Debug, Clone, Copy)]
pub struct ChangedBy<'a> {
    pub actor: &'a str,
    pub approved_by: Option<&'a str>,
    pub work_item_id: Option<Uuid>,
}

/// Applies a validated `change` to `account` and appends its history entry (who, who approved,
/// when, which work item, before and after). Run it in the transaction that completes the item.
///
/// The rules live in `postroom-accounts`: the change is projected onto the account's state and
/// what the projection changed is written back (it only appends parties and adjustments or
/// changes them in place, so they are matched by position).
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip_all, fields(account_id = %account.id, kind = %change.kind()))]
pub async fn apply(
    conn: &impl ConnectionTrait,
    account: &account::Model,
    change: &Change,
    by: ChangedBy<'_>,
    now: DateTime<Utc>,
) -> Result<Applied, DbErr> {
    let ChangedBy { actor, approved_by, work_item_id } = by;
    // Read again: an earlier change in the same completion may have moved the account's row.
    let account = &account::Entity::find_by_id(account.id)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("account {}", account.reference)))?;
    let loaded = Loaded::of(conn, account).await?;
    let before = state_from(account, &loaded)?;
    let mut after = before.clone();
    change.project(&mut after);
    let written = Written { conn, account, loaded: &loaded, work_item_id, now };
    written.account(&before, &after).await?;
    written.property(&before, &after).await?;
    let parties_changed = written.parties(&before, &after).await?;
    written.adjustments(&before, &after).await?;
    written.mandate(&before, &after).await?;
    written.share_valuations(&before, &after).await?;
    if parties_changed {
        crate::accounts::reindex(conn, account.id).await?;
    }
    let (shown_before, shown_after) = match (change, change.section()) {
        (Change::Note(c), _) => (Value::Null, json!({ "note": c.text })),
        (Change::Refund(c) | Change::WriteOff(c), _) => {
            (Value::Null, json!({ "amount_pence": c.amount_pence, "reason": c.reason }))
        }
        (_, section) => (before.show(section), after.show(section)),
    };
    let kind = change.kind().as_str().to_owned();
    account_history::Entity::insert(account_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        occurred_at: Set(now),
        actor: Set(actor.to_owned()),
        change_kind: Set(kind.clone()),
        before: Set((!shown_before.is_null()).then(|| shown_before.to_string())),
        after: Set(Some(shown_after.to_string())),
        work_item_id: Set(work_item_id),
        approved_by: Set(approved_by.map(str::to_owned)),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(Applied {
        account_id: account.id,
        account: account.reference.clone(),
        kind,
        before: shown_before,
        after: shown_after,
    })
}

/// Writes what a projection changed back to the rows it came from.
struct Written<'a, C> {
    conn: &'a C,
    account: &'a account::Model,
    loaded: &'a Loaded,
    work_item_id: Option<Uuid>,
    now: DateTime<Utc>,
}

impl<C: ConnectionTrait> Written<'_, C> {
    async fn account(&self, before: &AccountState, after: &AccountState) -> Result<(), DbErr> {
        if (&before.status, before.recovery_stage, before.vulnerable, before.instalments)
            == (&after.status, after.recovery_stage, after.vulnerable, after.instalments)
        {
            return Ok(());
        }
        account::Entity::update_many()
            .col_expr(account::Column::Status, Expr::value(after.status.clone()))
            .col_expr(account::Column::RecoveryStage, Expr::value(after.recovery_stage.map(|s| s.as_str().to_owned())))
            .col_expr(account::Column::Vulnerable, Expr::value(after.vulnerable))
            .col_expr(account::Column::Instalments, Expr::value(i32::try_from(after.instalments).unwrap_or(10)))
            .col_expr(account::Column::UpdatedAt, Expr::value(self.now))
            .filter(account::Column::Id.eq(self.account.id))
            .exec(self.conn)
            .await
            .map(|_| ())
    }

    async fn property(&self, before: &AccountState, after: &AccountState) -> Result<(), DbErr> {
        let Some(property) = &self.loaded.property else { return Ok(()) };
        if before.property == after.property {
            return Ok(());
        }
        let mut update = property::Entity::update_many().col_expr(property::Column::UpdatedAt, Expr::value(self.now));
        if before.property.band != after.property.band {
            update = update
                .col_expr(property::Column::CouncilTaxBand, Expr::value(after.property.band.map(|b| b.to_string())));
        }
        // Only a changed rateable value is written: the stored pence are kept otherwise.
        if before.property.rateable_value != after.property.rateable_value {
            update = update.col_expr(
                property::Column::RateableValuePence,
                Expr::value(after.property.rateable_value.map(|rv| i64::from(rv) * 100)),
            );
        }
        if before.property.retail_hospitality_leisure != after.property.retail_hospitality_leisure {
            update = update.col_expr(
                property::Column::RetailHospitalityLeisure,
                Expr::value(after.property.retail_hospitality_leisure),
            );
        }
        update.filter(property::Column::Id.eq(property.id)).exec(self.conn).await.map(|_| ())
    }

    /// Returns whether any party changed (names are search terms).
    async fn parties(&self, before: &AccountState, after: &AccountState) -> Result<bool, DbErr> {
        let mut changed = false;
        for (i, party) in after.parties.iter().enumerate() {
            if before.parties.get(i) == Some(party) {
                continue;
            }
            changed = true;
            let mut row = party::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(self.account.id),
                name: Set(party.name.clone()),
                party_role: Set(party.role.clone()),
                liable_from: Set(party.liable_from),
                liable_to: Set(party.liable_to),
                email: Set(party.email.clone()),
                phone: Set(party.phone.clone()),
                postal_address: Set(party.postal_address.clone()),
                created_at: Set(self.now),
                preferred_channel: Set(party.preferred_channel.map(|c| c.as_str().to_owned())),
                forwarding_address: Set(party.forwarding_address.clone()),
            };
            match self.loaded.parties.get(i) {
                Some(stored) => {
                    row.id = Set(stored.id);
                    row.created_at = Set(stored.created_at);
                    party::Entity::update(row).exec(self.conn).await?;
                }
                None => {
                    party::Entity::insert(row).exec_without_returning(self.conn).await?;
                }
            }
        }
        Ok(changed)
    }

    async fn adjustments(&self, before: &AccountState, after: &AccountState) -> Result<(), DbErr> {
        for (i, adjustment) in after.adjustments.iter().enumerate() {
            if before.adjustments.get(i) == Some(adjustment) {
                continue;
            }
            let details = (!adjustment.details.is_null()).then(|| adjustment.details.to_string());
            match self.loaded.adjustments.get(i) {
                Some(stored) => {
                    account_adjustment::Entity::update_many()
                        .col_expr(account_adjustment::Column::Code, Expr::value(adjustment.code.clone()))
                        .col_expr(account_adjustment::Column::ValidFrom, Expr::value(adjustment.from))
                        .col_expr(account_adjustment::Column::ValidTo, Expr::value(adjustment.to))
                        .col_expr(account_adjustment::Column::Details, Expr::value(details))
                        .filter(account_adjustment::Column::Id.eq(stored.id))
                        .exec(self.conn)
                        .await?;
                }
                None => {
                    account_adjustment::Entity::insert(account_adjustment::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        account_id: Set(self.account.id),
                        category: Set(adjustment.category.clone()),
                        code: Set(adjustment.code.clone()),
                        valid_from: Set(adjustment.from),
                        valid_to: Set(adjustment.to),
                        details: Set(details),
                        work_item_id: Set(self.work_item_id),
                        created_at: Set(self.now),
                    })
                    .exec_without_returning(self.conn)
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn mandate(&self, before: &AccountState, after: &AccountState) -> Result<(), DbErr> {
        let Some(mandate) = after.mandate.as_ref().filter(|m| before.mandate.as_ref() != Some(*m)) else {
            return Ok(());
        };
        let mut row = direct_debit_mandate::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(self.account.id),
            reference: Set(mandate.reference.clone()),
            payer_name: Set(mandate.payer_name.clone()),
            sort_code: Set(mandate.sort_code.clone()),
            account_number: Set(mandate.account_number.clone()),
            collection_day: Set(i32::try_from(mandate.collection_day).unwrap_or(1)),
            status: Set(mandate.status.as_str().to_owned()),
            lodge: Set(mandate.lodge.join(",")),
            created_at: Set(self.now),
            updated_at: Set(self.now),
        };
        match &self.loaded.mandate {
            Some(stored) => {
                row.id = Set(stored.id);
                row.created_at = Set(stored.created_at);
                direct_debit_mandate::Entity::update(row).exec(self.conn).await.map(|_| ())
            }
            None => direct_debit_mandate::Entity::insert(row).exec_without_returning(self.conn).await.map(|_| ()),
        }
    }
}

impl<C: ConnectionTrait> Written<'_, C> {
    /// A band or rateable value belongs to the property: a new valuation record on this account
    /// is recorded on every other account at the property too, so each of their charges splits
    /// on the same day.
    async fn share_valuations(&self, before: &AccountState, after: &AccountState) -> Result<(), DbErr> {
        let Some(property_id) = self.account.property_id else { return Ok(()) };
        let new: Vec<&Adjustment> = after
            .adjustments
            .iter()
            .skip(before.adjustments.len())
            .filter(|a| a.category == postroom_accounts::category::VALUATION)
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let others = account::Entity::find()
            .filter(account::Column::PropertyId.eq(property_id))
            .filter(account::Column::Id.ne(self.account.id))
            .all(self.conn)
            .await?;
        for other in &others {
            for valuation in &new {
                account_adjustment::Entity::insert(account_adjustment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    account_id: Set(other.id),
                    category: Set(valuation.category.clone()),
                    code: Set(valuation.code.clone()),
                    valid_from: Set(valuation.from),
                    valid_to: Set(valuation.to),
                    details: Set((!valuation.details.is_null()).then(|| valuation.details.to_string())),
                    work_item_id: Set(self.work_item_id),
                    created_at: Set(self.now),
                })
                .exec_without_returning(self.conn)
                .await?;
            }
        }
        Ok(())
    }
}

/// Whether another account's mandate already uses this Bacs reference with this bank account
/// (a reference must be unique per service user, sort code and account number).
///
/// # Errors
/// When the database fails.
pub async fn mandate_reference_taken(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    mandate: &Mandate,
) -> Result<bool, DbErr> {
    Ok(direct_debit_mandate::Entity::find()
        .filter(direct_debit_mandate::Column::SortCode.eq(mandate.sort_code.as_str()))
        .filter(direct_debit_mandate::Column::AccountNumber.eq(mandate.account_number.as_str()))
        .filter(direct_debit_mandate::Column::Reference.eq(mandate.reference.as_str()))
        .filter(direct_debit_mandate::Column::AccountId.ne(account_id))
        .one(conn)
        .await?
        .is_some())
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

//! `GET /api/v1/accounts?q=`, `GET /api/v1/accounts/{ref}`, `…/{ref}/charge` and
//! `…/{ref}/history`: the revenues accounts officers change, what they are charged, and what
//! was changed.

use axum::{Json, extract::State};
use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use postroom_accounts::{
    AccountState,
    bill::{BillSchedules, FinancialYear, schedules},
    category,
};
use postroom_db::{
    account_changes,
    accounts::{self, AccountRecord},
    bill_revisions,
    entities::account_adjustment,
    work_items,
};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiPath, ApiQuery, Caller},
    state::AppState,
};

mod charge;
mod views;

pub use charge::{ChargeDetail, ChargeLineView, ChargeQuery, ChargeSummary, InstalmentView, PeriodView, RevisionView};
pub use views::{
    AccountDetail, AccountHistoryEntry, AccountView, AdjustmentGroups, AdjustmentView, MandateView, OpenWorkItemView,
    PartyView, PropertyView,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_accounts))
        .routes(routes!(get_account))
        .routes(routes!(get_account_charge))
        .routes(routes!(get_account_history))
}

/// Longest search query, in characters (beyond its first words the rest is ignored anyway:
/// see [`accounts::MAX_QUERY_WORDS`]).
const MAX_QUERY_CHARS: usize = 200;

/// What to search for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// An account reference (or its first digits), a UPRN, a postcode, or part of a name or
    /// address: 2-200 characters; repeated words count once, and only the first 8 different
    /// words are searched for.
    pub q: String,
    /// At most this many (1-100, default 20).
    pub limit: Option<u64>,
}

/// Searches accounts by reference, UPRN, postcode, name or address. Any role.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery),
    responses((status = 200, body = Vec<AccountView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every search slot is taken, or the database cancelled the query",
            body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn search_accounts(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 100".to_owned()));
    }
    let length = q.q.trim().chars().count();
    if length < 2 {
        return Err(ApiError::BadRequest("q must have at least 2 characters".to_owned()));
    }
    if length > MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(format!("q must have at most {MAX_QUERY_CHARS} characters, not {length}")));
    }
    let _slot = state.search_slots.take().await?;
    let found = accounts::search(&state.db, &q.q, limit).await?;
    Ok(Json(found.into_iter().map(AccountView::from).collect()))
}

async fn find(conn: &impl ConnectionTrait, reference: &str) -> Result<AccountRecord, ApiError> {
    accounts::record(conn, reference)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no account has reference {reference}")))
}

/// An account with its property and parties, the state charges and changes work from, and its
/// adjustments as stored (with the work item that made each).
struct Loaded {
    record: AccountRecord,
    state: AccountState,
    adjustments: Vec<account_adjustment::Model>,
}

/// Reads everything about the account in one transaction, so the parts agree.
// An account reference is printed on bills and letters: only at DEBUG (README, Logging).
#[tracing::instrument(level = "debug", skip_all, fields(reference = %reference))]
async fn load_account(state: &AppState, reference: &str) -> Result<Loaded, ApiError> {
    let txn = state.db.begin().await?;
    let record = find(&txn, reference).await?;
    let account_state = account_changes::state_of(&txn, &record.account).await?;
    let adjustments = account_changes::adjustments(&txn, record.account.id).await?;
    txn.commit().await?;
    Ok(Loaded { record, state: account_state, adjustments })
}

pub(super) fn today() -> NaiveDate {
    postroom_domain::london_date(Utc::now())
}

impl Loaded {
    fn billing_authority(&self) -> Option<&str> {
        self.record.property.as_ref().and_then(|p| p.billing_authority.as_deref())
    }

    fn bill(
        &self,
        rates: &postroom_accounts::Rates,
        year: FinancialYear,
        issued: Option<NaiveDate>,
    ) -> Result<postroom_accounts::Bill, postroom_accounts::BillError> {
        postroom_accounts::bill(&self.state, self.billing_authority(), year, issued, rates)
    }

    /// The year's bill with its first schedule and each revision the account records; `issued`
    /// is the first bill's issue date while none is recorded, else the day of a revised notice
    /// for a charge changed since the last one (default today).
    async fn bill_with_schedules(
        &self,
        state: &AppState,
        year: FinancialYear,
        issued: Option<NaiveDate>,
    ) -> Result<Result<(postroom_accounts::Bill, BillSchedules), postroom_accounts::BillError>, ApiError> {
        let notices = bill_revisions::notices(&state.db, self.record.account.id, year).await?;
        let first_issued = if notices.is_empty() { issued } else { None };
        Ok(self.bill(&state.rates, year, first_issued).and_then(|bill| {
            let on = issued.unwrap_or_else(today);
            let shown = schedules(&self.state, &bill, &notices, on, &state.calendar)?;
            Ok((bill, shown))
        }))
    }
}

fn group(adjustments: Vec<account_adjustment::Model>) -> AdjustmentGroups {
    let mut groups = AdjustmentGroups::default();
    for a in adjustments {
        let list = match a.category.as_str() {
            category::DISCOUNT => &mut groups.discounts,
            category::EXEMPTION => &mut groups.exemptions,
            category::PREMIUM => &mut groups.premiums,
            category::PREMIUM_EXCEPTION => &mut groups.premium_exceptions,
            category::RELIEF => &mut groups.reliefs,
            category::DISABLED_BAND_REDUCTION => &mut groups.disabled_band_reduction,
            category::RECOVERY_HOLD => &mut groups.recovery_holds,
            category::RECOVERY_NOTICE => &mut groups.recovery_notices,
            category::ARRANGEMENT => &mut groups.arrangements,
            category::THIRD_PARTY_AUTHORITY => &mut groups.third_party_authorities,
            category::VALUATION => &mut groups.valuations,
            other => {
                tracing::warn!(category = other, "an adjustment of an unknown category is not shown");
                continue;
            }
        };
        list.push(AdjustmentView {
            code: a.code,
            from: a.valid_from,
            to: a.valid_to,
            details: a.details.as_deref().and_then(|d| serde_json::from_str(d).ok()),
            work_item_id: a.work_item_id,
        });
    }
    groups
}

/// One account with its property, parties (contact details, preferred channel, forwarding
/// address), adjustments by kind, Direct Debit (account number masked), instalment plan,
/// recovery stage, vulnerability flag, this financial year's charge and instalments (or why it
/// cannot be computed), and its open work items. Any role.
#[utoipa::path(get, path = "/api/v1/accounts/{reference}", tag = "accounts",
    params(("reference" = String, Path, description = "Account reference")),
    responses((status = 200, body = AccountDetail),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_account(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<AccountDetail>, ApiError> {
    let loaded = load_account(&state, &reference).await?;
    let billed = match FinancialYear::containing(today()) {
        Ok(year) => loaded.bill_with_schedules(&state, year, None).await?.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let (charge, charge_error) = match billed {
        Ok((bill, shown)) => (Some(ChargeSummary::of(&bill, &shown)), None),
        Err(e) => (None, Some(e)),
    };
    let billing_authority = loaded.billing_authority().unwrap_or(&state.rates.council).to_owned();
    let open = work_items::open_for_account(&state.db, loaded.record.account.id).await?;
    let Loaded { record, state: account, adjustments } = loaded;
    Ok(Json(AccountDetail {
        account: record.into(),
        billing_authority,
        adjustments: group(adjustments),
        direct_debit: account.mandate.map(|m| MandateView {
            account_number: m.masked_account_number(),
            reference: m.reference,
            payer_name: m.payer_name,
            sort_code: m.sort_code,
            collection_day: m.collection_day,
            status: m.status,
            lodge: m.lodge,
        }),
        instalments: account.instalments,
        charge,
        charge_error,
        open_work_items: OpenWorkItemView::of(open)?,
    }))
}

/// A financial year's charge for an account: the liable days, one line per run of days with
/// the same band or rateable value, discounts, exemptions, premiums and reliefs, the total, and
/// the statutory instalment schedule. 422 names why an account cannot be charged (no band, no
/// Band D configured for the council and year, …). Any role.
#[utoipa::path(get, path = "/api/v1/accounts/{reference}/charge", tag = "accounts",
    params(("reference" = String, Path, description = "Account reference"), ChargeQuery),
    responses((status = 200, body = ChargeDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_account_charge(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChargeQuery>,
) -> Result<Json<ChargeDetail>, ApiError> {
    let loaded = load_account(&state, &reference).await?;
    let (year, issued) = query.parse(today())?;
    let (bill, shown) =
        loaded.bill_with_schedules(&state, year, issued).await?.map_err(|e| charge::not_chargeable(&reference, &e))?;
    Ok(Json(ChargeDetail::of(&loaded.record.account.reference, &bill, &shown)))
}

/// Every change to an account, oldest first, with the state before and after. Any role.
#[utoipa::path(get, path = "/api/v1/accounts/{reference}/history", tag = "accounts",
    params(("reference" = String, Path, description = "Account reference")),
    responses((status = 200, body = Vec<AccountHistoryEntry>),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_account_history(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<Vec<AccountHistoryEntry>>, ApiError> {
    let record = find(&state.db, &reference).await?;
    let history = account_changes::history(&state.db, record.account.id).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|h| AccountHistoryEntry {
                occurred_at: h.occurred_at,
                actor: h.actor,
                kind: h.change_kind,
                before: h.before.as_deref().and_then(|b| serde_json::from_str(b).ok()),
                after: h.after.as_deref().and_then(|a| serde_json::from_str(a).ok()),
                work_item_id: h.work_item_id,
                approved_by: h.approved_by,
            })
            .collect(),
    ))
}

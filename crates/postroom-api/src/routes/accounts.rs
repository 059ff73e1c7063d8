//! `GET /api/v1/accounts?q=`, `GET /api/v1/accounts/{ref}`, `…/{ref}/charge` and
//! `…/{ref}/history`: the revenues accounts officers change, what they are charged, and what
//! was changed.

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_accounts::{AccountState, MandateStatus, bill::FinancialYear, category};
use postroom_db::{
    account_changes,
    accounts::{self, AccountRecord},
    entities::account_adjustment,
    work_items,
};
use postroom_domain::{Priority, WorkItemStatus};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiPath, ApiQuery, Caller},
    routes::views::WorkItemView,
    state::AppState,
};

mod charge;

pub use charge::{ChargeDetail, ChargeLineView, ChargeQuery, ChargeSummary, InstalmentView, PeriodView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_accounts))
        .routes(routes!(get_account))
        .routes(routes!(get_account_charge))
        .routes(routes!(get_account_history))
}

/// What to search for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// An account reference (or its first digits), a UPRN, a postcode, or part of a name or
    /// address.
    pub q: String,
    /// At most this many (1-100, default 20).
    pub limit: Option<u64>,
}

/// A liable party (or other person connected with the account).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    pub name: String,
    pub role: String,
    pub liable_from: Option<NaiveDate>,
    pub liable_to: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    /// `email`, `post` or `phone`.
    pub preferred_channel: Option<String>,
    /// Where to write after they moved out.
    pub forwarding_address: Option<String>,
}

/// The property an account is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct PropertyView {
    pub uprn: Option<i64>,
    pub address: String,
    pub postcode: Option<String>,
    /// Council Tax band, A–H.
    pub council_tax_band: Option<String>,
    /// Business Rates rateable value, whole pounds.
    pub rateable_value: Option<i64>,
    /// Qualifying retail, hospitality or leisure use (Business Rates).
    pub retail_hospitality_leisure: bool,
    /// The council that bills it; absent means the configured default council.
    pub billing_authority: Option<String>,
}

/// An account as search lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub reference: String,
    /// `council_tax` or `business_rates`.
    pub service: String,
    pub status: String,
    pub property: Option<PropertyView>,
    pub parties: Vec<PartyView>,
    pub recovery_stage: Option<String>,
    pub vulnerable: bool,
    /// Moves on with every change (completions on the same account are serialised by it).
    pub version: i32,
}

/// A discount, exemption, premium, relief, hold, arrangement, authority or valuation with its
/// period.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentView {
    /// What it is within its group, e.g. `single_person`, `F`, `small_business`, `band:C`.
    pub code: String,
    pub from: NaiveDate,
    /// Last day it applies; open-ended when absent.
    pub to: Option<NaiveDate>,
    /// What else it records, e.g. a premium's `empty_since`, an arrangement's amount, a
    /// valuation's `previous` value.
    pub details: Option<serde_json::Value>,
    /// The work item that granted it.
    pub work_item_id: Option<Uuid>,
}

/// An account's adjustments by kind, each by start date.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AdjustmentGroups {
    pub discounts: Vec<AdjustmentView>,
    pub exemptions: Vec<AdjustmentView>,
    pub premiums: Vec<AdjustmentView>,
    pub reliefs: Vec<AdjustmentView>,
    pub disabled_band_reduction: Vec<AdjustmentView>,
    pub recovery_holds: Vec<AdjustmentView>,
    pub arrangements: Vec<AdjustmentView>,
    pub third_party_authorities: Vec<AdjustmentView>,
    /// Band or rateable value changes from their effective dates.
    pub valuations: Vec<AdjustmentView>,
}

/// The account's Direct Debit instruction. The bank account number is always masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct MandateView {
    /// The DDI core reference.
    pub reference: String,
    pub payer_name: String,
    pub sort_code: String,
    /// All but the last two digits hidden, e.g. `******11`.
    pub account_number: String,
    pub collection_day: u32,
    pub status: MandateStatus,
    /// AUDDIS instructions still to lodge (`0N`, `0C`).
    pub lodge: Vec<String>,
}

/// An account with everything on it and this financial year's charge.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDetail {
    #[serde(flatten)]
    pub account: AccountView,
    /// The council that bills the property (its own, or the configured default).
    pub billing_authority: String,
    pub adjustments: AdjustmentGroups,
    pub direct_debit: Option<MandateView>,
    /// 10 or 12 monthly instalments.
    pub instalments: u32,
    /// This financial year's charge and instalments, when it can be computed.
    pub charge: Option<ChargeSummary>,
    /// Why this year's charge cannot be computed (e.g. Band D not configured), when it cannot.
    pub charge_error: Option<String>,
    /// The account's open work items, most urgent first (so a customer who phones is matched
    /// to their work).
    pub open_work_items: Vec<OpenWorkItemView>,
}

/// An open work item concerning an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenWorkItemView {
    pub id: Uuid,
    /// Human reference, e.g. `WI-2026-000042`.
    pub reference: String,
    pub workflow: String,
    pub status: WorkItemStatus,
    pub priority: Priority,
    pub due_on: NaiveDate,
    /// Open, not paused for the customer, and the due date has passed.
    pub overdue: bool,
    /// Who holds the claim (or held it, while awaiting the customer or approval).
    pub assignee: Option<String>,
}

impl OpenWorkItemView {
    fn of(items: Vec<postroom_db::entities::work_item::Model>) -> Result<Vec<Self>, ApiError> {
        items
            .into_iter()
            .map(|m| {
                let v = WorkItemView::from_model(m, today())?;
                Ok(Self {
                    id: v.id,
                    reference: v.reference,
                    workflow: v.workflow,
                    status: v.status,
                    priority: v.priority,
                    due_on: v.due_on,
                    overdue: v.overdue,
                    assignee: v.assignee,
                })
            })
            .collect()
    }
}

/// One entry of an account's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountHistoryEntry {
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    /// The affected state before (absent when the change added something new).
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub work_item_id: Option<Uuid>,
    /// The team leader who approved the change, when it needed four-eyes approval.
    pub approved_by: Option<String>,
}

impl From<AccountRecord> for AccountView {
    fn from(r: AccountRecord) -> Self {
        Self {
            reference: r.account.reference,
            service: r.account.service,
            status: r.account.status,
            property: r.property.map(|p| PropertyView {
                uprn: p.uprn,
                address: p.address,
                postcode: p.postcode,
                council_tax_band: p.council_tax_band,
                rateable_value: p.rateable_value_pence.map(|pence| pence / 100),
                retail_hospitality_leisure: p.retail_hospitality_leisure,
                billing_authority: p.billing_authority,
            }),
            parties: r
                .parties
                .into_iter()
                .map(|p| PartyView {
                    name: p.name,
                    role: p.party_role,
                    liable_from: p.liable_from,
                    liable_to: p.liable_to,
                    email: p.email,
                    phone: p.phone,
                    postal_address: p.postal_address,
                    preferred_channel: p.preferred_channel,
                    forwarding_address: p.forwarding_address,
                })
                .collect(),
            recovery_stage: r.account.recovery_stage,
            vulnerable: r.account.vulnerable,
            version: r.account.version,
        }
    }
}

/// Searches accounts by reference, UPRN, postcode, name or address. Any role.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery),
    responses((status = 200, body = Vec<AccountView>),
        (status = 400, body = Problem, content_type = "application/problem+json")),
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
    if q.q.trim().chars().count() < 2 {
        return Err(ApiError::BadRequest("q must have at least 2 characters".to_owned()));
    }
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
#[tracing::instrument(skip_all, fields(reference = %reference))]
async fn load_account(state: &AppState, reference: &str) -> Result<Loaded, ApiError> {
    let txn = state.db.begin().await?;
    let record = find(&txn, reference).await?;
    let account_state = account_changes::state_of(&txn, &record.account).await?;
    let adjustments = account_changes::adjustments(&txn, record.account.id).await?;
    txn.commit().await?;
    Ok(Loaded { record, state: account_state, adjustments })
}

fn today() -> NaiveDate {
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
}

fn group(adjustments: Vec<account_adjustment::Model>) -> AdjustmentGroups {
    let mut groups = AdjustmentGroups::default();
    for a in adjustments {
        let list = match a.category.as_str() {
            category::DISCOUNT => &mut groups.discounts,
            category::EXEMPTION => &mut groups.exemptions,
            category::PREMIUM => &mut groups.premiums,
            category::RELIEF => &mut groups.reliefs,
            category::DISABLED_BAND_REDUCTION => &mut groups.disabled_band_reduction,
            category::RECOVERY_HOLD => &mut groups.recovery_holds,
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
    let (charge, charge_error) = match FinancialYear::containing(today())
        .map_err(|e| e.to_string())
        .and_then(|year| loaded.bill(&state.rates, year, None).map_err(|e| e.to_string()))
    {
        Ok(bill) => (Some(ChargeSummary::from(&bill)), None),
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
    let bill = loaded.bill(&state.rates, year, issued).map_err(|e| charge::not_chargeable(&reference, &e))?;
    Ok(Json(ChargeDetail::of(&loaded.record.account.reference, &bill)))
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

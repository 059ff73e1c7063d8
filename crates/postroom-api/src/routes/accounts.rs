//! `GET /api/v1/accounts?q=`, `GET /api/v1/accounts/{ref}` and `…/{ref}/history`: the revenues
//! accounts officers change, and what was changed.

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_db::{
    account_changes,
    accounts::{self, AccountRecord},
};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiPath, ApiQuery, Caller},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_accounts))
        .routes(routes!(get_account))
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
}

/// The property an account is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct PropertyView {
    pub uprn: Option<i64>,
    pub address: String,
    pub postcode: Option<String>,
    pub council_tax_band: Option<String>,
    pub rateable_value_pence: Option<i64>,
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

/// A discount, exemption, premium or relief with its period.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentView {
    pub category: String,
    pub code: String,
    pub from: NaiveDate,
    /// Last day it applies; open-ended when absent.
    pub to: Option<NaiveDate>,
    /// The work item that granted it.
    pub work_item_id: Option<Uuid>,
}

/// An account with its discounts and reliefs.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDetail {
    #[serde(flatten)]
    pub account: AccountView,
    pub adjustments: Vec<AdjustmentView>,
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
                rateable_value_pence: p.rateable_value_pence,
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

async fn find(state: &AppState, reference: &str) -> Result<AccountRecord, ApiError> {
    accounts::record(&state.db, reference)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no account has reference {reference}")))
}

/// One account with its property, parties, recovery and discounts. Any role.
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
    let record = find(&state, &reference).await?;
    let adjustments = account_changes::adjustments(&state.db, record.account.id).await?;
    Ok(Json(AccountDetail {
        account: record.into(),
        adjustments: adjustments
            .into_iter()
            .map(|a| AdjustmentView {
                category: a.category,
                code: a.code,
                from: a.valid_from,
                to: a.valid_to,
                work_item_id: a.work_item_id,
            })
            .collect(),
    }))
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
    let record = find(&state, &reference).await?;
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
            })
            .collect(),
    ))
}

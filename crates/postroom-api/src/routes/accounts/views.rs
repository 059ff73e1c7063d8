//! What the accounts endpoints answer: an account, its parties, property, adjustments, mandate,
//! open work and history entries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use postroom_accounts::MandateStatus;
use postroom_db::accounts::AccountRecord;
use postroom_domain::{Priority, WorkItemStatus};

use super::{ChargeSummary, today};
use crate::{error::ApiError, routes::views::WorkItemView};

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
    /// Premium exceptions (SI 2024/1007; code: the class letter E–M).
    pub premium_exceptions: Vec<AdjustmentView>,
    pub reliefs: Vec<AdjustmentView>,
    pub disabled_band_reduction: Vec<AdjustmentView>,
    pub recovery_holds: Vec<AdjustmentView>,
    /// Recovery steps taken (code: the stage; from: the day the notice was issued, the summons
    /// served or the order made).
    pub recovery_notices: Vec<AdjustmentView>,
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
    pub(super) fn of(items: Vec<postroom_db::entities::work_item::Model>) -> Result<Vec<Self>, ApiError> {
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

//! How a bill is shown: the year's charge line by line, its total and its instalments (all
//! amounts in pence), and the parsing of the `year` and `issued` a caller asks for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use postroom_accounts::{
    Bill, BillError, Service,
    bill::{BillSchedules, FinancialYear, Instalment, InstalmentPlan, Pence, ShownRevision},
};

use crate::error::{ApiError, FieldError};

/// Which year's charge, and (for a revised bill) when it is issued.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChargeQuery {
    /// Financial year, e.g. `2026/27` (default: the year containing today, Europe/London).
    pub year: Option<String>,
    /// Day the bill is issued, `YYYY-MM-DD`. While the account records no bill for the year,
    /// the first bill's issue date (default: 1 March before the year, or the first liable day
    /// when liability starts later), which sets how many instalments the year allows. Once it
    /// does, the day of a revised notice for a charge that differs from the last recorded one
    /// (default: today).
    pub issued: Option<String>,
}

impl ChargeQuery {
    /// The year and issue date asked for, `today` deciding the default year.
    ///
    /// # Errors
    /// 422 naming `year` or `issued` when either is not valid.
    pub fn parse(&self, today: NaiveDate) -> Result<(FinancialYear, Option<NaiveDate>), ApiError> {
        let mut errors = Vec::new();
        let year = match self.year.as_deref().map(FinancialYear::parse) {
            None => FinancialYear::containing(today).map_err(|e| e.to_string()),
            Some(parsed) => parsed.map_err(|e| e.to_string()),
        }
        .map_err(|message| errors.push(FieldError { field: "year".to_owned(), message }));
        let issued = self
            .issued
            .as_deref()
            .map(|s| s.trim().parse::<NaiveDate>())
            .transpose()
            .map_err(|_| FieldError { field: "issued".to_owned(), message: "expected a date, YYYY-MM-DD".to_owned() })
            .map_err(|e| errors.push(e));
        match (year, issued) {
            (Ok(year), Ok(issued)) => Ok((year, issued)),
            _ => Err(ApiError::Unprocessable { detail: "the year or issue date is not valid".to_owned(), errors }),
        }
    }
}

/// One run of days charged at one rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeLineView {
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    pub days: i64,
    /// What applies, e.g. `Band D; single person discount 25%`.
    pub description: String,
    /// The full-year equivalent of the line's rate, rounded to the penny (display only).
    pub annual_rate_pence: i64,
    /// The rate per day, rounded to the penny (display only).
    pub daily_rate_pence: i64,
    /// The charge for these days (exact, rounded once).
    pub amount_pence: i64,
}

/// One instalment.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstalmentView {
    pub number: u32,
    pub due: NaiveDate,
    pub amount_pence: i64,
}

/// A run of days the account is liable.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The year's charge as the account view shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeSummary {
    /// e.g. `2026/27`.
    pub year: String,
    pub total_pence: i64,
    /// The schedule as it stands: the first bill's, revised by each notice.
    pub instalments: Vec<InstalmentView>,
    /// Reliefs the charge is before (see [`ChargeDetail::not_included`]).
    pub not_included: Vec<String>,
}

/// A revised or final notice and the schedule it demands (SI 1992/613 Sch 1 para 10; SI
/// 1989/1058 Sch 1 para 6).
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// The day it was (or would be) issued.
    pub notice: NaiveDate,
    /// The year's charge it demands.
    pub total_pence: i64,
    /// For a final bill, the last day of liability.
    pub liability_ended: Option<NaiveDate>,
    /// False for the notice a charge changed outside a completion needs, not yet recorded.
    pub recorded: bool,
    /// `{"outcome": "unchanged" | "spread" | "single_sum" | "settled" | "overpaid", …}`.
    pub outcome: serde_json::Value,
    /// How many of its first instalments stand as the schedule before it had them.
    pub standing: u32,
    /// What had fallen due by the notice.
    pub fallen_due_pence: i64,
    /// Overpaid, to refund or credit.
    pub credit_pence: i64,
    pub instalments: Vec<InstalmentView>,
}

/// A year's charge with its breakdown and instalment schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeDetail {
    pub reference: String,
    /// e.g. `2026/27`.
    pub year: String,
    pub service: Service,
    /// The council that bills the property.
    pub billing_authority: String,
    /// Band D for the year (Council Tax).
    pub band_d_pence: Option<i64>,
    /// The days charged: liable parties' days within the year.
    pub liability: Vec<PeriodView>,
    /// One line per run of days with the same band or value, discounts, exemptions, premiums
    /// and reliefs.
    pub lines: Vec<ChargeLineView>,
    /// The sum of the lines.
    pub total_pence: i64,
    /// The day the bill is taken as issued.
    pub issued: NaiveDate,
    /// `ten_monthly` or `twelve_monthly`.
    pub plan: String,
    /// Day of the month instalments fall due (the Direct Debit's, or the configured default).
    pub collection_day: u32,
    /// What set the number of instalments, e.g. `{"rule": "full_plan"}` or
    /// `{"rule": "remaining_months", "whole_months_remaining": 9}`.
    pub count_rule: serde_json::Value,
    /// True when fewer instalments keep each at or above the minimum (£5 / £50).
    pub reduced_for_minimum: bool,
    /// The schedule as it stands: `original_instalments` revised by each of `revisions`.
    pub instalments: Vec<InstalmentView>,
    /// The schedule as first billed (the bill the account records, else this one).
    pub original_instalments: Vec<InstalmentView>,
    /// Each revised or final notice since, oldest first.
    pub revisions: Vec<RevisionView>,
    /// Reliefs this charge is before because their rules are not modelled (Business Rates from
    /// 2026/27: `2026 transitional relief`, `supporting small business relief`).
    pub not_included: Vec<String>,
    /// What the officer should know of how it was worked out, e.g. an empty spell that continues
    /// an earlier one's relief window (less than 13 weeks' occupation, SI 2024/323).
    pub notes: Vec<String>,
}

fn instalments(instalments: &[Instalment]) -> Vec<InstalmentView> {
    instalments
        .iter()
        .map(|i| InstalmentView { number: i.number, due: i.due, amount_pence: i.amount.pence() })
        .collect()
}

impl From<&ShownRevision> for RevisionView {
    fn from(r: &ShownRevision) -> Self {
        let s = &r.schedule;
        Self {
            notice: s.revision.notice,
            total_pence: s.revision.revised_total.pence(),
            liability_ended: s.revision.liability_ended,
            recorded: r.recorded,
            outcome: serde_json::to_value(s.outcome).unwrap_or(serde_json::Value::Null),
            standing: s.standing,
            fallen_due_pence: s.fallen_due.pence(),
            credit_pence: s.credit.pence(),
            instalments: instalments(&s.instalments),
        }
    }
}

impl ChargeSummary {
    /// `bill`'s charge with its schedule as it stands.
    #[must_use]
    pub fn of(bill: &Bill, schedules: &BillSchedules) -> Self {
        Self {
            year: bill.year.to_string(),
            total_pence: bill.charge.total.pence(),
            instalments: instalments(schedules.instalments()),
            not_included: bill.not_included.clone(),
        }
    }
}

impl ChargeDetail {
    /// The bill for account `reference` with its schedules, as the charge endpoint shows it.
    #[must_use]
    pub fn of(reference: &str, bill: &Bill, schedules: &BillSchedules) -> Self {
        Self {
            reference: reference.to_owned(),
            year: bill.year.to_string(),
            service: bill.service,
            billing_authority: bill.billing_authority.clone(),
            band_d_pence: bill.band_d.map(Pence::pence),
            liability: bill.liability.iter().map(|p| PeriodView { from: p.from(), to: p.to() }).collect(),
            lines: bill
                .charge
                .lines
                .iter()
                .map(|l| ChargeLineView {
                    from: l.from,
                    to: l.to,
                    days: l.days,
                    description: l.description.clone(),
                    annual_rate_pence: l.annual_rate.pence(),
                    daily_rate_pence: l.daily_rate.pence(),
                    amount_pence: l.amount.pence(),
                })
                .collect(),
            total_pence: bill.charge.total.pence(),
            issued: schedules.issued,
            plan: match bill.plan {
                InstalmentPlan::TenMonthly => "ten_monthly",
                InstalmentPlan::TwelveMonthly => "twelve_monthly",
            }
            .to_owned(),
            collection_day: bill.collection_day,
            count_rule: serde_json::to_value(schedules.original.count_rule).unwrap_or(serde_json::Value::Null),
            reduced_for_minimum: schedules.original.reduced_for_minimum,
            instalments: instalments(schedules.instalments()),
            original_instalments: instalments(&schedules.original.instalments),
            revisions: schedules.revisions.iter().map(RevisionView::from).collect(),
            not_included: bill.not_included.clone(),
            notes: bill.notes.clone(),
        }
    }
}

/// 422 saying why the account cannot be charged.
#[must_use]
pub fn not_chargeable(reference: &str, e: &BillError) -> ApiError {
    ApiError::unprocessable(format!("account {reference} cannot be charged: {e}"))
}

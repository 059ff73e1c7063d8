//! A year's bill for an account: the Council Tax or Business Rates charge (`domain.md` §1.2, §3)
//! and its instalments (§2.1, §3.3), worked out from the account's state and the rates councils
//! and government set (configuration). No I/O: the caller loads the state and the rates.
//!
//! How the account becomes the engine's input (`postroom-charges`):
//! - **Liability**: the union of the days its liable parties (role `liable` or `joint`) are
//!   liable, clipped to the year; a party without dates is liable for the whole year, and so is
//!   an account with no liable party. Separate runs of liable days are charged separately.
//! - **Valuation**: the band (or rateable value) on a day is that of the latest `valuation`
//!   adjustment starting on or before it (`band:C`, `rv:13500`); before the first, that
//!   adjustment's `details.previous`; with none, the property's. A change within the year
//!   splits the charge, each part computed on its own value.
//! - **Council Tax**: discounts `single_person`, `all_disregarded`, `class_c`, `class_d` (the
//!   council's percentages for the year); exemptions (code = class letter); premiums
//!   (`long_term_empty`, `second_home`); the disabled band reduction.
//! - **Business Rates**: reliefs `small_business`, `charitable` (mandatory 80%) and
//!   `empty_property` (3 months from `details.empty_since` or the relief's first day; 6 with
//!   `details.qualifying_industrial`; none while `details.exemption` holds, SI 2008/386 reg 4;
//!   a spell that starts less than 13 weeks after the account's previous spell ended, 6 weeks
//!   for a reoccupation before 1 April 2024, counts from that spell's start, SI 2024/323, and
//!   the bill's notes say so); the property's retail/hospitality/leisure flag, which also gives
//!   the year's RHL relief (2025/26: 40%) capped at the scheme's cash cap less the
//!   `rhl_received_elsewhere` amounts recorded for the year. A charge for a year whose reliefs
//!   are not all modelled (2026/27 on) lists them in `not_included`.
//! - Adjustments of the other service, recovery holds, arrangements and third-party authorities
//!   do not change a charge.
//!
//! Premiums: a `second_home` premium is charged at `details.percent` when given, else the
//! council's `second_home` percentage. A `long_term_empty` premium's tier follows from
//! `details.empty_since` on each day (none in the first year empty, the 1-year tier to 5 years,
//! the 5-year tier to 10, then the 10-year tier); without it, from `details.percent` (the lowest
//! tier whose maximum allows it), else the 1-year tier. Its percentage is `details.percent`
//! when given, else the council's for the tier. A premium of 0% is not charged. No premium is
//! charged on a day a premium exception (SI 2024/1007, classes E–M, from 1 April 2025) takes it
//! off: E–I both premiums, J–L the second-home premium, M the long-term empty premium. A class
//! F exemption with `details.probate_granted_on` ends the day before six months from the grant
//! (SI 1992/558).
//!
//! **Instalments**: 12 when the account has asked for 12, else 10; on the Direct Debit's
//! collection day unless the mandate is cancelled or rejected, else the configured day. The
//! bill is taken as issued on the annual billing date (1 March before the year) or, when
//! liability starts later, on the first liable day: the statutory count then follows from
//! [`postroom_charges::instalment_schedule`] (10 for a whole year, fewer for a later start,
//! one sum after 31 December). A caller may give another issue date. A bill revised after its
//! charge changed keeps the first bill's schedule and revises it ([`schedules`]).

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use postroom_charges::{
    Band, BandRounding, BusinessRatesError, ChargeBreakdown, ChargeLine, CouncilTaxError, CountRule, FinancialYear,
    Instalment, InstalmentPlan, Multiplier, Multipliers, ParseMoneyError, Pence, Percent, RevisedSchedule, Revision,
    RevisionOutcome, RhlRelief, RhlReliefs, Schedule, ScheduleError, YearError, YearMultipliers,
};
use postroom_charges::{DatePeriod, FirstInstalment, PremiumKind, ScheduleRequest, instalment_schedule};

use crate::state::{AccountState, MandateStatus, Service};

mod exceptions;
mod inputs;
mod revisions;

use inputs::{CouncilTaxParts, business_rates, council_tax};
pub use revisions::{BillSchedules, Notice, ShownRevision, liability_ended, revision_of, schedules};

/// Percentages a council sets for a year (`domain.md` §1.5). Each is optional: a charge that
/// needs one that is not set fails naming it, rather than assuming a figure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalRates {
    /// Prescribed class C (unoccupied, substantially unfurnished) discount, 0–100%.
    pub class_c_discount: Option<Percent>,
    /// Prescribed class D (major repair, at most 12 months) discount, 0–100%.
    pub class_d_discount: Option<Percent>,
    /// Long-term empty premium, empty 1 to 5 years: at most 100%.
    pub long_term_empty_1_year: Option<Percent>,
    /// Long-term empty premium, empty 5 to 10 years: at most 200%.
    pub long_term_empty_5_years: Option<Percent>,
    /// Long-term empty premium, empty 10 years or more: at most 300%.
    pub long_term_empty_10_years: Option<Percent>,
    /// Second homes premium (from 2025/26 at the earliest): at most 100%.
    pub second_home: Option<Percent>,
}

impl LocalRates {
    /// The name of each percentage with its value and the most it may be.
    fn entries(&self) -> [(&'static str, Option<Percent>, Percent); 6] {
        [
            ("class_c_discount", self.class_c_discount, Percent::HUNDRED),
            ("class_d_discount", self.class_d_discount, Percent::HUNDRED),
            ("long_term_empty_1_year", self.long_term_empty_1_year, PremiumKind::LongTermEmpty1Year.max_percent()),
            ("long_term_empty_5_years", self.long_term_empty_5_years, PremiumKind::LongTermEmpty5Years.max_percent()),
            (
                "long_term_empty_10_years",
                self.long_term_empty_10_years,
                PremiumKind::LongTermEmpty10Years.max_percent(),
            ),
            ("second_home", self.second_home, PremiumKind::SecondHome.max_percent()),
        ]
    }

    /// What is wrong with these percentages: each one above its legal maximum, named.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        self.entries()
            .into_iter()
            .filter_map(|(key, value, max)| {
                value.filter(|v| *v > max).map(|v| format!("{key} = {v} is more than the maximum {max}"))
            })
            .collect()
    }

    fn premium(&self, kind: PremiumKind) -> (Option<Percent>, &'static str) {
        match kind {
            PremiumKind::LongTermEmpty1Year => (self.long_term_empty_1_year, "long_term_empty_1_year"),
            PremiumKind::LongTermEmpty5Years => (self.long_term_empty_5_years, "long_term_empty_5_years"),
            PremiumKind::LongTermEmpty10Years => (self.long_term_empty_10_years, "long_term_empty_10_years"),
            PremiumKind::SecondHome => (self.second_home, "second_home"),
        }
    }
}

/// The figures charges are computed from, built once from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rates {
    /// The billing authority of properties that do not name one.
    pub council: String,
    /// Band D (all precepts included) per council and year.
    pub band_d: BTreeMap<String, BTreeMap<FinancialYear, Pence>>,
    /// Local discount and premium percentages per council and year.
    pub local: BTreeMap<String, BTreeMap<FinancialYear, LocalRates>>,
    /// Business Rates multipliers per year.
    pub multipliers: Multipliers,
    /// Retail, hospitality and leisure relief schemes per year (2025/26 built in).
    pub rhl_relief: RhlReliefs,
    /// Day of the month instalments fall due on accounts without a Direct Debit (1–28).
    pub collection_day: u32,
    /// Whether the band amount is rounded to the penny before apportioning.
    pub band_rounding: BandRounding,
}

/// A year's charge for an account and its instalments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bill {
    pub year: FinancialYear,
    pub service: Service,
    /// The council that bills the property.
    pub billing_authority: String,
    /// The Band D amount used (Council Tax).
    pub band_d: Option<Pence>,
    /// The runs of days charged.
    pub liability: Vec<DatePeriod>,
    /// One line per run of days with the same circumstances, and the total.
    pub charge: ChargeBreakdown,
    /// The day the bill is taken as issued (see the module docs).
    pub issued: NaiveDate,
    pub plan: InstalmentPlan,
    /// Day of the month instalments fall due.
    pub collection_day: u32,
    pub schedule: Schedule,
    /// Reliefs the charge is before because their rules are not modelled (Business Rates from
    /// 2026/27: the 2026 transitional and supporting small business reliefs).
    pub not_included: Vec<String>,
    /// What the officer should know of how it was worked out (e.g. an empty spell continuing an
    /// earlier one's relief window).
    pub notes: Vec<String>,
}

/// Why an account cannot be charged for a year.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BillError {
    /// Nobody is liable for any day of the year.
    #[error("no liable party on account {account} is liable for any day of {year}")]
    NotLiable { account: String, year: FinancialYear },
    /// A Council Tax property without a band on a liable day.
    #[error("account {account} has no Council Tax band on {day}: record the property's band")]
    NoBand { account: String, day: NaiveDate },
    /// A Business Rates property without a rateable value on a liable day.
    #[error("account {account} has no rateable value on {day}: record the property's rateable value")]
    NoRateableValue { account: String, day: NaiveDate },
    /// The council's Band D for the year is not configured.
    #[error("no Band D is configured for {council} in {year}: set [charges.band_d.\"{council}\"] \"{year}\"")]
    NoBandD { council: String, year: FinancialYear },
    /// A local percentage the charge needs is not configured.
    #[error("{what} needs charges.local.\"{council}\".\"{year}\".{key}, which is not configured")]
    LocalRateNotSet { council: String, year: FinancialYear, key: &'static str, what: String },
    /// An adjustment that cannot be read as a charge input.
    #[error("{category} {code:?} from {from}: {reason}")]
    BadAdjustment { category: String, code: String, from: NaiveDate, reason: String },
    /// The issue date is after the year.
    #[error("a bill for {year} cannot be issued on {issued}, after the year ends")]
    IssuedAfterYear { year: FinancialYear, issued: NaiveDate },
    #[error("{0}")]
    CouncilTax(#[from] CouncilTaxError),
    #[error("{0}")]
    BusinessRates(#[from] BusinessRatesError),
    #[error("{0}")]
    Schedule(#[from] ScheduleError),
}

/// Party roles that are liable for the charge.
const LIABLE_ROLES: [&str; 2] = ["liable", "joint"];

/// Works out `account`'s bill for `year` with `rates`. `billing_authority` is the property's
/// council (the default council when `None`); `issued` overrides the issue date rule in the
/// module docs.
///
/// # Errors
/// [`BillError`] naming why the account cannot be charged: no liable days, no band or
/// rateable value, no Band D or local percentage configured, an unreadable adjustment, or an
/// input the charge engine refuses.
pub fn bill(
    account: &AccountState,
    billing_authority: Option<&str>,
    year: FinancialYear,
    issued: Option<NaiveDate>,
    rates: &Rates,
) -> Result<Bill, BillError> {
    let council = billing_authority.map_or_else(|| rates.council.clone(), str::to_owned);
    let liability = liability(account, year);
    let Some(first_day) = liability.first().map(|p| p.from()) else {
        return Err(BillError::NotLiable { account: account.reference.clone(), year });
    };
    let (mut not_included, mut notes) = (Vec::new(), Vec::new());
    let (charge, band_d) = match account.service {
        Service::CouncilTax => {
            let band_d = rates
                .band_d
                .get(&council)
                .and_then(|years| years.get(&year))
                .copied()
                .ok_or_else(|| BillError::NoBandD { council: council.clone(), year })?;
            let local = rates.local.get(&council).and_then(|years| years.get(&year));
            let inputs = CouncilTaxParts::of(account, year, &council, local)?;
            (council_tax(account, year, &liability, band_d, rates.band_rounding, &inputs)?, Some(band_d))
        }
        Service::BusinessRates => {
            let rated = business_rates(account, year, &liability, rates)?;
            not_included = postroom_charges::not_included(year).into_iter().map(str::to_owned).collect();
            notes = rated.notes;
            (rated.charge, None)
        }
    };
    let issued = issued.unwrap_or(if first_day > year.start() { first_day } else { annual_billing_date(year) });
    if issued > year.end() {
        return Err(BillError::IssuedAfterYear { year, issued });
    }
    let plan = if account.instalments == 12 { InstalmentPlan::TwelveMonthly } else { InstalmentPlan::TenMonthly };
    let collection_day = account
        .mandate
        .as_ref()
        .filter(|m| !matches!(m.status, MandateStatus::Cancelled | MandateStatus::Rejected))
        .map_or(rates.collection_day, |m| m.collection_day);
    let schedule = first_schedule(account.service, year, charge.total, issued, plan, collection_day)?;
    Ok(Bill {
        year,
        service: account.service,
        billing_authority: council,
        band_d,
        liability,
        charge,
        issued,
        plan,
        collection_day,
        schedule,
        not_included,
        notes,
    })
}

/// The statutory schedule of a first bill for `total` issued on `issued`.
fn first_schedule(
    service: Service,
    year: FinancialYear,
    total: Pence,
    issued: NaiveDate,
    plan: InstalmentPlan,
    collection_day: u32,
) -> Result<Schedule, ScheduleError> {
    instalment_schedule(&ScheduleRequest {
        total,
        issued,
        year,
        service: charges_service(service),
        plan,
        collection_day,
        // No Direct Debit advance-notice date is kept on the mandate yet; the 14-day rule applies.
        earliest_collection: None,
        first_instalment: FirstInstalment::default(),
    })
}

const fn charges_service(service: Service) -> postroom_charges::Service {
    match service {
        Service::CouncilTax => postroom_charges::Service::CouncilTax,
        Service::BusinessRates => postroom_charges::Service::BusinessRates,
    }
}

/// The annual bill's issue date: 1 March before the year starts.
#[must_use]
pub fn annual_billing_date(year: FinancialYear) -> NaiveDate {
    year.start().checked_sub_months(Months::new(1)).unwrap_or(year.start())
}

/// The runs of days the account's liable parties are liable in `year`, merged and in order.
#[must_use]
pub fn liability(account: &AccountState, year: FinancialYear) -> Vec<DatePeriod> {
    let liable: Vec<_> = account.parties.iter().filter(|p| LIABLE_ROLES.contains(&p.role.as_str())).collect();
    if liable.is_empty() {
        return DatePeriod::new(year.start(), year.end()).into_iter().collect();
    }
    let mut periods: Vec<DatePeriod> = liable
        .iter()
        .filter_map(|p| {
            let from = p.liable_from.map_or(year.start(), |f| f.max(year.start()));
            let to = p.liable_to.map_or(year.end(), |t| t.min(year.end()));
            DatePeriod::new(from, to).ok()
        })
        .collect();
    periods.sort();
    let mut merged: Vec<DatePeriod> = Vec::with_capacity(periods.len());
    for p in periods {
        match merged.last_mut() {
            Some(last) if last.to().succ_opt().is_some_and(|next| p.from() <= next) => {
                if let Ok(joined) = DatePeriod::new(last.from(), last.to().max(p.to())) {
                    *last = joined;
                }
            }
            _ => merged.push(p),
        }
    }
    merged
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod br_tests;

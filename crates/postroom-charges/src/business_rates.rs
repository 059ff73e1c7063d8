//! Business rates (NNDR) charge for one financial year (domain.md §3.1–§3.2), itemised by
//! day-segment: `RV × multiplier × (1 − relief) × days / days_in_year` (LGFA 1988 s43/45,
//! A×B/C with C the days in the year), computed exactly and rounded half-up to the penny once
//! per line.
//!
//! - Occupied days pay the year's multiplier for the RV band (RHL variants where the
//!   hereditament is qualifying retail/hospitality/leisure and the year has them), less at most
//!   one of: small business rate relief (RV ≤ £12,000 100%; £12,001–£14,999 tapered
//!   `(15,000 − RV)/3,000`, kept as an exact fraction; none from £15,000) or mandatory
//!   charitable relief (80%). SBRR eligibility beyond the RV (the ratepayer's other properties)
//!   is the caller's decision: pass a [`Relief::SmallBusiness`] period only when it is awarded.
//! - Empty days pay nothing for the first 3 months after `empty_since` (6 for qualifying
//!   industrial), nothing at all while exempt (SI 2008/386 reg 4(c)–(m), LGFA 1988 s45A(2):
//!   [`EmptyExemption`], named on the line) or while the rateable value is below £2,900 (reg
//!   4(g), applied automatically), otherwise the full non-RHL rate. Whether a period of
//!   reoccupation restarts the clock (reg 5: 13 weeks, SI 2024/323) is the caller's decision,
//!   expressed through `empty_since` ([`crate::reoccupation`]). Occupied-only reliefs are
//!   ignored on empty days.
//! - Retail, hospitality and leisure relief ([`crate::year_reliefs`], 2025/26: 40%) applies on
//!   occupied days of a qualifying hereditament after small business or charitable relief:
//!   each line's relief is its charge before RHL relief × the percentage, rounded half-up to
//!   the penny, and the line pays the rest. Relief is given day by day in date order until the
//!   cash cap still available ([`RhlReliefAward::cap_remaining`]) is used up; the line on which
//!   it runs out gets what is left and says so.
//!
//! Discretionary reliefs are not modelled.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{
    breakdown::{ChargeBreakdown, ChargeLine},
    empty_exemption::{EMPTY_EXEMPT_RV_BELOW, EmptyExemption},
    money::{AmountOverflow, Pence, product},
    multipliers::{Multipliers, RateableValue},
    percent::Percent,
    period::DatePeriod,
    year::FinancialYear,
    year_reliefs::RhlReliefAward,
};

/// How an empty period is relieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmptyRelief {
    /// No rates for the first 3 months empty.
    Standard,
    /// No rates for the first 6 months empty (qualifying industrial hereditament).
    QualifyingIndustrial,
    /// No rates while empty and the exemption's condition holds (listed building, charity next
    /// use, occupation prohibited by law, owner deceased / bankrupt / in liquidation, ...).
    EmptyExemptIndefinitely(EmptyExemption),
}

impl EmptyRelief {
    const fn months(self) -> Option<u32> {
        match self {
            Self::Standard => Some(3),
            Self::QualifyingIndustrial => Some(6),
            Self::EmptyExemptIndefinitely(_) => None,
        }
    }
}

/// Days the hereditament is empty, and since when (which may be before the year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct EmptyPeriod {
    /// Empty days to charge (clipped to the liability period).
    pub period: DatePeriod,
    /// First day of the current empty spell; the relief window runs from here.
    pub empty_since: NaiveDate,
    /// Which relief applies.
    pub relief: EmptyRelief,
}

/// A relief for occupied days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relief {
    /// Small business rate relief, by RV.
    SmallBusiness,
    /// Mandatory charitable / CASC relief, 80%.
    MandatoryCharity,
}

/// A relief for part (or all) of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ReliefPeriod {
    /// Which relief.
    pub relief: Relief,
    /// Days awarded (clipped to the liability period; ignored on empty days).
    pub period: DatePeriod,
}

/// One hereditament's liability for one ratepayer and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct BusinessRatesInput {
    /// The financial year billed.
    pub year: FinancialYear,
    /// Rateable value in the list for the year.
    pub rateable_value: RateableValue,
    /// Days the ratepayer is liable (inclusive); must lie within `year`.
    pub liability: DatePeriod,
    /// Qualifying retail, hospitality or leisure use when occupied.
    #[serde(default)]
    pub retail_hospitality_leisure: bool,
    /// Days the hereditament is empty; all other liable days are occupied.
    #[serde(default)]
    pub empty: Vec<EmptyPeriod>,
    /// Reliefs for occupied days.
    #[serde(default)]
    pub reliefs: Vec<ReliefPeriod>,
    /// Retail, hospitality and leisure relief for occupied days, when the year has a scheme and
    /// the hereditament qualifies (`retail_hospitality_leisure`).
    #[serde(default)]
    pub rhl_relief: Option<RhlReliefAward>,
}

/// A charge and the retail, hospitality and leisure relief it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessRatesCharge {
    pub breakdown: ChargeBreakdown,
    /// RHL relief given on its lines (count it against the business's cash cap).
    pub rhl_relief: Pence,
}

/// Input that cannot be charged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BusinessRatesError {
    /// The liability period is not inside the financial year.
    #[error("liability {from} to {to} is not within financial year {year}")]
    LiabilityOutsideYear {
        /// First liable day.
        from: NaiveDate,
        /// Last liable day.
        to: NaiveDate,
        /// The year billed.
        year: FinancialYear,
    },
    /// No multipliers are configured for the year.
    #[error("no business rates multipliers configured for {0}")]
    NoMultipliers(FinancialYear),
    /// An empty period starts before the property became empty.
    #[error("empty period starting {from} is before the property became empty on {empty_since}")]
    EmptyBeforeEmptySince {
        /// First day of the period.
        from: NaiveDate,
        /// Date given as the start of the empty spell.
        empty_since: NaiveDate,
    },
    /// Two empty periods cover the same day.
    #[error("more than one empty period covers {0}")]
    OverlappingEmptyPeriods(NaiveDate),
    /// Small business and charitable relief on the same day.
    #[error("small business rate relief cannot be combined with mandatory charitable relief (on {0})")]
    OverlappingReliefs(NaiveDate),
    /// A figure too large to compute.
    #[error(transparent)]
    Overflow(#[from] AmountOverflow),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occupation {
    Occupied(Option<Relief>),
    EmptyRelieved(EmptyRelief, NaiveDate),
    EmptyCharged,
}

/// Computes the business rates charge for `input` using `multipliers`, one line per run of days
/// with the same circumstances.
///
/// # Errors
/// [`BusinessRatesError`] when the liability is outside the year, the year has no multipliers,
/// or empty periods or reliefs conflict.
pub fn business_rates_charge(
    input: &BusinessRatesInput,
    multipliers: &Multipliers,
) -> Result<ChargeBreakdown, BusinessRatesError> {
    business_rates_charge_with_relief(input, multipliers).map(|c| c.breakdown)
}

/// [`business_rates_charge`], also saying how much retail, hospitality and leisure relief it
/// gave (to count against the business's cash cap on its next charge).
///
/// # Errors
/// As [`business_rates_charge`].
pub fn business_rates_charge_with_relief(
    input: &BusinessRatesInput,
    multipliers: &Multipliers,
) -> Result<BusinessRatesCharge, BusinessRatesError> {
    let (year, liability) = (input.year, input.liability);
    if !year.contains(liability.from()) || !year.contains(liability.to()) {
        return Err(BusinessRatesError::LiabilityOutsideYear { from: liability.from(), to: liability.to(), year });
    }
    let rates = multipliers.for_year(year).ok_or(BusinessRatesError::NoMultipliers(year))?;
    for e in &input.empty {
        if e.period.from() < e.empty_since {
            return Err(BusinessRatesError::EmptyBeforeEmptySince {
                from: e.period.from(),
                empty_since: e.empty_since,
            });
        }
    }
    let changes = input
        .empty
        .iter()
        .flat_map(|e| e.period.change_dates().chain(relief_end(e)))
        .chain(input.reliefs.iter().flat_map(|r| r.period.change_dates()));
    let mut runs: Vec<(DatePeriod, Occupation)> = Vec::new();
    for segment in liability.split_at(changes.collect::<Vec<_>>()) {
        let here = occupation_on(input, segment.from())?;
        match runs.last_mut() {
            Some((run, last)) if *last == here => *run = run.extended_to(segment.to()),
            _ => runs.push((segment, here)),
        }
    }
    let rv = input.rateable_value;
    let year_days = i128::from(year.days());
    let award = input.rhl_relief.filter(|a| input.retail_hospitality_leisure && a.percent > Percent::ZERO);
    let mut cap_remaining = award.map_or(Pence::ZERO, |a| a.cap_remaining.max(Pence::ZERO));
    let mut given = Pence::ZERO;
    let mut lines = Vec::with_capacity(runs.len());
    for (run, occupation) in runs {
        let occupied = matches!(occupation, Occupation::Occupied(_));
        let (category, multiplier) = rates.select(rv, input.retail_hospitality_leisure && occupied);
        let (num, den, relief_text) = chargeable_fraction(rv, occupation);
        let mut annual_num = product(&[i128::from(rv.as_pounds()), i128::from(multiplier.tenths()), num])?;
        let mut annual_den = product(&[10, den])?;
        let mut description = format!("RV {} × {multiplier} ({category})", pounds(rv));
        if let Some(text) = relief_text {
            description = format!("{description}; {text}");
        }
        let days = i128::from(run.days());
        let mut amount = Pence::from_ratio(product(&[annual_num, days])?, product(&[annual_den, year_days])?)?;
        if let Some(award) = award.filter(|_| occupied && num > 0) {
            let bp = i128::from(award.percent.basis_points().min(10_000));
            let full =
                Pence::from_ratio(product(&[annual_num, days, bp])?, product(&[annual_den, year_days, 10_000])?)?;
            let relief = full.min(cap_remaining);
            cap_remaining = cap_remaining - relief;
            given = given + relief;
            amount = amount - relief;
            if relief == full {
                annual_num = product(&[annual_num, 10_000 - bp])?;
                annual_den = product(&[annual_den, 10_000])?;
                description = format!("{description}; retail, hospitality and leisure relief {}", award.percent);
            } else {
                description = format!(
                    "{description}; retail, hospitality and leisure relief {} limited to {relief} by the cash cap",
                    award.percent
                );
            }
        }
        lines.push(ChargeLine {
            from: run.from(),
            to: run.to(),
            days: run.days(),
            annual_rate: Pence::from_ratio(annual_num, annual_den)?,
            daily_rate: Pence::from_ratio(annual_num, product(&[annual_den, year_days])?)?,
            description,
            amount,
        });
    }
    Ok(BusinessRatesCharge { breakdown: ChargeBreakdown::from_lines(lines), rhl_relief: given })
}

/// Small business rate relief as an exact fraction `(relief_num, relief_den)` of the charge.
#[must_use]
pub fn small_business_relief(rv: RateableValue) -> (u32, u32) {
    match rv.as_pounds() {
        0..=12_000 => (1, 1),
        v @ 12_001..=14_999 => (15_000 - v, 3_000),
        _ => (0, 1),
    }
}

/// The first day rates are due after an empty spell's relief, if it ends.
fn relief_end(e: &EmptyPeriod) -> Option<NaiveDate> {
    e.relief.months().and_then(|m| e.empty_since.checked_add_months(Months::new(m)))
}

fn occupation_on(input: &BusinessRatesInput, day: NaiveDate) -> Result<Occupation, BusinessRatesError> {
    let mut empties = input.empty.iter().filter(|e| e.period.contains(day));
    if let Some(e) = empties.next() {
        if empties.next().is_some() {
            return Err(BusinessRatesError::OverlappingEmptyPeriods(day));
        }
        if input.rateable_value < EMPTY_EXEMPT_RV_BELOW {
            let exempt = EmptyRelief::EmptyExemptIndefinitely(EmptyExemption::RateableValueBelow2900);
            return Ok(Occupation::EmptyRelieved(exempt, e.empty_since));
        }
        return Ok(match relief_end(e) {
            Some(end) if day >= end => Occupation::EmptyCharged,
            _ => Occupation::EmptyRelieved(e.relief, e.empty_since),
        });
    }
    let active = |r: Relief| input.reliefs.iter().any(|p| p.relief == r && p.period.contains(day));
    match (active(Relief::SmallBusiness), active(Relief::MandatoryCharity)) {
        (true, true) => Err(BusinessRatesError::OverlappingReliefs(day)),
        (true, false) => Ok(Occupation::Occupied(Some(Relief::SmallBusiness))),
        (false, true) => Ok(Occupation::Occupied(Some(Relief::MandatoryCharity))),
        (false, false) => Ok(Occupation::Occupied(None)),
    }
}

/// The chargeable fraction `num/den` of the gross and a description of the relief.
fn chargeable_fraction(rv: RateableValue, occupation: Occupation) -> (i128, i128, Option<String>) {
    match occupation {
        Occupation::Occupied(None) => (1, 1, None),
        Occupation::Occupied(Some(Relief::MandatoryCharity)) => {
            (20, 100, Some("mandatory charitable relief 80%".into()))
        }
        Occupation::Occupied(Some(Relief::SmallBusiness)) => {
            let (num, den) = small_business_relief(rv);
            let shown = Percent::from_basis_points((num * 20_000 / den).div_ceil(2));
            let text = if num == 0 {
                "small business rate relief: none (RV £15,000 or more)".to_owned()
            } else {
                format!("small business rate relief {shown}")
            };
            (i128::from(den - num), i128::from(den), Some(text))
        }
        Occupation::EmptyRelieved(EmptyRelief::EmptyExemptIndefinitely(why), _) => {
            (0, 1, Some(format!("empty: exempt while {} ({})", why.description(), why.source())))
        }
        Occupation::EmptyRelieved(relief, since) => {
            let months = relief.months().unwrap_or(0);
            (0, 1, Some(format!("empty property relief (first {months} months empty from {since})")))
        }
        Occupation::EmptyCharged => (1, 1, Some("empty: full rates after empty property relief".into())),
    }
}

fn pounds(rv: RateableValue) -> String {
    let text = Pence::from_pounds(i64::from(rv.as_pounds())).to_string();
    text.strip_suffix(".00").map(str::to_owned).unwrap_or(text)
}

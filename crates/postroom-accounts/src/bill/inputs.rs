//! Reading an account's adjustments and valuation history as the charge engine's inputs (the
//! rules are in the parent module's docs).

use chrono::{Months, NaiveDate};
use postroom_charges::{
    BandRounding, BusinessRatesInput, ChargeBreakdown, Continued, CouncilTaxInput, DatePeriod, Discount,
    DiscountPeriod, EmptyExemption, EmptyPeriod, EmptyRelief, EmptySpell, ExemptionClass, FinancialYear, Pence,
    Percent, PremiumKind, PremiumPeriod, RateableValue, Relief, ReliefPeriod, RhlReliefAward,
    business_rates_charge_with_relief, continued_spells, council_tax_charge,
};

use super::{BillError, LocalRates, Rates};
use crate::state::{AccountState, Adjustment, BadValuation, ValuationHistory, category};

/// The adjustment's days within `year`, if any.
pub(super) fn within(a: &Adjustment, year: FinancialYear) -> Option<DatePeriod> {
    let from = a.from.max(year.start());
    let to = a.to.map_or(year.end(), |t| t.min(year.end()));
    DatePeriod::new(from, to).ok()
}

pub(super) fn bad(a: &Adjustment, reason: impl Into<String>) -> BillError {
    BillError::BadAdjustment { category: a.category.clone(), code: a.code.clone(), from: a.from, reason: reason.into() }
}

/// A date in an adjustment's details, if given.
pub(super) fn detail_date(a: &Adjustment, key: &str) -> Result<Option<NaiveDate>, BillError> {
    match a.details.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| bad(a, format!("details.{key} is not a date (YYYY-MM-DD): {v}"))),
    }
}

/// A percentage in an adjustment's details (`"150%"`, `"150"` or `150`), if given.
fn detail_percent(a: &Adjustment, key: &str) -> Result<Option<Percent>, BillError> {
    let text = match a.details.get(key) {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(v) => return Err(bad(a, format!("details.{key} is not a percentage: {v}"))),
    };
    Percent::parse(&text).map(Some).map_err(|e| bad(a, format!("details.{key}: {e}")))
}

/// A value that changes on effective dates: `steps[i]` holds from its date until the next.
type Steps<T> = Vec<(NaiveDate, Option<T>)>;

/// A band or rateable value through `year`: the value on its first day, then each change
/// within it.
fn steps_in<T: Copy>(
    history: Result<ValuationHistory<T>, BadValuation<'_>>,
    year: FinancialYear,
) -> Result<Steps<T>, BillError> {
    let history = history.map_err(|e| bad(e.record, e.reason))?;
    let mut steps = vec![(year.start(), history.on(year.start()))];
    steps.extend(
        history
            .changes
            .iter()
            .filter(|(from, _)| year.start() < *from && *from <= year.end())
            .map(|(f, v)| (*f, Some(*v))),
    );
    Ok(steps)
}

/// Splits `run` where the valuation changes: each part with the value on its days.
fn split_by<T: Copy>(run: DatePeriod, steps: &Steps<T>) -> Vec<(DatePeriod, Option<T>)> {
    run.split_at(steps.iter().map(|(from, _)| *from))
        .into_iter()
        .map(|part| {
            let value = steps.iter().rev().find(|(from, _)| *from <= part.from()).and_then(|(_, v)| *v);
            (part, value)
        })
        .collect()
}

/// The Council Tax engine's inputs that do not depend on the band.
pub(super) struct CouncilTaxParts {
    discounts: Vec<DiscountPeriod>,
    premiums: Vec<PremiumPeriod>,
    disabled_reduction: Vec<DatePeriod>,
}

impl CouncilTaxParts {
    pub(super) fn of(
        account: &AccountState,
        year: FinancialYear,
        council: &str,
        local: Option<&LocalRates>,
    ) -> Result<Self, BillError> {
        let mut parts = Self { discounts: Vec::new(), premiums: Vec::new(), disabled_reduction: Vec::new() };
        let local_rate = |a: &Adjustment, key: &'static str, value: Option<Percent>| {
            value.ok_or_else(|| BillError::LocalRateNotSet {
                council: council.to_owned(),
                year,
                key,
                what: format!("the {} {} from {}", a.code, a.category, a.from),
            })
        };
        let none = LocalRates::default();
        let local = local.unwrap_or(&none);
        for a in &account.adjustments {
            let Some(period) = within(a, year) else { continue };
            match a.category.as_str() {
                category::DISCOUNT => {
                    let discount = match a.code.as_str() {
                        "single_person" => Discount::SinglePerson,
                        "all_disregarded" => Discount::AllDisregarded,
                        "class_c" => Discount::LocalClassC {
                            percent: local_rate(a, "class_c_discount", local.class_c_discount)?,
                        },
                        "class_d" => Discount::LocalClassD {
                            percent: local_rate(a, "class_d_discount", local.class_d_discount)?,
                        },
                        other => return Err(bad(a, format!("unknown discount {other:?}"))),
                    };
                    parts.discounts.push(DiscountPeriod { discount, period });
                }
                category::EXEMPTION => {
                    let class = ExemptionClass::parse(&a.code).map_err(|e| bad(a, e.to_string()))?;
                    let Some(period) = super::exceptions::exemption_days(a, period)? else { continue };
                    parts.discounts.push(DiscountPeriod { discount: Discount::Exempt { class }, period });
                }
                category::DISABLED_BAND_REDUCTION => parts.disabled_reduction.push(period),
                category::PREMIUM => {
                    for (kind, period) in premium_tiers(a, period)? {
                        let percent = if let Some(p) = detail_percent(a, "percent")? {
                            p
                        } else {
                            let (value, key) = local.premium(kind);
                            local_rate(a, key, value)?
                        };
                        if percent != Percent::ZERO {
                            parts.premiums.push(PremiumPeriod { kind, percent, period });
                        }
                    }
                }
                _ => {}
            }
        }
        let excepted = super::exceptions::exceptions(account, year)?;
        parts.premiums = super::exceptions::without_excepted_days(parts.premiums, &excepted);
        Ok(parts)
    }
}

/// A premium's days within the year by tier (see the module docs).
fn premium_tiers(a: &Adjustment, period: DatePeriod) -> Result<Vec<(PremiumKind, DatePeriod)>, BillError> {
    match a.code.as_str() {
        "second_home" => Ok(vec![(PremiumKind::SecondHome, period)]),
        "long_term_empty" => {
            let Some(since) = detail_date(a, "empty_since")? else {
                let kind = match detail_percent(a, "percent")? {
                    Some(p) if p > PremiumKind::LongTermEmpty5Years.max_percent() => PremiumKind::LongTermEmpty10Years,
                    Some(p) if p > PremiumKind::LongTermEmpty1Year.max_percent() => PremiumKind::LongTermEmpty5Years,
                    _ => PremiumKind::LongTermEmpty1Year,
                };
                return Ok(vec![(kind, period)]);
            };
            let anniversary = |years: u32| since.checked_add_months(Months::new(12 * years));
            let tier_on = |day: NaiveDate| {
                let reached = |years| anniversary(years).is_some_and(|d| d <= day);
                if reached(10) {
                    Some(PremiumKind::LongTermEmpty10Years)
                } else if reached(5) {
                    Some(PremiumKind::LongTermEmpty5Years)
                } else if reached(1) {
                    Some(PremiumKind::LongTermEmpty1Year)
                } else {
                    None
                }
            };
            Ok(period
                .split_at([1, 5, 10].into_iter().filter_map(anniversary))
                .into_iter()
                .filter_map(|part| tier_on(part.from()).map(|kind| (kind, part)))
                .collect())
        }
        other => Err(bad(a, format!("unknown premium {other:?} (expected long_term_empty or second_home)"))),
    }
}

pub(super) fn council_tax(
    account: &AccountState,
    year: FinancialYear,
    liability: &[DatePeriod],
    band_d_annual: Pence,
    band_rounding: BandRounding,
    parts: &CouncilTaxParts,
) -> Result<ChargeBreakdown, BillError> {
    let steps = steps_in(account.band_history(), year)?;
    let mut lines = Vec::new();
    for run in liability {
        for (part, band) in split_by(*run, &steps) {
            let band =
                band.ok_or_else(|| BillError::NoBand { account: account.reference.clone(), day: part.from() })?;
            let input = CouncilTaxInput {
                year,
                band,
                band_d_annual,
                liability: part,
                disabled_reduction: parts.disabled_reduction.clone(),
                discounts: parts.discounts.clone(),
                premiums: parts.premiums.clone(),
                band_rounding,
            };
            lines.extend(council_tax_charge(&input)?.lines);
        }
    }
    Ok(ChargeBreakdown::from_lines(lines))
}

/// A Business Rates charge with what the officer should know of it.
pub(super) struct BusinessRatesBill {
    pub charge: ChargeBreakdown,
    /// Empty spells whose relief window runs on from an earlier spell (SI 2024/323).
    pub notes: Vec<String>,
}

/// An empty property relief record, the day its relief window counts from, and the earlier
/// spell it continues (if any).
type Spell<'a> = (&'a Adjustment, NaiveDate, Option<Continued>);

/// The empty spells recorded on the account (every year, for the 13-week rule), earliest first,
/// each with the day its relief window counts from.
fn empty_spells(account: &AccountState) -> Result<Vec<Spell<'_>>, BillError> {
    let mut records: Vec<&Adjustment> =
        account.adjustments.iter().filter(|a| a.category == category::RELIEF && a.code == "empty_property").collect();
    records.sort_by_key(|a| a.from);
    let spells: Vec<EmptySpell> = records.iter().map(|a| EmptySpell { from: a.from, to: a.to }).collect();
    let mut out = Vec::with_capacity(records.len());
    for (a, continued) in records.into_iter().zip(continued_spells(&spells)) {
        let chained = continued.map_or(a.from, |c| c.counts_from);
        let since = detail_date(a, "empty_since")?.map_or(chained, |d| d.min(chained));
        out.push((a, since, continued));
    }
    Ok(out)
}

/// How an empty property relief record is relieved: its exemption, else 3 or 6 months.
fn empty_relief(a: &Adjustment) -> Result<EmptyRelief, BillError> {
    if let Some(v) = a.details.get("exemption").filter(|v| !v.is_null()) {
        let exemption = v
            .as_str()
            .and_then(|s| s.parse::<EmptyExemption>().ok())
            .ok_or_else(|| bad(a, format!("details.exemption is not an empty property exemption: {v}")))?;
        return Ok(EmptyRelief::EmptyExemptIndefinitely(exemption));
    }
    let industrial = match a.details.get("qualifying_industrial") {
        None | Some(serde_json::Value::Null) => false,
        Some(v) => v.as_bool().ok_or_else(|| bad(a, "details.qualifying_industrial is not true or false"))?,
    };
    Ok(if industrial { EmptyRelief::QualifyingIndustrial } else { EmptyRelief::Standard })
}

/// The retail, hospitality and leisure relief the account may have in `year`: the scheme's
/// percentage and its cash cap less what the business has elsewhere (`rhl_received_elsewhere`
/// records overlapping the year, summed). `None` without a scheme or a qualifying property.
fn rhl_award(account: &AccountState, year: FinancialYear, rates: &Rates) -> Result<Option<RhlReliefAward>, BillError> {
    let Some(scheme) = rates.rhl_relief.for_year(year).filter(|_| account.property.retail_hospitality_leisure) else {
        return Ok(None);
    };
    let mut elsewhere = Pence::ZERO;
    for a in account.adjustments.iter().filter(|a| a.category == category::RELIEF && a.code == "rhl_received_elsewhere")
    {
        if within(a, year).is_none() {
            continue;
        }
        let amount = a
            .details
            .get("amount_pence")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| bad(a, "details.amount_pence is not a whole number of pence"))?;
        elsewhere = Pence::new(elsewhere.pence().saturating_add(amount));
    }
    let cap_remaining = if elsewhere >= scheme.cash_cap { Pence::ZERO } else { scheme.cash_cap - elsewhere };
    Ok(Some(RhlReliefAward { percent: scheme.percent, cap_remaining }))
}

pub(super) fn business_rates(
    account: &AccountState,
    year: FinancialYear,
    liability: &[DatePeriod],
    rates: &Rates,
) -> Result<BusinessRatesBill, BillError> {
    let mut empty = Vec::new();
    let mut reliefs = Vec::new();
    let mut notes = Vec::new();
    for (a, empty_since, continued) in empty_spells(account)? {
        let Some(period) = within(a, year) else { continue };
        if let Some(c) = continued {
            notes.push(c.explain(a.from));
        }
        empty.push(EmptyPeriod { period, empty_since, relief: empty_relief(a)? });
    }
    for a in account.adjustments.iter().filter(|a| a.category == category::RELIEF) {
        let Some(period) = within(a, year) else { continue };
        match a.code.as_str() {
            "small_business" => reliefs.push(ReliefPeriod { relief: Relief::SmallBusiness, period }),
            "charitable" => reliefs.push(ReliefPeriod { relief: Relief::MandatoryCharity, period }),
            "empty_property" | "rhl_received_elsewhere" => {}
            other => return Err(bad(a, format!("unknown relief {other:?}"))),
        }
    }
    let mut award = rhl_award(account, year, rates)?;
    let steps = steps_in(account.rateable_value_history(), year)?;
    let mut lines = Vec::new();
    for run in liability {
        for (part, rv) in split_by(*run, &steps) {
            let rv =
                rv.ok_or_else(|| BillError::NoRateableValue { account: account.reference.clone(), day: part.from() })?;
            let input = BusinessRatesInput {
                year,
                rateable_value: RateableValue::pounds(rv),
                liability: part,
                retail_hospitality_leisure: account.property.retail_hospitality_leisure,
                empty: empty.clone(),
                reliefs: reliefs.clone(),
                rhl_relief: award,
            };
            let charged = business_rates_charge_with_relief(&input, &rates.multipliers)?;
            if let Some(a) = award.as_mut() {
                a.cap_remaining = a.cap_remaining - charged.rhl_relief;
            }
            lines.extend(charged.breakdown.lines);
        }
    }
    Ok(BusinessRatesBill { charge: ChargeBreakdown::from_lines(lines), notes })
}

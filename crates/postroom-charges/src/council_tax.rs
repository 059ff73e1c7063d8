//! Council Tax charge for one financial year (domain.md §1.2), itemised by day-segment.
//!
//! The liability period is split at every date where a disabled band reduction, discount,
//! exemption or premium starts or stops; each run of days with the same circumstances becomes
//! one [`ChargeLine`]:
//!
//! ```text
//! amount = band_D × ninths/9 × (1 − discount) × (1 + premium) × days / days_in_year
//! ```
//!
//! Order: band reduction → discount → premium (common practice; statutory order unverified).
//! A premium and a local class C or D discount never combine: on a day a long-term empty or
//! second-home premium applies, "the discount under section 11(2)(a) shall not apply" (LGFA 1992
//! s11B(1)(a), s11C(1)(a)), and the class C and D percentages are that discount as varied under
//! s11A. The amount increased by the premium is the full charge, so such a day costs
//! `charge × (1 + premium)` and its line says the discount was not applied.
//! The product is evaluated exactly (integer pence × basis points × days) and rounded half-up to
//! the penny once per line. With [`BandRounding::BandAmountFirst`] the annual band amount is
//! rounded to the penny first, as councils publish it, and the rest is exact.
//!
//! Rules the input must satisfy, each reported as a [`CouncilTaxError`]: the liability period
//! lies within the year; at most one discount (other than an exemption) and one premium on any
//! day; no premium on a day with a single person or all-disregarded discount (both mean someone
//! is resident); premiums within their statutory maximum. An exemption overrides everything else
//! for its days. Adjustment periods are clipped to the liability period.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{
    band::Band,
    breakdown::{ChargeBreakdown, ChargeLine},
    discount::{Discount, DiscountPeriod, PremiumKind, PremiumPeriod},
    money::{AmountOverflow, Pence, product},
    percent::Percent,
    period::DatePeriod,
    year::FinancialYear,
};

/// Where the band amount is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandRounding {
    /// No intermediate rounding: only each line's amount is rounded.
    #[default]
    Exact,
    /// Round `band_D × ninths / 9` to the penny first (the published band amount), then
    /// apportion exactly.
    BandAmountFirst,
}

/// Everything needed to compute one dwelling's Council Tax for one liable person and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CouncilTaxInput {
    /// The financial year billed.
    pub year: FinancialYear,
    /// The dwelling's valuation band.
    pub band: Band,
    /// The council's Band D amount for the year including all precepts (configuration).
    pub band_d_annual: Pence,
    /// Days the person is liable (inclusive); must lie within `year`.
    pub liability: DatePeriod,
    /// Days a disabled band reduction applies.
    #[serde(default)]
    pub disabled_reduction: Vec<DatePeriod>,
    /// Discounts and exemptions with their periods.
    #[serde(default)]
    pub discounts: Vec<DiscountPeriod>,
    /// Premiums with their periods.
    #[serde(default)]
    pub premiums: Vec<PremiumPeriod>,
    /// Rounding policy for the band amount.
    #[serde(default)]
    pub band_rounding: BandRounding,
}

/// Input that cannot be charged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CouncilTaxError {
    /// The Band D amount is negative.
    #[error("Band D amount {0} is negative")]
    NegativeBandD(Pence),
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
    /// A local discount above 100%.
    #[error("discount {0} is more than 100%")]
    DiscountOver100(Percent),
    /// A premium above its statutory maximum.
    #[error("{kind} of {percent} exceeds the maximum {max}")]
    PremiumAboveMaximum {
        /// Which premium.
        kind: PremiumKind,
        /// Percentage given.
        percent: Percent,
        /// Statutory maximum.
        max: Percent,
    },
    /// Two discounts (neither an exemption) apply on the same day.
    #[error("more than one discount applies on {0}")]
    OverlappingDiscounts(NaiveDate),
    /// Two premiums apply on the same day.
    #[error("more than one premium applies on {0}")]
    OverlappingPremiums(NaiveDate),
    /// A premium and a discount that implies a resident apply on the same day.
    #[error("a premium cannot apply with a resident's discount (on {0})")]
    PremiumWithResidentDiscount(NaiveDate),
    /// A figure too large to compute.
    #[error(transparent)]
    Overflow(#[from] AmountOverflow),
}

/// What applies on a run of days.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Circumstances {
    reduced: bool,
    discount: Option<Discount>,
    premium: Option<(PremiumKind, Percent)>,
    /// A local class C or D discount a premium displaced (LGFA 1992 s11B(1)(a), s11C(1)(a)).
    displaced: Option<Discount>,
}

/// Computes the Council Tax charge for `input`, one line per run of days with the same
/// circumstances.
///
/// # Errors
/// [`CouncilTaxError`] when the input breaks one of the rules in the module docs.
pub fn council_tax_charge(input: &CouncilTaxInput) -> Result<ChargeBreakdown, CouncilTaxError> {
    validate(input)?;
    let changes = input
        .disabled_reduction
        .iter()
        .copied()
        .chain(input.discounts.iter().map(|d| d.period))
        .chain(input.premiums.iter().map(|p| p.period))
        .flat_map(DatePeriod::change_dates);
    let mut runs: Vec<(DatePeriod, Circumstances)> = Vec::new();
    for segment in input.liability.split_at(changes) {
        let here = circumstances_on(input, segment.from())?;
        match runs.last_mut() {
            Some((run, last)) if *last == here => *run = run.extended_to(segment.to()),
            _ => runs.push((segment, here)),
        }
    }
    let lines = runs.iter().map(|(run, c)| line(input, *run, c)).collect::<Result<Vec<_>, _>>()?;
    Ok(ChargeBreakdown::from_lines(lines))
}

fn validate(input: &CouncilTaxInput) -> Result<(), CouncilTaxError> {
    if input.band_d_annual < Pence::ZERO {
        return Err(CouncilTaxError::NegativeBandD(input.band_d_annual));
    }
    let year = input.year;
    if !year.contains(input.liability.from()) || !year.contains(input.liability.to()) {
        let (from, to) = (input.liability.from(), input.liability.to());
        return Err(CouncilTaxError::LiabilityOutsideYear { from, to, year });
    }
    for d in &input.discounts {
        if d.discount.percent() > Percent::HUNDRED {
            return Err(CouncilTaxError::DiscountOver100(d.discount.percent()));
        }
    }
    for p in &input.premiums {
        let max = p.kind.max_percent();
        if p.percent > max {
            return Err(CouncilTaxError::PremiumAboveMaximum { kind: p.kind, percent: p.percent, max });
        }
    }
    Ok(())
}

fn circumstances_on(input: &CouncilTaxInput, day: NaiveDate) -> Result<Circumstances, CouncilTaxError> {
    let reduced = input.disabled_reduction.iter().any(|p| p.contains(day));
    let discounts: Vec<&Discount> =
        input.discounts.iter().filter(|d| d.period.contains(day)).map(|d| &d.discount).collect();
    let premiums: Vec<&PremiumPeriod> = input.premiums.iter().filter(|p| p.period.contains(day)).collect();
    if let Some(exempt) = discounts.iter().find(|d| matches!(d, Discount::Exempt { .. })) {
        return Ok(Circumstances { reduced: false, discount: Some((*exempt).clone()), premium: None, displaced: None });
    }
    if discounts.len() > 1 {
        return Err(CouncilTaxError::OverlappingDiscounts(day));
    }
    if premiums.len() > 1 {
        return Err(CouncilTaxError::OverlappingPremiums(day));
    }
    let mut discount = discounts.first().map(|d| (*d).clone());
    let premium = premiums.first().map(|p| (p.kind, p.percent));
    if premium.is_some() && discount.as_ref().is_some_and(Discount::implies_resident) {
        return Err(CouncilTaxError::PremiumWithResidentDiscount(day));
    }
    let displaced = if premium.is_some() { discount.take_if(|d| d.is_empty_home_discount()) } else { None };
    Ok(Circumstances { reduced, discount, premium, displaced })
}

fn line(input: &CouncilTaxInput, run: DatePeriod, c: &Circumstances) -> Result<ChargeLine, CouncilTaxError> {
    let ninths = if c.reduced { input.band.reduced_ninths() } else { input.band.ninths() };
    let band_d = i128::from(input.band_d_annual.pence());
    // The annual band amount as a fraction base_num / base_den pence.
    let (base_num, base_den) = match input.band_rounding {
        BandRounding::Exact => (product(&[band_d, i128::from(ninths)])?, 9),
        BandRounding::BandAmountFirst => (i128::from(Pence::from_ratio(band_d * i128::from(ninths), 9)?.pence()), 1),
    };
    let discount_bp = c.discount.as_ref().map_or(0, |d| d.percent().basis_points());
    let premium_bp = c.premium.map_or(0, |(_, p)| p.basis_points());
    let adjust = product(&[10_000 - i128::from(discount_bp), 10_000 + i128::from(premium_bp)])?;
    let annual_num = product(&[base_num, adjust])?;
    let annual_den = product(&[base_den, 100_000_000])?;
    let year_days = i128::from(input.year.days());
    Ok(ChargeLine {
        from: run.from(),
        to: run.to(),
        days: run.days(),
        annual_rate: Pence::from_ratio(annual_num, annual_den)?,
        daily_rate: Pence::from_ratio(annual_num, product(&[annual_den, year_days])?)?,
        description: describe(input.band, c),
        amount: Pence::from_ratio(product(&[annual_num, i128::from(run.days())])?, product(&[annual_den, year_days])?)?,
    })
}

fn describe(band: Band, c: &Circumstances) -> String {
    let mut parts = vec![match (c.reduced, band.lower()) {
        (false, _) => format!("Band {band}"),
        (true, Some(lower)) => format!("Band {band} charged as Band {lower} (disabled band reduction)"),
        (true, None) => format!("Band {band} charged at 5/9 of Band D (disabled band reduction)"),
    }];
    if let Some(d) = &c.discount {
        parts.push(d.to_string());
    }
    if let Some((kind, percent)) = c.premium {
        parts.push(format!("{kind} {percent}"));
    }
    if let Some(d) = &c.displaced {
        parts.push(format!("{d} not applied with a premium (LGFA 1992 s11B(1)(a), s11C(1)(a))"));
    }
    parts.join("; ")
}

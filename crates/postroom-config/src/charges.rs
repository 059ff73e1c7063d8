//! Charges (`[charges]`): what councils and government set each year for Council Tax and
//! Business Rates.

use std::collections::BTreeMap;

use postroom_accounts::bill::{
    BandRounding, FinancialYear, LocalRates, Multipliers, Pence, Rates, RhlRelief, RhlReliefs, YearMultipliers,
};
use serde::{Deserialize, Serialize};

/// Charges: what councils and government set each year for Council Tax and Business Rates
/// (`domain.md` §1–§3). The defaults are an **example council** with illustrative figures so
/// that a new installation and the demo show charges: set your own council, Band D and local
/// percentages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChargesSettings {
    /// The billing authority of properties that do not name one.
    pub council: String,
    /// Day of the month instalments fall due on accounts without a Direct Debit (1–28).
    pub collection_day: u32,
    /// `exact`, or `band_amount_first` to round the band's annual amount to the penny (as
    /// published) before apportioning it by days.
    pub band_rounding: BandRounding,
    /// Band D including all precepts, per council and financial year: `"2026/27" = "2,280.23"`.
    pub band_d: BTreeMap<String, BTreeMap<FinancialYear, Money>>,
    /// The percentages each council sets per year: `class_c_discount`, `class_d_discount`,
    /// `long_term_empty_1_year`, `long_term_empty_5_years`, `long_term_empty_10_years`,
    /// `second_home`. One that a charge needs but is not set makes that charge fail, naming it.
    pub local: BTreeMap<String, BTreeMap<FinancialYear, LocalRates>>,
    /// Business Rates multipliers replacing the built-in England figures (2024/25–2026/27) for a
    /// year, or adding a year: `small_business`, `standard`, and optionally
    /// `small_business_rhl`, `standard_rhl`, `high_value` (pence per pound, e.g. `"43.2"`).
    pub multipliers: BTreeMap<FinancialYear, YearMultipliers>,
    /// Business Rates retail, hospitality and leisure relief schemes replacing the built-in one
    /// (2025/26: `percent = "40%"`, `cash_cap = "110,000"` per business) for a year, or adding
    /// a year. `percent = "0%"` turns a year's scheme off.
    pub rhl_relief: BTreeMap<FinancialYear, RhlRelief>,
}

/// The example council the default configuration charges for.
pub const EXAMPLE_COUNCIL: &str = "Example Council";

impl Default for ChargesSettings {
    fn default() -> Self {
        let year = |start: i32| FinancialYear::starting(start).ok();
        let percent = |p: u32| Some(postroom_accounts::bill::Percent::whole(p));
        let local = LocalRates {
            class_c_discount: percent(0),
            class_d_discount: percent(0),
            long_term_empty_1_year: percent(100),
            long_term_empty_5_years: percent(200),
            long_term_empty_10_years: percent(300),
            second_home: percent(100),
        };
        // Illustrative only: £2,280.00 is England's average Band D for 2025/26 (domain.md §1.1),
        // and 2026/27 is that raised by 4.99%. No council's actual figures.
        let band_d: BTreeMap<FinancialYear, Money> = [(2025, 228_000), (2026, 239_377)]
            .into_iter()
            .filter_map(|(start, pence)| Some((year(start)?, Money(Pence::new(pence)))))
            .collect();
        let local_years = [2025, 2026].into_iter().filter_map(|start| Some((year(start)?, local.clone()))).collect();
        Self {
            council: EXAMPLE_COUNCIL.to_owned(),
            collection_day: 1,
            band_rounding: BandRounding::Exact,
            band_d: BTreeMap::from([(EXAMPLE_COUNCIL.to_owned(), band_d)]),
            local: BTreeMap::from([(EXAMPLE_COUNCIL.to_owned(), local_years)]),
            multipliers: BTreeMap::new(),
            rhl_relief: BTreeMap::new(),
        }
    }
}

impl ChargesSettings {
    /// What is wrong with these settings, each naming its key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.council.trim().is_empty() {
            problems.push("charges.council must name the council that bills properties".to_owned());
        } else if !self.band_d.contains_key(&self.council) {
            problems.push(format!(
                "charges.band_d has no entry for charges.council = {:?}: add [charges.band_d.{:?}] with its Band D per year",
                self.council, self.council
            ));
        }
        if !(1..=28).contains(&self.collection_day) {
            problems.push(format!("charges.collection_day = {} must be between 1 and 28", self.collection_day));
        }
        for (council, years) in &self.band_d {
            for (year, amount) in years {
                if amount.0 <= Pence::ZERO {
                    problems
                        .push(format!("charges.band_d.{council:?}.\"{year}\" = {} must be more than £0.00", amount.0));
                }
            }
        }
        for (council, years) in &self.local {
            for (year, rates) in years {
                problems
                    .extend(rates.problems().into_iter().map(|p| format!("charges.local.{council:?}.\"{year}\".{p}")));
            }
        }
        for (year, scheme) in &self.rhl_relief {
            if scheme.percent > postroom_accounts::bill::Percent::HUNDRED || scheme.cash_cap < Pence::ZERO {
                problems.push(format!(
                    "charges.rhl_relief.\"{year}\" = {} capped at {} must be at most 100% with a cap of £0.00 or more",
                    scheme.percent, scheme.cash_cap
                ));
            }
        }
        problems
    }

    /// The rates charges are computed from: these settings, with England's published
    /// multipliers for years not configured here.
    #[must_use]
    pub fn rates(&self) -> Rates {
        let mut multipliers = Multipliers::default_england();
        for (year, m) in &self.multipliers {
            multipliers.insert(*year, m.clone());
        }
        let mut rhl_relief = RhlReliefs::default_england();
        for (year, scheme) in &self.rhl_relief {
            rhl_relief.insert(*year, *scheme);
        }
        Rates {
            council: self.council.clone(),
            band_d: self
                .band_d
                .iter()
                .map(|(council, years)| (council.clone(), years.iter().map(|(y, m)| (*y, m.0)).collect()))
                .collect(),
            local: self.local.clone(),
            multipliers,
            rhl_relief,
            collection_day: self.collection_day,
            band_rounding: self.band_rounding,
        }
    }
}

/// An amount of money written as pounds, `"2,280.23"`, `"£2280.23"` or `"2280"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Money(pub Pence);

impl TryFrom<String> for Money {
    type Error = postroom_accounts::bill::ParseMoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Pence::parse(&s).map(Self)
    }
}

impl From<Money> for String {
    fn from(m: Money) -> Self {
        m.0.to_string()
    }
}

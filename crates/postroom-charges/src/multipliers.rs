//! Business rates multipliers (pence per £ of rateable value) per year and category, and the
//! rules for choosing the category (domain.md §3.1). The figures are configuration;
//! [`Multipliers::default_england`] holds the published England values for 2024/25–2026/27.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::year::FinancialYear;

/// Rateable value, whole pounds. Serialised as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RateableValue(u32);

impl RateableValue {
    /// A rateable value of `pounds`.
    #[must_use]
    pub const fn pounds(pounds: u32) -> Self {
        Self(pounds)
    }

    /// The value in pounds.
    #[must_use]
    pub const fn as_pounds(self) -> u32 {
        self.0
    }
}

/// Below this RV the small business multiplier applies (£51,000).
pub const SMALL_BUSINESS_RV_LIMIT: RateableValue = RateableValue(51_000);
/// From this RV the high-value multiplier applies, in years that have one (£500,000).
pub const HIGH_VALUE_RV_THRESHOLD: RateableValue = RateableValue(500_000);

/// A multiplier in tenths of a penny per £ RV (49.9p is 499). Serialised as text, `"49.9"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Multiplier(u32);

/// Text that is not a multiplier in pence.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a multiplier: {0:?} (expected pence per pound to one decimal place, e.g. \"49.9\")")]
pub struct ParseMultiplierError(String);

impl Multiplier {
    /// From tenths of a penny: `from_tenths(499)` is 49.9p.
    #[must_use]
    pub const fn from_tenths(tenths: u32) -> Self {
        Self(tenths)
    }

    /// Tenths of a penny per £ RV.
    #[must_use]
    pub const fn tenths(self) -> u32 {
        self.0
    }

    /// Parses pence per pound such as `49.9`, `49.9p` or `48`.
    ///
    /// # Errors
    /// [`ParseMultiplierError`] for anything else, including more than one decimal place.
    pub fn parse(input: &str) -> Result<Self, ParseMultiplierError> {
        let bad = || ParseMultiplierError(input.to_owned());
        let s = input.trim();
        let s = s.strip_suffix('p').unwrap_or(s);
        let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(frac) || frac.len() != 1 {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = frac.parse().map_err(|_| bad())?;
        whole.checked_mul(10).and_then(|w| w.checked_add(frac)).map(Self).ok_or_else(bad)
    }
}

impl FromStr for Multiplier {
    type Err = ParseMultiplierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Multiplier {
    type Error = ParseMultiplierError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Multiplier> for String {
    fn from(m: Multiplier) -> Self {
        format!("{}.{}", m.0 / 10, m.0 % 10)
    }
}

impl fmt::Display for Multiplier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}p", self.0 / 10, self.0 % 10)
    }
}

/// Which multiplier a hereditament pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiplierCategory {
    /// Small business (non-RHL): RV below £51,000.
    SmallBusiness,
    /// Standard (non-RHL): RV £51,000 and over (to £499,999 where a high-value multiplier exists).
    Standard,
    /// Small business, occupied qualifying retail/hospitality/leisure (from 2026/27).
    SmallBusinessRhl,
    /// Standard, occupied qualifying retail/hospitality/leisure (from 2026/27).
    StandardRhl,
    /// RV £500,000 and over (from 2026/27), RHL or not.
    HighValue,
}

impl fmt::Display for MultiplierCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SmallBusiness => "small business multiplier",
            Self::Standard => "standard multiplier",
            Self::SmallBusinessRhl => "small business RHL multiplier",
            Self::StandardRhl => "standard RHL multiplier",
            Self::HighValue => "high-value multiplier",
        })
    }
}

/// One year's multipliers. The optional ones exist from 2026/27; a year without them uses the
/// pre-2026 rule (small business below £51,000, otherwise standard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct YearMultipliers {
    /// Small business (non-RHL).
    pub small_business: Multiplier,
    /// Standard (non-RHL).
    pub standard: Multiplier,
    /// Small business RHL, if the year has one.
    #[serde(default)]
    pub small_business_rhl: Option<Multiplier>,
    /// Standard RHL, if the year has one.
    #[serde(default)]
    pub standard_rhl: Option<Multiplier>,
    /// High-value, if the year has one.
    #[serde(default)]
    pub high_value: Option<Multiplier>,
}

impl YearMultipliers {
    /// The category for a hereditament of `rv`. `occupied_rhl` is true only for days it is
    /// occupied for qualifying retail, hospitality or leisure use (RHL multipliers never apply to
    /// empty property). RHL is ignored in years without RHL multipliers.
    #[must_use]
    pub fn category(&self, rv: RateableValue, occupied_rhl: bool) -> MultiplierCategory {
        if self.high_value.is_some() && rv >= HIGH_VALUE_RV_THRESHOLD {
            MultiplierCategory::HighValue
        } else if rv < SMALL_BUSINESS_RV_LIMIT {
            if occupied_rhl && self.small_business_rhl.is_some() {
                MultiplierCategory::SmallBusinessRhl
            } else {
                MultiplierCategory::SmallBusiness
            }
        } else if occupied_rhl && self.standard_rhl.is_some() {
            MultiplierCategory::StandardRhl
        } else {
            MultiplierCategory::Standard
        }
    }

    /// The multiplier for `category`, if this year has one.
    #[must_use]
    pub fn get(&self, category: MultiplierCategory) -> Option<Multiplier> {
        match category {
            MultiplierCategory::SmallBusiness => Some(self.small_business),
            MultiplierCategory::Standard => Some(self.standard),
            MultiplierCategory::SmallBusinessRhl => self.small_business_rhl,
            MultiplierCategory::StandardRhl => self.standard_rhl,
            MultiplierCategory::HighValue => self.high_value,
        }
    }

    /// The category and multiplier for `rv` (see [`Self::category`]).
    #[must_use]
    pub fn select(&self, rv: RateableValue, occupied_rhl: bool) -> (MultiplierCategory, Multiplier) {
        let category = self.category(rv, occupied_rhl);
        // `category` only names multipliers this year has; fall back defensively all the same.
        let multiplier = self.get(category).unwrap_or(if rv < SMALL_BUSINESS_RV_LIMIT {
            self.small_business
        } else {
            self.standard
        });
        (category, multiplier)
    }
}

/// Multipliers for each configured year. Serialised as a map from `"2025/26"` to the year's
/// multipliers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Multipliers(BTreeMap<FinancialYear, YearMultipliers>);

impl Multipliers {
    /// No years configured.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `year`'s multipliers, replacing any already held.
    pub fn insert(&mut self, year: FinancialYear, multipliers: YearMultipliers) {
        self.0.insert(year, multipliers);
    }

    /// The multipliers for `year`, if configured.
    #[must_use]
    pub fn for_year(&self, year: FinancialYear) -> Option<&YearMultipliers> {
        self.0.get(&year)
    }

    /// The configured years, earliest first.
    pub fn years(&self) -> impl Iterator<Item = FinancialYear> + '_ {
        self.0.keys().copied()
    }

    /// England's published multipliers (domain.md §3.1): 2024/25 49.9p / 54.6p; 2025/26 49.9p /
    /// 55.5p; 2026/27 small 43.2p, standard 48.0p, small RHL 38.2p, standard RHL 43.0p,
    /// high-value 50.8p.
    #[must_use]
    pub fn default_england() -> Self {
        let m = Multiplier::from_tenths;
        let plain = |small, standard| YearMultipliers {
            small_business: m(small),
            standard: m(standard),
            small_business_rhl: None,
            standard_rhl: None,
            high_value: None,
        };
        let mut all = Self::new();
        for (start_year, year) in [
            (2024, plain(499, 546)),
            (2025, plain(499, 555)),
            (
                2026,
                YearMultipliers {
                    small_business_rhl: Some(m(382)),
                    standard_rhl: Some(m(430)),
                    high_value: Some(m(508)),
                    ..plain(432, 480)
                },
            ),
        ] {
            if let Ok(fy) = FinancialYear::starting(start_year) {
                all.insert(fy, year);
            }
        }
        all
    }
}

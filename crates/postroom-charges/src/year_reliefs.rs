//! Business Rates reliefs that government sets year by year (domain.md §3.1): the retail,
//! hospitality and leisure (RHL) relief scheme, configuration with 2025/26's figures built in,
//! and the reliefs a year's charge cannot yet include.
//!
//! - **RHL relief 2025/26**: 40% of the charge for each occupied day of a qualifying retail,
//!   hospitality or leisure hereditament, after small business or charitable relief, up to a
//!   cash cap of £110,000 per business for the year across all its hereditaments. Empty days get
//!   none. From 2026/27 the RHL multipliers replace it (no scheme is built in for 2026/27).
//! - **2026/27 onwards**: domain.md names a new transitional relief scheme and a "supporting
//!   small business" scheme without their rules, so no figure is assumed: a charge for those
//!   years says it is before them ([`not_included`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{money::Pence, percent::Percent, year::FinancialYear};

/// One year's RHL relief scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RhlRelief {
    /// Share of the charge (after mandatory reliefs) relieved on occupied days, e.g. `"40%"`.
    pub percent: Percent,
    /// Most relief one business may have in the year, across all its hereditaments, written in
    /// pounds (`"110,000"`).
    #[serde(with = "pounds")]
    pub cash_cap: Pence,
}

/// The RHL relief an account can have on a charge: the scheme's percentage and what is left of
/// the business's cash cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RhlReliefAward {
    pub percent: Percent,
    /// Cash cap not yet used (by earlier days of this charge or the business elsewhere).
    pub cap_remaining: Pence,
}

/// RHL relief schemes per year. Serialised as a map from `"2025/26"` to the year's scheme.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RhlReliefs(BTreeMap<FinancialYear, RhlRelief>);

impl RhlReliefs {
    /// England's 2025/26 scheme (domain.md §3.1): 40%, capped at £110,000 per business.
    #[must_use]
    pub fn default_england() -> Self {
        let mut all = Self::default();
        if let Ok(year) = FinancialYear::starting(2025) {
            all.insert(year, RhlRelief { percent: Percent::whole(40), cash_cap: Pence::from_pounds(110_000) });
        }
        all
    }

    /// Sets `year`'s scheme, replacing any already held.
    pub fn insert(&mut self, year: FinancialYear, relief: RhlRelief) {
        self.0.insert(year, relief);
    }

    /// The scheme for `year`, if there is one.
    #[must_use]
    pub fn for_year(&self, year: FinancialYear) -> Option<RhlRelief> {
        self.0.get(&year).copied()
    }

    /// The configured years, earliest first.
    pub fn years(&self) -> impl Iterator<Item = FinancialYear> + '_ {
        self.0.keys().copied()
    }
}

/// The first year whose reliefs are not yet modelled.
pub const RELIEFS_NOT_MODELLED_FROM: i32 = 2026;

/// Reliefs a Business Rates charge for `year` cannot include because their rules are not
/// known (domain.md §3.1, §10): for 2026/27 onwards the new transitional relief scheme and the
/// supporting small business scheme. Empty for earlier years.
#[must_use]
pub fn not_included(year: FinancialYear) -> Vec<&'static str> {
    if year.start_year() >= RELIEFS_NOT_MODELLED_FROM {
        vec!["2026 transitional relief", "supporting small business relief"]
    } else {
        Vec::new()
    }
}

/// Serde for money written as pounds text (`"110,000"`, `"£110,000.00"`).
mod pounds {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::money::Pence;

    pub(super) fn serialize<S: Serializer>(p: &Pence, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&p.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pence, D::Error> {
        let text = String::deserialize(d)?;
        Pence::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rhl_relief_2025_26_is_built_in_at_40_percent_capped_at_110000() -> Result<(), Box<dyn std::error::Error>> {
        let all = RhlReliefs::default_england();
        let scheme = all.for_year("2025/26".parse()?).ok_or("no 2025/26 scheme")?;
        assert_eq!(scheme, RhlRelief { percent: Percent::whole(40), cash_cap: Pence::from_pounds(110_000) });
        assert_eq!(all.for_year("2026/27".parse()?), None, "replaced by the RHL multipliers");
        let text = serde_json::to_string(&scheme)?;
        assert_eq!(text, r#"{"percent":"40%","cash_cap":"£110,000.00"}"#);
        let back: RhlRelief = serde_json::from_str(r#"{"percent":"40","cash_cap":"110,000"}"#)?;
        assert_eq!(back, scheme);
        Ok(())
    }

    #[test]
    fn charges_from_2026_27_are_before_the_transitional_and_supporting_small_business_reliefs()
    -> Result<(), Box<dyn std::error::Error>> {
        assert!(not_included("2025/26".parse()?).is_empty());
        assert_eq!(
            not_included("2026/27".parse()?),
            vec!["2026 transitional relief", "supporting small business relief"]
        );
        assert_eq!(not_included("2027/28".parse()?).len(), 2);
        Ok(())
    }
}

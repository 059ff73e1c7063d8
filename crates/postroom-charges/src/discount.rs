//! Council Tax discounts, exemptions and premiums, each applying for a period (domain.md §1.3–§1.5).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{percent::Percent, period::DatePeriod};

/// A reduction in the charge. At most one applies on any day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discount {
    /// One resident adult who is not disregarded: 25% (LGFA 1992 s11(1)).
    SinglePerson,
    /// Every resident disregarded: 50% (s11(2)).
    AllDisregarded,
    /// Prescribed class C (unoccupied and substantially unfurnished) at the council's percentage.
    LocalClassC {
        /// Council-set discount, 0–100%.
        percent: Percent,
    },
    /// Prescribed class D (major repair / structural alteration, ≤ 12 months) at the council's
    /// percentage.
    LocalClassD {
        /// Council-set discount, 0–100%.
        percent: Percent,
    },
    /// An exempt dwelling: nothing to pay for the period (100%).
    Exempt {
        /// The exemption class (B, D–W).
        class: ExemptionClass,
    },
}

impl Discount {
    /// The discount as a percentage of the charge.
    #[must_use]
    pub const fn percent(&self) -> Percent {
        match self {
            Self::SinglePerson => Percent::whole(25),
            Self::AllDisregarded => Percent::whole(50),
            Self::LocalClassC { percent } | Self::LocalClassD { percent } => *percent,
            Self::Exempt { .. } => Percent::HUNDRED,
        }
    }

    /// Whether it is a local class C or D discount: the discount under LGFA 1992 s11(2)(a) as
    /// varied under s11A, which a long-term empty or second-home premium disapplies (s11B(1)(a),
    /// s11C(1)(a)).
    #[must_use]
    pub const fn is_empty_home_discount(&self) -> bool {
        matches!(self, Self::LocalClassC { .. } | Self::LocalClassD { .. })
    }

    /// Whether the discount implies someone is resident (so no empty-home or second-home premium
    /// can apply at the same time).
    #[must_use]
    pub const fn implies_resident(&self) -> bool {
        matches!(self, Self::SinglePerson | Self::AllDisregarded)
    }
}

impl fmt::Display for Discount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SinglePerson => write!(f, "single person discount 25%"),
            Self::AllDisregarded => write!(f, "all residents disregarded discount 50%"),
            Self::LocalClassC { percent } => write!(f, "class C discount {percent}"),
            Self::LocalClassD { percent } => write!(f, "class D discount {percent}"),
            Self::Exempt { class } => write!(f, "exempt (class {class})"),
        }
    }
}

/// A discount for part (or all) of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct DiscountPeriod {
    /// Which discount.
    pub discount: Discount,
    /// The days it applies (clipped to the liability period).
    pub period: DatePeriod,
}

/// An exempt-dwelling class under SI 1992/558: B or D–W (A and C were abolished in 2013).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExemptionClass(char);

/// A letter that is not a current exemption class.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a current exemption class: {0:?} (expected B or D–W; A and C were abolished in 2013)")]
pub struct ParseExemptionClassError(String);

impl ExemptionClass {
    /// Parses a class letter, e.g. `F` or `f`.
    ///
    /// # Errors
    /// [`ParseExemptionClassError`] for A, C, X–Z or anything that is not one letter.
    pub fn parse(input: &str) -> Result<Self, ParseExemptionClassError> {
        let mut chars = input.trim().chars();
        match (chars.next().map(|c| c.to_ascii_uppercase()), chars.next()) {
            (Some(c @ ('B' | 'D'..='W')), None) => Ok(Self(c)),
            _ => Err(ParseExemptionClassError(input.to_owned())),
        }
    }

    /// The class letter.
    #[must_use]
    pub const fn letter(self) -> char {
        self.0
    }
}

impl TryFrom<String> for ExemptionClass {
    type Error = ParseExemptionClassError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ExemptionClass> for String {
    fn from(c: ExemptionClass) -> Self {
        c.0.to_string()
    }
}

impl fmt::Display for ExemptionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The kind of Council Tax premium (LGFA 1992 s11B, s11C; domain.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PremiumKind {
    /// Empty and substantially unfurnished for at least 1 year (under 5): up to 100%.
    LongTermEmpty1Year,
    /// Empty for at least 5 years (under 10): up to 200%.
    LongTermEmpty5Years,
    /// Empty for at least 10 years: up to 300%.
    LongTermEmpty10Years,
    /// Furnished, no one's sole or main residence: up to 100%.
    SecondHome,
}

impl PremiumKind {
    /// The statutory maximum premium for this kind.
    #[must_use]
    pub const fn max_percent(self) -> Percent {
        match self {
            Self::LongTermEmpty1Year | Self::SecondHome => Percent::whole(100),
            Self::LongTermEmpty5Years => Percent::whole(200),
            Self::LongTermEmpty10Years => Percent::whole(300),
        }
    }
}

impl fmt::Display for PremiumKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LongTermEmpty1Year => "long-term empty (1 year+) premium",
            Self::LongTermEmpty5Years => "long-term empty (5 years+) premium",
            Self::LongTermEmpty10Years => "long-term empty (10 years+) premium",
            Self::SecondHome => "second home premium",
        })
    }
}

/// A premium for part (or all) of the year, at the council's percentage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct PremiumPeriod {
    /// Which premium.
    pub kind: PremiumKind,
    /// The council's determined percentage; must not exceed [`PremiumKind::max_percent`].
    pub percent: Percent,
    /// The days it applies (clipped to the liability period).
    pub period: DatePeriod,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exemption_classes_exclude_abolished_letters() {
        assert_eq!(ExemptionClass::parse("f").map(ExemptionClass::letter), Ok('F'));
        assert!(ExemptionClass::parse("W").is_ok());
        for bad in ["A", "C", "X", "", "FF"] {
            assert!(ExemptionClass::parse(bad).is_err(), "{bad:?}");
        }
    }
}

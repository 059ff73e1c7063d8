//! Empty property that pays no rates for as long as a condition holds, however long it is empty
//! (domain.md §3.2): the hereditaments the Non-Domestic Rating (Unoccupied Property) (England)
//! Regulations 2008 (SI 2008/386) reg 4(c)–(m) take out of the empty rate, and the zero rating
//! of LGFA 1988 s45A(2) for an owner charity or community amateur sports club whose next use of
//! the property will be for its purposes. Each names its source and what ends it.
//!
//! The rateable value test (reg 4(g), below £2,900) needs no record: the charge applies it on
//! every empty day from the rateable value of that day.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::multipliers::RateableValue;

/// Empty property with a rateable value below this pays no empty rate (SI 2008/386 reg 4(g),
/// £2,900 since 1 April 2017).
pub const EMPTY_EXEMPT_RV_BELOW: RateableValue = RateableValue::pounds(2_900);

/// Why an empty hereditament pays no rates for as long as it stays empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmptyExemption {
    /// The owner is prohibited by law from occupying it or allowing it to be occupied.
    ProhibitedByLaw,
    /// Kept vacant by action of the Crown or a public authority to prohibit its occupation or
    /// to acquire it.
    KeptVacantByPublicAuthority,
    /// A listed building, or subject to a building preservation notice.
    ListedBuilding,
    /// A scheduled ancient monument.
    AncientMonument,
    /// Rateable value below £2,900 (applied automatically from the valuation on each day).
    #[serde(rename = "rateable_value_below_2900")]
    RateableValueBelow2900,
    /// The owner is entitled to possession only as personal representative of a deceased
    /// person.
    PersonalRepresentative,
    /// A bankruptcy order subsists in respect of the owner's estate.
    Bankruptcy,
    /// The owner holds as trustee under a deed of arrangement (Deeds of Arrangement Act 1914).
    DeedOfArrangement,
    /// The owner is a company subject to a winding-up order or being wound up voluntarily.
    WindingUp,
    /// The owner is a company in administration.
    Administration,
    /// The owner holds as liquidator under an order of IA 1986 s112 or s145.
    Liquidator,
    /// The owner is a charity (or its trustees) and the property, when next in use, will be
    /// used wholly or mainly for charitable purposes.
    CharityNextUse,
    /// The owner is a registered community amateur sports club and the property, when next in
    /// use, will be used wholly or mainly for the club's purposes.
    SportsClubNextUse,
}

impl EmptyExemption {
    /// Every exemption, in the order of the regulations.
    pub const ALL: [Self; 13] = [
        Self::ProhibitedByLaw,
        Self::KeptVacantByPublicAuthority,
        Self::ListedBuilding,
        Self::AncientMonument,
        Self::RateableValueBelow2900,
        Self::PersonalRepresentative,
        Self::Bankruptcy,
        Self::DeedOfArrangement,
        Self::WindingUp,
        Self::Administration,
        Self::Liquidator,
        Self::CharityNextUse,
        Self::SportsClubNextUse,
    ];

    /// The stored code, e.g. `listed_building`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProhibitedByLaw => "prohibited_by_law",
            Self::KeptVacantByPublicAuthority => "kept_vacant_by_public_authority",
            Self::ListedBuilding => "listed_building",
            Self::AncientMonument => "ancient_monument",
            Self::RateableValueBelow2900 => "rateable_value_below_2900",
            Self::PersonalRepresentative => "personal_representative",
            Self::Bankruptcy => "bankruptcy",
            Self::DeedOfArrangement => "deed_of_arrangement",
            Self::WindingUp => "winding_up",
            Self::Administration => "administration",
            Self::Liquidator => "liquidator",
            Self::CharityNextUse => "charity_next_use",
            Self::SportsClubNextUse => "sports_club_next_use",
        }
    }

    /// Where the law says so.
    #[must_use]
    pub const fn source(self) -> &'static str {
        match self {
            Self::ProhibitedByLaw => "SI 2008/386 reg 4(c)",
            Self::KeptVacantByPublicAuthority => "SI 2008/386 reg 4(d)",
            Self::ListedBuilding => "SI 2008/386 reg 4(e)",
            Self::AncientMonument => "SI 2008/386 reg 4(f)",
            Self::RateableValueBelow2900 => "SI 2008/386 reg 4(g)",
            Self::PersonalRepresentative => "SI 2008/386 reg 4(h)",
            Self::Bankruptcy => "SI 2008/386 reg 4(i)",
            Self::DeedOfArrangement => "SI 2008/386 reg 4(j)",
            Self::WindingUp => "SI 2008/386 reg 4(k)",
            Self::Administration => "SI 2008/386 reg 4(l)",
            Self::Liquidator => "SI 2008/386 reg 4(m)",
            Self::CharityNextUse => "LGFA 1988 s45A(2)(a)",
            Self::SportsClubNextUse => "LGFA 1988 s45A(2)(b)",
        }
    }

    /// The condition, as a charge line shows it.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::ProhibitedByLaw => "occupation prohibited by law",
            Self::KeptVacantByPublicAuthority => "kept vacant by a public authority",
            Self::ListedBuilding => "listed building",
            Self::AncientMonument => "scheduled ancient monument",
            Self::RateableValueBelow2900 => "rateable value below £2,900",
            Self::PersonalRepresentative => "owner holds only as personal representative of a deceased person",
            Self::Bankruptcy => "owner's estate subject to a bankruptcy order",
            Self::DeedOfArrangement => "owner holds as trustee under a deed of arrangement",
            Self::WindingUp => "owner company being wound up",
            Self::Administration => "owner company in administration",
            Self::Liquidator => "owner holds as liquidator",
            Self::CharityNextUse => "charity owner, next use charitable",
            Self::SportsClubNextUse => "sports club owner, next use for the club",
        }
    }

    /// What ends it: the last day empty without rates is the day before this happens (or the
    /// property is occupied).
    #[must_use]
    pub const fn ends_when(self) -> &'static str {
        match self {
            Self::ProhibitedByLaw => "the prohibition is lifted",
            Self::KeptVacantByPublicAuthority => "the authority's action ends",
            Self::ListedBuilding => "the building is removed from the list or the preservation notice lapses",
            Self::AncientMonument => "the monument is removed from the schedule",
            Self::RateableValueBelow2900 => "the rateable value is £2,900 or more",
            Self::PersonalRepresentative => {
                "the owner holds other than as personal representative (e.g. the property passes to a beneficiary \
                 or is sold); the grant of probate alone does not end it"
            }
            Self::Bankruptcy => "the bankruptcy order is discharged or annulled",
            Self::DeedOfArrangement => "the trusteeship ends",
            Self::WindingUp => "the winding up ends or the company no longer owns the property",
            Self::Administration => "the administration ends",
            Self::Liquidator => "the liquidator no longer holds the property",
            Self::CharityNextUse => "the next use is no longer expected to be charitable, or the owner changes",
            Self::SportsClubNextUse => "the next use is no longer expected to be the club's, or the owner changes",
        }
    }
}

impl fmt::Display for EmptyExemption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no exemption.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown empty property exemption {0:?}")]
pub struct ParseEmptyExemptionError(String);

impl FromStr for EmptyExemption {
    type Err = ParseEmptyExemptionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| ParseEmptyExemptionError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exemption_reads_back_from_its_code_and_names_si_2008_386_or_s45a() {
        for e in EmptyExemption::ALL {
            assert_eq!(e.as_str().parse::<EmptyExemption>(), Ok(e));
            assert_eq!(serde_json::to_value(e).ok(), Some(serde_json::Value::String(e.as_str().to_owned())));
            assert!(e.source().starts_with("SI 2008/386 reg 4(") || e.source().starts_with("LGFA 1988 s45A(2)"));
            assert!(!e.ends_when().is_empty() && !e.description().is_empty());
        }
        assert!("listed".parse::<EmptyExemption>().is_err());
    }
}

//! Business Rates reliefs for a period (`domain.md` §3.1–§3.2): small business, charitable and
//! empty property relief (with its exemptions, SI 2008/386 reg 4, and the 13-week reoccupation
//! rule, reg 5 as amended by SI 2024/323), and the retail, hospitality and leisure relief a
//! business has on its other hereditaments (counted against the 2025/26 cash cap).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use postroom_charges::{EmptyExemption, EmptySpell, RateableValue, continued_spells};

use super::rules::{Rule, apply_end, end_ok, months_last_day, period_of, period_ok};
use crate::state::{AccountState, Adjustment, Context, category};

/// A Business Rates relief (`domain.md` §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReliefKind {
    /// Small Business Rate Relief: 100% to RV £12,000, tapered to nothing at £15,000.
    SmallBusiness,
    /// Mandatory charitable / CASC relief: 80%.
    Charitable,
    /// Empty property: no rates for 3 months (6 for qualifying industrial), or while an
    /// exemption's condition holds.
    EmptyProperty,
    /// Retail, hospitality and leisure relief the business has on its other hereditaments in
    /// the period (`amount_pence`): it leaves less of the year's cash cap for this account.
    RhlReceivedElsewhere,
}

impl ReliefKind {
    /// The stored code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmallBusiness => "small_business",
            Self::Charitable => "charitable",
            Self::EmptyProperty => "empty_property",
            Self::RhlReceivedElsewhere => "rhl_received_elsewhere",
        }
    }
}

/// A relief from a date. Empty property relief records the empty spell: `from` is the day the
/// property became empty and `to` (when known) the last day it was empty; the bill charges no
/// rates for the first 3 months of it (6 for qualifying industrial) and full rates after,
/// unless an `exemption` holds (then none while it does: end the relief the day before its
/// condition ends). A spell starting less than 13 weeks after an earlier one ended (6 weeks for
/// a reoccupation before 1 April 2024) continues that spell's relief window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReliefGrant {
    pub account: String,
    pub relief: ReliefKind,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Empty property relief: a qualifying industrial hereditament (6 months, not 3).
    #[serde(default)]
    pub qualifying_industrial: bool,
    /// Empty property relief: the exemption from the empty rate that applies (SI 2008/386 reg
    /// 4, LGFA 1988 s45A(2)), e.g. `listed_building`, `personal_representative`,
    /// `charity_next_use`. A rateable value below £2,900 is applied from the valuation and is
    /// not recorded.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub exemption: Option<EmptyExemption>,
    /// `rhl_received_elsewhere`: the relief, in pence, the business has on its other
    /// hereditaments in the period (which must lie within one financial year).
    #[serde(default)]
    pub amount_pence: Option<i64>,
}

/// The last day a relief applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReliefEnd {
    pub account: String,
    pub relief: ReliefKind,
    pub last_day: NaiveDate,
}

/// The highest rateable value with small business rate relief (tapered to nothing at £15,000).
pub const SMALL_BUSINESS_RV_MAX: u32 = 14_999;
/// Months of empty property relief.
const EMPTY_RELIEF_MONTHS: u32 = 3;
/// Months of empty property relief for a qualifying industrial hereditament.
const EMPTY_INDUSTRIAL_RELIEF_MONTHS: u32 = 6;

/// Small business rate relief on `rv` as a percentage, to two decimal places (e.g. £13,500 →
/// 50, £13,001 → 66.63); whole percentages are whole numbers.
#[must_use]
fn small_business_percent(rv: u32) -> serde_json::Value {
    let (num, den) = postroom_charges::small_business_relief(RateableValue::pounds(rv));
    let hundredths = (u64::from(num) * 10_000 + u64::from(den) / 2) / u64::from(den);
    if hundredths % 100 == 0 {
        json!(hundredths / 100)
    } else {
        let hundredths = u32::try_from(hundredths).unwrap_or(u32::MAX);
        json!(f64::from(hundredths) / 100.0)
    }
}

impl ReliefGrant {
    /// The last day of the empty spell without rates (3 months, 6 for qualifying industrial),
    /// counting from `counts_from`.
    fn empty_limit(&self, counts_from: NaiveDate) -> NaiveDate {
        let months = if self.qualifying_industrial { EMPTY_INDUSTRIAL_RELIEF_MONTHS } else { EMPTY_RELIEF_MONTHS };
        months_last_day(counts_from, months)
    }

    /// What an empty property relief records: the exemption and what ends it, or the last day
    /// without rates, counted from an earlier spell's start when this one continues it.
    fn empty_details(&self, state: &AccountState) -> serde_json::Value {
        let mut spells: Vec<EmptySpell> = state
            .adjustments
            .iter()
            .filter(|a| a.category == category::RELIEF && a.code == ReliefKind::EmptyProperty.as_str())
            .map(|a| EmptySpell { from: a.from, to: a.to })
            .collect();
        spells.push(EmptySpell { from: self.from, to: self.to });
        let continued = continued_spells(&spells).pop().flatten();
        let counts_from = continued.map_or(self.from, |c| c.counts_from);
        let mut details = json!({ "qualifying_industrial": self.qualifying_industrial });
        if let Some(exemption) = self.exemption {
            details["exemption"] = json!(exemption);
            details["exemption_source"] = json!(exemption.source());
            details["exempt_until"] = json!(exemption.ends_when());
        } else {
            details["relief_until"] = json!(self.empty_limit(counts_from));
        }
        if let Some(c) = continued {
            details["empty_since"] = json!(c.counts_from);
            details["continues_earlier_spell"] = json!(c.explain(self.from));
        }
        details
    }

    /// Refuses an exemption or amount given with the wrong relief, a recorded rateable value
    /// exemption, and an RHL figure that is missing, not positive or spans two years.
    fn details_ok(&self, errors: &mut Vec<String>) {
        if let Some(exemption) = self.exemption {
            if self.relief != ReliefKind::EmptyProperty {
                errors.push(format!("exemption applies only to empty_property relief, not {}", self.relief.as_str()));
            } else if exemption == EmptyExemption::RateableValueBelow2900 {
                errors.push(
                    "rateable_value_below_2900 is not recorded: the bill applies it on every empty day whose \
                     rateable value is below £2,900 (SI 2008/386 reg 4(g))"
                        .to_owned(),
                );
            }
        }
        match (self.relief, self.amount_pence) {
            (ReliefKind::RhlReceivedElsewhere, None) => {
                errors.push(
                    "rhl_received_elsewhere needs amount_pence: the relief the business has elsewhere".to_owned(),
                );
            }
            (ReliefKind::RhlReceivedElsewhere, Some(p)) if p <= 0 => {
                errors.push("amount_pence must be more than zero".to_owned());
            }
            (ReliefKind::RhlReceivedElsewhere, Some(_)) => {
                let year = postroom_charges::FinancialYear::containing(self.from).ok();
                if self.to.is_none_or(|to| year.is_none_or(|y| !y.contains(to))) {
                    errors.push(
                        "rhl_received_elsewhere is for one financial year: give a to date in the year of from"
                            .to_owned(),
                    );
                }
            }
            (other, Some(_)) => {
                errors.push(format!("amount_pence applies only to rhl_received_elsewhere, not {}", other.as_str()));
            }
            (_, None) => {}
        }
    }
}

impl Rule for ReliefGrant {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        period_ok(self.from, self.to, ctx.today, errors);
        if self.qualifying_industrial && self.relief != ReliefKind::EmptyProperty {
            errors.push(format!(
                "qualifying_industrial applies only to empty_property relief, not {}",
                self.relief.as_str()
            ));
        }
        self.details_ok(errors);
        match self.relief {
            ReliefKind::SmallBusiness => match state.rateable_value_on(self.from) {
                None => errors.push(format!(
                    "account {}'s property has no rateable value: small business rate relief depends on it",
                    state.reference
                )),
                Some(rv) if rv > SMALL_BUSINESS_RV_MAX => errors.push(format!(
                    "small business rate relief needs a rateable value of £{SMALL_BUSINESS_RV_MAX} or less: the \
                     property's is £{rv} on {}",
                    self.from
                )),
                Some(_) => {}
            },
            ReliefKind::EmptyProperty | ReliefKind::Charitable | ReliefKind::RhlReceivedElsewhere => {}
        }
        let to = self.to;
        if let Some(other) = state.overlapping(category::RELIEF, self.from, to).find(|a| a.code == self.relief.as_str())
        {
            errors.push(format!(
                "account {} already has {} relief {} in that period",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
        let excludes = match self.relief {
            ReliefKind::SmallBusiness => Some(ReliefKind::Charitable),
            ReliefKind::Charitable => Some(ReliefKind::SmallBusiness),
            ReliefKind::EmptyProperty | ReliefKind::RhlReceivedElsewhere => None,
        };
        if let Some(excluded) = excludes
            && let Some(other) =
                state.overlapping(category::RELIEF, self.from, to).find(|a| a.code == excluded.as_str())
        {
            errors.push(format!(
                "account {} has {} relief {} in that period: small business rate relief is not given with \
                 mandatory charitable relief",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let mut relief = Adjustment::new(category::RELIEF, self.relief.as_str(), self.from, self.to);
        relief.details = match self.relief {
            ReliefKind::SmallBusiness => match state.rateable_value_on(self.from) {
                Some(rv) => json!({ "percent": small_business_percent(rv), "rateable_value": rv }),
                None => serde_json::Value::Null,
            },
            ReliefKind::Charitable => json!({ "percent": 80 }),
            ReliefKind::EmptyProperty => self.empty_details(state),
            ReliefKind::RhlReceivedElsewhere => json!({ "amount_pence": self.amount_pence }),
        };
        state.adjustments.push(relief);
    }
}

impl Rule for ReliefEnd {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let what = format!("{} relief", self.relief.as_str());
        end_ok(state, category::RELIEF, &|a| a.code == self.relief.as_str(), &what, self.last_day, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        apply_end(state, category::RELIEF, &|a| a.code == self.relief.as_str(), self.last_day);
    }
}

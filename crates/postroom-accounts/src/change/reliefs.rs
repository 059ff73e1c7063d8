//! Business Rates reliefs for a period (`domain.md` §3.2): small business, charitable and empty
//! property relief.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use postroom_charges::RateableValue;

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
    /// Empty property: no rates for 3 months (6 for qualifying industrial).
    EmptyProperty,
}

impl ReliefKind {
    /// The stored code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmallBusiness => "small_business",
            Self::Charitable => "charitable",
            Self::EmptyProperty => "empty_property",
        }
    }
}

/// A relief from a date. Empty property relief records the empty spell: `from` is the day the
/// property became empty and `to` (when known) the last day it was empty; the bill charges no
/// rates for the first 3 months of it (6 for qualifying industrial) and full rates after.
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
    /// The last day of the empty spell without rates (3 months, 6 for qualifying industrial).
    fn empty_limit(&self) -> NaiveDate {
        let months = if self.qualifying_industrial { EMPTY_INDUSTRIAL_RELIEF_MONTHS } else { EMPTY_RELIEF_MONTHS };
        months_last_day(self.from, months)
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
            ReliefKind::EmptyProperty | ReliefKind::Charitable => {}
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
            ReliefKind::EmptyProperty => None,
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
            ReliefKind::EmptyProperty => json!({
                "qualifying_industrial": self.qualifying_industrial,
                "relief_until": self.empty_limit(),
            }),
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

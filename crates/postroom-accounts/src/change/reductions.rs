//! What reduces or raises a Council Tax bill for a period: discounts (their changes are declared
//! in the parent module), premiums and the disabled band reduction (exemptions are in
//! `exemptions`, premium exceptions in `premium_exceptions`). Reliefs, their
//! Business Rates counterpart, are in `reliefs`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{Rule, add_months, apply_end, end_ok, months_last_day, period_of, period_ok, text_ok, whole_years};
use super::{DiscountEnd, DiscountGrant, MAX_TEXT};
use crate::state::{AccountState, Adjustment, Context, DiscountClass, category};

/// Which Council Tax premium (`domain.md` §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PremiumType {
    /// Unoccupied and substantially unfurnished for a year or more: 100% (1–5 years), 200%
    /// (5–10), 300% (10+).
    LongTermEmpty,
    /// Furnished with no resident: 100%, from 1 April 2025 at the earliest.
    SecondHome,
}

impl PremiumType {
    /// The stored code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LongTermEmpty => "long_term_empty",
            Self::SecondHome => "second_home",
        }
    }
}

/// A premium from a date. A long-term empty premium needs the day the dwelling first became
/// empty: its tier follows from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Premium {
    pub account: String,
    pub premium: PremiumType,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Long-term empty: first day empty (the clock is not reset by a sale; occupation of six
    /// weeks or less is ignored).
    pub empty_since: Option<NaiveDate>,
}

/// The last day a premium applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PremiumEnd {
    pub account: String,
    pub premium: PremiumType,
    pub last_day: NaiveDate,
}

/// The disabled band reduction from a date (`domain.md` §1.6): charged one band lower.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisabledBandReduction {
    pub account: String,
    /// The qualifying feature (extra room, second bathroom or kitchen, wheelchair space).
    pub feature: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// The last day the disabled band reduction applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisabledBandReductionEnd {
    pub account: String,
    pub last_day: NaiveDate,
}

/// Class D discount lasts at most this many months.
const CLASS_D_DISCOUNT_MONTHS: u32 = 12;
/// The earliest day a second-home premium can apply (LURA 2023 s80).
const SECOND_HOME_PREMIUM_START: NaiveDate = match NaiveDate::from_ymd_opt(2025, 4, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// The code of the disabled band reduction adjustment (only one per dwelling).
const DISABLED_BAND_REDUCTION: &str = "disabled_band_reduction";

/// Discounts that mean someone lives in the dwelling, so no empty or second-home premium.
fn occupied_discount(a: &Adjustment) -> bool {
    a.category == category::DISCOUNT
        && (a.code == DiscountClass::SinglePerson.as_str() || a.code == DiscountClass::AllDisregarded.as_str())
}

/// Refuses a premium running in `from..=to`: `why` says what rules it out.
pub(super) fn no_premium(
    state: &AccountState,
    from: NaiveDate,
    to: Option<NaiveDate>,
    why: &str,
    errors: &mut Vec<String>,
) {
    if let Some(p) = state.overlapping(category::PREMIUM, from, to).next() {
        errors.push(format!(
            "account {} has a {} premium {} in that period: {why}; end the premium first",
            state.reference,
            p.code,
            period_of(p)
        ));
    }
}

impl Rule for DiscountGrant {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        period_ok(self.from, self.to, ctx.today, errors);
        if self.discount == DiscountClass::ClassD {
            let limit = months_last_day(self.from, CLASS_D_DISCOUNT_MONTHS);
            match self.to {
                None => errors.push("a class D discount lasts at most 12 months: give its last day as to".to_owned()),
                Some(to) if to > limit => {
                    errors.push(format!("a class D discount lasts at most 12 months: to must be on or before {limit}"));
                }
                Some(_) => {}
            }
        }
        if let Some(other) = state.overlapping(category::DISCOUNT, self.from, self.to).next() {
            errors.push(format!(
                "account {} already has a {} discount {} in that period",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
        if matches!(self.discount, DiscountClass::SinglePerson | DiscountClass::AllDisregarded) {
            no_premium(state, self.from, self.to, "a discount for residents means the dwelling is lived in", errors);
        }
    }

    fn apply(&self, state: &mut AccountState) {
        state.adjustments.push(Adjustment::new(category::DISCOUNT, self.discount.as_str(), self.from, self.to));
    }
}

impl Rule for DiscountEnd {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let what = format!("{} discount", self.discount.as_str());
        end_ok(state, category::DISCOUNT, &|a| a.code == self.discount.as_str(), &what, self.last_day, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        apply_end(state, category::DISCOUNT, &|a| a.code == self.discount.as_str(), self.last_day);
    }
}

/// The long-term empty premium percentage after `years` empty (`domain.md` §1.5).
fn empty_premium_percent(years: u32) -> u32 {
    match years {
        10.. => 300,
        5.. => 200,
        _ => 100,
    }
}

impl Rule for Premium {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        period_ok(self.from, self.to, ctx.today, errors);
        match (self.premium, self.empty_since) {
            (PremiumType::LongTermEmpty, None) => errors.push(
                "a long_term_empty premium needs empty_since, the day the dwelling became empty (its tier follows \
                 from it)"
                    .to_owned(),
            ),
            (PremiumType::LongTermEmpty, Some(since)) if since > self.from => {
                errors.push(format!("empty_since {since} is after from {}", self.from));
            }
            (PremiumType::LongTermEmpty, Some(since)) if whole_years(since, self.from) < 1 => errors.push(format!(
                "a long_term_empty premium needs the dwelling empty for at least a year on from: empty since {since}, \
                 so from must be on or after {}",
                add_months(since, 12)
            )),
            (PremiumType::SecondHome, Some(_)) => errors
                .push("empty_since applies only to a long_term_empty premium (a second home is furnished)".to_owned()),
            (PremiumType::SecondHome, None) if self.from < SECOND_HOME_PREMIUM_START => errors.push(format!(
                "a second_home premium applies from {SECOND_HOME_PREMIUM_START} at the earliest: from is {}",
                self.from
            )),
            _ => {}
        }
        if let Some(other) = state.overlapping(category::PREMIUM, self.from, self.to).next() {
            errors.push(format!(
                "account {} already has a {} premium {} in that period",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
        if let Some(e) = state.overlapping(category::EXEMPTION, self.from, self.to).next() {
            errors.push(format!(
                "account {} has a class {} exemption {} in that period: an exempt dwelling pays no premium",
                state.reference,
                e.code,
                period_of(e)
            ));
        }
        if let Some(d) = state.adjustments.iter().find(|a| occupied_discount(a) && a.overlaps(self.from, self.to)) {
            errors.push(format!(
                "account {} has a {} discount {} in that period: someone lives there, so no {} premium",
                state.reference,
                d.code,
                period_of(d),
                self.premium.as_str()
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let mut premium = Adjustment::new(category::PREMIUM, self.premium.as_str(), self.from, self.to);
        premium.details = match (self.premium, self.empty_since) {
            // The most the law allows on `from`; the bill charges the council's percentage for
            // the tier each day is in (it moves up on the 5th and 10th anniversaries).
            (PremiumType::LongTermEmpty, Some(since)) => json!({
                "maximum_percent": empty_premium_percent(whole_years(since, self.from)),
                "empty_since": since,
            }),
            _ => json!({ "maximum_percent": 100 }),
        };
        state.adjustments.push(premium);
    }
}

impl Rule for PremiumEnd {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let what = format!("{} premium", self.premium.as_str());
        end_ok(state, category::PREMIUM, &|a| a.code == self.premium.as_str(), &what, self.last_day, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        apply_end(state, category::PREMIUM, &|a| a.code == self.premium.as_str(), self.last_day);
    }
}

impl Rule for DisabledBandReduction {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        text_ok("feature", &self.feature, MAX_TEXT, errors);
        period_ok(self.from, self.to, ctx.today, errors);
        if state.property.band.is_none() {
            errors.push(format!(
                "account {}'s property has no band: the disabled band reduction charges one band lower",
                state.reference
            ));
        }
        if let Some(other) = state.overlapping(category::DISABLED_BAND_REDUCTION, self.from, self.to).next() {
            errors.push(format!(
                "account {} already has the disabled band reduction {} in that period: only one per dwelling",
                state.reference,
                period_of(other)
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let mut reduction =
            Adjustment::new(category::DISABLED_BAND_REDUCTION, DISABLED_BAND_REDUCTION, self.from, self.to);
        reduction.details = json!({ "feature": self.feature.trim() });
        state.adjustments.push(reduction);
    }
}

impl Rule for DisabledBandReductionEnd {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let what = "disabled band reduction";
        end_ok(state, category::DISABLED_BAND_REDUCTION, &|_| true, what, self.last_day, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        apply_end(state, category::DISABLED_BAND_REDUCTION, &|_| true, self.last_day);
    }
}

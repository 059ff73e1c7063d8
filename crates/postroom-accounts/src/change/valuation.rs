//! Changes to the valuation list entry (`domain.md` §5). Council Tax (SI 2009/2270 reg 11): a
//! material reduction in a band is backdated to the day it happened, a material increase takes
//! effect no earlier than the day the list was altered. Business Rates (SI 2009/2268, the
//! Valuation Officer's alteration; the council rebills from the effective date with a refund or a
//! backdated demand): a rateable value change, up or down, takes effect from the Valuation
//! Officer's effective date, which may be before the list was altered.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use postroom_charges::Band;

use super::rules::{Rule, add_months};
use crate::state::{AccountState, Adjustment, Context, category};

/// A Council Tax band change from the Valuation Office's schedule of alterations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandChange {
    pub account: String,
    #[schema(value_type = String, example = "C")]
    pub band: Band,
    /// The day the new band takes effect.
    pub effective_from: NaiveDate,
    /// The day the listing officer altered the list.
    pub list_altered_on: NaiveDate,
}

/// A Business Rates rateable value change from the Valuation Officer's notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateableValueChange {
    pub account: String,
    /// The new rateable value in whole pounds.
    pub rateable_value: u32,
    pub effective_from: NaiveDate,
    pub list_altered_on: NaiveDate,
}

/// A change takes effect at most this many months after the list was altered.
const EFFECTIVE_MONTHS_AFTER_ALTERATION: u32 = 12;

/// What a band and a rateable value change share: the value's name, the code prefix of its
/// valuation records, and how it reads.
pub(super) struct Valuation<'a> {
    /// `band` or `rateable value`.
    what: &'static str,
    /// `band:` or `rv:`.
    prefix: &'static str,
    /// The property's current value, as shown and whether the new one is lower, if it has one.
    current: Option<(String, bool)>,
    /// Whether an increase may take effect before the list was altered (Business Rates: from
    /// the Valuation Officer's effective date; a Council Tax band increase never is).
    increase_backdated: bool,
    new: String,
    effective_from: NaiveDate,
    list_altered_on: NaiveDate,
    state: &'a AccountState,
}

impl Valuation<'_> {
    /// Whether the new value is lower than the property's current one (a reduction, which may
    /// be backdated and then creates a refund).
    pub(super) fn is_reduction(&self) -> bool {
        matches!(self.current, Some((_, true)))
    }

    fn check(&self, today: NaiveDate, errors: &mut Vec<String>) {
        let Valuation { what, effective_from, list_altered_on, state, .. } = *self;
        if list_altered_on > today {
            errors.push(format!("list_altered_on {list_altered_on} is in the future"));
        }
        let latest = add_months(list_altered_on, EFFECTIVE_MONTHS_AFTER_ALTERATION);
        if effective_from > latest {
            errors.push(format!(
                "effective_from must be no later than a year after list_altered_on: on or before {latest}"
            ));
        }
        match &self.current {
            None => errors.push(format!("account {}'s property has no {what} to change from", state.reference)),
            Some((current, _)) if *current == self.new => {
                errors.push(format!("the {what} is already {current}: a change needs a different value"));
            }
            Some((_, false)) if !self.increase_backdated && effective_from < list_altered_on => {
                errors.push(format!(
                    "a band increase cannot be backdated (SI 2009/2270 reg 11): effective_from must be on or \
                     after list_altered_on ({list_altered_on})"
                ));
            }
            Some(_) => {}
        }
        if let Some(last) = state.valuations(self.prefix).last().filter(|a| a.from >= effective_from) {
            errors.push(format!(
                "effective_from must be after the last {what} change ({} from {})",
                last.code.trim_start_matches(self.prefix),
                last.from
            ));
        }
    }
}

impl BandChange {
    pub(super) fn valuation<'a>(&self, state: &'a AccountState) -> Valuation<'a> {
        Valuation {
            what: "band",
            prefix: "band:",
            current: state.property.band.map(|b| (b.to_string(), self.band < b)),
            increase_backdated: false,
            new: self.band.to_string(),
            effective_from: self.effective_from,
            list_altered_on: self.list_altered_on,
            state,
        }
    }
}

impl Rule for BandChange {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        self.valuation(state).check(ctx.today, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        let mut record =
            Adjustment::new(category::VALUATION, &format!("band:{}", self.band), self.effective_from, None);
        record.details = json!({ "previous": state.property.band.map(|b| b.to_string()) });
        state.adjustments.push(record);
        state.property.band = Some(self.band);
    }
}

impl RateableValueChange {
    pub(super) fn valuation<'a>(&self, state: &'a AccountState) -> Valuation<'a> {
        Valuation {
            what: "rateable value",
            prefix: "rv:",
            current: state.property.rateable_value.map(|rv| (rv.to_string(), self.rateable_value < rv)),
            increase_backdated: true,
            new: self.rateable_value.to_string(),
            effective_from: self.effective_from,
            list_altered_on: self.list_altered_on,
            state,
        }
    }
}

impl Rule for RateableValueChange {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        if self.rateable_value == 0 {
            errors.push("rateable_value must be more than zero".to_owned());
        }
        self.valuation(state).check(ctx.today, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        let mut record =
            Adjustment::new(category::VALUATION, &format!("rv:{}", self.rateable_value), self.effective_from, None);
        record.details = json!({ "previous": state.property.rateable_value });
        state.adjustments.push(record);
        state.property.rateable_value = Some(self.rateable_value);
    }
}

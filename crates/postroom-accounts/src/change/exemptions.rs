//! Council Tax exempt dwellings (SI 1992/558, `domain.md` §1.4): granting an exemption class
//! from a date and ending it, with class B's six months and class F's end after probate.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use postroom_charges::ExemptionClass;

use super::reductions::no_premium;
use super::rules::{Rule, apply_end, end_ok, months_last_day, period_of, period_ok};
use crate::state::{AccountState, Adjustment, Context, category};

/// An exempt-dwelling class from a date (`domain.md` §1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionGrant {
    pub account: String,
    /// B or D–W.
    #[schema(value_type = String, example = "F")]
    pub class: ExemptionClass,
    pub from: NaiveDate,
    /// Last day, when known. Class B lasts at most 6 months; class F ends the day before six
    /// months from the grant of probate.
    pub to: Option<NaiveDate>,
    /// Class F: the day probate (or letters of administration) was granted, once it has been.
    pub probate_granted_on: Option<NaiveDate>,
}

/// The last day an exemption applies. For class F, `probate_granted_on` instead (or as well):
/// the exemption then ends the day before six months from the grant (SI 1992/558 art. 3 class
/// F as amended in 1994: exempt while "less than six months have elapsed since the date of the
/// grant"), and the grant date is recorded on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionEnd {
    pub account: String,
    #[schema(value_type = String, example = "F")]
    pub class: ExemptionClass,
    /// The last day it applies; for class F with `probate_granted_on`, at most the day before
    /// six months from the grant (filled in when absent).
    pub last_day: Option<NaiveDate>,
    /// Class F: the day probate (or letters of administration) was granted.
    pub probate_granted_on: Option<NaiveDate>,
}

/// Class B lasts at most this many months.
const CLASS_B_MONTHS: u32 = 6;
/// Class F runs while less than this many months have elapsed since probate was granted.
const CLASS_F_MONTHS_AFTER_PROBATE: u32 = 6;

impl ExemptionGrant {
    fn is_class(&self, letter: char) -> bool {
        self.class.letter() == letter
    }

    /// The last day class F can run to once probate is granted.
    fn probate_limit(&self) -> Option<NaiveDate> {
        self.probate_granted_on.filter(|_| self.is_class('F')).map(class_f_last_day)
    }

    /// Its last day as recorded: given, or for class F after probate the latest allowed.
    fn last_day(&self) -> Option<NaiveDate> {
        self.to.or_else(|| self.probate_limit())
    }
}

impl Rule for ExemptionGrant {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        period_ok(self.from, self.to, ctx.today, errors);
        if self.is_class('B') {
            let limit = months_last_day(self.from, CLASS_B_MONTHS);
            match self.to {
                None => errors.push("a class B exemption lasts at most 6 months: give its last day as to".to_owned()),
                Some(to) if to > limit => {
                    errors.push(format!("a class B exemption lasts at most 6 months: to must be on or before {limit}"));
                }
                Some(_) => {}
            }
        }
        match (self.probate_granted_on, self.probate_limit()) {
            (Some(_), None) => errors.push(format!(
                "probate_granted_on applies only to class F (left empty since a death), not class {}",
                self.class
            )),
            (Some(granted), Some(limit)) => {
                if granted > ctx.today {
                    errors.push(format!("probate_granted_on {granted} is in the future"));
                }
                if limit < self.from {
                    errors.push(format!(
                        "a class F exemption ends the day before six months from the grant of probate ({limit}), \
                         which is before from (SI 1992/558 class F)"
                    ));
                } else if self.to.is_some_and(|to| to > limit) {
                    errors.push(format!(
                        "a class F exemption ends the day before six months from the grant of probate ({granted}): \
                         to must be on or before {limit} (SI 1992/558 class F)"
                    ));
                }
            }
            (None, _) => {}
        }
        let to = self.last_day();
        if let Some(other) = state.overlapping(category::EXEMPTION, self.from, to).next() {
            errors.push(format!(
                "account {} already has a class {} exemption {} in that period",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
        no_premium(state, self.from, to, "an exempt dwelling pays no premium", errors);
    }

    fn apply(&self, state: &mut AccountState) {
        let mut exemption = Adjustment::new(category::EXEMPTION, &self.class.to_string(), self.from, self.last_day());
        if let Some(granted) = self.probate_granted_on {
            exemption.details = json!({ "probate_granted_on": granted });
        }
        state.adjustments.push(exemption);
    }
}

/// The last day of a class F exemption after probate was granted on `granted`: the day before
/// six months from the grant (SI 1992/558 class F).
pub(crate) fn class_f_last_day(granted: NaiveDate) -> NaiveDate {
    months_last_day(granted, CLASS_F_MONTHS_AFTER_PROBATE)
}

impl ExemptionEnd {
    /// Its last day: given, or for class F the day before six months from the grant.
    fn last_day(&self) -> Option<NaiveDate> {
        self.last_day.or_else(|| self.probate_granted_on.filter(|_| self.class.letter() == 'F').map(class_f_last_day))
    }
}

impl Rule for ExemptionEnd {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        let (class, what) = (self.class.to_string(), format!("class {} exemption", self.class));
        match (self.probate_granted_on, self.class.letter()) {
            (Some(_), c) if c != 'F' => errors.push(format!(
                "probate_granted_on applies only to class F (left empty since a death), not class {}",
                self.class
            )),
            (Some(granted), _) => {
                let limit = class_f_last_day(granted);
                if granted > ctx.today {
                    errors.push(format!("probate_granted_on {granted} is in the future"));
                }
                if self.last_day.is_some_and(|l| l > limit) {
                    errors.push(format!(
                        "a class F exemption ends the day before six months from the grant of probate ({granted}): \
                         last_day must be on or before {limit} (SI 1992/558 class F)"
                    ));
                }
            }
            (None, _) if self.last_day.is_none() => {
                errors.push("last_day is required (for class F, or probate_granted_on)".to_owned());
            }
            (None, _) => {}
        }
        if let Some(last_day) = self.last_day() {
            end_ok(state, category::EXEMPTION, &|a| a.code == class, &what, last_day, errors);
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let class = self.class.to_string();
        let Some(last_day) = self.last_day() else { return };
        if let Some(granted) = self.probate_granted_on
            && let Some(a) = state
                .adjustments
                .iter_mut()
                .find(|a| a.category == category::EXEMPTION && a.code == class && a.runs_on(last_day))
        {
            a.details = json!({ "probate_granted_on": granted });
        }
        apply_end(state, category::EXEMPTION, &|a| a.code == class, last_day);
    }
}

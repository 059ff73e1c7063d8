//! Exceptions to the Council Tax premiums (SI 2024/1007, amending SI 2003/3011; `domain.md`
//! §1.5): from 1 April 2025 a long-term empty or second-home premium is not charged on a day the
//! dwelling falls in an exception class. The bill leaves the premium off those days
//! (`bill::exceptions`); these changes record and end an exception.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{Rule, apply_end, end_ok, months_last_day, period_of, period_ok};
use crate::state::{AccountState, Adjustment, Context, category};

/// A premium exception class of SI 2024/1007.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ExceptionClass {
    /// Would be the owner's main home but for job-related armed forces accommodation.
    E,
    /// An annex forming, or treated as, part of the main dwelling.
    F,
    /// Actively marketed for sale: 12 months, once per owner.
    G,
    /// Actively marketed for let: 12 months.
    H,
    /// Probate recently granted (was exempt under class F): 12 months from the grant.
    I,
    /// A job-related dwelling (second homes only).
    J,
    /// An occupied caravan pitch or boat mooring (second homes only).
    K,
    /// A seasonal home where year-round or permanent occupation is prohibited (second homes only).
    L,
    /// Requiring or undergoing major repair or structural alteration: 12 months (long-term empty
    /// only).
    M,
}

/// Which premiums an exception takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excepts {
    /// Both the long-term empty and the second-home premium (E–I).
    Both,
    /// The second-home premium only (J–L).
    SecondHomeOnly,
    /// The long-term empty premium only (M).
    LongTermEmptyOnly,
}

/// The first day an exception applies: SI 2024/1007 (in force 1 November 2024) applies from the
/// financial year beginning 1 April 2025.
pub const EXCEPTIONS_START: NaiveDate = match NaiveDate::from_ymd_opt(2025, 4, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// Classes G, H, I and M last at most this many months.
const LIMITED_MONTHS: u32 = 12;

impl ExceptionClass {
    /// Every class.
    pub const ALL: [Self; 9] = [Self::E, Self::F, Self::G, Self::H, Self::I, Self::J, Self::K, Self::L, Self::M];

    /// The stored code (the class letter).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::E => "E",
            Self::F => "F",
            Self::G => "G",
            Self::H => "H",
            Self::I => "I",
            Self::J => "J",
            Self::K => "K",
            Self::L => "L",
            Self::M => "M",
        }
    }

    /// The class stored as `code`.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// Which premiums it takes off.
    #[must_use]
    pub fn excepts(self) -> Excepts {
        match self {
            Self::E | Self::F | Self::G | Self::H | Self::I => Excepts::Both,
            Self::J | Self::K | Self::L => Excepts::SecondHomeOnly,
            Self::M => Excepts::LongTermEmptyOnly,
        }
    }

    /// Whether it lasts at most 12 months (G, H, I from the grant of probate, M).
    #[must_use]
    pub fn limited(self) -> bool {
        matches!(self, Self::G | Self::H | Self::I | Self::M)
    }
}

/// A premium exception from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PremiumException {
    pub account: String,
    pub class: ExceptionClass,
    pub from: NaiveDate,
    /// Last day. Classes G, H and M end at most 12 months after `from`, class I 12 months after
    /// the grant of probate; filled in when absent.
    pub to: Option<NaiveDate>,
    /// Class I: the day probate (or letters of administration) was granted.
    pub probate_granted_on: Option<NaiveDate>,
}

/// The last day a premium exception applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PremiumExceptionEnd {
    pub account: String,
    pub class: ExceptionClass,
    pub last_day: NaiveDate,
}

impl PremiumException {
    /// The latest day it may run to: 12 months from `from` (G, H, M) or from the grant (I).
    fn limit(&self) -> Option<NaiveDate> {
        match self.class {
            ExceptionClass::I => self.probate_granted_on.map(|g| months_last_day(g, LIMITED_MONTHS)),
            c if c.limited() => Some(months_last_day(self.from, LIMITED_MONTHS)),
            _ => None,
        }
    }

    /// Its last day as recorded: given, or the limit.
    fn last_day(&self) -> Option<NaiveDate> {
        self.to.or_else(|| self.limit())
    }

    /// The liable party on `from`: the owner class G is once for.
    fn owner(state: &AccountState, day: NaiveDate) -> Option<String> {
        state.parties.iter().find(|p| p.role == "liable" && p.liable_on(day)).map(|p| p.name.trim().to_lowercase())
    }
}

impl Rule for PremiumException {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        period_ok(self.from, self.to, ctx.today, errors);
        let class = self.class.as_str();
        if self.from < EXCEPTIONS_START {
            errors.push(format!(
                "premium exceptions apply from {EXCEPTIONS_START} (SI 2024/1007): from is {}",
                self.from
            ));
        }
        match (self.class, self.probate_granted_on) {
            (ExceptionClass::I, None) => errors.push(
                "a class I exception needs probate_granted_on: it lasts 12 months from the grant (SI 2024/1007)"
                    .to_owned(),
            ),
            (ExceptionClass::I, Some(granted)) if granted > self.from => {
                errors.push(format!("a class I exception starts on or after the grant of probate ({granted})"));
            }
            (ExceptionClass::I, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.push(format!("probate_granted_on applies only to class I, not class {class}")),
        }
        if let (Some(limit), Some(to)) = (self.limit(), self.to)
            && to > limit
        {
            let from = if self.class == ExceptionClass::I { "the grant of probate" } else { "from" };
            errors.push(format!(
                "a class {class} exception lasts at most 12 months from {from} (SI 2024/1007): to must be on or \
                 before {limit}"
            ));
        }
        if self.class == ExceptionClass::G {
            let owner = Self::owner(state, self.from);
            let earlier = state.adjustments.iter().find(|a| {
                a.category == category::PREMIUM_EXCEPTION
                    && a.code == class
                    && a.details.get("owner").and_then(|o| o.as_str()).map(str::to_owned) == owner
            });
            if let Some(e) = earlier {
                errors.push(format!(
                    "class G (marketed for sale) applies once per owner (SI 2024/1007): this owner had it {}",
                    period_of(e)
                ));
            }
        }
        if let Some(other) =
            state.overlapping(category::PREMIUM_EXCEPTION, self.from, self.last_day()).find(|a| a.code == class)
        {
            errors.push(format!(
                "account {} already has a class {class} premium exception {} in that period",
                state.reference,
                period_of(other)
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let mut exception =
            Adjustment::new(category::PREMIUM_EXCEPTION, self.class.as_str(), self.from, self.last_day());
        exception.details = match self.class {
            ExceptionClass::G => json!({ "owner": Self::owner(state, self.from) }),
            ExceptionClass::I => json!({ "probate_granted_on": self.probate_granted_on }),
            _ => serde_json::Value::Null,
        };
        state.adjustments.push(exception);
    }
}

impl Rule for PremiumExceptionEnd {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let class = self.class.as_str();
        let what = format!("class {class} premium exception");
        end_ok(state, category::PREMIUM_EXCEPTION, &|a| a.code == class, &what, self.last_day, errors);
    }

    fn apply(&self, state: &mut AccountState) {
        let class = self.class.as_str();
        apply_end(state, category::PREMIUM_EXCEPTION, &|a| a.code == class, self.last_day);
    }
}

//! How the customer pays and how arrears are recovered: instalment plan, payment arrangement,
//! recovery holds (`domain.md` §2.3) and their release.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::RecoveryStageChange;
use super::rules::{Rule, add_days, add_months, apply_end, end_ok, months_last_day, period_of};
use crate::state::{AccountState, Adjustment, ApprovalPolicy, Context, category};

/// 10 or 12 monthly instalments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentPlan {
    pub account: String,
    pub instalments: u32,
}

/// How often arrangement payments fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    Fortnightly,
    Monthly,
}

impl Frequency {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Fortnightly => "fortnightly",
            Self::Monthly => "monthly",
        }
    }
}

/// An agreement to clear arrears by regular payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentArrangement {
    pub account: String,
    /// Each payment, in pence.
    pub amount_pence: i64,
    pub frequency: Frequency,
    pub first_payment: NaiveDate,
    pub last_payment: NaiveDate,
}

/// Why recovery is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// Standard Breathing Space: 60 days.
    BreathingSpace,
    /// Mental Health Crisis Moratorium: the crisis treatment plus 30 days.
    MentalHealthCrisis,
    /// Debt Relief Order: a 12-month moratorium.
    DebtReliefOrder,
    Bankruptcy,
    /// Individual Voluntary Arrangement.
    Iva,
    /// A liability dispute or appeal.
    Dispute,
    /// A payment arrangement being kept to.
    Arrangement,
}

impl HoldReason {
    /// The stored code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BreathingSpace => "breathing_space",
            Self::MentalHealthCrisis => "mental_health_crisis",
            Self::DebtReliefOrder => "debt_relief_order",
            Self::Bankruptcy => "bankruptcy",
            Self::Iva => "iva",
            Self::Dispute => "dispute",
            Self::Arrangement => "arrangement",
        }
    }
}

/// Recovery stops from a date. Breathing Space and DRO holds end by themselves (60 days; 12
/// months); the others run until released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryHold {
    pub account: String,
    pub reason: HoldReason,
    pub from: NaiveDate,
    /// Last day, for the holds that do not end by themselves (e.g. a dispute's expected end).
    pub to: Option<NaiveDate>,
}

/// A hold ends. For a Mental Health Crisis Moratorium give the day crisis treatment ended: the
/// hold's last day is 30 days later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryRelease {
    pub account: String,
    pub reason: HoldReason,
    pub last_day: Option<NaiveDate>,
    pub treatment_ended_on: Option<NaiveDate>,
}

/// The instalment plans an account can be on.
const INSTALMENT_PLANS: [u32; 2] = [10, 12];
/// A payment arrangement's last payment is at most this many years ahead.
const ARRANGEMENT_MAX_YEARS: u32 = 5;
/// A hold may be recorded at most this many days before it starts.
const HOLD_MAX_DAYS_AHEAD: u64 = 30;
/// Days after the first of a standard Breathing Space to its last (60 days in all).
const BREATHING_SPACE_EXTRA_DAYS: u64 = 59;
/// Months of a Debt Relief Order's moratorium.
const DRO_MONTHS: u32 = 12;
/// Days a Mental Health Crisis Moratorium runs after crisis treatment ends.
const CRISIS_DAYS_AFTER_TREATMENT: u64 = 30;

impl Rule for InstalmentPlan {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        if !INSTALMENT_PLANS.contains(&self.instalments) {
            errors.push(format!("instalments must be 10 or 12, not {}", self.instalments));
        } else if self.instalments == state.instalments {
            errors.push(format!("account {} already pays in {} instalments", state.reference, self.instalments));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        state.instalments = self.instalments;
    }
}

impl Rule for PaymentArrangement {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        if self.amount_pence <= 0 {
            errors.push("amount_pence must be more than zero".to_owned());
        }
        if self.first_payment > self.last_payment {
            errors.push("first_payment is after last_payment".to_owned());
        }
        let limit = add_months(ctx.today, 12 * ARRANGEMENT_MAX_YEARS);
        if self.last_payment > limit {
            errors.push(format!(
                "an arrangement runs at most {ARRANGEMENT_MAX_YEARS} years: last_payment must be on or before {limit}"
            ));
        }
        let to = Some(self.last_payment.max(self.first_payment));
        if let Some(other) = state.overlapping(category::ARRANGEMENT, self.first_payment, to).next() {
            errors.push(format!(
                "account {} already has a {} arrangement {} in that period",
                state.reference,
                other.code,
                period_of(other)
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let mut arrangement = Adjustment::new(
            category::ARRANGEMENT,
            self.frequency.as_str(),
            self.first_payment,
            Some(self.last_payment),
        );
        arrangement.details = json!({ "amount_pence": self.amount_pence });
        state.adjustments.push(arrangement);
    }
}

impl RecoveryHold {
    /// The last day of a hold that ends by itself (Breathing Space, DRO).
    fn fixed_end(&self) -> Option<NaiveDate> {
        match self.reason {
            HoldReason::BreathingSpace => Some(add_days(self.from, BREATHING_SPACE_EXTRA_DAYS)),
            HoldReason::DebtReliefOrder => Some(months_last_day(self.from, DRO_MONTHS)),
            _ => None,
        }
    }

    /// Its last day as recorded: given, or for a hold that ends by itself its natural end.
    fn last_day(&self) -> Option<NaiveDate> {
        self.to.or_else(|| self.fixed_end())
    }
}

impl Rule for RecoveryHold {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        if self.to.is_some_and(|to| to < self.from) {
            errors.push("to is before from".to_owned());
        }
        if self.from > add_days(ctx.today, HOLD_MAX_DAYS_AHEAD) {
            errors.push(format!("from is more than {HOLD_MAX_DAYS_AHEAD} days ahead"));
        }
        if let (Some(to), Some(end)) = (self.to, self.fixed_end())
            && to > end
        {
            let lasts = match self.reason {
                HoldReason::BreathingSpace => "a breathing_space hold lasts 60 days",
                _ => "a debt_relief_order moratorium lasts 12 months",
            };
            errors.push(format!("{lasts}: to must be on or before {end}"));
        }
        let reason = self.reason.as_str();
        if let Some(other) =
            state.overlapping(category::RECOVERY_HOLD, self.from, self.last_day()).find(|a| a.code == reason)
        {
            errors.push(format!(
                "account {} already has a {reason} hold {} in that period",
                state.reference,
                period_of(other)
            ));
        }
    }

    fn apply(&self, state: &mut AccountState) {
        let hold = Adjustment::new(category::RECOVERY_HOLD, self.reason.as_str(), self.from, self.last_day());
        state.adjustments.push(hold);
    }
}

impl RecoveryRelease {
    /// The hold's last day: given, or 30 days after crisis treatment ended.
    fn last_day(&self) -> Option<NaiveDate> {
        match self.reason {
            HoldReason::MentalHealthCrisis => self.treatment_ended_on.map(|t| add_days(t, CRISIS_DAYS_AFTER_TREATMENT)),
            _ => self.last_day,
        }
    }
}

impl Rule for RecoveryRelease {
    fn check(&self, state: &AccountState, _: Context<'_>, errors: &mut Vec<String>) {
        let reason = self.reason.as_str();
        match (self.reason, self.treatment_ended_on, self.last_day()) {
            (HoldReason::MentalHealthCrisis, None, _) => errors.push(
                "releasing a mental_health_crisis hold needs treatment_ended_on, the day crisis treatment ended \
                 (the hold ends 30 days later)"
                    .to_owned(),
            ),
            (HoldReason::MentalHealthCrisis, Some(_), Some(end)) if self.last_day.is_some_and(|d| d != end) => {
                errors.push(format!(
                    "a mental_health_crisis hold ends 30 days after crisis treatment ends: last_day must be {end} \
                     (or left out)"
                ));
            }
            (HoldReason::MentalHealthCrisis, ..) | (_, None, Some(_)) => {}
            (_, Some(_), _) => {
                errors.push(format!("treatment_ended_on applies only to a mental_health_crisis hold, not {reason}"));
            }
            (_, None, None) => errors.push(format!("releasing a {reason} hold needs last_day")),
        }
        if let Some(last_day) = self.last_day() {
            let what = format!("{reason} hold");
            end_ok(state, category::RECOVERY_HOLD, &|a| a.code == reason, &what, last_day, errors);
        }
    }

    fn apply(&self, state: &mut AccountState) {
        if let Some(last_day) = self.last_day() {
            let reason = self.reason.as_str();
            apply_end(state, category::RECOVERY_HOLD, &|a| a.code == reason, last_day);
        }
    }
}

impl Rule for RecoveryStageChange {
    fn check(&self, state: &AccountState, ctx: Context<'_>, errors: &mut Vec<String>) {
        self.check_with(state, ctx, &ApprovalPolicy::default(), errors);
    }

    fn apply(&self, state: &mut AccountState) {
        self.apply_to(state);
    }
}

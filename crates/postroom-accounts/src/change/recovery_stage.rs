//! Moving recovery to a stage in the statutory order and timing (`domain.md` §2.1, §3.3): Council
//! Tax under SI 1992/613 regs 23, 33, 34 and 35(2A); Business Rates under SI 1989/1058 regs 8
//! and 12.
//!
//! Every stage is recorded on the account as a `recovery_notice` adjustment dated `on` (the day
//! the notice was issued, the summons served or the order made), so later stages derive their
//! clocks from it. For an account that reached its stage without such a record (imported at
//! it), the change gives the previous notice's date as `previous_on`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use postroom_charges::FinancialYear;

use super::rules::{add_days, months_last_day};
use crate::state::{AccountState, Adjustment, ApprovalPolicy, Context, RecoveryStage, Service, category};

/// Move recovery to a stage, or clear it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryStageChange {
    pub account: String,
    /// The new stage; `null` when the arrears are cleared.
    pub stage: Option<RecoveryStage>,
    /// The day of the stage (required with one): a notice's issue, a summons's service, an
    /// order's making or an enforcement step's taking. Not in the future.
    pub on: Option<NaiveDate>,
    /// The day the previous stage's notice was issued (a summons: served), when the account has
    /// no record of it (e.g. imported at that stage): a summons or liability order counts its
    /// days from it.
    pub previous_on: Option<NaiveDate>,
    /// A summons: the day the oldest sum in it became due (six-year limit: SI 1992/613 reg
    /// 34(3), SI 1989/1058 reg 12(3)).
    pub sum_due_from: Option<NaiveDate>,
}

/// Council Tax reminders in one financial year (SI 1992/613 reg 23(4)).
const REMINDERS_PER_YEAR: usize = 2;
/// Days from a reminder to the earliest summons: 7 to pay, then the balance falls due after a
/// further 7 (SI 1992/613 reg 23(3); SI 1989/1058 reg 8).
const AFTER_REMINDER_DAYS: u64 = 14;
/// Days from a final notice to the earliest summons: the amount is unpaid "at the expiry of the
/// period of 7 days beginning with the day on which the notice was issued" (SI 1992/613 reg
/// 34(1)).
const AFTER_FINAL_NOTICE_DAYS: u64 = 7;
/// A Council Tax liability order is not made until 14 days after the summons was served (SI
/// 1992/613 reg 35(2A)).
pub const COUNCIL_TAX_LIABILITY_ORDER_DAYS: u32 = 14;
/// No application "after the period of six years beginning with the day on which [the sum]
/// became due" (SI 1992/613 reg 34(3); SI 1989/1058 reg 12(3)).
const LIMITATION_MONTHS: u32 = 72;

/// The regulations a service's recovery rule comes from, for messages.
fn regs(service: Service, council_tax: &'static str, business_rates: &'static str) -> &'static str {
    match service {
        Service::CouncilTax => council_tax,
        Service::BusinessRates => business_rates,
    }
}

/// The account's recorded recovery steps of `stage`, latest first.
fn recorded(state: &AccountState, stage: RecoveryStage) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = state
        .adjustments
        .iter()
        .filter(|a| a.category == category::RECOVERY_NOTICE && a.code == stage.as_str())
        .map(|a| a.from)
        .collect();
    days.sort_unstable_by(|a, b| b.cmp(a));
    days
}

impl RecoveryStageChange {
    /// The reminders (first or second) issued in the financial year of `on`, earliest first.
    fn reminders_in_year(state: &AccountState, on: NaiveDate) -> (Option<FinancialYear>, Vec<NaiveDate>) {
        let Ok(year) = FinancialYear::containing(on) else { return (None, Vec::new()) };
        let mut days: Vec<NaiveDate> = [RecoveryStage::Reminder, RecoveryStage::SecondReminder]
            .into_iter()
            .flat_map(|s| recorded(state, s))
            .filter(|d| year.contains(*d))
            .collect();
        days.sort_unstable();
        (Some(year), days)
    }

    /// The day of the account's latest `stage`: recorded, else `previous_on`.
    fn previous_day(&self, state: &AccountState, stage: RecoveryStage, errors: &mut Vec<String>) -> Option<NaiveDate> {
        match (recorded(state, stage).first(), self.previous_on) {
            (Some(day), Some(given)) if *day != given => {
                errors.push(format!("the account records the {stage} on {day}: leave previous_on out (it is {given})"));
                None
            }
            (Some(day), _) => Some(*day),
            (None, Some(given)) => Some(given),
            (None, None) => {
                errors.push(format!(
                    "give previous_on, the day the {stage} was {}: account {} has no record of it",
                    if stage == RecoveryStage::Summons { "served" } else { "issued" },
                    state.reference
                ));
                None
            }
        }
    }

    /// Checks the change against the account, holding a Business Rates liability order to
    /// `policy.business_rates_liability_order_days` after the summons.
    pub(crate) fn check_with(
        &self,
        state: &AccountState,
        ctx: Context<'_>,
        policy: &ApprovalPolicy,
        errors: &mut Vec<String>,
    ) {
        if let Some(stage) = self.stage.filter(|s| !s.applies_to(state.service)) {
            errors.push(format!("{stage} is not a recovery power for business rates"));
        }
        if self.stage == state.recovery_stage {
            errors.push(format!("account {} is already at that recovery stage", state.reference));
            return;
        }
        let Some(stage) = self.stage else {
            if self.on.is_some() || self.previous_on.is_some() || self.sum_due_from.is_some() {
                errors.push("clearing the recovery stage takes no on, previous_on or sum_due_from".to_owned());
            }
            return;
        };
        let on = self.on.unwrap_or_else(|| {
            errors.push(format!(
                "on is required: the day the {stage} was {}",
                match stage {
                    RecoveryStage::Summons => "served",
                    RecoveryStage::LiabilityOrder => "made",
                    s if s > RecoveryStage::LiabilityOrder => "taken",
                    _ => "issued",
                }
            ));
            ctx.today
        });
        if on > ctx.today {
            errors.push(format!("on {on} is in the future"));
        }
        if self.previous_on.is_some_and(|p| p > on) {
            errors.push("previous_on is after on".to_owned());
        }
        let later = state.recovery_stage.is_none_or(|now| stage > now);
        if later
            && let Some(hold) = state
                .adjustments
                .iter()
                .find(|a| a.category == category::RECOVERY_HOLD && (a.runs_on(ctx.today) || a.runs_on(on)))
        {
            let until = hold.to.map_or_else(|| ", open-ended".to_owned(), |t| format!(" until {t}"));
            errors.push(format!("recovery is held ({}{until}): no further recovery action", hold.code));
        }
        if self.sum_due_from.is_some() && stage != RecoveryStage::Summons {
            errors.push("sum_due_from applies only to a summons".to_owned());
        }
        match stage {
            RecoveryStage::Reminder => self.reminder_ok(state, on, errors),
            RecoveryStage::SecondReminder => self.second_reminder_ok(state, on, errors),
            RecoveryStage::FinalNotice => {}
            RecoveryStage::Summons => self.summons_ok(state, on, errors),
            RecoveryStage::LiabilityOrder => self.liability_order_ok(state, on, policy, errors),
            // Enforcement, attachments, charging orders, insolvency and committal all rest on a
            // liability order (`domain.md` §2.2).
            later if state.recovery_stage.is_none_or(|now| now < RecoveryStage::LiabilityOrder) => {
                errors.push(format!(
                    "{later} needs a liability order first: account {} is at {}",
                    state.reference,
                    state.recovery_stage.map_or("no recovery stage", RecoveryStage::as_str)
                ));
            }
            _ => {}
        }
    }

    /// SI 1992/613 reg 23(4): at most two reminders in a financial year; the second is a
    /// `second_reminder`. Business Rates has no such limit (SI 1989/1058 reg 8).
    fn reminder_ok(&self, state: &AccountState, on: NaiveDate, errors: &mut Vec<String>) {
        if state.service != Service::CouncilTax {
            return;
        }
        let (year, reminders) = Self::reminders_in_year(state, on);
        let year = year.map_or_else(String::new, |y| y.to_string());
        match reminders.as_slice() {
            [] => {}
            [first] => errors.push(format!(
                "a reminder was issued on {first} in {year}: the next is a second_reminder (SI 1992/613 reg 23(4))"
            )),
            [first, second, ..] => errors.push(format!(
                "{REMINDERS_PER_YEAR} reminders were issued in {year} ({first} and {second}): no more that year (SI \
                 1992/613 reg 23(4)); a missed instalment now makes the balance due the next day, so issue a \
                 final_notice (reg 33)"
            )),
        }
    }

    /// A second reminder follows a first in the same financial year, and is the last that year
    /// (SI 1992/613 reg 23(4)).
    fn second_reminder_ok(&self, state: &AccountState, on: NaiveDate, errors: &mut Vec<String>) {
        let (year, reminders) = Self::reminders_in_year(state, on);
        let year = year.map_or_else(String::new, |y| y.to_string());
        let imported_at_reminder = state.recovery_stage == Some(RecoveryStage::Reminder)
            && recorded(state, RecoveryStage::Reminder).is_empty();
        match (state.service, reminders.as_slice()) {
            (Service::BusinessRates, _) if state.recovery_stage != Some(RecoveryStage::Reminder) => {
                errors.push(format!(
                    "a second_reminder follows a reminder: account {} is at {} (SI 1989/1058 reg 8)",
                    state.reference,
                    state.recovery_stage.map_or("no recovery stage", RecoveryStage::as_str)
                ));
            }
            (Service::BusinessRates, _) | (Service::CouncilTax, [_]) => {}
            (Service::CouncilTax, []) if imported_at_reminder => {}
            (Service::CouncilTax, []) => errors.push(format!(
                "a second_reminder follows a first reminder in the same financial year ({year}): account {} has \
                 none (SI 1992/613 reg 23(4))",
                state.reference
            )),
            (Service::CouncilTax, [first, second, ..]) => errors.push(format!(
                "{REMINDERS_PER_YEAR} reminders were issued in {year} ({first} and {second}): no more that year (SI \
                 1992/613 reg 23(4)); issue a final_notice (reg 33)"
            )),
        }
    }

    /// A summons follows an unpaid reminder or final notice once its time to pay has run, and
    /// within six years of the sum falling due.
    fn summons_ok(&self, state: &AccountState, on: NaiveDate, errors: &mut Vec<String>) {
        let service = state.service;
        match state.recovery_stage {
            Some(prev @ (RecoveryStage::Reminder | RecoveryStage::SecondReminder | RecoveryStage::FinalNotice)) => {
                if let Some(issued) = self.previous_day(state, prev, errors) {
                    let (wait, why) = if prev == RecoveryStage::FinalNotice {
                        (AFTER_FINAL_NOTICE_DAYS, regs(service, "SI 1992/613 reg 34(1)", "SI 1989/1058 reg 12"))
                    } else {
                        (AFTER_REMINDER_DAYS, regs(service, "SI 1992/613 reg 23(3)", "SI 1989/1058 reg 8"))
                    };
                    let earliest = add_days(issued, wait);
                    if on < earliest {
                        errors.push(format!(
                            "a summons may be issued from {earliest}: the {prev} of {issued} leaves {wait} days to pay \
                             before the sum can be summonsed ({why})"
                        ));
                    }
                }
            }
            now => errors.push(format!(
                "a summons needs an unpaid reminder or final notice first: account {} is at {} ({})",
                state.reference,
                now.map_or("no recovery stage", RecoveryStage::as_str),
                regs(service, "SI 1992/613 regs 23, 33 and 34(1)", "SI 1989/1058 regs 8 and 12")
            )),
        }
        let limit_reg = regs(service, "SI 1992/613 reg 34(3)", "SI 1989/1058 reg 12(3)");
        match self.sum_due_from {
            None => errors.push(format!(
                "a summons needs sum_due_from, the day the oldest sum in it became due (six-year limit, {limit_reg})"
            )),
            Some(due) if due > on => errors.push(format!("sum_due_from {due} is after on {on}")),
            Some(due) => {
                let limit = months_last_day(due, LIMITATION_MONTHS);
                if on > limit {
                    errors.push(format!(
                        "no liability order application may be made for a sum after six years beginning with the day \
                         it became due: a sum due on {due} could be summonsed until {limit} ({limit_reg})"
                    ));
                }
            }
        }
    }

    /// A liability order follows the summons, not before 14 days after it was served (Council
    /// Tax; Business Rates as configured).
    fn liability_order_ok(
        &self,
        state: &AccountState,
        on: NaiveDate,
        policy: &ApprovalPolicy,
        errors: &mut Vec<String>,
    ) {
        let service = state.service;
        if state.recovery_stage != Some(RecoveryStage::Summons) {
            errors.push(format!(
                "a liability order needs a summons first: account {} is at {} ({})",
                state.reference,
                state.recovery_stage.map_or("no recovery stage", RecoveryStage::as_str),
                regs(service, "SI 1992/613 reg 34", "SI 1989/1058 reg 12")
            ));
            return;
        }
        let Some(served) = self.previous_day(state, RecoveryStage::Summons, errors) else { return };
        let (days, why) = match service {
            Service::CouncilTax => (COUNCIL_TAX_LIABILITY_ORDER_DAYS, "SI 1992/613 reg 35(2A)"),
            Service::BusinessRates => {
                (policy.business_rates_liability_order_days, "work.business_rates_liability_order_days")
            }
        };
        // "14 days have elapsed since the day on which the summons was served": the day of
        // service does not count, so the 14 days end on service + 14 and the order comes after.
        let earliest = add_days(served, u64::from(days) + 1);
        if on < earliest {
            errors.push(format!(
                "a liability order may be made from {earliest}: not until {days} days have passed since the day the \
                 summons was served, {served} ({why})"
            ));
        }
    }

    /// Moves the account to the stage and records the step.
    pub(crate) fn apply_to(&self, state: &mut AccountState) {
        state.recovery_stage = self.stage;
        if let (Some(stage), Some(on)) = (self.stage, self.on) {
            let mut step = Adjustment::new(category::RECOVERY_NOTICE, stage.as_str(), on, Some(on));
            if let Some(due) = self.sum_due_from {
                step.details = json!({ "sum_due_from": due });
            }
            state.adjustments.push(step);
        }
    }
}

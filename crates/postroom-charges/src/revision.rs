//! Revised and final bills: what a demand notice issued after the charge changes asks for.
//!
//! Council Tax: SI 1992/613 Sch 1 para 10 (as amended; reg 23(1)(i) refers to "any subsequent
//! notice given under paragraph 10 of Schedule 1"). Business rates: SI 1989/1058 Sch 1 para 6.
//! `domain.md` §5 states the practice ("recalc liability; issue revised demand (refund/credit
//! overpayments; spread increases over remaining instalments)"); it does not quote either
//! paragraph, so the same rule is applied to both services:
//!
//! 1. An instalment that fell due on or before the day the revised notice is issued stands
//!    unchanged: it was demanded by the original notice.
//! 2. An instalment due less than 14 days after the revised notice also stands as the original
//!    notice demanded it (a new amount needs the notice the 14-day rule gives), except that it is
//!    lowered, or dropped, where it would take the total demanded above the revised charge.
//! 3. The rest of the revised charge is spread, with the whole-pound rule and the minimum
//!    instalment ([`crate::minimum`]), over the original instalment dates that remain: due at
//!    least 14 days after the revised notice and, for a Direct Debit, on or after
//!    `earliest_changed_collection` (a changed collection needs 10 working days' advance notice,
//!    domain.md §4.1; the caller counts them on its working-day calendar). Until then step 2
//!    applies.
//! 4. If no such date remains, the rest is one sum due `balance_due_after_days` after the notice
//!    (at least 14, the 14-day rule; a council may give longer), and not before
//!    `earliest_changed_collection`.
//! 5. When liability has ended (a final bill), no instalment date after the last day of
//!    liability is used: the person owes nothing for later days, so the schedule does not run on
//!    past them. If no date before the end remains, step 4 applies, and that one sum is
//!    necessarily after the end: it is the balance, due as the 14-day rule allows. An instalment
//!    that had already fallen due when the notice is issued stands even if it is after the end
//!    (step 1: a liability ended long before the council heard of it); the credit settles it.
//! 6. If what already fell due (step 1) is more than the revised charge, nothing further is due
//!    and the difference is a credit (to refund or to set against another liability).
//! 7. A revision whose total did not change (and is not a final bill) repeats the original
//!    schedule exactly.
//!
//! The result keeps the original schedule beside the revised one so that a reply can quote both.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{
    instalments::{Instalment, Schedule, ScheduleError, Service},
    minimum::amounts_with_minimum,
    money::Pence,
};

/// The days the 14-day rule gives between a notice and a new amount falling due.
pub const NOTICE_DAYS: u32 = 14;

/// A change to a bill that already has a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Revision {
    /// Council Tax or NNDR (sets the minimum instalment).
    pub service: Service,
    /// The revised charge for the year.
    pub revised_total: Pence,
    /// Day the revised (or final) notice is issued.
    pub notice: NaiveDate,
    /// Last day of liability, for a final bill.
    #[serde(default)]
    pub liability_ended: Option<NaiveDate>,
    /// Days after the notice a balance with no instalment date left falls due: 14 by default;
    /// a smaller value is read as 14 (the 14-day rule). Configurable: a council may allow longer.
    #[serde(default = "default_balance_days")]
    pub balance_due_after_days: u32,
    /// For a Direct Debit: no changed collection before this date (10 working days after the
    /// notice, domain.md §4.1). `None` when only the 14-day rule applies.
    #[serde(default)]
    pub earliest_changed_collection: Option<NaiveDate>,
}

const fn default_balance_days() -> u32 {
    NOTICE_DAYS
}

/// What the revised notice does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RevisionOutcome {
    /// The total did not change: the original schedule, repeated.
    Unchanged,
    /// The rest of the revised charge is spread over this many remaining instalments.
    Spread {
        /// Remaining instalments carrying the rest.
        instalments: u32,
    },
    /// No instalment date remained: the rest is one sum.
    SingleSum {
        /// When it falls due.
        due: NaiveDate,
    },
    /// What already fell due (and stands) covers the revised charge exactly.
    Settled,
    /// What already fell due exceeds the revised charge: no further instalments.
    Overpaid {
        /// The difference, to refund or credit.
        credit: Pence,
    },
}

/// The original schedule and the revised one, side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct RevisedSchedule {
    /// The schedule of the original notice.
    pub original: Schedule,
    /// The revision applied.
    pub revision: Revision,
    /// The revised schedule, in date order, numbered from 1.
    pub instalments: Vec<Instalment>,
    /// How many of the first `instalments` are the original's, unchanged (steps 1 and 2).
    pub standing: u32,
    /// The original instalments that fell due on or before the notice (step 1).
    pub fallen_due: Pence,
    /// Overpayment to refund or credit (zero unless [`RevisionOutcome::Overpaid`]).
    pub credit: Pence,
    /// What the notice does.
    pub outcome: RevisionOutcome,
}

impl RevisedSchedule {
    /// The total the revised schedule demands: the revised charge, or what already fell due if
    /// that is more.
    #[must_use]
    pub fn demanded(&self) -> Pence {
        self.instalments.iter().map(|i| i.amount).sum()
    }
}

/// Applies `revision` to `original`, by the rule in the module docs.
///
/// # Errors
/// [`ScheduleError::NegativeTotal`] for a negative revised charge; [`ScheduleError::OutOfRange`]
/// for dates or amounts out of range.
pub fn revise_schedule(original: &Schedule, revision: &Revision) -> Result<RevisedSchedule, ScheduleError> {
    let revised = revision.revised_total;
    if revised < Pence::ZERO {
        return Err(ScheduleError::NegativeTotal(revised));
    }
    let result = |instalments: Vec<Instalment>, standing: usize, fallen_due, credit, outcome| RevisedSchedule {
        original: original.clone(),
        revision: revision.clone(),
        instalments: renumber(instalments),
        standing: u32::try_from(standing).unwrap_or(u32::MAX),
        fallen_due,
        credit,
        outcome,
    };
    let notice = revision.notice;
    let fallen: Vec<Instalment> = original.instalments.iter().filter(|i| i.due <= notice).cloned().collect();
    let fallen_due: Pence = fallen.iter().map(|i| i.amount).sum();
    if revised == original.total && revision.liability_ended.is_none() {
        let instalments = original.instalments.clone();
        return Ok(result(
            instalments,
            original.instalments.len(),
            fallen_due,
            Pence::ZERO,
            RevisionOutcome::Unchanged,
        ));
    }
    if revised <= fallen_due {
        let credit = fallen_due - revised;
        let outcome =
            if credit == Pence::ZERO { RevisionOutcome::Settled } else { RevisionOutcome::Overpaid { credit } };
        let standing = fallen.len();
        return Ok(result(fallen, standing, fallen_due, credit, outcome));
    }
    let fourteen_days = after_days(notice, NOTICE_DAYS)?;
    let limit = revision.earliest_changed_collection.map_or(fourteen_days, |d| d.max(fourteen_days));
    let liable_on = |due: NaiveDate| revision.liability_ended.is_none_or(|end| due <= end);
    let mut instalments = fallen;
    let mut rest = revised - fallen_due;
    // Step 2: due before a change may be collected, as demanded, but never beyond the revised
    // charge.
    for i in original.instalments.iter().filter(|i| i.due > notice && i.due < limit && liable_on(i.due)) {
        let amount = i.amount.min(rest);
        if amount > Pence::ZERO {
            instalments.push(Instalment { amount, ..i.clone() });
            rest = rest - amount;
        }
    }
    let standing = instalments.iter().zip(&original.instalments).take_while(|(a, b)| a == b).count();
    if rest == Pence::ZERO {
        return Ok(result(instalments, standing, fallen_due, Pence::ZERO, RevisionOutcome::Settled));
    }
    let dates: Vec<NaiveDate> =
        original.instalments.iter().map(|i| i.due).filter(|d| *d >= limit && liable_on(*d)).collect();
    let count = u32::try_from(dates.len()).unwrap_or(u32::MAX);
    let (amounts, _) = amounts_with_minimum(rest, count, revision.service.minimum_instalment())?;
    let outcome = if amounts.is_empty() {
        let due = after_days(notice, revision.balance_due_after_days.max(NOTICE_DAYS))?.max(limit);
        instalments.push(Instalment { number: 0, due, amount: rest });
        RevisionOutcome::SingleSum { due }
    } else {
        let spread = u32::try_from(amounts.len()).unwrap_or(u32::MAX);
        instalments.extend(dates.into_iter().zip(amounts).map(|(due, amount)| Instalment { number: 0, due, amount }));
        RevisionOutcome::Spread { instalments: spread }
    };
    Ok(result(instalments, standing, fallen_due, Pence::ZERO, outcome))
}

fn after_days(day: NaiveDate, days: u32) -> Result<NaiveDate, ScheduleError> {
    day.checked_add_days(Days::new(u64::from(days))).ok_or(ScheduleError::OutOfRange)
}

fn renumber(instalments: Vec<Instalment>) -> Vec<Instalment> {
    instalments.into_iter().zip(1_u32..).map(|(i, number)| Instalment { number, ..i }).collect()
}

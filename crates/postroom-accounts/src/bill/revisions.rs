//! The schedule a bill shows once its charge has changed in the year (SI 1992/613 Sch 1 para 10;
//! SI 1989/1058 Sch 1 para 6; [`postroom_charges::revise_schedule`]). The account keeps the bill
//! as first issued and each revised or final notice after it (a [`Notice`] each: the day, the
//! year's charge, and for a final bill the last day of liability). The schedule shown is the
//! first bill's, worked out again from its issue date and total, revised by each later notice in
//! turn: instalments already due stand, the difference is spread over those left, and nothing
//! falls due after the end of liability. A notice whose charge did not change repeats the
//! schedule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use postroom_charges::{NOTICE_DAYS, revise_schedule};
use postroom_domain::WorkingCalendar;

use super::{Bill, BillError, Instalment, Pence, RevisedSchedule, Revision, Schedule, charges_service, first_schedule};
use crate::{
    change::ADVANCE_NOTICE_WORKING_DAYS,
    state::{AccountState, MandateStatus},
};

/// A bill or a revised notice as recorded on the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The day it was issued.
    pub notice: NaiveDate,
    /// The year's charge it demands.
    pub total: Pence,
    /// For a final bill, the last day of liability.
    pub liability_ended: Option<NaiveDate>,
}

impl Notice {
    /// `bill` as a first bill: its issue date, total and end of liability.
    #[must_use]
    pub fn first(bill: &Bill) -> Self {
        Self { notice: bill.issued, total: bill.charge.total, liability_ended: liability_ended(bill) }
    }
}

/// The last day of liability when it ends before the bill's year does.
#[must_use]
pub fn liability_ended(bill: &Bill) -> Option<NaiveDate> {
    bill.liability.last().map(|p| p.to()).filter(|to| *to < bill.year.end())
}

/// The notice `bill` (the charge as it stands) needs after `last`, issued on `on`: `None` when
/// neither the charge nor the end of liability changed.
#[must_use]
pub fn revision_of(last: &Notice, bill: &Bill, on: NaiveDate) -> Option<Notice> {
    let ended = liability_ended(bill);
    (bill.charge.total != last.total || ended != last.liability_ended).then_some(Notice {
        notice: on.max(last.notice),
        total: bill.charge.total,
        liability_ended: ended,
    })
}

/// One revised or final notice and the schedule it demands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownRevision {
    /// Whether the account records it; `false` for the notice the charge as it stands needs and
    /// no completion has recorded (a change made outside Postroom, new rates).
    pub recorded: bool,
    pub schedule: RevisedSchedule,
}

/// A bill's first schedule and each revision of it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillSchedules {
    /// The first bill's issue date.
    pub issued: NaiveDate,
    /// The schedule as first billed.
    pub original: Schedule,
    pub revisions: Vec<ShownRevision>,
}

impl BillSchedules {
    /// The schedule as it now stands: the last revision's, or the first bill's.
    #[must_use]
    pub fn instalments(&self) -> &[Instalment] {
        self.revisions.last().map_or(&self.original.instalments, |r| &r.schedule.instalments)
    }
}

/// `bill`'s schedules, given the notices `recorded` on the account for its year (oldest first;
/// the first is the bill as first issued; none when no change to the charge was recorded, and
/// then the first bill is `bill` itself). Each later notice revises the schedule in turn; when
/// `bill` differs from the last of them, one more notice, issued on `unrecorded_on` and not
/// recorded, revises it to the charge as it stands. A Direct Debit collection changes only 10
/// working days after a notice (`domain.md` §4.1), counted on `calendar`.
///
/// # Errors
/// [`BillError::Schedule`] when a schedule cannot be worked out (a date or amount out of range).
pub fn schedules(
    account: &AccountState,
    bill: &Bill,
    recorded: &[Notice],
    unrecorded_on: NaiveDate,
    calendar: &WorkingCalendar,
) -> Result<BillSchedules, BillError> {
    let (first, later) = match recorded.split_first() {
        Some((first, later)) => (*first, later),
        None => (Notice::first(bill), &[][..]),
    };
    let original = if recorded.is_empty() {
        bill.schedule.clone()
    } else {
        first_schedule(bill.service, bill.year, first.total, first.notice, bill.plan, bill.collection_day)?
    };
    let last = later.last().copied().unwrap_or(first);
    let pending = revision_of(&last, bill, unrecorded_on);
    let direct_debit = account
        .mandate
        .as_ref()
        .is_some_and(|m| !matches!(m.status, MandateStatus::Cancelled | MandateStatus::Rejected));
    let mut current = original.clone();
    let mut revisions = Vec::with_capacity(later.len() + 1);
    for (notice, is_recorded) in later.iter().map(|n| (n, true)).chain(pending.iter().map(|n| (n, false))) {
        let revision = Revision {
            service: charges_service(bill.service),
            revised_total: notice.total,
            notice: notice.notice,
            liability_ended: notice.liability_ended,
            balance_due_after_days: NOTICE_DAYS,
            // Banking days: weekends and bank holidays, not the council's closure days.
            earliest_changed_collection: direct_debit
                .then(|| calendar.statutory().add_working_days(notice.notice, ADVANCE_NOTICE_WORKING_DAYS)),
        };
        let revised = revise_schedule(&current, &revision)?;
        current = Schedule { instalments: revised.instalments.clone(), total: notice.total, ..current };
        revisions.push(ShownRevision { recorded: is_recorded, schedule: revised });
    }
    Ok(BillSchedules { issued: first.notice, original, revisions })
}

#[cfg(test)]
mod tests;

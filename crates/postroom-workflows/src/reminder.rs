//! A payment arrangement answering a recovery notice is due before the notice's 7 days run out
//! (`domain.md` §2.1, §3.3, §6). A Council Tax reminder (SI 1992/613 reg 23(1)) or second
//! reminder (reg 23(3)-(4)) gives 7 days to pay the instalments due before the whole year's
//! balance falls due; a final notice (reg 33) gives 7 days before a summons may be applied for;
//! a Business Rates reminder ("further notice", SI 1989/1058 reg 8) gives the same 7 days. The
//! item is then due on the last working day before the 7 days run out (the day of issue plus 7
//! days), when that is earlier than the workflow's target.

use chrono::{Days, NaiveDate};

use postroom_domain::WorkingCalendar;

use crate::{Placement, Service, bacs::last_working_day_before};

/// The days a recovery notice gives to pay.
pub const NOTICE_DAYS: u64 = 7;

/// The regulation that gives `stage`'s 7 days on a `service` account, if it is a notice that
/// does (`reminder`, `second_reminder`, `final_notice`).
#[must_use]
pub fn notice_rule(service: Service, stage: &str) -> Option<&'static str> {
    match (service, stage) {
        (Service::CouncilTax, "reminder") => Some("SI 1992/613 reg 23(1)"),
        (Service::CouncilTax, "second_reminder") => Some("SI 1992/613 reg 23(1), (4)"),
        (Service::CouncilTax, "final_notice") => Some("SI 1992/613 reg 33"),
        (Service::BusinessRates, "reminder" | "second_reminder") => Some("SI 1989/1058 reg 8"),
        (Service::BusinessRates, "final_notice") => Some("SI 1989/1058 reg 8, reg 12"),
        _ => None,
    }
}

/// Places a payment-arrangement item received on `received` for an account whose recovery
/// `stage` (a notice with its 7 days, see [`notice_rule`]) was issued on `issued`: due on the
/// earlier of the workflow's `placement` and the last working day before the 7 days run out,
/// never before the first working day of receipt; `due_how` says why.
#[must_use]
pub fn before_notice_runs_out(
    calendar: &WorkingCalendar,
    received: NaiveDate,
    mut placement: Placement,
    service: Service,
    stage: &str,
    issued: NaiveDate,
) -> Placement {
    let Some(rule) = notice_rule(service, stage) else { return placement };
    let Some(runs_out) = issued.checked_add_days(Days::new(NOTICE_DAYS)) else { return placement };
    // "7 days beginning with the day on which the notice was issued": the last day is issue + 6.
    let last_day = runs_out.pred_opt().unwrap_or(issued);
    let notice = stage.replace('_', " ");
    if runs_out <= received {
        placement.due_how =
            format!("{}; the {notice} of {issued} ran out at the end of {last_day} ({rule})", placement.due_how);
        return placement;
    }
    let before = last_working_day_before(calendar, runs_out).max(calendar.on_or_after(received));
    if before < placement.due_on {
        placement.due_on = before;
        placement.due_how = format!(
            "the last working day before the {notice} of {issued} runs out at the end of {last_day} ({rule}: \
             {NOTICE_DAYS} days to pay from the day of issue), earlier than {}",
            placement.due_how
        );
    }
    placement
}

#[cfg(test)]
mod tests {
    use postroom_domain::Priority;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn five_working_days(calendar: &WorkingCalendar, received: NaiveDate) -> Placement {
        Placement {
            queue: "ct-recovery".to_owned(),
            priority: Priority::P2,
            due_on: calendar.add_working_days(received, 5),
            due_how: "5 working days".to_owned(),
            acknowledge_by: None,
        }
    }

    /// SI 1992/613 reg 23(1): a reminder issued on Friday 20 November 2026 gives 7 days beginning
    /// with that day, to the end of Thursday 26 November; an arrangement received on Monday 23rd
    /// (target: Monday 30th) is due on Thursday 26th, the last working day of the 7.
    #[test]
    fn reg_23_1_an_arrangement_answering_a_reminder_is_due_before_its_7_days_run_out() {
        let cal = WorkingCalendar::england_and_wales();
        let received = d("2026-11-23");
        let placed = before_notice_runs_out(
            &cal,
            received,
            five_working_days(&cal, received),
            Service::CouncilTax,
            "reminder",
            d("2026-11-20"),
        );
        assert_eq!(placed.due_on, d("2026-11-26"), "{placed:?}");
        assert!(placed.due_how.contains("SI 1992/613 reg 23(1)"), "{placed:?}");
        assert!(placed.due_how.contains("runs out at the end of 2026-11-26"), "{placed:?}");
    }

    /// SI 1992/613 reg 23(1), reg 33; SI 1989/1058 reg 8: the target stands when it is earlier,
    /// when the 7 days have already run out, and for a stage that is no notice.
    #[test]
    fn the_target_stands_when_it_is_earlier_or_the_notice_ran_out() {
        let cal = WorkingCalendar::england_and_wales();
        let received = d("2026-11-23");
        let target = five_working_days(&cal, received);
        // Issued on the 25th: runs out on 2 December, after the target of 30 November.
        let late =
            before_notice_runs_out(&cal, received, target.clone(), Service::BusinessRates, "reminder", d("2026-11-25"));
        assert_eq!(late.due_on, d("2026-11-30"));
        // Issued on the 10th: its 7 days ended with the 16th; the item says so.
        let gone = before_notice_runs_out(
            &cal,
            received,
            target.clone(),
            Service::CouncilTax,
            "final_notice",
            d("2026-11-10"),
        );
        assert_eq!(gone.due_on, d("2026-11-30"));
        assert!(gone.due_how.contains("ran out at the end of 2026-11-16 (SI 1992/613 reg 33)"), "{gone:?}");
        let summons = before_notice_runs_out(&cal, received, target, Service::CouncilTax, "summons", d("2026-11-20"));
        assert_eq!(summons.due_how, "5 working days");
        assert_eq!(notice_rule(Service::BusinessRates, "reminder"), Some("SI 1989/1058 reg 8"));
    }
}

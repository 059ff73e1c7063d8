//! The SLA pause: while an item waits for the customer its clock stops, and when it resumes its
//! due date moves on by the working days it was paused (the days after the pause day, up to and
//! including the resume day).

use chrono::NaiveDate;

use postroom_db::{casework::ItemPatch, entities::work_item};
use postroom_domain::WorkingCalendar;

/// The columns that pend an item: the clock stops `today` and the item comes back by itself on
/// `bring_forward_on`. It stays with its officer.
pub(crate) fn paused(today: NaiveDate, bring_forward_on: NaiveDate) -> ItemPatch {
    ItemPatch { paused_on: Some(Some(today)), bring_forward_on: Some(Some(bring_forward_on)), ..ItemPatch::default() }
}

/// How a resumption moves the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resumed {
    pub working_days_paused: u32,
    pub due_on: NaiveDate,
}

/// The deadline of `item` resumed `today`.
pub(crate) fn resumed(item: &work_item::Model, calendar: &WorkingCalendar, today: NaiveDate) -> Resumed {
    let paused = item.paused_on.map_or(0, |since| calendar.working_days_between(since, today));
    let due_on = if paused == 0 { item.due_on } else { calendar.add_working_days(item.due_on, paused) };
    Resumed { working_days_paused: paused, due_on }
}

/// The columns that end the pause: deadline moved on, pause and bring-forward dates cleared.
pub(crate) fn unpaused(r: Resumed) -> ItemPatch {
    ItemPatch { due_on: Some(r.due_on), paused_on: Some(None), bring_forward_on: Some(None), ..ItemPatch::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(due_on: NaiveDate, paused_on: Option<NaiveDate>) -> work_item::Model {
        let now = chrono::Utc::now();
        work_item::Model {
            id: uuid::Uuid::now_v7(),
            reference: "WI-2026-000001".to_owned(),
            correspondence_id: None,
            workflow: "w".to_owned(),
            queue: "q".to_owned(),
            priority: postroom_domain::Priority::P3,
            status: postroom_domain::WorkItemStatus::AwaitingCustomer,
            received_at: now,
            due_on,
            assignee: None,
            version: 1,
            created_at: now,
            updated_at: now,
            claimed_at: None,
            closed_at: None,
            classification: None,
            active_at: None,
            paused_on,
            bring_forward_on: None,
            home_queue: None,
            pending_completion: None,
            completed_by: None,
            received_on: None,
            closed_on: None,
        }
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap_or_default()
    }

    #[test]
    fn a_pause_over_a_weekend_moves_the_deadline_by_the_working_days_only() {
        let calendar = WorkingCalendar::england_and_wales();
        // Paused Friday 4 December 2026, resumed Tuesday 8 December: Monday and Tuesday count.
        let r = resumed(&item(day("2026-12-10"), Some(day("2026-12-04"))), &calendar, day("2026-12-08"));
        assert_eq!(r, Resumed { working_days_paused: 2, due_on: day("2026-12-14") });
    }

    #[test]
    fn resuming_the_day_it_paused_leaves_the_deadline() {
        let calendar = WorkingCalendar::england_and_wales();
        let r = resumed(&item(day("2026-12-10"), Some(day("2026-12-08"))), &calendar, day("2026-12-08"));
        assert_eq!(r, Resumed { working_days_paused: 0, due_on: day("2026-12-10") });
    }
}

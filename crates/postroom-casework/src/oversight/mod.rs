//! What team leaders watch: the dashboard (open work by queue, priority and state, deadlines,
//! ageing, each officer's work, the share completed in time), the SLA report for a period, the
//! escalations raised as deadlines come near and pass, and the daily digest.
//!
//! Every figure carries the link (`items`) to the work-item list it was counted from: the same
//! filters, so the list behind a number has exactly that many items.

mod dashboard;
mod digest;
mod escalation;
mod link;
mod report;

use chrono::{Datelike, Days, NaiveDate};
use postroom_db::oversight::Bounds;
use postroom_domain::{Role, WorkingCalendar};

pub use dashboard::{AgeingBand, Dashboard, Figure, OfficerFigures, QueueFigures, SlaShare, StateFigures};
pub use digest::{Digest, DigestLine, DigestQueue};
pub use escalation::{BREACH_WARNING, Escalated, OVERDUE};
pub use report::{SlaReport, SlaRow, ThroughputDay};

use crate::{Caller, CaseworkError};

/// The roles that may read the dashboard and the reports.
const WATCHERS: [Role; 3] = [Role::TeamLeader, Role::Admin, Role::Auditor];

/// Refuses a caller who is not a team leader, admin or auditor.
fn may_watch(caller: &Caller) -> Result<(), CaseworkError> {
    if WATCHERS.contains(&caller.role) {
        return Ok(());
    }
    Err(CaseworkError::Forbidden(format!(
        "role {} may not read the dashboard or the reports; allowed: team_leader, admin, auditor",
        caller.role
    )))
}

/// The ageing bands, in working days since receipt: 0-2, 3-5, 6-10, 11-20 and over 20.
pub const AGEING_BANDS: [(u32, Option<u32>); 5] =
    [(0, Some(2)), (3, Some(5)), (6, Some(10)), (11, Some(20)), (21, None)];

/// The earliest receipt day whose age on `today` is at most `max` working days.
fn earliest_received(calendar: &WorkingCalendar, today: NaiveDate, max: u32) -> NaiveDate {
    let mut day = today;
    while let Some(before) = day.checked_sub_days(Days::new(1)) {
        if calendar.working_days_between(before, today) > max {
            break;
        }
        day = before;
    }
    day
}

/// The last day of a warning window of `n` working days seen on `today`: the last day with at
/// most `n` working days after today up to and including it (on a Tuesday with `n = 2`,
/// Thursday; on a Saturday, Tuesday; with `n = 0` on a working day, today).
#[must_use]
pub fn warning_until(calendar: &WorkingCalendar, today: NaiveDate, n: u32) -> NaiveDate {
    let mut day = today;
    while let Some(next) = day.checked_add_days(Days::new(1)) {
        if calendar.working_days_between(today, next) > n {
            break;
        }
        day = next;
    }
    day
}

/// The days that bound the figures seen on `today` with a warning window of `warning_days`
/// working days.
#[must_use]
pub fn bounds(calendar: &WorkingCalendar, today: NaiveDate, warning_days: u32) -> Bounds {
    let back = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    Bounds {
        today,
        soon: warning_until(calendar, today, warning_days),
        ageing: [2, 5, 10, 20].map(|max| earliest_received(calendar, today, max)),
        week_from: back(u64::from(today.weekday().num_days_from_monday())),
        last_7_from: back(6),
        last_30_from: back(29),
    }
}

/// A share as a fraction from 0 to 1, or `None` of nothing.
#[must_use]
fn share(part: u64, whole: u64) -> Option<f64> {
    #[expect(clippy::cast_precision_loss, reason = "counts of work items are far below 2^52")]
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A count from the database (never negative).
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn ageing_bands_count_working_days_back_from_today() {
        let calendar = WorkingCalendar::england_and_wales();
        // Tuesday 8 December 2026: received Friday 4 December is 2 working days old (Monday and
        // Tuesday), Thursday 3 December is 3.
        let b = bounds(&calendar, day("2026-12-08"), 2);
        assert_eq!(b.ageing[0], day("2026-12-04"));
        assert_eq!(calendar.working_days_between(day("2026-12-03"), day("2026-12-08")), 3);
        // 5 working days: received on Tuesday 1 December (Wed, Thu, Fri, Mon, Tue).
        assert_eq!(b.ageing[1], day("2026-12-01"));
        assert_eq!(b.soon, day("2026-12-10"));
        assert_eq!(b.week_from, day("2026-12-07"));
        assert_eq!(b.last_30_from, day("2026-11-09"));
    }

    #[test]
    fn the_warning_window_counts_working_days_after_today_even_at_a_weekend() {
        let calendar = WorkingCalendar::england_and_wales();
        // Saturday 12 December 2026 + 2 working days: Monday and Tuesday.
        assert_eq!(warning_until(&calendar, day("2026-12-12"), 2), day("2026-12-15"));
        // Tuesday with none: today only; Friday with none: the weekend too (no working day).
        assert_eq!(warning_until(&calendar, day("2026-12-08"), 0), day("2026-12-08"));
        assert_eq!(warning_until(&calendar, day("2026-12-11"), 0), day("2026-12-13"));
    }

    #[test]
    fn the_warning_window_skips_christmas() {
        let calendar = WorkingCalendar::england_and_wales();
        // Wednesday 23 December 2026 + 2 working days: 24th, then 29th (25th Christmas, 28th
        // the substitute Boxing Day).
        assert_eq!(bounds(&calendar, day("2026-12-23"), 2).soon, day("2026-12-29"));
    }
}

//! The SLA report for a period, by workflow and queue, and the daily throughput series.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use postroom_db::oversight::report as db;
use postroom_domain::london_date;

use super::{count, may_watch, share};
use crate::{Caller, Casework, CaseworkError};

/// The longest period one report covers.
pub const MAX_REPORT_DAYS: u64 = 731;

/// One workflow and queue over the period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaRow {
    pub workflow: String,
    pub queue: String,
    /// Received (UK day) in the period.
    pub received: u64,
    /// Completed (done; UK day) in the period, whenever received.
    pub completed: u64,
    /// Of those, closed on or before the due date.
    pub completed_in_time: u64,
    /// `completed_in_time / completed`.
    pub in_time_share: Option<f64>,
    /// Working days from receipt to completion of the items completed in the period: the
    /// median and the 90th percentile (nearest rank).
    pub median_working_days: Option<u32>,
    pub p90_working_days: Option<u32>,
    /// Of the items received in the period, those still open today.
    pub still_open: u64,
    /// Of those, the ones overdue today (not waiting for the customer, due before today).
    pub overdue: u64,
}

/// One day of the throughput series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ThroughputDay {
    pub day: NaiveDate,
    pub received: u64,
    /// Completed (done) that day.
    pub completed: u64,
    /// Open at the end of the day.
    pub open_at_day_end: u64,
}

/// The SLA report.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<SlaRow>,
    pub throughput: Vec<ThroughputDay>,
}

/// The value at `rank` (0-based) of counts given as `(value, how many)` in ascending order.
fn at_rank(sorted: &[(u32, u64)], rank: u64) -> Option<u32> {
    let mut seen = 0;
    for &(value, n) in sorted {
        seen += n;
        if seen > rank {
            return Some(value);
        }
    }
    None
}

/// The median (lower middle for an even count) and the 90th percentile by nearest rank
/// (`ceil(0.9 n)`-th value) of counted values.
#[must_use]
pub(crate) fn median_and_p90(counts: &BTreeMap<u32, u64>) -> (Option<u32>, Option<u32>) {
    let sorted: Vec<(u32, u64)> = counts.iter().map(|(v, n)| (*v, *n)).collect();
    let n: u64 = sorted.iter().map(|(_, n)| n).sum();
    if n == 0 {
        return (None, None);
    }
    let median = at_rank(&sorted, (n - 1) / 2);
    let p90 = at_rank(&sorted, (n * 9).div_ceil(10) - 1);
    (median, p90)
}

impl Casework {
    /// The SLA report from `from` to `to` (inclusive UK days; at most two years).
    ///
    /// # Errors
    /// 403 for roles other than team leaders, admins and auditors; 422 for a period that ends
    /// before it starts or is too long; the database failing.
    #[tracing::instrument(skip_all, fields(user = %caller.user, %from, %to))]
    pub async fn sla_report(
        &self,
        caller: &Caller,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SlaReport, CaseworkError> {
        may_watch(caller)?;
        if to < from {
            return Err(CaseworkError::invalid("to", "the period ends before it starts", "must not be before from"));
        }
        if (to - from).num_days() >= i64::try_from(MAX_REPORT_DAYS).unwrap_or(i64::MAX) {
            return Err(CaseworkError::invalid(
                "to",
                format!("a report covers at most {MAX_REPORT_DAYS} days"),
                format!("must be within {MAX_REPORT_DAYS} days of from"),
            ));
        }
        let today = london_date(Utc::now());
        let received = db::received(&self.db, from, to, today).await?;
        let completed = db::completed(&self.db, from, to).await?;
        let blank = |(workflow, queue): &(String, String)| SlaRow {
            workflow: workflow.clone(),
            queue: queue.clone(),
            received: 0,
            completed: 0,
            completed_in_time: 0,
            in_time_share: None,
            median_working_days: None,
            p90_working_days: None,
            still_open: 0,
            overdue: 0,
        };
        let mut rows: BTreeMap<(String, String), SlaRow> = BTreeMap::new();
        for r in &received {
            let key = (r.workflow.clone(), r.queue.clone());
            let x = rows.entry(key.clone()).or_insert_with(|| blank(&key));
            x.received = count(r.received);
            x.still_open = count(r.still_open);
            x.overdue = count(r.overdue);
        }
        let mut days: BTreeMap<(String, String), BTreeMap<u32, u64>> = BTreeMap::new();
        for c in &completed {
            let key = (c.workflow.clone(), c.queue.clone());
            let x = rows.entry(key.clone()).or_insert_with(|| blank(&key));
            x.completed += count(c.n);
            x.completed_in_time += count(c.in_time);
            let took = c.received_on.map_or(0, |r| self.calendar.working_days_between(r, c.closed_on));
            *days.entry(key).or_default().entry(took).or_default() += count(c.n);
        }
        let rows = rows
            .into_iter()
            .map(|(key, mut x)| {
                x.in_time_share = share(x.completed_in_time, x.completed);
                if let Some(counts) = days.get(&key) {
                    (x.median_working_days, x.p90_working_days) = median_and_p90(counts);
                }
                x
            })
            .collect();
        Ok(SlaReport { from, to, rows, throughput: self.throughput(from, to).await? })
    }

    /// Received, completed and open at the end of each day from `from` to `to`. Open at the end
    /// of a day is today's open items, less those received after that day, plus those closed
    /// after it (an item reopened since counts as open from its receipt).
    async fn throughput(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<ThroughputDay>, CaseworkError> {
        let (received, closed, open_now) = db::movements(&self.db, from).await?;
        let mut series = Vec::new();
        let mut day = from;
        while day <= to {
            let received_after: i64 = received.iter().filter(|r| r.day > day).map(|r| r.n).sum();
            let closed_after: i64 = closed.iter().filter(|c| c.day > day).map(|c| c.closed).sum();
            series.push(ThroughputDay {
                day,
                received: count(received.iter().find(|r| r.day == day).map_or(0, |r| r.n)),
                completed: count(closed.iter().find(|c| c.day == day).map_or(0, |c| c.completed)),
                open_at_day_end: count(open_now - received_after + closed_after),
            });
            let Some(next) = day.checked_add_days(Days::new(1)) else { break };
            day = next;
        }
        Ok(series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_90th_percentile_by_nearest_rank() {
        // 1, 2, 2, 3, 10: median 2; 90th percentile the 5th value.
        let counts = BTreeMap::from([(1, 1), (2, 2), (3, 1), (10, 1)]);
        assert_eq!(median_and_p90(&counts), (Some(2), Some(10)));
        // Ten values 1..=10: median the 5th (5), 90th percentile the 9th (9).
        let counts: BTreeMap<u32, u64> = (1..=10).map(|v| (v, 1)).collect();
        assert_eq!(median_and_p90(&counts), (Some(5), Some(9)));
        assert_eq!(median_and_p90(&BTreeMap::new()), (None, None));
    }
}

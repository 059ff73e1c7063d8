//! Inclusive date periods (both the first and last day count) and splitting a period into
//! day-segments at the dates where circumstances change.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A run of days from `from` to `to`, both included. `from ≤ to` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod")]
pub struct DatePeriod {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Deserialize)]
struct RawPeriod {
    from: NaiveDate,
    to: NaiveDate,
}

/// A period that ends before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("period ends on {to} before it starts on {from}")]
pub struct PeriodError {
    /// First day given.
    pub from: NaiveDate,
    /// Last day given.
    pub to: NaiveDate,
}

impl TryFrom<RawPeriod> for DatePeriod {
    type Error = PeriodError;
    fn try_from(raw: RawPeriod) -> Result<Self, Self::Error> {
        Self::new(raw.from, raw.to)
    }
}

impl DatePeriod {
    /// The days from `from` to `to` inclusive.
    ///
    /// # Errors
    /// [`PeriodError`] when `to` is before `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodError> {
        if to < from { Err(PeriodError { from, to }) } else { Ok(Self { from, to }) }
    }

    /// First day.
    #[must_use]
    pub const fn from(self) -> NaiveDate {
        self.from
    }

    /// Last day.
    #[must_use]
    pub const fn to(self) -> NaiveDate {
        self.to
    }

    /// Number of days, counting both ends (a one-day period has 1).
    #[must_use]
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Whether `date` falls in the period.
    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// Whether every day of `self` falls within `outer`.
    #[must_use]
    pub fn is_within(self, outer: Self) -> bool {
        outer.from <= self.from && self.to <= outer.to
    }

    /// The days common to both periods, if any.
    #[must_use]
    pub fn intersection(self, other: Self) -> Option<Self> {
        Self::new(self.from.max(other.from), self.to.min(other.to)).ok()
    }

    /// Whether the two periods share at least one day.
    #[must_use]
    pub fn overlaps(self, other: Self) -> bool {
        self.intersection(other).is_some()
    }

    /// The same start, ending on `to` (never before the start).
    pub(crate) fn extended_to(self, to: NaiveDate) -> Self {
        Self { from: self.from, to: to.max(self.from) }
    }

    /// The dates on which something that holds for this period starts and stops holding: its
    /// first day and the day after its last.
    pub(crate) fn change_dates(self) -> impl Iterator<Item = NaiveDate> {
        [Some(self.from), self.to.succ_opt()].into_iter().flatten()
    }

    /// Splits the period into consecutive segments, starting a new segment on every change date
    /// that falls after its first day and on or before its last. Segments cover the period
    /// exactly, in order, without gaps or overlaps.
    #[must_use]
    pub fn split_at(self, change_dates: impl IntoIterator<Item = NaiveDate>) -> Vec<Self> {
        let mut cuts: Vec<NaiveDate> = change_dates.into_iter().filter(|d| self.from < *d && *d <= self.to).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut segments = Vec::with_capacity(cuts.len() + 1);
        let mut start = self.from;
        for cut in cuts {
            if let Some(last) = cut.pred_opt() {
                segments.push(Self { from: start, to: last });
                start = cut;
            }
        }
        segments.push(Self { from: start, to: self.to });
        segments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn counts_both_ends() -> Result<(), PeriodError> {
        assert_eq!(DatePeriod::new(date(2025, 5, 16), date(2026, 3, 31))?.days(), 320);
        assert_eq!(DatePeriod::new(date(2025, 5, 16), date(2025, 5, 16))?.days(), 1);
        assert!(DatePeriod::new(date(2025, 5, 16), date(2025, 5, 15)).is_err());
        Ok(())
    }

    #[test]
    fn splits_at_change_dates_without_gaps() -> Result<(), PeriodError> {
        let p = DatePeriod::new(date(2025, 4, 1), date(2026, 3, 31))?;
        let segs = p.split_at([date(2025, 7, 1), date(2025, 4, 1), date(2026, 4, 1), date(2025, 7, 1)]);
        assert_eq!(
            segs,
            vec![
                DatePeriod::new(date(2025, 4, 1), date(2025, 6, 30))?,
                DatePeriod::new(date(2025, 7, 1), date(2026, 3, 31))?,
            ]
        );
        assert_eq!(segs.iter().map(|s| s.days()).sum::<i64>(), p.days());
        Ok(())
    }

    #[test]
    fn rejects_inverted_periods_when_deserialising() {
        let json = r#"{"from":"2025-06-01","to":"2025-05-01"}"#;
        assert!(serde_json::from_str::<DatePeriod>(json).is_err());
    }
}

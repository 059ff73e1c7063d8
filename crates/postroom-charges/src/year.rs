//! The financial (billing) year, 1 April – 31 March, written `2025/26`.

use std::{fmt, str::FromStr};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A financial year from 1 April to the following 31 March. Serialised as `"2025/26"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FinancialYear {
    start: NaiveDate,
    end: NaiveDate,
}

/// A year that cannot be a financial year.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum YearError {
    /// The start year is outside the supported calendar range.
    #[error("financial year starting {0} is out of range")]
    OutOfRange(i32),
    /// The text is not of the form `2025/26` (or `2025-26`, `2025/2026`).
    #[error("not a financial year: {0:?} (expected e.g. \"2025/26\")")]
    Malformed(String),
}

impl FinancialYear {
    /// The year starting 1 April `start_year`.
    ///
    /// # Errors
    /// [`YearError::OutOfRange`] outside years 1..=9999.
    pub fn starting(start_year: i32) -> Result<Self, YearError> {
        if !(1..=9_999).contains(&start_year) {
            return Err(YearError::OutOfRange(start_year));
        }
        let start = NaiveDate::from_ymd_opt(start_year, 4, 1).ok_or(YearError::OutOfRange(start_year))?;
        let end = NaiveDate::from_ymd_opt(start_year + 1, 3, 31).ok_or(YearError::OutOfRange(start_year))?;
        Ok(Self { start, end })
    }

    /// The financial year containing `date`.
    ///
    /// # Errors
    /// [`YearError::OutOfRange`] for dates outside the supported range.
    pub fn containing(date: NaiveDate) -> Result<Self, YearError> {
        let start_year = if date.month() >= 4 { date.year() } else { date.year() - 1 };
        Self::starting(start_year)
    }

    /// The calendar year in which this financial year starts.
    #[must_use]
    pub fn start_year(self) -> i32 {
        self.start.year()
    }

    /// 1 April.
    #[must_use]
    pub const fn start(self) -> NaiveDate {
        self.start
    }

    /// 31 March.
    #[must_use]
    pub const fn end(self) -> NaiveDate {
        self.end
    }

    /// Days in the year: 365, or 366 when it contains 29 February.
    #[must_use]
    pub fn days(self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Whether `date` falls in this year.
    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The next financial year.
    ///
    /// # Errors
    /// [`YearError::OutOfRange`] at the end of the supported range.
    pub fn next(self) -> Result<Self, YearError> {
        Self::starting(self.start_year() + 1)
    }

    /// Parses `2025/26`, `2025-26` or `2025/2026`.
    ///
    /// # Errors
    /// [`YearError::Malformed`] when the two years are not consecutive or not numbers.
    pub fn parse(input: &str) -> Result<Self, YearError> {
        let bad = || YearError::Malformed(input.to_owned());
        let (first, second) = input.trim().split_once(['/', '-']).ok_or_else(bad)?;
        let numeric = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if first.len() != 4 || !numeric(first) || !numeric(second) {
            return Err(bad());
        }
        let start: i32 = first.parse().map_err(|_| bad())?;
        let follows = match second.len() {
            2 => second.parse::<i32>().map_err(|_| bad())? == (start + 1) % 100,
            4 => second.parse::<i32>().map_err(|_| bad())? == start + 1,
            _ => false,
        };
        if !follows {
            return Err(bad());
        }
        Self::starting(start)
    }
}

impl FromStr for FinancialYear {
    type Err = YearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for FinancialYear {
    type Error = YearError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<FinancialYear> for String {
    fn from(y: FinancialYear) -> Self {
        y.to_string()
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.start.year(), (self.start.year() + 1) % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_years() -> Result<(), YearError> {
        let y = FinancialYear::parse("2025/26")?;
        assert_eq!(y.to_string(), "2025/26");
        assert_eq!(FinancialYear::parse("2025-26")?, y);
        assert_eq!(FinancialYear::parse("2025/2026")?, y);
        assert_eq!(FinancialYear::parse("1999/00")?.to_string(), "1999/00");
        for bad in ["2025/27", "2025", "25/26", "2025/", "abcd/ef"] {
            assert!(FinancialYear::parse(bad).is_err(), "{bad:?}");
        }
        Ok(())
    }

    #[test]
    fn knows_its_dates_and_length() -> Result<(), YearError> {
        let y = FinancialYear::starting(2025)?;
        assert_eq!(y.start(), NaiveDate::from_ymd_opt(2025, 4, 1).ok_or(YearError::OutOfRange(0))?);
        assert_eq!(y.end(), NaiveDate::from_ymd_opt(2026, 3, 31).ok_or(YearError::OutOfRange(0))?);
        assert_eq!(y.days(), 365);
        assert_eq!(FinancialYear::starting(2027)?.days(), 366);
        let march = NaiveDate::from_ymd_opt(2026, 3, 31).ok_or(YearError::OutOfRange(0))?;
        assert_eq!(FinancialYear::containing(march)?, y);
        Ok(())
    }
}

//! The itemised result of a charge calculation: one line per run of days with the same
//! circumstances, and their total.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::Pence;

/// One run of days charged at one daily rate.
///
/// `amount` is computed exactly from the annual figures and the day count and rounded once,
/// half-up, to the penny. `annual_rate` and `daily_rate` are the same rate rounded to the penny
/// for display; `daily_rate × days` can differ from `amount` by a few pence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ChargeLine {
    /// First day of the line.
    pub from: NaiveDate,
    /// Last day of the line (inclusive).
    pub to: NaiveDate,
    /// Days charged, counting both ends.
    pub days: i64,
    /// The full-year equivalent of the rate on this line, rounded to the penny (display only).
    pub annual_rate: Pence,
    /// The rate per day, rounded to the penny (display only).
    pub daily_rate: Pence,
    /// What applies on these days, e.g. `Band D; single person discount 25%`.
    pub description: String,
    /// The charge for these days.
    pub amount: Pence,
}

/// A charge broken down into lines; `total` is the sum of the lines' amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ChargeBreakdown {
    /// Lines in date order, covering the liability period without gaps.
    pub lines: Vec<ChargeLine>,
    /// Sum of the lines' amounts.
    pub total: Pence,
}

impl ChargeBreakdown {
    /// Totals the lines.
    #[must_use]
    pub fn from_lines(lines: Vec<ChargeLine>) -> Self {
        let total = lines.iter().map(|l| l.amount).sum();
        Self { lines, total }
    }
}

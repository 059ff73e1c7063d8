//! Statutory instalment schedules for Council Tax (SI 1992/613 Sch 1 Part I; domain.md §2.1) and
//! business rates (SI 1989/1058 Sch 1; §3.3).
//!
//! Number of instalments, for a bill issued on or before 31 December of the year:
//! - 10-instalment plan: 10, or if less, one less than the whole calendar months remaining in the
//!   year after the month of issue (12 when issued before the year). For Council Tax this is the
//!   "10 if issued by 30 April" rule of Sch 1 para 2(3); for NNDR it is Sch 1 para 1(2) verbatim.
//! - 12-instalment plan (on written request, reg 21(1A)–(1C)): Sch 1 para 2(3A) counts from the
//!   day the notice under reg 21(1C) is issued (`issued`): 12 when issued before the year or by
//!   15 April; issued from 16 April, the whole months remaining in the year after the month of
//!   issue (a June notice gives 9, July–March). The same rule is applied to NNDR (12 on request
//!   from 2014/15, SI 2014/479; its count after 15 April is **unverified**).
//!
//! Dates: instalments fall in uninterrupted months of the year (para 2(4)) on `collection_day`;
//! the first is not less than 14 days after the notice is issued (domain.md §2.1), never before
//! 1 April, and never before `earliest_collection` (for a Direct Debit: the first or changed
//! collection needs 10 working days' advance notice, domain.md §4.1; the caller computes the date
//! on its working-day calendar). When the collection day in the first month is too early, the
//! first instalment moves, and how is [`FirstInstalment`] (a configurable reading of para 2(4)):
//! by default it falls on the earliest lawful day of that month and the rest on the collection
//! day, so the count stays what para 2(3)/(3A) says ("shall be 12"); with
//! [`FirstInstalment::CollectionDayOnly`] every instalment is on the collection day and the count
//! is limited to the collection dates left in the year. For the 10-instalment plan the two never
//! differ without a Direct Debit date, because para 2(3) already leaves a month spare.
//!
//! Issued after 31 December: one instalment due 14 days after issue (the earliest date the
//! 14-day rule allows, or `earliest_collection` if later; `collection_day` is not used).
//!
//! Amounts and the £5 / £50 minimums: [`crate::minimum`] (para 2(5)–(7), para 3). A zero total
//! gives no instalments.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{
    minimum::amounts_with_minimum,
    money::{AmountOverflow, Pence},
    year::FinancialYear,
};

/// Which tax the bill is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// Council Tax.
    CouncilTax,
    /// Business rates (NNDR).
    BusinessRates,
}

impl Service {
    /// The smallest instalment allowed before the count is reduced: £5 Council Tax, £50 NNDR.
    #[must_use]
    pub const fn minimum_instalment(self) -> Pence {
        match self {
            Self::CouncilTax => Pence::from_pounds(5),
            Self::BusinessRates => Pence::from_pounds(50),
        }
    }
}

/// The instalment plan asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstalmentPlan {
    /// The statutory default of 10 monthly instalments.
    #[default]
    TenMonthly,
    /// 12 monthly instalments, April–March, on written request.
    TwelveMonthly,
}

/// A bill to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ScheduleRequest {
    /// Amount billed.
    pub total: Pence,
    /// Day the demand notice is issued.
    pub issued: NaiveDate,
    /// Financial year billed.
    pub year: FinancialYear,
    /// Council Tax or NNDR.
    pub service: Service,
    /// 10 or 12 instalments.
    #[serde(default)]
    pub plan: InstalmentPlan,
    /// Day of the month instalments fall due, 1–28 (e.g. 1, 15, or a Direct Debit date).
    pub collection_day: u32,
    /// No instalment before this date. For a Direct Debit whose first or changed collection this
    /// notice announces: the date 10 working days after the notice (domain.md §4.1); `None`
    /// when nothing but the 14-day rule applies.
    #[serde(default)]
    pub earliest_collection: Option<NaiveDate>,
    /// Where the first instalment falls when the collection day in its month is too early.
    #[serde(default)]
    pub first_instalment: FirstInstalment,
}

/// Where the first instalment falls when the collection day in the first available month is
/// earlier than the 14-day rule (or the Direct Debit advance notice) allows. SI 1992/613 Sch 1
/// para 2(4) puts the instalments in uninterrupted months of the year, "on such day in each
/// month as is so specified"; para 2(3A) says a 12-instalment notice issued by 15 April "shall
/// be 12". Both cannot hold with one day for every month (a notice of 10 April with collection on
/// the 1st leaves 11 collection dates), so this is the council's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FirstInstalment {
    /// Keep the statutory count: the first instalment on the earliest lawful day of its month
    /// (e.g. 24 April for a notice of 10 April), the rest on the collection day.
    #[default]
    EarliestLawfulDay,
    /// Every instalment on the collection day; the count is limited to the collection dates
    /// left in the year (a notice of 10 April with collection on the 1st: 11, May–March).
    CollectionDayOnly,
}

/// Why the schedule has as many instalments as it has (before any reduction for the minimum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum CountRule {
    /// The full 10 or 12.
    FullPlan,
    /// Limited by the whole months remaining after the month of issue.
    RemainingMonths {
        /// Whole calendar months left in the year after the month of issue.
        whole_months_remaining: u32,
    },
    /// Limited by the collection dates left in the year after the 14-day rule and any Direct
    /// Debit advance notice ([`FirstInstalment::CollectionDayOnly`], or a Direct Debit date).
    CollectionDatesAvailable {
        /// Monthly collection dates available.
        dates: u32,
    },
    /// Issued after 31 December: a single instalment.
    SingleSum,
}

/// One instalment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Instalment {
    /// 1 for the first.
    pub number: u32,
    /// Due date.
    pub due: NaiveDate,
    /// Amount due.
    pub amount: Pence,
}

/// The dated instalments for a bill; their amounts sum to `total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Schedule {
    /// Instalments in date order.
    pub instalments: Vec<Instalment>,
    /// Amount billed.
    pub total: Pence,
    /// What set the count.
    pub count_rule: CountRule,
    /// True when the count was reduced to keep instalments at or above the minimum.
    pub reduced_for_minimum: bool,
}

/// A request that cannot be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// The total is negative (a credit is not scheduled).
    #[error("cannot schedule a negative total {0}")]
    NegativeTotal(Pence),
    /// The collection day is outside 1–28.
    #[error("collection day {0} is not between 1 and 28")]
    InvalidCollectionDay(u32),
    /// A date or amount out of range.
    #[error("date or amount out of range")]
    OutOfRange,
}

impl From<AmountOverflow> for ScheduleError {
    fn from(_: AmountOverflow) -> Self {
        Self::OutOfRange
    }
}

/// Splits `total` into `n` instalments: all but the first `total / n` rounded half-up to whole
/// pounds, the first taking the difference. Empty when `n` is 0.
///
/// # Errors
/// [`AmountOverflow`] only for totals beyond any real bill.
pub fn instalment_amounts(total: Pence, n: u32) -> Result<Vec<Pence>, AmountOverflow> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let pounds = Pence::from_ratio(i128::from(total.pence()), i128::from(n) * 100)?;
    let rest = Pence::new(pounds.pence().checked_mul(100).ok_or(AmountOverflow)?);
    let others = (rest.pence()).checked_mul(i64::from(n - 1)).ok_or(AmountOverflow)?;
    let first = Pence::new(total.pence().checked_sub(others).ok_or(AmountOverflow)?);
    Ok(std::iter::once(first).chain(std::iter::repeat_n(rest, (n - 1) as usize)).collect())
}

/// Builds the dated schedule for `request`.
///
/// # Errors
/// [`ScheduleError`] for a negative total, a collection day outside 1–28, or dates out of range.
pub fn instalment_schedule(request: &ScheduleRequest) -> Result<Schedule, ScheduleError> {
    let ScheduleRequest { total, issued, year, service, plan, collection_day, earliest_collection, first_instalment } =
        *request;
    if total < Pence::ZERO {
        return Err(ScheduleError::NegativeTotal(total));
    }
    if !(1..=28).contains(&collection_day) {
        return Err(ScheduleError::InvalidCollectionDay(collection_day));
    }
    let fourteen_days = issued.checked_add_days(Days::new(14)).ok_or(ScheduleError::OutOfRange)?;
    let earliest = earliest_collection.map_or(fourteen_days, |d| d.max(fourteen_days));
    let dec31 = NaiveDate::from_ymd_opt(year.start_year(), 12, 31).ok_or(ScheduleError::OutOfRange)?;
    let (first_due, count, rule) = if issued > dec31 {
        (earliest, 1, CountRule::SingleSum)
    } else {
        let remaining = if issued < year.start() { 12 } else { months_from(issued, year.end()).saturating_sub(1) };
        let (full, by_months) = match plan {
            InstalmentPlan::TenMonthly => (10, remaining.saturating_sub(1)),
            InstalmentPlan::TwelveMonthly => {
                let by_15_april = year.start().with_day(15).is_some_and(|d| issued <= d);
                (12, if by_15_april { 12 } else { remaining })
            }
        };
        let statutory = full.min(by_months);
        let lawful = earliest.max(year.start());
        let on_day = collection_on_or_after(lawful, collection_day)?;
        let (first, dates) = match first_instalment {
            FirstInstalment::EarliestLawfulDay if months_from(on_day, year.end()) < statutory => {
                (lawful, months_from(lawful, year.end()))
            }
            _ => (on_day, months_from(on_day, year.end())),
        };
        let rule = if dates < statutory {
            CountRule::CollectionDatesAvailable { dates }
        } else if statutory < full {
            CountRule::RemainingMonths { whole_months_remaining: remaining }
        } else {
            CountRule::FullPlan
        };
        (first, statutory.min(dates).max(1), rule)
    };
    let (amounts, reduced_for_minimum) = amounts_with_minimum(total, count, service.minimum_instalment())?;
    let instalments = amounts
        .into_iter()
        .zip(0_u32..)
        .map(|(amount, k)| Ok(Instalment { number: k + 1, due: monthly_due(first_due, collection_day, k)?, amount }))
        .collect::<Result<Vec<_>, ScheduleError>>()?;
    Ok(Schedule { instalments, total, count_rule: rule, reduced_for_minimum })
}

/// The `k`th monthly due date from `first`: `first` itself, then `collection_day` of each
/// following month.
fn monthly_due(first: NaiveDate, collection_day: u32, k: u32) -> Result<NaiveDate, ScheduleError> {
    if k == 0 {
        return Ok(first);
    }
    first
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(k)))
        .and_then(|d| d.with_day(collection_day))
        .ok_or(ScheduleError::OutOfRange)
}

/// The first date on or after `date` that falls on `day` of a month (day ≤ 28).
fn collection_on_or_after(date: NaiveDate, day: u32) -> Result<NaiveDate, ScheduleError> {
    let this_month = date.with_day(day).ok_or(ScheduleError::OutOfRange)?;
    if this_month >= date {
        Ok(this_month)
    } else {
        this_month.checked_add_months(Months::new(1)).ok_or(ScheduleError::OutOfRange)
    }
}

/// Calendar months from `from`'s month to `to`'s month, both included (0 if `from` is later).
fn months_from(from: NaiveDate, to: NaiveDate) -> u32 {
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    u32::try_from(index(to) - index(from) + 1).unwrap_or(0)
}

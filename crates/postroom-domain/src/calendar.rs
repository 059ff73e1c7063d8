//! The England & Wales working-day calendars that every deadline in Postroom uses.
//!
//! There are two, and each workflow says which one its clock runs on ([`Clock`]):
//!
//! - The **statutory** calendar: a working day is any day except Saturday, Sunday or an
//!   England & Wales bank holiday (`domain.md` §7; the statutory "business day" of the CT A&E
//!   Regs 1992 reg 1(2), which also names Christmas Day and Good Friday, both bank holidays
//!   here). Bank holidays follow the rules of the Banking and Financial Dealings Act 1971 as
//!   applied each year (New Year, Good Friday, Easter Monday, early May, spring and summer bank
//!   holidays, Christmas and Boxing Day with substitute days); proclaimed one-off holidays come
//!   from the gov.uk `bank-holidays.json` file or from configured extra dates. Statutory clocks
//!   run on it: a subject access request's month (UK GDPR art. 12(3)) and FOI's 20 working
//!   days (FOIA 2000 s10(6)). A council closing its office does not stop them: the ICO treats
//!   office closure days as working days.
//! - The **service** calendar: the statutory calendar plus the council's closure days (e.g.
//!   29–31 December). Internal service targets run on it.

use std::{borrow::Cow, collections::BTreeSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

/// The calendar date in the UK (Europe/London) of an instant.
#[must_use]
pub fn london_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// The instant a UK calendar day starts (midnight Europe/London), e.g. for a post-room date stamp.
#[must_use]
pub fn london_midnight(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    London.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// Which calendar a deadline is counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// The council's service calendar: bank holidays and the council's closure days are not
    /// working days. For internal service targets.
    #[default]
    Service,
    /// The statutory calendar: weekends and England & Wales bank holidays only; council closure
    /// days are working days. For deadlines set by law in England (UK GDPR art. 12(3)).
    Statutory,
    /// The statutory calendar with the bank holidays of every part of the United Kingdom (the
    /// Scottish and Northern Irish ones by rule): FOIA 2000 s10(6) excludes "a bank holiday
    /// under the Banking and Financial Dealings Act 1971 in any part of the United Kingdom".
    StatutoryUk,
}

impl Clock {
    /// `service` or `statutory`, as workflow files write it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Statutory => "statutory",
            Self::StatutoryUk => "statutory_uk",
        }
    }
}

/// Working days for England & Wales: bank holidays (by rule and proclaimed) and, for the
/// service calendar, the council's closure days.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    /// Proclaimed one-off bank holidays (gov.uk file or configuration): statutory.
    extra_bank_holidays: BTreeSet<NaiveDate>,
    /// Dates the standing rules give that a gov.uk file moved elsewhere (2020's early May bank
    /// holiday, 4 May by rule, was moved to 8 May): working days unless a holiday by other
    /// means.
    moved_away: BTreeSet<NaiveDate>,
    /// Council closure days: non-working on the service calendar only.
    closure_days: BTreeSet<NaiveDate>,
    /// Whether Scottish and Northern Irish bank holidays are non-working too (FOIA s10(6)).
    uk_wide: bool,
}

impl WorkingCalendar {
    /// The statutory England & Wales calendar with no proclaimed holidays or closure days.
    #[must_use]
    pub fn england_and_wales() -> Self {
        Self::default()
    }

    /// Adds council closure days. They are not working days on the service calendar and are
    /// working days on the statutory one.
    #[must_use]
    pub fn with_closure_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.closure_days.extend(days);
        self
    }

    /// Adds proclaimed one-off bank holidays: not working days on either calendar.
    #[must_use]
    pub fn with_bank_holidays(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra_bank_holidays.extend(days);
        self
    }

    /// Adds the England & Wales events of a gov.uk `bank-holidays.json` document as bank
    /// holidays (statutory). An event named like a standing holiday ("Early May bank holiday
    /// (VE day)" is the early May bank holiday) on another date than the rules give moves that
    /// holiday: the rule's date stops being a holiday ([`gov_uk::moves`]).
    ///
    /// # Errors
    /// When the document is not the gov.uk format.
    pub fn with_gov_uk_json(mut self, json: &str) -> Result<Self, serde_json::Error> {
        let events = gov_uk::england_and_wales_events(json)?;
        self.moved_away.extend(gov_uk::moves(&events));
        Ok(self.with_bank_holidays(events.into_iter().map(|e| e.date)))
    }

    /// The statutory calendar: this calendar's bank holidays without its closure days.
    #[must_use]
    pub fn statutory(&self) -> Self {
        Self {
            extra_bank_holidays: self.extra_bank_holidays.clone(),
            moved_away: self.moved_away.clone(),
            closure_days: BTreeSet::new(),
            uk_wide: false,
        }
    }

    /// The statutory calendar with every UK bank holiday (FOIA s10(6)): [`Self::statutory`] plus
    /// the Scottish and Northern Irish bank holidays by rule ([`uk_only_bank_holidays`]).
    #[must_use]
    pub fn statutory_uk(&self) -> Self {
        Self { uk_wide: true, ..self.statutory() }
    }

    /// The calendar a [`Clock`] runs on: this one for [`Clock::Service`], [`Self::statutory`]
    /// for [`Clock::Statutory`], [`Self::statutory_uk`] for [`Clock::StatutoryUk`].
    #[must_use]
    pub fn for_clock(&self, clock: Clock) -> Cow<'_, Self> {
        match clock {
            Clock::Service => Cow::Borrowed(self),
            Clock::Statutory if self.closure_days.is_empty() && !self.uk_wide => Cow::Borrowed(self),
            Clock::Statutory => Cow::Owned(self.statutory()),
            Clock::StatutoryUk => Cow::Owned(self.statutory_uk()),
        }
    }

    /// Whether `day` is a working day.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let uk_holiday = self.uk_wide && uk_only_bank_holidays(day.year()).contains(&day);
        let by_rule = is_bank_holiday(day) && !self.moved_away.contains(&day);
        !(weekend
            || by_rule
            || uk_holiday
            || self.extra_bank_holidays.contains(&day)
            || self.closure_days.contains(&day))
    }

    /// `day` itself if it is a working day, else the next working day after it.
    #[must_use]
    pub fn on_or_after(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        while !self.is_working_day(d) {
            d = next_day(d);
        }
        d
    }

    /// The date `n` working days after receipt on `received`. Something received on a
    /// non-working day counts as received on the next working day, so `add_working_days(sat, 1)`
    /// is the Tuesday after. `n = 0` gives the (first) working day of receipt.
    #[must_use]
    pub fn add_working_days(&self, received: NaiveDate, n: u32) -> NaiveDate {
        let mut d = self.on_or_after(received);
        for _ in 0..n {
            d = self.on_or_after(next_day(d));
        }
        d
    }

    /// The deadline `months` calendar months after `received` (UK GDPR Art 12(3), as the ICO
    /// reads it): the corresponding date; the last day of the month where there is none (31
    /// January + 1 month = 28/29 February); then the next working day if that is not one.
    #[must_use]
    pub fn add_calendar_months(&self, received: NaiveDate, months: u32) -> NaiveDate {
        let target = received.checked_add_months(chrono::Months::new(months)).unwrap_or(received);
        self.on_or_after(target)
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to <= from`).
    /// This is the age of an item received on `from`, seen on `to`.
    #[must_use]
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next_day(d);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// Bank holidays (rule-based and proclaimed, England & Wales) and closure days in `year`.
    #[must_use]
    pub fn closed_days_in(&self, year: i32) -> Vec<NaiveDate> {
        let mut days: BTreeSet<NaiveDate> =
            bank_holidays(year).into_iter().filter(|d| !self.moved_away.contains(d)).collect();
        days.extend(self.extra_bank_holidays.iter().chain(&self.closure_days).filter(|d| d.year() == year));
        days.into_iter().collect()
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX)
}

fn is_bank_holiday(day: NaiveDate) -> bool {
    bank_holidays(day.year()).contains(&day)
}

/// England & Wales bank holidays of `year` by the standing rules (no one-off proclamations).
#[must_use]
pub fn bank_holidays(year: i32) -> Vec<NaiveDate> {
    named_bank_holidays(year).into_iter().map(|(_, day)| day).collect()
}

/// [`bank_holidays`] with each one's name as gov.uk titles it.
#[must_use]
pub fn named_bank_holidays(year: i32) -> Vec<(&'static str, NaiveDate)> {
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let mut days = Vec::with_capacity(8);
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    if let Some(jan1) = ymd(1, 1) {
        days.push(("New Year's Day", substitute_single(jan1)));
    }
    days.extend(easter.checked_sub_days(Days::new(2)).map(|d| ("Good Friday", d)));
    days.extend(easter.checked_add_days(Days::new(1)).map(|d| ("Easter Monday", d)));
    days.extend(NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 1).map(|d| ("Early May bank holiday", d)));
    days.extend(last_monday(year, 5).map(|d| ("Spring bank holiday", d)));
    days.extend(last_monday(year, 8).map(|d| ("Summer bank holiday", d)));
    if let (Some(xmas), Some(boxing)) = (ymd(12, 25), ymd(12, 26)) {
        let (a, b) = substitute_christmas(xmas, boxing);
        days.push(("Christmas Day", a));
        days.push(("Boxing Day", b));
    }
    days
}

/// Bank holidays of Scotland and Northern Ireland that England & Wales does not have, by the
/// standing rules (no one-off proclamations): Scotland's 2 January, first Monday of August and
/// St Andrew's Day (30 November); Northern Ireland's St Patrick's Day (17 March) and Battle of
/// the Boyne (12 July); each moved off a weekend as gov.uk publishes them.
#[must_use]
pub fn uk_only_bank_holidays(year: i32) -> Vec<NaiveDate> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let mut days = Vec::with_capacity(6);
    if let (Some(jan1), Some(jan2)) = (ymd(1, 1), ymd(1, 2)) {
        // 1 and 2 January move off a weekend together, like Christmas and Boxing Day (2023:
        // Monday 2 and Tuesday 3 January).
        let (a, b) = substitute_christmas(jan1, jan2);
        days.extend([a, b]);
    }
    days.extend(NaiveDate::from_weekday_of_month_opt(year, 8, Weekday::Mon, 1));
    days.extend([ymd(11, 30), ymd(3, 17), ymd(7, 12)].into_iter().flatten().map(substitute_single));
    days
}

/// A holiday falling on a weekend moves to the following Monday.
fn substitute_single(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Days::new(2),
        Weekday::Sun => day + Days::new(1),
        _ => day,
    }
}

/// Christmas and Boxing Day: weekend days move to the next free weekdays.
fn substitute_christmas(xmas: NaiveDate, boxing: NaiveDate) -> (NaiveDate, NaiveDate) {
    match xmas.weekday() {
        // 25 Sat, 26 Sun -> Mon 27, Tue 28
        Weekday::Sat => (xmas + Days::new(2), boxing + Days::new(2)),
        // 25 Sun -> Tue 27 (substitute), 26 Mon stays
        Weekday::Sun => (xmas + Days::new(2), boxing),
        // 25 Fri, 26 Sat -> Mon 28
        Weekday::Fri => (xmas, boxing + Days::new(2)),
        _ => (xmas, boxing),
    }
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_monday();
    last.checked_sub_days(Days::new(u64::from(back)))
}

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
#[must_use]
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[path = "calendar_gov_uk.rs"]
mod gov_uk;

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;

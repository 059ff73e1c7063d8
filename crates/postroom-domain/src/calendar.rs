//! The England & Wales working-day calendar that every deadline in Postroom uses.
//!
//! A working day is any day except Saturday, Sunday, an England & Wales bank holiday, or a
//! council closure day (`domain.md` §7; the statutory "business day" of the CT A&E Regs 1992).
//! Bank holidays follow the rules of the Banking and Financial Dealings Act 1971 as applied each
//! year (New Year, Good Friday, Easter Monday, early May, spring and summer bank holidays,
//! Christmas and Boxing Day with substitute days); proclaimed one-off holidays come from the
//! gov.uk `bank-holidays.json` file or from configured extra dates.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::Deserialize;

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

/// Working days for England & Wales, plus configured closure days.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    /// Extra non-working days: proclaimed bank holidays and council closure days.
    extra_closed: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// The statutory England & Wales calendar with no extra closure days.
    #[must_use]
    pub fn england_and_wales() -> Self {
        Self::default()
    }

    /// Adds non-working days (council closure days, proclaimed one-off bank holidays).
    #[must_use]
    pub fn with_closed_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra_closed.extend(days);
        self
    }

    /// Adds the England & Wales events of a gov.uk `bank-holidays.json` document.
    ///
    /// # Errors
    /// When the document is not the gov.uk format.
    pub fn with_gov_uk_json(self, json: &str) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct Division {
            events: Vec<Event>,
        }
        #[derive(Deserialize)]
        struct Event {
            date: NaiveDate,
        }
        #[derive(Deserialize)]
        struct Doc {
            #[serde(rename = "england-and-wales")]
            england_and_wales: Division,
        }
        let doc: Doc = serde_json::from_str(json)?;
        Ok(self.with_closed_days(doc.england_and_wales.events.into_iter().map(|e| e.date)))
    }

    /// Whether `day` is a working day.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
            && !is_bank_holiday(day)
            && !self.extra_closed.contains(&day)
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

    /// Bank holidays (rule-based, England & Wales) and extra closed days in `year`.
    #[must_use]
    pub fn closed_days_in(&self, year: i32) -> Vec<NaiveDate> {
        let mut days: BTreeSet<NaiveDate> = bank_holidays(year).into_iter().collect();
        days.extend(self.extra_closed.iter().filter(|d| d.year() == year));
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
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let mut days = Vec::with_capacity(8);
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    if let Some(jan1) = ymd(1, 1) {
        days.push(substitute_single(jan1));
    }
    days.extend(easter.checked_sub_days(Days::new(2))); // Good Friday
    days.extend(easter.checked_add_days(Days::new(1))); // Easter Monday
    days.extend(NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 1)); // Early May
    days.extend(last_monday(year, 5)); // Spring
    days.extend(last_monday(year, 8)); // Summer
    if let (Some(xmas), Some(boxing)) = (ymd(12, 25), ymd(12, 26)) {
        let (a, b) = substitute_christmas(xmas, boxing);
        days.push(a);
        days.push(b);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The bank holiday table of `domain.md` §7, reproduced by the rules.
    #[test]
    fn rules_reproduce_the_published_bank_holidays_2025_to_2028() {
        let published = [
            (
                2025,
                vec![
                    d(2025, 1, 1),
                    d(2025, 4, 18),
                    d(2025, 4, 21),
                    d(2025, 5, 5),
                    d(2025, 5, 26),
                    d(2025, 8, 25),
                    d(2025, 12, 25),
                    d(2025, 12, 26),
                ],
            ),
            (
                2026,
                vec![
                    d(2026, 1, 1),
                    d(2026, 4, 3),
                    d(2026, 4, 6),
                    d(2026, 5, 4),
                    d(2026, 5, 25),
                    d(2026, 8, 31),
                    d(2026, 12, 25),
                    d(2026, 12, 28),
                ],
            ),
            (
                2027,
                vec![
                    d(2027, 1, 1),
                    d(2027, 3, 26),
                    d(2027, 3, 29),
                    d(2027, 5, 3),
                    d(2027, 5, 31),
                    d(2027, 8, 30),
                    d(2027, 12, 27),
                    d(2027, 12, 28),
                ],
            ),
        ];
        for (year, days) in published {
            assert_eq!(WorkingCalendar::england_and_wales().closed_days_in(year), days, "{year}");
        }
        assert!(bank_holidays(2028).contains(&d(2028, 1, 3)), "New Year 2028 substitute");
    }

    #[test]
    fn easter_dates_match_domain_sheet() {
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
    }

    #[test]
    fn one_working_day_after_a_friday_is_monday() {
        let cal = WorkingCalendar::england_and_wales();
        assert_eq!(cal.add_working_days(d(2026, 11, 20), 1), d(2026, 11, 23));
    }

    #[test]
    fn received_on_saturday_counts_from_monday() {
        let cal = WorkingCalendar::england_and_wales();
        assert_eq!(cal.add_working_days(d(2026, 11, 21), 1), d(2026, 11, 24));
        assert_eq!(cal.add_working_days(d(2026, 11, 21), 0), d(2026, 11, 23));
    }

    #[test]
    fn christmas_2026_skips_the_boxing_day_substitute() {
        let cal = WorkingCalendar::england_and_wales();
        // Thu 24 Dec 2026 + 1 WD: Fri 25 (Christmas), Sat, Sun, Mon 28 (Boxing Day substitute) -> Tue 29.
        assert_eq!(cal.add_working_days(d(2026, 12, 24), 1), d(2026, 12, 29));
    }

    #[test]
    fn closure_days_are_not_working_days() {
        let cal = WorkingCalendar::england_and_wales().with_closed_days([d(2026, 12, 29)]);
        assert_eq!(cal.add_working_days(d(2026, 12, 24), 1), d(2026, 12, 30));
    }

    #[test]
    fn gov_uk_json_adds_proclaimed_holidays() {
        let json = r#"{"england-and-wales":{"division":"england-and-wales","events":[
            {"title":"Bank holiday for the coronation of King Charles III","date":"2023-05-08","notes":"","bunting":true}]},
            "scotland":{"division":"scotland","events":[]}}"#;
        let cal = WorkingCalendar::england_and_wales().with_gov_uk_json(json).unwrap();
        assert!(!cal.is_working_day(d(2023, 5, 8)));
    }

    #[test]
    fn london_midnight_is_the_start_of_the_uk_day() {
        assert_eq!(london_midnight(d(2026, 6, 2)).to_rfc3339(), "2026-06-01T23:00:00+00:00");
        assert_eq!(london_midnight(d(2026, 12, 2)).to_rfc3339(), "2026-12-02T00:00:00+00:00");
        assert_eq!(london_date(london_midnight(d(2026, 6, 2))), d(2026, 6, 2));
    }

    #[test]
    fn london_date_uses_british_summer_time() {
        let at: DateTime<Utc> = "2026-06-01T23:30:00Z".parse().unwrap();
        assert_eq!(london_date(at), d(2026, 6, 2));
        let winter: DateTime<Utc> = "2026-12-01T23:30:00Z".parse().unwrap();
        assert_eq!(london_date(winter), d(2026, 12, 1));
    }

    proptest! {
        #[test]
        fn adding_working_days_never_lands_on_a_closed_day(offset in 0u64..2200, n in 0u32..60) {
            let cal = WorkingCalendar::england_and_wales();
            let start = d(2024, 1, 1) + Days::new(offset);
            let due = cal.add_working_days(start, n);
            prop_assert!(cal.is_working_day(due));
            prop_assert!(due >= start);
        }

        #[test]
        fn working_days_between_inverts_adding(offset in 0u64..2200, n in 0u32..60) {
            let cal = WorkingCalendar::england_and_wales();
            let start = cal.on_or_after(d(2024, 1, 1) + Days::new(offset));
            let due = cal.add_working_days(start, n);
            prop_assert_eq!(cal.working_days_between(start, due), n);
        }

        #[test]
        fn a_calendar_month_is_a_working_day_between_28_and_35_days_on(offset in 0u64..2200) {
            let cal = WorkingCalendar::england_and_wales();
            let start = d(2024, 1, 1) + Days::new(offset);
            let due = cal.add_calendar_months(start, 1);
            prop_assert!(cal.is_working_day(due));
            let days = (due - start).num_days();
            // 28 days (31 Jan → 28 Feb) up to 31 days plus the longest run of closed days (4,
            // at Easter or Christmas).
            prop_assert!((28..=35).contains(&days), "{start} → {due}: {days} days");
        }

        #[test]
        fn adding_is_monotonic(offset in 0u64..2200, n in 0u32..60) {
            let cal = WorkingCalendar::england_and_wales();
            let start = d(2024, 1, 1) + Days::new(offset);
            prop_assert!(cal.add_working_days(start, n + 1) > cal.add_working_days(start, n));
        }
    }

    #[test]
    fn calendar_months_take_the_corresponding_date_or_the_month_end_then_a_working_day() {
        let cal = WorkingCalendar::england_and_wales();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // 3 March 2026 (Tue) + 1 month = 3 April 2026 is Good Friday, then Easter Monday: 7 April.
        assert_eq!(cal.add_calendar_months(d(2026, 3, 3), 1), d(2026, 4, 7));
        // 31 January + 1 month: no 31 February, so the last day, 28 February 2026 (a Saturday),
        // then the next working day, Monday 2 March.
        assert_eq!(cal.add_calendar_months(d(2026, 1, 31), 1), d(2026, 3, 2));
        // 31 January 2028 (leap year) → 29 February 2028 (Tuesday).
        assert_eq!(cal.add_calendar_months(d(2028, 1, 31), 1), d(2028, 2, 29));
        assert_eq!(cal.add_calendar_months(d(2026, 11, 23), 1), d(2026, 12, 23));
    }
}

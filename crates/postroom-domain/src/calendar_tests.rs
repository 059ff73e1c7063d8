//! Tests of the working-day calendars.
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
    let cal = WorkingCalendar::england_and_wales().with_closure_days([d(2026, 12, 29)]);
    assert_eq!(cal.add_working_days(d(2026, 12, 24), 1), d(2026, 12, 30));
}

fn closed_29_to_31_december_2026() -> WorkingCalendar {
    WorkingCalendar::england_and_wales().with_closure_days([d(2026, 12, 29), d(2026, 12, 30), d(2026, 12, 31)])
}

/// UK GDPR art. 12(3): one calendar month from receipt, to the corresponding date, then the next
/// working day. Council closure days are working days for the statutory clock (ICO right of
/// access guidance; domain.md §8), so 30 November 2026 gives Wednesday 30 December 2026.
#[test]
fn sar_month_on_the_statutory_clock_ignores_council_closure_days() {
    let cal = closed_29_to_31_december_2026();
    assert_eq!(cal.for_clock(Clock::Statutory).add_calendar_months(d(2026, 11, 30), 1), d(2026, 12, 30));
    // On the service calendar the same month runs past the closure and New Year's Day.
    assert_eq!(cal.for_clock(Clock::Service).add_calendar_months(d(2026, 11, 30), 1), d(2027, 1, 4));
}

/// FOIA 2000 s10(6): a working day is any day but Saturday, Sunday, Christmas Day, Good Friday
/// or a bank holiday; closure days are not excluded.
#[test]
fn closure_days_are_working_days_on_the_statutory_calendar_only() {
    let cal = closed_29_to_31_december_2026();
    let statutory = cal.statutory();
    for day in [d(2026, 12, 29), d(2026, 12, 30), d(2026, 12, 31)] {
        assert!(statutory.is_working_day(day), "{day}");
        assert!(!cal.is_working_day(day), "{day}");
    }
    assert!(!statutory.is_working_day(d(2026, 12, 25)), "Christmas Day");
    assert!(!statutory.is_working_day(d(2026, 12, 28)), "Boxing Day substitute");
    assert!(!statutory.is_working_day(d(2027, 3, 26)), "Good Friday");
    assert_eq!(statutory.working_days_between(d(2026, 12, 24), d(2027, 1, 4)), 4);
    assert_eq!(cal.working_days_between(d(2026, 12, 24), d(2027, 1, 4)), 1);
}

#[test]
fn proclaimed_bank_holidays_are_closed_on_both_calendars() {
    let cal =
        WorkingCalendar::england_and_wales().with_bank_holidays([d(2023, 5, 8)]).with_closure_days([d(2023, 5, 9)]);
    assert!(!cal.for_clock(Clock::Statutory).is_working_day(d(2023, 5, 8)));
    assert!(cal.for_clock(Clock::Statutory).is_working_day(d(2023, 5, 9)));
    assert!(!cal.for_clock(Clock::Service).is_working_day(d(2023, 5, 9)));
}

#[test]
fn gov_uk_json_adds_proclaimed_holidays() {
    let json = r#"{"england-and-wales":{"division":"england-and-wales","events":[
        {"title":"Bank holiday for the coronation of King Charles III","date":"2023-05-08","notes":"","bunting":true}]},
        "scotland":{"division":"scotland","events":[]}}"#;
    let cal = WorkingCalendar::england_and_wales().with_gov_uk_json(json).unwrap();
    assert!(!cal.is_working_day(d(2023, 5, 8)));
    assert!(!cal.statutory().is_working_day(d(2023, 5, 8)), "a bank holiday is statutory");
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

/// FOIA 2000 s10(6) excludes a bank holiday "in any part of the United Kingdom". The Scottish
/// and Northern Irish rules reproduce gov.uk's published dates.
#[test]
fn uk_wide_statutory_calendar_adds_scottish_and_northern_irish_bank_holidays() {
    assert_eq!(
        uk_only_bank_holidays(2026),
        vec![d(2026, 1, 1), d(2026, 1, 2), d(2026, 8, 3), d(2026, 11, 30), d(2026, 3, 17), d(2026, 7, 13)]
    );
    // 2023: 1 January a Sunday, so Monday 2 and Tuesday 3 January in Scotland.
    assert!(uk_only_bank_holidays(2023).contains(&d(2023, 1, 3)));
    // 2024: St Andrew's Day a Saturday, so Monday 2 December; 2025: the Boyne on Monday 14 July.
    assert!(uk_only_bank_holidays(2024).contains(&d(2024, 12, 2)));
    assert!(uk_only_bank_holidays(2025).contains(&d(2025, 7, 14)));
    let cal = closed_29_to_31_december_2026();
    let uk = cal.for_clock(Clock::StatutoryUk);
    assert!(!uk.is_working_day(d(2026, 11, 30)), "St Andrew's Day");
    assert!(uk.is_working_day(d(2026, 12, 29)), "a council closure day is a working day");
    assert!(cal.for_clock(Clock::Statutory).is_working_day(d(2026, 11, 30)));
}

/// gov.uk moved 2020's early May bank holiday from Monday 4 May to Friday 8 May (VE day) and
/// 2022's spring bank holiday from Monday 30 May to Thursday 2 June (Platinum Jubilee): the file
/// is the canonical list (`domain.md` §7), so the rule's date is a working day again, not a
/// second holiday (Banking and Financial Dealings Act 1971 s1(3): holidays appointed by
/// proclamation in substitution).
#[test]
fn gov_uk_json_moves_a_standing_holiday_instead_of_adding_a_second() {
    let json = r#"{"england-and-wales":{"division":"england-and-wales","events":[
        {"title":"New Year’s Day","date":"2020-01-01","notes":"","bunting":true},
        {"title":"Early May bank holiday (VE day)","date":"2020-05-08","notes":"","bunting":true},
        {"title":"Spring bank holiday","date":"2020-05-25","notes":"","bunting":true},
        {"title":"Spring bank holiday","date":"2022-06-02","notes":"","bunting":true},
        {"title":"Platinum Jubilee bank holiday","date":"2022-06-03","notes":"","bunting":true},
        {"title":"Christmas Day","date":"2022-12-27","notes":"Substitute day","bunting":true}]},
        "scotland":{"division":"scotland","events":[]}}"#;
    let cal = WorkingCalendar::england_and_wales().with_gov_uk_json(json).unwrap();
    assert!(!cal.is_working_day(d(2020, 5, 8)), "VE day is the early May bank holiday of 2020");
    assert!(cal.is_working_day(d(2020, 5, 4)), "the rule's first Monday of May 2020 was moved away");
    assert!(!cal.is_working_day(d(2020, 5, 25)), "the spring bank holiday stayed");
    assert!(!cal.is_working_day(d(2020, 1, 1)));
    assert!(cal.is_working_day(d(2022, 5, 30)), "2022's spring bank holiday moved to 2 June");
    assert!(!cal.is_working_day(d(2022, 6, 2)) && !cal.is_working_day(d(2022, 6, 3)));
    assert!(!cal.is_working_day(d(2022, 12, 27)), "a substitute day as the rules give it");
    assert!(!cal.is_working_day(d(2022, 5, 2)), "a holiday the file does not name is kept");
    assert!(cal.statutory().is_working_day(d(2020, 5, 4)), "the statutory calendar agrees");
    assert!(!cal.closed_days_in(2020).contains(&d(2020, 5, 4)));
    assert!(cal.closed_days_in(2020).contains(&d(2020, 5, 8)));
    assert_eq!(cal.working_days_between(d(2020, 5, 1), d(2020, 5, 11)), 5, "Mon 4–Thu 7 and Mon 11");
}

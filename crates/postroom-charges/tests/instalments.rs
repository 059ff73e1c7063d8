//! Instalment schedules: counts, dates, amounts and minimums.

use std::error::Error;

use chrono::{Datelike, NaiveDate};
use postroom_charges::{
    CountRule, FirstInstalment, InstalmentPlan, Pence, Schedule, ScheduleError, ScheduleRequest, Service,
    instalment_schedule,
};

type TestResult = Result<(), Box<dyn Error>>;

fn date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    s.parse()
}

fn request(total: &str, issued: &str, service: Service) -> Result<ScheduleRequest, Box<dyn Error>> {
    Ok(ScheduleRequest {
        total: total.parse()?,
        issued: date(issued)?,
        year: "2025/26".parse()?,
        service,
        plan: InstalmentPlan::TenMonthly,
        collection_day: 1,
        earliest_collection: None,
        first_instalment: Default::default(),
    })
}

fn dues(s: &Schedule) -> Vec<String> {
    s.instalments.iter().map(|i| i.due.to_string()).collect()
}

fn amounts(s: &Schedule) -> Vec<String> {
    s.instalments.iter().map(|i| i.amount.to_string()).collect()
}

#[test]
fn issued_in_april_gives_ten_instalments() -> TestResult {
    let s = instalment_schedule(&request("£1,999.00", "2025-04-10", Service::CouncilTax)?)?;
    assert_eq!(s.instalments.len(), 10);
    assert_eq!(s.count_rule, CountRule::FullPlan);
    assert_eq!(dues(&s).first().map(String::as_str), Some("2025-05-01"));
    assert_eq!(dues(&s).last().map(String::as_str), Some("2026-02-01"));
    assert_eq!(amounts(&s)[..2], ["£199.00".to_owned(), "£200.00".to_owned()]);
    Ok(())
}

#[test]
fn issued_before_the_year_starts_in_april() -> TestResult {
    let s = instalment_schedule(&request("£1,000", "2025-03-10", Service::CouncilTax)?)?;
    assert_eq!(dues(&s).first().map(String::as_str), Some("2025-04-01"));
    assert_eq!(dues(&s).last().map(String::as_str), Some("2026-01-01"));
    assert!(amounts(&s).iter().all(|a| a == "£100.00"));
    Ok(())
}

#[test]
fn issued_20_may_gives_nine_from_the_first_date_14_days_on() -> TestResult {
    let mut r = request("£1,499.18", "2025-05-20", Service::CouncilTax)?;
    r.collection_day = 15;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.count_rule, CountRule::RemainingMonths { whole_months_remaining: 10 });
    assert_eq!(dues(&s).first().map(String::as_str), Some("2025-06-15"));
    assert_eq!(dues(&s).last().map(String::as_str), Some("2026-02-15"));
    assert_eq!(amounts(&s)[0], "£163.18");
    Ok(())
}

#[test]
fn council_tax_issued_in_january_is_one_sum_due_in_14_days() -> TestResult {
    let s = instalment_schedule(&request("£420.50", "2026-01-10", Service::CouncilTax)?)?;
    assert_eq!(s.count_rule, CountRule::SingleSum);
    assert_eq!(dues(&s), vec!["2026-01-24"]);
    assert_eq!(amounts(&s), vec!["£420.50"]);
    Ok(())
}

#[test]
fn business_rates_issued_in_january_is_a_single_instalment() -> TestResult {
    let s = instalment_schedule(&request("£5,000", "2026-02-02", Service::BusinessRates)?)?;
    assert_eq!(s.instalments.len(), 1);
    let s = instalment_schedule(&request("£5,000", "2025-12-31", Service::BusinessRates)?)?;
    assert_eq!(s.instalments.len(), 2);
    assert_eq!(dues(&s), vec!["2026-02-01", "2026-03-01"]);
    Ok(())
}

#[test]
fn twelve_instalments_on_request_run_april_to_march() -> TestResult {
    let mut r = request("£1,200", "2025-03-10", Service::CouncilTax)?;
    r.plan = InstalmentPlan::TwelveMonthly;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.instalments.len(), 12);
    assert_eq!(dues(&s).last().map(String::as_str), Some("2026-03-01"));
    r.issued = date("2025-06-10")?;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.instalments.len(), 9);
    assert_eq!(dues(&s).first().map(String::as_str), Some("2025-07-01"));
    Ok(())
}

/// SI 1992/613 Sch 1 para 2(3A)(a)(i): a 12-instalment notice issued by 15 April "shall be 12",
/// in months of the year (para 2(4)), the first not less than 14 days after the notice. A notice
/// of 10 April with collection on the 1st used to get 11 (May–March): the 1 April date is too
/// soon, and the count was cut to the collection dates left. The first instalment now moves to
/// the earliest lawful day, 24 April, and the other 11 fall on the 1st, May–March.
#[test]
fn twelve_instalment_notice_of_10_april_keeps_twelve_moving_the_first_to_24_april() -> TestResult {
    let mut r = request("£1,200", "2025-04-10", Service::CouncilTax)?;
    r.plan = InstalmentPlan::TwelveMonthly;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.instalments.len(), 12);
    assert_eq!(s.count_rule, CountRule::FullPlan);
    assert_eq!(dues(&s)[..3], ["2025-04-24".to_owned(), "2025-05-01".to_owned(), "2025-06-01".to_owned()]);
    assert_eq!(dues(&s).last().map(String::as_str), Some("2026-03-01"));
    // 15 April is the last day for 12: the first falls on 29 April.
    r.issued = date("2025-04-15")?;
    let s = instalment_schedule(&r)?;
    assert_eq!((s.instalments.len(), dues(&s)[0].as_str()), (12, "2025-04-29"));
    // The council may instead keep every instalment on the collection day (configurable): 11.
    r.issued = date("2025-04-10")?;
    r.first_instalment = FirstInstalment::CollectionDayOnly;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.instalments.len(), 11);
    assert_eq!(s.count_rule, CountRule::CollectionDatesAvailable { dates: 11 });
    assert_eq!(dues(&s).first().map(String::as_str), Some("2025-05-01"));
    Ok(())
}

/// Sch 1 para 2(3A)(a)(ii): a 12-instalment notice issued from 16 April gives the whole months
/// remaining in the year after the month of issue.
#[test]
fn twelve_instalment_notice_from_16_april_gives_the_whole_months_remaining() -> TestResult {
    let mut r = request("£1,100", "2025-04-16", Service::CouncilTax)?;
    r.plan = InstalmentPlan::TwelveMonthly;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.instalments.len(), 11);
    assert_eq!(s.count_rule, CountRule::RemainingMonths { whole_months_remaining: 11 });
    assert_eq!(dues(&s).first().map(String::as_str), Some("2025-05-01"));
    Ok(())
}

/// Sch 1 para 2(3)(a): a (10-instalment) bill of 10 April gives 10. With collection on the 1st
/// the first date moves to 1 May (1 April is before the notice, and the 14-day rule); no
/// instalment is dropped, because para 2(3) leaves a month spare.
#[test]
fn ten_instalment_bill_of_10_april_moves_the_first_date_and_keeps_ten() -> TestResult {
    for day in [1, 20, 28] {
        let mut r = request("£1,000", "2025-04-10", Service::CouncilTax)?;
        r.collection_day = day;
        for first in [FirstInstalment::EarliestLawfulDay, FirstInstalment::CollectionDayOnly] {
            r.first_instalment = first;
            let s = instalment_schedule(&r)?;
            assert_eq!(s.instalments.len(), 10, "collection day {day}, {first:?}");
            assert_eq!(s.count_rule, CountRule::FullPlan);
            assert!(s.instalments.iter().all(|i| i.due.day() == day), "collection day {day}: {:?}", dues(&s));
        }
    }
    Ok(())
}

/// Direct Debit Guarantee (domain.md §4.1): a first or changed collection needs 10 working days'
/// advance notice. A bill of Friday 18 December 2026 reaches its 10th working day on Wednesday
/// 6 January 2027 (25 and 28 December and 1 January are bank holidays), so collection on the
/// 4th cannot start on 4 January: the two instalments (Sch 1 para 2(3)(b)) fall on 4 February
/// and 4 March.
#[test]
fn direct_debit_bill_of_18_december_2026_cannot_collect_on_4_january() -> TestResult {
    let calendar = postroom_domain::WorkingCalendar::england_and_wales();
    let issued = date("2026-12-18")?;
    let earliest = calendar.add_working_days(issued, 10);
    assert_eq!(earliest, date("2027-01-06")?);
    let mut r = request("£500", "2026-12-18", Service::CouncilTax)?;
    r.year = "2026/27".parse()?;
    r.collection_day = 4;
    let without_notice = instalment_schedule(&r)?;
    assert_eq!(dues(&without_notice), vec!["2027-01-04", "2027-02-04"]);
    r.earliest_collection = Some(earliest);
    let s = instalment_schedule(&r)?;
    assert_eq!(dues(&s), vec!["2027-02-04", "2027-03-04"]);
    assert_eq!(amounts(&s), vec!["£250.00", "£250.00"]);
    Ok(())
}

/// Sch 1 para 2(7): where an instalment would be below £5, the second instalment is added to the
/// first. £14.50 in 3 (a notice of 20 November) is £4.50 + £5 + £5, so £9.50 then £5.00, not
/// re-divided into two.
#[test]
fn council_tax_second_instalment_is_added_to_a_first_below_five_pounds() -> TestResult {
    let s = instalment_schedule(&request("£14.50", "2025-11-20", Service::CouncilTax)?)?;
    assert_eq!(amounts(&s), vec!["£9.50", "£5.00"]);
    assert_eq!(dues(&s), vec!["2026-01-01", "2026-02-01"]);
    assert!(s.reduced_for_minimum);
    Ok(())
}

#[test]
fn council_tax_instalments_are_at_least_five_pounds() -> TestResult {
    let s = instalment_schedule(&request("£23.00", "2025-03-01", Service::CouncilTax)?)?;
    assert_eq!(amounts(&s), vec!["£5.00", "£6.00", "£6.00", "£6.00"]);
    assert!(s.reduced_for_minimum);
    let s = instalment_schedule(&request("£9.00", "2025-03-01", Service::CouncilTax)?)?;
    assert_eq!(amounts(&s), vec!["£9.00"]);
    Ok(())
}

#[test]
fn business_rates_instalments_are_at_least_fifty_pounds() -> TestResult {
    let s = instalment_schedule(&request("£230.00", "2025-03-01", Service::BusinessRates)?)?;
    assert_eq!(amounts(&s), vec!["£56.00", "£58.00", "£58.00", "£58.00"]);
    let s = instalment_schedule(&request("£230.00", "2025-03-01", Service::CouncilTax)?)?;
    assert_eq!(s.instalments.len(), 10);
    Ok(())
}

#[test]
fn rejects_bad_requests_and_schedules_nothing_for_zero() -> TestResult {
    let mut r = request("£100", "2025-03-01", Service::CouncilTax)?;
    r.collection_day = 29;
    assert_eq!(instalment_schedule(&r), Err(ScheduleError::InvalidCollectionDay(29)));
    r.collection_day = 1;
    r.total = Pence::new(-1);
    assert_eq!(instalment_schedule(&r), Err(ScheduleError::NegativeTotal(Pence::new(-1))));
    r.total = Pence::ZERO;
    assert!(instalment_schedule(&r)?.instalments.is_empty());
    Ok(())
}

#[test]
fn schedule_serialises_in_snake_case() -> TestResult {
    let s = instalment_schedule(&request("£1,499.18", "2025-05-20", Service::CouncilTax)?)?;
    let json = serde_json::to_string(&s)?;
    assert!(json.contains(r#""count_rule":{"rule":"remaining_months","whole_months_remaining":10}"#), "{json}");
    assert!(json.contains(r#"{"number":1,"due":"2025-07-01","amount":16318}"#), "{json}");
    Ok(())
}

//! Instalment schedules: counts, dates, amounts and minimums.

use std::error::Error;

use chrono::NaiveDate;
use postroom_charges::{
    CountRule, InstalmentPlan, Pence, Schedule, ScheduleError, ScheduleRequest, Service, instalment_schedule,
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
    r.issued = date("2025-04-10")?;
    let s = instalment_schedule(&r)?;
    assert_eq!(s.instalments.len(), 11);
    assert_eq!(s.count_rule, CountRule::CollectionDatesAvailable { dates: 11 });
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

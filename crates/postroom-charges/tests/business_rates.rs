//! Business rates rules: multipliers and their categories, reliefs, empty property.

use std::error::Error;

use chrono::NaiveDate;
use postroom_charges::{
    BusinessRatesError, BusinessRatesInput, DatePeriod, EmptyExemption, EmptyPeriod, EmptyRelief, FinancialYear,
    Multiplier, MultiplierCategory, Multipliers, RateableValue, Relief, ReliefPeriod, business_rates_charge,
};

type TestResult = Result<(), Box<dyn Error>>;

fn date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    s.parse()
}

fn input(year: &str, rv: u32) -> Result<BusinessRatesInput, Box<dyn Error>> {
    let year: FinancialYear = year.parse()?;
    Ok(BusinessRatesInput {
        year,
        rateable_value: RateableValue::pounds(rv),
        liability: DatePeriod::new(year.start(), year.end())?,
        retail_hospitality_leisure: false,
        empty: vec![],
        reliefs: vec![],
        rhl_relief: None,
    })
}

fn total(input: &BusinessRatesInput) -> Result<String, BusinessRatesError> {
    Ok(business_rates_charge(input, &Multipliers::default_england())?.total.to_string())
}

fn with_sbrr(mut i: BusinessRatesInput) -> BusinessRatesInput {
    i.reliefs.push(ReliefPeriod { relief: Relief::SmallBusiness, period: i.liability });
    i
}

#[test]
fn small_business_relief_is_full_tapered_or_none_by_rv() -> TestResult {
    assert_eq!(total(&with_sbrr(input("2025/26", 12_000)?))?, "£0.00");
    assert_eq!(total(&with_sbrr(input("2025/26", 13_001)?))?, "£2,164.66");
    assert_eq!(total(&with_sbrr(input("2025/26", 14_999)?))?, "£7,482.01");
    assert_eq!(total(&with_sbrr(input("2025/26", 15_000)?))?, "£7,485.00");
    assert_eq!(total(&input("2025/26", 15_000)?)?, "£7,485.00");
    Ok(())
}

#[test]
fn mandatory_charitable_relief_is_80_percent() -> TestResult {
    let mut i = input("2025/26", 20_000)?;
    i.reliefs.push(ReliefPeriod { relief: Relief::MandatoryCharity, period: i.liability });
    assert_eq!(total(&i)?, "£1,996.00");
    i.reliefs.push(ReliefPeriod { relief: Relief::SmallBusiness, period: i.liability });
    assert!(matches!(
        business_rates_charge(&i, &Multipliers::default_england()),
        Err(BusinessRatesError::OverlappingReliefs(_))
    ));
    Ok(())
}

#[test]
fn empty_property_pays_nothing_for_three_months_then_full_rates() -> TestResult {
    let mut i = input("2025/26", 20_000)?;
    i.empty.push(EmptyPeriod { period: i.liability, empty_since: date("2025-04-01")?, relief: EmptyRelief::Standard });
    let bill = business_rates_charge(&i, &Multipliers::default_england())?;
    assert_eq!(bill.lines.len(), 2);
    assert_eq!((bill.lines[0].to, bill.lines[0].amount.pence()), (date("2025-06-30")?, 0));
    assert_eq!((bill.lines[1].days, bill.total.to_string()), (274, "£7,491.84".to_owned()));
    Ok(())
}

#[test]
fn qualifying_industrial_gets_six_months() -> TestResult {
    let mut i = input("2025/26", 20_000)?;
    let relief = EmptyRelief::QualifyingIndustrial;
    i.empty.push(EmptyPeriod { period: i.liability, empty_since: date("2025-04-01")?, relief });
    let bill = business_rates_charge(&i, &Multipliers::default_england())?;
    assert_eq!(bill.lines[1].from, date("2025-10-01")?);
    assert_eq!(bill.total.to_string(), "£4,976.33");
    Ok(())
}

#[test]
fn empty_relief_counts_from_when_the_property_became_empty() -> TestResult {
    let mut i = input("2025/26", 20_000)?;
    i.empty.push(EmptyPeriod { period: i.liability, empty_since: date("2025-01-01")?, relief: EmptyRelief::Standard });
    assert_eq!(total(&i)?, "£9,980.00");
    i.empty[0].relief = EmptyRelief::EmptyExemptIndefinitely(EmptyExemption::ListedBuilding);
    assert_eq!(total(&i)?, "£0.00");
    i.empty[0].empty_since = date("2025-05-01")?;
    assert!(matches!(
        business_rates_charge(&i, &Multipliers::default_england()),
        Err(BusinessRatesError::EmptyBeforeEmptySince { .. })
    ));
    Ok(())
}

#[test]
fn occupied_only_reliefs_do_not_apply_on_empty_days() -> TestResult {
    let mut i = with_sbrr(input("2025/26", 12_000)?);
    i.empty.push(EmptyPeriod {
        period: DatePeriod::new(date("2025-04-01")?, date("2025-12-31")?)?,
        empty_since: date("2024-04-01")?,
        relief: EmptyRelief::Standard,
    });
    let bill = business_rates_charge(&i, &Multipliers::default_england())?;
    assert_eq!(bill.lines.len(), 2);
    assert!(bill.lines[0].description.contains("empty: full rates"));
    assert_eq!(bill.lines[1].amount.pence(), 0);
    Ok(())
}

#[test]
fn multiplier_categories_for_2026_27() -> TestResult {
    let all = Multipliers::default_england();
    let y = all.for_year("2026/27".parse()?).ok_or("no 2026/27")?;
    let cat = |rv, rhl| y.category(RateableValue::pounds(rv), rhl);
    assert_eq!(cat(50_999, false), MultiplierCategory::SmallBusiness);
    assert_eq!(cat(50_999, true), MultiplierCategory::SmallBusinessRhl);
    assert_eq!(cat(51_000, false), MultiplierCategory::Standard);
    assert_eq!(cat(499_999, true), MultiplierCategory::StandardRhl);
    assert_eq!(cat(500_000, true), MultiplierCategory::HighValue);
    assert_eq!(y.select(RateableValue::pounds(500_000), false).1, Multiplier::parse("50.8")?);
    let before = all.for_year("2025/26".parse()?).ok_or("no 2025/26")?;
    assert_eq!(before.category(RateableValue::pounds(50_999), true), MultiplierCategory::SmallBusiness);
    assert_eq!(before.category(RateableValue::pounds(600_000), false), MultiplierCategory::Standard);
    Ok(())
}

#[test]
fn rhl_multipliers_apply_only_while_occupied() -> TestResult {
    let mut i = input("2026/27", 20_000)?;
    i.retail_hospitality_leisure = true;
    assert_eq!(total(&i)?, "£7,640.00");
    i.rateable_value = RateableValue::pounds(100_000);
    assert_eq!(total(&i)?, "£43,000.00");
    i.rateable_value = RateableValue::pounds(600_000);
    assert_eq!(total(&i)?, "£304,800.00");
    let mut empty = input("2026/27", 20_000)?;
    empty.retail_hospitality_leisure = true;
    empty.empty.push(EmptyPeriod {
        period: empty.liability,
        empty_since: date("2025-01-01")?,
        relief: EmptyRelief::Standard,
    });
    let bill = business_rates_charge(&empty, &Multipliers::default_england())?;
    assert_eq!(bill.total.to_string(), "£8,640.00");
    assert!(bill.lines[0].description.contains("43.2p (small business multiplier)"), "{}", bill.lines[0].description);
    Ok(())
}

#[test]
fn standard_multiplier_for_2024_25_and_missing_years() -> TestResult {
    assert_eq!(total(&input("2024/25", 60_000)?)?, "£32,760.00");
    assert!(matches!(
        business_rates_charge(&input("2023/24", 60_000)?, &Multipliers::default_england()),
        Err(BusinessRatesError::NoMultipliers(_))
    ));
    Ok(())
}

#[test]
fn multipliers_round_trip_through_json() -> TestResult {
    let all = Multipliers::default_england();
    let json = serde_json::to_string(&all)?;
    assert!(json.contains(r#""2026/27":{"small_business":"43.2""#), "{json}");
    assert_eq!(serde_json::from_str::<Multipliers>(&json)?, all);
    Ok(())
}

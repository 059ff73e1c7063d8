//! Every worked example in domain.md, to the penny.

use std::error::Error;

use chrono::NaiveDate;
use postroom_charges::{
    Band, BandRounding, BusinessRatesInput, CouncilTaxInput, DatePeriod, Discount, DiscountPeriod, FinancialYear,
    Multipliers, Pence, RateableValue, Relief, ReliefPeriod, ScheduleRequest, Service, business_rates_charge,
    council_tax_charge, instalment_schedule,
};

type TestResult = Result<(), Box<dyn Error>>;

fn date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    s.parse()
}

fn period(from: &str, to: &str) -> Result<DatePeriod, Box<dyn Error>> {
    Ok(DatePeriod::new(date(from)?, date(to)?)?)
}

fn band_d_2280(band: Band, liability: DatePeriod) -> Result<CouncilTaxInput, Box<dyn Error>> {
    Ok(CouncilTaxInput {
        year: "2025/26".parse()?,
        band,
        band_d_annual: "£2,280.00".parse()?,
        liability,
        disabled_reduction: vec![],
        discounts: vec![],
        premiums: vec![],
        band_rounding: BandRounding::Exact,
    })
}

#[test]
fn band_d_liable_from_16_may_is_1998_90() -> TestResult {
    let liability = period("2025-05-16", "2026-03-31")?;
    assert_eq!(liability.days(), 320);
    let bill = council_tax_charge(&band_d_2280(Band::D, liability)?)?;
    assert_eq!(bill.total.to_string(), "£1,998.90");
    assert_eq!(bill.lines.len(), 1);
    assert_eq!(bill.lines[0].days, 320);
    Ok(())
}

#[test]
fn band_d_liable_from_16_may_with_single_person_discount_is_1499_18() -> TestResult {
    let liability = period("2025-05-16", "2026-03-31")?;
    let mut input = band_d_2280(Band::D, liability)?;
    input.discounts.push(DiscountPeriod { discount: Discount::SinglePerson, period: liability });
    assert_eq!(council_tax_charge(&input)?.total, Pence::new(149_918));
    input.band_rounding = BandRounding::BandAmountFirst;
    assert_eq!(council_tax_charge(&input)?.total, Pence::new(149_918));
    Ok(())
}

#[test]
fn band_table_for_band_d_2280_matches_section_1_1() -> TestResult {
    let expected =
        ["£1,520.00", "£1,773.33", "£2,026.67", "£2,280.00", "£2,786.67", "£3,293.33", "£3,800.00", "£4,560.00"];
    let band_d: Pence = "2280".parse()?;
    let year: FinancialYear = "2025/26".parse()?;
    let whole_year = DatePeriod::new(year.start(), year.end())?;
    for (band, want) in Band::ALL.into_iter().zip(expected) {
        assert_eq!(band.annual_amount(band_d)?.to_string(), want, "band {band}");
        let bill = council_tax_charge(&band_d_2280(band, whole_year)?)?;
        assert_eq!(bill.total.to_string(), want, "band {band} full-year bill");
    }
    Ok(())
}

#[test]
fn rv_13500_with_half_small_business_relief_is_3368_25() -> TestResult {
    let year: FinancialYear = "2025/26".parse()?;
    let whole_year = DatePeriod::new(year.start(), year.end())?;
    let input = BusinessRatesInput {
        year,
        rateable_value: RateableValue::pounds(13_500),
        liability: whole_year,
        retail_hospitality_leisure: false,
        empty: vec![],
        reliefs: vec![ReliefPeriod { relief: Relief::SmallBusiness, period: whole_year }],
        rhl_relief: None,
    };
    let bill = business_rates_charge(&input, &Multipliers::default_england())?;
    assert_eq!(bill.total.to_string(), "£3,368.25");
    assert!(bill.lines[0].description.contains("49.9p"), "{}", bill.lines[0].description);
    assert!(bill.lines[0].description.contains("50%"), "{}", bill.lines[0].description);
    Ok(())
}

#[test]
fn bill_of_1499_18_issued_20_may_is_nine_instalments_of_167_after_163_18() -> TestResult {
    let schedule = instalment_schedule(&ScheduleRequest {
        total: "£1,499.18".parse()?,
        issued: date("2025-05-20")?,
        year: "2025/26".parse()?,
        service: Service::CouncilTax,
        plan: Default::default(),
        collection_day: 1,
        earliest_collection: None,
        first_instalment: Default::default(),
    })?;
    let amounts: Vec<String> = schedule.instalments.iter().map(|i| i.amount.to_string()).collect();
    assert_eq!(amounts.len(), 9);
    assert_eq!(amounts[0], "£163.18");
    assert!(amounts[1..].iter().all(|a| a == "£167.00"));
    assert_eq!(schedule.instalments[0].due, date("2025-07-01")?);
    assert_eq!(schedule.instalments[8].due, date("2026-03-01")?);
    Ok(())
}

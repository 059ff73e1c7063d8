//! Council Tax rules: band reduction, discounts, exemptions, premiums, validation.

use std::error::Error;

use chrono::NaiveDate;
use postroom_charges::{
    Band, BandRounding, CouncilTaxError, CouncilTaxInput, DatePeriod, Discount, DiscountPeriod, ExemptionClass, Pence,
    Percent, PremiumKind, PremiumPeriod, council_tax_charge,
};

type TestResult = Result<(), Box<dyn Error>>;

fn period(from: &str, to: &str) -> Result<DatePeriod, Box<dyn Error>> {
    Ok(DatePeriod::new(from.parse::<NaiveDate>()?, to.parse::<NaiveDate>()?)?)
}

fn whole_year(band: Band) -> Result<CouncilTaxInput, Box<dyn Error>> {
    Ok(CouncilTaxInput {
        year: "2025/26".parse()?,
        band,
        band_d_annual: Pence::from_pounds(2_280),
        liability: period("2025-04-01", "2026-03-31")?,
        disabled_reduction: vec![],
        discounts: vec![],
        premiums: vec![],
        band_rounding: BandRounding::Exact,
    })
}

fn premium(kind: PremiumKind, percent: u32) -> Result<PremiumPeriod, Box<dyn Error>> {
    Ok(PremiumPeriod { kind, percent: Percent::whole(percent), period: period("2025-04-01", "2026-03-31")? })
}

#[test]
fn disabled_band_reduction_charges_one_band_lower() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.disabled_reduction.push(input.liability);
    assert_eq!(council_tax_charge(&input)?.total.to_string(), "£2,026.67");
    Ok(())
}

#[test]
fn disabled_band_reduction_for_band_a_is_five_ninths_of_d() -> TestResult {
    let mut input = whole_year(Band::A)?;
    input.disabled_reduction.push(input.liability);
    let bill = council_tax_charge(&input)?;
    assert_eq!(bill.total.to_string(), "£1,266.67");
    assert!(bill.lines[0].description.contains("5/9"));
    Ok(())
}

#[test]
fn part_year_disabled_reduction_splits_the_year() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.disabled_reduction.push(period("2025-10-01", "2026-06-30")?);
    let bill = council_tax_charge(&input)?;
    let amounts: Vec<i64> = bill.lines.iter().map(|l| l.amount.pence()).collect();
    assert_eq!(amounts, vec![114_312, 101_056]);
    assert_eq!(bill.lines[1].from, "2025-10-01".parse::<NaiveDate>()?);
    assert_eq!(bill.total, Pence::new(215_368));
    Ok(())
}

#[test]
fn single_person_discount_for_part_of_the_year() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::SinglePerson, period: period("2025-10-01", "2026-03-31")? });
    let bill = council_tax_charge(&input)?;
    assert_eq!(bill.lines.iter().map(|l| l.days).collect::<Vec<_>>(), vec![183, 182]);
    assert_eq!(bill.lines.iter().map(|l| l.amount.pence()).collect::<Vec<_>>(), vec![114_312, 85_266]);
    assert_eq!(bill.lines[1].description, "Band D; single person discount 25%");
    assert_eq!(bill.lines[1].annual_rate.to_string(), "£1,710.00");
    Ok(())
}

#[test]
fn exemption_period_charges_nothing_and_overrides_other_discounts() -> TestResult {
    let mut input = whole_year(Band::D)?;
    let class = ExemptionClass::parse("F")?;
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::Exempt { class }, period: period("2025-04-01", "2025-06-30")? });
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::SinglePerson, period: period("2025-04-01", "2025-06-30")? });
    let bill = council_tax_charge(&input)?;
    assert_eq!(bill.lines[0].amount, Pence::ZERO);
    assert_eq!(bill.lines[0].days, 91);
    assert!(bill.lines[0].description.contains("exempt (class F)"));
    assert_eq!(bill.lines[1].amount, Pence::new(171_156));
    Ok(())
}

#[test]
fn all_disregarded_and_local_discounts_apply_their_percentages() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.discounts.push(DiscountPeriod { discount: Discount::AllDisregarded, period: input.liability });
    assert_eq!(council_tax_charge(&input)?.total.to_string(), "£1,140.00");
    input.discounts[0].discount = Discount::LocalClassD { percent: Percent::parse("12.5%")? };
    assert_eq!(council_tax_charge(&input)?.total.to_string(), "£1,995.00");
    input.discounts[0].discount = Discount::LocalClassC { percent: Percent::whole(101) };
    assert!(matches!(council_tax_charge(&input), Err(CouncilTaxError::DiscountOver100(_))));
    Ok(())
}

#[test]
fn premium_tiers_add_their_percentage() -> TestResult {
    for (kind, pct, want) in [
        (PremiumKind::LongTermEmpty1Year, 100, "£4,560.00"),
        (PremiumKind::LongTermEmpty5Years, 200, "£6,840.00"),
        (PremiumKind::LongTermEmpty10Years, 300, "£9,120.00"),
        (PremiumKind::SecondHome, 100, "£4,560.00"),
        (PremiumKind::LongTermEmpty5Years, 150, "£5,700.00"),
    ] {
        let mut input = whole_year(Band::D)?;
        input.premiums.push(premium(kind, pct)?);
        assert_eq!(council_tax_charge(&input)?.total.to_string(), want, "{kind} {pct}%");
    }
    Ok(())
}

#[test]
fn premium_above_statutory_maximum_is_rejected() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.premiums.push(premium(PremiumKind::LongTermEmpty1Year, 200)?);
    assert!(matches!(council_tax_charge(&input), Err(CouncilTaxError::PremiumAboveMaximum { .. })));
    Ok(())
}

#[test]
fn premium_with_single_person_discount_is_an_error() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.premiums.push(premium(PremiumKind::SecondHome, 100)?);
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::SinglePerson, period: period("2026-01-01", "2026-03-31")? });
    let err = council_tax_charge(&input).err();
    assert_eq!(err, Some(CouncilTaxError::PremiumWithResidentDiscount("2026-01-01".parse()?)));
    Ok(())
}

/// LGFA 1992 s11B(1)(a) (and s11C(1)(a) for second homes): on a day with a premium "the discount
/// under section 11(2)(a) shall not apply", and the class C and D discounts are that discount as
/// varied under s11A. Band D £2,280 with a 10% class C discount and a 100% premium is £4,560
/// (£2,280 × 2), not £2,280 × 0.9 × 2 = £4,104; on the days without the premium the discount
/// applies again.
#[test]
fn a_premium_disapplies_the_class_c_or_d_discount_under_s11b() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.premiums.push(premium(PremiumKind::LongTermEmpty1Year, 100)?);
    input.discounts.push(DiscountPeriod {
        discount: Discount::LocalClassC { percent: Percent::whole(10) },
        period: input.liability,
    });
    let bill = council_tax_charge(&input)?;
    assert_eq!(bill.total.to_string(), "£4,560.00");
    assert!(bill.lines[0].description.contains("class C discount 10% not applied with a premium"), "{bill:?}");
    assert!(bill.lines[0].description.contains("s11B(1)(a)"));

    input.discounts[0].discount = Discount::LocalClassD { percent: Percent::whole(50) };
    input.premiums[0] = PremiumPeriod {
        kind: PremiumKind::SecondHome,
        percent: Percent::whole(100),
        period: period("2025-10-01", "2026-03-31")?,
    };
    let bill = council_tax_charge(&input)?;
    let amounts: Vec<i64> = bill.lines.iter().map(|l| l.amount.pence()).collect();
    // 1 Apr–30 Sep (183 days) at 50% off; 1 Oct–31 Mar (182 days) doubled, no discount.
    assert_eq!(amounts, vec![57_156, 227_375]);
    assert!(bill.lines[0].description.contains("class D discount 50%"));
    assert!(!bill.lines[0].description.contains("not applied"));
    Ok(())
}

#[test]
fn overlapping_discounts_are_rejected() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::SinglePerson, period: period("2025-04-01", "2025-09-30")? });
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::AllDisregarded, period: period("2025-09-30", "2026-03-31")? });
    assert_eq!(council_tax_charge(&input).err(), Some(CouncilTaxError::OverlappingDiscounts("2025-09-30".parse()?)));
    Ok(())
}

#[test]
fn adjacent_periods_with_the_same_discount_form_one_line() -> TestResult {
    let mut input = whole_year(Band::D)?;
    for (from, to) in [("2025-04-01", "2025-06-30"), ("2025-07-01", "2026-03-31")] {
        input.discounts.push(DiscountPeriod { discount: Discount::SinglePerson, period: period(from, to)? });
    }
    let bill = council_tax_charge(&input)?;
    assert_eq!(bill.lines.len(), 1);
    assert_eq!(bill.total.to_string(), "£1,710.00");
    Ok(())
}

#[test]
fn adjustments_outside_the_liability_period_are_clipped() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.liability = period("2025-05-16", "2026-03-31")?;
    input
        .discounts
        .push(DiscountPeriod { discount: Discount::SinglePerson, period: period("2025-01-01", "2026-12-31")? });
    assert_eq!(council_tax_charge(&input)?.total.to_string(), "£1,499.18");
    Ok(())
}

#[test]
fn liability_outside_the_year_is_rejected() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.liability = period("2025-03-31", "2025-06-30")?;
    assert!(matches!(council_tax_charge(&input), Err(CouncilTaxError::LiabilityOutsideYear { .. })));
    Ok(())
}

#[test]
fn leap_years_divide_by_366() -> TestResult {
    let mut input = whole_year(Band::D)?;
    input.year = "2027/28".parse()?;
    input.liability = period("2027-04-01", "2027-09-30")?;
    assert_eq!(council_tax_charge(&input)?.total, Pence::new(114_000));
    input.liability = period("2027-04-01", "2028-03-31")?;
    assert_eq!(council_tax_charge(&input)?.total.to_string(), "£2,280.00");
    Ok(())
}

#[test]
fn input_round_trips_through_json() -> TestResult {
    let mut input = whole_year(Band::B)?;
    input.discounts.push(DiscountPeriod {
        discount: Discount::LocalClassD { percent: Percent::whole(50) },
        period: input.liability,
    });
    input.premiums.push(premium(PremiumKind::SecondHome, 100)?);
    let json = serde_json::to_string(&input)?;
    assert!(json.contains(r#""band":"B""#), "{json}");
    assert!(json.contains(r#""year":"2025/26""#), "{json}");
    assert!(json.contains(r#""kind":"local_class_d","percent":"50%""#), "{json}");
    assert_eq!(serde_json::from_str::<CouncilTaxInput>(&json)?, input);
    Ok(())
}

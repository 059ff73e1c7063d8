//! Business Rates empty property exemptions (SI 2008/386 reg 4, LGFA 1988 s45A(2)), the 13-week
//! reoccupation rule (SI 2008/386 reg 5 as amended by SI 2024/323) and the 2025/26 retail,
//! hospitality and leisure relief (domain.md §3.1–§3.2).

use std::error::Error;

use chrono::NaiveDate;
use postroom_charges::{
    BusinessRatesInput, DatePeriod, EmptyExemption, EmptyPeriod, EmptyRelief, EmptySpell, FinancialYear, Multipliers,
    Pence, Percent, RateableValue, Relief, ReliefPeriod, RhlReliefAward, RhlReliefs, business_rates_charge,
    business_rates_charge_with_relief, continued_spells,
};

type TestResult = Result<(), Box<dyn Error>>;

fn date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    s.parse()
}

fn period(from: &str, to: &str) -> Result<DatePeriod, Box<dyn Error>> {
    Ok(DatePeriod::new(date(from)?, date(to)?)?)
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

fn empty_all_year(i: &mut BusinessRatesInput, since: &str, relief: EmptyRelief) -> TestResult {
    i.empty.push(EmptyPeriod { period: i.liability, empty_since: date(since)?, relief });
    Ok(())
}

/// The 2025/26 scheme with its whole cash cap available.
fn rhl_2025() -> Result<RhlReliefAward, Box<dyn Error>> {
    let scheme = RhlReliefs::default_england().for_year("2025/26".parse()?).ok_or("no 2025/26 RHL scheme")?;
    Ok(RhlReliefAward { percent: scheme.percent, cap_remaining: scheme.cash_cap })
}

/// SI 2008/386 reg 4(c)–(m) and LGFA 1988 s45A(2): an exempt empty hereditament pays nothing
/// however long it is empty, and the line names the exemption and its source.
#[test]
fn si_2008_386_reg_4_exempt_empty_property_pays_nothing_for_a_whole_year_whatever_the_exemption() -> TestResult {
    for exemption in EmptyExemption::ALL {
        let mut i = input("2025/26", 40_000)?;
        empty_all_year(&mut i, "2024-01-01", EmptyRelief::EmptyExemptIndefinitely(exemption))?;
        let bill = business_rates_charge(&i, &Multipliers::default_england())?;
        assert_eq!(bill.total, Pence::ZERO, "{exemption}");
        assert_eq!(bill.lines.len(), 1, "{exemption}");
        let line = &bill.lines[0].description;
        assert!(line.contains(exemption.description()) && line.contains(exemption.source()), "{line}");
    }
    // Without an exemption the same property pays the full empty rate: 40,000 × 49.9p.
    let mut charged = input("2025/26", 40_000)?;
    empty_all_year(&mut charged, "2024-01-01", EmptyRelief::Standard)?;
    assert_eq!(business_rates_charge(&charged, &Multipliers::default_england())?.total.to_string(), "£19,960.00");
    Ok(())
}

/// SI 2008/386 reg 4(g): an empty property whose rateable value is below £2,900 pays no empty
/// rate, without anything recorded; £2,900 itself is not below.
#[test]
fn si_2008_386_reg_4_g_rateable_value_below_2900_is_exempt_automatically() -> TestResult {
    let mut low = input("2025/26", 2_899)?;
    empty_all_year(&mut low, "2024-01-01", EmptyRelief::Standard)?;
    let bill = business_rates_charge(&low, &Multipliers::default_england())?;
    assert_eq!(bill.total, Pence::ZERO);
    assert!(bill.lines[0].description.contains("rateable value below £2,900 (SI 2008/386 reg 4(g))"));
    let mut at = input("2025/26", 2_900)?;
    empty_all_year(&mut at, "2024-01-01", EmptyRelief::Standard)?;
    // 2,900 × 49.9p = £1,447.10.
    assert_eq!(business_rates_charge(&at, &Multipliers::default_england())?.total.to_string(), "£1,447.10");
    // Occupied, the same low value pays (small business multiplier, no relief recorded).
    assert_eq!(
        business_rates_charge(&input("2025/26", 2_899)?, &Multipliers::default_england())?.total.to_string(),
        "£1,446.60"
    );
    Ok(())
}

/// SI 2008/386 reg 5 as amended by SI 2024/323: reoccupied on 1 April 2025 for 90 days (less
/// than 13 weeks) and empty again, the window runs on from the first spell; 91 days earns a
/// fresh one.
#[test]
fn si_2024_323_thirteen_weeks_of_occupation_earn_a_fresh_empty_relief_window() -> TestResult {
    let first = EmptySpell { from: date("2025-01-01")?, to: Some(date("2025-03-31")?) };
    let short = continued_spells(&[first, EmptySpell { from: date("2025-06-30")?, to: None }]);
    let continued = short[1].ok_or("90 days' occupation is less than 13 weeks")?;
    assert_eq!(short[0], None);
    assert_eq!((continued.counts_from, continued.occupied_days, continued.weeks_needed), (date("2025-01-01")?, 90, 13));
    assert!(continued.explain(date("2025-06-30")?).contains("SI 2024/323"));
    let long = continued_spells(&[first, EmptySpell { from: date("2025-07-01")?, to: None }]);
    assert_eq!(long, vec![None, None], "91 days is 13 weeks: a fresh window");
    // A third spell after a short reoccupation chains back to the first spell's start.
    let second = EmptySpell { from: date("2025-06-30")?, to: Some(date("2025-08-31")?) };
    let third = continued_spells(&[second, EmptySpell { from: date("2025-09-10")?, to: None }, first]);
    assert_eq!(third[1].map(|c| c.counts_from), Some(date("2025-01-01")?));

    // The bill: empty again on 30 June 2025, counting from 1 January, so no relief is left.
    let mut i = input("2025/26", 20_000)?;
    i.empty.push(EmptyPeriod {
        period: period("2025-06-30", "2026-03-31")?,
        empty_since: continued.counts_from,
        relief: EmptyRelief::Standard,
    });
    let bill = business_rates_charge(&i, &Multipliers::default_england())?;
    assert!(bill.lines.iter().all(|l| l.amount > Pence::ZERO), "{bill:?}");
    assert_eq!(bill.total.to_string(), "£9,980.00");
    Ok(())
}

/// SI 2008/386 reg 5 before SI 2024/323 (and its transitional provision): a property reoccupied
/// before 1 April 2024 needed only 6 weeks.
#[test]
fn si_2008_386_reg_5_six_weeks_applied_to_reoccupation_before_1_april_2024() -> TestResult {
    let first = EmptySpell { from: date("2023-10-01")?, to: Some(date("2023-12-31")?) };
    let after_41 = continued_spells(&[first, EmptySpell { from: date("2024-02-11")?, to: None }]);
    let continued = after_41[1].ok_or("41 days is less than 6 weeks")?;
    assert_eq!((continued.weeks_needed, continued.counts_from), (6, date("2023-10-01")?));
    assert_eq!(continued_spells(&[first, EmptySpell { from: date("2024-02-12")?, to: None }])[1], None);
    // Reoccupied 1 March 2024, empty again 20 April: the period began before 1 April 2024, so
    // 6 weeks still applies (SI 2024/323 reg 3) and 50 days earn a fresh window.
    let march = EmptySpell { from: date("2023-12-01")?, to: Some(date("2024-02-29")?) };
    assert_eq!(continued_spells(&[march, EmptySpell { from: date("2024-04-20")?, to: None }])[1], None);
    // Reoccupied on 1 April 2024, the same 50 days are less than 13 weeks.
    let april = EmptySpell { from: date("2024-01-01")?, to: Some(date("2024-03-31")?) };
    assert!(continued_spells(&[april, EmptySpell { from: date("2024-05-21")?, to: None }])[1].is_some());
    Ok(())
}

/// domain.md §3.1: 2025/26 RHL relief is 40% of the charge on occupied days, after small
/// business rate relief; empty days get none. Worked to the penny.
#[test]
fn rhl_relief_2025_26_is_40_percent_of_occupied_days_after_small_business_relief() -> TestResult {
    let mut shop = input("2025/26", 20_000)?;
    shop.retail_hospitality_leisure = true;
    shop.rhl_relief = Some(rhl_2025()?);
    // 20,000 × 49.9p = £9,980.00, less 40% (£3,992.00).
    let whole = business_rates_charge_with_relief(&shop, &Multipliers::default_england())?;
    assert_eq!(
        (whole.breakdown.total.to_string(), whole.rhl_relief.to_string()),
        ("£5,988.00".into(), "£3,992.00".into())
    );
    assert!(whole.breakdown.lines[0].description.ends_with("; retail, hospitality and leisure relief 40%"));
    // Occupied 1 April–30 September (183 days): £5,003.67 less £2,001.47 = £3,002.20; empty from
    // 1 October: 3 months free, then 90 days at the full rate without RHL relief, £2,460.82.
    shop.empty.push(EmptyPeriod {
        period: period("2025-10-01", "2026-03-31")?,
        empty_since: date("2025-10-01")?,
        relief: EmptyRelief::Standard,
    });
    let part = business_rates_charge_with_relief(&shop, &Multipliers::default_england())?;
    let amounts: Vec<String> = part.breakdown.lines.iter().map(|l| l.amount.to_string()).collect();
    assert_eq!(amounts, ["£3,002.20", "£0.00", "£2,460.82"]);
    assert_eq!(
        (part.breakdown.total.to_string(), part.rhl_relief.to_string()),
        ("£5,463.02".into(), "£2,001.47".into())
    );
    assert!(!part.breakdown.lines[2].description.contains("retail"), "{}", part.breakdown.lines[2].description);
    // With small business rate relief at RV £13,500 (50%): £3,368.25, less 40% = £2,020.95.
    let mut small = input("2025/26", 13_500)?;
    small.retail_hospitality_leisure = true;
    small.rhl_relief = Some(rhl_2025()?);
    small.reliefs.push(ReliefPeriod { relief: Relief::SmallBusiness, period: small.liability });
    assert_eq!(business_rates_charge(&small, &Multipliers::default_england())?.total.to_string(), "£2,020.95");
    // Not a qualifying hereditament: no RHL relief.
    small.retail_hospitality_leisure = false;
    assert_eq!(business_rates_charge(&small, &Multipliers::default_england())?.total.to_string(), "£3,368.25");
    Ok(())
}

/// domain.md §3.1: the 2025/26 RHL relief is capped at £110,000 per business; relief is given day
/// by day, so the line on which the cap runs out gets what is left.
#[test]
fn rhl_relief_2025_26_stops_at_the_110000_cash_cap() -> TestResult {
    let mut big = input("2025/26", 1_000_000)?;
    big.retail_hospitality_leisure = true;
    big.rhl_relief = Some(rhl_2025()?);
    // 1,000,000 × 55.5p = £555,000; 40% would be £222,000.
    let whole = business_rates_charge_with_relief(&big, &Multipliers::default_england())?;
    assert_eq!(
        (whole.breakdown.total.to_string(), whole.rhl_relief.to_string()),
        ("£445,000.00".into(), "£110,000.00".into())
    );
    assert!(whole.breakdown.lines[0].description.contains("limited to £110,000.00 by the cash cap"));
    // Occupied April–June (91 days, relief £55,347.95), empty July–September (free), occupied
    // again from October: the rest of the cap, £54,652.05, not 40% of £276,739.73.
    big.empty.push(EmptyPeriod {
        period: period("2025-07-01", "2025-09-30")?,
        empty_since: date("2025-07-01")?,
        relief: EmptyRelief::Standard,
    });
    let split = business_rates_charge_with_relief(&big, &Multipliers::default_england())?;
    let lines = &split.breakdown.lines;
    assert_eq!(lines.len(), 3);
    assert_eq!((lines[0].amount.to_string(), lines[2].amount.to_string()), ("£83,021.91".into(), "£222,087.68".into()));
    assert!(lines[2].description.contains("limited to £54,652.05 by the cash cap"), "{}", lines[2].description);
    assert_eq!(split.rhl_relief.to_string(), "£110,000.00");
    // Relief the business has elsewhere leaves less of the cap: £10,000 left.
    big.rhl_relief = Some(RhlReliefAward { percent: Percent::whole(40), cap_remaining: Pence::from_pounds(10_000) });
    let elsewhere = business_rates_charge_with_relief(&big, &Multipliers::default_england())?;
    assert_eq!(elsewhere.rhl_relief.to_string(), "£10,000.00");
    // £138,369.86 − £10,000.00 + £276,739.73.
    assert_eq!(elsewhere.breakdown.total.to_string(), "£405,109.59");
    Ok(())
}

//! Revised and final bills (SI 1992/613 Sch 1 para 10; SI 1989/1058 Sch 1 para 6): the
//! instalments already due stand, the rest of the revised charge is spread over the instalments
//! that remain, nothing falls due after liability ends, an overpayment is a credit.

use std::error::Error;

use chrono::NaiveDate;
use postroom_charges::{
    Band, BandRounding, CouncilTaxInput, DatePeriod, Discount, DiscountPeriod, InstalmentPlan, Pence, RevisedSchedule,
    Revision, RevisionOutcome, Schedule, ScheduleRequest, Service, council_tax_charge, instalment_schedule,
    revise_schedule,
};

type TestResult = Result<(), Box<dyn Error>>;

fn date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    s.parse()
}

/// Band D £2,280 (domain.md §1.1) for 2025/26, liable `from`–`to`, with a single person
/// discount when `spd`.
fn charge(from: &str, to: &str, spd: bool) -> Result<Pence, Box<dyn Error>> {
    let liability = DatePeriod::new(date(from)?, date(to)?)?;
    let discounts =
        if spd { vec![DiscountPeriod { discount: Discount::SinglePerson, period: liability }] } else { vec![] };
    let input = CouncilTaxInput {
        year: "2025/26".parse()?,
        band: Band::D,
        band_d_annual: Pence::from_pounds(2_280),
        liability,
        disabled_reduction: vec![],
        discounts,
        premiums: vec![],
        band_rounding: BandRounding::Exact,
    };
    Ok(council_tax_charge(&input)?.total)
}

fn schedule(total: Pence, issued: &str) -> Result<Schedule, Box<dyn Error>> {
    Ok(instalment_schedule(&ScheduleRequest {
        total,
        issued: date(issued)?,
        year: "2025/26".parse()?,
        service: Service::CouncilTax,
        plan: InstalmentPlan::TenMonthly,
        collection_day: 1,
        earliest_collection: None,
        first_instalment: Default::default(),
    })?)
}

fn revision(revised_total: Pence, notice: &str, ended: Option<&str>) -> Result<Revision, Box<dyn Error>> {
    Ok(Revision {
        service: Service::CouncilTax,
        revised_total,
        notice: date(notice)?,
        liability_ended: ended.map(date).transpose()?,
        balance_due_after_days: 14,
        earliest_changed_collection: None,
    })
}

fn shown(s: &RevisedSchedule) -> Vec<(String, String)> {
    s.instalments.iter().map(|i| (i.due.to_string(), i.amount.to_string())).collect()
}

/// Issue #18's first example. The annual bill (1 March 2025) is 10 × £228 for £2,280. A single
/// person discount from 1 April is awarded on 15 August: the charge is £1,710. The five
/// instalments already due (April–August, £1,140) stand; the £570 left is spread over the five
/// that remain (September–January), £114 each. The total demanded is the charge, where a fresh
/// schedule from 15 August would have added six instalments of £285 to the £1,140 already due.
#[test]
fn single_person_discount_from_april_awarded_in_august_spreads_only_the_rest() -> TestResult {
    let full = charge("2025-04-01", "2026-03-31", false)?;
    let with_spd = charge("2025-04-01", "2026-03-31", true)?;
    assert_eq!((full.to_string(), with_spd.to_string()), ("£2,280.00".to_owned(), "£1,710.00".to_owned()));
    let original = schedule(full, "2025-03-01")?;
    let revised = revise_schedule(&original, &revision(with_spd, "2025-08-15", None)?)?;
    assert_eq!(revised.demanded(), with_spd, "the total demanded is the charge");
    assert_eq!(revised.standing, 5);
    assert_eq!(revised.instalments[..5], original.instalments[..5], "the instalments already due stand");
    assert_eq!(revised.fallen_due.to_string(), "£1,140.00");
    assert_eq!(revised.outcome, RevisionOutcome::Spread { instalments: 5 });
    let rest: Vec<_> = shown(&revised)[5..].to_vec();
    let months = ["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01", "2026-01-01"];
    assert_eq!(rest, months.map(|m| (m.to_owned(), "£114.00".to_owned())).to_vec());
    assert_eq!(revised.original, original, "the original schedule is kept to quote");
    Ok(())
}

/// Issue #18's second example. Liable from 1 April, the customer moves out on 15 August 2025
/// (liable to the 14th: 136 days, £849.53). The final notice of 20 August asks for nothing
/// more: £1,140 fell due April–August, so £290.47 is a credit and no instalment falls after the
/// end of liability (the original ran to January).
#[test]
fn moved_out_in_august_has_no_instalment_after_liability_ends() -> TestResult {
    let original = schedule(charge("2025-04-01", "2026-03-31", false)?, "2025-03-01")?;
    let final_charge = charge("2025-04-01", "2025-08-14", false)?;
    assert_eq!(final_charge.to_string(), "£849.53");
    let revised = revise_schedule(&original, &revision(final_charge, "2025-08-20", Some("2025-08-14"))?)?;
    assert_eq!(revised.outcome, RevisionOutcome::Overpaid { credit: Pence::new(29_047) });
    assert_eq!(revised.credit.to_string(), "£290.47");
    assert_eq!(revised.instalments.len(), 5);
    assert!(revised.instalments.iter().all(|i| i.due <= date("2025-08-14").unwrap_or_default()));
    Ok(())
}

/// A final bill issued before the move, with a balance and no instalment date left before the
/// end of liability: the worked example's £1,499.18 (liable from 16 May, single person
/// discount; 1 July £163.18, then £167). Moving out on 1 December (liable to 30 November) makes
/// the charge £932.30; on a notice of 15 November, £831.18 fell due (July–November), and the
/// next date (1 December) is after the end, so the £101.12 left is one sum 14 days after the
/// notice, 29 November.
#[test]
fn final_bill_with_no_date_left_is_one_sum_fourteen_days_after_the_notice() -> TestResult {
    let bill = charge("2025-05-16", "2026-03-31", true)?;
    assert_eq!(bill.to_string(), "£1,499.18");
    let original = schedule(bill, "2025-05-20")?;
    let final_charge = charge("2025-05-16", "2025-11-30", true)?;
    assert_eq!(final_charge.to_string(), "£932.30");
    let revised = revise_schedule(&original, &revision(final_charge, "2025-11-15", Some("2025-11-30"))?)?;
    assert_eq!(revised.fallen_due.to_string(), "£831.18");
    assert_eq!(revised.outcome, RevisionOutcome::SingleSum { due: date("2025-11-29")? });
    assert_eq!(shown(&revised).last(), Some(&("2025-11-29".to_owned(), "£101.12".to_owned())));
    assert_eq!(revised.demanded(), final_charge);
    // The same move told on 10 December: 1 December had fallen due, so £65.88 is a credit.
    let later = revise_schedule(&original, &revision(final_charge, "2025-12-10", Some("2025-11-30"))?)?;
    assert_eq!(later.outcome, RevisionOutcome::Overpaid { credit: Pence::new(6_588) });
    Ok(())
}

/// A revised bill whose total did not change repeats the original schedule exactly.
#[test]
fn revision_without_a_change_repeats_the_original_schedule() -> TestResult {
    let original = schedule("£1,499.18".parse()?, "2025-05-20")?;
    let revised = revise_schedule(&original, &revision(original.total, "2025-09-10", None)?)?;
    assert_eq!(revised.outcome, RevisionOutcome::Unchanged);
    assert_eq!(revised.instalments, original.instalments);
    Ok(())
}

/// An instalment due less than 14 days after the revised notice stands as first demanded; only
/// dates at least 14 days on take the change. A notice of 25 August: 1 September stands at £228,
/// October–January carry the £342 left (£84, then £86 each: the whole-pound rule, Sch 1 para 2(6)).
#[test]
fn an_instalment_within_fourteen_days_of_the_notice_stands() -> TestResult {
    let original = schedule(Pence::from_pounds(2_280), "2025-03-01")?;
    let revised = revise_schedule(&original, &revision(Pence::from_pounds(1_710), "2025-08-25", None)?)?;
    assert_eq!(revised.standing, 6);
    assert_eq!(shown(&revised)[5], ("2025-09-01".to_owned(), "£228.00".to_owned()));
    assert_eq!(revised.outcome, RevisionOutcome::Spread { instalments: 4 });
    assert_eq!(
        shown(&revised)[6..],
        [("2025-10-01", "£84.00"), ("2025-11-01", "£86.00"), ("2025-12-01", "£86.00"), ("2026-01-01", "£86.00")]
            .map(|(d, a)| (d.to_owned(), a.to_owned()))
    );
    assert_eq!(revised.demanded(), Pence::from_pounds(1_710));
    Ok(())
}

/// Business rates (SI 1989/1058 Sch 1 para 6): an increase is spread over the instalments left,
/// with the £50 minimum (domain.md §3.3).
#[test]
fn business_rates_increase_is_spread_over_the_instalments_left() -> TestResult {
    let request = ScheduleRequest {
        total: Pence::from_pounds(5_000),
        issued: date("2025-03-01")?,
        year: "2025/26".parse()?,
        service: Service::BusinessRates,
        plan: InstalmentPlan::TenMonthly,
        collection_day: 1,
        earliest_collection: None,
        first_instalment: Default::default(),
    };
    let original = instalment_schedule(&request)?;
    let mut r = revision(Pence::from_pounds(5_060), "2025-10-10", None)?;
    r.service = Service::BusinessRates;
    let revised = revise_schedule(&original, &r)?;
    // £3,500 fell due April–October; £1,560 over November–January: £520 each.
    assert_eq!(revised.outcome, RevisionOutcome::Spread { instalments: 3 });
    assert!(shown(&revised)[7..].iter().all(|(_, a)| a == "£520.00"), "{:?}", shown(&revised));
    Ok(())
}

/// Direct Debit Guarantee (domain.md §4.1): a changed collection needs 10 working days' advance
/// notice. A 2026/27 bill of 10 × £228 collected on the 4th; a revised notice of Friday 18
/// December 2026 raises the charge to £2,400. The 10th working day after it is 6 January 2027,
/// so the 4 January collection stands at £228 and the £120 left is one sum on 6 January. Without
/// a Direct Debit, 4 January (17 days on) would carry it: £348.
#[test]
fn direct_debit_revision_of_18_december_2026_leaves_the_4_january_collection_unchanged() -> TestResult {
    let original = instalment_schedule(&ScheduleRequest {
        total: Pence::from_pounds(2_280),
        issued: date("2026-03-01")?,
        year: "2026/27".parse()?,
        service: Service::CouncilTax,
        plan: InstalmentPlan::TenMonthly,
        collection_day: 4,
        earliest_collection: None,
        first_instalment: Default::default(),
    })?;
    let mut r = revision(Pence::from_pounds(2_400), "2026-12-18", None)?;
    let by_cheque = revise_schedule(&original, &r)?;
    assert_eq!(shown(&by_cheque).last(), Some(&("2027-01-04".to_owned(), "£348.00".to_owned())));
    let notice = postroom_domain::WorkingCalendar::england_and_wales().add_working_days(r.notice, 10);
    assert_eq!(notice, date("2027-01-06")?);
    r.earliest_changed_collection = Some(notice);
    let by_direct_debit = revise_schedule(&original, &r)?;
    assert_eq!(by_direct_debit.standing, 10);
    assert_eq!(by_direct_debit.outcome, RevisionOutcome::SingleSum { due: date("2027-01-06")? });
    assert_eq!(shown(&by_direct_debit).last(), Some(&("2027-01-06".to_owned(), "£120.00".to_owned())));
    assert_eq!(by_direct_debit.demanded(), Pence::from_pounds(2_400));
    Ok(())
}

//! Business Rates bills reached through an account: empty property exemptions (SI 2008/386 reg
//! 4), the 13-week reoccupation rule (SI 2024/323), the 2025/26 retail, hospitality and leisure
//! relief and its cash cap, and the reliefs a 2026/27 charge is before.

use serde_json::json;

use super::{tests::rates, *};
use crate::state::{Adjustment, category};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fy(s: &str) -> FinancialYear {
    FinancialYear::parse(s).unwrap()
}

fn money(s: &str) -> Pence {
    Pence::parse(s).unwrap()
}

fn shop(rv: u32) -> AccountState {
    let mut state = AccountState::new("1000000101", Service::BusinessRates);
    state.property.rateable_value = Some(rv);
    state
}

fn empty_spell(from: &str, to: Option<&str>, details: serde_json::Value) -> Adjustment {
    let mut a = Adjustment::new(category::RELIEF, "empty_property", d(from), to.map(d));
    a.details = details;
    a
}

/// SI 2008/386 reg 4(e): a listed building empty all year pays nothing; without the exemption
/// it would pay the full empty rate after 3 months.
#[test]
fn si_2008_386_reg_4_e_a_listed_building_empty_all_year_pays_nothing() {
    let mut state = shop(20_000);
    state.adjustments.push(empty_spell("2024-06-01", None, json!({ "exemption": "listed_building" })));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, Pence::ZERO);
    assert!(bill.charge.lines[0].description.contains("listed building (SI 2008/386 reg 4(e))"), "{:?}", bill.charge);
    assert!(bill.schedule.instalments.iter().all(|i| i.amount == Pence::ZERO) || bill.schedule.instalments.is_empty());
    state.adjustments[0].details = json!({});
    assert_eq!(bill_total(&state, "2025/26"), money("9,980.00"));
    state.adjustments[0].details = json!({ "exemption": "listed" });
    let err = super::bill(&state, None, fy("2025/26"), None, &rates()).unwrap_err();
    assert!(err.to_string().contains("details.exemption is not an empty property exemption"), "{err}");
}

fn bill_total(state: &AccountState, year: &str) -> Pence {
    bill(state, None, fy(year), None, &rates()).unwrap().charge.total
}

/// SI 2008/386 reg 4(g): the rateable value test is made on each day from the valuation
/// history: empty at £2,500 pays nothing, and from the day it becomes £3,500 pays full rates.
#[test]
fn si_2008_386_reg_4_g_the_rateable_value_test_follows_the_valuation_on_each_day() {
    let mut state = shop(3_500);
    state.adjustments.push(empty_spell("2024-01-01", None, json!({})));
    let mut change = Adjustment::new(category::VALUATION, "rv:3500", d("2025-10-01"), None);
    change.details = json!({ "previous": 2500 });
    state.adjustments.push(change);
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.lines.len(), 2, "{:?}", bill.charge);
    assert_eq!(bill.charge.lines[0].amount, Pence::ZERO);
    assert!(bill.charge.lines[0].description.contains("rateable value below £2,900"));
    // 3,500 × 49.9p × 182 / 365 = £870.86.
    assert_eq!(bill.charge.lines[1].amount, money("870.86"));
}

/// SI 2008/386 reg 5 as amended by SI 2024/323: empty again 90 days after reoccupation on
/// 1 April 2025 (less than 13 weeks), the spell counts from 1 January 2025, whose 3 months are
/// over, and the bill's notes say why; 91 days later it gets a fresh 3 months.
#[test]
fn si_2024_323_an_empty_spell_within_13_weeks_of_reoccupation_gets_no_fresh_relief() {
    let mut state = shop(20_000);
    state.adjustments.push(empty_spell("2025-01-01", Some("2025-03-31"), json!({})));
    state.adjustments.push(empty_spell("2025-06-30", None, json!({})));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("9,980.00"), "{:?}", bill.charge);
    assert_eq!(bill.notes.len(), 1);
    assert!(bill.notes[0].contains("less than 13 weeks") && bill.notes[0].contains("SI 2024/323"), "{:?}", bill.notes);
    assert!(bill.notes[0].contains("counts from 2025-01-01"), "{:?}", bill.notes);

    state.adjustments[1].from = d("2025-07-01");
    let fresh = super::bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert!(fresh.notes.is_empty());
    // 1 July–30 September free: 273 days charged of 365.
    assert_eq!(fresh.charge.total, money("7,464.49"), "{:?}", fresh.charge);
}

/// 2025/26 retail, hospitality and leisure relief: 40% on a qualifying shop, less when the
/// business has used part of its £110,000 cap elsewhere (`rhl_received_elsewhere`).
#[test]
fn rhl_relief_2025_26_is_40_percent_less_what_the_business_has_elsewhere() {
    let mut state = shop(20_000);
    state.property.retail_hospitality_leisure = true;
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("5,988.00"));
    assert!(bill.not_included.is_empty());
    let mut elsewhere =
        Adjustment::new(category::RELIEF, "rhl_received_elsewhere", d("2025-04-01"), Some(d("2026-03-31")));
    elsewhere.details = json!({ "amount_pence": 10_800_000 });
    state.adjustments.push(elsewhere);
    // £2,000 of the cap is left: £9,980 − £2,000.
    assert_eq!(bill_total(&state, "2025/26"), money("7,980.00"));
    // Another year's record does not count.
    state.adjustments[0].from = d("2024-04-01");
    state.adjustments[0].to = Some(d("2025-03-31"));
    assert_eq!(bill_total(&state, "2025/26"), money("5,988.00"));
}

/// The £110,000 cap holds across the parts of a charge split by a rateable value change.
#[test]
fn rhl_relief_cash_cap_holds_across_a_rateable_value_change() {
    let mut state = shop(900_000);
    state.property.retail_hospitality_leisure = true;
    let mut change = Adjustment::new(category::VALUATION, "rv:900000", d("2025-10-01"), None);
    change.details = json!({ "previous": 1_000_000 });
    state.adjustments.push(change);
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    // £278,260.27 less the whole cap, then £249,065.75 with none left.
    assert_eq!(bill.charge.total, money("417,326.02"), "{:?}", bill.charge);
    assert!(bill.charge.lines[1].description.contains("limited to £0.00 by the cash cap"));
}

/// domain.md §3.1: from 2026/27 there is no RHL relief (RHL multipliers instead), and the charge
/// says it is before the 2026 transitional and supporting small business reliefs.
#[test]
fn a_2026_27_charge_is_before_the_transitional_and_supporting_small_business_reliefs() {
    let mut state = shop(20_000);
    state.property.retail_hospitality_leisure = true;
    let bill = bill(&state, None, fy("2026/27"), None, &rates()).unwrap();
    // 20,000 × 38.2p small business RHL multiplier, no 40% relief.
    assert_eq!(bill.charge.total, money("7,640.00"));
    assert_eq!(bill.not_included, ["2026 transitional relief", "supporting small business relief"]);
}

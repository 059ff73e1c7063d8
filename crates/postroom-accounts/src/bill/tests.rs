//! Bills reached through an account's state: `domain.md`'s worked examples, a mid-year band
//! change, an exemption, premiums, liability gaps, and the errors that name what to fix.

use serde_json::json;

use super::*;
use crate::state::{Adjustment, Mandate, PartyState, category};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fy(s: &str) -> FinancialYear {
    FinancialYear::parse(s).unwrap()
}

fn money(s: &str) -> Pence {
    Pence::parse(s).unwrap()
}

pub(super) fn rates() -> Rates {
    let mut band_d = BTreeMap::new();
    band_d.insert("Northby".to_owned(), BTreeMap::from([(fy("2025/26"), money("2,280.00"))]));
    let mut local = BTreeMap::new();
    local.insert(
        "Northby".to_owned(),
        BTreeMap::from([(
            fy("2025/26"),
            LocalRates {
                class_c_discount: Some(Percent::whole(0)),
                long_term_empty_1_year: Some(Percent::whole(100)),
                long_term_empty_5_years: Some(Percent::whole(200)),
                ..LocalRates::default()
            },
        )]),
    );
    Rates {
        council: "Northby".to_owned(),
        band_d,
        local,
        multipliers: Multipliers::default_england(),
        rhl_relief: RhlReliefs::default_england(),
        collection_day: 1,
        band_rounding: BandRounding::Exact,
    }
}

fn party(name: &str, from: Option<&str>, to: Option<&str>) -> PartyState {
    PartyState {
        name: name.to_owned(),
        role: "liable".to_owned(),
        liable_from: from.map(d),
        liable_to: to.map(d),
        email: None,
        phone: None,
        postal_address: None,
        preferred_channel: None,
        forwarding_address: None,
    }
}

fn adjustment(category: &str, code: &str, from: &str, to: Option<&str>, details: serde_json::Value) -> Adjustment {
    Adjustment { details, ..Adjustment::new(category, code, d(from), to.map(d)) }
}

/// A Council Tax account in band `band` with one liable party from `from`.
fn ct(band: Band, from: Option<&str>) -> AccountState {
    let mut state = AccountState::new("5000000001", Service::CouncilTax);
    state.property.band = Some(band);
    state.parties.push(party("Jane Doe", from, None));
    state
}

fn lines(bill: &Bill) -> Vec<(String, String, String, Pence)> {
    bill.charge.lines.iter().map(|l| (l.from.to_string(), l.to.to_string(), l.description.clone(), l.amount)).collect()
}

#[test]
fn a_single_person_discount_from_a_mid_may_move_in_is_the_worked_example() {
    // domain.md §1.2 and §2.1: Band D £2,280, liable 16 May 2025–31 Mar 2026 with 25% SPD →
    // £1,499.18, billed in May → 9 instalments: £163.18 then £167.
    let mut state = ct(Band::D, Some("2025-05-16"));
    state.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2025-05-16"), None));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("1,499.18"));
    assert_eq!(bill.billing_authority, "Northby");
    assert_eq!(bill.band_d, Some(money("2,280")));
    assert_eq!(bill.issued, d("2025-05-16"), "a later start is billed when liability starts");
    let amounts: Vec<Pence> = bill.schedule.instalments.iter().map(|i| i.amount).collect();
    assert_eq!(amounts.len(), 9);
    assert_eq!(amounts[0], money("163.18"));
    assert!(amounts[1..].iter().all(|a| *a == money("167")));
    assert_eq!(bill.schedule.instalments[0].due, d("2025-06-01"));
}

#[test]
fn a_whole_year_is_billed_in_march_over_ten_instalments_on_the_direct_debit_day() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2020-01-01"), None));
    state.mandate = Some(Mandate {
        reference: "PR5000000001".to_owned(),
        payer_name: "Jane Doe".to_owned(),
        sort_code: "200000".to_owned(),
        account_number: "55779911".to_owned(),
        collection_day: 15,
        status: MandateStatus::Active,
        lodge: Vec::new(),
    });
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("1,710.00"), "£2,280 less 25%");
    assert_eq!(bill.issued, d("2025-03-01"));
    assert_eq!(bill.collection_day, 15);
    let dues: Vec<NaiveDate> = bill.schedule.instalments.iter().map(|i| i.due).collect();
    assert_eq!(dues.len(), 10);
    assert_eq!((dues[0], dues[9]), (d("2025-04-15"), d("2026-01-15")));
    assert!(bill.schedule.instalments.iter().all(|i| i.amount == money("171")));

    // 12 instalments on request; a cancelled Direct Debit falls back to the configured day.
    state.instalments = 12;
    if let Some(m) = state.mandate.as_mut() {
        m.status = MandateStatus::Cancelled;
    }
    let bill = super::bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.schedule.instalments.len(), 12);
    assert_eq!(bill.schedule.instalments[11].due, d("2026-03-01"));
    assert_eq!(bill.collection_day, 1);
}

#[test]
fn small_business_rate_relief_at_rv_13500_is_the_worked_example() {
    // domain.md §3.2: RV £13,500 → 50% relief → £3,368.25 at 49.9p.
    let mut state = AccountState::new("1000000001", Service::BusinessRates);
    state.property.rateable_value = Some(13_500);
    state.parties.push(party("Acme Ltd", Some("2019-04-01"), None));
    state.adjustments.push(Adjustment::new(category::RELIEF, "small_business", d("2023-04-01"), None));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("3,368.25"));
    assert_eq!(bill.band_d, None);
    assert!(bill.charge.lines[0].description.contains("small business rate relief 50%"), "{:?}", bill.charge.lines);
    assert_eq!(bill.schedule.instalments.len(), 10);
    assert_eq!(bill.schedule.instalments.iter().map(|i| i.amount).sum::<Pence>(), money("3,368.25"));
}

#[test]
fn empty_property_relief_runs_three_months_then_full_rates() {
    let mut state = AccountState::new("1000000002", Service::BusinessRates);
    state.property.rateable_value = Some(20_000);
    state.adjustments.push(adjustment(
        category::RELIEF,
        "empty_property",
        "2025-07-01",
        None,
        json!({ "qualifying_industrial": false }),
    ));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    let got = lines(&bill);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!((got[1].0.as_str(), got[1].1.as_str(), got[1].3), ("2025-07-01", "2025-09-30", Pence::ZERO));
    assert_eq!(got[2].0, "2025-10-01");
    // RV 20,000 × 49.9p = £9,980 a year: 91 days then 182 days.
    assert_eq!(got[0].3, money("2,488.16"));
    assert_eq!(got[2].3, money("4,976.33"));
}

#[test]
fn a_mid_year_band_change_splits_the_charge() {
    // The band went from D to C on 1 October 2025 (property now C).
    let mut state = ct(Band::C, None);
    state.adjustments.push(adjustment(category::VALUATION, "band:C", "2025-10-01", None, json!({ "previous": "D" })));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(
        lines(&bill),
        [
            ("2025-04-01".to_owned(), "2025-09-30".to_owned(), "Band D".to_owned(), money("1,143.12")),
            ("2025-10-01".to_owned(), "2026-03-31".to_owned(), "Band C".to_owned(), money("1,010.56")),
        ]
    );
    assert_eq!(bill.charge.total, money("2,153.68"));

    // A change before the year applies to all of it.
    let mut state = ct(Band::C, None);
    state.adjustments.push(adjustment(category::VALUATION, "band:C", "2024-10-01", None, json!({ "previous": "D" })));
    let bill = super::bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("2,026.67"));
}

#[test]
fn a_rateable_value_change_splits_the_business_rates_charge() {
    let mut state = AccountState::new("1000000003", Service::BusinessRates);
    state.property.rateable_value = Some(10_000);
    state.adjustments.push(adjustment(
        category::VALUATION,
        "rv:10000",
        "2026-01-01",
        None,
        json!({ "previous": 20000 }),
    ));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    let got = lines(&bill);
    assert_eq!(got.len(), 2);
    assert!(got[0].2.starts_with("RV £20,000"), "{got:?}");
    assert!(got[1].2.starts_with("RV £10,000"), "{got:?}");
}

#[test]
fn an_exemption_period_pays_nothing_for_its_days() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(Adjustment::new(category::EXEMPTION, "F", d("2025-06-01"), Some(d("2025-08-31"))));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    let got = lines(&bill);
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[1],
        ("2025-06-01".to_owned(), "2025-08-31".to_owned(), "Band D; exempt (class F)".to_owned(), Pence::ZERO)
    );
    // 61 days then 212 days of £2,280 / 365.
    assert_eq!(bill.charge.total, money("381.04") + money("1,324.27"));
}

#[test]
fn the_disabled_band_reduction_charges_one_band_lower() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(Adjustment::new(
        category::DISABLED_BAND_REDUCTION,
        "disabled_band_reduction",
        d("2025-04-01"),
        None,
    ));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("2,026.67"), "Band C's 8/9 of £2,280");
}

#[test]
fn a_long_term_empty_premium_moves_up_a_tier_on_the_fifth_anniversary() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(adjustment(
        category::PREMIUM,
        "long_term_empty",
        "2022-01-01",
        None,
        json!({ "empty_since": "2020-10-01" }),
    ));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    let got = lines(&bill);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].1, "2025-09-30");
    assert!(got[0].2.contains("1 year+") && got[0].2.contains("100%"), "{got:?}");
    assert!(got[1].2.contains("5 years+") && got[1].2.contains("200%"), "{got:?}");
    // 183 days at 2 × £2,280 and 182 days at 3 × £2,280.
    assert_eq!(got[0].3, money("2,286.25"));
    assert_eq!(got[1].3, money("3,410.63"));
}

#[test]
fn a_premium_the_council_has_not_set_names_the_key_to_configure() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(Adjustment::new(category::PREMIUM, "second_home", d("2025-04-01"), None));
    let err = bill(&state, None, fy("2025/26"), None, &rates()).unwrap_err();
    assert!(matches!(err, BillError::LocalRateNotSet { key: "second_home", .. }), "{err:?}");
    assert!(err.to_string().contains("charges.local.\"Northby\".\"2025/26\".second_home"), "{err}");

    // A percentage recorded on the premium itself needs no configuration.
    state.adjustments[0].details = json!({ "percent": "50%" });
    let bill = super::bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.total, money("3,420.00"));
}

#[test]
fn liability_is_the_union_of_liable_parties_days_and_a_gap_is_not_charged() {
    let mut state = ct(Band::D, Some("2020-01-01"));
    state.parties[0].liable_to = Some(d("2025-06-30"));
    state.parties.push(party("John Roe", Some("2025-08-01"), None));
    state.parties.push(party("Joan Roe", Some("2025-09-01"), None));
    state.parties.push(PartyState { role: "occupier".to_owned(), ..party("Lodger", Some("2025-07-01"), None) });
    let runs = liability(&state, fy("2025/26"));
    assert_eq!(
        runs,
        [
            DatePeriod::new(d("2025-04-01"), d("2025-06-30")).unwrap(),
            DatePeriod::new(d("2025-08-01"), d("2026-03-31")).unwrap()
        ]
    );
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    assert_eq!(bill.charge.lines.len(), 2);
    assert_eq!(bill.charge.lines.iter().map(|l| l.days).sum::<i64>(), 91 + 243);

    // Nobody liable in the year at all.
    let mut gone = ct(Band::D, Some("2020-01-01"));
    gone.parties[0].liable_to = Some(d("2024-12-31"));
    let err = super::bill(&gone, None, fy("2025/26"), None, &rates()).unwrap_err();
    assert!(matches!(err, BillError::NotLiable { .. }), "{err:?}");
}

#[test]
fn an_account_that_cannot_be_charged_says_why() {
    let mut no_band = ct(Band::D, None);
    no_band.property.band = None;
    let err = bill(&no_band, None, fy("2025/26"), None, &rates()).unwrap_err();
    assert_eq!(err.to_string(), "account 5000000001 has no Council Tax band on 2025-04-01: record the property's band");

    no_band.property.band = Some(Band::B);
    let err = bill(&no_band, None, fy("2027/28"), None, &rates()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no Band D is configured for Northby in 2027/28: set [charges.band_d.\"Northby\"] \"2027/28\""
    );
    let err = bill(&no_band, Some("Southby"), fy("2025/26"), None, &rates()).unwrap_err();
    assert!(matches!(err, BillError::NoBandD { ref council, .. } if council == "Southby"), "{err:?}");

    let mut br = AccountState::new("1000000004", Service::BusinessRates);
    br.property.rateable_value = Some(9_000);
    let err = bill(&br, None, fy("2019/20"), None, &rates()).unwrap_err();
    assert_eq!(err.to_string(), "no business rates multipliers configured for 2019/20");

    no_band.adjustments.push(Adjustment::new(category::EXEMPTION, "C", d("2025-04-01"), None));
    let err = bill(&no_band, None, fy("2025/26"), None, &rates()).unwrap_err();
    assert!(err.to_string().contains("exemption \"C\" from 2025-04-01"), "{err}");

    let err = bill(&ct(Band::D, None), None, fy("2025/26"), Some(d("2026-04-01")), &rates()).unwrap_err();
    assert!(matches!(err, BillError::IssuedAfterYear { .. }), "{err:?}");
}

#[test]
fn local_rates_above_the_legal_maximum_are_named() {
    let local = LocalRates {
        class_c_discount: Some(Percent::whole(101)),
        long_term_empty_10_years: Some(Percent::whole(300)),
        second_home: Some(Percent::whole(150)),
        ..LocalRates::default()
    };
    assert_eq!(
        local.problems(),
        ["class_c_discount = 101% is more than the maximum 100%", "second_home = 150% is more than the maximum 100%"]
    );
}

mod exceptions;

use super::*;

fn rates_at(rv: u32) -> AccountState {
    let mut state = br();
    state.property.rateable_value = Some(rv);
    state
}

fn relief(kind: &str, from: &str) -> serde_json::Value {
    json!({"kind": "relief_grant", "account": "6000000001", "relief": kind, "from": from})
}

#[test]
fn small_business_relief_records_its_percentage_from_the_rateable_value() {
    for (rv, percent) in [(12_000, json!(100)), (13_500, json!(50)), (13_001, json!(66.63)), (14_999, json!(0.03))] {
        let mut state = rates_at(rv);
        apply(relief("small_business", "2026-04-01"), &mut state);
        assert_eq!(state.adjustments[0].details, json!({"percent": percent, "rateable_value": rv}), "RV {rv}");
    }
}

#[test]
fn small_business_relief_needs_a_rateable_value_up_to_14999() {
    let high = check(relief("small_business", "2026-04-01"), &rates_at(15_000));
    assert_one(&high, "needs a rateable value of £14999 or less: the property's is £15000 on 2026-04-01");
    assert_one(&check(relief("small_business", "2026-04-01"), &br()), "property has no rateable value");
}

#[test]
fn small_business_and_charitable_relief_exclude_each_other() {
    let mut sbrr = rates_at(10_000);
    apply(relief("small_business", "2026-04-01"), &mut sbrr);
    assert_one(&check(relief("charitable", "2026-06-01"), &sbrr), "is not given with mandatory charitable relief");
    let mut charity = rates_at(10_000);
    apply(relief("charitable", "2026-04-01"), &mut charity);
    assert_eq!(charity.adjustments[0].details, json!({"percent": 80}));
    assert_one(&check(relief("small_business", "2026-06-01"), &charity), "has charitable relief from 2026-04-01");
    assert_one(&check(relief("charitable", "2026-06-01"), &charity), "already has charitable relief");
}

#[test]
fn empty_property_relief_records_the_empty_spell_free_for_three_months_or_six_for_industrial() {
    let mut shop = rates_at(20_000);
    apply(relief("empty_property", "2026-05-01"), &mut shop);
    assert_eq!(shop.adjustments[0].to, None, "empty until reoccupied");
    assert_eq!(shop.adjustments[0].details["relief_until"], json!("2026-07-31"));
    let mut works = rates_at(20_000);
    let mut industrial = relief("empty_property", "2026-05-01");
    industrial["qualifying_industrial"] = json!(true);
    apply(industrial.clone(), &mut works);
    assert_eq!(works.adjustments[0].details, json!({"qualifying_industrial": true, "relief_until": "2026-10-31"}));
    // A spell longer than the relief is still recorded: rates are due after the relief.
    let mut long = relief("empty_property", "2026-05-01");
    long["to"] = json!("2027-01-31");
    assert!(check(long, &rates_at(20_000)).is_empty());
    assert_one(&check(relief("empty_property", "2026-07-01"), &shop), "already has empty_property relief");
}

#[test]
fn qualifying_industrial_is_only_for_empty_property_relief_and_reliefs_only_for_rates() {
    let mut sbrr = relief("small_business", "2026-04-01");
    sbrr["qualifying_industrial"] = json!(true);
    assert_one(&check(sbrr, &rates_at(10_000)), "qualifying_industrial applies only to empty_property relief");
    let ct_relief = check(relief("charitable", "2026-04-01"), &ct());
    assert_eq!(ct_relief, vec!["account 5000000001 is council tax: relief_grant applies to Business Rates only"]);
}

#[test]
fn a_relief_ends_only_where_one_runs_and_backdating_needs_approval() {
    let end = json!({"kind": "relief_end", "account": "1", "relief": "charitable", "last_day": "2026-10-31"});
    assert_one(&check(end.clone(), &br()), "has no charitable relief running on 2026-10-31");
    let mut state = rates_at(10_000);
    apply(relief("charitable", "2026-04-01"), &mut state);
    apply(end, &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-10-31")));
    let old = parse_one(relief("charitable", "2026-04-01"));
    assert!(
        old.approval_reason(&ApprovalPolicy::default(), d(TODAY)).unwrap().contains("relief is backdated 236 days")
    );
}

/// SI 2008/386 reg 4 / LGFA 1988 s45A(2): an empty property relief records which exemption
/// applies, its source and what ends it; the exemption is refused on other reliefs, and the
/// rateable value exemption (reg 4(g)) is not recorded because the bill applies it itself.
#[test]
fn si_2008_386_reg_4_empty_property_relief_records_its_exemption_and_what_ends_it() {
    let mut probate = relief("empty_property", "2026-05-01");
    probate["exemption"] = json!("personal_representative");
    let mut state = rates_at(20_000);
    assert!(check(probate.clone(), &state).is_empty());
    apply(probate, &mut state);
    let details = &state.adjustments[0].details;
    assert_eq!(details["exemption"], json!("personal_representative"));
    assert_eq!(details["exemption_source"], json!("SI 2008/386 reg 4(h)"));
    let until = details["exempt_until"].as_str().unwrap();
    assert!(until.contains("other than as personal representative") && until.contains("probate alone does not end it"));
    assert_eq!(details.get("relief_until"), None, "no 3-month limit while exempt");

    let mut low = relief("empty_property", "2026-05-01");
    low["exemption"] = json!("rateable_value_below_2900");
    assert_one(&check(low, &rates_at(2_000)), "is not recorded: the bill applies it on every empty day");
    let mut wrong = relief("charitable", "2026-05-01");
    wrong["exemption"] = json!("listed_building");
    assert_one(&check(wrong, &rates_at(20_000)), "exemption applies only to empty_property relief");
    let mut unknown = relief("empty_property", "2026-05-01");
    unknown["exemption"] = json!("derelict");
    assert!(serde_json::from_value::<Change>(unknown).is_err());
}

/// SI 2008/386 reg 5 as amended by SI 2024/323: a spell recorded less than 13 weeks after the
/// account's previous spell ended says so and counts its 3 months from the earlier start.
#[test]
fn si_2024_323_a_spell_within_13_weeks_of_the_last_one_records_that_it_continues_it() {
    let mut state = rates_at(20_000);
    let mut first = relief("empty_property", "2026-01-05");
    first["to"] = json!("2026-03-31");
    apply(first, &mut state);
    apply(relief("empty_property", "2026-05-01"), &mut state);
    let details = &state.adjustments[1].details;
    assert_eq!(details["empty_since"], json!("2026-01-05"));
    assert_eq!(details["relief_until"], json!("2026-04-04"), "{details}");
    assert!(details["continues_earlier_spell"].as_str().unwrap().contains("less than 13 weeks"), "{details}");
    let mut later = rates_at(20_000);
    let mut first = relief("empty_property", "2026-01-05");
    first["to"] = json!("2026-03-31");
    apply(first, &mut later);
    apply(relief("empty_property", "2026-07-01"), &mut later);
    assert_eq!(later.adjustments[1].details, json!({"qualifying_industrial": false, "relief_until": "2026-09-30"}));
}

/// The 2025/26 RHL cash cap is per business: relief it has on other hereditaments is recorded
/// with its amount, for one financial year.
#[test]
fn rhl_received_elsewhere_needs_a_positive_amount_within_one_year() {
    let mut elsewhere = relief("rhl_received_elsewhere", "2026-04-01");
    assert_one(&check(elsewhere.clone(), &rates_at(20_000)), "needs amount_pence");
    elsewhere["amount_pence"] = json!(500_000);
    assert_one(&check(elsewhere.clone(), &rates_at(20_000)), "is for one financial year");
    elsewhere["to"] = json!("2027-04-01");
    assert_one(&check(elsewhere.clone(), &rates_at(20_000)), "is for one financial year");
    elsewhere["to"] = json!("2027-03-31");
    let mut state = rates_at(20_000);
    assert!(check(elsewhere.clone(), &state).is_empty());
    apply(elsewhere, &mut state);
    assert_eq!(state.adjustments[0].details, json!({"amount_pence": 500_000}));
    let mut sbrr = relief("small_business", "2026-04-01");
    sbrr["amount_pence"] = json!(100);
    assert_one(&check(sbrr, &rates_at(10_000)), "amount_pence applies only to rhl_received_elsewhere");
}

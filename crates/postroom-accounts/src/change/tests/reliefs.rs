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

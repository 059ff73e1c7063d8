use postroom_charges::Band;

use super::*;

fn in_band(band: Band) -> AccountState {
    let mut state = ct();
    state.property.band = Some(band);
    state
}

fn band_change(band: &str, effective_from: &str, list_altered_on: &str) -> serde_json::Value {
    json!({"kind": "band_change", "account": "5000000001", "band": band, "effective_from": effective_from,
           "list_altered_on": list_altered_on})
}

fn rv_change(rv: u32, effective_from: &str, list_altered_on: &str) -> serde_json::Value {
    json!({"kind": "rateable_value_change", "account": "6000000001", "rateable_value": rv,
           "effective_from": effective_from, "list_altered_on": list_altered_on})
}

#[test]
fn a_band_reduction_is_backdated_and_recorded_as_a_valuation() {
    let mut state = in_band(Band::D);
    apply(band_change("c", "2025-06-01", "2026-11-02"), &mut state);
    assert_eq!(state.property.band, Some(Band::C));
    let mut record = Adjustment::new(category::VALUATION, "band:C", d("2025-06-01"), None);
    record.details = json!({"previous": "D"});
    assert_eq!(state.adjustments, vec![record]);
    assert_eq!(state.band_on(d("2025-05-31")), Some(Band::D));
    assert_eq!(state.band_on(d("2025-06-01")), Some(Band::C));
}

#[test]
/// Council Tax (Alteration of Lists and Appeals) (England) Regulations 2009 (SI 2009/2270) reg 11,
/// `domain.md` §5: a material increase takes effect from the day it is entered in the list.
fn a_band_increase_is_not_backdated() {
    let up = check(band_change("e", "2026-10-01", "2026-11-02"), &in_band(Band::D));
    assert_eq!(
        up,
        vec![
            "a band increase cannot be backdated (SI 2009/2270 reg 11): effective_from must be on or after \
             list_altered_on (2026-11-02)"
        ]
    );
    assert!(check(band_change("e", "2026-11-02", "2026-11-02"), &in_band(Band::D)).is_empty());
}

#[test]
fn a_band_change_needs_a_different_band_a_past_alteration_and_a_near_date() {
    assert_one(&check(band_change("d", "2026-11-02", "2026-11-02"), &in_band(Band::D)), "the band is already D");
    assert_one(&check(band_change("c", "2026-11-02", "2026-11-02"), &ct()), "property has no band to change from");
    assert_one(
        &check(band_change("c", "2026-11-30", "2026-11-30"), &in_band(Band::D)),
        "list_altered_on 2026-11-30 is in the future",
    );
    let late = check(band_change("c", "2027-11-03", "2026-11-02"), &in_band(Band::D));
    assert_one(&late, "no later than a year after list_altered_on: on or before 2027-11-02");
    assert!(check(band_change("c", "2026-11-02", "2026-11-02"), &br())[0].contains("applies to Council Tax only"));
}

#[test]
fn a_valuation_change_follows_the_last_one() {
    let mut state = in_band(Band::D);
    apply(band_change("c", "2026-06-01", "2026-11-02"), &mut state);
    let earlier = check(band_change("b", "2026-05-01", "2026-11-02"), &state);
    assert_one(&earlier, "effective_from must be after the last band change (C from 2026-06-01)");
    apply(band_change("b", "2026-07-01", "2026-11-02"), &mut state);
    assert_eq!(state.band_on(d("2026-01-01")), Some(Band::D), "before the first record: its previous value");
    assert_eq!(state.band_on(d("2026-06-30")), Some(Band::C));
    assert_eq!(state.band_on(d("2026-07-01")), Some(Band::B));
}

#[test]
fn a_rateable_value_change_is_recorded_and_needs_a_new_positive_value() {
    let mut state = br();
    state.property.rateable_value = Some(15_000);
    apply(rv_change(13_500, "2026-04-01", "2026-11-02"), &mut state);
    assert_eq!(state.property.rateable_value, Some(13_500));
    assert_eq!(state.adjustments[0].code, "rv:13500");
    assert_eq!(state.adjustments[0].details, json!({"previous": 15000}));
    assert_eq!(state.rateable_value_on(d("2026-03-31")), Some(15_000));
    assert_eq!(state.rateable_value_on(d("2026-04-01")), Some(13_500));
    assert_one(&check(rv_change(13_500, "2026-11-02", "2026-11-02"), &state), "the rateable value is already 13500");
    assert_one(&check(rv_change(13_500, "2026-11-02", "2026-11-02"), &br()), "has no rateable value to change from");
    assert!(
        check(rv_change(0, "2026-11-02", "2026-11-02"), &state)
            .contains(&"rateable_value must be more than zero".to_owned())
    );
    assert!(check(rv_change(13_500, "2026-11-02", "2026-11-02"), &ct())[0].contains("applies to Business Rates only"));
}

/// Non-Domestic Rating (Alterations of Lists and Appeals) (England) Regulations 2009 (SI 2009/2268),
/// `domain.md` §5 "NNDR list alterations": the council rebills from the Valuation Officer's
/// effective date, with a refund or a backdated demand. The no-backdating rule for increases is
/// Council Tax's (SI 2009/2270 reg 11), not Business Rates'.
#[test]
fn a_rateable_value_increase_takes_effect_from_the_valuation_officers_effective_date() {
    let mut state = br();
    state.property.rateable_value = Some(13_500);
    let up = rv_change(20_000, "2026-05-01", "2026-11-02");
    assert!(check(up.clone(), &state).is_empty(), "a backdated increase is accepted");
    apply(up, &mut state);
    assert_eq!(state.property.rateable_value, Some(20_000));
    assert_eq!(state.rateable_value_on(d("2026-04-30")), Some(13_500));
    assert_eq!(state.rateable_value_on(d("2026-05-01")), Some(20_000), "from the effective date, not the alteration");
    let policy = ApprovalPolicy::default();
    let stateless = parse_one(rv_change(25_000, "2026-06-01", "2026-11-02"));
    let reason = stateless.approval_reason(&policy, d(TODAY));
    assert_eq!(reason.unwrap(), "the rateable value change is backdated 175 days (more than 28)", "may be a reduction");
    assert_eq!(stateless.approval_reason_for(&state, &policy, d(TODAY)), None, "a backdated demand, not a refund");
    let late = check(rv_change(25_000, "2027-11-03", "2026-11-02"), &state);
    assert_one(&late, "no later than a year after list_altered_on");
}

#[test]
fn a_reduction_backdated_beyond_the_policy_needs_approval() {
    let policy = ApprovalPolicy::default();
    let back = parse_one(band_change("c", "2025-06-01", "2026-11-02"));
    assert!(back.approval_reason(&policy, d(TODAY)).unwrap().contains("band reduction is backdated 540 days"));
    let from_list = parse_one(band_change("c", "2026-09-01", "2026-09-01"));
    assert_eq!(from_list.approval_reason(&policy, d(TODAY)), None, "not known to be a reduction without the state");
    let reason = from_list.approval_reason_for(&in_band(Band::D), &policy, d(TODAY));
    assert_eq!(reason.unwrap(), "the band reduction is backdated 83 days (more than 28)");
    assert_eq!(from_list.approval_reason_for(&in_band(Band::B), &policy, d(TODAY)), None, "an increase");
    let mut rates = br();
    rates.property.rateable_value = Some(15_000);
    let rv = parse_one(rv_change(13_500, "2026-04-01", "2026-04-01"));
    assert!(rv.approval_reason_for(&rates, &policy, d(TODAY)).unwrap().contains("rateable value reduction"));
}

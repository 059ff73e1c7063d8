use super::*;

fn exemption(class: &str, from: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut v = json!({"kind": "exemption_grant", "account": "5000000001", "class": class, "from": from});
    if let (Some(v), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

fn premium(kind: &str, from: &str, empty_since: Option<&str>) -> serde_json::Value {
    json!({"kind": "premium", "account": "5000000001", "premium": kind, "from": from, "empty_since": empty_since})
}

#[test]
fn exemptions_a_and_c_were_abolished_in_2013() {
    for class in ["A", "C", "X", "BB"] {
        let err = parse_changes(&[exemption(class, "2026-11-01", json!({}))]).unwrap_err();
        assert!(err[0].message.contains("abolished in 2013"), "{}", err[0].message);
    }
}

#[test]
fn exemptions_are_for_council_tax_and_do_not_overlap() {
    let mut state = ct();
    apply(exemption("E", "2026-06-01", json!({})), &mut state);
    assert_eq!(state.adjustments[0], Adjustment::new(category::EXEMPTION, "E", d("2026-06-01"), None));
    let again = check(exemption("I", "2026-10-01", json!({})), &state);
    assert_one(&again, "already has a class E exemption from 2026-06-01 (open-ended)");
    let rates = check(exemption("E", "2026-06-01", json!({})), &br());
    assert_eq!(rates, vec!["account 6000000001 is business rates: exemption_grant applies to Council Tax only"]);
}

#[test]
fn class_b_lasts_at_most_six_months() {
    assert_one(&check(exemption("B", "2026-06-01", json!({})), &ct()), "give its last day as to");
    let long = check(exemption("B", "2026-06-01", json!({"to": "2026-12-01"})), &ct());
    assert_one(&long, "a class B exemption lasts at most 6 months: to must be on or before 2026-11-30");
    assert!(check(exemption("B", "2026-06-01", json!({"to": "2026-11-30"})), &ct()).is_empty());
}

/// SI 1992/558 art. 3 class F (as amended in 1994): exempt while "less than six months have
/// elapsed since the date of the grant" of probate or letters of administration, so the last
/// exempt day is the day before six months from the grant: granted 15 August 2026, exempt to 14 February
/// 2027.
#[test]
fn class_f_ends_the_day_before_six_months_from_probate_si_1992_558() {
    let mut state = ct();
    apply(exemption("F", "2026-01-10", json!({"probate_granted_on": "2026-08-15"})), &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2027-02-14")), "to follows from the grant");
    assert_eq!(state.adjustments[0].details, json!({"probate_granted_on": "2026-08-15"}));
    let late =
        check(exemption("F", "2026-01-10", json!({"probate_granted_on": "2026-08-15", "to": "2027-02-15"})), &ct());
    assert_one(
        &late,
        "ends the day before six months from the grant of probate (2026-08-15): to must be on or before 2027-02-14",
    );
    let open = check(exemption("F", "2026-01-10", json!({})), &ct());
    assert!(open.is_empty(), "before probate it runs open-ended: {open:?}");
    let future = check(exemption("F", "2026-01-10", json!({"probate_granted_on": "2026-12-01"})), &ct());
    assert_one(&future, "probate_granted_on 2026-12-01 is in the future");
}

/// SI 1992/558 class F: an open-ended class F exemption granted before probate ends when the
/// grant is notified: `exemption_end` with `probate_granted_on` records the grant and ends it the
/// day before six months from it (31 August grant: last day 27 February, the month being short).
#[test]
fn probate_granted_later_ends_an_open_class_f_exemption_si_1992_558() {
    let mut state = ct();
    apply(exemption("F", "2026-01-10", json!({})), &mut state);
    let end = json!({"kind": "exemption_end", "account": "1", "class": "F", "probate_granted_on": "2026-08-31"});
    apply(end, &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2027-02-27")));
    assert_eq!(state.adjustments[0].details, json!({"probate_granted_on": "2026-08-31"}));
    let mut open = ct();
    apply(exemption("F", "2026-01-10", json!({})), &mut open);
    let late = check(
        json!({"kind": "exemption_end", "account": "1", "class": "F", "probate_granted_on": "2026-08-15",
               "last_day": "2027-02-15"}),
        &open,
    );
    assert_one(&late, "last_day must be on or before 2027-02-14");
    let earlier = json!({"kind": "exemption_end", "account": "1", "class": "F", "probate_granted_on": "2026-08-15",
                         "last_day": "2026-11-01"});
    apply(earlier, &mut open);
    assert_eq!(open.adjustments[0].to, Some(d("2026-11-01")), "sold or occupied sooner");
    let other = check(
        json!({"kind": "exemption_end", "account": "1", "class": "E", "probate_granted_on": "2026-08-15"}),
        &ct(),
    );
    assert!(other.iter().any(|e| e.contains("probate_granted_on applies only to class F")), "{other:?}");
    let neither = check(json!({"kind": "exemption_end", "account": "1", "class": "E"}), &ct());
    assert_one(&neither, "last_day is required");
}

#[test]
fn probate_applies_only_to_class_f_and_other_classes_may_be_open_ended() {
    let e = check(exemption("E", "2026-01-10", json!({"probate_granted_on": "2026-08-15"})), &ct());
    assert_one(&e, "probate_granted_on applies only to class F");
    assert!(check(exemption("L", "2026-01-10", json!({})), &ct()).is_empty());
}

#[test]
fn an_exemption_ends_only_where_one_runs() {
    let end = json!({"kind": "exemption_end", "account": "1", "class": "E", "last_day": "2026-10-31"});
    assert_one(&check(end.clone(), &ct()), "has no class E exemption running on 2026-10-31");
    let mut state = ct();
    apply(exemption("E", "2026-06-01", json!({})), &mut state);
    apply(end.clone(), &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-10-31")));
    assert_one(&check(end, &state), "the class E exemption already ends on 2026-10-31");
}

#[test]
fn a_long_term_empty_premium_is_tiered_by_years_empty_on_from() {
    for (since, percent) in [("2025-04-01", 100), ("2021-04-01", 200), ("2016-04-01", 300), ("2016-04-02", 200)] {
        let mut state = ct();
        apply(premium("long_term_empty", "2026-04-01", Some(since)), &mut state);
        assert_eq!(state.adjustments[0].code, "long_term_empty");
        assert_eq!(state.adjustments[0].details, json!({"maximum_percent": percent, "empty_since": since}), "{since}");
    }
}

#[test]
fn a_long_term_empty_premium_needs_a_year_empty() {
    let missing = check(premium("long_term_empty", "2026-04-01", None), &ct());
    assert_one(&missing, "needs empty_since");
    let short = check(premium("long_term_empty", "2026-04-01", Some("2025-04-02")), &ct());
    assert_one(
        &short,
        "empty for at least a year on from: empty since 2025-04-02, so from must be on or after 2026-04-02",
    );
    let after = check(premium("long_term_empty", "2026-04-01", Some("2026-05-01")), &ct());
    assert_one(&after, "empty_since 2026-05-01 is after from 2026-04-01");
}

#[test]
fn a_second_home_premium_starts_from_april_2025_without_an_empty_date() {
    let mut state = ct();
    apply(premium("second_home", "2026-04-01", None), &mut state);
    assert_eq!(state.adjustments[0].details, json!({"maximum_percent": 100}));
    assert_one(&check(premium("second_home", "2025-03-31", None), &ct()), "from 2025-04-01 at the earliest");
    let since = check(premium("second_home", "2026-04-01", Some("2020-01-01")), &ct());
    assert_one(&since, "empty_since applies only to a long_term_empty premium");
}

#[test]
fn no_premium_where_someone_lives_or_the_dwelling_is_exempt_or_one_runs() {
    let mut lived_in = ct();
    apply(
        json!({"kind": "discount_grant", "account": "1", "discount": "single_person", "from": "2026-01-01"}),
        &mut lived_in,
    );
    let p = check(premium("second_home", "2026-04-01", None), &lived_in);
    assert_one(&p, "has a single_person discount from 2026-01-01 (open-ended) in that period: someone lives there");
    let mut exempt = ct();
    apply(exemption("E", "2026-01-01", json!({"to": "2026-06-30"})), &mut exempt);
    assert_one(&check(premium("second_home", "2026-04-01", None), &exempt), "an exempt dwelling pays no premium");
    assert!(check(premium("second_home", "2026-07-01", None), &exempt).is_empty());
    let mut charged = ct();
    apply(premium("second_home", "2026-04-01", None), &mut charged);
    assert_one(
        &check(premium("long_term_empty", "2026-06-01", Some("2020-01-01")), &charged),
        "already has a second_home premium",
    );
    let spd = check(
        json!({"kind": "discount_grant", "account": "1", "discount": "single_person", "from": "2026-11-01"}),
        &charged,
    );
    assert_one(&spd, "has a second_home premium from 2026-04-01 (open-ended) in that period");
    assert_one(&check(exemption("E", "2026-11-01", json!({})), &charged), "end the premium first");
}

#[test]
fn a_premium_ends_only_where_one_runs() {
    let end = json!({"kind": "premium_end", "account": "1", "premium": "second_home", "last_day": "2026-10-31"});
    assert_one(&check(end.clone(), &ct()), "has no second_home premium running on 2026-10-31");
    let mut state = ct();
    apply(premium("second_home", "2026-04-01", None), &mut state);
    apply(end, &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-10-31")));
}

#[test]
fn the_disabled_band_reduction_needs_a_band_a_feature_and_is_one_per_dwelling() {
    let dbr = json!({"kind": "disabled_band_reduction", "account": "5000000001", "feature": "wheelchair space",
                     "from": "2026-11-01"});
    assert_one(&check(dbr.clone(), &ct()), "account 5000000001's property has no band");
    let mut state = ct();
    state.property.band = Some(postroom_charges::Band::C);
    apply(dbr.clone(), &mut state);
    assert_eq!(state.adjustments[0].code, "disabled_band_reduction");
    assert_eq!(state.adjustments[0].details, json!({"feature": "wheelchair space"}));
    assert_one(&check(dbr.clone(), &state), "only one per dwelling");
    let mut featureless = dbr;
    featureless["feature"] = json!("");
    state.adjustments.clear();
    assert_one(&check(featureless, &state), "feature must not be empty");
    assert!(
        check(
            json!({"kind": "disabled_band_reduction", "account": "1", "feature": "room", "from": "2026-11-01"}),
            &br()
        )[0]
        .contains("applies to Council Tax only")
    );
}

#[test]
fn the_disabled_band_reduction_ends_only_while_it_runs() {
    let end = json!({"kind": "disabled_band_reduction_end", "account": "1", "last_day": "2026-12-31"});
    assert_one(&check(end.clone(), &ct()), "has no disabled band reduction running on 2026-12-31");
    let mut state = ct();
    state.property.band = Some(postroom_charges::Band::A);
    apply(
        json!({"kind": "disabled_band_reduction", "account": "1", "feature": "room", "from": "2026-11-01"}),
        &mut state,
    );
    apply(end, &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-12-31")));
}

#[test]
fn backdated_exemptions_and_reductions_need_approval() {
    let policy = ApprovalPolicy::default();
    let old = parse_one(exemption("E", "2026-09-01", json!({})));
    assert_eq!(old.approval_reason(&policy, d(TODAY)).unwrap(), "the exemption is backdated 83 days (more than 28)");
    assert_eq!(parse_one(exemption("E", "2026-11-01", json!({}))).approval_reason(&policy, d(TODAY)), None);
    let dbr =
        parse_one(json!({"kind": "disabled_band_reduction", "account": "1", "feature": "room", "from": "2026-04-01"}));
    assert!(dbr.approval_reason(&policy, d(TODAY)).unwrap().contains("disabled band reduction is backdated 236 days"));
}

use super::*;

fn hold(reason: &str, from: &str, to: Option<&str>) -> serde_json::Value {
    json!({"kind": "recovery_hold", "account": "5000000001", "reason": reason, "from": from, "to": to})
}

fn release(reason: &str, last_day: Option<&str>, treatment_ended_on: Option<&str>) -> serde_json::Value {
    json!({"kind": "recovery_release", "account": "5000000001", "reason": reason, "last_day": last_day,
           "treatment_ended_on": treatment_ended_on})
}

#[test]
fn the_instalment_plan_is_10_or_12_and_changes() {
    let mut state = ct();
    apply(json!({"kind": "instalment_plan", "account": "1", "instalments": 12}), &mut state);
    assert_eq!(state.instalments, 12);
    assert_one(
        &check(json!({"kind": "instalment_plan", "account": "1", "instalments": 12}), &state),
        "already pays in 12",
    );
    assert_one(
        &check(json!({"kind": "instalment_plan", "account": "1", "instalments": 11}), &state),
        "must be 10 or 12, not 11",
    );
}

#[test]
fn a_payment_arrangement_records_its_frequency_and_amount() {
    let mut state = ct();
    let arrangement = json!({"kind": "payment_arrangement", "account": "1", "amount_pence": 2500, "frequency": "weekly",
                             "first_payment": "2026-11-27", "last_payment": "2027-03-26"});
    apply(arrangement.clone(), &mut state);
    let mut expected = Adjustment::new(category::ARRANGEMENT, "weekly", d("2026-11-27"), Some(d("2027-03-26")));
    expected.details = json!({"amount_pence": 2500});
    assert_eq!(state.adjustments, vec![expected]);
    assert_one(&check(arrangement, &state), "already has a weekly arrangement from 2026-11-27 (to 2027-03-26)");
}

#[test]
fn a_payment_arrangement_is_positive_in_order_and_within_five_years() {
    let with = |amount: i64, first: &str, last: &str| {
        check(
            json!({"kind": "payment_arrangement", "account": "1", "amount_pence": amount, "frequency": "monthly",
                   "first_payment": first, "last_payment": last}),
            &ct(),
        )
    };
    assert_one(&with(0, "2026-12-01", "2027-03-01"), "amount_pence must be more than zero");
    assert_one(&with(1000, "2027-03-01", "2026-12-01"), "first_payment is after last_payment");
    assert_one(
        &with(1000, "2026-12-01", "2031-12-01"),
        "at most 5 years: last_payment must be on or before 2031-11-23",
    );
    assert!(with(1000, "2026-12-01", "2031-11-01").is_empty());
}

#[test]
fn breathing_space_lasts_sixty_days_and_a_dro_twelve_months() {
    let mut state = ct();
    apply(hold("breathing_space", "2026-11-23", None), &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2027-01-21")));
    let long = check(hold("breathing_space", "2026-11-23", Some("2027-01-22")), &ct());
    assert_one(&long, "a breathing_space hold lasts 60 days: to must be on or before 2027-01-21");
    assert!(check(hold("breathing_space", "2026-11-23", Some("2027-01-01")), &ct()).is_empty());
    let mut dro = ct();
    apply(hold("debt_relief_order", "2026-11-01", None), &mut dro);
    assert_eq!(dro.adjustments[0].to, Some(d("2027-10-31")));
    let mut crisis = ct();
    apply(hold("mental_health_crisis", "2026-11-01", None), &mut crisis);
    assert_eq!(crisis.adjustments[0].to, None, "runs until released");
}

#[test]
fn holds_of_one_reason_do_not_overlap_and_start_soon() {
    let mut state = ct();
    apply(hold("dispute", "2026-10-01", None), &mut state);
    assert_one(
        &check(hold("dispute", "2026-11-01", None), &state),
        "already has a dispute hold from 2026-10-01 (open-ended)",
    );
    assert!(check(hold("iva", "2026-11-01", None), &state).is_empty());
    assert_one(&check(hold("iva", "2026-12-24", None), &ct()), "from is more than 30 days ahead");
    assert_one(&check(hold("iva", "2026-11-01", Some("2026-10-01")), &ct()), "to is before from");
}

#[test]
fn a_crisis_moratorium_ends_thirty_days_after_treatment() {
    let mut state = ct();
    apply(hold("mental_health_crisis", "2026-10-01", None), &mut state);
    assert_one(&check(release("mental_health_crisis", Some("2026-12-01"), None), &state), "needs treatment_ended_on");
    let wrong = check(release("mental_health_crisis", Some("2026-12-01"), Some("2026-11-20")), &state);
    assert_one(&wrong, "last_day must be 2026-12-20");
    apply(release("mental_health_crisis", None, Some("2026-11-20")), &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-12-20")));
}

#[test]
fn a_release_needs_a_running_hold_and_a_last_day() {
    let mut state = ct();
    apply(hold("dispute", "2026-10-01", None), &mut state);
    assert_one(&check(release("dispute", None, None), &state), "releasing a dispute hold needs last_day");
    assert_one(
        &check(release("dispute", Some("2026-11-30"), Some("2026-11-20")), &state),
        "treatment_ended_on applies only",
    );
    assert_one(&check(release("iva", Some("2026-11-30"), None), &state), "has no iva hold running on 2026-11-30");
    apply(release("dispute", Some("2026-11-30"), None), &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-11-30")));
    assert_one(&check(release("dispute", Some("2026-11-30"), None), &state), "already ends on 2026-11-30");
}

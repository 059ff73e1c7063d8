//! Recovery stages in the statutory order and timing: SI 1992/613 regs 23, 33, 34, 35(2A) for
//! Council Tax; SI 1989/1058 regs 8 and 12 for Business Rates.

use super::*;

fn stage(stage: Option<&str>, on: Option<&str>, extra: serde_json::Value) -> serde_json::Value {
    let mut v = json!({"kind": "recovery_stage", "account": "5000000001", "stage": stage, "on": on});
    if let (Some(v), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

fn hold(reason: &str, from: &str, to: Option<&str>) -> serde_json::Value {
    json!({"kind": "recovery_hold", "account": "5000000001", "reason": reason, "from": from, "to": to})
}

/// An account that had a reminder on `on` (recorded by the change itself).
fn reminded(on: &str) -> AccountState {
    let mut state = ct();
    apply(stage(Some("reminder"), Some(on), json!({})), &mut state);
    state
}

#[test]
fn each_stage_is_recorded_with_its_date() {
    let state = reminded("2026-11-02");
    assert_eq!(state.recovery_stage, Some(RecoveryStage::Reminder));
    let mut expected = Adjustment::new(category::RECOVERY_NOTICE, "reminder", d("2026-11-02"), Some(d("2026-11-02")));
    assert_eq!(state.adjustments, vec![expected.clone()]);
    let mut summonsed = state.clone();
    apply(stage(Some("summons"), Some("2026-11-16"), json!({"sum_due_from": "2026-10-01"})), &mut summonsed);
    expected = Adjustment::new(category::RECOVERY_NOTICE, "summons", d("2026-11-16"), Some(d("2026-11-16")));
    expected.details = json!({"sum_due_from": "2026-10-01"});
    assert_eq!(summonsed.adjustments[1], expected);
    assert_one(
        &check(stage(Some("final_notice"), None, json!({})), &ct()),
        "on is required: the day the final_notice was issued",
    );
    assert_one(
        &check(stage(Some("final_notice"), Some("2026-11-24"), json!({})), &ct()),
        "on 2026-11-24 is in the future",
    );
    assert!(check(stage(None, None, json!({})), &state).is_empty(), "clearing needs no date");
}

/// SI 1992/613 reg 23(4): at most two reminders in a financial year; the second must be a
/// second_reminder, and after it a missed instalment goes to a final notice.
#[test]
fn council_tax_has_at_most_two_reminders_a_year_reg_23_4() {
    let mut state = reminded("2026-05-05");
    apply(stage(None, None, json!({})), &mut state);
    let again = check(stage(Some("reminder"), Some("2026-08-05"), json!({})), &state);
    assert_one(
        &again,
        "a reminder was issued on 2026-05-05 in 2026/27: the next is a second_reminder (SI 1992/613 reg 23(4))",
    );
    apply(stage(Some("second_reminder"), Some("2026-08-05"), json!({})), &mut state);
    apply(stage(None, None, json!({})), &mut state);
    let third = check(stage(Some("reminder"), Some("2026-11-05"), json!({})), &state);
    assert_one(
        &third,
        "2 reminders were issued in 2026/27 (2026-05-05 and 2026-08-05): no more that year (SI 1992/613 reg 23(4))",
    );
    assert!(third[0].contains("issue a final_notice (reg 33)"));
    assert!(check(stage(Some("final_notice"), Some("2026-11-05"), json!({})), &state).is_empty(), "reg 33");
    let second_again = check(stage(Some("second_reminder"), Some("2026-11-05"), json!({})), &state);
    assert_one(&second_again, "no more that year");
}

/// SI 1992/613 reg 23(4): a second reminder follows a first one in the same financial year.
#[test]
fn a_second_reminder_follows_a_first_in_the_same_year_reg_23_4() {
    let none = check(stage(Some("second_reminder"), Some("2026-11-20"), json!({})), &ct());
    assert_one(&none, "a second_reminder follows a first reminder in the same financial year (2026/27)");
    let last_year = reminded("2026-03-10");
    let stale = check(stage(Some("second_reminder"), Some("2026-04-20"), json!({})), &last_year);
    assert_one(&stale, "account 5000000001 has none (SI 1992/613 reg 23(4))");
    let mut imported = ct();
    imported.recovery_stage = Some(RecoveryStage::Reminder);
    assert!(check(stage(Some("second_reminder"), Some("2026-11-20"), json!({})), &imported).is_empty());
    let mut rates = br();
    let first = json!({"kind": "recovery_stage", "account": "1", "stage": "second_reminder", "on": "2026-11-20"});
    assert_one(
        &check(first, &rates),
        "a second_reminder follows a reminder: account 6000000001 is at no recovery stage (SI 1989/1058 reg 8)",
    );
    for on in ["2026-05-01", "2026-08-01"] {
        apply(json!({"kind": "recovery_stage", "account": "1", "stage": "reminder", "on": on}), &mut rates);
        apply(json!({"kind": "recovery_stage", "account": "1", "stage": null}), &mut rates);
    }
    let third = json!({"kind": "recovery_stage", "account": "1", "stage": "reminder", "on": "2026-11-20"});
    assert!(check(third, &rates).is_empty(), "no yearly limit for Business Rates (SI 1989/1058 reg 8)");
}

/// SI 1992/613 regs 23(3), 33 and 34(1): a summons needs an unpaid reminder (7 days to pay, then
/// the balance due after a further 7: 14 days) or final notice (7 days).
#[test]
fn a_summons_follows_an_unpaid_reminder_or_final_notice_regs_23_33_34() {
    let due = json!({"sum_due_from": "2026-10-01"});
    let skipped = check(stage(Some("summons"), Some("2026-11-20"), due.clone()), &ct());
    assert_one(
        &skipped,
        "a summons needs an unpaid reminder or final notice first: account 5000000001 is at no recovery stage (SI 1992/613 regs 23, 33 and 34(1))",
    );
    let state = reminded("2026-11-02");
    let early = check(stage(Some("summons"), Some("2026-11-15"), due.clone()), &state);
    assert_one(
        &early,
        "a summons may be issued from 2026-11-16: the reminder of 2026-11-02 leaves 14 days to pay before the sum can be summonsed (SI 1992/613 reg 23(3))",
    );
    assert!(check(stage(Some("summons"), Some("2026-11-16"), due.clone()), &state).is_empty());
    let mut noticed = ct();
    apply(stage(Some("final_notice"), Some("2026-11-10"), json!({})), &mut noticed);
    let early = check(stage(Some("summons"), Some("2026-11-16"), due.clone()), &noticed);
    assert_one(
        &early,
        "from 2026-11-17: the final_notice of 2026-11-10 leaves 7 days to pay before the sum can be summonsed (SI 1992/613 reg 34(1))",
    );
    assert!(check(stage(Some("summons"), Some("2026-11-17"), due.clone()), &noticed).is_empty());
    let mut imported = ct();
    imported.recovery_stage = Some(RecoveryStage::FinalNotice);
    let unknown = check(stage(Some("summons"), Some("2026-11-17"), due.clone()), &imported);
    assert_one(
        &unknown,
        "give previous_on, the day the final_notice was issued: account 5000000001 has no record of it",
    );
    let mut given = due;
    given["previous_on"] = json!("2026-11-10");
    assert!(check(stage(Some("summons"), Some("2026-11-17"), given), &imported).is_empty());
}

/// SI 1992/613 reg 34(3), SI 1989/1058 reg 12(3): no application after the period of six years
/// beginning with the day the sum became due.
#[test]
fn no_summons_after_six_years_from_the_sum_falling_due_reg_34_3() {
    let mut state = ct();
    state.recovery_stage = Some(RecoveryStage::FinalNotice);
    let with = |due: Option<&str>| {
        let mut extra = json!({"previous_on": "2026-11-01"});
        if let Some(due) = due {
            extra["sum_due_from"] = json!(due);
        }
        stage(Some("summons"), Some("2026-11-20"), extra)
    };
    assert_one(
        &check(with(None), &state),
        "a summons needs sum_due_from, the day the oldest sum in it became due (six-year limit, SI 1992/613 reg 34(3))",
    );
    assert!(check(with(Some("2020-11-21")), &state).is_empty(), "the last day of the six years");
    assert_one(
        &check(with(Some("2020-11-20")), &state),
        "a sum due on 2020-11-20 could be summonsed until 2026-11-19 (SI 1992/613 reg 34(3))",
    );
    state.service = Service::BusinessRates;
    assert_one(&check(with(Some("2020-11-20")), &state), "(SI 1989/1058 reg 12(3))");
    state.service = Service::CouncilTax;
    let reminder = stage(Some("reminder"), Some("2026-11-20"), json!({"sum_due_from": "2026-10-01"}));
    assert!(check(reminder, &ct()).iter().any(|e| e == "sum_due_from applies only to a summons"));
}

/// SI 1992/613 reg 35(2A): no Council Tax liability order "unless 14 days have elapsed since the
/// day on which the summons was served" (served 2 November: 3-16 November elapse, the 17th is the
/// first day); Business Rates as `work.business_rates_liability_order_days` says (unverified for
/// NNDR, SI 1989/1058 reg 12).
#[test]
fn a_liability_order_comes_fourteen_days_after_the_summons_reg_35_2a() {
    let mut state = reminded("2026-10-01");
    apply(stage(Some("summons"), Some("2026-11-02"), json!({"sum_due_from": "2026-09-01"})), &mut state);
    let early = check(stage(Some("liability_order"), Some("2026-11-16"), json!({})), &state);
    assert_one(
        &early,
        "a liability order may be made from 2026-11-17: not until 14 days have passed since the day the summons was served, 2026-11-02 (SI 1992/613 reg 35(2A))",
    );
    assert!(check(stage(Some("liability_order"), Some("2026-11-17"), json!({})), &state).is_empty());
    let skipped = check(stage(Some("liability_order"), Some("2026-11-16"), json!({})), &reminded("2026-10-01"));
    assert_one(
        &skipped,
        "a liability order needs a summons first: account 5000000001 is at reminder (SI 1992/613 reg 34)",
    );

    let mut rates = br();
    rates.recovery_stage = Some(RecoveryStage::Summons);
    let order = json!({"kind": "recovery_stage", "account": "1", "stage": "liability_order", "on": "2026-11-10",
                       "previous_on": "2026-11-01"});
    let change = parse_one(order);
    assert_one(
        &change.validate(&rates, ctx()),
        "not until 14 days have passed since the day the summons was served, 2026-11-01 (work.business_rates_liability_order_days)",
    );
    let policy = ApprovalPolicy { business_rates_liability_order_days: 7, ..ApprovalPolicy::default() };
    assert!(change.validate_with(&rates, ctx(), &policy).is_empty());
}

/// Enforcement stages rest on a liability order; no stage advances while a recovery hold
/// (Breathing Space, crisis moratorium, DRO, bankruptcy, IVA) is in force: recovery stops on
/// notification.
#[test]
fn recovery_does_not_advance_while_held() {
    let mut state = reminded("2026-11-01");
    apply(hold("breathing_space", "2026-11-23", None), &mut state);
    let due = json!({"sum_due_from": "2026-10-01"});
    let summons = check(stage(Some("summons"), Some("2026-11-23"), due.clone()), &state);
    assert_eq!(summons, vec!["recovery is held (breathing_space until 2027-01-21): no further recovery action"]);
    let before = check(stage(Some("summons"), Some("2026-11-22"), due), &state);
    assert_one(&before, "recovery is held (breathing_space");
    assert!(check(stage(None, None, json!({})), &state).is_empty(), "clearing");
    for reason in ["mental_health_crisis", "debt_relief_order", "bankruptcy", "iva"] {
        let mut held = reminded("2026-11-01");
        apply(hold(reason, "2026-11-20", None), &mut held);
        let notice = check(stage(Some("final_notice"), Some("2026-11-21"), json!({})), &held);
        assert_one(&notice, &format!("recovery is held ({reason}"));
    }
    let mut open = ct();
    apply(hold("dispute", "2026-10-01", None), &mut open);
    let first = check(stage(Some("reminder"), Some("2026-11-20"), json!({})), &open);
    assert_one(&first, "recovery is held (dispute, open-ended)");
    apply(
        json!({"kind": "recovery_release", "account": "1", "reason": "dispute", "last_day": "2026-11-22",
               "treatment_ended_on": null}),
        &mut open,
    );
    apply(stage(Some("reminder"), Some("2026-11-23"), json!({})), &mut open);
    assert_eq!(open.recovery_stage, Some(RecoveryStage::Reminder));
}

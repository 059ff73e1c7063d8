use std::sync::LazyLock;

use chrono::NaiveDate;
use serde_json::json;

use postroom_domain::WorkingCalendar;

use super::*;
use crate::state::{Adjustment, RecoveryStage};

mod direct_debit;
mod history;
mod limits;
mod people;
mod premium_exceptions;
mod recovery;
mod recovery_stage;
mod reductions;
mod reliefs;
mod valuation;

static CALENDAR: LazyLock<WorkingCalendar> = LazyLock::new(WorkingCalendar::england_and_wales);

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A live Council Tax account with nothing on it.
fn ct() -> AccountState {
    AccountState::new("5000000001", Service::CouncilTax)
}

/// A live Business Rates account with nothing on it.
fn br() -> AccountState {
    AccountState::new("6000000001", Service::BusinessRates)
}

fn parse_one(v: serde_json::Value) -> Change {
    parse_changes(&[v]).unwrap().remove(0)
}

const TODAY: &str = "2026-11-23";

/// What a change is checked against on `TODAY`.
fn ctx() -> Context<'static> {
    Context { today: d(TODAY), calendar: &CALENDAR }
}

/// Parses `v` and validates it against `state` on `TODAY`.
fn check(v: serde_json::Value, state: &AccountState) -> Vec<String> {
    parse_one(v).validate(state, ctx())
}

/// Parses, validates (must be valid) and projects `v` onto `state`.
fn apply(v: serde_json::Value, state: &mut AccountState) {
    let change = parse_one(v);
    let errors = change.validate(state, ctx());
    assert!(errors.is_empty(), "{errors:?}");
    change.project(state);
}

/// Asserts exactly one error, containing `part`.
#[track_caller]
fn assert_one(errors: &[String], part: &str) {
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(part), "{:?} does not contain {part:?}", errors[0]);
}

#[test]
fn every_bad_change_is_reported_with_its_position() {
    let errors = parse_changes(&[
        json!({"kind": "note", "account": "1", "text": "ok"}),
        json!({"account": "1"}),
        json!({"kind": "teleport", "account": "1"}),
        json!({"kind": "note", "account": "1"}),
        json!({"kind": "note", "account": "1", "text": "x", "colour": "red"}),
        json!({"kind": "move_in", "account": "1"}),
    ])
    .unwrap_err();
    let at: Vec<usize> = errors.iter().map(|e| e.index).collect();
    assert_eq!(at, vec![1, 2, 3, 4, 5]);
    let fields: Vec<String> = errors.iter().map(ChangeError::path).collect();
    assert_eq!(
        fields,
        ["changes[1].kind", "changes[2].kind", "changes[3].text", "changes[4].colour", "changes[5].name"]
    );
    assert!(errors[0].message.starts_with("kind: required; one of move_in, move_out,"), "{}", errors[0].message);
    assert!(errors[1].message.contains("\"teleport\" is not a kind of account change"), "{}", errors[1].message);
    assert!(errors[1].message.contains(ChangeKind::NAMES), "lists every kind: {}", errors[1].message);
    assert_eq!(errors[2].message, "text: required");
    assert_eq!(errors[3].message, "colour: unknown field; accepted fields: account, text");
    assert_eq!(errors[4].message, "name: required");
}

#[test]
fn a_note_needs_text() {
    let ok = parse_one(json!({"kind": "note", "account": "5000000001", "text": "Called the customer"}));
    assert_eq!(ok.kind(), ChangeKind::Note);
    assert!(ok.validate(&ct(), ctx()).is_empty());
    let blank = parse_one(json!({"kind": "note", "account": "5000000001", "text": "  "}));
    assert_eq!(blank.validate(&ct(), ctx()), vec!["text must not be empty"]);
}

#[test]
fn a_discount_is_granted_once_per_period_on_council_tax_only() {
    let spd = parse_one(
        json!({"kind": "discount_grant", "account": "5000000001", "discount": "single_person", "from": "2026-11-01"}),
    );
    assert!(spd.validate(&ct(), ctx()).is_empty());

    let mut with_spd = ct();
    with_spd.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2026-04-01"), None));
    let errs = spd.validate(&with_spd, ctx());
    assert!(errs[0].contains("already has a single_person discount"), "{errs:?}");

    let mut rates = ct();
    rates.service = Service::BusinessRates;
    assert!(spd.validate(&rates, ctx())[0].contains("business rates"));

    let backwards = parse_one(
        json!({"kind": "discount_grant", "account": "5000000001", "discount": "all_disregarded", "from": "2026-11-01", "to": "2026-10-01"}),
    );
    assert_eq!(backwards.validate(&ct(), ctx()), vec!["to is before from"]);
}

#[test]
fn class_d_lasts_at_most_twelve_months() {
    let open = parse_one(
        json!({"kind": "discount_grant", "account": "5000000001", "discount": "class_d", "from": "2026-06-01"}),
    );
    assert!(open.validate(&ct(), ctx())[0].contains("12 months"));
    let long = parse_one(
        json!({"kind": "discount_grant", "account": "5000000001", "discount": "class_d", "from": "2026-06-01", "to": "2027-06-01"}),
    );
    assert!(long.validate(&ct(), ctx())[0].contains("2027-05-31"));
    let year = parse_one(
        json!({"kind": "discount_grant", "account": "5000000001", "discount": "class_d", "from": "2026-06-01", "to": "2027-05-31"}),
    );
    assert!(year.validate(&ct(), ctx()).is_empty());
}

#[test]
fn backdating_beyond_the_policy_and_money_changes_need_approval() {
    let policy = ApprovalPolicy::default();
    let recent =
        parse_one(json!({"kind": "discount_grant", "account": "1", "discount": "single_person", "from": "2026-11-01"}));
    assert_eq!(recent.approval_reason(&policy, d(TODAY)), None);
    let old =
        parse_one(json!({"kind": "discount_grant", "account": "1", "discount": "single_person", "from": "2026-04-01"}));
    assert!(old.approval_reason(&policy, d(TODAY)).unwrap().contains("backdated 236 days"));
    let refund = parse_one(json!({"kind": "refund", "account": "1", "amount_pence": 12000, "reason": "overpaid"}));
    assert!(refund.approval_reason(&policy, d(TODAY)).unwrap().contains("refund"));
}

#[test]
fn a_discount_ends_only_where_one_runs() {
    let end = parse_one(
        json!({"kind": "discount_end", "account": "5000000001", "discount": "single_person", "last_day": "2026-10-31"}),
    );
    assert!(end.validate(&ct(), ctx())[0].contains("no single_person discount running on 2026-10-31"));
    let mut with_spd = ct();
    with_spd.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2026-04-01"), None));
    assert!(end.validate(&with_spd, ctx()).is_empty());
    with_spd.adjustments[0].to = Some(d("2026-10-31"));
    assert!(end.validate(&with_spd, ctx())[0].contains("already ends"));
}

#[test]
fn vulnerability_flags_change_something_and_give_a_reason() {
    let flag = parse_one(
        json!({"kind": "vulnerability_flag", "account": "1", "vulnerable": true, "reason": "told us of a crisis"}),
    );
    assert!(flag.validate(&ct(), ctx()).is_empty());
    let mut flagged = ct();
    flagged.vulnerable = true;
    assert!(flag.validate(&flagged, ctx())[0].contains("already marked"));
    let silent = parse_one(json!({"kind": "vulnerability_flag", "account": "1", "vulnerable": true, "reason": ""}));
    assert_eq!(silent.validate(&ct(), ctx()), vec!["reason must not be empty"]);
}

#[test]
fn attachment_of_earnings_is_not_a_business_rates_power() {
    let aoe = parse_one(
        json!({"kind": "recovery_stage", "account": "1", "stage": "attachment_of_earnings", "on": "2026-11-20"}),
    );
    let mut ordered = ct();
    ordered.recovery_stage = Some(RecoveryStage::LiabilityOrder);
    assert!(aoe.validate(&ordered, ctx()).is_empty());
    let mut rates = ordered.clone();
    rates.service = Service::BusinessRates;
    assert!(aoe.validate(&rates, ctx())[0].contains("not a recovery power"));
    // Every power after the liability order needs one.
    assert_eq!(
        aoe.validate(&ct(), ctx()),
        vec!["attachment_of_earnings needs a liability order first: account 5000000001 is at no recovery stage"]
    );
    let clear = parse_one(json!({"kind": "recovery_stage", "account": "1", "stage": null}));
    assert!(clear.validate(&ct(), ctx())[0].contains("already at that recovery stage"));
    assert!(parse_changes(&[json!({"kind": "recovery_stage", "account": "1", "stage": "gulag"})]).is_err());
}

#[test]
fn refunds_and_write_offs_are_positive_with_a_reason() {
    let refund = parse_one(json!({"kind": "refund", "account": "1", "amount_pence": 0, "reason": "overpaid"}));
    assert_eq!(refund.validate(&ct(), ctx()), vec!["amount_pence must be more than zero"]);
    let write_off = parse_one(json!({"kind": "write_off", "account": "1", "amount_pence": 5000, "reason": "bankrupt"}));
    assert_eq!(write_off.kind(), ChangeKind::WriteOff);
    assert!(write_off.validate(&ct(), ctx()).is_empty());
}

#[test]
fn a_discount_ended_in_the_same_completion_makes_room_for_another() {
    let mut state = ct();
    state.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2026-04-01"), None));
    let end = parse_one(
        json!({"kind": "discount_end", "account": "1", "discount": "single_person", "last_day": "2026-10-31"}),
    );
    let grant = parse_one(
        json!({"kind": "discount_grant", "account": "1", "discount": "all_disregarded", "from": "2026-11-01"}),
    );
    assert!(!grant.validate(&state, ctx()).is_empty(), "overlaps the open-ended SPD");
    assert!(end.validate(&state, ctx()).is_empty());
    end.project(&mut state);
    assert!(grant.validate(&state, ctx()).is_empty());
    grant.project(&mut state);
    assert!(!grant.validate(&state, ctx()).is_empty(), "now granted twice");
}

#[test]
fn a_closed_account_takes_only_notes_refunds_and_write_offs() {
    let mut closed = ct();
    closed.status = "closed".to_owned();
    let spd =
        parse_one(json!({"kind": "discount_grant", "account": "1", "discount": "single_person", "from": "2026-11-01"}));
    assert!(spd.validate(&closed, ctx())[0].contains("is closed"));
    let refund =
        parse_one(json!({"kind": "refund", "account": "1", "amount_pence": 100, "reason": "credit on closure"}));
    assert!(refund.validate(&closed, ctx()).is_empty());
}

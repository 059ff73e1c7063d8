//! Premium exceptions (SI 2024/1007, `domain.md` §1.5).

use super::*;
use crate::state::PartyState;

fn exception(class: &str, from: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut v = json!({"kind": "premium_exception", "account": "5000000001", "class": class, "from": from});
    if let (Some(v), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

/// SI 2024/1007: classes G (marketed for sale), H (marketed for let) and M (major repair) last
/// at most 12 months; the end is filled in when not given.
#[test]
fn classes_g_h_and_m_last_twelve_months_si_2024_1007() {
    for class in ["G", "H", "M"] {
        let mut state = ct();
        apply(exception(class, "2026-06-01", json!({})), &mut state);
        assert_eq!(state.adjustments[0].category, category::PREMIUM_EXCEPTION);
        assert_eq!(state.adjustments[0].to, Some(d("2027-05-31")), "{class}");
        let long = check(exception(class, "2026-06-01", json!({"to": "2027-06-01"})), &ct());
        assert_one(&long, "lasts at most 12 months from from (SI 2024/1007): to must be on or before 2027-05-31");
    }
    let mut open = ct();
    apply(exception("E", "2026-06-01", json!({})), &mut open);
    assert_eq!(open.adjustments[0].to, None, "class E has no time limit");
}

/// SI 2024/1007 class I: 12 months from the grant of probate, and it needs the grant's date.
#[test]
fn class_i_runs_twelve_months_from_probate_si_2024_1007() {
    let mut state = ct();
    apply(exception("I", "2026-08-15", json!({"probate_granted_on": "2026-02-14"})), &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2027-02-13")));
    assert_eq!(state.adjustments[0].details, json!({"probate_granted_on": "2026-02-14"}));
    assert_one(&check(exception("I", "2026-08-15", json!({})), &ct()), "needs probate_granted_on");
    let before = check(exception("I", "2026-01-01", json!({"probate_granted_on": "2026-02-14"})), &ct());
    assert_one(&before, "starts on or after the grant of probate (2026-02-14)");
    let other = check(exception("E", "2026-08-15", json!({"probate_granted_on": "2026-02-14"})), &ct());
    assert_one(&other, "probate_granted_on applies only to class I");
}

/// SI 2024/1007 class G applies once per owner: a second period for the same liable owner is
/// refused, a new owner may have one.
#[test]
fn class_g_is_once_per_owner_si_2024_1007() {
    let mut state = ct();
    state.parties.push(PartyState {
        name: "Jane Doe".to_owned(),
        role: "liable".to_owned(),
        liable_from: Some(d("2020-01-01")),
        liable_to: Some(d("2026-12-31")),
        email: None,
        phone: None,
        postal_address: None,
        preferred_channel: None,
        forwarding_address: None,
    });
    apply(exception("G", "2025-06-01", json!({})), &mut state);
    assert_eq!(state.adjustments[0].details, json!({"owner": "jane doe"}));
    let again = check(exception("G", "2026-07-01", json!({})), &state);
    assert_one(&again, "class G (marketed for sale) applies once per owner (SI 2024/1007)");
    let mut buyer = state.parties[0].clone();
    buyer.name = "Sam Buyer".to_owned();
    buyer.liable_from = Some(d("2027-01-01"));
    buyer.liable_to = None;
    state.parties.push(buyer);
    assert!(check(exception("G", "2027-01-01", json!({})), &state).is_empty());
}

/// SI 2024/1007 applies from the 2025/26 year; an exception ends only where one runs and the
/// change is for Council Tax only.
#[test]
fn exceptions_start_from_april_2025_and_end_where_one_runs() {
    assert_one(&check(exception("E", "2025-03-31", json!({})), &ct()), "apply from 2025-04-01 (SI 2024/1007)");
    let end = json!({"kind": "premium_exception_end", "account": "1", "class": "J", "last_day": "2026-12-31"});
    assert_one(&check(end.clone(), &ct()), "has no class J premium exception running on 2026-12-31");
    let mut state = ct();
    apply(exception("J", "2026-04-01", json!({})), &mut state);
    assert_one(&check(exception("J", "2026-05-01", json!({})), &state), "already has a class J premium exception");
    apply(end, &mut state);
    assert_eq!(state.adjustments[0].to, Some(d("2026-12-31")));
    let rates = check(exception("E", "2026-04-01", json!({})), &br());
    assert_eq!(rates, vec!["account 6000000001 is business rates: premium_exception applies to Council Tax only"]);
    assert!(parse_changes(&[exception("N", "2026-04-01", json!({}))]).is_err(), "only E to M");
}

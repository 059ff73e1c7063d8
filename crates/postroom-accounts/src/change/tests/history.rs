//! What history records before and after each change, and the projection invariant the database
//! layer relies on.

use postroom_charges::Band;

use super::*;

/// A Council Tax account with one of everything.
fn busy() -> AccountState {
    let mut state = ct();
    state.property.band = Some(Band::D);
    for change in [
        json!({"kind": "move_in", "account": "1", "name": "Jane Smith", "from": "2025-04-01", "email": "jane@example.org"}),
        json!({"kind": "discount_grant", "account": "1", "discount": "single_person", "from": "2025-04-01"}),
        json!({"kind": "disabled_band_reduction", "account": "1", "feature": "ramp", "from": "2025-04-01"}),
        json!({"kind": "direct_debit_setup", "account": "1", "payer_name": "J SMITH", "sort_code": "123456",
               "account_number": "12345678", "collection_day": 7, "first_collection": "2026-12-07"}),
    ] {
        apply(change, &mut state);
    }
    state
}

#[test]
fn each_section_shows_its_part_of_the_account() {
    let state = busy();
    let parties = state.show(Section::Parties);
    assert_eq!(parties[0]["name"], "Jane Smith");
    assert_eq!(parties[0]["role"], "liable");
    assert_eq!(parties[0]["liable_from"], "2025-04-01");
    assert_eq!(parties[0]["email"], "jane@example.org");
    assert!(parties[0].get("forwarding_address").is_some());
    assert_eq!(
        state.show(Section::Adjustments(category::DISCOUNT)),
        json!([{"code": "single_person", "from": "2025-04-01", "to": null}])
    );
    assert_eq!(
        state.show(Section::Adjustments(category::DISABLED_BAND_REDUCTION)),
        json!([{"code": "disabled_band_reduction", "from": "2025-04-01", "to": null, "details": {"feature": "ramp"}}])
    );
    assert_eq!(state.show(Section::Adjustments(category::PREMIUM)), json!([]));
    assert_eq!(state.show(Section::Property), json!({"band": "D", "rateable_value": null}));
    assert_eq!(state.show(Section::Instalments), json!({"instalments": 10}));
    assert_eq!(state.show(Section::RecoveryStage), json!({"recovery_stage": null}));
    assert_eq!(state.show(Section::Vulnerability), json!({"vulnerable": false}));
    assert_eq!(state.show(Section::Note), serde_json::Value::Null);
    assert_eq!(state.show(Section::Money), serde_json::Value::Null);
}

#[test]
fn the_mandate_is_shown_with_its_account_number_masked() {
    let shown = busy().show(Section::Mandate);
    assert_eq!(shown["account_number"], "******78");
    assert_eq!(shown["status"], "pending");
    assert!(!shown.to_string().contains("12345678"));
    assert_eq!(ct().show(Section::Mandate), serde_json::Value::Null);
}

#[test]
fn a_change_is_shown_with_its_bank_account_number_masked() {
    let setup = parse_one(json!({"kind": "direct_debit_setup", "account": "1", "payer_name": "J DOE",
        "sort_code": "200000", "account_number": "55779911", "collection_day": 1, "first_collection": "2027-01-01"}));
    let shown = setup.shown();
    assert_eq!(shown["account_number"], "******11");
    assert_eq!(shown["kind"], "direct_debit_setup");
    let note = parse_one(json!({"kind": "note", "account": "1", "text": "55779911"}));
    assert_eq!(note.shown()["text"], "55779911", "only the account number field is masked");
}

#[test]
fn each_kind_touches_its_section() {
    let cases = [
        (json!({"kind": "note", "account": "1", "text": "x"}), Section::Note),
        (
            json!({"kind": "move_out", "account": "1", "name": "x", "last_day": "2026-01-01", "forwarding_address": "x"}),
            Section::Parties,
        ),
        (
            json!({"kind": "exemption_end", "account": "1", "class": "F", "last_day": "2026-01-01"}),
            Section::Adjustments(category::EXEMPTION),
        ),
        (
            json!({"kind": "relief_end", "account": "1", "relief": "charitable", "last_day": "2026-01-01"}),
            Section::Adjustments(category::RELIEF),
        ),
        (
            json!({"kind": "band_change", "account": "1", "band": "c", "effective_from": "2026-01-01", "list_altered_on": "2026-01-01"}),
            Section::Property,
        ),
        (json!({"kind": "direct_debit_cancel", "account": "1", "reason": "x"}), Section::Mandate),
        (json!({"kind": "instalment_plan", "account": "1", "instalments": 12}), Section::Instalments),
        (
            json!({"kind": "recovery_hold", "account": "1", "reason": "iva", "from": "2026-01-01"}),
            Section::Adjustments(category::RECOVERY_HOLD),
        ),
        (
            json!({"kind": "payment_arrangement", "account": "1", "amount_pence": 1, "frequency": "weekly", "first_payment": "2026-01-01", "last_payment": "2026-02-01"}),
            Section::Adjustments(category::ARRANGEMENT),
        ),
        (
            json!({"kind": "third_party_authority_end", "account": "1", "name": "x", "last_day": "2026-01-01"}),
            Section::Adjustments(category::THIRD_PARTY_AUTHORITY),
        ),
        (json!({"kind": "recovery_stage", "account": "1", "stage": null}), Section::RecoveryStage),
        (
            json!({"kind": "vulnerability_flag", "account": "1", "vulnerable": true, "reason": "x"}),
            Section::Vulnerability,
        ),
        (json!({"kind": "write_off", "account": "1", "amount_pence": 1, "reason": "x"}), Section::Money),
    ];
    for (v, section) in cases {
        assert_eq!(parse_one(v.clone()).section(), section, "{v}");
    }
}

#[test]
fn projection_only_appends_to_or_edits_parties_and_adjustments_in_place() {
    let mut state = busy();
    let before = state.clone();
    for change in [
        json!({"kind": "discount_end", "account": "1", "discount": "single_person", "last_day": "2026-10-31"}),
        json!({"kind": "move_out", "account": "1", "name": "Jane Smith", "last_day": "2026-10-31", "forwarding_address": "x"}),
        json!({"kind": "move_in", "account": "1", "name": "Bob Jones", "from": "2026-11-01"}),
        json!({"kind": "band_change", "account": "1", "band": "c", "effective_from": "2026-11-01", "list_altered_on": "2026-11-02"}),
        json!({"kind": "disabled_band_reduction_end", "account": "1", "last_day": "2026-10-31"}),
    ] {
        apply(change, &mut state);
    }
    assert_eq!(state.parties.len(), 2);
    assert_eq!(state.parties[0].name, before.parties[0].name, "edited in place, not moved");
    assert_eq!(state.parties[0].liable_to, Some(d("2026-10-31")));
    assert_eq!(state.adjustments.len(), before.adjustments.len() + 1);
    for (now, was) in state.adjustments.iter().zip(&before.adjustments) {
        assert_eq!((&now.category, &now.code, now.from), (&was.category, &was.code, was.from));
    }
    assert_eq!(state.adjustments.last().unwrap().code, "band:C");
}

#[test]
fn a_closed_account_and_the_wrong_service_are_refused_by_name() {
    let mut closed = busy();
    closed.status = "closed".to_owned();
    let errors = check(json!({"kind": "instalment_plan", "account": "1", "instalments": 12}), &closed);
    assert_eq!(errors, vec!["account 5000000001 is closed: only notes, refunds and write-offs apply"]);
    let premium =
        check(json!({"kind": "premium", "account": "1", "premium": "second_home", "from": "2026-04-01"}), &br());
    assert_eq!(premium, vec!["account 6000000001 is business rates: premium applies to Council Tax only"]);
    let rv = check(
        json!({"kind": "rateable_value_change", "account": "1", "rateable_value": 1, "effective_from": "2026-01-01", "list_altered_on": "2026-01-01"}),
        &ct(),
    );
    assert_eq!(rv, vec!["account 5000000001 is council tax: rateable_value_change applies to Business Rates only"]);
}

//! The bounds on what a change may carry (money, text) and the messages that say which field is
//! wrong and what it allows.

use super::*;

fn refund(amount: serde_json::Value) -> serde_json::Value {
    json!({"kind": "refund", "account": "5000000001", "amount_pence": amount, "reason": "overpaid"})
}

/// The one parse error of `v`.
#[track_caller]
fn parse_error(v: serde_json::Value) -> ChangeError {
    let mut errors = parse_changes(&[v]).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

fn policy(kinds: Vec<ChangeKind>, amount_pence: i64, max_amount_pence: i64) -> ApprovalPolicy {
    ApprovalPolicy { kinds, amount_pence, max_amount_pence, ..ApprovalPolicy::default() }
}

#[test]
fn an_amount_beyond_a_whole_number_of_pence_is_refused_naming_the_field() {
    for (amount, got) in [
        (json!(9_223_372_036_854_775_808_u64), "integer `9223372036854775808`"),
        (json!(120.5), "floating point `120.5`"),
        (json!("100"), "string \"100\""),
    ] {
        let e = parse_error(refund(amount));
        assert_eq!(e.path(), "changes[0].amount_pence");
        assert_eq!(e.problem(), format!("must be a whole number of pence, e.g. 12050 for £120.50, not {got}"));
        assert_eq!(
            e.message,
            format!("amount_pence: must be a whole number of pence, e.g. 12050 for £120.50, not {got}")
        );
    }
}

#[test]
fn no_change_carries_more_than_the_ceiling() {
    let huge = parse_one(refund(json!(i64::MAX)));
    assert_one(&huge.validate(&ct(), ctx()), "amount_pence must be at most 1000000000 (£10,000,000.00)");
    let at_ceiling = parse_one(refund(json!(ApprovalPolicy::DEFAULT_MAX_AMOUNT_PENCE)));
    assert!(at_ceiling.validate(&ct(), ctx()).is_empty());

    // The configured ceiling, for write-offs and payment arrangements too.
    let low = policy(Vec::new(), 1_000, 5_000);
    let write_off = parse_one(json!({"kind": "write_off", "account": "1", "amount_pence": 5_001, "reason": "gone"}));
    assert_one(&write_off.validate_with(&ct(), ctx(), &low), "amount_pence must be at most 5000 (£50.00), not 5001");
    assert!(write_off.validate(&ct(), ctx()).is_empty(), "within the default ceiling");
    let arrangement = parse_one(json!({"kind": "payment_arrangement", "account": "1", "amount_pence": 5_001,
        "frequency": "monthly", "first_payment": "2026-12-01", "last_payment": "2027-03-01"}));
    assert_eq!(arrangement.amount_pence(), Some(5_001));
    assert!(
        arrangement.validate_with(&ct(), ctx(), &low).iter().any(|e| e.contains("amount_pence must be at most 5000")),
        "{:?}",
        arrangement.validate_with(&ct(), ctx(), &low)
    );
}

#[test]
fn zero_and_negative_amounts_are_refused() {
    for amount in [0, -1, i64::MIN] {
        assert_one(&parse_one(refund(json!(amount))).validate(&ct(), ctx()), "amount_pence must be more than zero");
        let arrangement = parse_one(json!({"kind": "payment_arrangement", "account": "1", "amount_pence": amount,
            "frequency": "monthly", "first_payment": "2026-12-01", "last_payment": "2027-03-01"}));
        let errors = arrangement.validate(&ct(), ctx());
        assert!(errors.iter().any(|e| e == "amount_pence must be more than zero"), "{errors:?}");
    }
}

#[test]
fn refunds_and_write_offs_above_the_approval_amount_need_approval_whatever_the_kinds() {
    let none = policy(Vec::new(), 100_000, 1_000_000_000);
    let today = d(TODAY);
    let small = parse_one(refund(json!(100_000)));
    assert_eq!(small.approval_reason(&none, today), None, "at the amount, not above it");
    assert_eq!(small.approval_reason_for(&ct(), &none, today), None);
    let large = parse_one(refund(json!(100_001)));
    let reason = large.approval_reason_for(&ct(), &none, today).unwrap();
    assert_eq!(reason, "a refund of £1,000.01 is more than £1,000.00, the most an officer may make alone");
    assert_eq!(large.approval_reason(&none, today), Some(reason));
    let write_off =
        parse_one(json!({"kind": "write_off", "account": "1", "amount_pence": 250_000, "reason": "insolvent"}));
    assert!(write_off.approval_reason(&none, today).unwrap().starts_with("a write-off of £2,500.00 is more than"));
    // A payment arrangement is not a refund: no threshold.
    let arrangement = parse_one(json!({"kind": "payment_arrangement", "account": "1", "amount_pence": 500_000,
        "frequency": "monthly", "first_payment": "2026-12-01", "last_payment": "2027-03-01"}));
    assert_eq!(arrangement.approval_reason(&none, today), None);
    // Listed kinds still say so, whatever the amount.
    let listed = policy(vec![ChangeKind::Refund], 100_000, 1_000_000_000);
    assert_eq!(small.approval_reason(&listed, today).unwrap(), "refund changes need approval");
}

#[test]
fn every_text_field_is_bounded_and_the_error_names_it() {
    let long = |n: usize| "x".repeat(n);
    let cases = [
        (json!({"kind": "note", "account": "1", "text": long(MAX_TEXT + 1)}), "text", MAX_TEXT),
        (refund(json!(100)).tap(|v| v["reason"] = json!(long(MAX_TEXT + 1))), "reason", MAX_TEXT),
        (json!({"kind": "note", "account": long(65), "text": "x"}), "account", 64),
        (
            json!({"kind": "move_in", "account": "1", "name": long(MAX_NAME + 1), "from": "2026-11-01"}),
            "name",
            MAX_NAME,
        ),
        (
            json!({"kind": "move_in", "account": "1", "name": "A", "from": "2026-11-01",
                "email": format!("{}@example.org", long(250))}),
            "email",
            254,
        ),
        (json!({"kind": "move_in", "account": "1", "name": "A", "from": "2026-11-01", "phone": long(65)}), "phone", 64),
        (
            json!({"kind": "move_out", "account": "1", "name": "A", "last_day": "2026-11-01",
                "forwarding_address": long(MAX_TEXT + 1)}),
            "forwarding_address",
            MAX_TEXT,
        ),
        (json!({"kind": "name_contact_update", "account": "1", "party": long(MAX_NAME + 1)}), "party", MAX_NAME),
        (
            json!({"kind": "third_party_authority_end", "account": "1", "name": long(MAX_NAME + 1),
                "last_day": "2026-11-01"}),
            "name",
            MAX_NAME,
        ),
        (
            json!({"kind": "direct_debit_amend", "account": "1", "payer_name": long(MAX_NAME + 1)}),
            "payer_name",
            MAX_NAME,
        ),
        (
            json!({"kind": "direct_debit_cancel", "account": "1", "reason": "closed",
                "advice": {"report": "addacs", "code": long(65)}}),
            "advice.code",
            64,
        ),
        (
            json!({"kind": "disabled_band_reduction", "account": "1", "feature": long(MAX_TEXT + 1),
                "from": "2026-11-01"}),
            "feature",
            MAX_TEXT,
        ),
    ];
    for (change, field, max) in cases {
        let e = parse_error(change);
        assert_eq!(e.path(), format!("changes[0].{field}"));
        assert!(
            e.message.starts_with(&format!("{field}: must be at most {max} characters (this has ")),
            "{}",
            e.message
        );
    }
    // At the limit is fine.
    assert!(parse_changes(&[json!({"kind": "note", "account": "1", "text": long(MAX_TEXT)})]).is_ok());
}

#[test]
fn a_bad_date_names_its_field_and_the_format() {
    for from in [json!("2026-02-30"), json!("1/11/2026"), json!("2026-11-01T00:00:00Z")] {
        let e = parse_error(json!({"kind": "move_in", "account": "1", "name": "A", "from": from}));
        assert_eq!(e.path(), "changes[0].from");
        assert_eq!(e.message, "from: must be a date as YYYY-MM-DD (e.g. 2026-04-01)");
    }
    let e = parse_error(json!({"kind": "discount_end", "account": "1", "discount": "single_person", "last_day": 5}));
    assert_eq!(e.message, "last_day: must be a date as YYYY-MM-DD (e.g. 2026-04-01), not integer `5`");
}

#[test]
fn kinds_types_and_choices_say_what_is_allowed() {
    let e = parse_error(json!("note"));
    assert_eq!(e.path(), "changes[0]");
    assert_eq!(e.problem(), e.message);
    assert!(e.message.contains("one of move_in,"), "{}", e.message);
    let e = parse_error(json!({"kind": 7, "account": "1"}));
    assert!(e.message.starts_with("kind: must be a string, one of move_in,"), "{}", e.message);
    assert!(e.message.ends_with("not 7"), "{}", e.message);
    let e = parse_error(json!({"kind": "x".repeat(500), "account": "1"}));
    assert!(e.message.len() < ChangeKind::NAMES.len() + 200, "the input is not echoed whole: {}", e.message);
    let e = parse_error(json!({"kind": "vulnerability_flag", "account": "1", "vulnerable": "yes", "reason": "r"}));
    assert_eq!(e.message, "vulnerable: must be true or false, not string \"yes\"");
    let e = parse_error(json!({"kind": "discount_end", "account": "1", "discount": "bogus", "last_day": "2026-11-01"}));
    assert_eq!(e.path(), "changes[0].discount");
    assert!(e.message.starts_with("discount: must be one of single_person,"), "{}", e.message);
    assert!(e.message.ends_with(", not \"bogus\""), "{}", e.message);
    let e = parse_error(json!({"kind": "instalment_plan", "account": "1", "instalments": -1}));
    assert_eq!(e.message, "instalments: must be a whole number from 0 to 4294967295, not integer `-1`");
}

/// `let v = x.tap(|v| …)` for tweaking a JSON fixture in place.
trait Tap: Sized {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}
impl Tap for serde_json::Value {}

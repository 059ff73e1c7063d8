use super::*;
use crate::state::{Mandate, MandateStatus};

/// Ten working days after `TODAY` (Monday 23 November 2026).
const EARLIEST: &str = "2026-12-07";

fn setup() -> serde_json::Value {
    json!({"kind": "direct_debit_setup", "account": "5000000001", "payer_name": "J SMITH", "sort_code": "12-34-56",
           "account_number": "12345678", "collection_day": 7, "first_collection": EARLIEST})
}

fn with(mut v: serde_json::Value, field: &str, value: serde_json::Value) -> serde_json::Value {
    v[field] = value;
    v
}

/// An account whose Direct Debit has been lodged and is collecting.
fn collecting() -> AccountState {
    let mut state = ct();
    apply(setup(), &mut state);
    if let Some(m) = state.mandate.as_mut() {
        m.status = MandateStatus::Active;
        m.lodge.clear();
    }
    state
}

fn mandate(state: &AccountState) -> &Mandate {
    state.mandate.as_ref().unwrap()
}

fn amend(fields: serde_json::Value) -> serde_json::Value {
    let mut v = json!({"kind": "direct_debit_amend", "account": "5000000001"});
    if let serde_json::Value::Object(fields) = fields {
        v.as_object_mut().unwrap().extend(fields);
    }
    v
}

fn advice(report: &str, code: &str) -> serde_json::Value {
    json!({"report": report, "code": code})
}

fn cancel(advice: Option<serde_json::Value>) -> serde_json::Value {
    let mut v = json!({"kind": "direct_debit_cancel", "account": "5000000001", "reason": "customer asked"});
    v["advice"] = advice.unwrap_or_default();
    v
}

#[test]
fn ten_working_days_is_the_earliest_first_collection() {
    assert_eq!(CALENDAR.add_working_days(d(TODAY), 10), d(EARLIEST));
}

#[test]
fn a_set_up_lodges_a_new_instruction_with_a_reference_from_the_account() {
    let mut state = ct();
    apply(setup(), &mut state);
    assert_eq!(
        mandate(&state),
        &Mandate {
            reference: "PR5000000001".to_owned(),
            payer_name: "J SMITH".to_owned(),
            sort_code: "123456".to_owned(),
            account_number: "12345678".to_owned(),
            collection_day: 7,
            status: MandateStatus::Pending,
            lodge: vec!["0N".to_owned()],
        }
    );
    let mut given = ct();
    apply(with(setup(), "reference", json!("SMITH/1 HIGH ST")), &mut given);
    assert_eq!(mandate(&given).reference, "SMITH/1 HIGH ST");
}

#[test]
fn a_set_up_checks_the_bank_details_and_payer() {
    assert_one(&check(with(setup(), "sort_code", json!("12-34-5")), &ct()), "sort_code \"12-34-5\" must be 6 digits");
    assert!(check(with(setup(), "sort_code", json!("12 34 56")), &ct()).is_empty());
    assert_one(&check(with(setup(), "account_number", json!("1234567")), &ct()), "account_number must be 8 digits");
    assert_one(&check(with(setup(), "account_number", json!("1234567X")), &ct()), "account_number must be 8 digits");
    assert_one(&check(with(setup(), "payer_name", json!("")), &ct()), "payer_name must not be empty");
    let long = check(with(setup(), "payer_name", json!("JONATHAN SMITHERSON")), &ct());
    assert_one(&long, "payer_name is longer than 18 characters");
}

#[test]
fn a_reference_must_pass_the_bacs_rules() {
    for (reference, problem) in [
        ("AB123", "must be 6 to 18 characters"),
        ("ABCDEFGHIJ123456789", "must be 6 to 18 characters"),
        ("ab123456", "may hold only capital letters"),
        ("AB_123456", "may hold only capital letters"),
        ("-AB123456", "must start with a letter or digit"),
        ("AB123456 ", "must not end in a space"),
        ("AB1 - . /", "needs at least 6 letters or digits"),
        ("AAAAAAAA", "must not be all one character"),
        ("DDIC123456", "must not start with DDIC"),
    ] {
        let errors = check(with(setup(), "reference", json!(reference)), &ct());
        assert_one(&errors, problem);
        assert!(errors[0].starts_with("reference: Direct Debit reference"), "{errors:?}");
    }
    for fine in ["AB1234", "SMITH & SONS 12/34", "0123456789ABCDEFGH"] {
        assert_eq!(bacs_reference_problem(fine), None, "{fine}");
    }
    let mut odd = ct();
    "ab".clone_into(&mut odd.reference);
    assert_one(&check(setup(), &odd), "the reference made from the account reference");
}

#[test]
fn the_first_collection_gives_notice_and_falls_on_the_collection_day() {
    let early = check(with(with(setup(), "first_collection", json!("2026-12-04")), "collection_day", json!(4)), &ct());
    assert_one(&early, "first_collection must give 10 working days' advance notice: on or after 2026-12-07");
    assert_one(
        &check(with(setup(), "first_collection", json!("2026-12-08")), &ct()),
        "first_collection 2026-12-08 is not on collection_day 7",
    );
    let day = check(with(with(setup(), "collection_day", json!(29)), "first_collection", json!("2026-12-29")), &ct());
    assert_one(&day, "collection_day must be 1 to 28, not 29");
}

#[test]
fn a_set_up_is_refused_while_an_instruction_is_live() {
    for status in [MandateStatus::Pending, MandateStatus::Active, MandateStatus::Suspended, MandateStatus::Rejected] {
        let mut state = collecting();
        state.mandate.as_mut().unwrap().status = status;
        assert_one(&check(setup(), &state), "use direct_debit_amend");
    }
    let mut ended = collecting();
    apply(cancel(None), &mut ended);
    assert_one(&check(setup(), &ended), "cancellation (0C) of the previous Direct Debit");
    ended.mandate.as_mut().unwrap().lodge.clear();
    assert!(check(setup(), &ended).is_empty());
}

#[test]
fn new_bank_details_cancel_at_the_old_bank_and_lodge_a_new_instruction() {
    let mut state = collecting();
    apply(amend(json!({"sort_code": "65-43-21", "account_number": "87654321"})), &mut state);
    let m = mandate(&state);
    assert_eq!((m.sort_code.as_str(), m.account_number.as_str()), ("654321", "87654321"));
    assert_eq!((m.status, m.lodge.clone()), (MandateStatus::Pending, vec!["0C".to_owned(), "0N".to_owned()]));
    let mut unlodged = ct();
    apply(setup(), &mut unlodged);
    apply(amend(json!({"account_number": "87654321"})), &mut unlodged);
    assert_eq!(mandate(&unlodged).lodge, vec!["0N"], "the 0N not yet lodged carries the new details");
}

#[test]
fn an_amendment_changes_something_on_a_live_instruction() {
    assert_one(&check(amend(json!({"payer_name": "J JONES"})), &ct()), "has no Direct Debit to amend");
    let mut ended = collecting();
    apply(cancel(None), &mut ended);
    assert_one(&check(amend(json!({"payer_name": "J JONES"})), &ended), "is cancelled: use direct_debit_setup");
    assert_one(&check(amend(json!({})), &collecting()), "give at least one of payer_name");
    assert_one(&check(amend(json!({"sort_code": "123456"})), &collecting()), "nothing to change");
    assert_one(&check(amend(json!({"reference": "NEWREF123"})), &collecting()), "cannot be amended once lodged");
}

#[test]
fn a_new_collection_day_needs_notice_of_the_next_collection() {
    let bare = check(amend(json!({"collection_day": 15})), &collecting());
    assert_one(&bare, "a new collection_day needs next_collection");
    let wrong_day = check(amend(json!({"collection_day": 15, "next_collection": "2026-12-14"})), &collecting());
    assert_one(&wrong_day, "next_collection 2026-12-14 is not on collection_day 15");
    let soon = check(amend(json!({"collection_day": 1, "next_collection": "2026-12-01"})), &collecting());
    assert_one(&soon, "next_collection must give 10 working days' advance notice");
    let mut state = collecting();
    apply(amend(json!({"collection_day": 15, "next_collection": "2026-12-15"})), &mut state);
    assert_eq!((mandate(&state).collection_day, mandate(&state).status), (15, MandateStatus::Active));
    assert!(mandate(&state).lodge.is_empty());
}

#[test]
fn addacs_3_continues_on_new_details_without_a_0c_to_the_old_bank() {
    let mut moved = collecting();
    apply(
        amend(json!({"sort_code": "65-43-21", "account_number": "87654321", "advice": advice("addacs", "3")})),
        &mut moved,
    );
    assert_eq!(
        (mandate(&moved).status, mandate(&moved).lodge.clone()),
        (MandateStatus::Pending, vec!["0N".to_owned()])
    );
    let mut unknown = collecting();
    apply(amend(json!({"advice": advice("addacs", "3")})), &mut unknown);
    assert_eq!((mandate(&unknown).status, mandate(&unknown).lodge.len()), (MandateStatus::Suspended, 0));
    let half = check(amend(json!({"sort_code": "654321", "advice": advice("addacs", "3")})), &collecting());
    assert_one(&half, "ADDACS 3 with new details needs both sort_code and account_number");
    let mut later = unknown;
    apply(amend(json!({"sort_code": "65-43-21", "account_number": "87654321"})), &mut later);
    assert_eq!(mandate(&later).lodge, vec!["0N"], "a suspended instruction never gets a 0C");
}

#[test]
fn branch_transfers_and_amendments_update_the_details_and_continue() {
    for (report, code) in [("addacs", "C"), ("addacs", "e"), ("auddis", "C")] {
        let mut state = collecting();
        apply(amend(json!({"sort_code": "65-43-21", "advice": advice(report, code)})), &mut state);
        assert_eq!(mandate(&state).sort_code, "654321");
        assert_eq!(
            (mandate(&state).status, mandate(&state).lodge.len()),
            (MandateStatus::Active, 0),
            "{report} {code}"
        );
    }
    let empty = check(amend(json!({"advice": advice("addacs", "C")})), &collecting());
    assert_one(&empty, "give the new details from the advice");
}

#[test]
fn disputes_suspend_and_the_bank_can_reinstate() {
    for (report, code) in [("addacs", "D"), ("arudd", "4"), ("arudd", "3")] {
        let mut state = collecting();
        apply(amend(json!({"advice": advice(report, code)})), &mut state);
        assert_eq!(mandate(&state).status, MandateStatus::Suspended, "{report} {code}");
    }
    let extra = check(amend(json!({"payer_name": "J JONES", "advice": advice("addacs", "D")})), &collecting());
    assert_one(&extra, "ADDACS D (advance notice disputed) takes no payer_name");
    let mut state = collecting();
    apply(amend(json!({"advice": advice("addacs", "D")})), &mut state);
    apply(amend(json!({"advice": advice("addacs", "R")})), &mut state);
    assert_eq!(mandate(&state).status, MandateStatus::Active);
    assert_one(
        &check(amend(json!({"advice": advice("addacs", "R")})), &state),
        "reinstates a suspended or cancelled instruction: this one is active",
    );
    let mut ended = collecting();
    apply(cancel(None), &mut ended);
    apply(amend(json!({"advice": advice("addacs", "R")})), &mut ended);
    assert_eq!((mandate(&ended).status, mandate(&ended).lodge.len()), (MandateStatus::Active, 0), "0C withdrawn");
}

#[test]
fn a_suspended_instruction_resumes_with_fresh_notice() {
    let mut state = collecting();
    apply(amend(json!({"advice": advice("addacs", "D")})), &mut state);
    apply(amend(json!({"next_collection": "2026-12-07"})), &mut state);
    assert_eq!(mandate(&state).status, MandateStatus::Active);
}

#[test]
fn unpaid_collections_leave_the_instruction_alone() {
    for code in ["0", "5", "6", "7", "8", "9", "A"] {
        let mut state = collecting();
        let before = state.clone();
        apply(amend(json!({"advice": advice("arudd", code)})), &mut state);
        assert_eq!(state, before, "ARUDD {code}");
    }
}

#[test]
fn auddis_rejections_wait_for_corrections_then_lodge_again() {
    let mut state = ct();
    apply(setup(), &mut state);
    apply(amend(json!({"advice": advice("auddis", "5")})), &mut state);
    assert_eq!((mandate(&state).status, mandate(&state).lodge.len()), (MandateStatus::Rejected, 0));
    apply(amend(json!({"account_number": "87654321", "advice": advice("auddis", "L")})), &mut state);
    assert_eq!(
        (mandate(&state).status, mandate(&state).lodge.clone()),
        (MandateStatus::Pending, vec!["0N".to_owned()])
    );
    let mut rejected = ct();
    apply(setup(), &mut rejected);
    apply(amend(json!({"advice": advice("auddis", "H")})), &mut rejected);
    apply(amend(json!({"next_collection": "2026-12-07"})), &mut rejected);
    assert_eq!(
        (mandate(&rejected).status, mandate(&rejected).lodge.clone()),
        (MandateStatus::Pending, vec!["0N".to_owned()])
    );
}

#[test]
fn only_auddis_i_and_o_let_the_reference_be_replaced() {
    let mut state = ct();
    apply(setup(), &mut state);
    apply(amend(json!({"reference": "PR5000000001B", "advice": advice("auddis", "I")})), &mut state);
    assert_eq!(mandate(&state).reference, "PR5000000001B");
    assert_eq!(mandate(&state).lodge, vec!["0N"]);
    let same = check(amend(json!({"reference": "PR5000000001B", "advice": advice("auddis", "O")})), &state);
    assert_one(&same, "is the one AUDDIS rejected");
    let bad = check(amend(json!({"reference": "DDIC12345", "advice": advice("auddis", "O")})), &state);
    assert_one(&bad, "must not start with DDIC");
    let not_ref = check(amend(json!({"reference": "NEWREF123", "advice": advice("auddis", "5")})), &state);
    assert_one(&not_ref, "cannot be amended once lodged");
}

#[test]
fn advices_that_end_the_instruction_or_are_unknown_are_refused_on_amend() {
    let gone = check(amend(json!({"advice": advice("addacs", "1")})), &collecting());
    assert_eq!(
        gone,
        vec!["ADDACS 1 means the instruction was cancelled (instruction cancelled by payer): use direct_debit_cancel"]
    );
    for (report, code) in [
        ("addacs", "0"),
        ("addacs", "2"),
        ("addacs", "B"),
        ("arudd", "1"),
        ("arudd", "B"),
        ("auddis", "3"),
        ("auddis", "G"),
    ] {
        assert_one(&check(amend(json!({"advice": advice(report, code)})), &collecting()), "use direct_debit_cancel");
    }
    let unknown = check(amend(json!({"advice": advice("addacs", "Z")})), &collecting());
    assert_one(&unknown, "ADDACS has no reason code \"Z\": valid codes are 0, 1, 2, 3, B, C, D, E, R");
}

#[test]
fn a_cancellation_lodges_0c_unless_the_bank_already_cancelled() {
    let mut ours = collecting();
    apply(cancel(None), &mut ours);
    assert_eq!(
        (mandate(&ours).status, mandate(&ours).lodge.clone()),
        (MandateStatus::Cancelled, vec!["0C".to_owned()])
    );
    for (report, code) in [("addacs", "1"), ("addacs", "3"), ("arudd", "2"), ("auddis", "N")] {
        let mut state = collecting();
        apply(cancel(Some(advice(report, code))), &mut state);
        assert_eq!(
            (mandate(&state).status, mandate(&state).lodge.len()),
            (MandateStatus::Cancelled, 0),
            "{report} {code}"
        );
    }
    let mut never_lodged = ct();
    apply(setup(), &mut never_lodged);
    apply(cancel(None), &mut never_lodged);
    assert!(mandate(&never_lodged).lodge.is_empty(), "no 0C for an instruction never lodged");
    let mut switching = collecting();
    apply(amend(json!({"sort_code": "65-43-21", "account_number": "87654321"})), &mut switching);
    apply(cancel(None), &mut switching);
    assert_eq!(mandate(&switching).lodge, vec!["0C"], "the old bank's instruction is still cancelled");
}

#[test]
fn a_cancellation_needs_a_live_instruction_a_reason_and_a_cancelling_advice() {
    assert_one(&check(cancel(None), &ct()), "has no Direct Debit to cancel");
    let mut ended = collecting();
    apply(cancel(None), &mut ended);
    assert_one(&check(cancel(None), &ended), "is already cancelled");
    assert_one(&check(with(cancel(None), "reason", json!(" ")), &collecting()), "reason must not be empty");
    let branch = check(cancel(Some(advice("addacs", "C"))), &collecting());
    assert_one(
        &branch,
        "ADDACS C (account transferred to a different branch) does not cancel the instruction: use direct_debit_amend",
    );
    assert_one(&check(cancel(Some(advice("auddis", "9"))), &collecting()), "AUDDIS has no reason code \"9\"");
}

use super::*;
use crate::state::{ContactChannel, PartyState};

fn with_jane() -> AccountState {
    let mut state = ct();
    apply(
        json!({"kind": "move_in", "account": "5000000001", "name": "Jane Smith", "from": "2025-04-01",
               "postal_address": "1 High Street, Anytown AN1 1AA"}),
        &mut state,
    );
    state
}

#[test]
fn a_move_in_adds_a_liable_party_with_contact_details() {
    let mut state = ct();
    apply(
        json!({"kind": "move_in", "account": "5000000001", "name": " Jane Smith ", "from": "2026-11-01",
               "email": "jane@example.org", "phone": "+44 7700 900123", "preferred_channel": "email"}),
        &mut state,
    );
    assert_eq!(
        state.parties,
        vec![PartyState {
            name: "Jane Smith".to_owned(),
            role: "liable".to_owned(),
            liable_from: Some(d("2026-11-01")),
            liable_to: None,
            email: Some("jane@example.org".to_owned()),
            phone: Some("+44 7700 900123".to_owned()),
            postal_address: None,
            preferred_channel: Some(ContactChannel::Email),
            forwarding_address: None,
        }]
    );
}

#[test]
fn a_move_in_needs_a_name_a_near_date_and_no_duplicate_liability() {
    let blank = check(json!({"kind": "move_in", "account": "1", "name": " ", "from": "2026-11-01"}), &ct());
    assert_one(&blank, "name must not be empty");
    let far = check(json!({"kind": "move_in", "account": "1", "name": "Al", "from": "2027-12-01"}), &ct());
    assert_one(&far, "from is more than a year ahead");
    let twice =
        check(json!({"kind": "move_in", "account": "1", "name": "jane smith", "from": "2026-11-01"}), &with_jane());
    assert_one(&twice, "Jane Smith is already liable for account 5000000001 on 2026-11-01");
    let joint =
        check(json!({"kind": "move_in", "account": "1", "name": "John Smith", "from": "2026-11-01"}), &with_jane());
    assert!(joint.is_empty(), "{joint:?}");
}

#[test]
fn contact_details_must_look_right_and_the_preferred_channel_must_be_usable() {
    let bad_email = check(
        json!({"kind": "move_in", "account": "1", "name": "Al", "from": "2026-11-01", "email": "al@home"}),
        &ct(),
    );
    assert_one(&bad_email, "email \"al@home\" is not an email address");
    for email in ["al@@home.org", "@home.org", "al home@home.org", "al@.org", "al@home."] {
        assert!(!rules::looks_like_email(email), "{email}");
    }
    let bad_phone = check(
        json!({"kind": "move_in", "account": "1", "name": "Al", "from": "2026-11-01", "phone": "0121-496-0000"}),
        &ct(),
    );
    assert_one(&bad_phone, "phone \"0121-496-0000\" is not a phone number");
    assert!(!rules::looks_like_phone("12 34"), "too few digits");
    assert!(!rules::looks_like_phone("0121 +496 0000"), "+ only first");
    let no_email = check(
        json!({"kind": "move_in", "account": "1", "name": "Al", "from": "2026-11-01", "preferred_channel": "email"}),
        &ct(),
    );
    assert_one(&no_email, "preferred_channel email needs an email address");
    let post = check(
        json!({"kind": "move_in", "account": "1", "name": "Al", "from": "2026-11-01", "preferred_channel": "post"}),
        &ct(),
    );
    assert!(post.is_empty(), "{post:?}");
}

#[test]
fn a_move_out_ends_liability_and_records_the_forwarding_address() {
    let mut state = with_jane();
    apply(
        json!({"kind": "move_out", "account": "1", "name": "Jane Smith", "last_day": "2026-11-20",
               "forwarding_address": "2 Low Road, Othertown OT1 1AA"}),
        &mut state,
    );
    assert_eq!(state.parties[0].liable_to, Some(d("2026-11-20")));
    assert_eq!(state.parties[0].forwarding_address.as_deref(), Some("2 Low Road, Othertown OT1 1AA"));
    let again = check(
        json!({"kind": "move_out", "account": "1", "name": "Jane Smith", "last_day": "2026-11-20",
               "forwarding_address": "2 Low Road"}),
        &state,
    );
    assert_one(&again, "Jane Smith's liability already ends on 2026-11-20");
}

#[test]
fn only_a_party_liable_on_the_last_day_moves_out() {
    let before = check(
        json!({"kind": "move_out", "account": "1", "name": "Jane Smith", "last_day": "2025-03-31",
               "forwarding_address": "2 Low Road"}),
        &with_jane(),
    );
    assert_one(&before, "Jane Smith is not liable on last_day 2025-03-31 (liable from 2025-04-01 to open-ended)");
    let stranger = check(
        json!({"kind": "move_out", "account": "1", "name": "Bob", "last_day": "2026-11-20", "forwarding_address": "x"}),
        &with_jane(),
    );
    assert_one(&stranger, "account 5000000001 has no party named Bob");
    let nowhere = check(
        json!({"kind": "move_out", "account": "1", "name": "Jane Smith", "last_day": "2026-11-20",
               "forwarding_address": ""}),
        &with_jane(),
    );
    assert_one(&nowhere, "forwarding_address must not be empty");
}

#[test]
fn a_contact_update_changes_only_what_is_given() {
    let mut state = with_jane();
    apply(
        json!({"kind": "name_contact_update", "account": "1", "party": "jane smith", "name": "Jane Jones",
               "email": "jane@example.org", "preferred_channel": "email"}),
        &mut state,
    );
    let jane = &state.parties[0];
    assert_eq!(jane.name, "Jane Jones");
    assert_eq!(jane.email.as_deref(), Some("jane@example.org"));
    assert_eq!(jane.postal_address.as_deref(), Some("1 High Street, Anytown AN1 1AA"), "kept");
    assert_eq!(jane.preferred_channel, Some(ContactChannel::Email));
    let by_email = check(
        json!({"kind": "name_contact_update", "account": "1", "party": "Jane Jones", "preferred_channel": "email"}),
        &state,
    );
    assert!(by_email.is_empty(), "the email already held is enough: {by_email:?}");
}

#[test]
fn a_contact_update_needs_a_known_party_something_to_change_and_good_details() {
    let nothing = check(json!({"kind": "name_contact_update", "account": "1", "party": "Jane Smith"}), &with_jane());
    assert_one(&nothing, "give at least one of name, email, phone");
    let unknown = check(
        json!({"kind": "name_contact_update", "account": "1", "party": "Bob", "phone": "01214960000"}),
        &with_jane(),
    );
    assert_one(&unknown, "has no party named Bob");
    let no_email = check(
        json!({"kind": "name_contact_update", "account": "1", "party": "Jane Smith", "preferred_channel": "email"}),
        &with_jane(),
    );
    assert_one(&no_email, "preferred_channel email needs an email address");
    let bad = check(
        json!({"kind": "name_contact_update", "account": "1", "party": "Jane Smith", "email": "jane.example.org"}),
        &with_jane(),
    );
    assert_one(&bad, "is not an email address");
    let mut two = with_jane();
    let mut john = two.parties[0].clone();
    "John Smith".clone_into(&mut john.name);
    two.parties.push(john);
    let clash = check(
        json!({"kind": "name_contact_update", "account": "1", "party": "Jane Smith", "name": "john smith"}),
        &two,
    );
    assert_one(&clash, "already has a party named john smith");
    let recase = json!({"kind": "name_contact_update", "account": "1", "party": "Jane Smith", "name": "JANE SMITH"});
    assert!(check(recase, &two).is_empty(), "a correction of the same name");
}

#[test]
fn a_third_party_authority_is_recorded_with_its_scope_until_it_expires() {
    let mut state = ct();
    apply(
        json!({"kind": "third_party_authority", "account": "1", "name": "Mary Smith", "relationship": "daughter",
               "scope": "act", "from": "2026-11-01", "expires_on": "2027-10-31"}),
        &mut state,
    );
    let a = &state.adjustments[0];
    assert_eq!((a.category.as_str(), a.code.as_str()), (category::THIRD_PARTY_AUTHORITY, "Mary Smith"));
    assert_eq!(a.to, Some(d("2027-10-31")));
    assert_eq!(a.details, json!({"relationship": "daughter", "scope": "act"}));
    let again = check(
        json!({"kind": "third_party_authority", "account": "1", "name": "mary smith", "relationship": "daughter",
               "scope": "discuss", "from": "2027-01-01", "expires_on": "2027-06-30"}),
        &state,
    );
    assert_one(&again, "already has an authority for Mary Smith from 2026-11-01 (to 2027-10-31)");
}

#[test]
fn a_third_party_authority_expires_after_it_starts_and_within_three_years() {
    let base = json!({"kind": "third_party_authority", "account": "1", "name": "Citizens Advice",
                      "relationship": "advice agency", "scope": "discuss", "from": "2026-11-01"});
    let with = |expires: &str| {
        let mut v = base.clone();
        v["expires_on"] = json!(expires);
        check(v, &ct())
    };
    assert_one(&with("2026-11-01"), "expires_on must be after from");
    assert_one(&with("2029-11-01"), "at most 3 years before review: expires_on must be on or before 2029-10-31");
    assert!(with("2029-10-31").is_empty());
    let mut nameless = base.clone();
    nameless["relationship"] = json!("");
    nameless["expires_on"] = json!("2027-01-01");
    assert_one(&check(nameless, &ct()), "relationship must not be empty");
}

#[test]
fn a_third_party_authority_ends_only_while_it_runs() {
    let mut state = ct();
    apply(
        json!({"kind": "third_party_authority", "account": "1", "name": "Mary Smith", "relationship": "daughter",
               "scope": "discuss", "from": "2026-11-01", "expires_on": "2027-10-31"}),
        &mut state,
    );
    let late = check(
        json!({"kind": "third_party_authority_end", "account": "1", "name": "Mary Smith", "last_day": "2027-11-30"}),
        &state,
    );
    assert_one(&late, "has no third-party authority for Mary Smith running on 2027-11-30");
    apply(
        json!({"kind": "third_party_authority_end", "account": "1", "name": "Mary Smith", "last_day": "2026-12-31"}),
        &mut state,
    );
    assert_eq!(state.adjustments[0].to, Some(d("2026-12-31")));
}

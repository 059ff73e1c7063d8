//! Who a reply goes to, and by which channel.

use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;

fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

fn party(name: &str) -> party::Model {
    party::Model {
        id: Uuid::nil(),
        account_id: Uuid::nil(),
        name: name.to_owned(),
        party_role: "liable".to_owned(),
        liable_from: None,
        liable_to: None,
        email: None,
        phone: None,
        postal_address: None,
        created_at: Utc::now(),
        preferred_channel: None,
        forwarding_address: None,
    }
}

fn email_from(sender: &str) -> correspondence::Model {
    correspondence::Model {
        id: Uuid::nil(),
        channel: Channel::Email,
        received_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
        sender: Some(sender.to_owned()),
        subject: None,
        content_hash: String::new(),
        message_id: Some("m@x".to_owned()),
        batch_id: None,
        status: "received".to_owned(),
        status_reason: None,
        created_at: Utc::now(),
        recipients: None,
        in_reply_to: None,
        references: None,
        possible_duplicate_of: None,
        sent_at: None,
    }
}

fn account_with(parties: Vec<party::Model>, property: Option<&str>) -> Addressee {
    let account = account::Model { reference: "5000012345".to_owned(), ..test_account() };
    Addressee { account: Some((account, parties, property.map(str::to_owned))), correspondence: None }
}

fn test_account() -> account::Model {
    account::Model {
        id: Uuid::nil(),
        reference: String::new(),
        service: "council_tax".to_owned(),
        status: "live".to_owned(),
        property_id: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        recovery_stage: None,
        vulnerable: false,
        version: 1,
        instalments: 10,
    }
}

#[test]
fn an_emailing_customer_gets_an_email_to_the_address_they_wrote_from() {
    let mut to = account_with(vec![party("Mrs Jane Doe")], Some("4 Acacia Avenue, Barchester, BC1 4AA"));
    to.correspondence = Some(email_from("Jane <jane@example.net>"));
    let r = to.recipient(None, day("2026-12-07")).unwrap();
    assert_eq!(
        (r.channel, r.name.as_str(), r.lines.clone()),
        (ReplyChannel::Email, "Mrs Jane Doe", vec!["jane@example.net".to_owned()])
    );
    // The officer may ask for a letter instead: to the property's address, as lines.
    let r = to.recipient(Some(ReplyChannel::Letter), day("2026-12-07")).unwrap();
    assert_eq!(r.lines, ["4 Acacia Avenue", "Barchester", "BC1 4AA"]);
}

#[test]
fn a_letter_goes_to_the_correspondence_or_forwarding_address_and_needs_one() {
    let mut jane = party("Mrs Jane Doe");
    jane.postal_address = Some("PO Box 1\nBarchester".to_owned());
    let to = account_with(vec![jane.clone()], Some("4 Acacia Avenue"));
    assert_eq!(to.recipient(None, day("2026-12-07")).unwrap().lines, ["PO Box 1", "Barchester"]);
    jane.liable_to = Some(day("2026-11-30"));
    jane.forwarding_address = Some("9 New Road, Elsewhere".to_owned());
    let to = account_with(vec![jane], Some("4 Acacia Avenue"));
    assert_eq!(to.recipient(None, day("2026-12-07")).unwrap().lines, ["9 New Road", "Elsewhere"]);
    let nowhere = Addressee { account: None, correspondence: None };
    let err = nowhere.recipient(None, day("2026-12-07")).unwrap_err().to_string();
    assert!(err.contains("postal address"), "{err}");
    let err = nowhere.recipient(Some(ReplyChannel::Email), day("2026-12-07")).unwrap_err().to_string();
    assert!(err.contains("email address"), "{err}");
}

#[test]
fn a_preference_for_email_is_followed_when_an_address_is_on_file() {
    let mut jane = party("Mrs Jane Doe");
    jane.preferred_channel = Some("email".to_owned());
    let to = account_with(vec![jane.clone()], Some("4 Acacia Avenue"));
    assert_eq!(to.recipient(None, day("2026-12-07")).unwrap().channel, ReplyChannel::Letter, "no address on file");
    jane.email = Some("jane@example.net".to_owned());
    let to = account_with(vec![jane, party("Mr John Doe")], Some("4 Acacia Avenue"));
    let r = to.recipient(None, day("2026-12-07")).unwrap();
    assert_eq!((r.channel, r.name.as_str()), (ReplyChannel::Email, "Mrs Jane Doe and Mr John Doe"));
}

#[test]
fn an_address_no_mail_server_would_take_is_not_used() {
    for bad in
        ["j@b.example; k@b.example", "j@b.example ", "a b@c.example", "a@[1.2.3.4]", "no-at", "a@b", "@b.example"]
    {
        assert!(!plausible_email(bad), "{bad}");
    }
    assert!(plausible_email("jane.doe+tax@example.net"));
    let mut jane = party("Mrs Jane Doe");
    jane.email = Some("jane@example.net; x@y.example".to_owned());
    jane.preferred_channel = Some("email".to_owned());
    let to = account_with(vec![jane], Some("4 Acacia Avenue"));
    assert_eq!(to.recipient(None, day("2026-12-07")).unwrap().channel, ReplyChannel::Letter);
}

//! Reading and checking accounts files.

use chrono::NaiveDate;

use postroom_accounts::{ContactChannel, PropertyState, RecoveryStage, Service};
use postroom_charges::Band;
use postroom_db::accounts::AccountStatus;
use postroom_workflows::IdentifierFinder;

use crate::{
    Parsed, parse,
    values::{parse_postcode, parse_pounds, parse_uprn},
};

const HEADER: &str = "reference,service,uprn,address,postcode,band,rateable_value,retail_hospitality_leisure,\
                      liable_name,liable_from,email,phone,preferred_channel,instalments,status,vulnerable,\
                      recovery_stage";

fn finder() -> IdentifierFinder {
    IdentifierFinder::new(&[r"\b\d{8,10}\b".to_owned()]).unwrap_or_else(|e| panic!("{e}"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_else(|| panic!("date"))
}

fn parsed(body: &str) -> Parsed {
    parse(format!("{HEADER}\n{body}").as_bytes(), &finder(), today())
}

#[test]
fn a_good_file_gives_typed_accounts_sharing_a_property_by_uprn() {
    let p = parsed(
        "500100001,council_tax,100012300001,\"12 Quill Lane, Barchester\",bc127qq,c,,,Mrs Ann Lee,2024-05-01,\
         ann@example.org,07700 900123,email,12,live,yes,reminder\n\
         \n\
         600100002,business_rates,100012300001,\"12 Quill Lane, Barchester\",BC12 7QQ,,\"£14,500\",true,Lee \
         Joinery Ltd,,,,,,closed,,summons\n",
    );
    assert_eq!(p.problems, Vec::<String>::new());
    let [ct, br] = p.rows.as_slice() else { panic!("two rows: {:?}", p.rows) };
    assert_eq!((ct.line, br.line), (2, 4), "line numbers as in the file, blank lines skipped");
    let a = &ct.account;
    assert_eq!(a.service, Service::CouncilTax);
    assert_eq!(a.property.postcode.as_deref(), Some("BC12 7QQ"));
    assert_eq!(a.property.uprn, Some(100_012_300_001));
    assert_eq!(
        a.property.valuation,
        PropertyState { band: Some(Band::C), rateable_value: Some(14_500), retail_hospitality_leisure: true },
        "the property's valuation merges its council tax and business rates rows"
    );
    assert_eq!(br.account.property.valuation, a.property.valuation);
    assert_eq!((a.instalments, a.vulnerable, a.recovery_stage), (12, true, Some(RecoveryStage::Reminder)));
    let party = &a.parties[0];
    assert_eq!(party.name, "Mrs Ann Lee");
    assert_eq!(party.liable_from, NaiveDate::from_ymd_opt(2024, 5, 1));
    assert_eq!(party.preferred_channel, Some(ContactChannel::Email));
    assert_eq!(br.account.status, AccountStatus::Closed);
    assert_eq!(br.account.instalments, 10);
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_column() {
    let p = parsed(
        "500200001,council_tax,,1 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
         500200002,water,,2 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
         500200003,council_tax,,3 Elm Row,NOT A PC,,,,Jo Bloggs,,,,,,,,\n\
         500200004,council_tax,,\"Flat 1\nOld Mill\",AB1 2CD,B,,,Jo Bloggs,,not-an-email,,,,,,\n\
         500200001,council_tax,,5 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
         600200006,business_rates,,6 Elm Row,AB1 2CD,D,,,Shop Ltd,,,,,,,,attachment_of_earnings\n\
         ABC,council_tax,,7 Elm Row,AB1 2CD,A,,,Jo Bloggs,2024-13-01,,,phone,11,open,maybe,\n\
         500200008,council_tax\n\
         500200009,council_tax,999,9 Elm Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
         500200010,council_tax,999,10 Elm Row,AB1 2CD,B,,,Jo Bloggs,,,,,,,,\n\
         500200011,council_tax,1234567890123,11 Elm Row,AB1 2CD,A,,,,,,,,,,,\n",
    );
    assert_eq!(p.rows.len(), 3, "lines 2, 11 and 12 are good on their own: {:?}", p.problems);
    let expected = [
        "line 3: service: ",
        "line 4: postcode: \"NOT A PC\" is not a UK postcode",
        "line 4: band: required for council_tax",
        "line 5: email: ",
        "line 7: reference: 500200001 is also on line 2",
        "line 8: band: only for council_tax",
        "line 8: rateable_value: required for business_rates",
        "line 8: recovery_stage: attachment_of_earnings is not a business_rates power",
        "line 9: reference: \"ABC\" does not match accounts.reference_patterns",
        "line 9: liable_from: \"2024-13-01\" is not a date",
        "line 9: preferred_channel: ",
        "line 9: instalments: \"11\": expected 10 or 12",
        "line 9: status: ",
        "line 9: vulnerable: \"maybe\" is not true or false",
        "line 10: the row has 2 fields; the header has 17",
        "line 12: address: UPRN 999 is at \"9 Elm Row\" on line 11",
        "line 12: band: UPRN 999 is band A on line 11",
        "line 13: uprn: \"1234567890123\" is not a UPRN",
        "line 13: liable_name: required",
    ];
    for e in expected {
        assert!(p.problems.iter().any(|p| p.starts_with(e)), "{e:?} missing from {:#?}", p.problems);
    }
    assert_eq!(p.problems.len(), expected.len(), "{:#?}", p.problems);
}

#[test]
fn a_bad_header_is_reported_and_stops_the_reading() {
    let p = parse("\u{feff}reference,service,colour,service\n1,2,3,4\n".as_bytes(), &finder(), today());
    assert!(p.rows.is_empty());
    assert_eq!(
        p.problems,
        [
            "line 1: \"colour\": unknown column (the columns are reference, service, uprn, address, postcode, \
             band, rateable_value, retail_hospitality_leisure, billing_authority, liable_name, liable_from, \
             email, phone, postal_address, preferred_channel, instalments, status, vulnerable, recovery_stage)",
            "line 1: service: the column appears twice",
            "line 1: address: required column missing",
            "line 1: postcode: required column missing",
            "line 1: liable_name: required column missing",
        ]
    );
    assert_eq!(parse("".as_bytes(), &finder(), today()).problems.len(), 1);
    assert_eq!(
        parse(format!("{HEADER}\n").as_bytes(), &finder(), today()).problems,
        ["line 2: no accounts: the file has only a header"]
    );
}

#[test]
fn postcodes_uprns_and_pounds_parse_strictly() {
    let f = finder();
    assert_eq!(parse_postcode("sw1a1aa", &f).as_deref(), Ok("SW1A 1AA"));
    assert_eq!(parse_postcode("M1 1AE", &f).as_deref(), Ok("M1 1AE"));
    for bad in ["SW1A 1AA X", "X SW1A 1AA", "SW1A", "12345", "SW1A  1AA 1AA"] {
        assert!(parse_postcode(bad, &f).is_err(), "{bad}");
    }
    assert_eq!(parse_uprn("100012345678"), Ok(100_012_345_678));
    assert!(parse_uprn("0").is_err() && parse_uprn("-1").is_err() && parse_uprn("1000123456789").is_err());
    assert_eq!(parse_pounds("£1,250"), Ok(1250));
    assert!(parse_pounds("12.50").is_err() && parse_pounds("").is_err());
}

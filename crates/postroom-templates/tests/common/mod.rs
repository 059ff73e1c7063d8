//! Merge fields for the tests: the sparest, and a full demo.

use postroom_templates::{
    AccountFields, ChangeFields, ChargeFields, ChargeLineFields, CorrespondenceFields, Council, InstalmentFields,
    ItemFields, MergeFields, Team,
};

/// Merge fields with nothing optional: no account, no correspondence, no changes, no notes.
pub fn sparse() -> MergeFields {
    MergeFields {
        date: "7 December 2026".into(),
        council: Council {
            name: "Northby Borough Council".into(),
            address: vec!["Town Hall".into(), "Market Square".into(), "Northby".into(), "NB1 1AA".into()],
            phone: None,
            email: None,
            website: None,
        },
        team: Team {
            name: "Council Tax".into(),
            signature: "Council Tax Team\nRevenues and Benefits\nNorthby Borough Council".into(),
            contact: "Phone: 01632 960000 (Monday to Friday, 9am to 5pm)\nEmail: counciltax@northby.example.gov.uk"
                .into(),
        },
        account: None,
        correspondence: None,
        item: ItemFields {
            reference: "PR-2026-004217".into(),
            outcome: "completed".into(),
            due_on: "14 December 2026".into(),
            workflow: "Council Tax: general enquiry".into(),
        },
        changes: vec![],
        notes: String::new(),
    }
}

/// A Council Tax account with a charge, ten instalments, an email being answered, two changes
/// and the officer's notes.
pub fn demo() -> MergeFields {
    let months = ["January", "February", "March"];
    let mut instalments: Vec<InstalmentFields> = ["June", "July", "August", "September", "October", "November"]
        .iter()
        .map(|m| format!("{m} 2026"))
        .chain(["December 2026".to_owned()])
        .chain(months.iter().map(|m| format!("{m} 2027")))
        .map(|m| InstalmentFields { due: format!("1 {m}"), amount: "£123.75".into() })
        .collect();
    if let Some(first) = instalments.first_mut() {
        first.amount = "£124.00".into();
    }
    MergeFields {
        account: Some(AccountFields {
            reference: "501234567".into(),
            service: "Council Tax".into(),
            name: "Ann Smith and Bob Smith".into(),
            address: vec!["12 High Street".into(), "Northby".into(), "NB2 3CD".into()],
            property: "12 High Street, Northby, NB2 3CD".into(),
            charge: Some(ChargeFields {
                year: "2026/27".into(),
                total: "£1,237.75".into(),
                lines: vec![
                    ChargeLineFields {
                        period: "1 April 2026 to 31 March 2027".into(),
                        description: "Band C".into(),
                        amount: "£1,650.33".into(),
                    },
                    ChargeLineFields {
                        period: "1 June 2026 to 31 March 2027".into(),
                        description: "Single person discount (25%)".into(),
                        amount: "-£412.58".into(),
                    },
                ],
                not_included: Vec::new(),
            }),
            instalments,
            original_instalments: Vec::new(),
        }),
        correspondence: Some(CorrespondenceFields {
            date: "2 December 2026".into(),
            subject: Some("Moving out and refund".into()),
            channel: "email".into(),
            sender: Some("Ann Smith".into()),
        }),
        changes: vec![
            ChangeFields {
                kind: "single_person_discount".into(),
                summary: "Single person discount (25%) from 1 June 2026".into(),
            },
            ChangeFields {
                kind: "instalments".into(),
                summary: "Instalments spread over 10 months from 1 June 2026".into(),
            },
        ],
        notes: "Your account is now in credit by £24.50, which we will carry forward to next year unless you \
                ask us to refund it."
            .into(),
        ..sparse()
    }
}

//! Words in the wrong place do not count: street names, signatures and quoted history do not
//! raise the priority, and quoted history counts half; safeguarding raises to P1 with evidence.

use postroom_domain::Priority;
use postroom_workflows::{Catalogue, Evidence, Weights};

fn classify(subject: &str, text: &str) -> postroom_workflows::Classification {
    let catalogue = Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"));
    let evidence = Evidence { subject: Some(subject.to_owned()), text: text.to_owned(), ..Evidence::default() };
    catalogue.classify(&evidence, 3.0, Weights::default())
}

#[test]
fn a_moving_out_email_from_heather_court_is_not_court_action() {
    let c = classify(
        "Moving out",
        "Hello, I am moving out of 21 Heather Court on 3 December. My forwarding address is 4 Summons Lane, \
         Anytown. Please send the final bill.\n\nKind regards\nJane Citizen\nFlat 2, Court Street\nAN1 2BC",
    );
    assert!(c.raises.is_empty(), "{:?}", c.raises);
    assert_eq!(c.workflow.as_deref(), Some("ct-moving-out"), "{c:?}");
}

#[test]
fn quoted_history_raises_nothing_and_counts_half() {
    let c = classify(
        "RE: Your Council Tax",
        "Thank you, noted.\n\nOn 2 Nov 2026, Anytown Council wrote:\n\
         > A summons has been issued. Enforcement agents may visit. I moved out.",
    );
    assert!(c.raises.is_empty(), "{:?}", c.raises);
    let quoted: Vec<f32> = c.candidates.iter().flat_map(|m| m.fired.iter().map(|f| f.weight)).collect();
    assert!(quoted.iter().all(|w| *w <= 1.0), "quoted rules count half: {c:?}");
}

#[test]
fn a_negated_escalation_word_does_not_raise_but_an_affirmed_one_does() {
    assert!(classify("Bill", "We are not in court and never have been.").raises.is_empty());
    let c = classify("Bill", "I have a court hearing on Monday.");
    assert!(c.raises.iter().any(|r| r.reason == "court action"), "{:?}", c.raises);
}

#[test]
fn a_person_at_risk_is_raised_to_p1_with_the_evidence_even_when_negated() {
    let c = classify("My bill", "I'm not saying I'd hurt myself, but I don't see the point any more.");
    assert_eq!(c.safeguarding.len(), 1, "{c:?}");
    assert_eq!(c.safeguarding[0].category, "suicide_self_harm");
    assert_eq!(c.safeguarding[0].phrase, "hurt myself");
    assert!(c.raises.iter().any(|r| r.to == Priority::P1 && r.reason.starts_with("safeguarding")), "{:?}", c.raises);
}

#[test]
fn a_quoted_council_letter_or_a_signature_is_not_a_person_at_risk() {
    let c = classify(
        "Fwd: arrears",
        "Can you tell me the balance?\n\nRegards\nSam\nBereavement Support Officer, Anytown Hospice\n\n\
         -----Original Message-----\nWe can refer you to a food bank or the crisis team if you cannot cope.",
    );
    assert!(c.safeguarding.is_empty() && c.raises.is_empty(), "{c:?}");
}

#[test]
fn a_person_at_risk_is_found_wherever_they_wrote_it() {
    for (subject, text) in [
        // An attached letter after the email's sign-off.
        (
            "Letter attached",
            "Please see my letter attached.\n\nKind regards,\nJane Smith\n\nI received a summons. I have thought about ending my life.",
        ),
        // A P.S. after the signature.
        (
            "Direct debit",
            "Please change my direct debit date.\n\nKind regards,\nJane\n\nP.S. I honestly don't want to be here anymore.",
        ),
        // A line that is only "Thanks" before it.
        ("My bill", "Hello,\n\nThanks\n\nI have been thinking I would be better off dead."),
        // Forwarded with nothing of their own but a note.
        (
            "Fwd: from my mum",
            "FYI see below from my mum\n\n---------- Forwarded message ---------\nI want to kill myself.",
        ),
        // In the subject only.
        ("RE: I want to kill myself", "See above."),
    ] {
        let c = classify(subject, text);
        assert!(!c.safeguarding.is_empty(), "not flagged: {subject:?} / {text:?}");
        assert!(c.raises.iter().any(|r| r.to == Priority::P1), "{:?}", c.raises);
    }
}

#[test]
fn the_court_is_a_court_and_a_negated_verb_does_not_hide_it() {
    let c = classify("Hearing", "The Court has adjourned the hearing to January.");
    assert!(c.raises.iter().any(|r| r.reason == "court action"), "{:?}", c.raises);
    let c = classify("Hearing", "I cannot attend court on 14 December.");
    assert!(c.raises.iter().any(|r| r.reason == "court action"), "{:?}", c.raises);
}

//! The shipped catalogue (`workflows/`) loads, covers the correspondence types Postroom must
//! handle, and classifies typical letters.

use std::path::PathBuf;

use postroom_domain::{Priority, WorkingCalendar};
use postroom_workflows::{Catalogue, Evidence, Service, Target, Weights};

fn catalogue() -> Catalogue {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
    Catalogue::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_shipped_catalogue_loads_and_covers_every_required_type() {
    let c = catalogue();
    for id in [
        "ct-moving-in",
        "ct-moving-out",
        "ct-new-build-occupier",
        "ct-single-person-discount",
        "ct-spd-review-return",
        "ct-discounts-disregards",
        "ct-exemption",
        "ct-disabled-band-reduction",
        "ct-empty-homes-premium",
        "ct-direct-debit-instruction",
        "ct-bacs-report",
        "ct-instalments",
        "ct-payment-arrangement",
        "ct-refund",
        "ct-bereavement",
        "ct-liability-grievance",
        "ct-summons-dispute",
        "ct-enforcement-agent",
        "ct-attachment-of-earnings",
        "ct-attachment-of-benefits",
        "ct-insolvency",
        "ct-voa-schedule",
        "ct-completion-notice",
        "ct-tracing",
        "ct-write-off",
        "ct-general-enquiry",
        "br-occupation-change",
        "br-small-business-relief",
        "br-charitable-relief",
        "br-empty-property-relief",
        "br-voa-alteration",
        "br-direct-debit",
        "br-recovery",
        "br-general-enquiry",
        "complaint",
        "subject-access-request",
        "foi-request",
        "member-enquiry",
        "fraud-referral-return",
        "information-only",
        "triage",
    ] {
        assert!(c.get(id).is_some(), "{id} is missing from the catalogue");
    }
    let sar = c.get("subject-access-request").map(|w| w.target);
    assert_eq!(sar, Some(Target::CalendarMonths(1)), "subject access: one calendar month (domain.md section 8)");
    assert!(c.workflows().iter().any(|w| w.service == Service::BusinessRates));
    assert!(!c.escalations().is_empty());
}

fn classify(text: &str, sender: Option<&str>) -> postroom_workflows::Classification {
    let evidence = Evidence {
        sender: sender.map(str::to_owned),
        subject: None,
        text: text.to_owned(),
        attachment_types: Vec::new(),
    };
    catalogue().classify(&evidence, 3.0, Weights::default())
}

#[test]
fn typical_letters_find_their_workflow_and_say_why() {
    let moving = classify(
        "Dear Sir, I moved out of 14 Acacia Avenue on 3 March. My forwarding address is 2 Mill Lane. \
         Please send the final bill there.",
        None,
    );
    assert_eq!(moving.workflow.as_deref(), Some("ct-moving-out"), "{moving:#?}");
    let fired: Vec<&str> = moving.candidates[0].fired.iter().map(|f| f.value.as_str()).collect();
    assert!(fired.contains(&"forwarding address") && fired.contains(&"final bill"), "{fired:?}");

    let sar = classify(
        "Under the Data Protection Act I make a subject access request for all the information you hold about me.",
        None,
    );
    assert_eq!(sar.workflow.as_deref(), Some("subject-access-request"), "{sar:#?}");

    let voa = classify("Schedule of alterations to the valuation list", Some("ct.schedules@voa.gov.uk"));
    assert_eq!(voa.workflow.as_deref(), Some("ct-voa-schedule"), "{voa:#?}");

    let nothing = classify("Hello.", None);
    assert_eq!(nothing.workflow, None);
    assert!(nothing.reason.is_some());
}

#[test]
fn escalation_words_raise_priority_with_the_reason() {
    let c = classify("I cannot pay, the bailiffs came today and I have a court summons next week.", None);
    let to: Vec<Priority> = c.raises.iter().map(|r| r.to).collect();
    assert!(to.contains(&Priority::P1), "{c:#?}");
    assert!(c.raises.iter().any(|r| r.reason.contains("enforcement agent")), "{c:#?}");
}

#[test]
fn a_summons_dispute_is_due_before_the_hearing() {
    let c = catalogue();
    let w = c.get("ct-summons-dispute").unwrap_or_else(|| panic!("missing"));
    let cal = WorkingCalendar::england_and_wales();
    let received = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let (due, why) = w.due_on(&cal, received, "The hearing at the magistrates' court is on 14 December 2026.");
    assert_eq!(due, chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default(), "{why}");
}

#[test]
fn the_readme_example_is_a_valid_workflow_file() {
    let readme = include_str!("../../../README.md");
    let example = readme
        .split("```toml workflow\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap_or_else(|| panic!("the README has no ```toml workflow example"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
    std::fs::create_dir_all(dir.path().join("templates")).unwrap_or_else(|e| panic!("{e}"));
    for f in ["triage.toml", "templates/change-confirmed.email.j2"] {
        std::fs::copy(shipped.join(f), dir.path().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    std::fs::write(dir.path().join("ct-moving-out.toml"), example).unwrap_or_else(|e| panic!("{e}"));
    let c = Catalogue::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.get("ct-moving-out").map(|w| w.target), Some(Target::WorkingDays(5)));
}

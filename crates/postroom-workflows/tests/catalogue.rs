//! The shipped catalogue (`workflows/`, built into the binary) loads, covers the correspondence
//! types Postroom must handle, and classifies typical letters; a directory extends or replaces
//! it.

use std::path::{Path, PathBuf};

use postroom_domain::{Clock, Priority, WorkingCalendar};
use postroom_workflows::{BUILT_IN_NAME, Catalogue, Evidence, Service, Source, Target, Weights};

fn shipped_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../workflows")
}

fn catalogue() -> Catalogue {
    Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_built_in_catalogue_is_the_shipped_directory() -> Result<(), Box<dyn std::error::Error>> {
    let built_in = Source::built_in();
    let on_disk = Source::dir(&shipped_dir())?;
    assert_eq!(built_in.paths().collect::<Vec<_>>(), on_disk.paths().collect::<Vec<_>>());
    assert!(built_in.paths().any(|p| p == "escalation.toml"));
    assert!(built_in.paths().any(|p| p == "templates/refund-issued.letter.j2"));
    let (a, b) = (Catalogue::from_source(&built_in)?, Catalogue::from_source(&on_disk)?);
    let ids = |c: &Catalogue| c.workflows().iter().map(|w| (w.id.clone(), w.title.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.workflows().len(), 49);
    assert_eq!(a.source(), BUILT_IN_NAME);
    let refund = a.get("ct-refund").map(|w| w.file.clone()).unwrap_or_default();
    assert_eq!(refund, Path::new("built-in workflows/ct-refund.toml"));
    let letter = std::fs::read_to_string(shipped_dir().join("templates/refund-issued.letter.j2"))?;
    assert_eq!(a.template("refund-issued", "letter"), Some(letter.as_str()));
    Ok(())
}

/// A council's directory: `ct-refund` retitled, its email template reworded, and a new workflow
/// with a template of its own.
fn council_dir() -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("templates"))?;
    let refund = std::fs::read_to_string(shipped_dir().join("ct-refund.toml"))?
        .replace("title = \"Council Tax: refund\"", "title = \"Council Tax: refund (Northby)\"");
    std::fs::write(dir.path().join("ct-refund.toml"), refund)?;
    std::fs::write(dir.path().join("templates/refund-issued.email.j2"), "Northby refund for {{ name }}")?;
    std::fs::write(
        dir.path().join("ct-garden-waste.toml"),
        "id = \"ct-garden-waste\"\ntitle = \"Garden waste subscription\"\nservice = \"cross\"\nqueue = \"ct-enquiries\"\n\
         priority = \"P4\"\ntemplates = [\"garden-waste\"]\n[target]\nworking_days = 10\n[match]\nkeywords = [\"brown bin\"]\n",
    )?;
    std::fs::write(dir.path().join("templates/garden-waste.email.j2"), "Your brown bin")?;
    std::fs::write(dir.path().join("templates/garden-waste.letter.j2"), "Your brown bin, by post")?;
    std::fs::write(dir.path().join("README.md"), "not part of the catalogue")?;
    Ok(dir)
}

#[test]
fn a_directory_extends_the_built_in_catalogue_file_by_file() -> Result<(), Box<dyn std::error::Error>> {
    let dir = council_dir()?;
    let source = Source::built_in().overlay(Source::dir(dir.path())?);
    let c = Catalogue::from_source(&source)?;
    assert_eq!(c.workflows().len(), 50, "49 built in, one added");
    let refund = c.get("ct-refund").ok_or("no ct-refund")?;
    assert_eq!(refund.title, "Council Tax: refund (Northby)");
    assert_eq!(refund.file, dir.path().join("ct-refund.toml"));
    assert_eq!(c.template("refund-issued", "email"), Some("Northby refund for {{ name }}"));
    assert!(c.template("refund-issued", "letter").is_some_and(|t| !t.contains("Northby")), "the built-in letter stays");
    assert_eq!(c.get("ct-garden-waste").map(|w| w.priority), Some(Priority::P4));
    assert_eq!(c.get("ct-moving-out").map(|w| w.file.clone()), Some("built-in workflows/ct-moving-out.toml".into()));
    assert!(!c.escalations().is_empty(), "the built-in escalation rules stay");
    assert!(c.source().contains("(2 file(s) replaced, 3 added)"), "{}", c.source());
    Ok(())
}

#[test]
fn a_directory_alone_replaces_the_built_in_catalogue() -> Result<(), Box<dyn std::error::Error>> {
    let dir = council_dir()?;
    // Alone it has no triage workflow, which every catalogue needs.
    let err = Catalogue::load(dir.path()).err().ok_or("no triage workflow must fail")?;
    assert!(err.to_string().contains("no workflow has id \"triage\""), "{err}");
    std::fs::copy(shipped_dir().join("triage.toml"), dir.path().join("triage.toml"))?;
    // Alone it has no letter for `refund-issued`: a template needs both variants.
    let err = Catalogue::load(dir.path()).err().ok_or("a template without its letter must fail")?;
    let file = dir.path().join("ct-refund.toml");
    let expected =
        format!("{}: templates[0]: \"refund-issued\" has no templates/refund-issued.letter.j2", file.display());
    assert!(err.to_string().contains(&expected), "{err}");
    assert_eq!(err.problems.len(), 1, "{err}");
    std::fs::write(dir.path().join("templates/refund-issued.letter.j2"), "Northby refund letter")?;
    let c = Catalogue::load(dir.path())?;
    let ids: Vec<&str> = c.workflows().iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, ["ct-garden-waste", "ct-refund", "triage"]);
    assert!(c.escalations().is_empty(), "no escalation.toml, no escalation rules");
    assert_eq!(c.template("refund-issued", "letter"), Some("Northby refund letter"));
    Ok(())
}

#[test]
fn a_bad_override_names_its_file_key_and_reason() -> Result<(), Box<dyn std::error::Error>> {
    let dir = council_dir()?;
    let refund = std::fs::read_to_string(dir.path().join("ct-refund.toml"))?;
    std::fs::write(dir.path().join("ct-refund.toml"), refund.replace("priority = \"P2\"", "priority = \"P9\""))?;
    std::fs::write(dir.path().join("templates/refund-issued.sms.j2"), "Refunded")?;
    let err = Catalogue::from_source(&Source::built_in().overlay(Source::dir(dir.path())?))
        .err()
        .ok_or("a bad override must fail")?;
    let text = err.to_string();
    let file = dir.path().join("ct-refund.toml");
    assert!(text.contains(&format!("{}: priority: ", file.display())), "{text}");
    assert!(text.contains("refund-issued.sms.j2: a template is named <name>.email.j2 or <name>.letter.j2"), "{text}");
    assert!(text.contains(&format!("built-in workflows extended by {}", dir.path().display())), "{text}");
    assert_eq!(err.problems.len(), 2, "{text}");
    Ok(())
}

#[test]
fn a_missing_directory_is_named() {
    let err = Source::dir(Path::new("/nonexistent/workflows")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("/nonexistent/workflows: cannot be read"), "{err}");
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
        "ct-committal-charging-bankruptcy",
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
        "br-refund",
        "br-bacs-report",
        "br-enforcement-agent",
        "br-summons-dispute",
        "br-payment-arrangement",
        "br-committal-charging",
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
        services: Vec::new(),
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
    let shipped = shipped_dir();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap_or_else(|e| panic!("{e}"));
    for f in ["triage.toml", "templates/change-confirmed.email.j2", "templates/change-confirmed.letter.j2"] {
        std::fs::copy(shipped.join(f), dir.path().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    std::fs::write(dir.path().join("ct-moving-out.toml"), example).unwrap_or_else(|e| panic!("{e}"));
    let c = Catalogue::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.get("ct-moving-out").map(|w| w.target), Some(Target::WorkingDays(5)));
    assert_eq!(c.get("ct-moving-out").and_then(|w| w.kind.as_deref()), Some("occupation_change"));
}

#[test]
fn the_shipped_families_pair_council_tax_and_business_rates_workflows() {
    let c = catalogue();
    for (ct, br) in [
        ("ct-direct-debit-instruction", "br-direct-debit"),
        ("ct-bacs-report", "br-bacs-report"),
        ("ct-refund", "br-refund"),
        ("ct-payment-arrangement", "br-payment-arrangement"),
        ("ct-summons-dispute", "br-summons-dispute"),
        ("ct-enforcement-agent", "br-enforcement-agent"),
        ("ct-insolvency", "br-recovery"),
        ("ct-voa-schedule", "br-voa-alteration"),
        ("ct-empty-homes-premium", "br-empty-property-relief"),
        ("ct-general-enquiry", "br-general-enquiry"),
        ("ct-committal-charging-bankruptcy", "br-committal-charging"),
    ] {
        let (Some(a), Some(b)) = (c.get(ct), c.get(br)) else { panic!("{ct} or {br} is missing") };
        assert_eq!(c.family_member(a, Service::BusinessRates).map(|w| w.id.as_str()), Some(br));
        assert_eq!(c.family_member(b, Service::CouncilTax).map(|w| w.id.as_str()), Some(ct));
        assert!(b.queue == "business-rates" || b.queue == "br-recovery", "{br} is in {}", b.queue);
    }
    // Two Council Tax workflows of one kind: a Business Rates occupation change has no single sibling.
    let moving_out = c.get("ct-moving-out").unwrap_or_else(|| panic!("no ct-moving-out"));
    let occupation = c.get("br-occupation-change").unwrap_or_else(|| panic!("no br-occupation-change"));
    assert_eq!(
        c.family_member(moving_out, Service::BusinessRates).map(|w| w.id.as_str()),
        Some("br-occupation-change")
    );
    assert!(c.family_member(occupation, Service::CouncilTax).is_none());
}

fn closed_29_to_31_december_2026() -> Result<WorkingCalendar, Box<dyn std::error::Error>> {
    let days = ["2026-12-29", "2026-12-30", "2026-12-31"].map(str::parse::<chrono::NaiveDate>);
    let days = days.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(WorkingCalendar::england_and_wales().with_closure_days(days))
}

/// UK GDPR art. 12(3): a subject access request is answered within one calendar month. With the
/// README's closure days of 29-31 December, a request received on 30 November 2026 is due on
/// 30 December 2026: closure days do not move a statutory clock (ICO right of access guidance).
#[test]
fn subject_access_month_runs_on_the_statutory_calendar_through_closure_days() -> Result<(), Box<dyn std::error::Error>>
{
    let c = catalogue();
    let sar = c.get("subject-access-request").ok_or("no subject-access-request")?;
    assert_eq!(sar.clock, Clock::Statutory);
    let cal = closed_29_to_31_december_2026()?;
    let (due, how) = sar.due_on(&cal, "2026-11-30".parse()?, "");
    assert_eq!(due.to_string(), "2026-12-30", "{how}");
    assert!(how.contains("statutory calendar"), "{how}");
    Ok(())
}

/// FOIA 2000 s10(1), s10(6): 20 working days, where a working day is any day but Saturday,
/// Sunday, Christmas Day, Good Friday or a bank holiday in any part of the UK. Council closure
/// days count; Scotland's 2 January holiday (Monday 4 January 2027) does not.
#[test]
fn foi_twenty_working_days_ignore_council_closure_days() -> Result<(), Box<dyn std::error::Error>> {
    let c = catalogue();
    let foi = c.get("foi-request").ok_or("no foi-request")?;
    assert_eq!(foi.clock, Clock::StatutoryUk);
    let cal = closed_29_to_31_december_2026()?;
    // From Monday 14 December 2026: 15-18, 21-24 (8), 29-31 (11), 5-8 Jan (15), 11-15 Jan (20).
    let (due, how) = foi.due_on(&cal, "2026-12-14".parse()?, "");
    assert_eq!(due.to_string(), "2027-01-15", "{how}");
    // A service target over the same days skips the closure: three working days later.
    let general = c.get("ct-general-enquiry").ok_or("no ct-general-enquiry")?;
    assert_eq!(general.clock, Clock::Service);
    let twenty = general.due_on(&cal, "2026-12-14".parse()?, "").0;
    assert_eq!(cal.working_days_between("2026-12-14".parse()?, twenty), 10);
    assert_eq!(cal.statutory().working_days_between("2026-12-14".parse()?, twenty), 13);
    Ok(())
}

/// Only workflows whose deadline is set by law use the statutory clock.
#[test]
fn only_statutory_deadlines_use_the_statutory_clock() {
    let c = catalogue();
    let statutory: Vec<&str> =
        c.workflows().iter().filter(|w| w.clock != Clock::Service).map(|w| w.id.as_str()).collect();
    assert_eq!(statutory, vec!["foi-request", "subject-access-request"]);
}

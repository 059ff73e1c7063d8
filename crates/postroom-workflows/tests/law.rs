//! The targets and escalations the law sets for the shipped catalogue (issue #18 points 8 and 9):
//! same-day notices that stop recovery, the complaint code's acknowledgement and stage-2 clocks,
//! the committal, charging order and bankruptcy petition workflows, and the insolvency words
//! that raise any item to P1.

use chrono::NaiveDate;
use postroom_domain::{Priority, WorkingCalendar};
use postroom_workflows::{Catalogue, Evidence, Service, Target, Weights, Workflow};

fn catalogue() -> Catalogue {
    Catalogue::built_in().unwrap_or_else(|e| panic!("{e}"))
}

fn workflow<'a>(c: &'a Catalogue, id: &str) -> &'a Workflow {
    c.get(id).unwrap_or_else(|| panic!("{id} is missing"))
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn evidence(text: &str, services: &[Service]) -> Evidence {
    Evidence { text: text.to_owned(), services: services.to_vec(), ..Evidence::default() }
}

/// The raises of a letter: priority, the word that raised it, and why.
fn raised(text: &str) -> Vec<(Priority, String, String)> {
    let c = catalogue().classify(&evidence(text, &[]), 3.0, Weights::default());
    c.raises.into_iter().map(|r| (r.to, r.word, r.reason)).collect()
}

/// Debt Respite Scheme (Breathing Space Moratorium and Mental Health Crisis Moratorium) (England
/// and Wales) Regulations 2020, a Debt Relief Order, bankruptcy, an IVA, a company's liquidation or
/// administration, and a vulnerability disclosure (`domain.md` §2.3, §6): recovery stops (or the
/// referral is made) the day the notice arrives. A target of 0 working days is the working day of
/// receipt; on a Saturday, the Monday after.
#[test]
fn debt_respite_insolvency_and_vulnerability_notices_are_due_the_same_working_day() {
    let c = catalogue();
    let cal = WorkingCalendar::england_and_wales();
    for id in ["ct-insolvency", "br-recovery", "vulnerability-disclosure"] {
        let w = workflow(&c, id);
        assert_eq!((w.target, w.priority), (Target::WorkingDays(0), Priority::P1), "{id}");
        let (due, how) = w.due_on(&cal, d("2026-11-23"), "");
        assert_eq!(due, d("2026-11-23"), "{id}: {how}");
        assert!(how.contains("same working day"), "{id}: {how}");
        // Received on Saturday 28 November: due Monday 30 November.
        assert_eq!(w.due_on(&cal, d("2026-11-28"), "").0, d("2026-11-30"), "{id}");
    }
}

/// Insolvency Act 1986 and the Debt Relief Order scheme (`domain.md` §2.3, §6): "DRO", "IVA",
/// liquidation and a company's administration raise any item to P1. "Administration" alone is an
/// everyday word and does not.
#[test]
fn dro_iva_liquidation_and_administration_raise_any_item_to_p1() {
    for (text, word) in [
        ("My DRO was approved last week, please note it on my account.", "DRO"),
        ("I have entered an IVA and council tax arrears are included.", "IVA"),
        ("The company is now in liquidation and the liquidators are named below.", "liquidation"),
        ("Bright Bakes went into administration on 1 December.", "into administration"),
        ("Joint administrators were appointed to the company on 30 November.", "administrators were appointed"),
        ("Notice of administration: the company entered administration today.", "entered administration"),
        ("The joint administrators of the company are named below.", "joint administrators"),
    ] {
        let raises = raised(text);
        assert!(
            raises.iter().any(|(to, w, _)| *to == Priority::P1 && w.eq_ignore_ascii_case(word)),
            "{text}: {raises:?}"
        );
    }
    for text in [
        "Please pass this to your council tax administration team.",
        "Why is there an administration fee on my bill?",
        "I have been granted letters of administration for my late father's estate.",
        "I work in administration at the hospital and my hours were cut.",
        "Thank you for the administration of my direct debit; the drone delivered it.",
        "The company is not in liquidation.",
    ] {
        // Nothing is raised for insolvency (a bereavement may still be found by safeguarding).
        let raises = raised(text);
        assert!(!raises.iter().any(|(_, _, why)| why.contains("insolvency")), "{text}: {raises:?}");
    }
}

/// The Local Government and Social Care Ombudsman's Complaint Handling Code (`domain.md` §6): a
/// complaint is acknowledged within 5 working days and answered within 10; a request to escalate
/// to stage 2 is acknowledged within 5 and answered within 20.
#[test]
fn complaint_handling_code_acknowledges_in_5_working_days_and_answers_stage_2_in_20() {
    let c = catalogue();
    let cal = WorkingCalendar::england_and_wales();
    let complaint = workflow(&c, "complaint");
    assert_eq!((complaint.target, complaint.acknowledge_working_days), (Target::WorkingDays(10), Some(5)));
    let received = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 9, 0, 0).single().unwrap_or_default();
    let stage_1 =
        complaint.place(&cal, received, "I wish to make a formal complaint about how my call was handled.", None);
    assert_eq!((stage_1.due_on, stage_1.acknowledge_by), (d("2026-12-07"), Some(d("2026-11-30"))), "{stage_1:?}");
    assert_eq!(stage_1.due_how, "10 working days; acknowledge by 2026-11-30 (5 working days)");
    for text in [
        "I am not satisfied with your stage 1 response and want my complaint escalated to stage 2.",
        "Please escalate my complaint; your answer did not deal with the refund.",
        "I ask for a review of my complaint at the second stage.",
    ] {
        let stage_2 = complaint.place(&cal, received, text, None);
        assert_eq!((stage_2.due_on, stage_2.acknowledge_by), (d("2026-12-21"), Some(d("2026-11-30"))), "{text}");
        assert!(stage_2.due_how.starts_with("stage 2: 20 working days"), "{}", stage_2.due_how);
    }
    // Only the complaint workflow has an acknowledgement clock.
    let others: Vec<&str> = c
        .workflows()
        .iter()
        .filter(|w| w.acknowledge_working_days.is_some() || !w.stages.is_empty())
        .map(|w| w.id.as_str())
        .collect();
    assert_eq!(others, ["complaint"]);
}

/// SI 1992/613 reg 47 (committal), reg 50 (charging order) and the Insolvency Act 1986
/// (bankruptcy petition); SI 1989/1058 regs 16-17 (Business Rates committal, individuals only):
/// correspondence about them is P1 and answered within 2 working days (`domain.md` §6), by the
/// service's own recovery team.
#[test]
fn committal_charging_order_and_bankruptcy_petition_letters_are_p1_within_2_working_days() {
    let c = catalogue();
    let ct = workflow(&c, "ct-committal-charging-bankruptcy");
    let br = workflow(&c, "br-committal-charging");
    for w in [ct, br] {
        assert_eq!((w.priority, w.target), (Priority::P1, Target::WorkingDays(2)), "{}", w.id);
        assert_eq!(w.templates, ["court-remedy-response"]);
    }
    assert_eq!((ct.queue.as_str(), br.queue.as_str()), ("ct-recovery", "br-recovery"));
    assert_eq!(c.family_member(ct, Service::BusinessRates).map(|w| w.id.as_str()), Some(br.id.as_str()));
    let classify = |text: &str, services: &[Service]| {
        c.classify(&evidence(text, services), 3.0, Weights::default()).workflow.unwrap_or_default()
    };
    let committal = "I have a committal summons to attend a means enquiry at the magistrates on 14 January. \
                     I am not wilfully refusing to pay.";
    assert_eq!(classify(committal, &[]), ct.id);
    assert_eq!(classify(committal, &[Service::BusinessRates]), br.id, "a Business Rates account settles it");
    let charging = "You have applied for a charging order on my house. Please tell me what I must pay to stop it.";
    assert_eq!(classify(charging, &[]), ct.id);
    let petition = "I received your bankruptcy petition. Please withdraw it, I can pay £200 a month.";
    assert_eq!(classify(petition, &[]), ct.id);
    // The Business Rates workflows the issue lists already exist.
    for id in ["br-refund", "br-payment-arrangement", "br-bacs-report", "br-summons-dispute", "br-enforcement-agent"] {
        assert_eq!(workflow(&c, id).service, Service::BusinessRates, "{id}");
    }
}

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn five_working_days(calendar: &WorkingCalendar, received: NaiveDate) -> Placement {
    Placement {
        queue: "ct-payments".to_owned(),
        priority: Priority::P2,
        due_on: calendar.add_working_days(received, 5),
        due_how: "5 working days".to_owned(),
        acknowledge_by: None,
    }
}

/// Bacs ADDACS and ARUDD (`domain.md` §4.3, §4.4): reason code 0 means "instruction cancelled by
/// the paying bank" on an ADDACS report and "refer to payer" (an unpaid collection) on an ARUDD
/// report, so each line is read under the header of the report it is on.
#[test]
fn bacs_report_header_tells_an_addacs_0_from_an_arudd_0() {
    let text = "ADDACS REPORT - AUTOMATED DIRECT DEBIT AMENDMENT AND CANCELLATION SERVICE\n\
                J CITIZEN 500123456 0\n\
                ARUDD - AUTOMATED RETURN OF UNPAID DIRECT DEBITS\n\
                S OTHER 500999888 0\n";
    let first = text.find("J CITIZEN").unwrap_or_default();
    let second = text.find("S OTHER").unwrap_or_default();
    assert_eq!(report_at(None, text, first), Some(Report::Addacs));
    assert_eq!(report_at(None, text, second), Some(Report::Arudd));
    let addacs = Advice::of(Report::Addacs, "0").unwrap_or_else(|| panic!("ADDACS 0"));
    let arudd = Advice::of(Report::Arudd, "0").unwrap_or_else(|| panic!("ARUDD 0"));
    assert!(addacs.meaning.contains("cancelled by the paying bank"), "{addacs:?}");
    assert!(arudd.meaning.contains("returned unpaid") && arudd.action.contains("re-present"), "{arudd:?}");
    // A report named only in the email's subject, and lines with no header at all.
    assert_eq!(report_at(Some("Fwd: ARUDD report 23/11/2026"), "J CITIZEN 500123456 4", 0), Some(Report::Arudd));
    assert_eq!(report_at(None, "J CITIZEN 500123456 4", 0), None);
    assert_eq!(report_at(None, "Indemnity claims received\nJ CITIZEN 500123456 2", 26), Some(Report::Ddica));
}

/// Bacs ADDACS D and ARUDD 4, an advance notice disputed (`domain.md` §4.3, §4.4, §6): P1, do not
/// collect until the dispute is resolved, due the working day it is received.
#[test]
fn bacs_advance_notice_disputed_is_p1_same_day_and_stops_collection() {
    let cal = WorkingCalendar::england_and_wales();
    for (report, code) in [(Report::Addacs, "D"), (Report::Arudd, "4"), (Report::Addacs, "d")] {
        let advice = Advice::of(report, code).unwrap_or_else(|| panic!("{report:?} {code}"));
        assert!(advice.stop_collection && advice.immediate, "{advice:?}");
        assert!(advice.action.starts_with("do not collect until the dispute is resolved"), "{advice:?}");
        // Received on Monday 23 November 2026: due that day, not five working days later.
        let placed = place_line(&cal, d("2026-11-23"), five_working_days(&cal, d("2026-11-23")), Some(&advice), None);
        assert_eq!((placed.priority, placed.due_on), (Priority::P1, d("2026-11-23")), "{placed:?}");
        assert!(placed.due_how.contains("do not collect until resolved"), "{placed:?}");
    }
    // Other codes keep the workflow's priority; an unknown code is no advice.
    let closed = Advice::of(Report::Addacs, "B").unwrap_or_else(|| panic!("ADDACS B"));
    assert!(!closed.immediate && !closed.stop_collection);
    let placed = place_line(&cal, d("2026-11-23"), five_working_days(&cal, d("2026-11-23")), Some(&closed), None);
    assert_eq!((placed.priority, placed.due_on), (Priority::P2, d("2026-11-30")));
    assert_eq!(Advice::of(Report::Arudd, "Z"), None);
    assert_eq!(Advice::of(Report::Auddis, "4"), None, "AUDDIS has no code 4");
}

/// Bacs: every advice is actioned before the account's next collection (`domain.md` §4.3, §6):
/// the item is due on the earlier of the workflow's target and the last working day before the
/// next collection.
#[test]
fn bacs_advice_is_due_before_the_next_collection() {
    let cal = WorkingCalendar::england_and_wales();
    let received = d("2026-11-23");
    let closed = Advice::of(Report::Addacs, "B");
    // Collection on Thursday 26 November: due Wednesday 25th, before the 5-working-day target.
    let next = NextCollection { on: d("2026-11-26"), from: "the instalment schedule".to_owned() };
    let placed = place_line(&cal, received, five_working_days(&cal, received), closed.as_ref(), Some(&next));
    assert_eq!(placed.due_on, d("2026-11-25"), "{placed:?}");
    assert!(placed.due_how.starts_with("the last working day before the next Direct Debit collection on 2026-11-26"));
    // Collection on Tuesday 1 December: the target (Monday 30 November) is already earlier.
    let later = NextCollection { on: d("2026-12-01"), from: "the instalment schedule".to_owned() };
    let placed = place_line(&cal, received, five_working_days(&cal, received), closed.as_ref(), Some(&later));
    assert_eq!(placed.due_on, d("2026-11-30"), "{placed:?}");
    assert!(placed.due_how.contains("before the next Direct Debit collection on 2026-12-01"), "{placed:?}");
    // A collection on Monday 4 January 2027: the last working day before it is Thursday 31
    // December (1 January is a bank holiday, then the weekend).
    assert_eq!(last_working_day_before(&cal, d("2027-01-04")), d("2026-12-31"));
    // Received on Saturday for a collection on Monday: due Monday, the first working day.
    let saturday = d("2026-11-28");
    let monday = NextCollection { on: d("2026-11-30"), from: "collection day 30".to_owned() };
    let placed = place_line(&cal, saturday, five_working_days(&cal, saturday), closed.as_ref(), Some(&monday));
    assert_eq!(placed.due_on, d("2026-11-30"), "{placed:?}");
}

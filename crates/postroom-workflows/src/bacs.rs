//! The Bacs rule for one line of a Direct Debit report (`domain.md` §4.2-§4.5, §6): which report
//! the line is on (ADDACS, ARUDD, AUDDIS or DDICA, read from the report's header, so an ADDACS 0
//! and an ARUDD 0 are told apart), what its reason code means and what the officer must do, its
//! priority (an advance notice disputed, ADDACS D or ARUDD 4, is P1: do not collect until it is
//! resolved), and its due date: every advice is actioned before the account's next collection,
//! so the item is due on the earlier of the workflow's target and the last working day before
//! that collection.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

use postroom_domain::{Priority, WorkingCalendar};

use crate::Placement;

/// A Bacs report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Report {
    /// Automated Direct Debit Amendment and Cancellation Service: the paying bank's advices.
    #[serde(rename = "ADDACS")]
    Addacs,
    /// Automated Return of Unpaid Direct Debits.
    #[serde(rename = "ARUDD")]
    Arudd,
    /// Automated Direct Debit Instruction Service: instructions that were not set up.
    #[serde(rename = "AUDDIS")]
    Auddis,
    /// Direct Debit Indemnity Claim Advice.
    #[serde(rename = "DDICA")]
    Ddica,
}

impl Report {
    /// The report's name as Bacs writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Addacs => "ADDACS",
            Self::Arudd => "ARUDD",
            Self::Auddis => "AUDDIS",
            Self::Ddica => "DDICA",
        }
    }
}

/// What an officer does about a reason code, and how urgently.
struct Rule {
    code: &'static str,
    meaning: &'static str,
    action: &'static str,
    /// Collections stop until it is resolved.
    stop: bool,
    /// P1, due the working day it is received ("immediately", `domain.md` §4.3).
    immediate: bool,
}

const fn rule(code: &'static str, meaning: &'static str, action: &'static str) -> Rule {
    Rule { code, meaning, action, stop: false, immediate: false }
}

const fn stop(code: &'static str, meaning: &'static str, action: &'static str, immediate: bool) -> Rule {
    Rule { code, meaning, action, stop: true, immediate }
}

const NEW_DDI: &str = "stop the Direct Debit (direct_debit_cancel with the advice) and write inviting a new instruction \
                       on another account; the bill stays payable";
const DECEASED: &str = "stop the Direct Debit (direct_debit_cancel with the advice) and open a bereavement case: \
                        liability end date, Class F if the payer was solely liable, joint payers";
const DISPUTED: &str = "do not collect until the dispute is resolved: suspend the Direct Debit (direct_debit_amend \
                        with the advice) today and contact the payer";

/// ADDACS reason codes (`domain.md` §4.3).
const ADDACS: &[Rule] = &[
    rule("0", "instruction cancelled by the paying bank: refer to payer", NEW_DDI),
    rule("1", "instruction cancelled by payer", NEW_DDI),
    rule("2", "payer deceased", DECEASED),
    rule(
        "3",
        "account transferred to a new bank or building society",
        "with the new details: amend and continue (a new 0N, never a 0C to the old bank); without them: suspend \
         and ask for a new instruction, with a new advance notice",
    ),
    rule("B", "account closed", NEW_DDI),
    rule("C", "account transferred to a different branch", "update the sort code and account number and continue"),
    stop("D", "advance notice disputed", DISPUTED, true),
    rule("E", "instruction amended", "update the details and continue"),
    rule(
        "R",
        "instruction re-instated by the paying bank",
        "resume collections (a new advance notice if the schedule changed)",
    ),
];

/// ARUDD reason codes (`domain.md` §4.4).
const ARUDD: &[Rule] = &[
    rule(
        "0",
        "refer to payer: the collection was returned unpaid",
        "re-present within one month of the original processing day (tell the payer about 5 working days before), \
         or treat the instalment as unpaid and send the statutory reminder; check for an insolvency notice",
    ),
    rule("1", "instruction cancelled", "agree another way to pay; a new instruction restarts collections"),
    rule("2", "payer deceased", DECEASED),
    stop(
        "3",
        "account transferred",
        "suspend collections; look for an ADDACS advice with the new details, else ask for a new instruction",
        false,
    ),
    stop("4", "advance notice disputed", DISPUTED, true),
    rule("5", "no account", "check the instruction's details with the payer"),
    rule("6", "no instruction", "check, and lodge a new 0N when resolved"),
    rule("7", "amount differs", "check the collection against the advance notice"),
    rule("8", "amount not yet due", "check the collection date against the advance notice"),
    rule("9", "presentation overdue", "check the collection's timing"),
    rule("A", "service user differs", "check the Service User Number and the instruction"),
    rule("B", "account closed", NEW_DDI),
];

const FIX: &str = "correct the instruction and lodge a new 0N before any collection";
const NEW_ACCOUNT: &str = "ask the payer for an account that accepts Direct Debits and a new instruction";

/// AUDDIS rejection codes (`domain.md` §4.2): the instruction was not set up.
const AUDDIS: &[Rule] = &[
    rule("1", "instruction cancelled by payer", "contact the payer and agree another way to pay"),
    rule("2", "payer deceased", DECEASED),
    rule("3", "account transferred", "ask for the new details; no collection until set up with a new advance notice"),
    rule("5", "no account", FIX),
    rule("6", "no instruction", FIX),
    rule("7", "DDI amount not zero", FIX),
    rule("B", "account closed", NEW_ACCOUNT),
    rule("C", "account transferred to a different branch", "update the details and continue"),
    rule("F", "invalid account type", NEW_ACCOUNT),
    rule("G", "bank will not accept Direct Debits on the account", NEW_ACCOUNT),
    rule("H", "instruction expired", FIX),
    rule("I", "payer reference not unique", "give a new reference and lodge a new 0N"),
    rule("K", "instruction cancelled by the bank", "contact the payer"),
    rule("L", "incorrect payer's account details", FIX),
    rule("M", "transaction code or user status incompatible", FIX),
    rule("N", "transaction disallowed at payer's branch", NEW_ACCOUNT),
    rule("O", "invalid reference", "give a reference that passes the Bacs rules and lodge a new 0N"),
    rule("P", "payer's name not present", FIX),
    rule("Q", "service user name blank", FIX),
];

const CLAIM: &str = "the claim is debited to the council: reverse the payment, which reopens the arrears, and \
                     write to the payer about paying them";

/// DDICA indemnity claim reason codes (`domain.md` §4.5).
const DDICA: &[Rule] = &[
    rule("1", "amount or date differs from the advance notice", CLAIM),
    rule("2", "no advance notice received, or the amount is disputed", CLAIM),
    rule("3", "instruction cancelled by the paying bank", CLAIM),
    rule("4", "payer cancelled the instruction with the service user", CLAIM),
    rule("5", "no instruction held, or the payer disputes having given one", CLAIM),
    rule("6", "signature fraudulent or not in accordance with the account's authorised signatures", CLAIM),
    rule("7", "claim raised at the service user's request", CLAIM),
    rule("8", "service user name disputed", CLAIM),
];

fn rules(report: Report) -> &'static [Rule] {
    match report {
        Report::Addacs => ADDACS,
        Report::Arudd => ARUDD,
        Report::Auddis => AUDDIS,
        Report::Ddica => DDICA,
    }
}

/// What one advice says, as the item records it (`classification.bacs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    pub report: Report,
    pub code: String,
    pub meaning: &'static str,
    /// What the officer must do.
    pub action: &'static str,
    /// True: no collection until it is resolved.
    pub stop_collection: bool,
    /// True: P1, due the working day it is received.
    pub immediate: bool,
}

impl Advice {
    /// `report`'s reason code `code` (any case), if the report has it.
    #[must_use]
    pub fn of(report: Report, code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        let rule = rules(report).iter().find(|r| r.code == code)?;
        Some(Self {
            report,
            code,
            meaning: rule.meaning,
            action: rule.action,
            stop_collection: rule.stop,
            immediate: rule.immediate,
        })
    }

    /// `ADDACS D`.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{} {}", self.report.as_str(), self.code)
    }
}

/// How each report names itself in its header or title.
static HEADERS: LazyLock<Vec<(Report, Regex)>> = LazyLock::new(|| {
    [
        (Report::Addacs, r"(?i)\bADDACS\b|automated direct debit amendments?\s+(?:and|&)\s+cancellations?"),
        (Report::Arudd, r"(?i)\bARUDD\b|automated return of unpaid direct debits?"),
        (Report::Auddis, r"(?i)\bAUDDIS\b|automated direct debit instruction service"),
        (Report::Ddica, r"(?i)\bDDICA\b|direct debit indemnity claim advice|\bindemnity claims?\b"),
    ]
    .into_iter()
    .filter_map(|(report, pattern)| Regex::new(pattern).ok().map(|re| (report, re)))
    .collect()
});

/// The report the line starting at byte `at` of `text` is on: the last report named before it
/// (a file can hold several reports, each under its header); failing that, the first named
/// after it or in `subject` (a report titled only in the email's subject).
#[must_use]
pub fn report_at(subject: Option<&str>, text: &str, at: usize) -> Option<Report> {
    let mut before: Option<(usize, Report)> = None;
    let mut after: Option<(usize, Report)> = None;
    for (report, re) in HEADERS.iter() {
        for m in re.find_iter(text) {
            if m.start() < at {
                if before.is_none_or(|(s, _)| m.start() > s) {
                    before = Some((m.start(), *report));
                }
            } else if after.is_none_or(|(s, _)| m.start() < s) {
                after = Some((m.start(), *report));
            }
        }
    }
    let in_subject = || {
        let subject = subject?;
        HEADERS.iter().filter_map(|(r, re)| re.find(subject).map(|m| (m.start(), *r))).min_by_key(|(s, _)| *s)
    };
    before.or_else(in_subject).or(after).map(|(_, r)| r)
}

/// The last working day before `day`.
#[must_use]
pub fn last_working_day_before(calendar: &WorkingCalendar, day: NaiveDate) -> NaiveDate {
    let mut d = day.pred_opt().unwrap_or(day);
    while !calendar.is_working_day(d) {
        match d.pred_opt() {
            Some(p) => d = p,
            None => break,
        }
    }
    d
}

/// The account's next Direct Debit collection after the advice was received, and how it was
/// found (`the instalment schedule`, or the mandate's collection day when there is none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextCollection {
    pub on: NaiveDate,
    pub from: String,
}

/// Places a report line: the workflow's `placement` for an item received on `received`, made
/// P1 and due the day it is received for an advance notice disputed, and due no later than the
/// last working day before `next` collection (never before the first working day of receipt).
#[must_use]
pub fn place_line(
    calendar: &WorkingCalendar,
    received: NaiveDate,
    mut placement: Placement,
    advice: Option<&Advice>,
    next: Option<&NextCollection>,
) -> Placement {
    let first_day = calendar.on_or_after(received);
    if let Some(a) = advice.filter(|a| a.immediate) {
        placement.priority = Priority::P1;
        if first_day < placement.due_on {
            placement.due_on = first_day;
            placement.due_how =
                format!("the working day received: {} ({}), do not collect until resolved", a.name(), a.meaning);
        }
    }
    if let Some(next) = next {
        let before = last_working_day_before(calendar, next.on).max(first_day);
        if before < placement.due_on {
            placement.due_on = before;
            placement.due_how = format!(
                "the last working day before the next Direct Debit collection on {} (from {}), earlier than {}",
                next.on, next.from, placement.due_how
            );
        } else {
            placement.due_how =
                format!("{}, before the next Direct Debit collection on {}", placement.due_how, next.on);
        }
    }
    placement
}

#[cfg(test)]
mod tests;

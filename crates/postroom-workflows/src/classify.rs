//! The classifier: scores every workflow's match rules against a letter, picks the best above a
//! threshold, and says why (the rules that fired, with their weights).

use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

use postroom_domain::{Clock, Priority, WorkingCalendar};

use crate::{Catalogue, SafeguardingHit, TRIAGE, Target, Workflow, text::Reading};

/// What is known of a letter or email when it is classified.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Sender address, e.g. `jane@example.org`.
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// All text read from it (body, text layer, OCR).
    pub text: String,
    /// Media types of its documents (attachments).
    pub attachment_types: Vec<String>,
    /// The services of the accounts matched in it: they settle the workflow family (a Business
    /// Rates account takes the Business Rates workflow of the kind).
    pub services: Vec<crate::Service>,
}

/// Weight of each kind of rule.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    pub word: f32,
    pub phrase: f32,
    pub regex: f32,
    pub sender: f32,
    pub attachment: f32,
    pub barcode: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Self { word: 1.0, phrase: 2.0, regex: 2.0, sender: 4.0, attachment: 1.0, barcode: 6.0 }
    }
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Fired {
    /// `keyword`, `regex`, `sender`, `attachment` or `barcode`.
    pub kind: &'static str,
    pub value: String,
    pub weight: f32,
}

/// A workflow's score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Match {
    pub workflow: String,
    pub score: f32,
    pub fired: Vec<Fired>,
}

/// A priority raise and why.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Raise {
    #[schema(value_type = String)]
    pub to: Priority,
    pub reason: String,
    /// The word that caused it.
    pub word: String,
}

/// The classifier's decision, as stored on the item and shown by the API.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Classification {
    /// The chosen workflow (`None`: triage).
    pub workflow: Option<String>,
    /// Why it stays in triage, when it does.
    pub reason: Option<String>,
    pub threshold: f32,
    /// The best-scoring workflows, best first (up to five).
    pub candidates: Vec<Match>,
    pub raises: Vec<Raise>,
    /// Safeguarding hits in the customer's own words (`workflows/safeguarding.toml`): each also
    /// raises the item to P1. Not empty: a safeguarding item.
    pub safeguarding: Vec<SafeguardingHit>,
    /// What the learned model read, and how its verdict and the rules' settled the workflow
    /// (`postroom-learn`); none when the model is switched off.
    pub model: Option<Learned>,
}

/// The learned model's reading of a letter, kept on the item beside the rules' evidence.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Learned {
    /// The version of the model that read it (`GET /api/v1/classifier`).
    pub version: i64,
    /// How the workflow was settled: `rules` (a sender or barcode rule fired), `agreement` (the
    /// rules' best candidate is the model's), `model` (the model alone, confident enough) or
    /// `triage` (neither is sure).
    pub settled_by: String,
    /// How many times more probable the model's best is than its second.
    pub ratio: f32,
    /// The ratio the model alone needs (`classifier.confidence`).
    pub confidence: f32,
    /// The model's most probable workflows, best first.
    pub candidates: Vec<Scored>,
    /// The words that weighed most for its best, heaviest first.
    pub weighed: Vec<Weighed>,
}

/// A workflow and the model's probability for it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Scored {
    pub workflow: String,
    pub probability: f32,
}

/// A word of the letter and how much it weighed for the model's choice.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Weighed {
    pub word: String,
    pub weight: f32,
}

impl Catalogue {
    /// Scores every workflow against `evidence`; picks the best when it reaches `threshold` and
    /// is ahead of the next; otherwise triage, with the candidates listed.
    #[must_use]
    pub fn classify(&self, evidence: &Evidence, threshold: f32, weights: Weights) -> Classification {
        // Words in the wrong place (quoted history, signature, street names) are not the
        // customer's: see `text.rs`.
        let reading = crate::text::read_letter(evidence.subject.as_deref(), &evidence.text);
        let mut candidates: Vec<Match> = self
            .workflows()
            .iter()
            .filter(|w| w.id != TRIAGE)
            .map(|w| score(w, evidence, &reading, weights))
            .filter(|m| m.score > 0.0)
            .collect();
        crate::family::settle(self, evidence, &mut candidates);
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.workflow.cmp(&b.workflow)));
        candidates.truncate(5);
        let (workflow, reason) = match candidates.as_slice() {
            [] => (None, Some("no workflow's rules matched".to_owned())),
            [best, ..] if best.score < threshold => (
                None,
                Some(format!("the best match, {} ({}), is below the threshold {threshold}", best.workflow, best.score)),
            ),
            [best, second, ..] if (best.score - second.score).abs() < f32::EPSILON => {
                (None, Some(format!("{} and {} match equally well ({})", best.workflow, second.workflow, best.score)))
            }
            [best, ..] => (Some(best.workflow.clone()), None),
        };
        let whole = format!("{}\n{}", evidence.subject.as_deref().unwrap_or_default(), evidence.text);
        let (raises, safeguarding) = crate::safeguarding::raises(self, &reading, &whole);
        Classification { workflow, reason, threshold, candidates, raises, safeguarding, model: None }
    }
}

/// How much a rule that fires only in quoted history counts.
const QUOTED: f32 = 0.5;

fn score(w: &Workflow, evidence: &Evidence, reading: &Reading, weights: Weights) -> Match {
    let mut fired = Vec::new();
    // The customer's own words count in full; quoted history at half weight.
    let weigh = |re: &Regex, weight: f32| {
        if re.is_match(&reading.own) { Some(weight) } else { re.is_match(&reading.quoted).then_some(weight * QUOTED) }
    };
    for (word, re) in &w.rules.keywords {
        if let Some(weight) = weigh(re, if word.contains(' ') { weights.phrase } else { weights.word }) {
            fired.push(Fired { kind: "keyword", value: word.clone(), weight });
        }
    }
    for (written, re) in &w.rules.regexes {
        if let Some(weight) = weigh(re, weights.regex) {
            fired.push(Fired { kind: "regex", value: written.clone(), weight });
        }
    }
    if let Some(sender) = evidence.sender.as_deref().map(str::to_ascii_lowercase) {
        let domain = sender.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        for s in &w.rules.senders {
            let hit = if s.contains('@') && !s.starts_with('@') {
                sender == *s
            } else {
                let d = s.trim_start_matches('@');
                domain == d || domain.ends_with(&format!(".{d}"))
            };
            if hit {
                fired.push(Fired { kind: "sender", value: s.clone(), weight: weights.sender });
            }
        }
    }
    for a in &w.rules.attachments {
        if evidence.attachment_types.iter().any(|t| t.to_ascii_lowercase().starts_with(a.as_str())) {
            fired.push(Fired { kind: "attachment", value: a.clone(), weight: weights.attachment });
        }
    }
    for b in &w.rules.barcodes {
        if evidence.text.contains(b.as_str()) || evidence.subject.as_deref().is_some_and(|s| s.contains(b.as_str())) {
            fired.push(Fired { kind: "barcode", value: b.clone(), weight: weights.barcode });
        }
    }
    let score = fired.iter().map(|f| f.weight).sum();
    Match { workflow: w.id.clone(), score, fired }
}

/// Where a workflow puts an item: its queue, priority and due date, and how the date was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub queue: String,
    pub priority: Priority,
    pub due_on: NaiveDate,
    pub due_how: String,
    /// When it must be acknowledged, for a workflow with an acknowledgement deadline.
    pub acknowledge_by: Option<NaiveDate>,
}

impl Workflow {
    /// Places an item received at `received_at` (UK date) whose text is `text`: the workflow's
    /// queue, its priority raised to `raised` where that is more urgent, and the due date.
    #[must_use]
    pub fn place(
        &self,
        calendar: &WorkingCalendar,
        received_at: chrono::DateTime<chrono::Utc>,
        text: &str,
        raised: Option<Priority>,
    ) -> Placement {
        let received = postroom_domain::london_date(received_at);
        let (due_on, mut due_how) = self.due_on(calendar, received, text);
        let acknowledge = self.acknowledge_by(calendar, received, text);
        if let Some((on, how)) = &acknowledge {
            due_how = format!("{due_how}; acknowledge by {on} ({how})");
        }
        Placement {
            queue: self.queue.clone(),
            priority: self.priority.raised_to(raised),
            due_on,
            due_how,
            acknowledge_by: acknowledge.map(|(on, _)| on),
        }
    }

    /// The stage `text` asks for, if the workflow has stages (a complaint's stage 2).
    #[must_use]
    pub fn stage_in(&self, text: &str) -> Option<&crate::Stage> {
        self.stages.iter().find(|s| s.is_in(text))
    }

    /// When something received on `received` whose text is `text` must be acknowledged, and
    /// how that was set: the stage's acknowledgement, else the workflow's (none without one).
    #[must_use]
    pub fn acknowledge_by(
        &self,
        calendar: &WorkingCalendar,
        received: NaiveDate,
        text: &str,
    ) -> Option<(NaiveDate, String)> {
        let n = match self.stage_in(text) {
            Some(stage) => stage.acknowledge_working_days,
            None => self.acknowledge_working_days,
        }?;
        let calendar = &*calendar.for_clock(self.clock);
        Some((calendar.add_working_days(received, n), format!("{n} working days")))
    }

    /// The due date for something received on `received`, and how it was set. `calendar` is
    /// the service calendar; a workflow whose clock is [`Clock::Statutory`] or
    /// [`Clock::StatutoryUk`] counts on that statutory view, where council closure days are
    /// working days (UK GDPR art. 12(3); FOIA s10(6), which also excludes a bank holiday in any
    /// part of the UK).
    #[must_use]
    pub fn due_on(&self, calendar: &WorkingCalendar, received: NaiveDate, text: &str) -> (NaiveDate, String) {
        let calendar = &*calendar.for_clock(self.clock);
        let (due, how) = match self.stage_in(text) {
            Some(stage) => (
                calendar.add_working_days(received, stage.working_days),
                format!("{}: {} working days", stage.name, stage.working_days),
            ),
            None => self.due_on_calendar(calendar, received, text),
        };
        match self.clock {
            Clock::Service => (due, how),
            Clock::Statutory => (due, format!("{how}, statutory calendar")),
            Clock::StatutoryUk => (due, format!("{how}, statutory calendar with every UK bank holiday")),
        }
    }

    fn due_on_calendar(&self, calendar: &WorkingCalendar, received: NaiveDate, text: &str) -> (NaiveDate, String) {
        match self.target {
            Target::WorkingDays(0) => {
                (calendar.add_working_days(received, 0), "the same working day (a target of 0 working days)".to_owned())
            }
            Target::WorkingDays(n) => (calendar.add_working_days(received, n), format!("{n} working days")),
            Target::CalendarMonths(m) => (calendar.add_calendar_months(received, m), format!("{m} calendar month(s)")),
            Target::BeforeDateInDocument { margin_working_days, otherwise_working_days } => {
                match first_date_on_or_after(text, received) {
                    Some(date) => {
                        let due = working_days_before(calendar, date, margin_working_days)
                            .max(calendar.on_or_after(received));
                        (due, format!("{margin_working_days} working days before {date}, found in the document"))
                    }
                    None => (
                        calendar.add_working_days(received, otherwise_working_days),
                        format!("{otherwise_working_days} working days (no date found in the document)"),
                    ),
                }
            }
        }
    }
}

/// The working day `n` working days before `date`.
fn working_days_before(calendar: &WorkingCalendar, date: NaiveDate, n: u32) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    while left > 0 || !calendar.is_working_day(d) {
        d = d.pred_opt().unwrap_or(d);
        if calendar.is_working_day(d) {
            left = left.saturating_sub(1);
        }
    }
    d
}

/// The earliest date written in `text` (`12 December 2026`, `12th Dec 2026`, `12/12/2026`) that
/// is on or after `from`.
fn first_date_on_or_after(text: &str, from: NaiveDate) -> Option<NaiveDate> {
    static MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let long = Regex::new(
        r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b",
    )
    .ok()?;
    let short = Regex::new(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b").ok()?;
    let mut found = Vec::new();
    for c in long.captures_iter(text) {
        let month = MONTHS.iter().position(|m| c[2].to_ascii_lowercase().starts_with(m))?;
        let (d, y) = (c[1].parse().ok()?, c[3].parse().ok()?);
        found.extend(NaiveDate::from_ymd_opt(y, u32::try_from(month).ok()? + 1, d));
    }
    for c in short.captures_iter(text) {
        let (d, m, y) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
        found.extend(NaiveDate::from_ymd_opt(y, m, d));
    }
    found.into_iter().filter(|d| *d >= from).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn dates_in_a_letter_are_found() {
        let text = "You were summonsed on 1 October 2026. The hearing is on 14th December 2026 at 10am; \
                    or write by 10/12/2026.";
        assert_eq!(first_date_on_or_after(text, d(2026, 11, 23)), Some(d(2026, 12, 10)));
        assert_eq!(first_date_on_or_after("no dates here", d(2026, 11, 23)), None);
    }

    #[test]
    fn before_a_hearing_counts_back_working_days() {
        let cal = WorkingCalendar::england_and_wales();
        // 14 December 2026 is a Monday: two working days before is Thursday 10 December.
        assert_eq!(working_days_before(&cal, d(2026, 12, 14), 2), d(2026, 12, 10));
        // A hearing on a Saturday: the working day before it, less the margin.
        assert_eq!(working_days_before(&cal, d(2026, 12, 12), 0), d(2026, 12, 11));
    }
}

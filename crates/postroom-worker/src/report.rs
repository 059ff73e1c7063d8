//! Bacs reports listing payers (`per_line` workflows): one item per line that names a known
//! account, each placed by the Bacs rule ([`postroom_workflows::bacs`]): the report the line is
//! on and its reason code set the priority (an advance notice disputed is P1, same day, do not
//! collect) and the item is due before the account's next Direct Debit collection.

use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_db::work_items::{self, Classified};
use postroom_domain::{Priority, WorkItemStatus};
use postroom_queue::Event;
use postroom_workflows::{
    IdentifierFinder, Placement, Service, TRIAGE, Workflow,
    bacs::{self, Advice},
};

use crate::{Classify, collection::next_collection, matching::AccountMatch};

/// One payer's line of a Bacs report: the account it names, the report it is on and its
/// reason code.
#[derive(Debug, Clone)]
pub(crate) struct ReportLine {
    pub(crate) account_id: uuid::Uuid,
    pub(crate) reference: String,
    /// Its account's service: the line goes to the workflow of that service in the family.
    pub(crate) service: Option<Service>,
    pub(crate) reason_code: Option<String>,
    /// What the reason code means on the line's report (none: no report or code recognised).
    pub(crate) advice: Option<Advice>,
    pub(crate) line: String,
}

/// A report's lines, and the references on it that no account has.
pub(crate) struct Report<'a> {
    pub(crate) lines: Vec<ReportLine>,
    pub(crate) unknown_references: &'a [String],
}

/// The lines of a report that name a linked account, each with its reason code (`reason code 1`,
/// `code: 0C`, or a short code ending the line) read under the report it is on (the header
/// above it, or the subject).
pub(crate) fn report_lines(
    finder: &IdentifierFinder,
    subject: Option<&str>,
    text: &str,
    found: &AccountMatch,
) -> Vec<ReportLine> {
    let mut at = 0;
    let mut lines = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some(reference) =
            finder.find(line).references.into_iter().find_map(|r| found.linked.iter().find(|l| l.reference == r))
        else {
            continue;
        };
        let reason_code = reason_code(line.trim_end());
        let advice =
            bacs::report_at(subject, text, start).zip(reason_code.as_deref()).and_then(|(r, c)| Advice::of(r, c));
        lines.push(ReportLine {
            account_id: reference.account_id,
            reference: reference.reference.clone(),
            service: reference.service.parse().ok(),
            reason_code,
            advice,
            line: line.trim().to_owned(),
        });
    }
    lines
}

/// A line's reason code: after `reason code`, else after `code:` (not a sort code), else a
/// short code ending the line.
fn reason_code(line: &str) -> Option<String> {
    static PATTERNS: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
        [
            r"(?i)\breason\s*code\s*[:=]?\s*([0-9A-Z]{1,2})\b",
            r"(?i)\bcode\s*[:=]\s*([0-9A-Z]{1,2})\b",
            r"\s([0-9][A-Z]?|[A-Z])\s*$",
        ]
        .iter()
        .filter_map(|p| regex::Regex::new(p).ok())
        .collect()
    });
    PATTERNS.iter().find_map(|re| {
        re.captures_iter(line).find_map(|c| {
            let whole = c.get(0)?;
            let sort_code = line[..whole.start()].trim_end().to_ascii_lowercase().ends_with("sort");
            (!sort_code).then(|| c.get(1).map(|m| m.as_str().to_ascii_uppercase())).flatten()
        })
    })
}

impl Classify {
    /// Where `w` puts `line` of a report received at `received_at`: the Bacs rule applied to the
    /// workflow's placement, and what the item records of it (`classification.bacs`).
    pub(crate) async fn place_report_line(
        &self,
        txn: &DatabaseTransaction,
        w: &Workflow,
        received_at: chrono::DateTime<Utc>,
        line: &ReportLine,
        raised: Option<Priority>,
    ) -> anyhow::Result<(Placement, serde_json::Value)> {
        let received = postroom_domain::london_date(received_at);
        let calendar = &*self.calendar;
        let next = next_collection(txn, &line.reference, received, self.casework.rates(), calendar).await?;
        let placement = w.place(calendar, received_at, "", raised);
        let placed = bacs::place_line(calendar, received, placement, line.advice.as_ref(), next.as_ref());
        let mut evidence = match serde_json::to_value(&line.advice)? {
            advice @ serde_json::Value::Object(_) => advice,
            _ => serde_json::json!({ "advice": "the report or its reason code was not recognised" }),
        };
        if let Some(o) = evidence.as_object_mut() {
            o.insert("next_collection".to_owned(), serde_json::to_value(&next)?);
            if line.advice.as_ref().is_some_and(|a| a.stop_collection) {
                o.insert("collection".to_owned(), "do not collect until resolved".into());
            }
        }
        Ok((placed, evidence))
    }

    /// A report listing several payers: the triage item takes the first line and a new item is
    /// opened for each other line, each ready in the workflow's queue with its own account,
    /// reason code, priority and due date.
    pub(crate) async fn split_per_line(
        &self,
        txn: &DatabaseTransaction,
        item: &postroom_db::entities::work_item::Model,
        w: &Workflow,
        report: &Report<'_>,
        raised: Option<Priority>,
        event: &Event,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        let total = report.lines.len();
        let correlation = event.correlation_id.as_deref();
        for (i, line) in report.lines.iter().enumerate() {
            let w = line.service.map_or(w, |s| self.catalogue.for_service(w, s));
            let (place, bacs) = self.place_report_line(txn, w, item.received_at, line, raised).await?;
            let mut evidence = serde_json::json!({
                "workflow": w.id,
                "classified_as": w.id,
                "due": place.due_how,
                "raised_to": raised,
                "report_line": { "line": line.line, "number": i + 1, "of": total, "reference": line.reference, "reason_code": line.reason_code },
                "bacs": bacs,
            });
            // References on lines no account has are shown on the first item, never dropped.
            if i == 0 && !report.unknown_references.is_empty() {
                evidence["unknown_references"] = serde_json::json!(report.unknown_references);
            }
            let classified = Classified {
                workflow: w.id.clone(),
                queue: w.queue.clone(),
                priority: place.priority,
                status: WorkItemStatus::Ready,
                due_on: place.due_on,
                classification: evidence,
            };
            let target = if i == 0 {
                item.clone()
            } else {
                let new = work_items::NewWorkItem {
                    correspondence_id: item.correspondence_id,
                    workflow: TRIAGE.to_owned(),
                    queue: TRIAGE.to_owned(),
                    priority: place.priority,
                    status: WorkItemStatus::Triage,
                    received_at: item.received_at,
                    due_on: place.due_on,
                    reason: Some(format!("line {} of {total} of a report", i + 1)),
                };
                self.casework.open(txn, new, "classifier", correlation, now).await?
            };
            let found = [(line.account_id, "reference")];
            self.casework.apply_classification(txn, &target, classified, &found, "classified", correlation).await?;
        }
        tracing::info!(work_item = %item.reference, lines = total, "report split into one item per line");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::reason_code;

    #[test]
    fn a_sort_code_is_never_read_as_the_reason_code() {
        assert_eq!(reason_code("500123456 J Doe Sort code: 20-11-44 reason code D").as_deref(), Some("D"));
        assert_eq!(reason_code("500123456 J Doe Sort code 20-11-44 4").as_deref(), Some("4"));
        assert_eq!(reason_code("500123456 J Doe code: 0c").as_deref(), Some("0C"));
        assert_eq!(reason_code("500123456 J Doe sort code: 20-11-44").as_deref(), None);
    }
}

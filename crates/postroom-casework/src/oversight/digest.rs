//! The team leaders' daily digest: what is overdue and at risk, per queue.

use std::{collections::BTreeMap, fmt::Write as _};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use postroom_db::work_items::{self, Filter};
use postroom_domain::{Priority, london_date};

use super::bounds;
use crate::{Casework, CaseworkError, long_date};

/// Most open items read for one digest: beyond this the digest says how many it left out.
const MAX_READ: u64 = 5000;

/// One item in the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DigestLine {
    pub reference: String,
    pub priority: Priority,
    pub workflow: String,
    pub due_on: NaiveDate,
    pub assignee: Option<String>,
}

/// One queue's overdue and at-risk items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DigestQueue {
    pub queue: String,
    pub overdue: Vec<DigestLine>,
    /// Due from today to the end of the warning window.
    pub at_risk: Vec<DigestLine>,
}

/// The digest for one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Digest {
    pub day: NaiveDate,
    pub due_soon_until: NaiveDate,
    pub queues: Vec<DigestQueue>,
    pub subject: String,
    /// The email's text.
    pub text: String,
}

impl Casework {
    /// The digest at `now`: every open item (clock running) overdue or due within
    /// `warning_days` working days, per queue, earliest due first; at most `max_items` listed
    /// per queue and section, the rest counted.
    ///
    /// # Errors
    /// The database failing.
    #[tracing::instrument(skip_all)]
    pub async fn digest(
        &self,
        now: DateTime<Utc>,
        warning_days: u32,
        max_items: usize,
    ) -> Result<Digest, CaseworkError> {
        let b = bounds(&self.calendar, london_date(now), warning_days);
        let filter = Filter { at_risk_until: Some(b.soon), by_due_date: true, limit: MAX_READ, ..Filter::default() };
        let items = work_items::list(&self.db, &filter).await?;
        let mut queues: BTreeMap<String, DigestQueue> = BTreeMap::new();
        for item in &items {
            let q = queues.entry(item.queue.clone()).or_insert_with(|| DigestQueue {
                queue: item.queue.clone(),
                overdue: Vec::new(),
                at_risk: Vec::new(),
            });
            let line = DigestLine {
                reference: item.reference.clone(),
                priority: item.priority,
                workflow: item.workflow.clone(),
                due_on: item.due_on,
                assignee: item.assignee.clone(),
            };
            if item.due_on < b.today { q.overdue.push(line) } else { q.at_risk.push(line) }
        }
        let queues: Vec<DigestQueue> = queues.into_values().collect();
        let overdue: usize = queues.iter().map(|q| q.overdue.len()).sum();
        let at_risk: usize = queues.iter().map(|q| q.at_risk.len()).sum();
        let subject = format!("Postroom digest {}: {overdue} overdue, {at_risk} at risk", long_date(b.today));
        let mut text = format!(
            "Work overdue or due by {} ({warning_days} working days), per queue, earliest due first.\n",
            long_date(b.soon)
        );
        if queues.is_empty() {
            text.push_str("\nNothing is overdue or at risk.\n");
        }
        for q in &queues {
            let _ = write!(text, "\n{}: {} overdue, {} at risk\n", q.queue, q.overdue.len(), q.at_risk.len());
            for (title, lines) in [("Overdue", &q.overdue), ("At risk", &q.at_risk)] {
                if lines.is_empty() {
                    continue;
                }
                let _ = writeln!(text, "  {title}");
                for l in lines.iter().take(max_items) {
                    let holder = l.assignee.as_deref().unwrap_or("not claimed");
                    let _ = writeln!(
                        text,
                        "    {}  {}  due {}  {}  ({holder})",
                        l.reference,
                        l.priority,
                        long_date(l.due_on),
                        l.workflow
                    );
                }
                if lines.len() > max_items {
                    let _ = writeln!(text, "    and {} more", lines.len() - max_items);
                }
            }
        }
        if u64::try_from(items.len()).unwrap_or(u64::MAX) >= MAX_READ {
            let _ = writeln!(text, "\nOnly the {MAX_READ} earliest due are counted here; the dashboard has them all.");
        }
        Ok(Digest { day: b.today, due_soon_until: b.soon, queues, subject, text })
    }
}

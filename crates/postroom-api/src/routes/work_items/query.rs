//! The work-item list's filters as the query string gives them, checked into the database's
//! filter. The dashboard's links use exactly these.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use postroom_db::work_items;
use postroom_domain::{Priority, WorkItemReference, WorkItemStatus};

use crate::error::{ApiError, FieldError};

/// Filters and paging for the list; each filter given narrows it. Days are UK days
/// (`YYYY-MM-DD`), bounds inclusive.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkItemQuery {
    /// Only this queue (team), e.g. `triage`.
    pub queue: Option<String>,
    /// Only this status.
    pub status: Option<WorkItemStatus>,
    /// Only this priority, `P1` to `P4`.
    #[param(value_type = Option<String>)]
    pub priority: Option<String>,
    /// `true`: only open items (not done or cancelled); `false`: only closed ones.
    #[param(value_type = Option<bool>)]
    pub open: Option<String>,
    /// `true`: only open items whose SLA clock runs (not waiting for the customer).
    #[param(value_type = Option<bool>)]
    pub clock_running: Option<String>,
    /// Only items from this correspondence.
    pub correspondence_id: Option<Uuid>,
    /// Only items this user holds (or held, while awaiting the customer or approval).
    pub assignee: Option<String>,
    /// Only items this user completed.
    pub completed_by: Option<String>,
    /// Only items concerning the account with this reference.
    pub account: Option<String>,
    /// `true`: only overdue items (open, not paused for the customer, due before today);
    /// `false`: only items that are not.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// `true`: only items at risk (open, not paused for the customer, due within the warning
    /// window or overdue), earliest due first.
    #[param(value_type = Option<bool>)]
    pub at_risk: Option<String>,
    /// The warning window for `at_risk`, in working days (default
    /// `team_leaders.warning_working_days`).
    pub warning_working_days: Option<u32>,
    /// Only items due before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub due_before: Option<String>,
    /// Only items due on or after / on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub due_from: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub due_to: Option<String>,
    /// Only items received on or after / on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub received_from: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub received_to: Option<String>,
    /// Only items closed on or after / on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub closed_from: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub closed_to: Option<String>,
    /// `true`: only items closed on or before their due date; `false`: closed after it.
    #[param(value_type = Option<bool>)]
    pub in_time: Option<String>,
    /// The item with this human reference, e.g. `WI-2026-000042`.
    pub reference: Option<String>,
    /// Text (2-100 characters) found, ignoring case, in the item's reference, the reference of
    /// an account it concerns, or the sender of correspondence it gathers.
    pub q: Option<String>,
    /// Page size, 1-500 (default 50).
    pub limit: Option<u64>,
    /// Items to skip, at most 100000.
    pub offset: Option<u64>,
}

/// Collects the problems with each filter.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: String) {
        self.0.push(FieldError { field: field.to_owned(), message });
    }

    fn flag(&mut self, field: &str, value: Option<&str>) -> Option<bool> {
        match value {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                self.add(field, format!("must be true or false, not {other:?}"));
                None
            }
        }
    }

    fn day(&mut self, field: &str, value: Option<&str>) -> Option<NaiveDate> {
        let d = value?;
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| self.add(field, format!("must be a date as YYYY-MM-DD, not {d:?}")))
            .ok()
    }

    fn nonempty(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let v = value.map(|v| v.trim().to_owned());
        if v.as_deref() == Some("") {
            self.add(field, "must not be empty".to_owned());
        }
        v
    }
}

impl WorkItemQuery {
    /// The database filter judged against `today`, with `soon` giving the last day of a
    /// warning window of so many working days; 400 for a page size out of range, 422 naming
    /// each filter that is not valid.
    pub(crate) fn into_filter(
        self,
        today: NaiveDate,
        default_warning: u32,
        soon: impl Fn(u32) -> NaiveDate,
    ) -> Result<work_items::Filter, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(ApiError::BadRequest("limit must be between 1 and 500".to_owned()));
        }
        let mut p = Problems::default();
        let overdue = p.flag("overdue", self.overdue.as_deref()).map(|overdue| work_items::Overdue { overdue, today });
        let at_risk = p.flag("at_risk", self.at_risk.as_deref());
        let warning = self.warning_working_days.unwrap_or(default_warning);
        if warning > 60 {
            p.add("warning_working_days", format!("must be at most 60, not {warning}"));
        }
        if self.warning_working_days.is_some() && at_risk.is_none() {
            p.add("warning_working_days", "applies only with at_risk".to_owned());
        }
        let priority = self.priority.as_deref().and_then(|v| {
            v.trim()
                .to_uppercase()
                .parse::<Priority>()
                .map_err(|_| p.add("priority", format!("must be P1, P2, P3 or P4, not {v:?}")))
                .ok()
        });
        let reference = self.reference.as_deref().and_then(|r| {
            let r = r.trim().to_uppercase();
            let not = |_| format!("must be a reference such as WI-2026-000042, not {r:?}");
            r.parse::<WorkItemReference>().map_err(|e| p.add("reference", not(e))).ok().map(|r| r.as_str().to_owned())
        });
        let text = self.q.as_deref().map(str::trim).and_then(|q| match q.chars().count() {
            2..=100 => Some(q.to_owned()),
            n => {
                p.add("q", format!("must have 2 to 100 characters, not {n}"));
                None
            }
        });
        let filter = work_items::Filter {
            queue: self.queue,
            status: self.status,
            priority,
            open: p.flag("open", self.open.as_deref()),
            clock_running: p.flag("clock_running", self.clock_running.as_deref()),
            correspondence_id: self.correspondence_id,
            assignee: p.nonempty("assignee", self.assignee),
            completed_by: p.nonempty("completed_by", self.completed_by),
            account: p.nonempty("account", self.account),
            overdue,
            at_risk_until: match at_risk {
                Some(true) => Some(soon(warning)),
                _ => None,
            },
            due_before: p.day("due_before", self.due_before.as_deref()),
            due_from: p.day("due_from", self.due_from.as_deref()),
            due_to: p.day("due_to", self.due_to.as_deref()),
            received_from: p.day("received_from", self.received_from.as_deref()),
            received_to: p.day("received_to", self.received_to.as_deref()),
            closed_from: p.day("closed_from", self.closed_from.as_deref()),
            closed_to: p.day("closed_to", self.closed_to.as_deref()),
            in_time: p.flag("in_time", self.in_time.as_deref()),
            reference,
            text,
            by_due_date: at_risk == Some(true),
            limit,
            offset: super::super::offset(self.offset)?,
        };
        if at_risk == Some(false) {
            p.add("at_risk", "only at_risk=true is supported".to_owned());
        }
        if !p.0.is_empty() {
            let fields: Vec<&str> = p.0.iter().map(|e| e.field.as_str()).collect();
            return Err(ApiError::Unprocessable {
                detail: format!("invalid filter: {}", fields.join(", ")),
                errors: p.0,
            });
        }
        Ok(filter)
    }
}

//! The dashboard: open work per queue and priority, each officer's work, and the share of work
//! completed in time, every figure with the link to the items it counts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use postroom_db::oversight::{self as db, Bounds, OpenWork};
use postroom_domain::{Priority, WorkItemStatus, london_date};

use super::{AGEING_BANDS, bounds, count, link::Link, may_watch, share};
use crate::{Caller, Casework, CaseworkError};

/// A count and the list of the items it counts.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figure {
    pub count: u64,
    /// The work-item list (`GET /api/v1/work-items` with the filters it was counted with).
    pub items: String,
}

impl Figure {
    fn new(count: u64, link: &Link) -> Self {
        Self { count, items: link.build() }
    }
}

/// The open items received longest ago.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Oldest {
    pub received_on: NaiveDate,
    /// Working days since receipt.
    pub age_working_days: u32,
    /// The open items received that day or before.
    pub items: String,
}

/// One ageing band: open items whose age in working days is within it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AgeingBand {
    /// `0-2`, `3-5`, `6-10`, `11-20` or `over 20` working days.
    pub band: String,
    pub count: u64,
    pub items: String,
}

/// Open work counted by state, deadline and age.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StateFigures {
    /// Per open state: `triage`, `ready`, `in_progress`, `awaiting_customer`, `referred`,
    /// `awaiting_approval`.
    pub states: BTreeMap<String, Figure>,
    /// All open items.
    pub open: Figure,
    /// Open, not waiting for the customer, due today.
    pub due_today: Figure,
    /// Open, not waiting for the customer, due from today to the end of the warning window.
    pub due_soon: Figure,
    /// Open, not waiting for the customer, due before today.
    pub overdue: Figure,
    pub oldest: Option<Oldest>,
    pub ageing: Vec<AgeingBand>,
}

/// The share of a queue's completions (done) closed on or before their due date.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaShare {
    pub completed: Figure,
    pub in_time: Figure,
    /// `in_time / completed`, from 0 to 1; none without completions.
    pub share: Option<f64>,
}

/// One priority's open work in a queue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PriorityFigures {
    pub priority: Priority,
    #[serde(flatten)]
    pub figures: StateFigures,
}

/// One queue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QueueFigures {
    pub queue: String,
    /// The officers who work the queue (none: nobody will claim its items).
    pub officers: Vec<String>,
    #[serde(flatten)]
    pub figures: StateFigures,
    /// The same per priority, P1 first (priorities with open items only).
    pub priorities: Vec<PriorityFigures>,
    pub sla_last_7_days: SlaShare,
    pub sla_last_30_days: SlaShare,
}

/// One officer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OfficerFigures {
    pub officer: String,
    /// Open items they hold (claimed, or held while waiting for the customer or approval).
    pub held: Figure,
    pub completed_today: Figure,
    /// Since Monday.
    pub completed_this_week: Figure,
    pub completed_last_30_days: Figure,
    /// Median minutes from their claim to done, over the last 30 days.
    pub median_handling_minutes: Option<f64>,
    /// Their completions waiting for a team leader's approval.
    pub awaiting_approval: Figure,
}

/// The team leaders' dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Dashboard {
    pub today: NaiveDate,
    /// The warning window: items due up to this day are at risk.
    pub warning_working_days: u32,
    pub due_soon_until: NaiveDate,
    /// Every queue of the catalogue and any other holding open items.
    pub queues: Vec<QueueFigures>,
    pub officers: Vec<OfficerFigures>,
    /// Every queue's open work together.
    pub total: StateFigures,
    /// Open, not waiting for the customer, due up to `due_soon_until` (overdue included).
    pub at_risk: Figure,
}

/// The open-work rows summed (a queue's priorities, or every queue).
fn sum<'a>(rows: impl Iterator<Item = &'a OpenWork>) -> OpenWork {
    let mut total = OpenWork {
        queue: String::new(),
        priority: Priority::P4,
        status: WorkItemStatus::Ready,
        n: 0,
        overdue: 0,
        due_today: 0,
        due_soon: 0,
        oldest: None,
        age_0_2: 0,
        age_3_5: 0,
        age_6_10: 0,
        age_11_20: 0,
        age_over_20: 0,
    };
    for r in rows {
        total.n += r.n;
        // The SLA clock stops while an item waits for the customer.
        if r.status != WorkItemStatus::AwaitingCustomer {
            total.overdue += r.overdue;
            total.due_today += r.due_today;
            total.due_soon += r.due_soon;
        }
        total.oldest = match (total.oldest, r.oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        total.age_0_2 += r.age_0_2;
        total.age_3_5 += r.age_3_5;
        total.age_6_10 += r.age_6_10;
        total.age_11_20 += r.age_11_20;
        total.age_over_20 += r.age_over_20;
    }
    total
}

impl Casework {
    /// The dashboard as it stands now, with a warning window of `warning_days` working days
    /// (team leaders, admins and auditors).
    ///
    /// # Errors
    /// 403 for other roles; the database failing.
    #[tracing::instrument(skip_all, fields(user = %caller.user))]
    pub async fn dashboard(&self, caller: &Caller, warning_days: u32) -> Result<Dashboard, CaseworkError> {
        may_watch(caller)?;
        let b = bounds(&self.calendar, london_date(Utc::now()), warning_days);
        let open = db::open_work(&self.db, &b).await?;
        let in_time = db::in_time(&self.db, &b).await?;
        let members = postroom_db::queues::all(&self.db).await?;
        let mut names: BTreeSet<String> = self.catalogue.workflows().iter().map(|w| w.queue.clone()).collect();
        names.extend(open.iter().map(|r| r.queue.clone()));
        names.extend(in_time.iter().map(|r| r.queue.clone()));
        let queues = names
            .into_iter()
            .map(|queue| {
                let rows: Vec<&OpenWork> = open.iter().filter(|r| r.queue == queue).collect();
                let base = Link::items().with("queue", &queue);
                let mut priorities: Vec<Priority> = rows.iter().map(|r| r.priority).collect();
                priorities.sort();
                priorities.dedup();
                let priorities = priorities
                    .into_iter()
                    .map(|p| PriorityFigures {
                        priority: p,
                        figures: self.figures(
                            rows.iter().copied().filter(|r| r.priority == p),
                            &base.clone().with("priority", p),
                            &b,
                        ),
                    })
                    .collect();
                let sla = in_time.iter().find(|r| r.queue == queue);
                let done = base.clone().with("status", WorkItemStatus::Done).with("closed_to", b.today);
                let sla_share = |from: NaiveDate, completed: i64, on_time: i64| {
                    let link = done.clone().with("closed_from", from);
                    SlaShare {
                        completed: Figure::new(count(completed), &link),
                        in_time: Figure::new(count(on_time), &link.clone().with("in_time", true)),
                        share: share(count(on_time), count(completed)),
                    }
                };
                QueueFigures {
                    officers: members.iter().filter(|m| m.queue == queue).map(|m| m.user_name.clone()).collect(),
                    figures: self.figures(rows.iter().copied(), &base, &b),
                    priorities,
                    sla_last_7_days: sla_share(
                        b.last_7_from,
                        sla.map_or(0, |s| s.done_7),
                        sla.map_or(0, |s| s.in_time_7),
                    ),
                    sla_last_30_days: sla_share(
                        b.last_30_from,
                        sla.map_or(0, |s| s.done_30),
                        sla.map_or(0, |s| s.in_time_30),
                    ),
                    queue,
                }
            })
            .collect();
        let total = self.figures(open.iter(), &Link::items(), &b);
        // The at-risk list (`at_risk=true`) judged against today, with the days written out so
        // the link lists the same items tomorrow.
        let at_risk = Figure::new(
            total.overdue.count + total.due_soon.count,
            &Link::items().with("clock_running", true).with("due_to", b.soon),
        );
        Ok(Dashboard {
            today: b.today,
            warning_working_days: warning_days,
            due_soon_until: b.soon,
            queues,
            officers: self.officer_figures(&b).await?,
            total,
            at_risk,
        })
    }

    /// The figures of `rows` (one queue, one priority of it, or everything), linked from `base`.
    fn figures<'a>(&self, rows: impl Iterator<Item = &'a OpenWork> + Clone, base: &Link, b: &Bounds) -> StateFigures {
        let all = sum(rows.clone());
        let open = base.clone().with("open", true);
        let running = base.clone().with("clock_running", true).with("due_from", b.today);
        let states = WorkItemStatus::ALL
            .into_iter()
            .filter(|s| !s.is_closed())
            .map(|s| {
                let n = sum(rows.clone().filter(|r| r.status == s)).n;
                (s.as_str().to_owned(), Figure::new(count(n), &base.clone().with("status", s)))
            })
            .collect();
        let bands = [all.age_0_2, all.age_3_5, all.age_6_10, all.age_11_20, all.age_over_20];
        let ageing = AGEING_BANDS
            .iter()
            .zip(bands)
            .enumerate()
            .map(|(i, ((lo, hi), n))| {
                // Band i holds receipt days from `ageing[i]` (its earliest) to the day before
                // `ageing[i - 1]` (the next band's earliest).
                let from = b.ageing.get(i).copied();
                let to = i.checked_sub(1).and_then(|j| b.ageing.get(j)).and_then(|d| d.pred_opt());
                AgeingBand {
                    band: hi.map_or_else(|| format!("over {}", lo - 1), |hi| format!("{lo}-{hi}")),
                    count: count(n),
                    items: open.clone().day("received_from", from).day("received_to", to).build(),
                }
            })
            .collect();
        StateFigures {
            states,
            open: Figure::new(count(all.n), &open),
            due_today: Figure::new(count(all.due_today), &running.clone().with("due_to", b.today)),
            due_soon: Figure::new(count(all.due_soon), &running.with("due_to", b.soon)),
            overdue: Figure::new(
                count(all.overdue),
                &base.clone().with("clock_running", true).with("due_before", b.today),
            ),
            oldest: all.oldest.map(|d| Oldest {
                received_on: d,
                age_working_days: self.calendar.working_days_between(d, b.today),
                items: open.clone().with("received_to", d).build(),
            }),
            ageing,
        }
    }

    /// Each officer's held items, completions, handling time and completions awaiting approval.
    async fn officer_figures(&self, b: &Bounds) -> Result<Vec<OfficerFigures>, CaseworkError> {
        let (held, completed, awaiting, handling) = db::officers(&self.db, b).await?;
        let mut names: BTreeSet<&str> = held.iter().map(|h| h.officer.as_str()).collect();
        names.extend(completed.iter().map(|c| c.officer.as_str()));
        names.extend(awaiting.iter().map(|a| a.officer.as_str()));
        Ok(names
            .into_iter()
            .map(|officer| {
                let c = completed.iter().find(|c| c.officer == officer);
                let done = Link::items().with("completed_by", officer).with("status", WorkItemStatus::Done);
                let closed = |from: NaiveDate| done.clone().with("closed_from", from).with("closed_to", b.today);
                let held_n: i64 = held.iter().filter(|h| h.officer == officer).map(|h| h.n).sum();
                OfficerFigures {
                    officer: officer.to_owned(),
                    held: Figure::new(count(held_n), &Link::items().with("assignee", officer).with("open", true)),
                    completed_today: Figure::new(count(c.map_or(0, |c| c.today)), &closed(b.today)),
                    completed_this_week: Figure::new(count(c.map_or(0, |c| c.this_week)), &closed(b.week_from)),
                    completed_last_30_days: Figure::new(
                        count(c.map_or(0, |c| c.last_30_days)),
                        &closed(b.last_30_from),
                    ),
                    median_handling_minutes: handling
                        .iter()
                        .find(|h| h.officer == officer)
                        .and_then(|h| h.median_seconds)
                        .map(|s| (s / 60.0 * 10.0).round() / 10.0),
                    awaiting_approval: Figure::new(
                        count(awaiting.iter().find(|a| a.officer == officer).map_or(0, |a| a.n)),
                        &Link::items().with("completed_by", officer).with("status", WorkItemStatus::AwaitingApproval),
                    ),
                }
            })
            .collect())
    }
}

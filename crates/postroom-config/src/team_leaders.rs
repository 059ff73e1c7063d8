//! What team leaders watch (`[team_leaders]`): the warning window behind "at risk", the
//! escalation events, and the daily digest email.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// The team leaders' dashboard, escalations and digest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeamLeaderSettings {
    /// An open item due within this many working days (or overdue) is at risk; the dashboard's
    /// "due soon", the at-risk list and the `workitem.breach_warning` event use it.
    pub warning_working_days: u32,
    /// Whether the worker raises `workitem.breach_warning` and `workitem.overdue`.
    pub escalations: bool,
    /// Where the daily digest goes (none: no digest is sent).
    pub digest_to: Vec<String>,
    /// When the digest is sent on working days, UK time (`HH:MM`); a worker started later that
    /// day sends it at once.
    pub digest_at: NaiveTime,
    /// Most items listed per queue and section of the digest (the rest are counted).
    pub digest_max_items: usize,
}

impl Default for TeamLeaderSettings {
    fn default() -> Self {
        Self {
            warning_working_days: 2,
            escalations: true,
            digest_to: Vec::new(),
            digest_at: NaiveTime::from_hms_opt(7, 30, 0).unwrap_or(NaiveTime::MIN),
            digest_max_items: 25,
        }
    }
}

impl TeamLeaderSettings {
    /// What is wrong with these settings, each a sentence naming the key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.warning_working_days > 60 {
            problems
                .push(format!("team_leaders.warning_working_days ({}) must be at most 60", self.warning_working_days));
        }
        for (i, to) in self.digest_to.iter().enumerate() {
            if !to.contains('@') || to.trim() != to || to.len() > 254 {
                problems.push(format!("team_leaders.digest_to[{i}] ({to:?}) is not an email address"));
            }
        }
        if self.digest_max_items == 0 {
            problems.push("team_leaders.digest_max_items must be at least 1".to_owned());
        }
        problems
    }
}

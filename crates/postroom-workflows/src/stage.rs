//! Clocks beside a workflow's response target: an acknowledgement deadline
//! (`acknowledge_working_days`) and stages, each a response target and acknowledgement of its own
//! chosen by words in the letter. The formal complaint workflow uses both for the Local
//! Government and Social Care Ombudsman's Complaint Handling Code (`domain.md` §6): stage 1
//! acknowledged within 5 working days and answered within 10; a request to escalate to stage 2
//! acknowledged within 5 and answered within 20.

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::parse::rule_pattern;

/// A stage of a workflow: when any of its patterns is in the letter, its targets replace the
/// workflow's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Stage {
    /// How the item's due date names it, e.g. `stage 2`.
    pub name: String,
    /// Working days after receipt to respond.
    pub working_days: u32,
    /// Working days after receipt to acknowledge, if it is acknowledged first.
    pub acknowledge_working_days: Option<u32>,
    /// The patterns as written (case-insensitive).
    pub regexes: Vec<String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub(crate) patterns: Vec<Regex>,
}

impl Stage {
    /// Whether `text` asks for this stage.
    #[must_use]
    pub fn is_in(&self, text: &str) -> bool {
        self.patterns.iter().any(|re| re.is_match(text))
    }
}

/// A stage as a workflow file writes it (`[[target.stage]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStage {
    name: String,
    regexes: Vec<String>,
    working_days: u32,
    #[serde(default)]
    acknowledge_working_days: Option<u32>,
}

/// Parses the stages of a workflow file; problems as `target.stage[i]...: reason`.
pub(crate) fn parse_stages(raw: Vec<RawStage>, problems: &mut Vec<String>) -> Vec<Stage> {
    let mut stages = Vec::new();
    for (i, s) in raw.into_iter().enumerate() {
        if s.name.trim().is_empty() {
            problems.push(format!("target.stage[{i}].name: must not be empty"));
        }
        if s.regexes.is_empty() {
            problems.push(format!("target.stage[{i}].regexes: give at least one pattern that asks for the stage"));
        }
        if s.acknowledge_working_days.is_some_and(|a| a > s.working_days) {
            problems.push(format!(
                "target.stage[{i}].acknowledge_working_days: an acknowledgement cannot be due after the response"
            ));
        }
        let mut patterns = Vec::new();
        for (j, r) in s.regexes.iter().enumerate() {
            match rule_pattern(r) {
                Ok(re) => patterns.push(re),
                Err(e) => problems
                    .push(format!("target.stage[{i}].regexes[{j}]: {r:?} is not a valid regular expression: {e}")),
            }
        }
        stages.push(Stage {
            name: s.name.trim().to_owned(),
            working_days: s.working_days,
            acknowledge_working_days: s.acknowledge_working_days,
            regexes: s.regexes,
            patterns,
        });
    }
    stages
}

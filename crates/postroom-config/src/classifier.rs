//! The learned half of the classifier (`[classifier]`): the word model beside the workflows'
//! rules, and how often it learns from the council's own indexing decisions.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The classifier's learned model.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClassifierSettings {
    /// Whether the model reads letters beside the rules (off: the rules alone decide).
    pub model: bool,
    /// How many times more probable than its second the model's best workflow must be to settle
    /// a letter the rules do not agree on; below it the letter goes to triage.
    pub confidence: f32,
    /// How often the worker looks for new decisions to learn from.
    #[serde(with = "humantime_serde")]
    pub retrain_every: Duration,
    /// The fewest new decisions (manual indexes and re-routes) that make a new model version.
    pub retrain_min_examples: u32,
}

impl Default for ClassifierSettings {
    fn default() -> Self {
        Self { model: true, confidence: 2.0, retrain_every: Duration::from_secs(3600), retrain_min_examples: 20 }
    }
}

impl ClassifierSettings {
    /// What is wrong with these settings, each a sentence naming the key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(self.confidence.is_finite() && self.confidence >= 1.0) {
            problems.push(format!(
                "classifier.confidence ({}) must be at least 1 (a ratio of the best workflow's probability to the second's)",
                self.confidence
            ));
        }
        if self.retrain_every < Duration::from_secs(1) {
            problems.push("classifier.retrain_every must be at least 1s".to_owned());
        }
        if self.retrain_min_examples == 0 {
            problems.push("classifier.retrain_min_examples must be at least 1".to_owned());
        }
        problems
    }
}

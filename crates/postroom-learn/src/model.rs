//! The word model: [`features`](crate::features) into a multinomial logistic regression
//! (linfa-logistic, L-BFGS), trained on labelled letters; it ranks every workflow with a
//! probability and names the words that weighed most for its choice.

use linfa::{Dataset, traits::Fit};
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use thiserror::Error;

use postroom_workflows::{Scored, Weighed};

use crate::{
    Example,
    features::{Features, words},
};

/// L2 penalty of the regression. With the ratio cut of [`crate::Policy`] it was chosen by 5-fold
/// cross-validation on the shipped training corpus (README, "Measured accuracy").
const ALPHA: f64 = 0.03;
/// L-BFGS iterations at most.
const ITERATIONS: u64 = 150;
/// How many workflows a prediction lists, and how many words it names.
const LISTED: usize = 5;

#[derive(Debug, Error)]
pub enum LearnError {
    #[error("a model needs letters of at least two workflows; these name {0}")]
    TooFewWorkflows(usize),
    #[error("training the model failed: {0}")]
    Training(String),
}

/// A trained word model.
#[derive(Debug, Clone)]
pub struct WordModel {
    features: Features,
    /// Workflow ids, in the order of `params`' columns.
    classes: Vec<String>,
    /// `(features, classes)`.
    params: Array2<f64>,
    intercept: Array1<f64>,
    examples: usize,
}

/// What the model reads in a letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The most probable workflows, best first.
    pub ranked: Vec<Scored>,
    /// The words that weighed most for the best, heaviest first.
    pub weighed: Vec<Weighed>,
    /// How many times more probable the best is than the second (`f32::INFINITY` with one).
    pub ratio: f32,
}

impl WordModel {
    /// Trains on `examples`.
    ///
    /// # Errors
    /// Fewer than two workflows among the examples, or the solver failing.
    pub fn train(examples: &[Example]) -> Result<Self, LearnError> {
        let mut classes: Vec<String> = examples.iter().map(|e| e.workflow.clone()).collect();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(LearnError::TooFewWorkflows(classes.len()));
        }
        let tokenised: Vec<Vec<String>> = examples.iter().map(|e| words(&e.text)).collect();
        let features = Features::fit(&tokenised);
        let mut x = Array2::<f64>::zeros((examples.len(), features.len()));
        for (r, letter) in tokenised.iter().enumerate() {
            for (c, v) in features.row(letter) {
                x[(r, c)] = v;
            }
        }
        let y: Array1<usize> =
            examples.iter().map(|e| classes.binary_search(&e.workflow).unwrap_or_default()).collect();
        let fitted = MultiLogisticRegression::default()
            .alpha(ALPHA)
            .max_iterations(ITERATIONS)
            .fit(&Dataset::new(x, y))
            .map_err(|e| LearnError::Training(e.to_string()))?;
        let classes = fitted.classes().iter().map(|&c| classes[c].clone()).collect();
        Ok(Self {
            features,
            classes,
            params: fitted.params().clone(),
            intercept: fitted.intercept().clone(),
            examples: examples.len(),
        })
    }

    /// How many letters it was trained on.
    #[must_use]
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// How many words it knows.
    #[must_use]
    pub fn vocabulary(&self) -> usize {
        self.features.len()
    }

    /// Reads `text` (the letter's subject and text).
    #[must_use]
    pub fn predict(&self, text: &str) -> Prediction {
        let row = self.features.row(&words(text));
        let mut logits = self.intercept.clone();
        for &(i, v) in &row {
            logits.scaled_add(v, &self.params.row(i));
        }
        let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = logits.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = exp.iter().sum();
        let mut ranked: Vec<(usize, f64)> = exp.iter().map(|e| e / total).enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best = ranked.first().map_or(0, |(c, _)| *c);
        let ratio = match ranked.as_slice() {
            [(_, p1), (_, p2), ..] if *p2 > 0.0 => (p1 / p2) as f32,
            _ => f32::INFINITY,
        };
        let mut weighed: Vec<Weighed> = row
            .iter()
            .map(|&(i, v)| Weighed {
                word: self.features.word(i).to_owned(),
                weight: (v * self.params[(i, best)]) as f32,
            })
            .filter(|w| w.weight > 0.0)
            .collect();
        weighed.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.word.cmp(&b.word)));
        weighed.truncate(LISTED);
        let ranked = ranked
            .into_iter()
            .take(LISTED)
            .map(|(c, p)| Scored { workflow: self.classes[c].clone(), probability: p as f32 })
            .collect();
        Prediction { ranked, weighed, ratio }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, workflow: &str) -> Example {
        Example { text: text.to_owned(), workflow: workflow.to_owned() }
    }

    #[test]
    fn it_learns_words_and_names_them() {
        let examples = vec![
            ex("please refund the overpayment on my account", "ct-refund"),
            ex("I overpaid, can I have a refund", "ct-refund"),
            ex("refund my overpayment please", "ct-refund"),
            ex("I have moved out of the flat, final bill please", "ct-moving-out"),
            ex("we moved out last week, send the final bill", "ct-moving-out"),
            ex("moved out on Friday, please close the account", "ct-moving-out"),
        ];
        let m = WordModel::train(&examples).unwrap();
        let p = m.predict("Hello, I think I overpaid. A refund would be great.");
        assert_eq!(p.ranked[0].workflow, "ct-refund");
        assert!(p.ratio > 1.0);
        assert!(p.weighed.iter().any(|w| w.word == "refund" || w.word == "overpaid"), "{:?}", p.weighed);
        assert_eq!(m.predict("we moved out").ranked[0].workflow, "ct-moving-out");
    }

    #[test]
    fn one_workflow_is_not_enough_to_learn_from() {
        let err = WordModel::train(&[ex("a refund", "ct-refund"), ex("refund", "ct-refund")]).unwrap_err();
        assert!(err.to_string().contains("at least two workflows"), "{err}");
    }
}

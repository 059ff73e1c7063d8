//! The word model: [`features`](crate::features) into a multinomial logistic regression
//! (linfa-logistic, L-BFGS), trained on labelled letters; it ranks every workflow with a
//! probability and names the words that weighed most for its choice.

use linfa::{Dataset, traits::Fit};
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use thiserror::Error;

use std::collections::HashMap;

use postroom_workflows::{Catalogue, Scored, Service, Weighed};

use crate::{
    Example,
    features::{Features, words},
};

/// L2 penalty of the regressions (single precision: it halves training time, and the
/// figures are unchanged). With the ratio cut of [`crate::Policy`] it was chosen by 5-fold
/// cross-validation on the shipped training corpus (README, "Measured accuracy").
const ALPHA: f32 = 0.03;
/// L-BFGS iterations at most.
const ITERATIONS: u64 = 150;
/// The ratio reported when the second is (next to) impossible: large, and finite in JSON.
const MAX_RATIO: f64 = 1.0e6;
/// How many workflows a prediction lists, and how many words it names.
const LISTED: usize = 5;

#[derive(Debug, Error)]
pub enum LearnError {
    #[error("a model needs letters of at least two workflows; these name {0}")]
    TooFewWorkflows(usize),
    #[error("training the model failed: {0}")]
    Training(String),
}

/// A trained word model: two regressions over the same words. One reads the letter's *family*
/// (a workflow, or a kind shared by one Council Tax and one Business Rates workflow, such as
/// `refund`), the other its *service* (Council Tax, Business Rates or neither); a family's
/// probability is shared between its two workflows by the service's. Learning the kind from
/// every letter of both services, and the service from every letter, needs fewer letters of each
/// workflow than learning the workflows apart (5-fold cross-validation on the shipped corpus:
/// 61.9% against 56.6%).
#[derive(Debug, Clone)]
pub struct WordModel {
    features: Features,
    family: Regression,
    /// Absent when the letters were all of one service (or none): `ct_share` is then fixed.
    service: Option<Regression>,
    /// The Council Tax share of a shared kind without a service model.
    ct_share: f64,
    /// A shared kind's family label → its Council Tax and Business Rates workflows.
    pairs: HashMap<String, (String, String)>,
    examples: usize,
}

/// What the model reads in a letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The most probable workflows, best first.
    pub ranked: Vec<Scored>,
    /// The words that weighed most for the best, heaviest first.
    pub weighed: Vec<Weighed>,
    /// How many times more probable the best is than the second (at most a million).
    pub ratio: f32,
    /// How many different words of the letter the model knows: with very few, its reading is
    /// thin whatever the ratio says.
    pub known_words: usize,
}

/// One fitted multinomial logistic regression.
#[derive(Debug, Clone)]
struct Regression {
    /// Labels, in the order of `params`' columns.
    classes: Vec<String>,
    /// `(features, classes)`.
    params: Array2<f32>,
    intercept: Array1<f32>,
}

const COUNCIL_TAX: &str = "council_tax";
const BUSINESS_RATES: &str = "business_rates";
const NEITHER: &str = "cross";

impl Regression {
    fn fit(x: &Array2<f32>, labels: &[String]) -> Result<Self, LearnError> {
        let mut classes: Vec<String> = labels.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(LearnError::TooFewWorkflows(classes.len()));
        }
        let y: Array1<usize> =
            labels.iter().map(|l| classes.binary_search(l).map_err(|_| unlabelled(l))).collect::<Result<_, _>>()?;
        let fitted = MultiLogisticRegression::default()
            .alpha(ALPHA)
            .max_iterations(ITERATIONS)
            .fit(&Dataset::new(x.clone(), y))
            .map_err(|e| LearnError::Training(e.to_string()))?;
        let classes = fitted.classes().iter().map(|&c| classes[c].clone()).collect();
        Ok(Self { classes, params: fitted.params().clone(), intercept: fitted.intercept().clone() })
    }

    /// Each class's probability for a letter's features.
    fn probabilities(&self, row: &[(usize, f64)]) -> Vec<f64> {
        let mut logits = self.intercept.clone();
        for &(i, v) in row {
            logits.scaled_add(v as f32, &self.params.row(i));
        }
        let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f64> = logits.iter().map(|l| f64::from(l - top).exp()).collect();
        let total: f64 = exp.iter().sum();
        exp.iter().map(|e| e / total).collect()
    }

    fn probability_of(&self, probabilities: &[f64], class: &str) -> f64 {
        self.classes.iter().position(|c| c == class).map_or(0.0, |i| probabilities[i])
    }
}

fn unlabelled(label: &str) -> LearnError {
    LearnError::Training(format!("label {label} is not among the classes"))
}

/// A workflow's family label: `kind:<kind>` when its kind has exactly one Council Tax and one
/// Business Rates workflow; otherwise the workflow itself (and `triage`, or a workflow the
/// catalogue does not know, as it is).
fn families(catalogue: &Catalogue) -> HashMap<String, (String, String)> {
    let mut pairs = HashMap::new();
    for w in catalogue.workflows().iter().filter(|w| w.service == Service::CouncilTax) {
        let (Some(kind), Some(br)) = (w.kind.as_deref(), catalogue.family_member(w, Service::BusinessRates)) else {
            continue;
        };
        if catalogue.family_member(br, Service::CouncilTax).is_some_and(|ct| ct.id == w.id) {
            pairs.insert(format!("kind:{kind}"), (w.id.clone(), br.id.clone()));
        }
    }
    pairs
}

impl WordModel {
    /// Trains on `examples`, whose workflows `catalogue` describes (service and kind).
    ///
    /// # Errors
    /// Fewer than two workflows among the examples, or the solver failing.
    pub fn train(examples: &[Example], catalogue: &Catalogue) -> Result<Self, LearnError> {
        let pairs = families(catalogue);
        let family_of: HashMap<&str, &str> =
            pairs.iter().flat_map(|(f, (ct, br))| [(ct.as_str(), f.as_str()), (br.as_str(), f.as_str())]).collect();
        let tokenised: Vec<Vec<String>> = examples.iter().map(|e| words(&e.text)).collect();
        let features = Features::fit(&tokenised);
        let mut x = Array2::<f32>::zeros((examples.len(), features.len()));
        for (r, letter) in tokenised.iter().enumerate() {
            for (c, v) in features.row(letter) {
                x[(r, c)] = v as f32;
            }
        }
        let family_labels: Vec<String> = examples
            .iter()
            .map(|e| family_of.get(e.workflow.as_str()).map_or_else(|| e.workflow.clone(), |f| (*f).to_owned()))
            .collect();
        let service_labels: Vec<String> = examples
            .iter()
            .map(|e| match catalogue.get(&e.workflow).map(|w| w.service) {
                Some(Service::CouncilTax) => COUNCIL_TAX,
                Some(Service::BusinessRates) => BUSINESS_RATES,
                _ => NEITHER,
            })
            .map(str::to_owned)
            .collect();
        let family = Regression::fit(&x, &family_labels)?;
        let ct = service_labels.iter().filter(|s| *s == COUNCIL_TAX).count();
        let br = service_labels.iter().filter(|s| *s == BUSINESS_RATES).count();
        let ct_share = if ct + br == 0 { 0.5 } else { ct as f64 / (ct + br) as f64 };
        let mut distinct = service_labels.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let service = if distinct.len() > 1 { Some(Regression::fit(&x, &service_labels)?) } else { None };
        Ok(Self { features, family, service, ct_share, pairs, examples: examples.len() })
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

    /// Reads `text` (the letter's text, without its subject: the corpora have none).
    #[must_use]
    pub fn predict(&self, text: &str) -> Prediction {
        let row = self.features.row(&words(text));
        let families = self.family.probabilities(&row);
        let ct_share = self.service.as_ref().map_or(self.ct_share, |service| {
            let p = service.probabilities(&row);
            let (ct, br) = (service.probability_of(&p, COUNCIL_TAX), service.probability_of(&p, BUSINESS_RATES));
            if ct + br > 0.0 { ct / (ct + br) } else { self.ct_share }
        });
        // Every workflow with its probability, and the family column it came from.
        let mut ranked: Vec<(String, f64, usize)> = Vec::new();
        for (c, (label, p)) in self.family.classes.iter().zip(&families).enumerate() {
            match self.pairs.get(label) {
                Some((ct_id, br_id)) => {
                    ranked.push((ct_id.clone(), p * ct_share, c));
                    ranked.push((br_id.clone(), p * (1.0 - ct_share), c));
                }
                None => ranked.push((label.clone(), *p, c)),
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let ratio = match ranked.as_slice() {
            [(_, p1, _), (_, p2, _), ..] if *p2 > 0.0 => (p1 / p2).min(MAX_RATIO) as f32,
            _ => MAX_RATIO as f32,
        };
        let best = ranked.first().map_or(0, |(_, _, c)| *c);
        let mut weighed: Vec<Weighed> = row
            .iter()
            .map(|&(i, v)| Weighed {
                word: self.features.word(i).to_owned(),
                weight: (v * f64::from(self.family.params[(i, best)])) as f32,
            })
            .filter(|w| w.weight > 0.0)
            .collect();
        weighed.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.word.cmp(&b.word)));
        weighed.truncate(LISTED);
        let ranked = ranked
            .into_iter()
            .take(LISTED)
            .map(|(workflow, p, _)| Scored { workflow, probability: p as f32 })
            .collect();
        Prediction { ranked, weighed, ratio, known_words: row.len() }
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
        let m = WordModel::train(&examples, &Catalogue::built_in().unwrap()).unwrap();
        let p = m.predict("Hello, I think I overpaid. A refund would be great.");
        assert_eq!(p.ranked[0].workflow, "ct-refund");
        assert!(p.ratio > 1.0);
        assert!(p.weighed.iter().any(|w| w.word == "refund" || w.word == "overpaid"), "{:?}", p.weighed);
        assert_eq!(m.predict("we moved out").ranked[0].workflow, "ct-moving-out");
    }

    #[test]
    fn one_workflow_is_not_enough_to_learn_from() {
        let err = WordModel::train(
            &[ex("a refund", "ct-refund"), ex("refund", "ct-refund")],
            &Catalogue::built_in().unwrap(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("at least two workflows"), "{err}");
    }
}

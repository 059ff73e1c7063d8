//! How the model's verdict and the rules' combine (measured on the held-out corpus; README
//! "Measured accuracy"):
//! 1. a sender or barcode rule that fired for the rules' choice wins: it is structural evidence;
//! 2. the rules' best candidate being the model's best (after the account's service has settled
//!    the family of both) settles it;
//! 3. otherwise the model alone settles it when its best is at least `confidence` times as
//!    probable as its second;
//! 4. otherwise the item stays in triage, with the rules' candidates and the model's listed.

use postroom_workflows::{Catalogue, Classification, Evidence, Learned, TRIAGE, settled_service};

use crate::Prediction;

/// The fewest different words the model must know in a letter to settle it alone (a scan reading
/// `letter 3`, or an email saying only `see attached`, is a person's to sort).
pub const MIN_KNOWN_WORDS: usize = 3;

/// The confidence the model alone needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// How many times more probable than its second the model's best must be to settle a
    /// letter the rules do not agree on (`classifier.confidence`; 2.0 chosen by cross-validation).
    pub confidence: f32,
}

impl Default for Policy {
    fn default() -> Self {
        Self { confidence: 2.0 }
    }
}

/// Combines `prediction` (from model `version`) with the rules' `classification` of `evidence`.
pub fn decide(
    catalogue: &Catalogue,
    evidence: &Evidence,
    classification: &mut Classification,
    prediction: &Prediction,
    version: i64,
    policy: Policy,
) {
    let settled = settled_service(evidence);
    // The model's best, moved into the settled service's family as the rules' candidates are.
    // A workflow the catalogue does not have (a corpus label a council's own catalogue dropped)
    // is no choice.
    let model_best =
        prediction.ranked.first().and_then(|s| catalogue.get(&s.workflow)).filter(|w| w.id != TRIAGE).map(|w| {
            match &settled {
                Some(s) => catalogue.for_service(w, s.service).id.clone(),
                None => w.id.clone(),
            }
        });
    let rules_best = classification.candidates.first().map(|m| m.workflow.clone());
    let structural = classification.workflow.is_some()
        && classification
            .candidates
            .first()
            .is_some_and(|m| m.fired.iter().any(|f| f.kind == "sender" || f.kind == "barcode"));
    let (workflow, settled_by) = if structural {
        (classification.workflow.clone(), "rules")
    } else if model_best.is_some() && model_best == rules_best {
        (model_best.clone(), "agreement")
    } else if model_best.is_some() && prediction.ratio >= policy.confidence && prediction.known_words >= MIN_KNOWN_WORDS
    {
        (model_best.clone(), "model")
    } else {
        (None, "triage")
    };
    classification.reason = match (&workflow, prediction.ranked.first()) {
        (Some(_), _) => None,
        (None, None) => Some("no rule matched and the model has no reading".to_owned()),
        (None, Some(best)) => {
            let rules = match (&classification.workflow, classification.candidates.first()) {
                (Some(chosen), Some(m)) => format!("the rules chose {chosen} ({})", m.score),
                (None, Some(m)) => format!("the rules' best, {} ({}), is not enough", m.workflow, m.score),
                (_, None) => "no rule matched".to_owned(),
            };
            let model = if prediction.known_words < MIN_KNOWN_WORDS {
                format!(
                    "the model knows too few of its words ({}, {MIN_KNOWN_WORDS} needed) to settle it alone",
                    prediction.known_words
                )
            } else if best.workflow == TRIAGE && prediction.ratio >= policy.confidence {
                format!(
                    "the model reads it as mail for no workflow ({:.0}%, {:.1} times its second)",
                    best.probability * 100.0,
                    prediction.ratio
                )
            } else {
                format!(
                    "the model prefers {} ({:.0}%, {:.1} times its second; {} needed alone)",
                    model_best.as_deref().unwrap_or(&best.workflow),
                    best.probability * 100.0,
                    prediction.ratio,
                    policy.confidence
                )
            };
            Some(format!("{rules}, but {model}: a person decides"))
        }
    };
    classification.workflow = workflow;
    classification.model = Some(Learned {
        version,
        settled_by: settled_by.to_owned(),
        ratio: prediction.ratio,
        confidence: policy.confidence,
        candidates: prediction.ranked.clone(),
        weighed: prediction.weighed.clone(),
    });
}

#[cfg(test)]
mod tests {
    use postroom_workflows::{Scored, Weighed, Weights};

    use super::*;

    fn prediction(best: &str, ratio: f32) -> Prediction {
        Prediction {
            ranked: vec![
                Scored { workflow: best.to_owned(), probability: 0.6 },
                Scored { workflow: "complaint".to_owned(), probability: 0.6 / ratio },
            ],
            weighed: vec![Weighed { word: "word".to_owned(), weight: 0.5 }],
            ratio,
            known_words: 12,
        }
    }

    fn rules(text: &str, sender: Option<&str>) -> (Catalogue, Evidence, Classification) {
        let catalogue = Catalogue::built_in().unwrap();
        let evidence = Evidence { text: text.to_owned(), sender: sender.map(str::to_owned), ..Evidence::default() };
        let c = catalogue.classify(&evidence, 3.0, Weights::default());
        (catalogue, evidence, c)
    }

    #[test]
    fn agreement_settles_even_below_the_rules_threshold() {
        let (cat, ev, mut c) = rules("I am a student now", None);
        assert_eq!(c.workflow, None, "below the threshold the rules alone leave it in triage: {c:?}");
        let best = c.candidates.first().map(|m| m.workflow.clone()).unwrap_or_default();
        assert!(!best.is_empty(), "a rule matched: {c:?}");
        decide(&cat, &ev, &mut c, &prediction(&best, 1.2), 7, Policy::default());
        assert_eq!(c.workflow.as_deref(), Some(best.as_str()));
        let m = c.model.unwrap();
        assert_eq!((m.version, m.settled_by.as_str()), (7, "agreement"));
    }

    #[test]
    fn a_confident_model_settles_what_the_rules_do_not_see_and_an_unsure_one_does_not() {
        let (cat, ev, mut c) = rules("hello there", None);
        decide(&cat, &ev, &mut c, &prediction("ct-refund", 3.0), 1, Policy::default());
        assert_eq!(c.workflow.as_deref(), Some("ct-refund"));
        assert_eq!(c.model.as_ref().unwrap().settled_by, "model");

        let (cat, ev, mut c) = rules("hello there", None);
        decide(&cat, &ev, &mut c, &prediction("ct-refund", 1.5), 1, Policy::default());
        assert_eq!(c.workflow, None);
        let reason = c.reason.unwrap();
        assert!(reason.contains("the model prefers ct-refund (60%, 1.5 times its second; 2 needed alone)"), "{reason}");
    }

    #[test]
    fn a_model_reading_no_workflow_or_one_the_catalogue_lacks_leaves_triage_and_says_why() {
        let (cat, ev, mut c) = rules("hello there", None);
        decide(&cat, &ev, &mut c, &prediction(TRIAGE, 4.0), 1, Policy::default());
        assert_eq!(c.workflow, None);
        let reason = c.reason.unwrap_or_default();
        assert!(reason.contains("mail for no workflow (60%, 4.0 times its second)"), "{reason}");

        let (cat, ev, mut c) = rules("hello there", None);
        decide(&cat, &ev, &mut c, &prediction("ct-withdrawn-workflow", 9.0), 1, Policy::default());
        assert_eq!(c.workflow, None, "a workflow the catalogue does not have is never chosen");
    }

    #[test]
    fn a_letter_of_too_few_known_words_is_not_settled_by_the_model_alone() {
        let (cat, ev, mut c) = rules("letter 3", None);
        let thin = Prediction { known_words: 1, ..prediction("complaint", 9.0) };
        decide(&cat, &ev, &mut c, &thin, 1, Policy::default());
        assert_eq!(c.workflow, None);
        let reason = c.reason.unwrap_or_default();
        assert!(reason.contains("knows too few of its words (1, 3 needed)"), "{reason}");
    }

    #[test]
    fn a_rule_on_the_sender_wins_over_the_model() {
        let (cat, ev, mut c) = rules("Please see the attached.", Some("benefits@dwp.gov.uk"));
        let chosen = c.workflow.clone();
        assert!(chosen.is_some(), "the DWP sender rule chooses a workflow: {c:?}");
        decide(&cat, &ev, &mut c, &prediction("ct-refund", 9.0), 1, Policy::default());
        assert_eq!(c.workflow, chosen);
        assert_eq!(c.model.unwrap().settled_by, "rules");
    }

    #[test]
    fn the_account_service_moves_the_models_choice_into_its_family() {
        let (cat, mut ev, mut c) = rules("hello there", None);
        ev.services = vec![postroom_workflows::Service::BusinessRates];
        decide(&cat, &ev, &mut c, &prediction("ct-refund", 3.0), 1, Policy::default());
        assert_eq!(c.workflow.as_deref(), Some("br-refund"));
    }
}

//! The learned half of the classifier. A word model (TF-IDF of the customer's own words into a
//! multinomial logistic regression) is trained on the labelled corpus shipped in the repository
//! plus the council's own decisions (every manual index and team-leader re-route), and combined
//! with the explainable rules of `postroom-workflows` ([`decide`]): a rule that fires on a
//! sender or a barcode still wins, the rules and the model agreeing settles it, the model alone
//! settles it when it is confident enough, and the rest goes to triage with both sets of
//! candidates. Sentence embeddings (all-MiniLM-L6-v2 through candle) were measured against this
//! model on the held-out corpus and scored lower; the figures are in the README.

mod corpus;
mod decide;
mod features;
mod model;

pub use corpus::{Example, ShippedCorpus, shipped};
pub use decide::{MIN_KNOWN_WORDS, Policy, decide};
pub use model::{LearnError, Prediction, WordModel};

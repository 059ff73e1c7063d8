//! The workflow catalogue: one TOML file per correspondence type in `workflows/`, built into the
//! binary and optionally extended or replaced by a directory on disk, loaded and validated at
//! start-up (a bad file stops start-up naming the file, the key and the reason),
//! the explainable classifier that scores each workflow's match rules against a letter, and the
//! finder of account identifiers (references, UPRNs, postcodes) in its text, and the Bacs rule
//! that sets each report line's priority and deadline ([`bacs`]), and the recovery notice's 7 days
//! a payment arrangement is due within ([`reminder`]).

pub mod bacs;
mod catalogue;
mod classify;
mod family;
mod identifiers;
mod negation;
mod parse;
pub mod reminder;
mod safeguarding;
mod source;
mod stage;
mod text;

pub use catalogue::{
    Catalogue, CatalogueError, Escalation, MatchRules, Service, TEMPLATE_VARIANTS, TRIAGE, Target, TemplateFile,
    Workflow,
};
pub use classify::{Classification, Evidence, Fired, Learned, Match, Placement, Raise, Scored, Weighed, Weights};
pub use family::{Settled, TIE_BREAK, company_sender, settled_service};
pub use identifiers::{Found, IdentifierFinder, normalise_postcode};
pub use safeguarding::{Category, Lexicon, SafeguardingHit};
pub use source::{BUILT_IN_NAME, Source};
pub use stage::Stage;
pub use text::{Reading, mask_streets, read_letter};

//! Postroom event handlers: what happens after correspondence is received.
//!
//! For now every received item opens a work item in the `triage` queue, due a configurable
//! number of working days after receipt on the England & Wales calendar. Classification
//! (choosing a workflow, matching accounts) replaces this for what it can recognise.

pub mod triage;

pub use triage::OpenTriageItem;

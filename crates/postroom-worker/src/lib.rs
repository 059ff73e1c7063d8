//! Postroom event handlers: what happens after correspondence is received.
//!
//! For now every received item opens a work item in the `triage` queue, due a configurable
//! number of working days after receipt on the England & Wales calendar, and the text of its
//! documents is read on the OCR queue (PDF text layer, else tesseract). Objects announced by
//! bucket notifications are received like uploads. Classification
//! (choosing a workflow, matching accounts) replaces this for what it can recognise.

mod arrangement;
pub mod bucket;
pub mod classify;
mod collection;
pub mod drop_folder;
pub mod learner;
pub mod logged_key;
pub mod matching;
pub mod oversight;
mod report;
mod safeguarding;
pub mod send;
pub mod text;
pub mod timers;
pub mod triage;

pub use bucket::BucketNotifications;
pub use classify::Classify;
pub use drop_folder::{DropFolderSettings, DropFolders};
pub use learner::{LearnSettings, Learner};
pub use oversight::{DigestSettings, Oversight};
pub use send::{SendReplies, Sender, Transport};
pub use text::ExtractText;
pub use timers::{TimerSettings, WorkTimers};
pub use triage::OpenTriageItem;

//! Every work-item use case in one place: the lifecycle actions (claim, release, pend, resume,
//! refer, return, reassign, cancel, reopen, notes), claim next, completion with typed account
//! changes and four-eyes approval, indexing and applying a classification, the customer writing
//! again, and the timers (expired claims, bring-forward dates).
//!
//! Every state change takes one path: check who may (the table in [`lifecycle`]), advance the
//! item conditional on its version and audit it (`postroom_db::casework::advance`), write the
//! `workitem.updated` event to the outbox (`transition::advance`), commit, and wake the relay.
//! [`Casework::transition`] does all of it for a single action; completion, claim next, indexing
//! and the timers add their own steps inside the same transaction. The HTTP API and
//! the workers are thin adapters: they parse, call a use case here, and map the result or the
//! [`CaseworkError`].

mod actions;
mod claim;
mod classification;
mod completion;
mod error;
pub mod lifecycle;
pub mod oversight;
mod priorities;
mod replies;
mod requests;
mod safeguarding;
mod sla;
mod text;
mod timers;
mod transition;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use postroom_accounts::ApprovalPolicy;
use postroom_domain::WorkingCalendar;
use postroom_workflows::Catalogue;

pub use classification::{Classification, IndexRequest};
pub use completion::{
    Answer, CompleteRequest, Completion, DecisionRequest, Idempotent, ReplyChannel, ReplyRequest, StoredAnswer,
    approval_reasons_of,
};
pub use error::{CaseworkError, FieldError};
pub use lifecycle::{Action, CancelReason};
pub use priorities::{BulkOutcome, MAX_BULK_ITEMS};
pub use replies::{
    Begun, MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Outcome, PrintedBatch, PrintedRequest, ReplyApproval, ReplyEdit,
    ReplyIdentity, ReplyPreview, Replying, SENDER, long_date,
};
pub use requests::{
    CancelRequest, NoteRequest, PendRequest, PrioritiseRequest, ReassignManyRequest, ReassignRequest, ReferRequest,
    ReopenRequest, RerouteRequest,
};
pub use safeguarding::is_safeguarding;
pub use text::MAX_REASON_CHARS;
pub use timers::TimerRound;
pub use transition::{ActionRequest, Caller};

/// The work-item use cases, with what they need: the database, the workflow catalogue, the
/// working-day calendar, the approval policy, what replies are drafted with, and the outbox
/// relay's wake-up.
#[derive(Clone)]
pub struct Casework {
    db: DatabaseConnection,
    catalogue: Arc<Catalogue>,
    calendar: Arc<WorkingCalendar>,
    approval: Arc<ApprovalPolicy>,
    replying: Arc<Replying>,
    outbox_wake: Arc<Notify>,
}

impl Casework {
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        catalogue: Arc<Catalogue>,
        calendar: Arc<WorkingCalendar>,
        approval: Arc<ApprovalPolicy>,
        replying: Arc<Replying>,
        outbox_wake: Arc<Notify>,
    ) -> Self {
        Self { db, catalogue, calendar, approval, replying, outbox_wake }
    }

    /// The working-day calendar deadlines are counted on.
    #[must_use]
    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// The figures charges are computed from: the classifier works out an account's instalments
    /// (its next Direct Debit collection) with them.
    #[must_use]
    pub fn rates(&self) -> &postroom_accounts::Rates {
        &self.replying.rates
    }

    /// Wakes the outbox relay after a commit that wrote events.
    pub(crate) fn wake(&self) {
        self.outbox_wake.notify_one();
    }
}

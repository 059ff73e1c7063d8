//! What handlers share.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use postroom_auth::TokenVerifier;
use postroom_intake::{EmailIntake, ScanIntake};
use postroom_storage::ObjectStorage;

/// Application state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub storage: ObjectStorage,
    pub verifier: Arc<dyn TokenVerifier>,
    pub scans: ScanIntake,
    pub emails: EmailIntake,
    /// The working-day calendar deadlines are counted on.
    pub calendar: Arc<postroom_domain::WorkingCalendar>,
    /// The workflow catalogue.
    pub catalogue: Arc<postroom_workflows::Catalogue>,
    /// Every work-item use case (actions, claim next, completion, indexing).
    pub casework: postroom_casework::Casework,
    /// Band D, local percentages and multipliers charges are computed from (`[charges]`).
    pub rates: Arc<postroom_accounts::Rates>,
    /// Wakes the outbox relay after a commit that wrote events.
    pub outbox_wake: Arc<Notify>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Slots for the searches a caller shapes, so they never take the whole pool.
    pub search_slots: crate::slots::SearchSlots,
    /// RabbitMQ session status, when a broker is configured and this process runs workers.
    pub broker: Option<postroom_queue::amqp::BrokerStatus>,
    /// An open item due within this many working days (or overdue) is at risk
    /// (`team_leaders.warning_working_days`).
    pub warning_working_days: u32,
}

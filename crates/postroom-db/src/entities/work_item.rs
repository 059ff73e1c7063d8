//! `work_items`: a piece of work with a queue, a priority and a deadline.

use postroom_domain::{Priority, WorkItemStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub reference: String,
    pub correspondence_id: Option<Uuid>,
    pub workflow: String,
    pub queue: String,
    pub priority: Priority,
    pub status: WorkItemStatus,
    pub received_at: DateTimeUtc,
    pub due_on: Date,
    pub assignee: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub claimed_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// The classifier's decision and evidence (JSON).
    pub classification: Option<String>,
    /// The claim holder's last action on the item (a claim expires after inactivity).
    pub active_at: Option<DateTimeUtc>,
    /// While awaiting the customer: the day the SLA clock paused.
    pub paused_on: Option<Date>,
    /// While awaiting the customer: the day it comes back by itself.
    pub bring_forward_on: Option<Date>,
    /// While referred: the queue it returns to.
    pub home_queue: Option<String>,
    /// While awaiting approval: the completion (changes, reply, outcome) as JSON.
    pub pending_completion: Option<String>,
    /// Who completed it (for four-eyes: the approver must be someone else).
    pub completed_by: Option<String>,
    /// The UK day it was received (`received_at` in Europe/London).
    pub received_on: Option<Date>,
    /// The UK day it was last closed (done or cancelled); cleared when it is reopened.
    pub closed_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::work_item_event::Entity")]
    Events,
}

impl Related<super::work_item_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Events.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

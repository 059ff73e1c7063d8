//! What the send worker records: taking an approved email for sending (a lease, so a second
//! delivery of the same event waits instead of sending twice), and each attempt's outcome.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use uuid::Uuid;

use postroom_db::{entities::reply, replies, work_items};
use postroom_domain::events::{REPLY_FAILED, REPLY_SENT};

use super::announce;
use crate::{Casework, CaseworkError};

/// The send worker's name in audit entries and events.
pub const SENDER: &str = "postroom";

/// What [`Casework::begin_sending`] found.
#[derive(Debug, Clone)]
pub enum Begun {
    /// Taken for sending now (status `sending`, attempts counted).
    Send(reply::Model),
    /// Another attempt holds it and its lease has not run out: try again later.
    Busy(String),
    /// An earlier attempt took it and never recorded an outcome (the process stopped while
    /// sending): the customer may have it.
    Interrupted(reply::Model),
    /// Nothing to do: it was sent, batched, failed or is not approved.
    Done(reply::Model),
}

/// An attempt's outcome, recorded with the event's processing.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The mail server accepted it (or it was written to the outbox directory).
    Sent { stored_key: String, response: String },
    /// The mail server refused it for good.
    Failed { reason: String },
    /// It may have reached the mail server: never sent again without a person deciding.
    Unconfirmed { reason: String },
    /// A letter, stored and put in the day's print batch.
    Batched { stored_key: String, day: NaiveDate },
}

impl Casework {
    /// Takes approved email `id` for sending, unless an attempt holds it (a lease of `lease`).
    ///
    /// # Errors
    /// 404; the database failing.
    #[tracing::instrument(skip_all, fields(reply = %id))]
    pub async fn begin_sending(&self, id: Uuid, lease: Duration) -> Result<Begun, CaseworkError> {
        let current = self.reply(id).await?;
        let now = Utc::now();
        match current.status.as_str() {
            "approved" => {
                let changes = reply::ActiveModel {
                    status: Set("sending".to_owned()),
                    attempts: Set(current.attempts + 1),
                    sending_since: Set(Some(now)),
                    ..Default::default()
                };
                if replies::update_if(&self.db, id, &["approved"], Some(current.version), changes).await? {
                    Ok(Begun::Send(self.reply(id).await?))
                } else {
                    Ok(Begun::Busy(format!("reply {id} was taken by another attempt")))
                }
            }
            "sending" => {
                let since = current.sending_since.unwrap_or(current.updated_at);
                let held = now.signed_duration_since(since).to_std().unwrap_or_default();
                if held < lease {
                    Ok(Begun::Busy(format!("reply {id} is being sent by another attempt (since {since})")))
                } else {
                    Ok(Begun::Interrupted(current))
                }
            }
            _ => Ok(Begun::Done(current)),
        }
    }

    /// Gives a reply taken for sending back (the mail server certainly did not take it), with
    /// why, so a later attempt sends it.
    ///
    /// # Errors
    /// The database failing.
    pub async fn defer_sending(&self, id: Uuid, reason: &str) -> Result<(), CaseworkError> {
        let changes = reply::ActiveModel {
            status: Set("approved".to_owned()),
            sending_since: Set(None),
            last_error: Set(Some(reason.to_owned())),
            ..Default::default()
        };
        replies::update_if(&self.db, id, &["sending"], None, changes).await?;
        Ok(())
    }

    /// Records an attempt's outcome on reply `id` in `txn` (the event's processing commits with
    /// it), with `reply.sent` or `reply.failed`. Nothing when another attempt recorded first.
    ///
    /// # Errors
    /// The database failing.
    #[tracing::instrument(skip_all, fields(reply = %id))]
    pub async fn record_sending(
        &self,
        txn: &DatabaseTransaction,
        id: Uuid,
        outcome: Outcome,
    ) -> Result<(), CaseworkError> {
        let now = Utc::now();
        let (from, changes, event, reason) = match &outcome {
            // A slow attempt whose lease ran out may find its reply marked unconfirmed by
            // another: the server's acceptance settles it.
            Outcome::Sent { stored_key, response } => (
                &["sending", "unconfirmed"][..],
                reply::ActiveModel {
                    status: Set("sent".to_owned()),
                    stored_key: Set(Some(stored_key.clone())),
                    server_response: Set(Some(response.clone())),
                    sent_at: Set(Some(now)),
                    sending_since: Set(None),
                    last_error: Set(None),
                    ..Default::default()
                },
                Some(REPLY_SENT),
                None,
            ),
            Outcome::Failed { reason } | Outcome::Unconfirmed { reason } => (
                &["sending"][..],
                reply::ActiveModel {
                    status: Set(
                        if matches!(outcome, Outcome::Failed { .. }) { "failed" } else { "unconfirmed" }.to_owned()
                    ),
                    sending_since: Set(None),
                    last_error: Set(Some(reason.clone())),
                    ..Default::default()
                },
                Some(REPLY_FAILED),
                Some(reason.as_str()),
            ),
            Outcome::Batched { stored_key, day } => {
                let batch = replies::open_batch(txn, *day, now).await?;
                (
                    &["approved"][..],
                    reply::ActiveModel {
                        status: Set("batched".to_owned()),
                        stored_key: Set(Some(stored_key.clone())),
                        print_batch_id: Set(Some(batch.id)),
                        sent_at: Set(Some(now)),
                        ..Default::default()
                    },
                    None,
                    None,
                )
            }
        };
        if !replies::update_if(txn, id, from, None, changes).await? {
            tracing::info!(reply = %id, "outcome already recorded by another attempt");
            return Ok(());
        }
        if let Some(event) = event {
            let fresh = replies::find(txn, id).await?.ok_or_else(|| CaseworkError::NotFound(format!("reply {id}")))?;
            let item = work_items::get(txn, fresh.work_item_id)
                .await?
                .ok_or_else(|| CaseworkError::NotFound(format!("work item {}", fresh.work_item_id)))?;
            announce(txn, &fresh, &item, event, SENDER, reason, now).await?;
        }
        Ok(())
    }
}

//! Claim next: the most urgent ready item across the queues the caller works.

use chrono::Utc;
use sea_orm::TransactionTrait;

use postroom_db::{entities::work_item, queues};

use crate::{Action, Caller, Casework, CaseworkError, transition::announce};

impl Casework {
    /// Claims the next item for the caller across the queues they work: highest priority, then
    /// earliest due, then oldest received. Exactly one item, exclusive under concurrency
    /// (`postroom_db::casework::claim_next`). `None` when nothing is ready.
    ///
    /// # Errors
    /// 403 for a role that may not claim, or a caller with no queues.
    #[tracing::instrument(skip_all, fields(user = %caller.user))]
    pub async fn claim_next(&self, caller: &Caller) -> Result<Option<work_item::Model>, CaseworkError> {
        caller.may(Action::Claim)?;
        let mine = queues::of_user(&self.db, &caller.user).await?;
        if mine.is_empty() {
            return Err(CaseworkError::Forbidden(format!(
                "{} has no queues to work; a team leader assigns them with PUT /api/v1/officers/{}/queues",
                caller.user, caller.user
            )));
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let Some(item) = postroom_db::casework::claim_next(&txn, &caller.user, &mine, now).await? else {
            txn.rollback().await?;
            return Ok(None);
        };
        announce(&txn, &item, None, now).await?;
        txn.commit().await?;
        self.wake();
        Ok(Some(item))
    }
}

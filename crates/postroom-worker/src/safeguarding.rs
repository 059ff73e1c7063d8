//! A letter from a person at risk: `workitem.safeguarding` is written in the classifier's
//! transaction, so the safeguarding lead hears of it whatever queue the item goes to.

use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_db::{entities::work_item, outbox};
use postroom_domain::events::{WORK_ITEM_SAFEGUARDING, WorkItemSafeguarding};
use postroom_workflows::Classification;

/// Writes `workitem.safeguarding` for `item` when `c` found a safeguarding hit.
pub(crate) async fn announce(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    c: &Classification,
    correlation_id: Option<&str>,
) -> anyhow::Result<()> {
    if c.safeguarding.is_empty() {
        return Ok(());
    }
    let payload = WorkItemSafeguarding {
        work_item_id: item.id,
        reference: item.reference.clone(),
        correspondence_id: item.correspondence_id,
        categories: c.safeguarding.iter().map(|h| h.category.clone()).collect(),
        reasons: c.safeguarding.iter().map(|h| format!("{}: \"{}\"", h.reason, h.phrase)).collect(),
    };
    let mut event =
        outbox::NewEvent::new(WORK_ITEM_SAFEGUARDING, &payload)?.correlated(correlation_id.map(str::to_owned));
    event.priority = Some(postroom_domain::Priority::P1.rank());
    outbox::enqueue(txn, event, Utc::now()).await?;
    tracing::warn!(work_item = %item.reference, categories = ?payload.categories, "safeguarding item");
    Ok(())
}

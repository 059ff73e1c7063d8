//! A letter from a person at risk: `workitem.safeguarding` is written in the classifier's
//! transaction, so the safeguarding lead hears of it whatever queue the item goes to.

use chrono::Utc;
use sea_orm::DatabaseTransaction;

use postroom_casework::Casework;
use postroom_db::{correspondence, entities::work_item, outbox};
use postroom_domain::events::{WORK_ITEM_SAFEGUARDING, WorkItemSafeguarding};
use postroom_workflows::{Catalogue, Classification, SafeguardingHit, read_letter};

/// Writes `workitem.safeguarding` for `item` when `c` found a safeguarding hit.
pub(crate) async fn announce(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    c: &Classification,
    correlation_id: Option<&str>,
) -> anyhow::Result<()> {
    announce_hits(txn, item, &c.safeguarding, correlation_id).await
}

/// Writes `workitem.safeguarding` for `item` when there are `hits`.
async fn announce_hits(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    hits: &[SafeguardingHit],
    correlation_id: Option<&str>,
) -> anyhow::Result<()> {
    if hits.is_empty() {
        return Ok(());
    }
    let payload = WorkItemSafeguarding {
        work_item_id: item.id,
        reference: item.reference.clone(),
        correspondence_id: item.correspondence_id,
        categories: hits.iter().map(|h| h.category.clone()).collect(),
        reasons: hits.iter().map(|h| format!("{}: \"{}\"", h.reason, h.phrase)).collect(),
    };
    let mut event =
        outbox::NewEvent::new(WORK_ITEM_SAFEGUARDING, &payload)?.correlated(correlation_id.map(str::to_owned));
    event.priority = Some(postroom_domain::Priority::P1.rank());
    outbox::enqueue(txn, event, Utc::now()).await?;
    tracing::warn!(work_item = %item.reference, categories = ?payload.categories, "safeguarding item");
    Ok(())
}

/// Correspondence that is not classified itself (it joined an open item, or its item was
/// indexed by hand before its text was read) is still read for a person at risk: on a hit, each
/// of `items` becomes a safeguarding item (P1, only a team leader closes it) and
/// `workitem.safeguarding` is written.
pub(crate) async fn check_joined(
    txn: &DatabaseTransaction,
    casework: &Casework,
    catalogue: &Catalogue,
    corr: &postroom_db::entities::correspondence::Model,
    items: &[work_item::Model],
    correlation_id: Option<&str>,
) -> anyhow::Result<()> {
    let docs = correspondence::documents_of(txn, &[corr.id]).await?;
    let text = crate::classify::bounded(correspondence::joined_text(&docs));
    let subject = corr.subject.clone().unwrap_or_default();
    let reading = read_letter(Some(&subject), &text);
    let hits = catalogue.safeguarding().find_in_letter(&reading.own, &format!("{subject}\n{text}"));
    if hits.is_empty() {
        return Ok(());
    }
    for item in items {
        let flagged =
            casework.flag_safeguarding(txn, item, serde_json::to_value(&hits)?, corr.id, correlation_id).await?;
        announce_hits(txn, &flagged, &hits, correlation_id).await?;
    }
    Ok(())
}

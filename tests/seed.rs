//! Seeding straight into the database: work items for the tests of officer work, and accounts
//! (a property, its live account and one liable party) for the tests of charges, reliefs and
//! the Bacs rule.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use postroom_db::entities::{account, party, property};

/// A property, its account and its liable party.
#[derive(Debug, Clone)]
pub struct BilledAccount<'a> {
    pub reference: &'a str,
    /// `council_tax` or `business_rates`.
    pub service: &'a str,
    pub address: String,
    pub postcode: &'a str,
    pub band: Option<&'a str>,
    /// In pounds.
    pub rateable_value: Option<i64>,
    pub billing_authority: Option<&'a str>,
    pub retail_hospitality_leisure: bool,
    pub party: &'a str,
    /// With an address, the party prefers email.
    pub email: Option<&'a str>,
    pub liable_from: Option<NaiveDate>,
}

/// Inserts `a` and returns the account's id.
///
/// # Errors
/// When the database refuses a row.
pub async fn seed_billed_account(db: &impl ConnectionTrait, a: &BilledAccount<'_>) -> anyhow::Result<Uuid> {
    let now = chrono::Utc::now();
    let (property_id, account_id) = (Uuid::now_v7(), Uuid::now_v7());
    property::Entity::insert(property::ActiveModel {
        id: Set(property_id),
        uprn: Set(None),
        address: Set(a.address.clone()),
        postcode: Set(Some(a.postcode.to_owned())),
        council_tax_band: Set(a.band.map(str::to_owned)),
        rateable_value_pence: Set(a.rateable_value.map(|pounds| pounds * 100)),
        created_at: Set(now),
        updated_at: Set(now),
        billing_authority: Set(a.billing_authority.map(str::to_owned)),
        retail_hospitality_leisure: Set(a.retail_hospitality_leisure),
    })
    .exec_without_returning(db)
    .await?;
    account::Entity::insert(account::ActiveModel {
        id: Set(account_id),
        reference: Set(a.reference.to_owned()),
        service: Set(a.service.to_owned()),
        property_id: Set(Some(property_id)),
        status: Set("live".to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        recovery_stage: Set(None),
        vulnerable: Set(false),
        instalments: Set(10),
    })
    .exec_without_returning(db)
    .await?;
    party::Entity::insert(party::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        name: Set(a.party.to_owned()),
        party_role: Set("liable".to_owned()),
        liable_from: Set(a.liable_from),
        liable_to: Set(None),
        email: Set(a.email.map(str::to_owned)),
        phone: Set(None),
        postal_address: Set(None),
        created_at: Set(now),
        preferred_channel: Set(a.email.map(|_| "email".to_owned())),
        forwarding_address: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(account_id)
}

/// A work item to seed.
#[derive(Debug, Clone)]
pub struct SeedItem<'a> {
    pub workflow: &'a str,
    pub queue: &'a str,
    pub priority: postroom_domain::Priority,
    pub due_on: chrono::NaiveDate,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub accounts: &'a [&'a str],
}

impl Default for SeedItem<'_> {
    fn default() -> Self {
        let now = chrono::Utc::now();
        Self {
            workflow: "ct-general-enquiry",
            queue: "ct-enquiries",
            priority: postroom_domain::Priority::P3,
            due_on: postroom_domain::london_date(now) + chrono::Days::new(10),
            received_at: now,
            accounts: &[],
        }
    }
}

/// Opens a ready work item on `db` (see [`TestApp::seed_item`]).
pub async fn seed_item_on(db: &impl ConnectionTrait, item: &SeedItem<'_>) -> anyhow::Result<uuid::Uuid> {
    let now = chrono::Utc::now();
    let new = postroom_db::work_items::NewWorkItem {
        correspondence_id: None,
        workflow: item.workflow.to_owned(),
        queue: item.queue.to_owned(),
        priority: item.priority,
        status: postroom_domain::WorkItemStatus::Ready,
        received_at: item.received_at,
        due_on: item.due_on,
        reason: Some("seeded by a test".to_owned()),
    };
    let created = postroom_db::work_items::create(db, new, "test", now).await?;
    let refs: Vec<String> = item.accounts.iter().map(|r| (*r).to_owned()).collect();
    for a in postroom_db::accounts::by_references(db, &refs).await? {
        postroom_db::accounts::link_to_item(db, created.id, a.id, "indexed", now).await?;
    }
    Ok(created.id)
}

/// Mrs Jane Doe's Council Tax account at 4 Acacia Avenue, the account most tests seed.
pub const ACACIA_AVENUE: SeedAccount<'static> = SeedAccount {
    reference: "5000012345",
    service: "council_tax",
    address: "4 Acacia Avenue, Barchester",
    postcode: "BC1 4AA",
    uprn: Some(100_012_345),
    party: "Mrs Jane Doe",
    recovery_stage: None,
    vulnerable: false,
};

/// An account for [`TestApp::seed_account`].
#[derive(Debug, Clone, Copy)]
pub struct SeedAccount<'a> {
    pub reference: &'a str,
    /// `council_tax` or `business_rates`.
    pub service: &'a str,
    pub address: &'a str,
    pub postcode: &'a str,
    pub uprn: Option<i64>,
    pub party: &'a str,
    /// E.g. `summons`, `liability_order`.
    pub recovery_stage: Option<&'a str>,
    pub vulnerable: bool,
}

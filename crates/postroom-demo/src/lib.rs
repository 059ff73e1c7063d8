//! The demo district behind `postroom seed-demo`: a made-up district, Kingsbridge Vale, to try
//! Postroom on.
//!
//! Thousands of properties and accounts across both services (about 90% Council Tax with a
//! realistic band skew, 10% Business Rates with rateable values by kind of premises), single
//! person discounts, small business and charitable reliefs, Direct Debits for about 60%,
//! recovery stages for about 8%, a few vulnerable customers and former occupiers' closed
//! accounts; then sample emails and scanned letters quoting the demo accounts, received through
//! the same intake as the API, so `postroom serve` classifies them into the teams' queues.
//!
//! Everything is drawn from a `ChaCha` RNG with a fixed seed: the same `--accounts` and `--seed`
//! give the same district. Postcodes use the made-up area `KV` (valid in form, not in use);
//! email addresses use the reserved `example.*` domains.

mod district;
mod samples;
mod tables;
#[cfg(test)]
mod tests;

use std::fmt;

use bytes::Bytes;
use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use postroom_accounts::{Service, category};
use postroom_db::{
    accounts::{self, AccountStatus, NewAccount},
    entities::account,
};
use postroom_domain::Channel;
use postroom_intake::{EmailIntake, IncomingEmail, OnLimit, ScanBatch, ScanFile, ScanIntake};

pub use district::district;
pub use samples::{Sample, SampleBody, correspondence};

/// What to create.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub accounts: usize,
    pub correspondence: usize,
    pub seed: u64,
}

/// What was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub council_tax: usize,
    pub business_rates: usize,
    pub closed: usize,
    pub properties: usize,
    pub mandates: usize,
    pub single_person_discounts: usize,
    pub small_business_reliefs: usize,
    pub charitable_reliefs: usize,
    pub in_recovery: usize,
    pub vulnerable: usize,
    pub emails: usize,
    pub letters: usize,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "created the Kingsbridge Vale demo district: {} accounts ({} council tax, {} business rates; {} closed) at {} \
             properties",
            self.council_tax + self.business_rates,
            self.council_tax,
            self.business_rates,
            self.closed,
            self.properties
        )?;
        writeln!(f, "  {} direct debit mandates", self.mandates)?;
        writeln!(
            f,
            "  {} single person discounts, {} small business and {} charitable reliefs",
            self.single_person_discounts, self.small_business_reliefs, self.charitable_reliefs
        )?;
        writeln!(f, "  {} accounts in recovery, {} marked vulnerable", self.in_recovery, self.vulnerable)?;
        write!(
            f,
            "received {} emails and {} scanned letters: start `postroom serve` and the workers classify them into \
             the queues",
            self.emails, self.letters
        )
    }
}

/// Creates the demo district in `db` and receives its correspondence through `emails` and
/// `scans` (the same intake as the API), so a running service's workers classify it.
///
/// # Errors
/// When the database already has accounts (the demo is for an empty one), or the database,
/// storage or intake fails.
pub async fn seed(
    db: &DatabaseConnection,
    emails: &EmailIntake,
    scans: &ScanIntake,
    options: DemoOptions,
) -> anyhow::Result<DemoSummary> {
    let existing = account::Entity::find().count(db).await?;
    if existing > 0 {
        anyhow::bail!(
            "the database already has {existing} accounts: seed-demo only fills an empty database (use a fresh \
             data_dir or database)"
        );
    }
    let district = district(options.accounts, options.seed);
    let mut summary = summarise(&district);
    let txn = db.begin().await?;
    for account in &district {
        accounts::insert_account(&txn, account).await?;
    }
    txn.commit().await?;
    accounts::analyse_after_load(db).await?;
    let now = Utc::now();
    for (i, sample) in correspondence(&district, options.correspondence, options.seed)?.into_iter().enumerate() {
        let minutes_ago = i64::try_from(options.correspondence - i).unwrap_or(0) * 7;
        match sample.body {
            SampleBody::Email(raw) => {
                let email = IncomingEmail {
                    raw: Bytes::from(raw),
                    channel: Channel::Email,
                    delivered_at: Some(now - Duration::minutes(minutes_ago)),
                    correlation_id: Some("seed-demo".to_owned()),
                    on_limit: OnLimit::Refuse,
                };
                emails.receive(email, now).await?;
                summary.emails += 1;
            }
            SampleBody::Letter { filename, pdf } => {
                let batch = ScanBatch {
                    files: vec![ScanFile { filename: Some(filename), bytes: Bytes::from(pdf) }],
                    received_on: None,
                    batch: Some("DEMO-POST".to_owned()),
                    correlation_id: Some("seed-demo".to_owned()),
                    channel: Channel::Scan,
                };
                scans.receive(batch, now).await?;
                summary.letters += 1;
            }
        }
    }
    Ok(summary)
}

pub(crate) fn summarise(district: &[NewAccount]) -> DemoSummary {
    let mut s = DemoSummary::default();
    let mut uprns = std::collections::BTreeSet::new();
    for a in district {
        match a.service {
            Service::CouncilTax => s.council_tax += 1,
            Service::BusinessRates => s.business_rates += 1,
        }
        s.closed += usize::from(a.status == AccountStatus::Closed);
        uprns.insert(a.property.uprn);
        s.mandates += usize::from(a.mandate.is_some());
        for adj in &a.adjustments {
            match (adj.category.as_str(), adj.code.as_str()) {
                (category::DISCOUNT, "single_person") => s.single_person_discounts += 1,
                (category::RELIEF, "small_business") => s.small_business_reliefs += 1,
                (category::RELIEF, "charitable") => s.charitable_reliefs += 1,
                _ => {}
            }
        }
        s.in_recovery += usize::from(a.recovery_stage.is_some());
        s.vulnerable += usize::from(a.vulnerable);
    }
    s.properties = uprns.len();
    s
}

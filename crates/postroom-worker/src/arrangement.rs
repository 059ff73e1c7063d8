//! A payment arrangement answering a recovery notice is due before the notice's 7 days run out
//! (SI 1992/613 reg 23(1), reg 33; SI 1989/1058 reg 8; see
//! [`postroom_workflows::reminder`]). The notice is the linked account's recovery stage
//! (`reminder`, `second_reminder` or `final_notice`), and its date the recorded step's (the
//! notice's issue date), else the day the account history recorded the move to that stage.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use postroom_db::{account_changes, accounts, entities::account};
use postroom_domain::{ChangeKind, london_date};
use postroom_workflows::{
    Placement, Service, Workflow,
    reminder::{before_notice_runs_out, notice_rule},
};

use crate::{Classify, matching::AccountMatch};

/// The kind of the payment-arrangement workflows.
const PAYMENT_ARRANGEMENT: &str = "payment_arrangement";

/// Category of the account adjustment that records a recovery step with its date (code: the
/// stage; from: the day the notice was issued).
const RECOVERY_NOTICE: &str = "recovery_notice";

/// The day the notice of the account's current recovery stage was issued: the latest recorded
/// step of that stage (a `recovery_notice` with its date), else the day the account history
/// recorded the move to that stage.
///
/// # Errors
/// When the database fails.
pub(crate) async fn notice_issued_on(
    conn: &impl ConnectionTrait,
    account: &account::Model,
) -> anyhow::Result<Option<NaiveDate>> {
    let Some(stage) = account.recovery_stage.as_deref() else { return Ok(None) };
    let recorded = account_changes::adjustments(conn, account.id)
        .await?
        .into_iter()
        .filter(|a| a.category == RECOVERY_NOTICE && a.code == stage)
        .map(|a| a.valid_from)
        .max();
    if recorded.is_some() {
        return Ok(recorded);
    }
    let kind = ChangeKind::RecoveryStage.as_str();
    let history = account_changes::history(conn, account.id).await?;
    Ok(history.iter().rev().filter(|h| h.change_kind == kind).find_map(|h| {
        let after: serde_json::Value = serde_json::from_str(h.after.as_deref()?).ok()?;
        (after["recovery_stage"].as_str() == Some(stage)).then(|| london_date(h.occurred_at))
    }))
}

impl Classify {
    /// `placement` of a payment-arrangement item received at `received_at`, due before the 7
    /// days of each linked account's recovery notice run out; any other workflow's unchanged.
    pub(crate) async fn place_arrangement(
        &self,
        txn: &DatabaseTransaction,
        w: &Workflow,
        received_at: chrono::DateTime<chrono::Utc>,
        mut placement: Placement,
        found: &AccountMatch,
    ) -> anyhow::Result<Placement> {
        if w.kind.as_deref() != Some(PAYMENT_ARRANGEMENT) {
            return Ok(placement);
        }
        let received = london_date(received_at);
        let references: Vec<String> = found.linked.iter().map(|l| l.reference.clone()).collect();
        for a in accounts::by_references(txn, &references).await? {
            let (Some(stage), Ok(service)) = (a.recovery_stage.as_deref(), a.service.parse::<Service>()) else {
                continue;
            };
            if notice_rule(service, stage).is_none() {
                continue;
            }
            if let Some(issued) = notice_issued_on(txn, &a).await? {
                placement = before_notice_runs_out(&self.calendar, received, placement, service, stage, issued);
            }
        }
        Ok(placement)
    }
}

//! When a change needs a team leader's approval: kinds that always do, money over the officer's
//! limit, and changes backdated beyond the policy's allowance.

use chrono::NaiveDate;

use postroom_charges::Pence;

use super::{Change, rules::days_before};
use crate::state::{AccountState, ApprovalPolicy};

impl Change {
    /// Why this change needs a team leader's approval under `policy`, if it does: kinds that
    /// always do, a refund or write-off of more than `policy.amount_pence`, a discount, exemption, premium exception, disabled band reduction or relief backdated more than
    /// `policy.backdate_days`, and a band or rateable value reduction backdated that far (it
    /// creates a refund). Without the account's state a band change counts as a reduction when
    /// it takes effect before the list was altered (a band increase never does), and so does a
    /// backdated rateable value change (it may be either); use [`Change::approval_reason_for`]
    /// where the state is known.
    #[must_use]
    pub fn approval_reason(&self, policy: &ApprovalPolicy, today: NaiveDate) -> Option<String> {
        if policy.kinds.contains(&self.kind()) {
            return Some(format!("{} changes need approval", self.kind()));
        }
        if let Self::Refund(c) | Self::WriteOff(c) = self
            && c.amount_pence > policy.amount_pence
        {
            let what = if matches!(self, Self::Refund(_)) { "refund" } else { "write-off" };
            return Some(format!(
                "a {what} of {} is more than {}, the most an officer may make alone",
                Pence::new(c.amount_pence),
                Pence::new(policy.amount_pence)
            ));
        }
        let (what, from) = match self {
            Self::DiscountGrant(c) => ("discount", c.from),
            Self::ExemptionGrant(c) => ("exemption", c.from),
            Self::PremiumException(c) => ("premium exception", c.from),
            Self::DisabledBandReduction(c) => ("disabled band reduction", c.from),
            Self::ReliefGrant(c) => ("relief", c.from),
            Self::BandChange(c) if c.effective_from < c.list_altered_on => ("band reduction", c.effective_from),
            Self::RateableValueChange(c) if c.effective_from < c.list_altered_on => {
                ("rateable value change", c.effective_from)
            }
            _ => return None,
        };
        backdated(what, from, policy, today)
    }

    /// As [`Change::approval_reason`], knowing the account: a band or rateable value change is a
    /// reduction when the new value is lower than the property's current one.
    #[must_use]
    pub fn approval_reason_for(
        &self,
        state: &AccountState,
        policy: &ApprovalPolicy,
        today: NaiveDate,
    ) -> Option<String> {
        let reduction = match self {
            Self::BandChange(c) => c.valuation(state).is_reduction().then_some(("band reduction", c.effective_from)),
            Self::RateableValueChange(c) => {
                c.valuation(state).is_reduction().then_some(("rateable value reduction", c.effective_from))
            }
            _ => return self.approval_reason(policy, today),
        };
        if policy.kinds.contains(&self.kind()) {
            return Some(format!("{} changes need approval", self.kind()));
        }
        reduction.and_then(|(what, from)| backdated(what, from, policy, today))
    }
}

/// The approval reason for `what` starting on `from`, if that is more than the policy's
/// backdating allowance before `today`.
fn backdated(what: &str, from: NaiveDate, policy: &ApprovalPolicy, today: NaiveDate) -> Option<String> {
    let days = days_before(from, today);
    (days > policy.backdate_days)
        .then(|| format!("the {what} is backdated {days} days (more than {})", policy.backdate_days))
}

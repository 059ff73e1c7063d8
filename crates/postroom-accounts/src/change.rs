//! The typed account changes applied when a work item is completed. A request carries them as
//! JSON objects tagged by `kind`; each is parsed on its own so that every bad one is reported,
//! then checked against the account's state.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use postroom_domain::ChangeKind;

use crate::state::{AccountState, ApprovalPolicy, DiscountClass, RecoveryStage, Service};

/// Longest note or reason kept, in characters.
pub const MAX_TEXT: usize = 10_000;

/// One account change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A note on the account's history.
    Note(NoteChange),
    /// A Council Tax discount from a date (backdating beyond the policy needs approval).
    DiscountGrant(DiscountGrant),
    /// The last day a discount applies.
    DiscountEnd(DiscountEnd),
    /// Mark or unmark the customer as vulnerable.
    VulnerabilityFlag(VulnerabilityFlag),
    /// Move recovery to a stage, or clear it.
    RecoveryStage(RecoveryStageChange),
    /// A refund for the back office to pay (always needs approval by default).
    Refund(MoneyChange),
    /// A write-off (always needs approval by default).
    WriteOff(MoneyChange),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteChange {
    pub account: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountGrant {
    pub account: String,
    pub discount: DiscountClass,
    pub from: NaiveDate,
    /// Last day (inclusive); open-ended when absent (class D: at most 12 months, so required).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountEnd {
    pub account: String,
    pub discount: DiscountClass,
    /// The last day it applies.
    pub last_day: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityFlag {
    pub account: String,
    pub vulnerable: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryStageChange {
    pub account: String,
    /// The new stage; `null` when the arrears are cleared.
    pub stage: Option<RecoveryStage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyChange {
    pub account: String,
    /// In pence, more than zero.
    pub amount_pence: i64,
    pub reason: String,
}

/// A change that could not be parsed or is not valid, and where it is in the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("changes[{index}]: {message}")]
pub struct ChangeError {
    pub index: usize,
    pub message: String,
}

/// Parses each change on its own: a malformed one (unknown kind, missing or unknown field,
/// wrong type) becomes an error naming its position, and the others still parse.
#[must_use]
pub fn parse_each(values: &[serde_json::Value]) -> Vec<Result<Change, ChangeError>> {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value::<Change>(value.clone()).map_err(|e| {
                let kind = value.get("kind").and_then(|k| k.as_str());
                let message = match kind.map(str::parse::<ChangeKind>) {
                    None => "each change needs a \"kind\"".to_owned(),
                    Some(Err(e)) => e.to_string(),
                    Some(Ok(k)) if !e.to_string().contains("unknown variant") => format!("{k}: {e}"),
                    Some(Ok(k)) => format!("{k} changes cannot be applied through Postroom yet"),
                };
                ChangeError { index, message }
            })
        })
        .collect()
}

/// Parses every change, or reports each one that is malformed with its position.
///
/// # Errors
/// Every malformed change.
pub fn parse_changes(values: &[serde_json::Value]) -> Result<Vec<Change>, Vec<ChangeError>> {
    let (ok, bad): (Vec<_>, Vec<_>) = parse_each(values).into_iter().partition(Result::is_ok);
    if bad.is_empty() {
        Ok(ok.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(bad.into_iter().filter_map(Result::err).collect())
    }
}

impl Change {
    /// Its kind, as workflows name it.
    #[must_use]
    pub fn kind(&self) -> ChangeKind {
        match self {
            Self::Note(_) => ChangeKind::Note,
            Self::DiscountGrant(_) => ChangeKind::DiscountGrant,
            Self::DiscountEnd(_) => ChangeKind::DiscountEnd,
            Self::VulnerabilityFlag(_) => ChangeKind::VulnerabilityFlag,
            Self::RecoveryStage(_) => ChangeKind::RecoveryStage,
            Self::Refund(_) => ChangeKind::Refund,
            Self::WriteOff(_) => ChangeKind::WriteOff,
        }
    }

    /// The reference of the account it changes.
    #[must_use]
    pub fn account(&self) -> &str {
        match self {
            Self::Note(c) => &c.account,
            Self::DiscountGrant(c) => &c.account,
            Self::DiscountEnd(c) => &c.account,
            Self::VulnerabilityFlag(c) => &c.account,
            Self::RecoveryStage(c) => &c.account,
            Self::Refund(c) | Self::WriteOff(c) => &c.account,
        }
    }

    /// What is wrong with applying it to an account in `state` on `today` (empty when valid).
    #[must_use]
    pub fn validate(&self, state: &AccountState, today: NaiveDate) -> Vec<String> {
        let mut errors = Vec::new();
        if state.status == "closed" && !matches!(self, Self::Note(_) | Self::Refund(_) | Self::WriteOff(_)) {
            errors.push(format!("account {} is closed: only notes, refunds and write-offs apply", state.reference));
        }
        match self {
            Self::Note(c) => text_ok("text", &c.text, &mut errors),
            Self::DiscountGrant(c) => discount_grant(c, state, today, &mut errors),
            Self::DiscountEnd(c) => {
                let running = state.adjustments.iter().find(|a| {
                    a.category == "discount"
                        && a.code == c.discount.as_str()
                        && a.overlaps(c.last_day, Some(c.last_day))
                });
                match running {
                    None => errors.push(format!(
                        "account {} has no {} discount running on {}",
                        state.reference,
                        c.discount.as_str(),
                        c.last_day
                    )),
                    Some(a) if a.to == Some(c.last_day) => {
                        errors.push(format!("the {} discount already ends on {}", c.discount.as_str(), c.last_day));
                    }
                    Some(_) => {}
                }
            }
            Self::VulnerabilityFlag(c) => {
                text_ok("reason", &c.reason, &mut errors);
                if c.vulnerable == state.vulnerable {
                    let now = if state.vulnerable { "already" } else { "not" };
                    errors.push(format!("account {} is {now} marked vulnerable", state.reference));
                }
            }
            Self::RecoveryStage(c) => {
                if let Some(stage) = c.stage.filter(|s| !s.applies_to(state.service)) {
                    errors.push(format!("{stage} is not a recovery power for business rates"));
                }
                if c.stage == state.recovery_stage {
                    errors.push(format!("account {} is already at that recovery stage", state.reference));
                }
            }
            Self::Refund(c) | Self::WriteOff(c) => {
                text_ok("reason", &c.reason, &mut errors);
                if c.amount_pence <= 0 {
                    errors.push("amount_pence must be more than zero".to_owned());
                }
            }
        }
        errors
    }

    /// Updates `state` as applying this change will, so the next change in the same completion
    /// is checked against the account as it will then be (e.g. end one discount, grant another).
    pub fn project(&self, state: &mut AccountState) {
        match self {
            Self::DiscountGrant(c) => state.adjustments.push(crate::state::Adjustment {
                category: "discount".to_owned(),
                code: c.discount.as_str().to_owned(),
                from: c.from,
                to: c.to,
            }),
            Self::DiscountEnd(c) => {
                if let Some(a) = state.adjustments.iter_mut().find(|a| {
                    a.category == "discount"
                        && a.code == c.discount.as_str()
                        && a.overlaps(c.last_day, Some(c.last_day))
                }) {
                    a.to = Some(c.last_day);
                }
            }
            Self::VulnerabilityFlag(c) => state.vulnerable = c.vulnerable,
            Self::RecoveryStage(c) => state.recovery_stage = c.stage,
            Self::Note(_) | Self::Refund(_) | Self::WriteOff(_) => {}
        }
    }

    /// Why this change needs a team leader's approval under `policy`, if it does.
    #[must_use]
    pub fn approval_reason(&self, policy: &ApprovalPolicy, today: NaiveDate) -> Option<String> {
        if policy.kinds.contains(&self.kind()) {
            return Some(format!("{} changes need approval", self.kind()));
        }
        match self {
            Self::DiscountGrant(c) if (today - c.from).num_days() > policy.backdate_days => Some(format!(
                "the discount is backdated {} days (more than {})",
                (today - c.from).num_days(),
                policy.backdate_days
            )),
            _ => None,
        }
    }
}

fn text_ok(field: &str, text: &str, errors: &mut Vec<String>) {
    if text.trim().is_empty() {
        errors.push(format!("{field} must not be empty"));
    } else if text.chars().count() > MAX_TEXT {
        errors.push(format!("{field} is longer than {MAX_TEXT} characters"));
    }
}

fn discount_grant(c: &DiscountGrant, state: &AccountState, today: NaiveDate, errors: &mut Vec<String>) {
    if state.service != Service::CouncilTax {
        errors.push(format!("account {} is business rates: discounts are for Council Tax", state.reference));
    }
    if c.to.is_some_and(|to| to < c.from) {
        errors.push("to is before from".to_owned());
    }
    if c.from > today + chrono::Days::new(366) {
        errors.push("from is more than a year ahead".to_owned());
    }
    if c.discount == DiscountClass::ClassD {
        let limit = c.from.checked_add_months(Months::new(12)).and_then(|d| d.pred_opt());
        match (c.to, limit) {
            (None, _) => errors.push("a class D discount lasts at most 12 months: give its last day as to".to_owned()),
            (Some(to), Some(limit)) if to > limit => {
                errors.push(format!("a class D discount lasts at most 12 months: to must be on or before {limit}"));
            }
            _ => {}
        }
    }
    if let Some(other) = state.adjustments.iter().find(|a| a.category == "discount" && a.overlaps(c.from, c.to)) {
        let until = other.to.map_or_else(|| "open-ended".to_owned(), |t| format!("to {t}"));
        errors.push(format!(
            "account {} already has a {} discount from {} ({until}) in that period",
            state.reference, other.code, other.from
        ));
    }
}

#[cfg(test)]
mod tests;

//! The typed account changes applied when a work item is completed. A request carries them as
//! JSON objects tagged by `kind`; each is parsed on its own so that every bad one is reported,
//! then checked against the account's state.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use postroom_charges::Pence;
use postroom_domain::ChangeKind;

use crate::state::{AccountState, ApprovalPolicy, Context, DiscountClass, Section, Service, category};

mod approval;
mod bacs;
mod direct_debit;
mod exemptions;
mod parse;
mod people;
mod premium_exceptions;
mod recovery;
mod recovery_stage;
mod reductions;
mod reliefs;
mod rules;
mod valuation;

use rules::Rule;

pub use bacs::{BacsAdvice, BacsReport, bacs_reference_problem, normalise_sort_code};
pub use direct_debit::{
    ADVANCE_NOTICE_WORKING_DAYS, DirectDebitAmend, DirectDebitCancel, DirectDebitSetup, REFERENCE_PREFIX,
};
pub use exemptions::{ExemptionEnd, ExemptionGrant};
pub use parse::{ChangeError, parse_changes, parse_each};
pub use people::{
    AUTHORITY_MAX_YEARS, AuthorityScope, MoveIn, MoveOut, NameContactUpdate, ThirdPartyAuthority,
    ThirdPartyAuthorityEnd,
};
pub use premium_exceptions::{EXCEPTIONS_START, ExceptionClass, Excepts, PremiumException, PremiumExceptionEnd};
pub use recovery::{Frequency, HoldReason, InstalmentPlan, PaymentArrangement, RecoveryHold, RecoveryRelease};
pub use recovery_stage::{COUNCIL_TAX_LIABILITY_ORDER_DAYS, RecoveryStageChange};
pub use reductions::{DisabledBandReduction, DisabledBandReductionEnd, Premium, PremiumEnd, PremiumType};
pub use reliefs::{ReliefEnd, ReliefGrant, ReliefKind};
pub use rules::MAX_NAME;
pub use valuation::{BandChange, RateableValueChange};

pub use crate::input::MAX_TEXT;

/// One account change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A note on the account's history.
    Note(NoteChange),
    /// A new liable party from a date.
    MoveIn(MoveIn),
    /// A liable party's last day and forwarding address.
    MoveOut(MoveOut),
    /// A party's corrected name or new contact details.
    NameContactUpdate(NameContactUpdate),
    /// A Council Tax discount from a date (backdating beyond the policy needs approval).
    DiscountGrant(DiscountGrant),
    /// The last day a discount applies.
    DiscountEnd(DiscountEnd),
    /// An exempt-dwelling class from a date, within the class's time limit.
    ExemptionGrant(ExemptionGrant),
    /// The last day an exemption applies.
    ExemptionEnd(ExemptionEnd),
    /// A long-term empty or second-home premium from a date.
    Premium(Premium),
    /// The last day a premium applies.
    PremiumEnd(PremiumEnd),
    /// A premium exception class (SI 2024/1007) from a date.
    PremiumException(PremiumException),
    /// The last day a premium exception applies.
    PremiumExceptionEnd(PremiumExceptionEnd),
    /// The disabled band reduction from a date.
    DisabledBandReduction(DisabledBandReduction),
    /// The last day of the disabled band reduction.
    DisabledBandReductionEnd(DisabledBandReductionEnd),
    /// A Business Rates relief from a date.
    ReliefGrant(ReliefGrant),
    /// The last day a relief applies.
    ReliefEnd(ReliefEnd),
    /// A new Council Tax band (reductions backdated, increases prospective).
    BandChange(BandChange),
    /// A new rateable value from the Valuation Officer's effective date (up or down, backdated
    /// or not).
    RateableValueChange(RateableValueChange),
    /// A new Direct Debit instruction (AUDDIS 0N).
    DirectDebitSetup(DirectDebitSetup),
    /// New bank details or collection day, or what an ADDACS / ARUDD / AUDDIS advice says.
    DirectDebitAmend(DirectDebitAmend),
    /// The Direct Debit ends (AUDDIS 0C unless the bank already cancelled it).
    DirectDebitCancel(DirectDebitCancel),
    /// 10 or 12 monthly instalments.
    InstalmentPlan(InstalmentPlan),
    /// Regular payments agreed to clear arrears.
    PaymentArrangement(PaymentArrangement),
    /// Recovery stops (Breathing Space, crisis moratorium, DRO, insolvency, dispute, arrangement).
    RecoveryHold(RecoveryHold),
    /// A recovery hold ends.
    RecoveryRelease(RecoveryRelease),
    /// Move recovery to a stage, or clear it.
    RecoveryStage(RecoveryStageChange),
    /// Mark or unmark the customer as vulnerable.
    VulnerabilityFlag(VulnerabilityFlag),
    /// Someone allowed to deal with the account for the customer.
    ThirdPartyAuthority(ThirdPartyAuthority),
    /// A third-party authority withdrawn.
    ThirdPartyAuthorityEnd(ThirdPartyAuthorityEnd),
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
pub struct MoneyChange {
    pub account: String,
    /// In pence, more than zero.
    pub amount_pence: i64,
    pub reason: String,
}

impl Change {
    /// Its kind, as workflows name it.
    #[must_use]
    pub fn kind(&self) -> ChangeKind {
        match self {
            Self::Note(_) => ChangeKind::Note,
            Self::MoveIn(_) => ChangeKind::MoveIn,
            Self::MoveOut(_) => ChangeKind::MoveOut,
            Self::NameContactUpdate(_) => ChangeKind::NameContactUpdate,
            Self::DiscountGrant(_) => ChangeKind::DiscountGrant,
            Self::DiscountEnd(_) => ChangeKind::DiscountEnd,
            Self::ExemptionGrant(_) => ChangeKind::ExemptionGrant,
            Self::ExemptionEnd(_) => ChangeKind::ExemptionEnd,
            Self::Premium(_) => ChangeKind::Premium,
            Self::PremiumEnd(_) => ChangeKind::PremiumEnd,
            Self::PremiumException(_) => ChangeKind::PremiumException,
            Self::PremiumExceptionEnd(_) => ChangeKind::PremiumExceptionEnd,
            Self::DisabledBandReduction(_) => ChangeKind::DisabledBandReduction,
            Self::DisabledBandReductionEnd(_) => ChangeKind::DisabledBandReductionEnd,
            Self::ReliefGrant(_) => ChangeKind::ReliefGrant,
            Self::ReliefEnd(_) => ChangeKind::ReliefEnd,
            Self::BandChange(_) => ChangeKind::BandChange,
            Self::RateableValueChange(_) => ChangeKind::RateableValueChange,
            Self::DirectDebitSetup(_) => ChangeKind::DirectDebitSetup,
            Self::DirectDebitAmend(_) => ChangeKind::DirectDebitAmend,
            Self::DirectDebitCancel(_) => ChangeKind::DirectDebitCancel,
            Self::InstalmentPlan(_) => ChangeKind::InstalmentPlan,
            Self::PaymentArrangement(_) => ChangeKind::PaymentArrangement,
            Self::RecoveryHold(_) => ChangeKind::RecoveryHold,
            Self::RecoveryRelease(_) => ChangeKind::RecoveryRelease,
            Self::RecoveryStage(_) => ChangeKind::RecoveryStage,
            Self::VulnerabilityFlag(_) => ChangeKind::VulnerabilityFlag,
            Self::ThirdPartyAuthority(_) => ChangeKind::ThirdPartyAuthority,
            Self::ThirdPartyAuthorityEnd(_) => ChangeKind::ThirdPartyAuthorityEnd,
            Self::Refund(_) => ChangeKind::Refund,
            Self::WriteOff(_) => ChangeKind::WriteOff,
        }
    }

    /// The amount of money it carries, in pence, if it carries one: a refund, a write-off, a
    /// payment arrangement's payment.
    #[must_use]
    pub fn amount_pence(&self) -> Option<i64> {
        match self {
            Self::Refund(c) | Self::WriteOff(c) => Some(c.amount_pence),
            Self::PaymentArrangement(c) => Some(c.amount_pence),
            Self::ReliefGrant(c) => c.amount_pence,
            _ => None,
        }
    }

    /// The reference of the account it changes.
    #[must_use]
    pub fn account(&self) -> &str {
        match self {
            Self::Note(c) => &c.account,
            Self::MoveIn(c) => &c.account,
            Self::MoveOut(c) => &c.account,
            Self::NameContactUpdate(c) => &c.account,
            Self::DiscountGrant(c) => &c.account,
            Self::DiscountEnd(c) => &c.account,
            Self::ExemptionGrant(c) => &c.account,
            Self::ExemptionEnd(c) => &c.account,
            Self::Premium(c) => &c.account,
            Self::PremiumEnd(c) => &c.account,
            Self::PremiumException(c) => &c.account,
            Self::PremiumExceptionEnd(c) => &c.account,
            Self::DisabledBandReduction(c) => &c.account,
            Self::DisabledBandReductionEnd(c) => &c.account,
            Self::ReliefGrant(c) => &c.account,
            Self::ReliefEnd(c) => &c.account,
            Self::BandChange(c) => &c.account,
            Self::RateableValueChange(c) => &c.account,
            Self::DirectDebitSetup(c) => &c.account,
            Self::DirectDebitAmend(c) => &c.account,
            Self::DirectDebitCancel(c) => &c.account,
            Self::InstalmentPlan(c) => &c.account,
            Self::PaymentArrangement(c) => &c.account,
            Self::RecoveryHold(c) => &c.account,
            Self::RecoveryRelease(c) => &c.account,
            Self::RecoveryStage(c) => &c.account,
            Self::VulnerabilityFlag(c) => &c.account,
            Self::ThirdPartyAuthority(c) => &c.account,
            Self::ThirdPartyAuthorityEnd(c) => &c.account,
            Self::Refund(c) | Self::WriteOff(c) => &c.account,
        }
    }

    /// The service it is only for, if it is: Council Tax's discounts, exemptions, premiums,
    /// disabled band reduction and band; Business Rates' reliefs and rateable value.
    #[must_use]
    pub fn only_for(&self) -> Option<Service> {
        match self {
            Self::DiscountGrant(_)
            | Self::ExemptionGrant(_)
            | Self::Premium(_)
            | Self::PremiumException(_)
            | Self::DisabledBandReduction(_)
            | Self::BandChange(_) => Some(Service::CouncilTax),
            Self::ReliefGrant(_) | Self::RateableValueChange(_) => Some(Service::BusinessRates),
            _ => None,
        }
    }

    /// What is wrong with applying it to an account in `state` (empty when valid): each message
    /// names the field and the rule it breaks. Amounts are held to the default ceiling
    /// ([`ApprovalPolicy::default`]); [`Change::validate_with`] takes the configured one.
    #[must_use]
    pub fn validate(&self, state: &AccountState, ctx: Context<'_>) -> Vec<String> {
        self.validate_with(state, ctx, &ApprovalPolicy::default())
    }

    /// As [`Change::validate`], holding amounts of money to `policy.max_amount_pence`.
    #[must_use]
    pub fn validate_with(&self, state: &AccountState, ctx: Context<'_>, policy: &ApprovalPolicy) -> Vec<String> {
        let mut errors = Vec::new();
        if let Some(amount) = self.amount_pence().filter(|a| *a > policy.max_amount_pence) {
            errors.push(format!(
                "amount_pence must be at most {} ({}), not {amount}: check the amount, or ask an administrator to \
                 raise work.max_amount_pence",
                policy.max_amount_pence,
                Pence::new(policy.max_amount_pence)
            ));
        }
        if state.status == "closed" && !matches!(self, Self::Note(_) | Self::Refund(_) | Self::WriteOff(_)) {
            errors.push(format!("account {} is closed: only notes, refunds and write-offs apply", state.reference));
        }
        if let Some(service) = self.only_for().filter(|s| *s != state.service) {
            let (is, for_) = match service {
                Service::CouncilTax => ("business rates", "Council Tax"),
                Service::BusinessRates => ("council tax", "Business Rates"),
            };
            errors.push(format!("account {} is {is}: {} applies to {for_} only", state.reference, self.kind()));
            return errors;
        }
        match self {
            Self::RecoveryStage(c) => c.check_with(state, ctx, policy, &mut errors),
            _ => self.rule().check(state, ctx, &mut errors),
        }
        errors
    }

    /// Updates `state` as applying this change will, so the next change in the same completion
    /// is checked against the account as it will then be (e.g. end one discount, grant another).
    /// Meant for a change that [`Change::validate`] accepted.
    ///
    /// Invariant the database layer relies on (it syncs by position): this may append to
    /// `state.parties` and `state.adjustments` and modify their entries in place, but never
    /// removes or reorders them. It may replace `state.mandate` and set `state.property`,
    /// `state.instalments`, `state.recovery_stage` and `state.vulnerable`.
    pub fn project(&self, state: &mut AccountState) {
        self.rule().apply(state);
    }

    fn rule(&self) -> &dyn Rule {
        match self {
            Self::Note(c) => c,
            Self::MoveIn(c) => c,
            Self::MoveOut(c) => c,
            Self::NameContactUpdate(c) => c,
            Self::DiscountGrant(c) => c,
            Self::DiscountEnd(c) => c,
            Self::ExemptionGrant(c) => c,
            Self::ExemptionEnd(c) => c,
            Self::Premium(c) => c,
            Self::PremiumEnd(c) => c,
            Self::PremiumException(c) => c,
            Self::PremiumExceptionEnd(c) => c,
            Self::DisabledBandReduction(c) => c,
            Self::DisabledBandReductionEnd(c) => c,
            Self::ReliefGrant(c) => c,
            Self::ReliefEnd(c) => c,
            Self::BandChange(c) => c,
            Self::RateableValueChange(c) => c,
            Self::DirectDebitSetup(c) => c,
            Self::DirectDebitAmend(c) => c,
            Self::DirectDebitCancel(c) => c,
            Self::InstalmentPlan(c) => c,
            Self::PaymentArrangement(c) => c,
            Self::RecoveryHold(c) => c,
            Self::RecoveryRelease(c) => c,
            Self::RecoveryStage(c) => c,
            Self::VulnerabilityFlag(c) => c,
            Self::ThirdPartyAuthority(c) => c,
            Self::ThirdPartyAuthorityEnd(c) => c,
            Self::Refund(c) | Self::WriteOff(c) => c,
        }
    }

    /// The change as logs, audit trails and events may show it: a bank account number masked.
    #[must_use]
    pub fn shown(&self) -> serde_json::Value {
        let mut json = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(number) = json.get_mut("account_number")
            && let Some(full) = number.as_str()
        {
            *number = serde_json::Value::String(crate::state::mask(full));
        }
        json
    }

    /// The part of the account it touches (what history records before and after it).
    #[must_use]
    pub fn section(&self) -> Section {
        match self {
            Self::Note(_) => Section::Note,
            Self::MoveIn(_) | Self::MoveOut(_) | Self::NameContactUpdate(_) => Section::Parties,
            Self::DiscountGrant(_) | Self::DiscountEnd(_) => Section::Adjustments(category::DISCOUNT),
            Self::ExemptionGrant(_) | Self::ExemptionEnd(_) => Section::Adjustments(category::EXEMPTION),
            Self::Premium(_) | Self::PremiumEnd(_) => Section::Adjustments(category::PREMIUM),
            Self::PremiumException(_) | Self::PremiumExceptionEnd(_) => {
                Section::Adjustments(category::PREMIUM_EXCEPTION)
            }
            Self::DisabledBandReduction(_) | Self::DisabledBandReductionEnd(_) => {
                Section::Adjustments(category::DISABLED_BAND_REDUCTION)
            }
            Self::ReliefGrant(_) | Self::ReliefEnd(_) => Section::Adjustments(category::RELIEF),
            Self::BandChange(_) | Self::RateableValueChange(_) => Section::Property,
            Self::DirectDebitSetup(_) | Self::DirectDebitAmend(_) | Self::DirectDebitCancel(_) => Section::Mandate,
            Self::InstalmentPlan(_) => Section::Instalments,
            Self::PaymentArrangement(_) => Section::Adjustments(category::ARRANGEMENT),
            Self::RecoveryHold(_) | Self::RecoveryRelease(_) => Section::Adjustments(category::RECOVERY_HOLD),
            Self::RecoveryStage(_) => Section::RecoveryStage,
            Self::VulnerabilityFlag(_) => Section::Vulnerability,
            Self::ThirdPartyAuthority(_) | Self::ThirdPartyAuthorityEnd(_) => {
                Section::Adjustments(category::THIRD_PARTY_AUTHORITY)
            }
            Self::Refund(_) | Self::WriteOff(_) => Section::Money,
        }
    }
}

#[cfg(test)]
mod tests;

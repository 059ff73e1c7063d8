//! The account state a change is checked against, and the vocabularies it uses.

use std::{fmt, str::FromStr};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use postroom_domain::ChangeKind;

/// Which tax an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    CouncilTax,
    BusinessRates,
}

impl Service {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CouncilTax => "council_tax",
            Self::BusinessRates => "business_rates",
        }
    }
}

impl FromStr for Service {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "council_tax" => Ok(Self::CouncilTax),
            "business_rates" => Ok(Self::BusinessRates),
            other => Err(format!("unknown service {other:?}: expected council_tax or business_rates")),
        }
    }
}

/// Council Tax discounts (`domain.md` §1.3, §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiscountClass {
    /// One adult resident (25%).
    SinglePerson,
    /// Every resident disregarded (50%).
    AllDisregarded,
    /// Unoccupied and substantially unfurnished (local percentage).
    ClassC,
    /// Unoccupied, major repair or structural alteration (local percentage; at most 12 months).
    ClassD,
}

impl DiscountClass {
    /// The stored code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SinglePerson => "single_person",
            Self::AllDisregarded => "all_disregarded",
            Self::ClassC => "class_c",
            Self::ClassD => "class_d",
        }
    }
}

/// Where recovery of arrears stands (`domain.md` §2). Absent while the account is up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryStage {
    Reminder,
    SecondReminder,
    FinalNotice,
    Summons,
    LiabilityOrder,
    AttachmentOfEarnings,
    AttachmentOfBenefits,
    Enforcement,
    ChargingOrder,
    Bankruptcy,
    Committal,
}

impl RecoveryStage {
    /// Every stage, in order.
    pub const ALL: [Self; 11] = [
        Self::Reminder,
        Self::SecondReminder,
        Self::FinalNotice,
        Self::Summons,
        Self::LiabilityOrder,
        Self::AttachmentOfEarnings,
        Self::AttachmentOfBenefits,
        Self::Enforcement,
        Self::ChargingOrder,
        Self::Bankruptcy,
        Self::Committal,
    ];

    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::SecondReminder => "second_reminder",
            Self::FinalNotice => "final_notice",
            Self::Summons => "summons",
            Self::LiabilityOrder => "liability_order",
            Self::AttachmentOfEarnings => "attachment_of_earnings",
            Self::AttachmentOfBenefits => "attachment_of_benefits",
            Self::Enforcement => "enforcement",
            Self::ChargingOrder => "charging_order",
            Self::Bankruptcy => "bankruptcy",
            Self::Committal => "committal",
        }
    }

    /// Whether the stage exists for this service: attachments of earnings and benefits are
    /// Council Tax powers only (`domain.md` §3.3).
    #[must_use]
    pub fn applies_to(self, service: Service) -> bool {
        service == Service::CouncilTax || !matches!(self, Self::AttachmentOfEarnings | Self::AttachmentOfBenefits)
    }
}

impl fmt::Display for RecoveryStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecoveryStage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown recovery stage {s:?}"))
    }
}

/// A discount, exemption, premium or relief the account has for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// `discount`, `exemption`, `premium`, `relief` or `disabled_band_reduction`.
    pub category: String,
    pub code: String,
    pub from: NaiveDate,
    /// Last day (inclusive); open-ended when absent.
    pub to: Option<NaiveDate>,
}

impl Adjustment {
    /// Whether its period shares a day with `from..=to` (`to` absent: open-ended).
    #[must_use]
    pub fn overlaps(&self, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        let starts_before_other_ends = to.is_none_or(|t| self.from <= t);
        let other_starts_before_this_ends = self.to.is_none_or(|t| from <= t);
        starts_before_other_ends && other_starts_before_this_ends
    }
}

/// What a change is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub reference: String,
    pub service: Service,
    pub status: String,
    pub recovery_stage: Option<RecoveryStage>,
    pub vulnerable: bool,
    pub adjustments: Vec<Adjustment>,
}

/// Which changes need a team leader's approval (four-eyes) besides workflows that always do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicy {
    /// A discount starting more than this many days before today is a backdating that needs
    /// approval.
    pub backdate_days: i64,
    /// Kinds that always need approval (refunds, write-offs).
    pub kinds: Vec<ChangeKind>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self { backdate_days: 28, kinds: vec![ChangeKind::Refund, ChangeKind::WriteOff] }
    }
}

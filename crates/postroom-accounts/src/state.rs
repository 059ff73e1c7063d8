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

/// What an [`Adjustment`] is. Stored as its snake-case name.
pub mod category {
    /// Council Tax discount (code: [`crate::DiscountClass`]).
    pub const DISCOUNT: &str = "discount";
    /// Council Tax exempt-dwelling class (code: the class letter).
    pub const EXEMPTION: &str = "exemption";
    /// Council Tax premium (code: `long_term_empty` or `second_home`; details: tier percent).
    pub const PREMIUM: &str = "premium";
    /// Council Tax premium exception of SI 2024/1007 (code: the class letter E–M; details: class
    /// G's `owner`, class I's `probate_granted_on`).
    pub const PREMIUM_EXCEPTION: &str = "premium_exception";
    /// A recovery step taken (code: [`crate::RecoveryStage`]; from = to: the day the notice was
    /// issued, the summons served or the order made; details: a summons's `sum_due_from`).
    pub const RECOVERY_NOTICE: &str = "recovery_notice";
    /// Council Tax disabled band reduction (code: `disabled_band_reduction`).
    pub const DISABLED_BAND_REDUCTION: &str = "disabled_band_reduction";
    /// Business Rates relief (code: [`crate::change::ReliefKind`]).
    pub const RELIEF: &str = "relief";
    /// A hold on recovery (code: [`crate::change::HoldReason`]).
    pub const RECOVERY_HOLD: &str = "recovery_hold";
    /// An agreed payment arrangement (code: its frequency; details: amount).
    pub const ARRANGEMENT: &str = "arrangement";
    /// Someone allowed to deal with the account for the customer (code: their name).
    pub const THIRD_PARTY_AUTHORITY: &str = "third_party_authority";
    /// A band or rateable value from an effective date (code: `band:C` or `rv:13500`; details:
    /// `{"previous": …}`, the value before it).
    pub const VALUATION: &str = "valuation";
}

/// A discount, exemption, premium, relief, recovery hold, arrangement or third-party authority
/// the account has for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// One of [`category`].
    pub category: String,
    pub code: String,
    pub from: NaiveDate,
    /// Last day (inclusive); open-ended when absent.
    pub to: Option<NaiveDate>,
    /// What else the category records (e.g. a premium's percentage, an arrangement's amount).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

impl Adjustment {
    /// The adjustment as history shows it.
    #[must_use]
    pub fn shown(&self) -> serde_json::Value {
        let mut v = serde_json::json!({ "code": self.code, "from": self.from, "to": self.to });
        if !self.details.is_null() {
            v["details"] = self.details.clone();
        }
        v
    }

    /// An adjustment without details.
    #[must_use]
    pub fn new(category: &str, code: &str, from: NaiveDate, to: Option<NaiveDate>) -> Self {
        Self { category: category.to_owned(), code: code.to_owned(), from, to, details: serde_json::Value::Null }
    }

    /// Whether its period shares a day with `from..=to` (`to` absent: open-ended).
    #[must_use]
    pub fn overlaps(&self, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        let starts_before_other_ends = to.is_none_or(|t| self.from <= t);
        let other_starts_before_this_ends = self.to.is_none_or(|t| from <= t);
        starts_before_other_ends && other_starts_before_this_ends
    }

    /// Whether it applies on `day`.
    #[must_use]
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.overlaps(day, Some(day))
    }
}

/// How a customer prefers to hear from the council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Email,
    Post,
    Phone,
}

impl ContactChannel {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Post => "post",
            Self::Phone => "phone",
        }
    }
}

impl FromStr for ContactChannel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Email, Self::Post, Self::Phone]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown contact channel {s:?}: expected email, post or phone"))
    }
}

/// A person or company liable for (or named on) the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyState {
    pub name: String,
    /// `liable`, or another role such as `joint` or `occupier`.
    pub role: String,
    pub liable_from: Option<NaiveDate>,
    pub liable_to: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_channel: Option<ContactChannel>,
    /// Where to write after they moved out.
    pub forwarding_address: Option<String>,
}

impl PartyState {
    /// The party as history shows it.
    #[must_use]
    pub fn shown(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "role": self.role,
            "liable_from": self.liable_from,
            "liable_to": self.liable_to,
            "email": self.email,
            "phone": self.phone,
            "postal_address": self.postal_address,
            "preferred_channel": self.preferred_channel,
            "forwarding_address": self.forwarding_address,
        })
    }

    /// Whether they are liable on `day`.
    #[must_use]
    pub fn liable_on(&self, day: NaiveDate) -> bool {
        self.liable_from.is_none_or(|f| f <= day) && self.liable_to.is_none_or(|t| day <= t)
    }
}

/// What the rules need to know of the property the account is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyState {
    /// Council Tax band.
    pub band: Option<postroom_charges::Band>,
    /// Business Rates rateable value, in whole pounds.
    pub rateable_value: Option<u32>,
    /// Qualifying retail, hospitality or leisure use (2026/27 RHL multipliers when occupied).
    pub retail_hospitality_leisure: bool,
}

/// Where a Direct Debit instruction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MandateStatus {
    /// Lodged (0N) and waiting for the first collection.
    Pending,
    /// Collecting.
    Active,
    /// Collections stopped until something is resolved (advance notice disputed, account
    /// transferred without new details).
    Suspended,
    /// The instruction was not set up (an AUDDIS rejection): fix the details and lodge again.
    Rejected,
    /// No longer collecting.
    Cancelled,
}

impl MandateStatus {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }
}

impl FromStr for MandateStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Active, Self::Suspended, Self::Rejected, Self::Cancelled]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown mandate status {s:?}"))
    }
}

/// The account's Direct Debit instruction. The full account number is kept for the Bacs
/// submission; everything shown or logged uses [`Mandate::masked_account_number`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    /// The DDI core reference (`domain.md` §4.1); never amended once lodged.
    pub reference: String,
    pub payer_name: String,
    /// Six digits.
    pub sort_code: String,
    /// Eight digits.
    pub account_number: String,
    /// Day of the month collections fall due, 1–28.
    pub collection_day: u32,
    pub status: MandateStatus,
    /// AUDDIS instructions the back office still has to lodge, in order (`0N`, `0C`).
    pub lodge: Vec<String>,
}

impl Mandate {
    /// The account number as shown: all but the last two digits hidden.
    #[must_use]
    pub fn masked_account_number(&self) -> String {
        mask(&self.account_number)
    }

    /// The mandate as history and the API show it (account number masked).
    #[must_use]
    pub fn shown(&self) -> serde_json::Value {
        serde_json::json!({
            "reference": self.reference,
            "payer_name": self.payer_name,
            "sort_code": self.sort_code,
            "account_number": self.masked_account_number(),
            "collection_day": self.collection_day,
            "status": self.status,
            "lodge": self.lodge,
        })
    }
}

/// A bank account number with all but its last two digits replaced by `*`.
#[must_use]
pub fn mask(account_number: &str) -> String {
    let n = account_number.chars().count();
    account_number.chars().enumerate().map(|(i, c)| if i + 2 < n { '*' } else { c }).collect()
}

/// What a change is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountState {
    pub reference: String,
    pub service: Service,
    pub status: String,
    pub recovery_stage: Option<RecoveryStage>,
    pub vulnerable: bool,
    pub adjustments: Vec<Adjustment>,
    pub property: PropertyState,
    pub parties: Vec<PartyState>,
    pub mandate: Option<Mandate>,
    /// 10 or 12 monthly instalments.
    pub instalments: u32,
}

impl AccountState {
    /// An account with nothing on it yet (used by tests and imports as a starting point).
    #[must_use]
    pub fn new(reference: &str, service: Service) -> Self {
        Self {
            reference: reference.to_owned(),
            service,
            status: "live".to_owned(),
            recovery_stage: None,
            vulnerable: false,
            adjustments: Vec::new(),
            property: PropertyState::default(),
            parties: Vec::new(),
            mandate: None,
            instalments: 10,
        }
    }

    /// What the account history records as the before or after of a change touching
    /// `section`: the parties, one category's adjustments, the property's valuation, the Direct
    /// Debit (account number masked), the instalments, recovery stage or vulnerability flag.
    /// `null` for notes and money changes (their payload is recorded instead).
    #[must_use]
    pub fn show(&self, section: Section) -> serde_json::Value {
        use serde_json::json;
        match section {
            Section::Note | Section::Money => serde_json::Value::Null,
            Section::Parties => self.parties.iter().map(PartyState::shown).collect(),
            Section::Adjustments(category) => {
                self.adjustments.iter().filter(|a| a.category == category).map(Adjustment::shown).collect()
            }
            Section::Property => json!({
                "band": self.property.band.map(|b| b.to_string()),
                "rateable_value": self.property.rateable_value,
            }),
            Section::Mandate => self.mandate.as_ref().map_or(serde_json::Value::Null, Mandate::shown),
            Section::Instalments => json!({ "instalments": self.instalments }),
            Section::RecoveryStage => json!({ "recovery_stage": self.recovery_stage }),
            Section::Vulnerability => json!({ "vulnerable": self.vulnerable }),
        }
    }

    /// The Council Tax band on `day` (see [`category::VALUATION`]): the latest valuation record
    /// from on or before `day`, before the first record the band it replaced, and with no
    /// records the property's band. `None` also when a stored record cannot be read (the bill
    /// reports those: [`AccountState::band_history`]).
    #[must_use]
    pub fn band_on(&self, day: NaiveDate) -> Option<postroom_charges::Band> {
        self.band_history().ok().and_then(|h| h.on(day))
    }

    /// The rateable value (whole pounds) on `day`, by the same rule as [`AccountState::band_on`].
    #[must_use]
    pub fn rateable_value_on(&self, day: NaiveDate) -> Option<u32> {
        self.rateable_value_history().ok().and_then(|h| h.on(day))
    }

    /// The property's Council Tax band through time.
    ///
    /// # Errors
    /// A valuation record whose band or previous band cannot be read.
    pub fn band_history(&self) -> Result<ValuationHistory<postroom_charges::Band>, BadValuation<'_>> {
        self.valuation_history("band:", self.property.band, |v| v.as_str().and_then(|s| s.parse().ok()))
    }

    /// The property's rateable value (whole pounds) through time.
    ///
    /// # Errors
    /// A valuation record whose value or previous value cannot be read.
    pub fn rateable_value_history(&self) -> Result<ValuationHistory<u32>, BadValuation<'_>> {
        self.valuation_history("rv:", self.property.rateable_value, |v| match v {
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// Its valuation records (`category::VALUATION`) whose code starts with `prefix`, earliest
    /// first.
    pub fn valuations<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Adjustment> + 'a {
        let mut records: Vec<&Adjustment> = self
            .adjustments
            .iter()
            .filter(|a| a.category == category::VALUATION && a.code.starts_with(prefix))
            .collect();
        records.sort_by_key(|a| a.from);
        records.into_iter()
    }

    fn valuation_history<'a, T: Copy>(
        &'a self,
        prefix: &'a str,
        current: Option<T>,
        parse: impl Fn(&serde_json::Value) -> Option<T>,
    ) -> Result<ValuationHistory<T>, BadValuation<'a>> {
        let mut changes = Vec::new();
        for a in self.valuations(prefix) {
            let value = a.code.strip_prefix(prefix).unwrap_or_default();
            let parsed = parse(&serde_json::Value::String(value.to_owned()))
                .ok_or_else(|| BadValuation { record: a, reason: format!("{value:?} is not a valid value") })?;
            changes.push((a.from, parsed));
        }
        let before_first = match self.valuations(prefix).next() {
            None => current,
            Some(first) => match first.details.get("previous") {
                None | Some(serde_json::Value::Null) => None,
                Some(v) => Some(parse(v).ok_or_else(|| BadValuation {
                    record: first,
                    reason: format!("details.previous is not a valid value: {v}"),
                })?),
            },
        };
        Ok(ValuationHistory { before_first, changes })
    }

    /// Its adjustments of `category` that apply on some day of `from..=to`.
    pub fn overlapping<'a>(
        &'a self,
        category: &'a str,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> impl Iterator<Item = &'a Adjustment> + 'a {
        self.adjustments.iter().filter(move |a| a.category == category && a.overlaps(from, to))
    }
}

/// Which part of an account a change touches: what the account history shows before and after
/// it (see [`AccountState::show`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Nothing but the history entry itself.
    Note,
    /// The liable parties and their contact details.
    Parties,
    /// The adjustments of one [`category`].
    Adjustments(&'static str),
    /// The property's band or rateable value.
    Property,
    /// The Direct Debit instruction.
    Mandate,
    /// The number of instalments.
    Instalments,
    /// The recovery stage.
    RecoveryStage,
    /// The vulnerability flag.
    Vulnerability,
    /// A refund or write-off (the change itself is recorded).
    Money,
}

/// A band or rateable value through time: the value before the first change, and each change
/// with the day it takes effect, earliest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuationHistory<T> {
    pub before_first: Option<T>,
    pub changes: Vec<(NaiveDate, T)>,
}

impl<T: Copy> ValuationHistory<T> {
    /// The value on `day`.
    #[must_use]
    pub fn on(&self, day: NaiveDate) -> Option<T> {
        self.changes.iter().rev().find(|(from, _)| *from <= day).map(|(_, v)| *v).or(self.before_first)
    }
}

/// A stored valuation record that cannot be read, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadValuation<'a> {
    pub record: &'a Adjustment,
    pub reason: String,
}

/// What a change is checked against besides the account: the day, and the working-day
/// calendar (advance notice of a Direct Debit is 10 working days).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: NaiveDate,
    pub calendar: &'a postroom_domain::WorkingCalendar,
}

/// Which changes need a team leader's approval (four-eyes) besides workflows that always do, and
/// the most money any change may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicy {
    /// A discount starting more than this many days before today is a backdating that needs
    /// approval.
    pub backdate_days: i64,
    /// Kinds that always need approval (refunds, write-offs).
    pub kinds: Vec<ChangeKind>,
    /// A refund or write-off of more than this many pence needs approval whatever `kinds` says.
    pub amount_pence: i64,
    /// No change may carry more than this many pence (a refund, a write-off, a payment
    /// arrangement's payment): more is refused as a mistake.
    pub max_amount_pence: i64,
    /// A Business Rates liability order is refused until this many days after the summons was
    /// served. 14, as Council Tax's SI 1992/613 reg 35(2A); unverified for NNDR (`domain.md`
    /// §3.3, §10), so configuration.
    pub business_rates_liability_order_days: u32,
}

impl ApprovalPolicy {
    /// The default for [`ApprovalPolicy::amount_pence`]: £1,000.
    pub const DEFAULT_AMOUNT_PENCE: i64 = 100_000;
    /// The default for [`ApprovalPolicy::max_amount_pence`]: £10,000,000, above any Business
    /// Rates refund most councils will make (raise it where large hereditaments are billed).
    pub const DEFAULT_MAX_AMOUNT_PENCE: i64 = 1_000_000_000;
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self {
            backdate_days: 28,
            kinds: vec![ChangeKind::Refund, ChangeKind::WriteOff],
            amount_pence: Self::DEFAULT_AMOUNT_PENCE,
            max_amount_pence: Self::DEFAULT_MAX_AMOUNT_PENCE,
            business_rates_liability_order_days: 14,
        }
    }
}
